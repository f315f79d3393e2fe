/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim - DKIM signature verification through libopendkim
 *
 * STANDARDS   RFC 6376 (DKIM), RFC 8301 (rsa-sha1 and keys under
 *             dkim.min_key_bits are "policy"), RFC 8463 (ed25519-sha256),
 *             RFC 8601 section 2.7.1 (results).
 * OWNERSHIP   dkim_context_new() makes one libopendkim DKIM_LIB per
 *             configuration (its key lookups go to that configuration's
 *             resolver); a struct
 *             dkim_verifier is one message: headers and body are streamed
 *             into it, nothing is copied but the header being fed.
 *             dkim_verifier_finish() fills a caller-owned struct
 *             dkim_result, released with dkim_result_free().
 * LOCKING     the DKIM_LIB is shared read-only by every thread; a verifier
 *             belongs to one message (used by one thread at a time).
 * LIMITS      dkim.max_signatures (at most DKIM_MAX_SIGNATURES) verified:
 *             the first ones in header order; the rest never reach
 *             libopendkim (no body hashing for them, and a signature that
 *             signs one of them fails) and are counted in skipped. A
 *             header over the header store limits stops verification
 *             (every signature permerror).
 *             Key lookups are charged to the budgets
 *             dkim_verifier_budgets() gives: keys under the author's
 *             organizational domain to the one DMARC has, the others
 *             to the other (lib/dnsbudget), each within dns.timeout.
 * ERRORS      dkim_context_new() NULL with why. Verification outcomes are
 *             results with a reason, never errors: the failing step with
 *             the key's size and type, or the key lookup that failed
 *             with its name and outcome (lib/auth/dkim_keys.c).
 * TRUST       d=, s=, i=, a= and b= of a result are libopendkim's reading
 *             of the very field it verified; a field our stricter reading
 *             refuses, or reads differently, is permerror (reported with
 *             our reading of that same field).
 */
#ifndef AUTHMILTER_DKIM_H
#define AUTHMILTER_DKIM_H

#include <stddef.h>

#include "mail/method.h"

struct buf;
struct config;
struct resolver;
struct dkim_context;
struct dnsbudget;

#define DKIM_MAX_SIGNATURES	32
#define DKIM_B_PREFIX		8	/* header.b characters, at least */
#define DKIM_FIELD_MAX		(128 * 1024)	/* one field as fed to
						   libopendkim */

struct dkim_sig {
	enum method_result result;	/* per RFC 8601 */
	char	*reason;		/* why, for comments and logs */
	char	*d;			/* d= */
	char	*i;			/* i=, or NULL when absent */
	char	*s;			/* s= */
	char	*a;			/* a= */
	char	*b;			/* unique prefix of b= */
	int	 keybits;		/* RSA key size, 0 for ed25519 */
	int	 testkey;		/* the key says t=y */
	int	 secure;		/* the key record was DNSSEC-secure */
	long	 length;		/* l=, or -1 */
	int	 aligned_use;		/* may count for DMARC */
};

struct dkim_result {
	int	 checked;		/* DKIM ran */
	struct dkim_sig *sig;		/* n signatures in header order */
	size_t	 n;			/* entries in sig */
	size_t	 skipped;		/* beyond dkim.max_signatures */
};

struct dkim_verifier;

struct dkim_context *dkim_context_new(struct resolver *,
		    const struct config *, struct buf *why);
void	dkim_context_free(struct dkim_context *);
struct dkim_verifier *dkim_verifier_new(struct dkim_context *, const char *id,
	    int max_signatures);
void	dkim_verifier_header(struct dkim_verifier *, const char *name,
	    const char *value, size_t len, int leadspc);
void	dkim_verifier_overflow(struct dkim_verifier *);
void	dkim_verifier_budgets(struct dkim_verifier *, struct dnsbudget *,
	    struct dnsbudget *, const char *);
void	dkim_verifier_eoh(struct dkim_verifier *);
void	dkim_verifier_body(struct dkim_verifier *, const unsigned char *,
	    size_t);
void	dkim_verifier_finish(struct dkim_verifier *, struct dkim_result *);
void	dkim_verifier_free(struct dkim_verifier *);
void	dkim_result_free(struct dkim_result *);
void	dkim_field_text(struct buf *, const char *name, const char *value,
	    size_t len, int leadspc);

#endif
