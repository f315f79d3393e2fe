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
#include "auth/spf.h"

struct dnsbudget;

struct resolver;

#define SPF_SUBORDINATE_MAX	SPF_MAX_MX	/* names one MX/PTR answer yields */
#define SPF_NAME_MAX		256

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
};

void		spf_limit(struct spf_eval *, const char *);
SPF_errcode_t	spf_record_get(SPF_server_t *, SPF_request_t *,
		    SPF_response_t *, SPF_record_t **);

#endif
