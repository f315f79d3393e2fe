/* SPDX-License-Identifier: BSD-2-Clause */
/* report_pg - the shared report store: PostgreSQL through libpq */
#include "autoconf.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/report_db.h"

#define REPORT_PG_CONNECT_TIMEOUT	"10"	/* seconds */

/* report_pg_why - libpq's message on one line (it spans several) */
static void
report_pg_why(struct buf *why, PGconn *c)
{
	const char *p = c != NULL ? PQerrorMessage(c) : "out of memory";
	int space = 0;

	buf_puts(why, "postgresql: ");
	for (; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == ' ' || *p == '\r') {
			space = 1;
			continue;
		}
		if (space && why->len > 0 && why->data[why->len - 1] != ' ')
			buf_putc(why, ' ');
		space = 0;
		buf_putc(why, *p);
	}
}

/*
 * report_pg_open - connect with the URI as given (libpq conninfo); a
 * connect_timeout in the URI wins over ours, which keeps a host that does
 * not answer from holding the writer (and a drain at reload) for minutes
 */
static void *
report_pg_open(const char *uri, struct buf *why)
{
	static const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *vals[] = { REPORT_PG_CONNECT_TIMEOUT, uri, NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	PGresult *r;

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		report_pg_why(why, c);
		PQfinish(c);
		return NULL;
	}
	/* warnings about existing tables would go to stderr otherwise */
	r = PQexec(c, "SET client_min_messages = warning");
	PQclear(r);
	return c;
}

/* report_pg_close - end the session */
static void
report_pg_close(void *conn)
{
	PQfinish(conn);
}

/* report_pg_rows - hand each row to fn */
static int
report_pg_rows(PGresult *r, report_db_row_fn *fn, void *arg)
{
	const char *vals[REPORT_DB_MAX_PARAMS];
	int row, i, n = PQnfields(r);

	if (n > REPORT_DB_MAX_PARAMS)
		n = REPORT_DB_MAX_PARAMS;
	for (row = 0; fn != NULL && row < PQntuples(r); row++) {
		for (i = 0; i < n; i++)
			vals[i] = PQgetisnull(r, row, i) ? NULL :
			    PQgetvalue(r, row, i);
		if (fn(arg, n, vals) != 0)
			return -1;
	}
	return 0;
}

/* report_pg_exec - one statement, text parameters $1..$n */
static int
report_pg_exec(void *conn, const char *sql, int nparams,
    const char *const *params, report_db_row_fn *fn, void *arg,
    struct buf *why)
{
	PGresult *r;
	int rc = -1;

	r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
		rc = 0;
		break;
	case PGRES_TUPLES_OK:
		rc = report_pg_rows(r, fn, arg);
		if (rc != 0)
			buf_puts(why, "postgresql: stopped by caller");
		break;
	default:
		report_pg_why(why, conn);
		break;
	}
	PQclear(r);
	return rc;
}

/* report_pg_ok - the server is still there */
static int
report_pg_ok(void *conn)
{
	return PQstatus(conn) == CONNECTION_OK;
}

const struct report_db_ops report_pg_ops = {
	"postgresql", report_pg_open, report_pg_close, report_pg_exec,
	report_pg_ok, "BEGIN", "SELECT pg_advisory_xact_lock(80590990)"
};
