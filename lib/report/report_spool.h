/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_spool - the local spool of report records the store could not
 *                take, and the journal of records on their way to it
 *
 * STANDARDS   none; one record per line in report_record_encode() form,
 *             or a failure report in report_failure_encode() form.
 * OWNERSHIP   files live in reports.spool_dir: "<host>-<pid>.spool" while
 *             written (each append fsync'd), renamed to ".replaying" when
 *             a replay claims them, removed once every line is in the
 *             database. A struct report_journal (one per report store)
 *             owns "<name>.0.journal" and "<name>.1.journal": records are
 *             appended (write(2), no fsync: a crash of the process keeps
 *             them, the kernel has the pages) before the milter answers;
 *             report_journal_clear() says a file's records are committed
 *             or spooled (it is emptied when it has grown);
 *             report_journal_close() removes both.
 * LOCKING     appends and claims take flock(LOCK_EX) on the file, so a
 *             replay never reads a half-written batch and a writer that
 *             lost the race to a rename reopens the new file. A journal's
 *             owner holds flock(LOCK_EX) on it for its whole life (made
 *             as ".journal.new" and renamed once locked): a replay claims
 *             only journals whose lock is free, those of a process that
 *             is gone. Replay is idempotent (records carry a unique uid,
 *             inserts ignore duplicates), so two hosts sharing a
 *             directory are safe, and a journal line the writer had
 *             committed before a crash is not counted twice. A struct
 *             report_journal is not locked: its caller serializes.
 * LIMITS      REPORT_SPOOL_MAX_LINE bytes per line; longer lines are
 *             dropped with an error. A journal file is emptied once it
 *             holds REPORT_JOURNAL_KEEP bytes of committed records.
 * ERRORS      0 or -1 with the reason in why (errno text included).
 */
#ifndef AUTHMILTER_REPORT_SPOOL_H
#define AUTHMILTER_REPORT_SPOOL_H

#include <stddef.h>

#include "report/report.h"
#include "report/report_failure.h"

struct buf;
struct report_db;
struct report_journal;

/* the longer of the two kinds of line */
#define REPORT_SPOOL_MAX_LINE	(REPORT_FAILURE_MAX_LINE > \
	REPORT_MAX_LINE ? REPORT_FAILURE_MAX_LINE : REPORT_MAX_LINE)
#define REPORT_JOURNAL_KEEP	(64 * 1024)

int	report_spool_append(const char *dir, const char *name,
	    char *const *lines, size_t n, struct buf *why);
int	report_spool_replay_dir(struct report_db *, const char *dir,
	    size_t *replayed, struct buf *why);
int	report_spool_pending(const char *dir);

struct report_journal *report_journal_open(const char *dir, const char *name,
	    struct buf *why);
int	report_journal_append(struct report_journal *, const char *line,
	    size_t len, struct buf *why);
int	report_journal_switch(struct report_journal *);
void	report_journal_clear(struct report_journal *, int file, int safe);
void	report_journal_close(struct report_journal *);

#endif
