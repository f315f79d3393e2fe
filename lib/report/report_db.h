/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_db - the report store's database: SQLite or PostgreSQL, one schema
 *
 * STANDARDS   SQL that both SQLite 3.24+ and PostgreSQL 9.5+ run unchanged
 *             (ON CONFLICT DO NOTHING, $N parameters, text values).
 * OWNERSHIP   report_db_open() returns a connection for one thread at a
 *             time; report_db_close() releases it. Row callbacks get values
 *             that live until the callback returns.
 * LOCKING     none inside: a connection belongs to its caller (the writer
 *             thread, or authmilter-report). Concurrent writers are the
 *             databases' business (SQLite WAL + busy timeout, PostgreSQL
 *             MVCC); schema migrations take a lock (BEGIN IMMEDIATE, or
 *             pg_advisory_xact_lock) so that two hosts do not race, and so
 *             does a failure-report sender's check-and-mark
 *             (report_db_lock()).
 * LIMITS      REPORT_DB_MAX_PARAMS result columns; REPORT_DB_ROWS records
 *             per INSERT (SQLite allows 32766 parameters, PostgreSQL 65535).
 * ERRORS      every function returns 0 or -1 with the database's text in
 *             why; after -1 report_db_ok() says whether the connection is
 *             still usable (the writer reconnects when it is not).
 */
#ifndef AUTHMILTER_REPORT_DB_H
#define AUTHMILTER_REPORT_DB_H

#include "report/report.h"

struct buf;

#define REPORT_DB_MAX_PARAMS	32
#define REPORT_DB_SCHEMA	2
#define REPORT_DB_ROWS		32	/* records per multi-row INSERT */

/* one result row: ncols text values (NULL for SQL NULL) */
typedef int report_db_row_fn(void *arg, int ncols, const char *const *vals);

struct report_db_ops {
	const char *name;		/* "sqlite" or "postgresql" */
	void	*(*open)(const char *target, struct buf *why);
	void	 (*close)(void *conn);
	int	 (*exec)(void *conn, const char *sql, int nparams,
		    const char *const *params, report_db_row_fn *fn, void *arg,
		    struct buf *why);
	int	 (*ok)(void *conn);	/* connection still usable */
	const char *begin_sql;		/* a write transaction */
	const char *lock_sql;		/* serialize migrations, or NULL */
};

extern const struct report_db_ops report_sqlite_ops;
extern const struct report_db_ops report_pg_ops;

struct report_db;

/* one statement of a schema version (report_db_migrate_steps()) */
struct report_db_step {
	int		 version;	/* schema version this step belongs to */
	const char	*sql;		/* one statement */
};

struct report_db *report_db_open(const char *uri, struct buf *why);
void	report_db_close(struct report_db *);
int	report_db_ok(const struct report_db *);
int	report_db_exec(struct report_db *, const char *sql, int nparams,
	    const char *const *params, report_db_row_fn *fn, void *arg,
	    struct buf *why);
int	report_db_begin(struct report_db *, struct buf *why);
int	report_db_lock(struct report_db *, struct buf *why);
int	report_db_migrate_steps(struct report_db *, const char *table,
	    const struct report_db_step *, size_t, int target, struct buf *why);
int	report_db_commit(struct report_db *, struct buf *why);
void	report_db_rollback(struct report_db *);
char	*report_db_values_sql(const char *table, const char *const *cols,
	    int ncols, int rows, const char *tail);
int	report_db_insert(struct report_db *, const struct report_record *,
	    struct buf *why);
int	report_db_insert_many(struct report_db *,
	    const struct report_record *, size_t, struct buf *why);

#endif
