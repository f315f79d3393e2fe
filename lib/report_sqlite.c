/* report_sqlite - the embedded report store: one SQLite file in WAL mode */
#include "autoconf.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "buf.h"
#include "report_db.h"

/* a busy database (another writer, authmilter-report) waits this long */
#define REPORT_SQLITE_BUSY_MS	10000

/* report_sqlite_open - open or create PATH, WAL journal */
static void *
report_sqlite_open(const char *path, struct buf *why)
{
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
	return db;
}

/* report_sqlite_close - close the file */
static void
report_sqlite_close(void *conn)
{
	sqlite3_close(conn);
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
	sqlite3 *db = conn;
	sqlite3_stmt *st = NULL;
	int i, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		buf_printf(why, "sqlite: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* $N parameters are numbered in order of appearance */
	for (i = 0; i < nparams; i++)
		if (sqlite3_bind_text(st, i + 1, params[i], -1,
		    SQLITE_STATIC) != SQLITE_OK) {
			buf_printf(why, "sqlite: %s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			return -1;
		}
	rc = report_sqlite_rows(st, fn, arg);
	if (rc != SQLITE_DONE) {
		buf_printf(why, "sqlite: %s", rc == SQLITE_ABORT ?
		    "stopped by caller" : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
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
