/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_view_pages - the dashboard's other answers as JSON: domains with
 * their trend, one source's rows, TLS reports
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "report/ingest_view.h"
#include "report/report_db.h"


/* rows as JSON objects: names[i] is column i; kinds[i] 'n' or 's' */
struct iv_rows {
	struct buf	*out;		/* where they go */
	const char *const *names;	/* member names */
	const char	*kinds;		/* a number or a string, per column */
	size_t		 n;		/* rows written */
	char		 last[256];	/* distinct: the first column seen */
	int		 distinct;	/* keep only the first row per column 0 */
};

/* iv_rows_row - one row as an object */
static int
iv_rows_row(void *arg, int ncols, const char *const *v)
{
	struct iv_rows *r = arg;
	int i;

	if (r->distinct && v[0] != NULL) {
		if (strcmp(r->last, v[0]) == 0)
			return 0;
		snprintf(r->last, sizeof(r->last), "%s", v[0]);
	}
	if (r->n++ >= INGEST_VIEW_MAX_ROWS)
		return 0;
	buf_puts(r->out, r->n > 1 ? ",{" : "{");
	for (i = 0; i < ncols && r->names[i] != NULL; i++) {
		json_key(r->out, r->names[i], i == 0);
		if (r->kinds[i] == 'n')
			buf_printf(r->out, "%lld", v[i] != NULL ?
			    strtoll(v[i], NULL, 10) : 0LL);
		else
			json_str(r->out, v[i] != NULL ? v[i] : "");
	}
	buf_putc(r->out, '}');
	return 0;
}

/* iv_array - "key":[rows of sql] */
static int
iv_array(struct report_db *db, struct buf *out, const char *key, int first,
    const char *sql, int np, const char *const *p, const char *const *names,
    const char *kinds, int distinct, struct buf *why)
{
	struct iv_rows r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.names = names;
	r.kinds = kinds;
	r.distinct = distinct;
	json_key(out, key, first);
	buf_putc(out, '[');
	rc = report_db_exec(db, sql, np, p, iv_rows_row, &r, why);
	buf_putc(out, ']');
	return rc;
}

/* iv_window - the window's bounds as text, for $N parameters */
static void
iv_window(const struct ingest_view_q *q, char from[24], char until[24])
{
	snprintf(from, 24, "%lld", q->from);
	snprintf(until, 24, "%lld", q->until);
}

/* iv_end - the window closes the object */
static void
iv_end(struct buf *out, const struct ingest_view_q *q)
{
	buf_printf(out, ",\"from\":%lld,\"until\":%lld}", q->from, q->until);
}

/* ingest_view_domains - every domain: volume, pass rate, policy, trend */
int
ingest_view_domains(struct report_db *db, const struct ingest_view_q *q,
    struct buf *out, struct buf *why)
{
	static const char *const dn[] = { "domain", "messages", "dmarc_pass",
	    "reports", NULL };
	static const char *const pn[] = { "domain", "p", "sp", "np", "pct",
	    "testing", "date_begin", NULL };
	static const char *const tn[] = { "domain", "day", "messages",
	    "dmarc_pass", NULL };
	char from[24], until[24];
	const char *p[2] = { from, until };

	iv_window(q, from, until);
	buf_putc(out, '{');
	/* ingest_days: what the records sum to, per domain and day */
	if (iv_array(db, out, "domains", 1, "SELECT d.domain, sum(d.messages),"
	    " sum(d.dmarc_pass), (SELECT count(*) FROM ingest_reports i WHERE "
	    "i.domain = d.domain AND i.kind = 'dmarc' AND i.date_begin >= $1 "
	    "AND i.date_begin < $2) FROM ingest_days d WHERE d.day >= $1 AND "
	    "d.day < $2 GROUP BY d.domain ORDER BY 2 DESC", 2, p, dn, "snnn",
	    0, why) != 0 ||
	    iv_array(db, out, "policies", 0, "SELECT domain, p, sp, np, pct, "
	    "testing, date_begin FROM ingest_reports WHERE kind = 'dmarc' AND "
	    "date_begin < $1 ORDER BY domain, date_begin DESC", 1, p + 1, pn,
	    "ssssssn", 1, why) != 0 ||
	    iv_array(db, out, "trend", 0, "SELECT domain, day / 86400 * 86400, "
	    "sum(messages), sum(dmarc_pass) FROM ingest_days WHERE day >= $1 "
	    "AND day < $2 GROUP BY 1, 2 ORDER BY 1, 2", 2, p, tn, "snnn", 0,
	    why) != 0)
		return -1;
	iv_end(out, q);
	return 0;
}

