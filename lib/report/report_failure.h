/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_failure - DMARC failure reports (RFC 9991) in the report store:
 *                  the record the daemon queues, its line form, and what
 *                  the sender reads, marks and counts
 *
 * STANDARDS   RFC 9991 sections 2 (ruf, fo; none for psd=y records;
 *             rate limits), 4 (the ARF fields: Auth-Failure: dmarc,
 *             Identity-Alignment, DKIM-*, SPF-DNS), 7 (privacy); RFC 6591
 *             (auth-failure reports), RFC 5965 (ARF, Incidents). The
 *             message itself is lib/report/report_arf.c's.
 * OWNERSHIP   a struct report_failure owns its REPORT_F_NCOLS strings
 *             (report_failure_free()); report_failure_submit() copies what
 *             it needs. report_failure_pending() fills a caller array of
 *             records (each freed by the caller).
 * LOCKING     the store's (lib/report/report.h): submitting is the same
 *             journaled, queued path as an aggregate record; the writer
 *             thread inserts. The sender's checks and marks run in one
 *             transaction per destination, under the store's lock
 *             (BEGIN IMMEDIATE on SQLite, an advisory lock on
 *             PostgreSQL), so two senders never exceed a rate limit.
 * LIMITS      REPORT_FAILURE_MAX_ORIGINAL bytes of the copy of the message
 *             (headers, and the body when configured, each at most
 *             REPORT_FAILURE_MAX_PART), REPORT_FAILURE_MAX_FEEDBACK bytes
 *             of ARF fields; REPORT_FAILURE_BATCH reports per run.
 *             Duplicates: one report per dedup key (policy domain and
 *             Message-ID, or the header fields that identify a message
 *             without one) for as long as reports.retention_days keeps
 *             it; the copies are counted as incidents, each by its uid,
 *             so a replayed line is not counted twice. Once a report is
 *             done (sent, discarded or given up) its copy of the message,
 *             fields and Subject are emptied: only the key and the time
 *             stay.
 * ERRORS      0 or -1 with the database's reason in why; an unreadable
 *             line is logged and dropped (0).
 */
#ifndef AUTHMILTER_REPORT_FAILURE_H
#define AUTHMILTER_REPORT_FAILURE_H

#include <stddef.h>

#include "report/report.h"

struct buf;
struct report_db;
struct report_store;

#define REPORT_FAILURE_MAX_PART		32768
#define REPORT_FAILURE_MAX_ORIGINAL	(2 * REPORT_FAILURE_MAX_PART + 256)
#define REPORT_FAILURE_MAX_FEEDBACK	8192
#define REPORT_FAILURE_MAX_LINE	(2 * (REPORT_FAILURE_MAX_ORIGINAL + \
	REPORT_FAILURE_MAX_FEEDBACK + 12 * REPORT_MAX_FIELD) + 64)
#define REPORT_FAILURE_BATCH		1000
#define REPORT_FAILURE_MAX_AGE		86400	/* seconds a report waits */
#define REPORT_FAILURE_LINE		"F1"	/* first field of a line */

/* the columns of a failure report, in the order of report_failure_cols */
enum report_fcol {
	REPORT_F_UID, REPORT_F_TS, REPORT_F_REPORTER, REPORT_F_DEDUP,
	REPORT_F_POLICY_DOMAIN, REPORT_F_ORG_DOMAIN, REPORT_F_AUTHOR,
	REPORT_F_RUF, REPORT_F_SOURCE_IP, REPORT_F_SUBJECT,
	REPORT_F_FEEDBACK, REPORT_F_ORIGINAL_TYPE, REPORT_F_ORIGINAL,
	REPORT_F_NCOLS
};

struct report_failure {
	char	*f[REPORT_F_NCOLS];	/* each "" when unknown, never NULL */
	long long incidents;		/* pending: copies seen (>= 1) */
};

/* a destination's rate over the last hour, for the sender */
struct report_failure_rate {
	long long	 destination;	/* sent to this address */
	long long	 global;	/* sent to any address */
};

extern const char *const report_failure_cols[REPORT_F_NCOLS];

void	report_failure_init(struct report_failure *);
void	report_failure_set(struct report_failure *, enum report_fcol,
	    const char *);
void	report_failure_free(struct report_failure *);
void	report_failure_encode(const struct report_failure *, struct buf *);
int	report_failure_line_is(const char *);
int	report_failure_decode(const char *, size_t, struct report_failure *);
void	report_failure_submit(struct report_store *,
	    const struct report_failure *);
int	report_failure_insert(struct report_db *,
	    const struct report_failure *, struct buf *why);
int	report_failure_insert_line(struct report_db *, const char *, size_t,
	    struct buf *why);
int	report_failure_pending(struct report_db *, long long now,
	    struct report_failure *, size_t max, size_t *n, struct buf *why);
int	report_failure_outcome(struct report_db *, const char *dedup,
	    const char *dest, char *out, size_t outlen, struct buf *why);
int	report_failure_mark(struct report_db *, const char *dedup,
	    const char *dest, const char *outcome, long long now,
	    struct buf *why);
int	report_failure_rate(struct report_db *, const char *dest,
	    long long now, struct report_failure_rate *, struct buf *why);
int	report_failure_done(struct report_db *, const char *dedup,
	    struct buf *why);
int	report_failure_expire(struct report_db *, long long cut,
	    struct buf *why);

#endif
