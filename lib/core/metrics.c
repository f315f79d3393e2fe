/* SPDX-License-Identifier: BSD-2-Clause */
/* metrics - atomic counters and the Prometheus text rendering */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>

#include "util/buf.h"
#include "core/metrics.h"
#include "util/xalloc.h"

/* upper bounds of the histogram buckets, in microseconds */
static const unsigned long long metrics_bounds_us[METRICS_NBUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000
};

static const char *const metrics_method_names[METRICS_NMETHODS] = {
	"spf", "dkim", "dmarc", "arc"
};

static const char *const metrics_error_names[METRICS_NERRORS] = {
	"internal", "milter", "dns", "reload"
};

static const char *const metrics_rr_names[METRICS_NRRTYPES] = {
	"A", "AAAA", "MX", "PTR", "TXT", "other"
};

/* label values: resolver_strstatus() is prose for logs, these are not */
static const char *const metrics_status_names[METRICS_NSTATUS] = {
	"ok", "nxdomain", "nodata", "retry", "fail", "inval"
};

/* metrics_new - all zero, no queue-depth hook */
struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	/* calloc's zero bytes are valid zero atomics on every target we build */
	pthread_mutex_init(&m->hook_lock, NULL);
	atomic_store(&m->unapproved, -1);
	return m;
}

/* metrics_free - at exit; NULL is fine */
void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->hook_lock);
	free(m);
}

