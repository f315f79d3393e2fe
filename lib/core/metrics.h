/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics - the daemon's counters, gauges and histograms, and their
 * Prometheus text rendering
 *
 * STANDARDS   Prometheus text exposition format 0.0.4 (# HELP, # TYPE,
 *             name{label="value"} value; histograms as _bucket{le=...}
 *             cumulative, _sum, _count).
 * OWNERSHIP   main() owns the one struct metrics (metrics_new(), and
 *             metrics_free() at exit); every struct pipeline_env of the
 *             process points at it, so the numbers survive SIGUSR1
 *             reloads. authmilter-check has none: every metrics_*()
 *             update accepts NULL and does nothing.
 * LOCKING     updates are C11 atomics (relaxed) from any thread; rendering
 *             reads them without a lock, so one scrape is not a snapshot
 *             of a single instant. The queue-depth hook is set and read
 *             under the struct's mutex.
 * LIMITS      fixed label sets (the enums below); nothing from the wire
 *             becomes a label, so the series count is bounded.
 * ERRORS      none; metrics_new() either succeeds or does not return.
 */
#ifndef AUTHMILTER_METRICS_H
#define AUTHMILTER_METRICS_H

#include <pthread.h>
#include <stdatomic.h>

#include "mail/method.h"
#include "core/decision.h"
#include "dns/resolver.h"

struct buf;

enum metrics_method {
	METRICS_SPF,
	METRICS_DKIM,
	METRICS_DMARC,
	METRICS_ARC,
	METRICS_NMETHODS
};

enum metrics_error {
	METRICS_ERR_INTERNAL,	/* verdict_on_error: accepted unchecked */
	METRICS_ERR_MILTER,	/* a libmilter call (header edit, reply) */
	METRICS_ERR_DNS,	/* a lookup ended RETRY or FAIL */
	METRICS_ERR_RELOAD,	/* a SIGUSR1 reload was refused */
	METRICS_NERRORS
};

enum metrics_rrtype {
	METRICS_RR_A,
	METRICS_RR_AAAA,
	METRICS_RR_MX,
	METRICS_RR_PTR,
	METRICS_RR_TXT,
	METRICS_RR_OTHER,
	METRICS_NRRTYPES
};

/* what became of a received report (authmilter_ingest_reports_total) */
enum metrics_ingest {
	METRICS_INGEST_STORED,		/* new, stored */
	METRICS_INGEST_DUPLICATE,	/* seen before: stored once */
	METRICS_INGEST_MALFORMED,	/* refused: quarantined */
	METRICS_INGEST_TOO_LARGE,	/* over a limit: quarantined */
	METRICS_INGEST_NO_REPORT,	/* a message without one: quarantined */
	METRICS_INGEST_STORE_ERROR,	/* the store failed: quarantined */
	METRICS_NINGEST
};

#define METRICS_NACTIONS	(POLICY_TEMPFAIL + 1)
#define METRICS_NRESULTS	(METHOD_POLICY + 1)
#define METRICS_NSTATUS		(RESOLVER_INVAL + 1)
#define METRICS_NBUCKETS	12

struct metrics_histogram {
	atomic_ullong	 bucket[METRICS_NBUCKETS];	/* per bucket, not cumulative */
	atomic_ullong	 count;		/* observations, also +Inf */
	atomic_ullong	 sum_us;	/* their sum in microseconds */
};

struct metrics {
	atomic_ullong	 messages[METRICS_NACTIONS];	/* by action */
	atomic_ullong	 results[METRICS_NMETHODS][METRICS_NRESULTS];
	atomic_ullong	 dns[METRICS_NRRTYPES][METRICS_NSTATUS];	/* lookups */
	struct metrics_histogram dns_seconds;	/* lookup latency */
	struct metrics_histogram message_seconds;	/* MAIL FROM to verdict */
	atomic_ullong	 errors[METRICS_NERRORS];	/* by kind */
	atomic_llong	 conns;		/* connections in flight */
	atomic_ullong	 conns_total;	/* connections accepted */
	atomic_ullong	 reloads[2];	/* [0] applied, [1] refused */
	atomic_ullong	 key_cache[2];	/* ARC key records: [0] miss, [1] hit */
	atomic_ullong	 ingest[METRICS_NINGEST];	/* received reports */
	atomic_ullong	 quarantined;	/* messages or files kept aside */
	atomic_llong	 unapproved;	/* sources flagged, -1 unknown */
	atomic_ullong	 signatures[2][2];	/* [ed25519][made] */
	atomic_ullong	 unsigned_msgs;	/* to sign, but no signature tried */
	pthread_mutex_t	 hook_lock;	/* guards the two below */
	long		(*queue_depth)(void *);	/* report queue depth, or NULL */
	void		*queue_arg;	/* its argument */
};

struct metrics *metrics_new(void);
void	metrics_free(struct metrics *);
void	metrics_message(struct metrics *, enum policy_action, long ms);
void	metrics_result(struct metrics *, enum metrics_method,
	    enum method_result);
void	metrics_dns(void *, int rrtype, enum resolver_status, long usec);
void	metrics_error(struct metrics *, enum metrics_error);
void	metrics_conn(struct metrics *, int delta);
void	metrics_reload(struct metrics *, int ok);
void	metrics_key_cache(void *, int hit);
void	metrics_signature(struct metrics *, int ed25519, int made);
void	metrics_unsigned(struct metrics *);
void	metrics_set_queue_depth(struct metrics *, long (*)(void *), void *);
void	metrics_ingest(struct metrics *, enum metrics_ingest);
void	metrics_quarantined(struct metrics *);
void	metrics_set_unapproved(struct metrics *, long long);
void	metrics_render(struct metrics *, struct buf *);

#endif
