/* SPDX-License-Identifier: BSD-2-Clause */
/* report_failure - failure-report records: line form, store, sender's SQL */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_failure.h"

const char *const report_failure_cols[REPORT_F_NCOLS] = {
	"uid", "ts", "reporter", "dedup", "policy_domain", "org_domain",
	"author", "ruf", "source_ip", "subject", "feedback", "original_type",
	"original"
};

/* report_failure_init - every field "" */
void
report_failure_init(struct report_failure *r)
{
	int i;

	for (i = 0; i < REPORT_F_NCOLS; i++)
		r->f[i] = xstrdup("");
	r->incidents = 1;
}

/* report_failure_max - the cap of one column */
static size_t
report_failure_max(enum report_fcol c)
{
	return c == REPORT_F_ORIGINAL ? REPORT_FAILURE_MAX_ORIGINAL :
	    c == REPORT_F_FEEDBACK ? REPORT_FAILURE_MAX_FEEDBACK :
	    REPORT_MAX_FIELD;
}

/* report_failure_set - one field, capped */
void
report_failure_set(struct report_failure *r, enum report_fcol c,
    const char *v)
{
	free(r->f[c]);
	r->f[c] = xstrndup(v != NULL ? v : "", report_failure_max(c));
}

/* report_failure_free - release the fields */
void
report_failure_free(struct report_failure *r)
{
	int i;

	for (i = 0; i < REPORT_F_NCOLS; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
}

/* report_failure_encode - "F1", then the columns, as one line */
void
report_failure_encode(const struct report_failure *r, struct buf *out)
{
	char *f[REPORT_F_NCOLS + 1];
	int i;

	f[0] = (char *)REPORT_FAILURE_LINE;
	for (i = 0; i < REPORT_F_NCOLS; i++)
		f[i + 1] = r->f[i];
	report_line_encode(f, REPORT_F_NCOLS + 1, out);
}

/* report_failure_line_is - a failure-report line (not a record's) */
int
report_failure_line_is(const char *line)
{
	return strncmp(line, REPORT_FAILURE_LINE "\t",
	    sizeof(REPORT_FAILURE_LINE)) == 0;
}

/* report_failure_decode - a line of report_failure_encode(), without \n */
int
report_failure_decode(const char *line, size_t len,
    struct report_failure *r)
{
	char *f[REPORT_F_NCOLS + 1];
	int i;

	memset(r, 0, sizeof(*r));
	if (report_line_decode(line, len, f, REPORT_F_NCOLS + 1,
	    REPORT_FAILURE_MAX_ORIGINAL + 1) != 0)
		return -1;
	for (i = 0; i < REPORT_F_NCOLS; i++)
		r->f[i] = f[i + 1];
	free(f[0]);
	r->incidents = 1;
	if (*r->f[REPORT_F_TS] == '\0' || strspn(r->f[REPORT_F_TS],
	    "0123456789") != strlen(r->f[REPORT_F_TS]) ||
	    *r->f[REPORT_F_DEDUP] == '\0' || *r->f[REPORT_F_UID] == '\0') {
		report_failure_free(r);
		return -1;
	}
	return 0;
}

/* report_failure_submit - journal and queue it, as an aggregate record */
void
report_failure_submit(struct report_store *st,
    const struct report_failure *r)
{
	struct buf line;

	if (st == NULL)
		return;
	buf_init(&line, REPORT_FAILURE_MAX_LINE);
	report_failure_encode(r, &line);
	report_submit_line(st, &line);
	buf_free(&line);
}

/*
 * report_failure_insert - the report once per dedup key, and this copy
 * as one incident of it; a replay of the same line changes nothing
 */
int
report_failure_insert(struct report_db *db, const struct report_failure *r,
    struct buf *why)
{
	const char *p[REPORT_F_NCOLS];
	const char *inc[3] = { r->f[REPORT_F_UID], r->f[REPORT_F_DEDUP],
	    r->f[REPORT_F_TS] };
	struct buf sql;
	int i, rc;

	buf_init(&sql, 4096);
	buf_puts(&sql, "INSERT INTO failures (");
	for (i = 0; i < REPORT_F_NCOLS; i++) {
		buf_printf(&sql, "%s%s", i ? ", " : "", report_failure_cols[i]);
		p[i] = r->f[i];
	}
	buf_puts(&sql, ") VALUES (");
	for (i = 0; i < REPORT_F_NCOLS; i++)
		buf_printf(&sql, "%s$%d", i ? ", " : "", i + 1);
	buf_puts(&sql, ") ON CONFLICT (dedup) DO NOTHING");
	rc = report_db_exec(db, sql.data, REPORT_F_NCOLS, p, NULL, NULL, why);
	buf_free(&sql);
	if (rc == 0)
		rc = report_db_exec(db, "INSERT INTO failure_incidents (uid, "
		    "dedup, ts) VALUES ($1, $2, $3) ON CONFLICT (uid) DO "
		    "NOTHING", 3, inc, NULL, NULL, why);
	return rc;
}

/* report_failure_insert_line - one queued or spooled line */
int
report_failure_insert_line(struct report_db *db, const char *line,
    size_t len, struct buf *why)
{
	struct report_failure r;
	int rc;

	if (report_failure_decode(line, len, &r) != 0) {
		log_err("dropping an unreadable failure-report line");
		return 0;
	}
	rc = report_failure_insert(db, &r, why);
	report_failure_free(&r);
	return rc;
}

/* the rows of a pending query */
struct report_failure_rows {
	struct report_failure *out;	/* the caller's array */
	size_t		 max;		/* its size */
	size_t		 n;		/* filled */
};

/* report_failure_row - one pending report: its columns, then incidents */
static int
report_failure_row(void *arg, int ncols, const char *const *v)
{
	struct report_failure_rows *rows = arg;
	struct report_failure *r;
	int i;

	if (rows->n >= rows->max || ncols != REPORT_F_NCOLS + 1)
		return 0;
	r = &rows->out[rows->n++];
	report_failure_init(r);
	for (i = 0; i < REPORT_F_NCOLS; i++)
		report_failure_set(r, (enum report_fcol)i, v[i]);
	r->incidents = v[REPORT_F_NCOLS] != NULL ?
	    strtoll(v[REPORT_F_NCOLS], NULL, 10) : 1;
	if (r->incidents < 1)
		r->incidents = 1;
	return 0;
}

/*
 * report_failure_pending - the reports not done yet, oldest first, with
 * their incident counts; those older than REPORT_FAILURE_MAX_AGE at now
 * are given up first (done, never sent)
 */
int
report_failure_pending(struct report_db *db, long long now,
    struct report_failure *out, size_t max, size_t *n, struct buf *why)
{
	struct report_failure_rows rows = { out, max, 0 };
	char cut[24];
	const char *p[1] = { cut };
	struct buf sql;
	int i, rc;

	snprintf(cut, sizeof(cut), "%lld", now - REPORT_FAILURE_MAX_AGE);
	rc = report_db_exec(db, "UPDATE failures SET done = 1, subject = '', "
	    "feedback = '', original = '' WHERE done = 0 AND ts < $1", 1, p,
	    NULL, NULL, why);
	buf_init(&sql, 4096);
	buf_puts(&sql, "SELECT ");
	for (i = 0; i < REPORT_F_NCOLS; i++)
		buf_printf(&sql, "f.%s, ", report_failure_cols[i]);
	buf_printf(&sql, "(SELECT count(*) FROM failure_incidents i WHERE "
	    "i.dedup = f.dedup) FROM failures f WHERE f.done = 0 AND f.ts >= "
	    "$1 ORDER BY f.ts, f.uid LIMIT %zu", max);
	if (rc == 0)
		rc = report_db_exec(db, sql.data, 1, p, report_failure_row,
		    &rows, why);
	buf_free(&sql);
	*n = rows.n;
	return rc;
}

/* report_failure_text - the first column of a row into a char[] */
static int
report_failure_text(void *arg, int ncols, const char *const *v)
{
	struct buf *b = arg;

	if (ncols > 0 && v[0] != NULL && b->len == 0)
		buf_puts(b, v[0]);
	return 0;
}

/*
 * report_failure_outcome - what became of this report for dest before
 * ("sent", "limited", "refused", ...), "" when nothing did
 */
int
report_failure_outcome(struct report_db *db, const char *dedup,
    const char *dest, char *out, size_t outlen, struct buf *why)
{
	const char *p[2] = { dedup, dest };
	struct buf b;
	int rc;

	buf_init(&b, outlen);
	rc = report_db_exec(db, "SELECT outcome FROM failures_sent WHERE "
	    "dedup = $1 AND destination = $2", 2, p, report_failure_text, &b,
	    why);
	snprintf(out, outlen, "%s", b.data);
	buf_free(&b);
	return rc;
}

/* report_failure_mark - the outcome for dest, at now */
int
report_failure_mark(struct report_db *db, const char *dedup,
    const char *dest, const char *outcome, long long now, struct buf *why)
{
	char ts[24];
	const char *p[4] = { dedup, dest, outcome, ts };

	snprintf(ts, sizeof(ts), "%lld", now);
	return report_db_exec(db, "INSERT INTO failures_sent (dedup, "
	    "destination, outcome, sent_at) VALUES ($1, $2, $3, $4) ON "
	    "CONFLICT DO NOTHING", 4, p, NULL, NULL, why);
}

/* report_failure_count - a count(*) */
static int
report_failure_count(void *arg, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0] != NULL)
		*(long long *)arg = strtoll(v[0], NULL, 10);
	return 0;
}