/* metrics_add - one relaxed increment */
static void
metrics_add(atomic_ullong *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* metrics_observe - one value into a histogram */
static void
metrics_observe(struct metrics_histogram *h, long usec)
{
	unsigned long long us = usec < 0 ? 0 : (unsigned long long)usec;
	size_t i;

	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (us <= metrics_bounds_us[i]) {
			metrics_add(&h->bucket[i], 1);
			break;
		}
	metrics_add(&h->count, 1);
	metrics_add(&h->sum_us, us);
}

/* metrics_message - one verdict carried out */
void
metrics_message(struct metrics *m, enum policy_action a, long ms)
{
	if (m == NULL || (unsigned)a >= METRICS_NACTIONS)
		return;
	metrics_add(&m->messages[a], 1);
	metrics_observe(&m->message_seconds, ms * 1000);
}

/* metrics_result - one method result (one per DKIM signature) */
void
metrics_result(struct metrics *m, enum metrics_method meth,
    enum method_result r)
{
	if (m == NULL || (unsigned)meth >= METRICS_NMETHODS ||
	    (unsigned)r >= METRICS_NRESULTS)
		return;
	metrics_add(&m->results[meth][r], 1);
}

/* metrics_rr - a query type as a label index */
static enum metrics_rrtype
metrics_rr(int rrtype)
{
	switch (rrtype) {
	case ns_t_a:
		return METRICS_RR_A;
	case ns_t_aaaa:
		return METRICS_RR_AAAA;
	case ns_t_mx:
		return METRICS_RR_MX;
	case ns_t_ptr:
		return METRICS_RR_PTR;
	case ns_t_txt:
		return METRICS_RR_TXT;
	default:
		return METRICS_RR_OTHER;
	}
}

/*
 * metrics_dns - the resolver's observer (resolver_set_observer()): one
 * lookup done. RETRY and FAIL also count as errors of kind "dns".
 */
void
metrics_dns(void *arg, int rrtype, enum resolver_status st, long usec)
{
	struct metrics *m = arg;

	if (m == NULL || (unsigned)st >= METRICS_NSTATUS)
		return;
	metrics_add(&m->dns[metrics_rr(rrtype)][st], 1);
	metrics_observe(&m->dns_seconds, usec);
	if (st == RESOLVER_RETRY || st == RESOLVER_FAIL)
		metrics_error(m, METRICS_ERR_DNS);
}

/* metrics_error - one error of a kind */
void
metrics_error(struct metrics *m, enum metrics_error kind)
{
	if (m == NULL || (unsigned)kind >= METRICS_NERRORS)
		return;
	metrics_add(&m->errors[kind], 1);
}

/* metrics_conn - +1 at connect, -1 at close */
void
metrics_conn(struct metrics *m, int delta)
{
	if (m == NULL)
		return;
	atomic_fetch_add_explicit(&m->conns, delta, memory_order_relaxed);
	if (delta > 0)
		metrics_add(&m->conns_total, (unsigned long long)delta);
}

/* metrics_reload - one SIGUSR1 handled */
void
metrics_reload(struct metrics *m, int ok)
{
	if (m == NULL)
		return;
	metrics_add(&m->reloads[ok ? 0 : 1], 1);
	if (!ok)
		metrics_error(m, METRICS_ERR_RELOAD);
}

/* metrics_key_cache - one ARC key record lookup (pkeycache observer) */
void
metrics_key_cache(void *arg, int hit)
{
	struct metrics *m = arg;

	if (m == NULL)
		return;
	metrics_add(&m->key_cache[hit ? 1 : 0], 1);
}

/* metrics_signature - one DKIM signature made (or that failed) */
void
metrics_signature(struct metrics *m, int ed25519, int made)
{
	if (m == NULL)
		return;
	metrics_add(&m->signatures[ed25519 ? 1 : 0][made ? 1 : 0], 1);
}

/* metrics_unsigned - a message to sign that got no signature attempt */
void
metrics_unsigned(struct metrics *m)
{
	if (m == NULL)
		return;
	metrics_add(&m->unsigned_msgs, 1);
}

/*
 * metrics_set_queue_depth - where the report store queue depth comes
 * from: fn(arg) is called at each scrape; NULL fn reads 0 (store off).
 */
void
metrics_set_queue_depth(struct metrics *m, long (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&m->hook_lock);
	m->queue_depth = fn;
	m->queue_arg = arg;
	pthread_mutex_unlock(&m->hook_lock);
}

/* metrics_get - one relaxed read */
static unsigned long long
metrics_get(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* metrics_head - the # HELP and # TYPE lines of one family */
static void
metrics_head(struct buf *out, const char *name, const char *type,
    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* metrics_render_hist - buckets (cumulative), sum and count */
static void
metrics_render_hist(struct buf *out, const char *name, const char *help,
    struct metrics_histogram *h)
{
	unsigned long long cum = 0, count;
	size_t i;

	/* count first: buckets read later can only be larger, never miss */
	count = metrics_get(&h->count);
	metrics_head(out, name, "histogram", help);
	for (i = 0; i < METRICS_NBUCKETS; i++) {
		cum += metrics_get(&h->bucket[i]);
		if (cum > count)
			count = cum;
		buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
		    (double)metrics_bounds_us[i] / 1e6, cum);
	}
	buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, count);
	buf_printf(out, "%s_sum %.6f\n", name,
	    (double)metrics_get(&h->sum_us) / 1e6);
	buf_printf(out, "%s_count %llu\n", name, count);
}

/* metrics_render_results - results by method and result */
static void
metrics_render_results(struct metrics *m, struct buf *out)
{
	size_t i, j;

	metrics_head(out, "authmilter_results_total", "counter",
	    "Authentication results by method and result (one per DKIM "
	    "signature).");
	for (i = 0; i < METRICS_NMETHODS; i++)
		for (j = 0; j < METRICS_NRESULTS; j++)
			buf_printf(out, "authmilter_results_total{method=\"%s\","
			    "result=\"%s\"} %llu\n", metrics_method_names[i],
			    method_result_name((enum method_result)j),
			    metrics_get(&m->results[i][j]));
}

/* metrics_render_signatures - DKIM signatures by algorithm and result */
static void
metrics_render_signatures(struct metrics *m, struct buf *out)
{
	static const char *const alg[2] = { "rsa-sha256", "ed25519-sha256" };
	size_t i;

	metrics_head(out, "authmilter_signatures_total", "counter",
	    "DKIM signatures of outbound mail by algorithm and result; "
	    "algorithm none: messages to sign that got none (no key, no "
	    "single author, refused).");
	for (i = 0; i < 2; i++)
		buf_printf(out, "authmilter_signatures_total{algorithm=\"%s\","
		    "result=\"signed\"} %llu\n"
		    "authmilter_signatures_total{algorithm=\"%s\","
		    "result=\"failed\"} %llu\n", alg[i],
		    metrics_get(&m->signatures[i][1]), alg[i],
		    metrics_get(&m->signatures[i][0]));
	buf_printf(out, "authmilter_signatures_total{algorithm=\"none\","
	    "result=\"unsigned\"} %llu\n", metrics_get(&m->unsigned_msgs));
}

/* metrics_render_dns - lookups by type and status, latency */
static void
metrics_render_dns(struct metrics *m, struct buf *out)
{
	size_t i, j;

	metrics_head(out, "authmilter_dns_lookups_total", "counter",
	    "DNS lookups by query type and outcome.");
	for (i = 0; i < METRICS_NRRTYPES; i++)
		for (j = 0; j < METRICS_NSTATUS; j++)
			buf_printf(out, "authmilter_dns_lookups_total{type=\"%s\","
			    "status=\"%s\"} %llu\n", metrics_rr_names[i],
			    metrics_status_names[j], metrics_get(&m->dns[i][j]));
	metrics_render_hist(out, "authmilter_dns_lookup_duration_seconds",
	    "Time from query to answer or deadline.", &m->dns_seconds);
}

/* metrics_render_ops - errors, connections, reloads, report queue */
static void
metrics_render_ops(struct metrics *m, struct buf *out)
{
	long depth = 0;
	size_t i;

	metrics_head(out, "authmilter_errors_total", "counter",
	    "Errors by kind; mail is never lost for them.");
	for (i = 0; i < METRICS_NERRORS; i++)
		buf_printf(out, "authmilter_errors_total{kind=\"%s\"} %llu\n",
		    metrics_error_names[i], metrics_get(&m->errors[i]));
	metrics_head(out, "authmilter_connections_in_flight", "gauge",
	    "Milter connections open now.");
	buf_printf(out, "authmilter_connections_in_flight %lld\n",
	    (long long)atomic_load_explicit(&m->conns, memory_order_relaxed));
	metrics_head(out, "authmilter_connections_total", "counter",
	    "Milter connections accepted.");
	buf_printf(out, "authmilter_connections_total %llu\n",
	    metrics_get(&m->conns_total));
	metrics_head(out, "authmilter_config_reloads_total", "counter",
	    "SIGUSR1 reloads, applied or refused (old configuration kept).");
	buf_printf(out, "authmilter_config_reloads_total{result=\"applied\"} "
	    "%llu\nauthmilter_config_reloads_total{result=\"refused\"} %llu\n",
	    metrics_get(&m->reloads[0]), metrics_get(&m->reloads[1]));
	metrics_head(out, "authmilter_key_cache_total", "counter",
	    "ARC key records: parsed key reused (hit) or parsed (miss).");
	buf_printf(out, "authmilter_key_cache_total{result=\"hit\"} %llu\n"
	    "authmilter_key_cache_total{result=\"miss\"} %llu\n",
	    metrics_get(&m->key_cache[1]), metrics_get(&m->key_cache[0]));
	pthread_mutex_lock(&m->hook_lock);
	if (m->queue_depth != NULL)
		depth = m->queue_depth(m->queue_arg);
	pthread_mutex_unlock(&m->hook_lock);
	metrics_head(out, "authmilter_report_queue_depth", "gauge",
	    "DMARC report records waiting to be written (0: store off).");
	buf_printf(out, "authmilter_report_queue_depth %ld\n", depth);
}

/* metrics_ingest - one received report and what became of it */
void
metrics_ingest(struct metrics *m, enum metrics_ingest what)
{
	if (m != NULL && what < METRICS_NINGEST)
		metrics_add(&m->ingest[what], 1);
}

/* metrics_quarantined - one message or file put in ingest.quarantine_dir */
void
metrics_quarantined(struct metrics *m)
{
	if (m != NULL)
		metrics_add(&m->quarantined, 1);
}

/* metrics_set_unapproved - sources with volume not approved yet */
void
metrics_set_unapproved(struct metrics *m, long long n)
{
	if (m != NULL)
		atomic_store_explicit(&m->unapproved, n, memory_order_relaxed);
}

/* metrics_render_ingest - received reports, quarantine, unapproved */
static void
metrics_render_ingest(struct metrics *m, struct buf *out)
{
	static const char *const names[METRICS_NINGEST] = { "stored",
	    "duplicate", "malformed", "too_large", "no_report",
	    "store_error" };
	long long n = atomic_load_explicit(&m->unapproved,
	    memory_order_relaxed);
	size_t i;

	metrics_head(out, "authmilter_ingest_reports_total", "counter",
	    "Received DMARC and TLS reports by what became of them.");
	for (i = 0; i < METRICS_NINGEST; i++)
		buf_printf(out, "authmilter_ingest_reports_total{result=\"%s\"}"
		    " %llu\n", names[i], metrics_get(&m->ingest[i]));
	metrics_head(out, "authmilter_ingest_quarantined_total", "counter",
	    "Messages or files kept aside in ingest.quarantine_dir.");
	buf_printf(out, "authmilter_ingest_quarantined_total %llu\n",
	    metrics_get(&m->quarantined));
	if (n < 0)
		return;		/* no dashboard, no store: unknown */
	metrics_head(out, "authmilter_unapproved_sources", "gauge",
	    "Sending sources with volume in the last 30 days, not approved.");
	buf_printf(out, "authmilter_unapproved_sources %lld\n", n);
}

/* metrics_render - the whole exposition, appended to out */
void
metrics_render(struct metrics *m, struct buf *out)
{
	size_t i;

	metrics_head(out, "authmilter_build_info", "gauge",
	    "Always 1; the version is the label.");
	buf_printf(out, "authmilter_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metrics_head(out, "authmilter_messages_total", "counter",
	    "Messages by the action carried out.");
	for (i = 0; i < METRICS_NACTIONS; i++)
		buf_printf(out, "authmilter_messages_total{action=\"%s\"} %llu\n",
		    policy_action_name((enum policy_action)i),
		    metrics_get(&m->messages[i]));
	metrics_render_hist(out, "authmilter_message_duration_seconds",
	    "Time from MAIL FROM to the verdict.", &m->message_seconds);
	metrics_render_results(m, out);
	metrics_render_signatures(m, out);
	metrics_render_dns(m, out);
	metrics_render_ops(m, out);
	metrics_render_ingest(m, out);
}
