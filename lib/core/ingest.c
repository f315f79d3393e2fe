/* SPDX-License-Identifier: BSD-2-Clause */
/* ingest - received reports into the store, refused input kept aside */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/xalloc.h"
#include "dns/resolver.h"
#include "auth/psl.h"
#include "report/ingest_db.h"
#include "report/ingest_view.h"
#include "report/report_db.h"
#include "core/ingest.h"
#include "core/metrics.h"

#define INGEST_PTR_TYPE		12	/* RR type PTR */
#define INGEST_MAX_UIDS		INGEST_MAX_PARTS	/* reports per input */

/* one input on its way: the handler's state */
struct ingest_run {
	struct ingest_ctx *ctx;		/* where it goes */
	struct ingest_writer w;		/* the store side */
	struct ingest_limits lim;	/* from the configuration */
	struct ingest_tally *t;		/* what it gave */
	char		 uids[INGEST_MAX_UIDS][INGEST_DB_UID];	/* stored */
	size_t		 nuids;		/* entries in uids */
	enum metrics_ingest worst;	/* the first refusal's kind */
};

/* ingest_ctx_open - the store (schema up to date) and the suffix list */
int
ingest_ctx_open(struct ingest_ctx *ctx, const struct config *cfg,
    struct resolver *res, struct metrics *m, struct buf *why)
{
	struct buf pwhy;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->res = cfg->ingest.annotate ? res : NULL;
	ctx->metrics = m;
	if ((ctx->db = report_db_open(cfg->reports.store, why)) == NULL)
		return -1;
	if (ingest_db_migrate(ctx->db, why) != 0) {
		report_db_close(ctx->db);
		ctx->db = NULL;
		return -1;
	}
	buf_init(&pwhy, 512);
	/* without the list, a source is named by its PTR name alone */
	if (ctx->res != NULL)
		ctx->psl = psl_load(cfg->dmarc.public_suffix_file, &pwhy);
	buf_free(&pwhy);
	return 0;
}

/* ingest_ctx_close - release the store and the list; twice is fine */
void
ingest_ctx_close(struct ingest_ctx *ctx)
{
	report_db_close(ctx->db);
	psl_free(ctx->psl);
	ctx->db = NULL;
	ctx->psl = NULL;
}

/* ingest_kind_of - the metric of a parse status */
static enum metrics_ingest
ingest_kind_of(enum ingest_status st)
{
	switch (st) {
	case INGEST_BIG:
		return METRICS_INGEST_TOO_LARGE;
	case INGEST_SINK:
		return METRICS_INGEST_STORE_ERROR;
	case INGEST_NONE:
		return METRICS_INGEST_NO_REPORT;
	default:
		return METRICS_INGEST_MALFORMED;
	}
}

/* ingest_one - the handler: one report parsed and stored, or not at all */
static int
ingest_one(void *arg, const char *data, size_t len, const char *name,
    struct buf *why)
{
	struct ingest_run *r = arg;
	struct ingest_sink sink;
	enum ingest_kind kind;
	enum ingest_status st;

	(void)name;	/* the caller names it in why */
	r->t->reports++;
	ingest_writer_init(&r->w, r->ctx->db, r->ctx->now);
	ingest_db_sink(&r->w, &sink);
	st = ingest_report(data, len, &r->lim, &sink, &kind, why);
	if (st == INGEST_OK && ingest_writer_finish(&r->w, why) != 0)
		st = INGEST_SINK;
	if (st != INGEST_OK && r->w.duplicate) {
		buf_reset(why);
		st = INGEST_OK;
		r->t->duplicates++;
		metrics_ingest(r->ctx->metrics, METRICS_INGEST_DUPLICATE);
	} else if (st == INGEST_OK) {
		r->t->stored++;
		metrics_ingest(r->ctx->metrics, METRICS_INGEST_STORED);
		if (kind == INGEST_KIND_DMARC && r->nuids < INGEST_MAX_UIDS)
			memcpy(r->uids[r->nuids++], r->w.uid, INGEST_DB_UID);
	} else {
		r->t->refused++;
		if (r->worst == METRICS_NINGEST)
			r->worst = ingest_kind_of(st);
		metrics_ingest(r->ctx->metrics, ingest_kind_of(st));
	}
	ingest_writer_free(&r->w);
	return st;
}

