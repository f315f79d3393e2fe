/* SPDX-License-Identifier: BSD-2-Clause */
/* report_db - one schema on SQLite or PostgreSQL, migrations, inserts */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/report_db.h"
#include "util/xalloc.h"

struct report_db {
	const struct report_db_ops *ops;	/* the backend */
	void	*conn;				/* its connection */
	char	*insert;			/* the INSERT, built once */
	char	*insert_many;			/* REPORT_DB_ROWS rows */
};

/*
 * The schema, one step per version. A new version appends statements with
 * its number; report_db_migrate() runs those above the stored version.
 * Text columns hold the values as they appear in the XML report.
 */
static const struct report_db_step report_db_steps[] = {
	{ 1, "CREATE TABLE IF NOT EXISTS records ("
	    "uid TEXT PRIMARY KEY, ts BIGINT NOT NULL, reporter TEXT NOT NULL,"
	    " source_ip TEXT NOT NULL, header_from TEXT NOT NULL,"
	    " envelope_from TEXT NOT NULL, envelope_to TEXT NOT NULL,"
	    " spf_domain TEXT NOT NULL, spf_scope TEXT NOT NULL,"
	    " spf_result TEXT NOT NULL, dkim TEXT NOT NULL,"
	    " policy_domain TEXT NOT NULL, org_domain TEXT NOT NULL,"
	    " discovery TEXT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL,"
	    " np TEXT NOT NULL, adkim TEXT NOT NULL, aspf TEXT NOT NULL,"
	    " psd TEXT NOT NULL, testing TEXT NOT NULL, pct INTEGER NOT NULL,"
	    " fo TEXT NOT NULL, rua TEXT NOT NULL, dkim_eval TEXT NOT NULL,"
	    " spf_eval TEXT NOT NULL, disposition TEXT NOT NULL,"
	    " reasons TEXT NOT NULL)" },
	{ 1, "CREATE INDEX IF NOT EXISTS records_ts ON records (ts)" },
	{ 1, "CREATE TABLE IF NOT EXISTS reports_sent ("
	    "period_begin BIGINT NOT NULL, policy_domain TEXT NOT NULL,"
	    " destination TEXT NOT NULL, sent_at BIGINT NOT NULL,"
	    " PRIMARY KEY (period_begin, policy_domain, destination))" },
	/* 2: RFC 9991 failure reports, one per dedup key; each copy of a
	 * message is an incident; what became of each destination */
	{ 2, "CREATE TABLE IF NOT EXISTS failures ("
	    "dedup TEXT PRIMARY KEY, uid TEXT NOT NULL, ts BIGINT NOT NULL,"
	    " reporter TEXT NOT NULL, policy_domain TEXT NOT NULL,"
	    " org_domain TEXT NOT NULL, author TEXT NOT NULL,"
	    " ruf TEXT NOT NULL, source_ip TEXT NOT NULL,"
	    " subject TEXT NOT NULL, feedback TEXT NOT NULL,"
	    " original_type TEXT NOT NULL, original TEXT NOT NULL,"
	    " done INTEGER NOT NULL DEFAULT 0)" },
	{ 2, "CREATE INDEX IF NOT EXISTS failures_pending ON failures "
	    "(done, ts)" },
	{ 2, "CREATE TABLE IF NOT EXISTS failure_incidents ("
	    "uid TEXT PRIMARY KEY, dedup TEXT NOT NULL, ts BIGINT NOT NULL)" },
	{ 2, "CREATE INDEX IF NOT EXISTS failure_incidents_dedup ON "
	    "failure_incidents (dedup)" },
	{ 2, "CREATE TABLE IF NOT EXISTS failures_sent ("
	    "dedup TEXT NOT NULL, destination TEXT NOT NULL,"
	    " outcome TEXT NOT NULL, sent_at BIGINT NOT NULL,"
	    " PRIMARY KEY (dedup, destination))" },
	{ 2, "CREATE INDEX IF NOT EXISTS failures_sent_at ON failures_sent "
	    "(sent_at, destination)" },
};
#define REPORT_DB_NSTEPS (sizeof(report_db_steps) / sizeof(report_db_steps[0]))

