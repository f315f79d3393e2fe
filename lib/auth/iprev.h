/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev - the "iprev" method: the client's address maps to a name that
 * maps back to the address
 *
 * STANDARDS   RFC 8601 section 3 (PTR, then A or AAAA of each name; pass
 *             when one of them is the client's address) and 2.7.3 (pass,
 *             fail, temperror, permerror; policy.iprev is the address);
 *             RFC 1035 section 3.5 and RFC 3596 section 2.5 (reverse
 *             names).
 * OWNERSHIP   iprev_check() fills a caller-owned struct iprev_result,
 *             released with iprev_result_free().
 * LOCKING     none; the resolver is shared and thread-safe.
 * LIMITS      IPREV_MAX_NAMES names of the PTR answer are looked up (RFC
 *             8601 section 3 asks for a limit; SPF's 10 is its example);
 *             every lookup is charged to the caller's budget.
 * ERRORS      none: outcomes are results with a reason that names the
 *             lookup that failed.
 */
#ifndef AUTHMILTER_IPREV_H
#define AUTHMILTER_IPREV_H

#include "mail/method.h"

struct cidr_addr;
struct dnsbudget;
struct resolver;

#define IPREV_MAX_NAMES	10

struct iprev_result {
	int		 checked;	/* iprev ran */
	enum method_result result;	/* pass fail temperror permerror */
	char		*name;		/* the name that maps back, or NULL */
	char		*reason;	/* why, for comments, logs, JSON */
};

void	iprev_check(struct resolver *, struct dnsbudget *,
	    const struct cidr_addr *, struct iprev_result *);
int	iprev_reverse_name(const struct cidr_addr *, char *, size_t);
void	iprev_result_free(struct iprev_result *);

#endif
