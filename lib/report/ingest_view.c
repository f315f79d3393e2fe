/* SPDX-License-Identifier: BSD-2-Clause */
/* ingest_view - the dashboard's answers as JSON, from the ingest tables */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/xalloc.h"
#include "report/ingest_view.h"
#include "report/report_db.h"

/* the SQL for a source's name: the PTR name's organizational domain, or the IP */
#define IV_SRC	"COALESCE(NULLIF(s.org, ''), r.source_ip)"
#define IV_PASS	"(r.dkim_eval = 'pass' OR r.spf_eval = 'pass')"
#define IV_FROM	"FROM ingest_records r LEFT JOIN ingest_sources s ON " \
	"s.ip = r.source_ip WHERE r.domain = $1 AND r.day >= $2 AND r.day < $3"

/* one sending source of a domain, summed over its IPs */
struct iv_source {
	char		*src;		/* organizational domain, or the IP */
	struct buf	 ips;		/* JSON array items: ip, ptr, messages */
	size_t		 nips;		/* addresses in ips */
	long long	 n[9];		/* messages, dmarc, spf/dkim aligned,
					   spf/dkim pass, quarantine, reject,
					   dmarc failures */
	int		 approved;	/* in ingest_approved */
	struct buf	 reasons;	/* JSON object members */
	char		*fix;		/* what to change, or NULL */
};

/* the sources of one domain */
struct iv_sources {
	struct iv_source *v;		/* in name order */
	size_t		 n;		/* entries */
	size_t		 dropped;	/* sources past INGEST_VIEW_MAX_ROWS */
	const char	*domain;	/* whose */
};

static const char *const iv_counts[9] = { "messages", "dmarc_pass",
    "spf_aligned", "dkim_aligned", "spf_pass", "dkim_pass", "quarantine",
    "reject", "dmarc_fail" };

/* iv_num - a number column; NULL and garbage are 0 */
static long long
iv_num(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* iv_str - a text column; NULL is "" */
static const char *
iv_str(const char *s)
{
	return s != NULL ? s : "";
}

/* iv_params - $1 domain, $2 from, $3 until */
static void
iv_params(const struct ingest_view_q *q, char from[24], char until[24],
    const char *p[3])
{
	snprintf(from, 24, "%lld", q->from);
	snprintf(until, 24, "%lld", q->until);
	p[0] = q->domain != NULL ? q->domain : "";
	p[1] = from;
	p[2] = until;
}

/* iv_find - the source named src, added when new (NULL past the cap) */
static struct iv_source *
iv_find(struct iv_sources *ss, const char *src)
{
	struct iv_source *s;

	if (ss->n > 0 && strcmp(ss->v[ss->n - 1].src, src) == 0)
		return &ss->v[ss->n - 1];	/* rows come ordered by src */
	if (ss->n >= INGEST_VIEW_MAX_ROWS) {
		ss->dropped++;
		return NULL;
	}
	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof(*ss->v));
	s = &ss->v[ss->n++];
	memset(s, 0, sizeof(*s));
	s->src = xstrdup(src);
	buf_init(&s->ips, 64 * 1024);
	buf_init(&s->reasons, 16 * 1024);
	return s;
}

/* iv_lookup - the source named src, or NULL */
static struct iv_source *
iv_lookup(struct iv_sources *ss, const char *src)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->v[i].src, src) == 0)
			return &ss->v[i];
	return NULL;
}

