/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_report_failure - failure reports in the store: the line form, one
 * report per dedup key with its incidents (a replayed line counts once),
 * what is pending and what is given up, outcomes and the hourly rates,
 * expiry, the schema migration from version 1, and the ARF message
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/buf.h"
#include "report/report_arf.h"
#include "report/report_db.h"
#include "report/report_failure.h"
#include "unit.h"

#define T_NOW	2000000000LL

/* t_fail - a record of dedup key, uid and time */
static void
t_fail(struct report_failure *r, const char *dedup, const char *uid,
    long long ts)
{
	char t[24];

	report_failure_init(r);
	snprintf(t, sizeof(t), "%lld", ts);
	report_failure_set(r, REPORT_F_UID, uid);
	report_failure_set(r, REPORT_F_TS, t);
	report_failure_set(r, REPORT_F_DEDUP, dedup);
	report_failure_set(r, REPORT_F_POLICY_DOMAIN, "a.example");
	report_failure_set(r, REPORT_F_AUTHOR, "a.example");
	report_failure_set(r, REPORT_F_RUF, "mailto:ruf@a.example");
	report_failure_set(r, REPORT_F_FEEDBACK, "Feedback-Type: auth-failure"
	    "\nAuth-Failure: dmarc\n");
	report_failure_set(r, REPORT_F_ORIGINAL_TYPE, "text/rfc822-headers");
	report_failure_set(r, REPORT_F_ORIGINAL, "From: x\n\tfolded\tand "
	    "\\ tabbed\r\n");
	report_failure_set(r, REPORT_F_SUBJECT, "DMARC failure report");
}

/* t_report_failure_line - encode, recognize, decode the same */
static void
t_report_failure_line(void)
{
	struct report_failure r, back;
	struct buf line;
	int i, same = 1;

	buf_init(&line, REPORT_FAILURE_MAX_LINE);
	t_fail(&r, "d1", "u1", T_NOW);
	report_failure_encode(&r, &line);
	UNIT_CHECK(report_failure_line_is(line.data) && line.data[line.len -
	    1] == '\n' && memchr(line.data, '\n', line.len - 1) == NULL,
	    "one line, recognized", "%s", line.data);
	UNIT_CHECK(report_failure_decode(line.data, line.len - 1, &back) == 0,
	    "decodes", "%s", line.data);
	for (i = 0; i < REPORT_F_NCOLS && back.f[0] != NULL; i++)
		same = same && strcmp(r.f[i], back.f[i]) == 0;
	UNIT_CHECK(same && back.f[0] != NULL, "the same fields back", "-");
	report_failure_free(&back);
	UNIT_CHECK(!report_failure_line_is("0123abcd\t1"), "a record's line is "
	    "not one", "-");
	UNIT_CHECK(report_failure_decode("F1\tx", 4, &back) != 0, "too few "
	    "fields refused", "-");
	/* a bad escape in a middle field: nothing half-made is freed (fuzz) */
	buf_reset(&line);
	report_failure_encode(&r, &line);
	line.data[strlen(REPORT_FAILURE_LINE) + 1] = '\\';
	line.data[strlen(REPORT_FAILURE_LINE) + 2] = 'q';
	UNIT_CHECK(report_failure_decode(line.data, line.len - 1, &back) != 0,
	    "a bad escape refused", "-");
	report_failure_set(&r, REPORT_F_TS, "soon");
	buf_reset(&line);
	report_failure_encode(&r, &line);
	UNIT_CHECK(report_failure_decode(line.data, line.len - 1, &back) != 0,
	    "a time that is no number refused", "-");
	report_failure_free(&r);
	buf_free(&line);
}

/* t_count - a count(*) into a size_t */
static int
t_count(void *arg, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0] != NULL)
		*(size_t *)arg = (size_t)strtoul(v[0], NULL, 10);
	return 0;
}

