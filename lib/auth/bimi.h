/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi - Brand Indicators for Message Identification at the receiver:
 *        the assertion record, its indicator and evidence, the result
 *
 * STANDARDS   draft-brand-indicators-for-message-identification-10
 *             sections 4.3 (the assertion record: v=BIMI1 first, l=, a=;
 *             4.3.1 declination), 4.4 and 5.1 (selectors, BIMI-Selector,
 *             5.5: only when the DMARC-aligned DKIM signature covers it),
 *             5.2 and 5.3 (BIMI-Location, BIMI-Indicator), 7.1 (DMARC
 *             pass at enforcement; RFC 9989 semantics: p and sp at
 *             quarantine or reject, no t=y, and pct=100 in rfc7489
 *             mode), 7.2 (discovery: the author domain, then the
 *             organizational domain), 7.3-7.6 (indicator and evidence),
 *             7.7 (the A-R: bimi=, header.d, header.selector,
 *             policy.authority, policy.authority-uri); the mark
 *             certificate profile of lib/auth/bimi_cert.h and the SVG
 *             profile of lib/auth/bimi_svg.h.
 * OWNERSHIP   bimi_context_new() makes what one configuration shares: the
 *             roots of mark certificates (bimi.trust_store, an
 *             X509_STORE) and the fetch cache; bimi_context_free() when
 *             the configuration goes. bimi_check() fills a caller-owned
 *             struct bimi_result, released with bimi_result_free().
 * LOCKING     the context is shared by every thread: its X509_STORE is
 *             only read (OpenSSL locks its lookups), its struct bimi_cache
 *             has its own mutex (lib/auth/bimi_fetch.h). A result belongs
 *             to one message.
 * LIMITS      record lookups and the HTTPS fetches (at most two per
 *             message: a= and l=) are charged to the budget the request
 *             gives (the message's other DNS budget: BIMI never changes
 *             the DMARC verdict) and end by bimi.timeout seconds after
 *             bimi_check() starts or what is left of that budget, if
 *             less: a slow host is bimi=temperror, never a later verdict.
 *             BIMI_MAX_RECORD bytes of a record, BIMI_MAX_SELECTOR bytes
 *             of a selector, documents of BIMI_SVG_MAX and BIMI_CERT_MAX
 *             bytes.
 * ERRORS      none: outcomes are results with a reason.
 * BUGS        lps= (local-part selectors) and avp= (BIMI-Logo-Preference)
 *             are read but not acted upon; the discovery uses the
 *             BIMI-Selector or "default" only. Revocation of mark
 *             certificates is not checked.
 */
#ifndef AUTHMILTER_BIMI_H
#define AUTHMILTER_BIMI_H

#include <stddef.h>
#include <time.h>

struct buf;
struct config;
struct dkim_result;
struct dmarc_result;
struct dnsbudget;
struct hdr;
struct resolver;

#define BIMI_MAX_RECORD		4096
#define BIMI_MAX_SELECTOR	63
#define BIMI_INDICATOR_FOLD	72	/* base64 characters per line */

enum bimi_status {
	BIMI_NONE,		/* no assertion record */
	BIMI_PASS,		/* record valid (and indicator validated) */
	BIMI_FAIL,		/* record, indicator or evidence refused */
	BIMI_TEMPERROR,		/* DNS or the web host failed for now */
	BIMI_DECLINED		/* l= and a= empty: no indicator wanted */
};

enum bimi_authority {
	BIMI_AUTHORITY_NONE,	/* no evidence, or not checked */
	BIMI_AUTHORITY_PASS,	/* the mark certificate holds */
	BIMI_AUTHORITY_FAIL	/* it was checked and refused */
};

/* an assertion record */
struct bimi_record {
	char	*l;		/* l= ("" empty: no indicator URI) */
	char	*a;		/* a= ("" absent or empty) */
};

/* what one message's BIMI needs */
struct bimi_request {
	const char	*author;	/* the one author domain */
	const char	*org_domain;	/* its organizational domain */
	const char	*selector;	/* signed BIMI-Selector, NULL: default */
	struct resolver	*res;		/* the env's resolver */
	struct dnsbudget *budget;	/* the message's other DNS budget */
	struct bimi_context *ctx;	/* the env's roots and cache */
	time_t		 at;		/* certificates as of (0: now) */
};

struct bimi_result {
	int		 checked;	/* BIMI ran for this message */
	enum bimi_status result;	/* bimi= */
	char		*reason;	/* why, for the comment and logs */
	char		*domain;	/* header.d: where the record is */
	char		*selector;	/* header.selector */
	enum bimi_authority authority;	/* policy.authority */
	char		*authority_uri;	/* policy.authority-uri (a=) */
	char		*location;	/* BIMI-Location value, or NULL */
	char		*indicator;	/* BIMI-Indicator value, or NULL */
};

struct bimi_context;

void	bimi_init(void);
struct bimi_context *bimi_context_new(const struct config *, struct buf *);
void	bimi_context_free(struct bimi_context *);
int	bimi_eligible(const struct dmarc_result *, int rfc7489,
	    const char **why);
char	*bimi_signed_selector(const struct hdr *,
	    const struct dkim_result *, const char *aligned_d);
void	bimi_check(const struct bimi_request *, struct bimi_result *);
void	bimi_result_free(struct bimi_result *);
const char *bimi_status_name(enum bimi_status);
const char *bimi_authority_name(enum bimi_authority);

int	bimi_record_is(const char *, size_t);
int	bimi_record_parse(const char *, size_t, struct bimi_record *,
	    struct buf *why);
void	bimi_record_free(struct bimi_record *);
int	bimi_selector_parse(const char *, size_t, char **);

#endif
