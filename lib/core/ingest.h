/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest - received reports from a message, a mailbox or a file into the
 * report store: parse (report/ingest.h), store once (report/ingest_db.h),
 * keep refused input aside, and name each source IP (PTR, organizational
 * domain); and the daemon's queue that does it off the milter threads
 *
 * STANDARDS   RFC 7489 3.2 (organizational domain of a PTR name, by the
 *             public suffix list), RFC 1035 3.5 and RFC 3596 2.5 (reverse
 *             names).
 * OWNERSHIP   a struct ingest_ctx owns its store connection and suffix
 *             list, borrows the resolver and metrics. ingest_queue_submit()
 *             takes the message's buffer.
 * LOCKING     a ctx belongs to one thread. The queue has its own mutex and
 *             one worker thread (started on the first message) that owns
 *             the queue's ctx; submit never waits for the store or DNS.
 * LIMITS      ingest.max_message_size bytes per input, ingest.max_report_size
 *             and ingest.max_records per report; INGEST_QUEUE_MAX messages
 *             and INGEST_QUEUE_BYTES bytes queued (more: quarantined);
 *             INGEST_ANNOTATE_MAX PTR lookups per input.
 * ERRORS      ingest_input() returns the first report's status with why;
 *             whatever it refused is in ingest.quarantine_dir already, and
 *             counted in the metrics.
 */
#ifndef AUTHMILTER_CORE_INGEST_H
#define AUTHMILTER_CORE_INGEST_H

#include <stddef.h>
#include <time.h>

#include "report/ingest.h"

struct buf;
struct config;
struct metrics;
struct psl;
struct report_db;
struct resolver;

#define INGEST_QUEUE_MAX	64
#define INGEST_QUEUE_BYTES	(256UL * 1024 * 1024)
#define INGEST_ANNOTATE_MAX	1000
#define INGEST_UNAPPROVED_DAYS	30	/* the gauge's window */

struct ingest_ctx {
	const struct config *cfg;	/* limits, quarantine dir, store */
	struct report_db *db;		/* the store, owned */
	struct resolver	*res;		/* PTR lookups, or NULL */
	struct psl	*psl;		/* organizational domains, or NULL */
	struct metrics	*metrics;	/* or NULL */
	time_t		 now;		/* received_at of what is stored */
	unsigned long	 seq;		/* quarantine file names */
};

/* what one input gave */
struct ingest_tally {
	size_t	 reports;	/* reports found */
	size_t	 stored;	/* new, stored */
	size_t	 duplicates;	/* seen before */
	size_t	 refused;	/* malformed, too large, not stored */
	size_t	 quarantined;	/* inputs kept aside */
	size_t	 annotated;	/* source IPs named */
};

int	ingest_ctx_open(struct ingest_ctx *, const struct config *,
	    struct resolver *, struct metrics *, struct buf *why);
void	ingest_ctx_close(struct ingest_ctx *);
enum ingest_status ingest_input(struct ingest_ctx *, const char *data,
	    size_t len, struct ingest_tally *, struct buf *why);
int	ingest_quarantine(struct ingest_ctx *, const char *data, size_t len,
	    const char *why, struct buf *path);
int	ingest_rcpt_match(const struct config *, const char *rcpt);
void	ingest_unapproved(struct ingest_ctx *);

struct ingest_queue;

struct ingest_queue *ingest_queue_new(const struct config *,
	    struct resolver *);
void	ingest_queue_attach(struct ingest_queue *, struct metrics *);
int	ingest_queue_submit(struct ingest_queue *, char *data, size_t len,
	    const char *id);
void	ingest_queue_free(struct ingest_queue *);

#endif