/* report_failure_rate - reports sent in the hour before now: to dest, all */
int
report_failure_rate(struct report_db *db, const char *dest, long long now,
    struct report_failure_rate *rate, struct buf *why)
{
	char since[24];
	const char *p[2] = { since, dest };

	memset(rate, 0, sizeof(*rate));
	snprintf(since, sizeof(since), "%lld", now - 3600);
	if (report_db_exec(db, "SELECT count(*) FROM failures_sent WHERE "
	    "outcome = 'sent' AND sent_at > $1", 1, p, report_failure_count,
	    &rate->global, why) != 0)
		return -1;
	return report_db_exec(db, "SELECT count(*) FROM failures_sent WHERE "
	    "outcome = 'sent' AND sent_at > $1 AND destination = $2", 2, p,
	    report_failure_count, &rate->destination, why);
}

/*
 * report_failure_done - every destination of the report is decided: what
 * it held of the message goes (the row stays, for later copies to count
 * as duplicates, until reports.retention_days)
 */
int
report_failure_done(struct report_db *db, const char *dedup, struct buf *why)
{
	const char *p[1] = { dedup };

	return report_db_exec(db, "UPDATE failures SET done = 1, subject = '', "
	    "feedback = '', original = '' WHERE dedup = $1", 1, p, NULL, NULL,
	    why);
}

/* report_failure_expire - rows older than cut go (reports.retention_days) */
int
report_failure_expire(struct report_db *db, long long cut, struct buf *why)
{
	char c[24];
	const char *p[1] = { c };

	snprintf(c, sizeof(c), "%lld", cut);
	if (report_db_exec(db, "DELETE FROM failures WHERE ts < $1", 1, p,
	    NULL, NULL, why) != 0 || report_db_exec(db, "DELETE FROM "
	    "failure_incidents WHERE ts < $1", 1, p, NULL, NULL, why) != 0)
		return -1;
	return report_db_exec(db, "DELETE FROM failures_sent WHERE sent_at < "
	    "$1", 1, p, NULL, NULL, why);
}