/* report_db_exec - one statement through the backend */
int
report_db_exec(struct report_db *db, const char *sql, int nparams,
    const char *const *params, report_db_row_fn *fn, void *arg,
    struct buf *why)
{
	return db->ops->exec(db->conn, sql, nparams, params, fn, arg, why);
}

/* report_db_version_row - SELECT max(version) */
static int
report_db_version_row(void *arg, int ncols, const char *const *vals)
{
	if (ncols > 0 && vals[0] != NULL)
		*(int *)arg = atoi(vals[0]);
	return 0;
}

/*
 * report_db_migrate_steps - bring a schema whose version lives in table
 * to target: run the steps above the stored version, under the
 * migration lock (BEGIN IMMEDIATE, or pg_advisory_xact_lock), so that two
 * hosts do not race; the outgoing tables and the ingest tables each have
 * their own list and version table
 */
int
report_db_migrate_steps(struct report_db *db, const char *table,
    const struct report_db_step *steps, size_t n, int target,
    struct buf *why)
{
	int version = 0;
	size_t i;
	char v[16], sql[128];
	const char *p[1] = { v };

	if (report_db_begin(db, why) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS %s (version "
	    "INTEGER NOT NULL)", table);
	if ((db->ops->lock_sql != NULL && report_db_exec(db, db->ops->lock_sql,
	    0, NULL, NULL, NULL, why) != 0) || report_db_exec(db, sql, 0, NULL,
	    NULL, NULL, why) != 0)
		goto fail;
	snprintf(sql, sizeof(sql), "SELECT max(version) FROM %s", table);
	if (report_db_exec(db, sql, 0, NULL, report_db_version_row, &version,
	    why) != 0)
		goto fail;
	if (version > target) {
		buf_printf(why, "%s: schema version %d is newer than this "
		    "program (%d)", table, version, target);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (steps[i].version > version && report_db_exec(db,
		    steps[i].sql, 0, NULL, NULL, NULL, why) != 0)
			goto fail;
	snprintf(v, sizeof(v), "%d", target);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (version) VALUES ($1)",
	    table);
	if (version < target && report_db_exec(db, sql, 1, p, NULL, NULL,
	    why) != 0)
		goto fail;
	return report_db_commit(db, why);
fail:
	report_db_rollback(db);
	return -1;
}

/* report_db_migrate - the outgoing tables up to REPORT_DB_SCHEMA */
static int
report_db_migrate(struct report_db *db, struct buf *why)
{
	return report_db_migrate_steps(db, "schema_version", report_db_steps,
	    REPORT_DB_NSTEPS, REPORT_DB_SCHEMA, why);
}

/* report_db_open - "sqlite:PATH" or "postgresql://..."; schema up to date */
struct report_db *
report_db_open(const char *uri, struct buf *why)
{
	struct report_db *db = xcalloc(1, sizeof(*db));
	const char *target = uri;

	if (strncmp(uri, "sqlite:", 7) == 0) {
		db->ops = &report_sqlite_ops;
		target = uri + 7;
	} else if (strncmp(uri, "postgresql://", 13) == 0 ||
	    strncmp(uri, "postgres://", 11) == 0)
		db->ops = &report_pg_ops;
	else {
		buf_puts(why, "unknown report store (want sqlite: or "
		    "postgresql://)");
		free(db);
		return NULL;
	}
	if ((db->conn = db->ops->open(target, why)) == NULL) {
		free(db);
		return NULL;
	}
	if (report_db_migrate(db, why) != 0) {
		report_db_close(db);
		return NULL;
	}
	return db;
}

/* report_db_close - end the connection; NULL is fine */
void
report_db_close(struct report_db *db)
{
	if (db == NULL)
		return;
	db->ops->close(db->conn);
	free(db->insert);
	free(db->insert_many);
	free(db);
}

/* report_db_ok - is the connection still usable */
int
report_db_ok(const struct report_db *db)
{
	return db != NULL && db->ops->ok(db->conn);
}

/* report_db_lock - in a transaction: the lock that serializes writers */
int
report_db_lock(struct report_db *db, struct buf *why)
{
	if (db->ops->lock_sql == NULL)
		return 0;	/* SQLite: BEGIN IMMEDIATE is the lock */
	return report_db_exec(db, db->ops->lock_sql, 0, NULL, NULL, NULL,
	    why);
}

/* report_db_begin - start a write transaction */
int
report_db_begin(struct report_db *db, struct buf *why)
{
	return report_db_exec(db, db->ops->begin_sql, 0, NULL, NULL, NULL, why);
}

/* report_db_commit - commit it */
int
report_db_commit(struct report_db *db, struct buf *why)
{
	return report_db_exec(db, "COMMIT", 0, NULL, NULL, NULL, why);
}

/* report_db_rollback - abandon it (errors do not matter: it is gone) */
void
report_db_rollback(struct report_db *db)
{
	struct buf why;

	buf_init(&why, 512);
	if (report_db_exec(db, "ROLLBACK", 0, NULL, NULL, NULL, &why) != 0 &&
	    why.len > 0)
		buf_reset(&why);	/* nothing left to undo */
	buf_free(&why);
}

/*
 * report_db_values_sql - INSERT INTO table (cols) VALUES ($1, ...), ...
 * for rows rows, then tail; the caller frees it
 */
char *
report_db_values_sql(const char *table, const char *const *cols, int ncols,
    int rows, const char *tail)
{
	struct buf sql;
	int i, r;

	buf_init(&sql, 65536);
	buf_printf(&sql, "INSERT INTO %s (", table);
	for (i = 0; i < ncols; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	buf_puts(&sql, ") VALUES ");
	for (r = 0; r < rows; r++) {
		buf_puts(&sql, r ? ", (" : "(");
		for (i = 0; i < ncols; i++)
			buf_printf(&sql, "%s$%d", i ? ", " : "",
			    r * ncols + i + 1);
		buf_putc(&sql, ')');
	}
	buf_puts(&sql, tail);
	return buf_steal(&sql);
}

/* report_db_insert_sql - the records INSERT of rows rows */
static char *
report_db_insert_sql(int rows)
{
	return report_db_values_sql("records", report_columns, REPORT_NCOLS,
	    rows, " ON CONFLICT (uid) DO NOTHING");
}

/*
 * report_db_insert_many - n records, REPORT_DB_ROWS per statement: one
 * round trip to PostgreSQL per chunk instead of per record
 */
int
report_db_insert_many(struct report_db *db, const struct report_record *r,
    size_t n, struct buf *why)
{
	const char *p[REPORT_DB_ROWS * REPORT_NCOLS];
	size_t k;
	int i;

	if (db->insert_many == NULL)
		db->insert_many = report_db_insert_sql(REPORT_DB_ROWS);
	for (; n >= REPORT_DB_ROWS; n -= REPORT_DB_ROWS, r += REPORT_DB_ROWS) {
		for (k = 0; k < REPORT_DB_ROWS; k++)
			for (i = 0; i < REPORT_NCOLS; i++)
				p[k * REPORT_NCOLS + i] = r[k].f[i];
		if (report_db_exec(db, db->insert_many, REPORT_DB_ROWS *
		    REPORT_NCOLS, p, NULL, NULL, why) != 0)
			return -1;
	}
	for (k = 0; k < n; k++)
		if (report_db_insert(db, &r[k], why) != 0)
			return -1;
	return 0;
}

/* report_db_insert - one record; a replayed duplicate uid is ignored */
int
report_db_insert(struct report_db *db, const struct report_record *r,
    struct buf *why)
{
	const char *p[REPORT_NCOLS];
	int i;

	if (db->insert == NULL)
		db->insert = report_db_insert_sql(1);
	for (i = 0; i < REPORT_NCOLS; i++)
		p[i] = r->f[i];
	return report_db_exec(db, db->insert, REPORT_NCOLS, p, NULL, NULL,
	    why);
}
