/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_keys - what the key lookups of one message found, and the reason
 * a signature's result is given: the failing step, the key's size and
 * type, the lookup that failed with its name and outcome
 *
 * STANDARDS   RFC 6376 section 3.6.2.2 (the key record at
 *             s._domainkey.d), 6.1.2 (key lookup failures), 3.6.1 (an
 *             empty p= is a revoked key); RFC 8301 (key sizes); RFC 4035
 *             section 4.3 (a DNSSEC-secure key).
 * OWNERSHIP   a struct dkim_keys belongs to one verifier (lib/auth/dkim.c);
 *             dkim_keys_reason() appends to a caller buf.
 * LOCKING     none; one message.
 * LIMITS      DKIM_KEYS_MAX lookups remembered (one per signature).
 * ERRORS      none.
 */
#ifndef AUTHMILTER_DKIM_KEYS_H
#define AUTHMILTER_DKIM_KEYS_H

#include "dns/resolver.h"
#include "mail/method.h"

struct buf;

#define DKIM_KEYS_MAX	32	/* DKIM_MAX_SIGNATURES */

/* one key lookup */
struct dkim_key_note {
	char		*name;		/* s._domainkey.d as asked */
	enum resolver_status st;	/* its outcome */
	char		*why;		/* "TXT name: outcome" unless ok */
	int		 secure;	/* the answer was DNSSEC-secure */
};

struct dkim_keys {
	struct dkim_key_note note[DKIM_KEYS_MAX];	/* lookups */
	int		 n;		/* entries in note */
};

/* what dkim_keys_reason() is told about one signature */
struct dkim_keys_sig {
	const char	*d;		/* d= */
	const char	*s;		/* s= */
	const char	*a;		/* a= */
	int		 bits;		/* key size, 0 unknown */
	int		 err;		/* libopendkim's DKIM_SIGERROR_* */
	const char	*step;		/* what failed ("body hash mismatch") */
	enum method_result result;	/* the result given */
};

void	dkim_keys_note(struct dkim_keys *, const char *,
	    const struct resolver_answer *, enum resolver_status);
const struct dkim_key_note *dkim_keys_find(const struct dkim_keys *,
	    const char *d, const char *s);
void	dkim_keys_reason(const struct dkim_keys *, const struct dkim_keys_sig *,
	    struct buf *);
void	dkim_keys_free(struct dkim_keys *);

#endif
