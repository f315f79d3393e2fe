/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc - DMARC evaluation: RFC 9989 (default) or RFC 7489
 *
 * STANDARDS   RFC 9989 sections 4.7-4.10 (record, DNS tree walk, policy
 *             discovery, organizational domain, np, psd, t; pct ignored),
 *             5.3 (receiver actions); RFC 7489 section 6.6 (public suffix
 *             list, pct sampling) when dmarc.mode = "rfc7489".
 * WHO DOES WHAT
 *             libopendmarc: parsing the policy tags it knows (p, sp,
 *             adkim, aspf, pct; opendmarc_policy_parse_dmarc) once our
 *             own check of the RFC's ABNF says the value is valid. Ours: every DNS query (lib/resolver;
 *             libopendmarc would use res_* directly), the choice of the
 *             one valid "v=DMARC1" record per name, np/psd/t (libopendmarc
 *             1.4.2 ignores them), the RFC 9989 tree walk and
 *             organizational domain, the public suffix list of rfc7489
 *             mode (lib/psl: libopendmarc misses "*." rules and leaves
 *             its result unset when no rule matches), sp/np selection,
 *             t= and pct, and
 *             identifier alignment: libopendmarc's relaxed test is a label
 *             suffix test (d=co.uk "aligns" with example.co.uk) and knows
 *             no tree walk, so alignment here compares organizational
 *             domains (relaxed) or whole domains (strict).
 * OWNERSHIP   dmarc_check() fills a caller-owned struct dmarc_result,
 *             released with dmarc_result_free(). It is dmarc_discover()
 *             (policy record, organizational domain: known at end of
 *             headers, before any DKIM key is looked up) then
 *             dmarc_evaluate() on the same result (at end of message).
 *             Every lookup is charged to the request's budget: the one
 *             the message keeps for DMARC (lib/dnsbudget).
 * LOCKING     dmarc_check() is reentrant; the public suffix table is
 *             per configuration and read-only.
 * LIMITS      DMARC_MAX_WALK queries per tree walk (RFC 9989 section 4.10);
 *             DMARC_MAX_RECORD bytes of a record.
 * ERRORS      none: evaluation outcomes are results (temperror,
 *             permerror) with a reason: where the record was found in
 *             the tree walk, which identifiers were tried and why none
 *             aligned, the name and type a failed lookup was for
 *             (lib/auth/dmarc_explain.c).
 */
#ifndef AUTHMILTER_DMARC_H
#define AUTHMILTER_DMARC_H

#include "mail/method.h"

struct buf;
struct dnsbudget;
struct config;
struct dkim_result;
struct psl;
struct resolver;
struct spf_result;

#define DMARC_MAX_WALK		8
#define DMARC_MAX_RECORD	4096
#define DMARC_FOUND_NO_AUTHOR	(-3)	/* found: nothing to discover */

enum dmarc_policy {
	DMARC_P_UNSPEC,		/* tag absent */
	DMARC_P_NONE,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT
};

struct dmarc_record {
	char	*domain;		/* where it was found */
	enum dmarc_policy p;		/* p= (none if absent but rua valid) */
	enum dmarc_policy sp;		/* sp= */
	enum dmarc_policy np;		/* np= (rfc9989) */
	char	 adkim;			/* 'r' or 's' */
	char	 aspf;			/* 'r' or 's' */
	char	 psd;			/* 'y', 'n' or 'u' */
	int	 t;			/* t=y: testing */
	int	 pct;			/* pct=, 100 when absent */
	char	*rua;			/* rua= as published, or NULL */
	char	*ruf;			/* ruf= as published, or NULL */
	char	*fo;			/* fo= as published, or NULL */
};

/* one identifier DMARC looked at (RFC 9989 section 4.4) */
struct dmarc_tried {
	char		 method;	/* 's' SPF, 'd' DKIM */
	char		*domain;	/* MAIL FROM (or HELO) domain, or d= */
	enum method_result result;	/* its own check's result */
	int		 aligned;	/* an aligned pass */
	const char	*why;		/* why it did or did not count */
};

#define DMARC_MAX_TRIED		33	/* SPF and DKIM_MAX_SIGNATURES */

struct dmarc_request {
	const char	*author;	/* the one author domain, or NULL */
	const char	*author_error;	/* why there is none, or NULL */
	int		 ambiguous;	/* several From fields or domains */
	const struct spf_result *spf;	/* SPF of this message */
	const struct dkim_result *dkim;	/* DKIM of this message */
	struct dnsbudget *budget;	/* the message's DNS time for DMARC */
};

struct dmarc_result {
	int		 checked;	/* DMARC ran */
	enum method_result result;	/* pass fail none temperror permerror */
	char		*reason;	/* short text */
	char		*author;	/* header.from, or NULL */
	int		 ambiguous;	/* the author could not be decided */
	int		 have_record;	/* rec is set */
	struct dmarc_record rec;	/* the policy record applied */
	char		*org_domain;	/* organizational domain of author */
	int		 nonexistent;	/* the author domain is NXDOMAIN */
	enum dmarc_policy requested;	/* p, sp or np as selected */
	enum dmarc_policy policy;	/* policy.dmarc: after t= and pct */
	int		 testing;	/* t=y lowered the policy */
	int		 sampled_out;	/* rfc7489 pct lowered the policy */
	int		 spf_aligned;	/* an aligned SPF pass */
	int		 dkim_aligned;	/* an aligned DKIM pass */
	char		*spf_domain;	/* the SPF identity considered */
	char		*dkim_domain;	/* the aligned d=, if any */
	int		 found;		/* discovery: 1 record, 0 none,
					   -1 DNS failure, -2 invalid,
					   DMARC_FOUND_NO_AUTHOR */
	int		 walk_temp;	/* the tree walk above the author's
					   own record failed */
	char		*where;		/* where the record was found, in
					   words, or NULL */
	int		 secure;	/* the record was DNSSEC-secure */
	char		*note;		/* the reason shortly (A-R comment) */
	struct dmarc_tried *tried;	/* identifiers looked at */
	size_t		 ntried;	/* entries in tried */
};

void	dmarc_discover(struct resolver *, const struct psl *,
	    const struct config *, const struct dmarc_request *,
	    struct dmarc_result *);
void	dmarc_evaluate(struct resolver *, const struct psl *,
	    const struct config *, const struct dmarc_request *,
	    struct dmarc_result *);
void	dmarc_check(struct resolver *, const struct psl *,
	    const struct config *, const struct dmarc_request *,
	    struct dmarc_result *);
const char *dmarc_org_domain(const struct dmarc_result *);
int	dmarc_may_align(const struct dmarc_result *, const char *);
void	dmarc_result_free(struct dmarc_result *);
const char *dmarc_policy_name(enum dmarc_policy);

#endif
