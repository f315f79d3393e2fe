/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_db - received reports in the report store: the ingest tables,
 * their migrations, and a sink that stores one report in one transaction
 *
 * STANDARDS   SQL both SQLite 3.35+ and PostgreSQL 9.5+ run unchanged
 *             (ON CONFLICT ... RETURNING, $N parameters).
 * OWNERSHIP   an ingest_writer borrows the caller's struct report_db for
 *             one report at a time; ingest_db_sink() fills a struct
 *             ingest_sink whose arg is the writer.
 * LOCKING     none inside (report_db.h: a connection has one user).
 *             Migrations of the ingest tables take the store's lock, as
 *             the outgoing tables' do; a report is one write transaction,
 *             so a report seen twice at once on two hosts is stored once.
 * LIMITS      INGEST_DB_ROWS records per INSERT.
 * ERRORS      0 or -1 with the database's text in why. A report already
 *             stored is not an error: the sink stops the parse and
 *             w->duplicate says so.
 */
#ifndef AUTHMILTER_INGEST_DB_H
#define AUTHMILTER_INGEST_DB_H

#include <stddef.h>
#include <time.h>

#include "report/ingest.h"

struct buf;
struct report_db;

#define INGEST_DB_SCHEMA	2
#define INGEST_DB_ROWS		32	/* records per multi-row INSERT */
#define INGEST_DB_NCOLS		14	/* columns of ingest_records */
#define INGEST_DB_UID		33	/* hex uid and its NUL */

/* one report on its way into the store */
struct ingest_writer {
	struct report_db *db;		/* the store, borrowed */
	time_t		 now;		/* received_at */
	char		 uid[INGEST_DB_UID];	/* the report's key */
	int		 in_tx;		/* a transaction is open */
	int		 duplicate;	/* already stored: nothing done */
	size_t		 nrec;		/* records stored */
	long long	 messages;	/* their counts summed */
	char		*batch[INGEST_DB_ROWS * INGEST_DB_NCOLS];	/* values */
	size_t		 nbatch;	/* rows in batch */
	char		*insert_many;	/* the INSERT of INGEST_DB_ROWS rows */
	char		*insert_one;	/* and of one */
};

int	ingest_db_migrate(struct report_db *, struct buf *why);
void	ingest_writer_init(struct ingest_writer *, struct report_db *,
	    time_t now);
void	ingest_db_sink(struct ingest_writer *, struct ingest_sink *);
int	ingest_writer_finish(struct ingest_writer *, struct buf *why);
void	ingest_writer_abort(struct ingest_writer *);
void	ingest_writer_free(struct ingest_writer *);
void	ingest_db_uid(const char *kind, const char *reporter,
	    const char *report_id, char out[INGEST_DB_UID]);

#endif
