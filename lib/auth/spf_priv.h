/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_priv - what spf.c (the libspf2 adapter and its DNS layer) and
 * spf_record.c (its record fetch hook) share about one check_host() run
 *
 * OWNERSHIP   a struct spf_eval belongs to spf_run(); libspf2's DNS layer
 *             reaches it through SPF_dns_server_t.hook.
 * LOCKING     none; one evaluation on one thread.
 * LIMITS      SPF_SUBORDINATE_MAX names remembered from one MX/PTR answer.
 */
#ifndef AUTHMILTER_SPF_PRIV_H
#define AUTHMILTER_SPF_PRIV_H

#include <netinet/in.h>
#include <time.h>

#include <spf2/spf.h>

#include "util/buf.h"
#include "dns/resolver.h"
#include "auth/spf.h"

struct dnsbudget;

struct resolver;

#define SPF_SUBORDINATE_MAX	SPF_MAX_MX	/* names one MX/PTR answer yields */
#define SPF_NAME_MAX		256
#define SPF_EVENTS_MAX		(SPF_MAX_QUERIES + 16)	/* kept per run */

enum spf_event_kind {
	SPF_EVENT_RECORD,	/* a record fetched (root, include, redirect) */
	SPF_EVENT_LOOKUP,	/* a term's lookup */
	SPF_EVENT_SIDE,		/* %{p} or exp=: no term's */
	SPF_EVENT_REFUSED	/* over a limit: not asked */
};

enum spf_record_outcome {
	SPF_REC_OK,		/* one valid record */
	SPF_REC_NONE,		/* no "v=spf1" record */
	SPF_REC_MULTIPLE,	/* several */
	SPF_REC_BAD,		/* it fails the syntax check or libspf2 */
	SPF_REC_TEMP,		/* the lookup failed */
	SPF_REC_LIMIT		/* not fetched: a limit was reached */
};

/*
 * One step of an evaluation, in the order libspf2 made it: what
 * lib/auth/spf_explain.c replays to name the term that decided.
 */
struct spf_event {
	enum spf_event_kind kind;	/* what it was */
	int		 type;		/* lookup: the RR type */
	enum resolver_status st;	/* lookup: its status */
	char		*name;		/* the name asked (owned) */
	struct resolver_answer *answer;	/* lookup: the answer, or NULL */
	enum spf_record_outcome rec;	/* record: what was found */
	char		*text;		/* record: as published (owned) */
	char		*why;		/* record: what went wrong (owned) */
	int		 broke;		/* a limit was first passed here */
};

/*
 * State of one check_host() run, reached from libspf2's DNS callbacks
 * through the per-evaluation SPF_dns_server_t hook: libspf2 counts DNS
 * terms per record and has no void-lookup limit, so we count here.
 */
struct spf_eval {
	struct resolver	*res;		/* shared resolver */
	struct dnsbudget *budget;	/* the message's, or NULL */
	struct timespec	 deadline;	/* whole evaluation */
	int		 records;	/* SPF records fetched (1 + includes) */
	int		 terms;		/* DNS-querying terms so far */
	int		 voids;		/* void lookups so far */
	int		 queries;	/* raw lookups so far */
	int		 max_terms;	/* SPF_MAX_TERMS or lower */
	const char	*over;		/* limit broken: why, else NULL */
	char		 overbuf[64];	/* over, when it needs a number */
	struct buf	 why;		/* a record's syntax error */
	int		 p_macro;	/* a record uses %{p}: PTR not a term */
	int		 sub_ptr;	/* sub[] came from a PTR answer */
	int		 v6;		/* the client is IPv6 */
	char		 sub[SPF_SUBORDINATE_MAX][SPF_NAME_MAX];	/* MX/PTR targets */
	int		 nsub;		/* entries in sub */
	int		 isub;		/* next expected subordinate */
	struct spf_event *events;	/* SPF_EVENTS_MAX steps */
	int		 nevents;	/* entries in events */
	int		 side;		/* lookups now are SPF_EVENT_SIDE */
};

void		spf_limit(struct spf_eval *, const char *);
struct spf_event *spf_event_add(struct spf_eval *, enum spf_event_kind,
		    const char *, int, enum resolver_status,
		    struct resolver_answer *);
void		spf_events_free(struct spf_eval *);
void		spf_explain(const struct spf_eval *, const struct cidr_addr *,
		    struct spf_identity *);
SPF_errcode_t	spf_record_get(SPF_server_t *, SPF_request_t *,
		    SPF_response_t *, SPF_record_t **);

#endif
