/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resmemo - recent libunbound answers, reused without a trip through
 * libunbound's worker thread
 *
 * STANDARDS   RFC 1035 section 3.2.1 / RFC 2308: an answer (positive or
 *             negative) is reused for at most the TTL libunbound reports
 *             for it, and at most RESMEMO_MAX_TTL seconds.
 * OWNERSHIP   struct resmemo_res wraps one struct ub_result and is
 *             refcounted: the table holds one reference, every answer
 *             handed to a caller holds one; the last unref frees it.
 * LOCKING     one mutex guards the table; reference counts are atomic, so
 *             any thread may drop its reference at any time.
 * LIMITS      RESMEMO_SLOTS entries, direct-mapped by a hash of (name,
 *             type): a new answer replaces the one in its slot.
 * ERRORS      none: a lookup that is not there is a miss.
 */
#ifndef AUTHMILTER_RESMEMO_H
#define AUTHMILTER_RESMEMO_H

#include <stdatomic.h>
#include <time.h>

struct ub_result;

#define RESMEMO_SLOTS	1024
#define RESMEMO_MAX_TTL	300

struct resmemo_res {
	atomic_int	 refs;		/* table + answers handed out */
	int		 err;		/* libunbound error code */
	struct ub_result *res;		/* owned; NULL on error */
};

struct resmemo;

struct resmemo	*resmemo_new(void);
void		 resmemo_free(struct resmemo *);
struct resmemo_res *resmemo_res_new(int, struct ub_result *);
void		 resmemo_res_unref(struct resmemo_res *);
struct resmemo_res *resmemo_get(struct resmemo *, const char *, int, time_t);
void		 resmemo_put(struct resmemo *, const char *, int,
		    struct resmemo_res *, time_t, int);

#endif