/* ingest_view_source - one source IP of a domain: its rows, its name */
int
ingest_view_source(struct report_db *db, const struct ingest_view_q *q,
    struct buf *out, struct buf *why)
{
	static const char *const sn[] = { "ptr", "org", NULL };
	static const char *const rn[] = { "day", "reporter", "header_from",
	    "envelope_from", "envelope_to", "messages", "disposition",
	    "dkim_eval", "spf_eval", "dkim", "spf", "reasons", NULL };
	char from[24], until[24];
	const char *p[4] = { q->domain, from, until, q->ip };

	iv_window(q, from, until);
	buf_putc(out, '{');
	json_kv(out, "domain", q->domain, 1);
	json_kv(out, "ip", q->ip, 0);
	if (iv_array(db, out, "names", 0, "SELECT ptr, org FROM "
	    "ingest_sources WHERE ip = $1", 1, p + 3, sn, "ss", 0, why) != 0 ||
	    iv_array(db, out, "rows", 0, "SELECT r.day, i.reporter, "
	    "r.header_from, r.envelope_from, r.envelope_to, r.count, "
	    "r.disposition, r.dkim_eval, r.spf_eval, r.dkim, r.spf, r.reasons "
	    "FROM ingest_records r JOIN ingest_reports i ON i.uid = "
	    "r.report_uid WHERE r.domain = $1 AND r.day >= $2 AND r.day < $3 "
	    "AND r.source_ip = $4 ORDER BY r.day DESC, i.reporter LIMIT 2000",
	    4, p, rn, "nssssnssssss", 0, why) != 0)
		return -1;
	iv_end(out, q);
	return 0;
}

/* ingest_view_tls - TLS reports: sessions by policy, failures by type */
int
ingest_view_tls(struct report_db *db, const struct ingest_view_q *q,
    struct buf *out, struct buf *why)
{
	static const char *const pn[] = { "domain", "policy_type", "success",
	    "failure", "reports", NULL };
	static const char *const fn[] = { "domain", "policy_type",
	    "result_type", "sessions", NULL };
	static const char *const dn[] = { "domain", "policy_type",
	    "result_type", "sending_ip", "receiving_mx", "receiving_ip",
	    "reason", "sessions", NULL };
	char from[24], until[24];
	const char *p[2] = { from, until };

	iv_window(q, from, until);
	buf_putc(out, '{');
	if (iv_array(db, out, "policies", 1, "SELECT domain, policy_type, "
	    "sum(success), sum(failure), count(DISTINCT report_uid) FROM "
	    "ingest_tls WHERE day >= $1 AND day < $2 GROUP BY 1, 2 ORDER BY "
	    "1, 2", 2, p, pn, "ssnnn", 0, why) != 0 ||
	    iv_array(db, out, "failures", 0, "SELECT domain, policy_type, "
	    "result_type, sum(count) FROM ingest_tls_failures WHERE day >= $1 "
	    "AND day < $2 GROUP BY 1, 2, 3 ORDER BY 4 DESC", 2, p, fn, "sssn",
	    0, why) != 0 ||
	    iv_array(db, out, "details", 0, "SELECT domain, policy_type, "
	    "result_type, sending_ip, receiving_mx, receiving_ip, reason, "
	    "sum(count) FROM ingest_tls_failures WHERE day >= $1 AND day < $2 "
	    "GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 8 DESC LIMIT 200", 2, p, dn,
	    "sssssssn", 0, why) != 0)
		return -1;
	iv_end(out, q);
	return 0;
}