/* iv_ip_row - src, ip, ptr, then the eight sums */
static int
iv_ip_row(void *arg, int ncols, const char *const *v)
{
	struct iv_source *s;
	long long n[8];
	int i;

	if (ncols < 11 || (s = iv_find(arg, iv_str(v[0]))) == NULL)
		return 0;
	for (i = 0; i < 8; i++) {
		n[i] = iv_num(v[3 + i]);
		s->n[i] += n[i];
	}
	s->n[8] += n[0] - n[1];
	if (s->nips++ >= INGEST_VIEW_MAX_IPS)
		return 0;
	if (s->ips.len > 0)
		buf_putc(&s->ips, ',');
	buf_puts(&s->ips, "{");
	json_kv(&s->ips, "ip", iv_str(v[1]), 1);
	json_kv(&s->ips, "ptr", iv_str(v[2]), 0);
	buf_printf(&s->ips, ",\"messages\":%lld,\"dmarc_pass\":%lld}", n[0],
	    n[1]);
	return 0;
}

/* iv_reason_row - src, reasons, messages */
static int
iv_reason_row(void *arg, int ncols, const char *const *v)
{
	struct iv_source *s;

	if (ncols < 3 || (s = iv_lookup(arg, iv_str(v[0]))) == NULL)
		return 0;
	if (s->reasons.len > 0)
		buf_putc(&s->reasons, ',');
	json_key(&s->reasons, iv_str(v[1]), 1);
	buf_printf(&s->reasons, "%lld", iv_num(v[2]));
	return 0;
}

/* iv_first_word - the first space-separated item of a list, into out */
static void
iv_first_word(const char *list, char *out, size_t size)
{
	size_t n = strcspn(list, " ");

	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), list);
}

/*
 * iv_advice - the fix in plain words, from the commonest failing row:
 * DMARC needs SPF or DKIM to pass for a domain aligned with ours
 */
static char *
iv_advice(const char *domain, const char *src, const char *env_from,
    const char *spf, const char *dkim)
{
	char first[300], d[256], how_spf[640], how_dkim[640], out[1400];
	const char *colon;

	iv_first_word(spf, first, sizeof(first));
	snprintf(d, sizeof(d), "%.*s", (int)strcspn(first, "/"), first);
	if (strstr(spf, ":pass") != NULL)
		snprintf(how_spf, sizeof(how_spf), "SPF passes for %s, which is "
		    "not %s: have %s use a bounce (Return-Path) address under %s",
		    *d ? d : "another domain", domain, src, domain);
	else
		snprintf(how_spf, sizeof(how_spf), "SPF does not pass for %s: add "
		    "%s's servers (the include: they document, or their IPs) to "
		    "the SPF record of %s", *env_from ? env_from : domain, src,
		    *env_from ? env_from : domain);
	iv_first_word(dkim, first, sizeof(first));
	snprintf(d, sizeof(d), "%.*s", (int)strcspn(first, "/"), first);
	colon = strrchr(first, ':');
	if (*first == '\0')
		snprintf(how_dkim, sizeof(how_dkim), "there is no DKIM signature: "
		    "have %s sign with d=%s and publish the key they give you "
		    "under SELECTOR._domainkey.%s", src, domain, domain);
	else if (colon != NULL && strcmp(colon, ":pass") == 0)
		snprintf(how_dkim, sizeof(how_dkim), "DKIM signs as %s, not %s: "
		    "have %s sign with d=%s and publish their key under "
		    "SELECTOR._domainkey.%s", d, domain, src, domain, domain);
	else
		snprintf(how_dkim, sizeof(how_dkim), "the DKIM signature of %s "
		    "fails: check the key published for its selector (%s)", d,
		    first);
	snprintf(out, sizeof(out), "Fix one of them: %s; or %s.", how_spf,
	    how_dkim);
	return xstrdup(out);
}

/* iv_fix_row - src, envelope_from, spf, dkim, messages (commonest first) */
static int
iv_fix_row(void *arg, int ncols, const char *const *v)
{
	struct iv_sources *ss = arg;
	struct iv_source *s;

	if (ncols < 5 || (s = iv_lookup(ss, iv_str(v[0]))) == NULL ||
	    s->fix != NULL)
		return 0;
	s->fix = iv_advice(ss->domain, s->src, iv_str(v[1]), iv_str(v[2]),
	    iv_str(v[3]));
	return 0;
}