/* t_report_failure_store - dedup, incidents, pending, rates, expiry */
static void
t_report_failure_store(struct report_db *db)
{
	struct report_failure r, got[4];
	struct report_failure_rate rate;
	struct buf why, line;
	char out[32];
	size_t n = 0, i;

	buf_init(&why, 4096);
	buf_init(&line, REPORT_FAILURE_MAX_LINE);
	t_fail(&r, "d1", "u1", T_NOW - 60);
	report_failure_encode(&r, &line);
	/* the same line twice (a replay), then a second copy (another uid) */
	UNIT_CHECK(report_failure_insert_line(db, line.data, line.len - 1,
	    &why) == 0 && report_failure_insert_line(db, line.data,
	    line.len - 1, &why) == 0, "insert a line twice", "%s", why.data);
	report_failure_set(&r, REPORT_F_UID, "u2");
	report_failure_set(&r, REPORT_F_SUBJECT, "the second copy's");
	UNIT_CHECK(report_failure_insert(db, &r, &why) == 0, "a second copy",
	    "%s", why.data);
	report_failure_free(&r);
	t_fail(&r, "old", "u3", T_NOW - REPORT_FAILURE_MAX_AGE - 1);
	report_failure_insert(db, &r, &why);
	report_failure_free(&r);
	UNIT_CHECK(report_failure_pending(db, T_NOW, got, 4, &n, &why) == 0 &&
	    n == 1 && strcmp(got[0].f[REPORT_F_DEDUP], "d1") == 0 &&
	    got[0].incidents == 2 && strcmp(got[0].f[REPORT_F_SUBJECT],
	    "DMARC failure report") == 0, "one pending report, two incidents, "
	    "the first copy's; the old one given up", "n %zu %s", n, why.data);
	for (i = 0; i < n; i++)
		report_failure_free(&got[i]);
	report_failure_mark(db, "d1", "a@x.example", "sent", T_NOW - 10, &why);
	report_failure_mark(db, "d1", "b@x.example", "sent", T_NOW - 100,
	    &why);
	report_failure_mark(db, "d2", "a@x.example", "limited", T_NOW - 5,
	    &why);
	report_failure_mark(db, "d3", "a@x.example", "sent", T_NOW - 4000,
	    &why);
	UNIT_CHECK(report_failure_rate(db, "a@x.example", T_NOW, &rate,
	    &why) == 0 && rate.destination == 1 && rate.global == 2,
	    "the last hour's sent reports, to one and to all",
	    "%lld %lld", rate.destination, rate.global);
	UNIT_CHECK(report_failure_outcome(db, "d2", "a@x.example", out,
	    sizeof(out), &why) == 0 && strcmp(out, "limited") == 0,
	    "an outcome read back", "%s", out);
	UNIT_CHECK(report_failure_outcome(db, "d9", "a@x.example", out,
	    sizeof(out), &why) == 0 && out[0] == '\0', "no outcome", "%s",
	    out);
	UNIT_CHECK(report_failure_done(db, "d1", &why) == 0 &&
	    report_failure_pending(db, T_NOW, got, 4, &n, &why) == 0 && n == 0,
	    "done: no longer pending", "%zu", n);
	n = 1;
	report_db_exec(db, "SELECT count(*) FROM failures WHERE original <> "
	    "'' OR feedback <> '' OR subject <> ''", 0, NULL, t_count, &n,
	    &why);
	UNIT_CHECK(n == 0, "done and given-up reports keep nothing of the "
	    "message", "%zu", n);
	UNIT_CHECK(report_failure_expire(db, T_NOW, &why) == 0 &&
	    report_failure_rate(db, "a@x.example", T_NOW + 1, &rate, &why) ==
	    0 && rate.global == 0, "expired", "%lld", rate.global);
	buf_free(&line);
	buf_free(&why);
}

/* t_report_failure_migrate - a version 1 store gains the tables */
static void
t_report_failure_migrate(const char *dir)
{
	struct report_db *db;
	struct buf why;
	char uri[700], path[600];
	sqlite3 *lite = NULL;

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	/* what version 1 left: its tables and its version, nothing more */
	UNIT_CHECK(sqlite3_open(path, &lite) == SQLITE_OK && sqlite3_exec(lite,
	    "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT "
	    "INTO schema_version VALUES (1); CREATE TABLE records (uid TEXT "
	    "PRIMARY KEY)", NULL, NULL, NULL) == SQLITE_OK, "a version 1 store",
	    "%s", lite != NULL ? sqlite3_errmsg(lite) : "no memory");
	sqlite3_close(lite);
	buf_init(&why, 4096);
	db = report_db_open(uri, &why);
	UNIT_CHECK(db != NULL && report_db_exec(db, "SELECT count(*) FROM "
	    "failures, failure_incidents, failures_sent", 0, NULL, NULL, NULL,
	    &why) == 0, "version 1 migrated to 2", "%s", why.data);
	report_db_close(db);
	buf_free(&why);
}

/* t_report_failure_arf - the message: parts, Incidents, copy type */
static void
t_report_failure_arf(void)
{
	struct report_failure r;
	struct report_arf a;
	struct buf out;

	t_fail(&r, "d1", "u1", T_NOW);
	r.incidents = 3;
	memset(&a, 0, sizeof(a));
	a.from = "r@ours.example";
	a.to = "ruf@a.example";
	a.submitter = "ours.example";
	a.r = &r;
	a.date = (time_t)T_NOW;
	buf_init(&out, 1 << 20);
	report_arf_build(&a, &out);
	UNIT_CHECK(strstr(out.data, "Content-Type: multipart/report; "
	    "report-type=feedback-report;") != NULL && strstr(out.data,
	    "Content-Type: message/feedback-report\n\nFeedback-Type: "
	    "auth-failure\n") != NULL && strstr(out.data, "Incidents: 3\n") !=
	    NULL && strstr(out.data, "Content-Type: text/rfc822-headers\n"
	    "Content-Transfer-Encoding: 7bit\n") != NULL && strstr(out.data,
	    "Auto-Submitted: auto-generated\n") != NULL,
	    "the parts of an ARF message", "%s", out.data);
	report_failure_set(&r, REPORT_F_ORIGINAL, "Subject: caf\xc3\xa9\n");
	buf_reset(&out);
	report_arf_build(&a, &out);
	UNIT_CHECK(strstr(out.data, "Content-Transfer-Encoding: 8bit") != NULL,
	    "an 8-bit copy says so", "-");
	report_failure_free(&r);
	buf_free(&out);
}

int
main(void)
{
	char dir[] = "/tmp/t_report_failure.XXXXXX", uri[600], cmd[700];
	struct report_db *db;
	struct buf why;

	t_report_failure_line();
	t_report_failure_arf();
	if (mkdtemp(dir) == NULL) {
		UNIT_CHECK(0, "mkdtemp", "%s", dir);
		return unit_done("t_report_failure");
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/f.db", dir);
	buf_init(&why, 4096);
	if ((db = report_db_open(uri, &why)) != NULL) {
		t_report_failure_store(db);
		report_db_close(db);
	} else
		UNIT_CHECK(0, "open the store", "%s", why.data);
	t_report_failure_migrate(dir);
	buf_free(&why);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done("t_report_failure");
}
