/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsbudget - how long one message may wait for DNS, per class of lookup
 *
 * STANDARDS   none; the policy is ours (authmilter.conf(5), limits.dns_time):
 *             a message has two budgets of limits.dns_time each, one for
 *             what DMARC needs (its policy discovery and tree walks, and
 *             the lookups of identifiers that may align with the author
 *             domain) and one for everything else, so lookups an attacker
 *             points at a slow server of his own cannot spend the time
 *             DMARC needs and turn a fail into temperror.
 * OWNERSHIP   a struct dnsbudget is a value inside the message.
 * LOCKING     none: a message's lookups run on one thread at a time.
 * LIMITS      only the time spent waiting in dnsbudget_query() is charged
 *             (not the time between lookups, such as a slowly sent body),
 *             and what a caller charges itself for other network waits
 *             of the message (BIMI's HTTPS fetches: dnsbudget_charge());
 *             a lookup ends at the earlier of now + what is left and the
 *             caller's own cap, and within dns.timeout (lib/resolver).
 * ERRORS      as resolver_query(); with nothing left a lookup is
 *             RESOLVER_RETRY at once unless its answer is remembered.
 */
#ifndef AUTHMILTER_DNSBUDGET_H
#define AUTHMILTER_DNSBUDGET_H

#include <time.h>

#include "dns/resolver.h"

struct dnsbudget {
	long	 left_us;	/* DNS wait still allowed, microseconds */
	long	 used_us;	/* waited so far */
	unsigned queries;	/* lookups charged to it */
};

void	dnsbudget_init(struct dnsbudget *, long ms);
enum resolver_status dnsbudget_query(struct dnsbudget *, struct resolver *,
	    const char *name, int rrtype, const struct timespec *cap,
	    struct resolver_answer **);
long	dnsbudget_left_ms(const struct dnsbudget *);
void	dnsbudget_charge(struct dnsbudget *, long us);

#endif