/* iv_approved_row - a source approved for the domain */
static int
iv_approved_row(void *arg, int ncols, const char *const *v)
{
	struct iv_source *s;

	if (ncols >= 1 && (s = iv_lookup(arg, iv_str(v[0]))) != NULL)
		s->approved = 1;
	return 0;
}

/* iv_sources_free - release what iv_sources_load() made */
static void
iv_sources_free(struct iv_sources *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		free(ss->v[i].src);
		free(ss->v[i].fix);
		buf_free(&ss->v[i].ips);
		buf_free(&ss->v[i].reasons);
	}
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}

/* iv_sources_detail - override reasons and fixes of the sources */
static int
iv_sources_detail(struct report_db *db, const char *const *p,
    struct iv_sources *ss, struct buf *why)
{
	if (report_db_exec(db, "SELECT " IV_SRC ", r.reasons, sum(r.count) "
	    IV_FROM " AND r.reasons <> '' GROUP BY 1, 2 ORDER BY 3 DESC", 3, p,
	    iv_reason_row, ss, why) != 0)
		return -1;
	return report_db_exec(db, "SELECT " IV_SRC ", r.envelope_from, r.spf, "
	    "r.dkim, sum(r.count) " IV_FROM " AND NOT " IV_PASS " GROUP BY 1, "
	    "2, 3, 4 ORDER BY 1, 5 DESC", 3, p, iv_fix_row, ss, why);
}

/*
 * iv_sources_load - the sources of q->domain with their sums and
 * approval; with full, their override reasons and fixes too (two more
 * scans, which a count does not need)
 */
static int
iv_sources_load(struct report_db *db, const struct ingest_view_q *q,
    struct iv_sources *ss, int full, struct buf *why)
{
	char from[24], until[24];
	const char *p[3];

	memset(ss, 0, sizeof(*ss));
	ss->domain = q->domain;
	iv_params(q, from, until, p);
	if (report_db_exec(db, "SELECT " IV_SRC ", r.source_ip, "
	    "COALESCE(s.ptr, ''), sum(r.count), "
	    "sum(CASE WHEN " IV_PASS " THEN r.count ELSE 0 END), "
	    "sum(CASE WHEN r.spf_eval = 'pass' THEN r.count ELSE 0 END), "
	    "sum(CASE WHEN r.dkim_eval = 'pass' THEN r.count ELSE 0 END), "
	    "sum(CASE WHEN r.spf LIKE '%:pass%' THEN r.count ELSE 0 END), "
	    "sum(CASE WHEN r.dkim LIKE '%:pass%' THEN r.count ELSE 0 END), "
	    "sum(CASE WHEN r.disposition = 'quarantine' THEN r.count ELSE 0 "
	    "END), sum(CASE WHEN r.disposition = 'reject' THEN r.count ELSE 0 "
	    "END) " IV_FROM " GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC", 3, p,
	    iv_ip_row, ss, why) != 0 ||
	    (full && iv_sources_detail(db, p, ss, why) != 0) ||
	    report_db_exec(db, "SELECT source FROM ingest_approved WHERE "
	    "domain = $1", 1, p, iv_approved_row, ss, why) != 0) {
		iv_sources_free(ss);
		return -1;
	}
	return 0;
}

/* iv_flagged - an unapproved source with volume */
static int
iv_flagged(const struct iv_source *s, const struct ingest_view_q *q)
{
	return !s->approved && s->n[0] >= q->min;
}

