/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf - SPF (RFC 7208) through libspf2, with DNS from lib/resolver
 *
 * STANDARDS   RFC 7208: check_host() for the MAIL FROM identity and the HELO
 *             identity (section 2.3, 2.4), the processing limits of section
 *             4.6.4 (10 DNS-querying terms across includes and redirects,
 *             2 void lookups, 10 MX names), TXT records only (no type 99).
 * OWNERSHIP   spf_check() fills a caller-owned struct spf_result; release
 *             its strings with spf_result_free().
 * LOCKING     none: every evaluation builds its own libspf2 server and DNS
 *             layer, so nothing is shared but the resolver (thread-safe).
 * LIMITS      SPF_MAX_TERMS (or the lower max_terms of the request,
 *             limits.spf_lookups), SPF_MAX_VOID, SPF_MAX_MX,
 *             SPF_MAX_QUERIES raw lookups, SPF_BUDGET_MS for one
 *             evaluation; the DNS waits of each identity are charged to
 *             the request's budget for it (NULL: none).
 * ERRORS      none: DNS and record problems are temperror or permerror
 *             results with a reason: the term that matched or failed,
 *             the include/redirect path to it, the lookups and void
 *             lookups used (lib/auth/spf_explain.c), and for a failed
 *             lookup its name, type and outcome.
 * BUGS        libspf2 passes loopback clients unconditionally; we report
 *             such a result as none ("loopback client not evaluated").
 */
#ifndef AUTHMILTER_SPF_H
#define AUTHMILTER_SPF_H

#include "util/cidr.h"
#include "mail/method.h"

struct resolver;
struct dnsbudget;

#define SPF_MAX_TERMS	10	/* RFC 7208 section 4.6.4 */
#define SPF_MAX_VOID	2	/* RFC 7208 section 4.6.4 */
#define SPF_MAX_MX	10	/* RFC 7208 section 4.6.4 */
#define SPF_MAX_PTR	10	/* RFC 7208 section 4.6.4 */
#define SPF_MAX_QUERIES	100	/* all lookups of one evaluation */
#define SPF_BUDGET_MS	20000	/* RFC 7208 section 4.6.4: at least 20 s */

struct spf_identity {
	int		 checked;	/* evaluated */
	enum method_result result;	/* check_host() result */
	char		*domain;	/* the domain checked, lowercase */
	char		*reason;	/* why, in full (log, JSON) */
	char		*note;		/* why, shortly (A-R comment) */
	int		 lookups;	/* DNS-querying terms used */
	int		 voids;		/* void lookups met */
	int		 max_lookups;	/* the limit that applied */
};

struct spf_result {
	int		 checked;	/* SPF ran for this message */
	enum method_result result;	/* MAIL FROM, or HELO for null sender */
	int		 null_sender;	/* MAIL FROM was <> */
	struct spf_identity mailfrom;	/* the MAIL FROM identity */
	struct spf_identity helo;	/* the HELO identity */
};

struct spf_request {
	const struct cidr_addr *client;	/* SMTP client address */
	const char	*helo;		/* HELO/EHLO argument, may be NULL */
	const char	*mailfrom;	/* MAIL FROM without <>, "" if null */
	int		 check_helo;	/* spf.helo */
	const char	*receiver;	/* our host name, for %{r} */
	int		 max_terms;	/* limits.spf_lookups; 0: 10 */
	struct dnsbudget *helo_budget;	/* DNS time of the HELO check */
	struct dnsbudget *mailfrom_budget;	/* of the MAIL FROM check */
};

void	spf_init(void);
void	spf_check(struct resolver *, const struct spf_request *,
	    struct spf_result *);
void	spf_result_free(struct spf_result *);

#endif