/* ingest_reverse - the PTR name of an address, -1 if it is none */
static int
ingest_reverse(const char *ip, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	size_t o = 0;
	int i;

	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || size < 73)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	strcpy(out + o, "ip6.arpa");
	return 0;
}

/*
 * ingest_ptr - the first PTR name of ip, lowercase, into out ("" when
 * there is none); -1 when the lookup failed and may work later
 */
static int
ingest_ptr(struct ingest_ctx *ctx, const char *ip, char *out, size_t size)
{
	struct resolver_answer *ans = NULL;
	struct timespec deadline;
	char name[80];
	enum resolver_status st;
	size_t i;

	*out = '\0';
	if (ingest_reverse(ip, name, sizeof(name)) != 0)
		return 0;
	resolver_deadline(&deadline, ctx->cfg->dns.timeout * 1000);
	st = resolver_query(ctx->res, name, INGEST_PTR_TYPE, &deadline, &ans);
	if (st == RESOLVER_OK && ans->n > 0 &&
	    resolver_wire_name(ans->rdata[0], (size_t)ans->rdlen[0], 0, out,
	    size) != 0)
		*out = '\0';
	resolver_answer_free(ans);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	if (strcmp(out, ".") == 0)
		*out = '\0';
	return st == RESOLVER_RETRY || st == RESOLVER_FAIL ? -1 : 0;
}

/* ingest_ip_row - collect one address */
static int
ingest_ip_row(void *arg, int ncols, const char *const *v)
{
	struct config_list *l = arg;

	if (ncols < 1 || v[0] == NULL || l->n >= INGEST_ANNOTATE_MAX)
		return 0;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(char *));
	l->v[l->n++] = xstrdup(v[0]);
	return 0;
}

/* ingest_annotate_ip - one source: PTR, organizational domain, stored */
static int
ingest_annotate_ip(struct ingest_ctx *ctx, const char *ip, struct buf *why)
{
	char ptr[RESOLVER_MAX_NAME + 2], now[24];
	const char *org, *p[4];

	if (ingest_ptr(ctx, ip, ptr, sizeof(ptr)) != 0)
		return 1;	/* SERVFAIL, timeout: the next report retries */
	org = *ptr == '\0' ? "" : ctx->psl != NULL ? psl_org(ctx->psl, ptr) :
	    ptr;
	snprintf(now, sizeof(now), "%lld", (long long)ctx->now);
	p[0] = ip; p[1] = ptr; p[2] = org; p[3] = now;
	return report_db_exec(ctx->db, "INSERT INTO ingest_sources (ip, ptr, "
	    "org, looked_up) VALUES ($1, $2, $3, $4) ON CONFLICT (ip) DO "
	    "NOTHING", 4, p, NULL, NULL, why) == 0 ? 0 : -1;
}

/* ingest_annotate - name the new source IPs of the reports just stored */
static void
ingest_annotate(struct ingest_ctx *ctx, struct ingest_run *r)
{
	struct config_list ips = { NULL, 0 };
	struct buf why;
	const char *p[1];
	size_t i, k;

	if (ctx->res == NULL)
		return;
	buf_init(&why, 1024);
	for (k = 0; k < r->nuids; k++) {
		p[0] = r->uids[k];
		report_db_exec(ctx->db, "SELECT DISTINCT r.source_ip FROM "
		    "ingest_records r WHERE r.report_uid = $1 AND NOT EXISTS "
		    "(SELECT 1 FROM ingest_sources s WHERE s.ip = r.source_ip)",
		    1, p, ingest_ip_row, &ips, &why);
	}
	for (i = 0; i < ips.n; i++) {
		if (ingest_annotate_ip(ctx, ips.v[i], &why) == 0)
			r->t->annotated++;
		free(ips.v[i]);
	}
	free(ips.v);
	buf_free(&why);
}

/* ingest_input_run - the reports of one input into the store */
static enum ingest_status
ingest_input_run(struct ingest_run *r, const char *data, size_t len,
    struct buf *why)
{
	struct ingest_handler h = { ingest_one, r };
	size_t found;

	if (len > (size_t)r->ctx->cfg->ingest.max_message_size) {
		buf_printf(why, "%zu bytes, over ingest.max_message_size", len);
		r->worst = METRICS_INGEST_TOO_LARGE;
		metrics_ingest(r->ctx->metrics, r->worst);
		return INGEST_BIG;
	}
	/* a bare report file, or a message (report mail, mbox entry) */
	if (ingest_is_report(data, len))
		return (enum ingest_status)ingest_one(r, data, len, "", why);
	return ingest_mime_walk(data, len, &h, &found, why);
}

