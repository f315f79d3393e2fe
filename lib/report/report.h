/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report - DMARC aggregate-report records: the store front end (failure
 *          reports go through the same queue: lib/report/report_failure.h)
 *
 * STANDARDS   RFC 9990 (what an aggregate report row needs: source IP,
 *             identifiers, SPF and DKIM results, the published and the
 *             evaluated policy, override reasons).
 * OWNERSHIP   a struct report_record owns its REPORT_NCOLS strings
 *             (report_record_free()). report_submit() copies what it needs.
 *             A struct report_store belongs to one struct pipeline_env:
 *             report_store_new() at env creation, report_store_free() when
 *             the env is released (it drains the queue first).
 * LOCKING     the store has its own mutex (doc/HACKING.md, shared state):
 *             report_submit() may be called from any milter thread and
 *             never waits for the database: under the mutex it appends
 *             the record to the store's journal (report_spool.h; one
 *             write(2), no fsync), so that a crash of the process loses
 *             no record the milter answered for, and queues it; one
 *             writer thread, started on the first submit, drains the
 *             queue into the database and then empties the journal.
 * LIMITS      reports.queue_size records queued; REPORT_BATCH per
 *             transaction; REPORT_MAX_FIELD bytes per field (a DKIM list
 *             keeps the signatures that fit).
 * ERRORS      nothing that reaches a milter thread fails: a store that is
 *             down or a full queue sends the record to the spool file in
 *             reports.spool_dir, replayed once the store answers. Store
 *             errors are logged (err) by the writer thread, once per outage.
 */
#ifndef AUTHMILTER_REPORT_H
#define AUTHMILTER_REPORT_H

#include <stddef.h>

struct buf;
struct config;

#define REPORT_BATCH		256
#define REPORT_MAX_FIELD	2048
#define REPORT_MAX_DKIM		100	/* RFC 9990: signatures per row */
/* one encoded record: every field escaped (at most doubled), tabs, \n */
#define REPORT_MAX_LINE		(REPORT_NCOLS * (2 * REPORT_MAX_FIELD + 1) + 2)

/* the columns of a record, in the order of report_columns[] */
enum report_col {
	REPORT_UID, REPORT_TS, REPORT_REPORTER, REPORT_SOURCE_IP,
	REPORT_HEADER_FROM, REPORT_ENVELOPE_FROM, REPORT_ENVELOPE_TO,
	REPORT_SPF_DOMAIN, REPORT_SPF_SCOPE, REPORT_SPF_RESULT, REPORT_DKIM,
	REPORT_POLICY_DOMAIN, REPORT_ORG_DOMAIN, REPORT_DISCOVERY, REPORT_P,
	REPORT_SP, REPORT_NP, REPORT_ADKIM, REPORT_ASPF, REPORT_PSD,
	REPORT_TESTING, REPORT_PCT, REPORT_FO, REPORT_RUA, REPORT_DKIM_EVAL,
	REPORT_SPF_EVAL, REPORT_DISPOSITION, REPORT_REASONS, REPORT_NCOLS
};

struct report_record {
	char	*f[REPORT_NCOLS];	/* each "" when unknown, never NULL */
};

struct report_store;

extern const char *const report_columns[REPORT_NCOLS];

void	report_record_init(struct report_record *);
void	report_record_set(struct report_record *, enum report_col,
	    const char *);
void	report_record_free(struct report_record *);
void	report_line_encode(char *const *, int n, struct buf *);
int	report_line_decode(const char *, size_t, char **, int n, size_t max);
void	report_record_encode(const struct report_record *, struct buf *);
int	report_record_decode(const char *, size_t, struct report_record *);
void	report_uid(char *, size_t);

struct report_store *report_store_new(const struct config *);
void	report_store_free(struct report_store *);
void	report_submit(struct report_store *, struct report_record *);
void	report_submit_line(struct report_store *, struct buf *);
size_t	report_queue_depth(struct report_store *);

#endif