/* iv_source_json - one source as a JSON object */
static void
iv_source_json(struct buf *out, const char *domain,
    const struct iv_source *s, const struct ingest_view_q *q)
{
	int i;

	buf_putc(out, '{');
	json_kv(out, "domain", domain, 1);
	json_kv(out, "source", s->src, 0);
	for (i = 0; i < 9; i++)
		buf_printf(out, ",\"%s\":%lld", iv_counts[i], s->n[i]);
	buf_printf(out, ",\"none\":%lld", s->n[0] - s->n[6] - s->n[7]);
	buf_printf(out, ",\"approved\":%s,\"unapproved\":%s",
	    s->approved ? "true" : "false", iv_flagged(s, q) ? "true" :
	    "false");
	buf_printf(out, ",\"nips\":%zu,\"ips\":[%s]", s->nips, s->ips.data);
	buf_printf(out, ",\"reasons\":{%s}", s->reasons.data);
	json_kv(out, "fix", s->fix != NULL ? s->fix : s->n[8] == 0 ?
	    "Passes DMARC: approve it if it is yours." : NULL, 0);
	buf_putc(out, '}');
}

/* iv_domain_list_row - collect one domain name */
static int
iv_domain_list_row(void *arg, int ncols, const char *const *v)
{
	struct buf *names = arg;

	if (ncols >= 1 && v[0] != NULL && names->len < names->max / 2) {
		buf_puts(names, v[0]);
		buf_putc(names, '\n');
	}
	return 0;
}

/* iv_domain_list - the domains with records in the window, \n-separated */
static int
iv_domain_list(struct report_db *db, const struct ingest_view_q *q,
    struct buf *names, struct buf *why)
{
	char from[24], until[24];
	const char *p[3];

	iv_params(q, from, until, p);
	if (q->domain != NULL) {
		buf_puts(names, q->domain);
		buf_putc(names, '\n');
		return 0;
	}
	/* SQLite numbers $N in order of appearance: use $1, $2 in order */
	return report_db_exec(db, "SELECT DISTINCT domain FROM ingest_reports "
	    "WHERE kind = 'dmarc' AND date_begin >= $1 AND date_begin < $2 "
	    "ORDER BY 1", 2, p + 1, iv_domain_list_row, names, why);
}

/*
 * ingest_view_sources - {"sources":[...]}: q->domain's sources, or
 * (unapproved_only, q->domain NULL) the flagged ones of every domain
 */
int
ingest_view_sources(struct report_db *db, const struct ingest_view_q *q,
    int unapproved_only, struct buf *out, struct buf *why)
{
	struct ingest_view_q one = *q;
	struct iv_sources ss;
	struct buf names;
	char *d, *nl;
	size_t i;
	int first = 1, rc = 0;

	buf_init(&names, 1024 * 1024);
	if (iv_domain_list(db, q, &names, why) != 0) {
		buf_free(&names);
		return -1;
	}
	buf_puts(out, "{\"sources\":[");
	for (d = names.data; rc == 0 && (nl = strchr(d, '\n')) != NULL;
	    d = nl + 1) {
		*nl = '\0';
		one.domain = d;
		if ((rc = iv_sources_load(db, &one, &ss, 1, why)) != 0)
			break;
		for (i = 0; i < ss.n; i++) {
			if (unapproved_only && !iv_flagged(&ss.v[i], q))
				continue;
			if (!first)
				buf_putc(out, ',');
			first = 0;
			iv_source_json(out, d, &ss.v[i], q);
		}
		iv_sources_free(&ss);
	}
	buf_printf(out, "],\"from\":%lld,\"until\":%lld,\"min\":%lld}",
	    q->from, q->until, q->min);
	buf_free(&names);
	return rc;
}

/* ingest_view_unapproved_count - flagged sources of every domain */
long long
ingest_view_unapproved_count(struct report_db *db,
    const struct ingest_view_q *q, struct buf *why)
{
	struct ingest_view_q one = *q;
	struct iv_sources ss;
	struct buf names;
	long long n = 0;
	char *d, *nl;
	size_t i;

	one.domain = NULL;
	buf_init(&names, 1024 * 1024);
	if (iv_domain_list(db, &one, &names, why) != 0)
		n = -1;
	for (d = names.data; n >= 0 && (nl = strchr(d, '\n')) != NULL;
	    d = nl + 1) {
		*nl = '\0';
		one.domain = d;
		if (iv_sources_load(db, &one, &ss, 0, why) != 0) {
			n = -1;
			break;
		}
		for (i = 0; i < ss.n; i++)
			n += iv_flagged(&ss.v[i], q);
		iv_sources_free(&ss);
	}
	buf_free(&names);
	return n;
}

