/*
 * report_spool - the local spool of report records the store could not take
 *
 * STANDARDS   none; one record per line in report_record_encode() form.
 * OWNERSHIP   files live in reports.spool_dir: "<host>-<pid>.spool" while
 *             written, renamed to ".replaying" when a replay claims them,
 *             removed once every line is in the database.
 * LOCKING     appends and claims take flock(LOCK_EX) on the file, so a
 *             replay never reads a half-written batch and a writer that
 *             lost the race to a rename reopens the new file. Replay is
 *             idempotent (records carry a unique uid, inserts ignore
 *             duplicates), so two hosts sharing a directory are safe.
 * LIMITS      REPORT_SPOOL_MAX_LINE bytes per line; longer lines are
 *             dropped with an error.
 * ERRORS      0 or -1 with the reason in why (errno text included).
 */
#ifndef AUTHMILTER_REPORT_SPOOL_H
#define AUTHMILTER_REPORT_SPOOL_H

#include <stddef.h>

#include "report.h"

struct buf;
struct report_db;

#define REPORT_SPOOL_MAX_LINE	REPORT_MAX_LINE

int	report_spool_append(const char *dir, const char *name,
	    char *const *lines, size_t n, struct buf *why);
int	report_spool_replay_dir(struct report_db *, const char *dir,
	    size_t *replayed, struct buf *why);
int	report_spool_pending(const char *dir);

#endif
