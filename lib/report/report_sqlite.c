/* SPDX-License-Identifier: BSD-2-Clause */
/* report_sqlite - the embedded report store: one SQLite file in WAL mode */
#include "autoconf.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/report_db.h"
#include "util/xalloc.h"

/* a busy database (another writer, authmilter-report) waits this long */
#define REPORT_SQLITE_BUSY_MS	10000
/* prepared statements kept per connection (the insert, BEGIN, COMMIT) */
#define REPORT_SQLITE_CACHE	8

struct report_sqlite {
	sqlite3		*db;				/* the connection */
	char		*sql[REPORT_SQLITE_CACHE];	/* cached statement text */
	sqlite3_stmt	*st[REPORT_SQLITE_CACHE];	/* and its statement */
	size_t		 next;				/* slot to reuse */
};

/* report_sqlite_open - open or create PATH, WAL journal */
static void *
report_sqlite_open(const char *path, struct buf *why)
{
	struct report_sqlite *c;
	sqlite3 *db = NULL;
	char *err = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_printf(why, "sqlite %s: %s", path, db != NULL ?
		    sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, REPORT_SQLITE_BUSY_MS);
	/* WAL: readers (authmilter-report) never block the writer */
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=NORMAL", NULL, NULL, &err) != SQLITE_OK) {
		buf_printf(why, "sqlite %s: %s", path, err ? err : "WAL");
		sqlite3_free(err);
		sqlite3_close(db);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->db = db;
	return c;
}

/* report_sqlite_close - finalize the cached statements, close the file */
static void
report_sqlite_close(void *conn)
{
	struct report_sqlite *c = conn;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < REPORT_SQLITE_CACHE; i++) {
		sqlite3_finalize(c->st[i]);
		free(c->sql[i]);
	}
	sqlite3_close(c->db);
	free(c);
}

/*
 * report_sqlite_prepare - a statement for sql, from the cache when the
 * writer ran it before: parsing the insert once per row cost more than
 * running it
 */
static sqlite3_stmt *
report_sqlite_prepare(struct report_sqlite *c, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < REPORT_SQLITE_CACHE; i++)
		if (c->sql[i] != NULL && strcmp(c->sql[i], sql) == 0) {
			sqlite3_reset(c->st[i]);
			sqlite3_clear_bindings(c->st[i]);
			return c->st[i];
		}
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	i = c->next++ % REPORT_SQLITE_CACHE;
	sqlite3_finalize(c->st[i]);
	free(c->sql[i]);
	c->sql[i] = xstrdup(sql);
	c->st[i] = st;
	return st;
}

/* report_sqlite_rows - step through a prepared statement */
static int
report_sqlite_rows(sqlite3_stmt *st, report_db_row_fn *fn, void *arg)
{
	const char *vals[REPORT_DB_MAX_PARAMS];
	int rc, i, n;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_count(st);
		if (n > REPORT_DB_MAX_PARAMS)
			n = REPORT_DB_MAX_PARAMS;
		for (i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (fn != NULL && fn(arg, n, vals) != 0)
			return SQLITE_ABORT;
	}
	return rc;
}

/* report_sqlite_exec - one statement, text parameters $1..$n */
static int
report_sqlite_exec(void *conn, const char *sql, int nparams,
    const char *const *params, report_db_row_fn *fn, void *arg,
    struct buf *why)
{
	struct report_sqlite *c = conn;
	sqlite3 *db = c->db;
	sqlite3_stmt *st;
	int i, rc;

	if ((st = report_sqlite_prepare(c, sql)) == NULL) {
		buf_printf(why, "sqlite: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* $N parameters are numbered in order of appearance */
	for (i = 0; i < nparams; i++)
		if (sqlite3_bind_text(st, i + 1, params[i], -1,
		    SQLITE_STATIC) != SQLITE_OK) {
			buf_printf(why, "sqlite: %s", sqlite3_errmsg(db));
			return -1;
		}
	rc = report_sqlite_rows(st, fn, arg);
	/* a cached statement must not hold its read snapshot or its binds */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		buf_printf(why, "sqlite: %s", rc == SQLITE_ABORT ?
		    "stopped by caller" : sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* report_sqlite_ok - a local file stays usable */
static int
report_sqlite_ok(void *conn)
{
	return conn != NULL;
}

const struct report_db_ops report_sqlite_ops = {
	"sqlite", report_sqlite_open, report_sqlite_close, report_sqlite_exec,
	report_sqlite_ok, "BEGIN IMMEDIATE", NULL
};
