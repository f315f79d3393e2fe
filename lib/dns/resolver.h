/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver - the one DNS resolver of the process (libunbound)
 *
 * STANDARDS   RFC 1035 wire format; TXT character-strings are joined with
 *             no separator (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2).
 * OWNERSHIP   resolver_new() returns a context shared by every thread;
 *             resolver_free() at exit. resolver_query() hands the caller a
 *             struct resolver_answer to release with resolver_answer_free().
 * LOCKING     resolver_query() may be called from any number of threads at
 *             once: libunbound guards its cache; each query has its own
 *             mutex and condition variable, and one thread of ours runs
 *             ub_process() to deliver answers. Answers (data, NXDOMAIN,
 *             no data) are reused for their TTL from struct resmemo, which
 *             has its own mutex, without asking libunbound again.
 *             resolver_set_observer() and resolver_set_tracer() are not
 *             locked: call them before the resolver is shared. A tracer
 *             is called on the thread that made the query, before
 *             resolver_query() returns; the event lives for that call.
 * LIMITS      every lookup ends by its deadline: min(now + dns.timeout, the
 *             caller's deadline). Names over RESOLVER_MAX_NAME octets or with
 *             a label over 63 are refused (RESOLVER_INVAL) without a query.
 * ERRORS      enum resolver_status; the reason for RESOLVER_FAIL/INVAL at
 *             start-up goes into *why. An answer says why it failed
 *             (timedout, spent, rcode, bogus and why_bogus);
 *             dns/dnstext.h turns that into text.
 */
#ifndef AUTHMILTER_RESOLVER_H
#define AUTHMILTER_RESOLVER_H

#include <stddef.h>
#include <time.h>

struct buf;
struct config;

#define RESOLVER_MAX_NAME	253

enum resolver_status {
	RESOLVER_OK,		/* data in the answer */
	RESOLVER_NXDOMAIN,	/* the name does not exist */
	RESOLVER_NODATA,	/* the name exists, no record of that type */
	RESOLVER_RETRY,		/* timeout, SERVFAIL, REFUSED, bogus */
	RESOLVER_FAIL,		/* the resolver itself failed */
	RESOLVER_INVAL		/* the name cannot be queried */
};

struct resolver_answer {
	enum resolver_status status;	/* summary of the lookup */
	int		 rcode;		/* DNS RCODE */
	int		 secure;	/* DNSSEC validated */
	int		 bogus;		/* DNSSEC validation failed */
	const char	*why_bogus;	/* libunbound's reason, or NULL */
	int		 ttl;		/* seconds the answer may be kept */
	int		 remembered;	/* served from the memo */
	int		 timedout;	/* no answer by the deadline */
	int		 spent;		/* not asked: the deadline had passed */
	int		 n;		/* number of rdata */
	char		**rdata;	/* n records, wire format */
	int		*rdlen;		/* their lengths */
	const unsigned char *packet;	/* whole reply, wire format */
	int		 packet_len;	/* its length */
	void		*impl;		/* struct ub_result */
};

/* one lookup as a tracer sees it (authmilter-check --trace) */
struct resolver_event {
	const char	*name;		/* the name asked */
	int		 rrtype;	/* its type */
	enum resolver_status status;	/* the outcome */
	long		 usecs;		/* time it took */
	const struct resolver_answer *answer;	/* what came back */
};

struct resolver	*resolver_new(const struct config *, struct buf *why);
void		 resolver_free(struct resolver *);
enum resolver_status resolver_query(struct resolver *, const char *name,
		    int rrtype, const struct timespec *deadline,
		    struct resolver_answer **);
void		 resolver_prefetch(struct resolver *, const char *name, int rrtype);
int		 resolver_remembered(struct resolver *, const char *, int);
void		 resolver_answer_free(struct resolver_answer *);
int		 resolver_txt(const struct resolver_answer *, int, struct buf *);
int		 resolver_wire_name(const char *, size_t, size_t, char *, size_t);
void		 resolver_deadline(struct timespec *, int ms);
void		 resolver_deadline_cap(struct timespec *,
		    const struct timespec *);
const char	*resolver_strstatus(enum resolver_status);
void		 resolver_set_observer(struct resolver *,
		    void (*)(void *, int, enum resolver_status, long), void *);
void		 resolver_set_tracer(struct resolver *,
		    void (*)(void *, const struct resolver_event *), void *);
int		 resolver_validating(const struct resolver *);

#endif
