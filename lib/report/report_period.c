/* SPDX-License-Identifier: BSD-2-Clause */
/* report_period - report days and the time authmilter-report runs as */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_period.h"
#include "report/report_xml.h"
#include "util/xalloc.h"

/* report_time_fmt - s in exactly this strptime format (UTC), "Z" allowed */
static int
report_time_fmt(const char *s, const char *fmt, int zulu, time_t *t)
{
	struct tm tm, back;
	const char *rest;
	int mday, mon;
	time_t v;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, fmt, &tm);
	if (rest == NULL || (*rest != '\0' && !(zulu && strcmp(rest, "Z") ==
	    0)) || tm.tm_year < 70)
		return -1;
	mday = tm.tm_mday;
	mon = tm.tm_mon;
	v = timegm(&tm);
	/* timegm() moves 2026-02-30 to March: such a day is not a day */
	if (v == (time_t)-1 || gmtime_r(&v, &back) == NULL ||
	    back.tm_mday != mday || back.tm_mon != mon)
		return -1;
	*t = v;
	return 0;
}

/*
 * report_time_parse - seconds since the epoch, or an ISO 8601 UTC time:
 * YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or with a space for T, a Z allowed
 */
int
report_time_parse(const char *s, time_t *t)
{
	static const char *const fmts[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"
	};
	size_t i, len = strlen(s);

	if (len > 0 && len <= REPORT_TIME_MAX_DIGITS &&
	    strspn(s, "0123456789") == len) {
		*t = (time_t)strtoll(s, NULL, 10);
		return 0;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (report_time_fmt(s, fmts[i], 1, t) == 0)
			return 0;
	return report_time_fmt(s, "%Y-%m-%d", 0, t);
}

/*
 * report_period_parse - "yesterday" (the UTC day before now's) or
 * YYYY-MM-DD: the first and the last second of that day
 */
int
report_period_parse(const char *s, time_t now, long long *begin,
    long long *end)
{
	time_t t;

	if (strcmp(s, "yesterday") == 0)
		*begin = (long long)now - (long long)now % REPORT_DAY -
		    REPORT_DAY;
	else if (report_time_fmt(s, "%Y-%m-%d", 0, &t) == 0)
		*begin = (long long)t;
	else
		return -1;
	if (*begin < 0)
		return -1;
	*end = *begin + REPORT_DAY - 1;
	return 0;
}

/* report_period_row - one grouped row: count, then the row columns */
static int
report_period_row(void *arg, int ncols, const char *const *v)
{
	static const enum report_col cols[] = {
		REPORT_SOURCE_IP, REPORT_HEADER_FROM, REPORT_ENVELOPE_FROM,
		REPORT_ENVELOPE_TO, REPORT_SPF_DOMAIN, REPORT_SPF_SCOPE,
		REPORT_SPF_RESULT, REPORT_DKIM, REPORT_DKIM_EVAL,
		REPORT_SPF_EVAL, REPORT_DISPOSITION, REPORT_REASONS
	};
	struct report_rows *rows = arg;
	struct report_record *r;
	size_t i;

	if (ncols != 1 + (int)(sizeof(cols) / sizeof(cols[0])))
		return -1;
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 64;
		rows->rec = xreallocarray(rows->rec, rows->cap,
		    sizeof(*rows->rec));
		rows->count = xreallocarray(rows->count, rows->cap,
		    sizeof(*rows->count));
	}
	r = &rows->rec[rows->n];
	report_record_init(r);
	rows->count[rows->n++] = strtoll(v[0] ? v[0] : "0", NULL, 10);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		report_record_set(r, cols[i], v[i + 1]);
	return 0;
}

/* report_rows_free - release the rows */
void
report_rows_free(struct report_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		report_record_free(&rows->rec[i]);
	free(rows->rec);
	free(rows->count);
	memset(rows, 0, sizeof(*rows));
}

/* report_period_policy - every column of the newest record */
static int
report_period_policy(void *arg, int ncols, const char *const *v)
{
	struct report_record *r = arg;
	int i;

	for (i = 0; i < ncols && i < REPORT_NCOLS; i++)
		report_record_set(r, (enum report_col)i, v[i]);
	return 0;
}

/*
 * report_period_rows - the newest record of the domain in the period (its
 * policy is the one published) and the period's rows grouped with counts;
 * the period runs from begin to end, both seconds included
 */
int
report_period_rows(struct report_db *db, const char *domain, long long begin,
    long long end, struct report_record *policy, struct report_rows *rows,
    struct buf *why)
{
	static const char grouped[] = "source_ip, header_from, "
	    "envelope_from, envelope_to, spf_domain, spf_scope, spf_result, "
	    "dkim, dkim_eval, spf_eval, disposition, reasons";
	char b[24], e[24];
	const char *p[3] = { domain, b, e };
	struct buf sql;
	int i, rc;

	snprintf(b, sizeof(b), "%lld", begin);
	snprintf(e, sizeof(e), "%lld", end);
	buf_init(&sql, 4096);
	buf_puts(&sql, "SELECT ");
	for (i = 0; i < REPORT_NCOLS; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", report_columns[i]);
	buf_puts(&sql, " FROM records WHERE policy_domain = $1 AND ts >= $2 "
	    "AND ts <= $3 ORDER BY ts DESC, uid LIMIT 1");
	rc = report_db_exec(db, sql.data, 3, p, report_period_policy,
	    policy, why);
	buf_reset(&sql);
	buf_printf(&sql, "SELECT count(*), %s FROM records WHERE "
	    "policy_domain = $1 AND ts >= $2 AND ts <= $3 GROUP BY %s "
	    "ORDER BY %s", grouped, grouped, grouped);
	if (rc == 0)
		rc = report_db_exec(db, sql.data, 3, p, report_period_row,
		    rows, why);
	buf_free(&sql);
	return rc;
}

/* report_period_domain - collect one policy domain */
static int
report_period_domain(void *arg, int ncols, const char *const *v)
{
	struct config_list *l = arg;

	if (ncols < 1 || v[0] == NULL || l->n >= REPORT_PERIOD_MAX_DOMAINS)
		return 0;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(char *));
	l->v[l->n++] = xstrdup(v[0]);
	return 0;
}

/*
 * report_period_domains - the policy domains with a rua and records in the
 * period (begin and end included), sorted
 */
int
report_period_domains(struct report_db *db, long long begin, long long end,
    struct config_list *out, struct buf *why)
{
	char b[24], e[24];
	const char *p[2] = { b, e };

	snprintf(b, sizeof(b), "%lld", begin);
	snprintf(e, sizeof(e), "%lld", end);
	return report_db_exec(db, "SELECT DISTINCT policy_domain FROM records "
	    "WHERE ts >= $1 AND ts <= $2 AND rua <> '' ORDER BY policy_domain",
	    2, p, report_period_domain, out, why);
}
