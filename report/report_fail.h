/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_fail - authmilter-report --failures: the DMARC failure reports
 *               the daemons recorded, to their verified ruf destinations
 *
 * STANDARDS   RFC 9991 sections 2 (each ruf URI gets the report, external
 *             ones only when verified; rate limits), 5 (RFC 9990 section
 *             4 with ruf for rua), 8.1 (reports beyond the limit are
 *             discarded); the sendmail(1) command line of report_send.h.
 * OWNERSHIP   the caller's store, resolver and configuration; nothing kept.
 * LOCKING     none of ours; each destination's check-and-mark is one
 *             transaction under the store's lock (report_db_lock()), so
 *             two senders (or two hosts on one PostgreSQL store) never
 *             send a report twice or past a limit.
 * LIMITS      REPORT_FAILURE_BATCH reports per run; reports.failure.
 *             rate_destination per address and rate_global in all, per
 *             hour before now, counted from the store.
 * ERRORS      report_fail_run() returns 0, or 1 when a destination was
 *             left for the next run (DNS failure, sendmail failed) or the
 *             store failed; one line per decision on stdout.
 */
#ifndef AUTHMILTER_REPORT_FAIL_H
#define AUTHMILTER_REPORT_FAIL_H

#include <stddef.h>
#include <time.h>

struct config;
struct report_db;
struct resolver;

struct report_fail_run {
	const struct config *cfg;	/* the configuration */
	struct report_db *db;		/* the store */
	struct resolver	*res;		/* for external destinations */
	const char	*submitter;	/* domain of reports.email */
	const char	*dry_run;	/* --dry-run DIR, or NULL */
	time_t		 now;		/* --now or the clock */
	size_t		 sent;		/* messages handed to sendmail */
	size_t		 retry;		/* destinations left for next run */
	int		 failed;	/* something went wrong */
};

int	report_fail_run(struct report_fail_run *);

#endif