/*
 * ingest_input - every report of one input (a message or a report file)
 * stored once; when one is refused, the whole input is quarantined
 */
enum ingest_status
ingest_input(struct ingest_ctx *ctx, const char *data, size_t len,
    struct ingest_tally *t, struct buf *why)
{
	struct ingest_run r;
	enum ingest_status st;
	struct buf path;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.t = t;
	r.worst = METRICS_NINGEST;
	r.lim.max_report = (size_t)ctx->cfg->ingest.max_report_size;
	r.lim.max_records = (size_t)ctx->cfg->ingest.max_records;
	if (ctx->now == 0)
		ctx->now = time(NULL);
	st = ingest_input_run(&r, data, len, why);
	if (st == INGEST_NONE)
		metrics_ingest(ctx->metrics, METRICS_INGEST_NO_REPORT);
	if (st != INGEST_OK) {
		buf_init(&path, 4096);
		if (ingest_quarantine(ctx, data, len, why->data, &path) == 0) {
			t->quarantined++;
			buf_printf(why, " (kept as %s)", path.data);
		} else
			buf_printf(why, " (not kept: %s)", path.data);
		buf_free(&path);
	}
	ingest_annotate(ctx, &r);
	return st;
}

/*
 * ingest_unapproved - the authmilter_unapproved_sources gauge after new
 * reports: sources of the last 30 days with dashboard.unapproved_min
 * messages that nobody approved (so Prometheus sees a new one at once)
 */
void
ingest_unapproved(struct ingest_ctx *ctx)
{
	struct ingest_view_q q;
	struct buf why;
	long long n;

	if (ctx->metrics == NULL || ctx->db == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.until = ((long long)time(NULL) / INGEST_VIEW_DAY + 1) *
	    INGEST_VIEW_DAY;
	q.from = q.until - INGEST_UNAPPROVED_DAYS * INGEST_VIEW_DAY;
	q.min = ctx->cfg->dashboard.unapproved_min;
	buf_init(&why, 1024);
	if ((n = ingest_view_unapproved_count(ctx->db, &q, &why)) >= 0)
		metrics_set_unapproved(ctx->metrics, n);
	buf_free(&why);
}

/* ingest_write - all of data to a new file */
static int
ingest_write(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len > 0) {
		if ((n = write(fd, data, len)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(path);
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return close(fd);
}

/*
 * ingest_quarantine - keep data as NAME.eml in ingest.quarantine_dir with
 * NAME.why beside it; path gets the file's name (or the error)
 */
int
ingest_quarantine(struct ingest_ctx *ctx, const char *data, size_t len,
    const char *why, struct buf *path)
{
	const char *dir = ctx->cfg->ingest.quarantine_dir;
	struct buf note;
	int rc;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		buf_printf(path, "%s: %s", dir, strerror(errno));
		return -1;
	}
	buf_printf(path, "%s/%lld.%ld.%lu", dir, (long long)time(NULL),
	    (long)getpid(), ++ctx->seq);
	buf_init(&note, 4096);
	buf_printf(&note, "%s\n", why);
	buf_puts(path, ".why");
	rc = ingest_write(path->data, note.data, note.len);
	path->len -= 4;
	buf_puts(path, ".eml");
	path->data[path->len] = '\0';
	if (rc != 0 || ingest_write(path->data, data, len) != 0) {
		buf_printf(path, ": %s", strerror(errno));
		buf_free(&note);
		return -1;
	}
	buf_free(&note);
	metrics_quarantined(ctx->metrics);
	return 0;
}

/* ingest_rcpt_match - is this RCPT TO argument one of ingest.recipients */
int
ingest_rcpt_match(const struct config *cfg, const char *rcpt)
{
	size_t i, len;

	if (rcpt == NULL)
		return 0;
	while (*rcpt == ' ')
		rcpt++;
	if (*rcpt == '<')
		rcpt++;
	len = strcspn(rcpt, "> \t");
	for (i = 0; i < cfg->ingest.recipients.n; i++)
		if (strlen(cfg->ingest.recipients.v[i]) == len &&
		    strncasecmp(cfg->ingest.recipients.v[i], rcpt, len) == 0)
			return 1;
	return 0;
}