/* ingest_view_approve - mark (or unmark) a source of a domain approved */
int
ingest_view_approve(struct report_db *db, const char *domain,
    const char *source, int approve, long long now, struct buf *why)
{
	char t[24];
	const char *p[3] = { domain, source, t };

	snprintf(t, sizeof(t), "%lld", now);
	if (!approve)
		return report_db_exec(db, "DELETE FROM ingest_approved WHERE "
		    "domain = $1 AND source = $2", 2, p, NULL, NULL, why);
	return report_db_exec(db, "INSERT INTO ingest_approved (domain, "
	    "source, approved_at) VALUES ($1, $2, $3) ON CONFLICT (domain, "
	    "source) DO NOTHING", 3, p, NULL, NULL, why);
}

/* iv_policy_row - p of the domain's newest report before the window ends */
static int
iv_policy_row(void *arg, int ncols, const char *const *v)
{
	char *p = arg;

	if (ncols >= 1 && v[0] != NULL && *p == '\0')
		snprintf(p, 16, "%s", v[0]);
	return 0;
}

/*
 * ingest_view_readiness - what p=reject would have done over the window:
 * DMARC failures of approved sources (legitimate mail that would be
 * refused) and of the others (what p=reject is for). Ready needs at least
 * one approved source: with none, every failing sender is unreviewed and
 * "no approved sender fails" would say nothing.
 */
int
ingest_view_readiness(struct report_db *db, const struct ingest_view_q *q,
    struct buf *out, struct buf *why)
{
	struct iv_sources ss;
	long long tot[5] = { 0, 0, 0, 0, 0 };	/* messages, pass, appr/unappr
						 * fail, approved sources */
	char p[16] = "", from[24], until[24];
	const char *par[3];
	size_t i;
	int first = 1;

	iv_params(q, from, until, par);
	if (iv_sources_load(db, q, &ss, 1, why) != 0 || report_db_exec(db,
	    "SELECT p FROM ingest_reports WHERE domain = $1 AND kind = 'dmarc'"
	    " AND date_begin < $2 ORDER BY date_begin DESC LIMIT 1", 2,
	    (const char *const[]){ par[0], par[2] }, iv_policy_row, p,
	    why) != 0) {
		iv_sources_free(&ss);
		return -1;
	}
	buf_puts(out, "{");
	json_kv(out, "domain", q->domain, 1);
	json_kv(out, "p", p, 0);
	buf_puts(out, ",\"approved_failing\":[");
	for (i = 0; i < ss.n; i++) {
		tot[0] += ss.v[i].n[0];
		tot[1] += ss.v[i].n[1];
		tot[ss.v[i].approved ? 2 : 3] += ss.v[i].n[8];
		tot[4] += ss.v[i].approved;
		if (!ss.v[i].approved || ss.v[i].n[8] == 0)
			continue;
		if (!first)
			buf_putc(out, ',');
		first = 0;
		iv_source_json(out, q->domain, &ss.v[i], q);
	}
	buf_printf(out, "],\"messages\":%lld,\"dmarc_pass\":%lld,"
	    "\"approved_fail\":%lld,\"unapproved_fail\":%lld,"
	    "\"approved_sources\":%lld,\"ready\":%s,\"from\":%lld,"
	    "\"until\":%lld}", tot[0], tot[1], tot[2], tot[3], tot[4],
	    tot[0] > 0 && tot[4] > 0 && tot[2] == 0 ? "true" : "false",
	    q->from, q->until);
	iv_sources_free(&ss);
	return 0;
}
