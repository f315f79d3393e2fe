/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_term - the terms of an SPF record one at a time, as written: what
 * the explanation of a result and the posture check of a domain read
 *
 * STANDARDS   RFC 7208 section 4.6.1 (terms split on spaces), 5
 *             (mechanisms, qualifiers, dual-cidr-length), 6 (modifiers).
 * OWNERSHIP   a struct spf_term_info points into the caller's record.
 * LOCKING     none.
 * LIMITS      none: the caller's record length.
 * ERRORS      spf_term_next() returns 0 with the next term, -1 at the end.
 *             A term it cannot classify is SPF_TERM_UNKNOWN; syntax is
 *             lib/auth/spf_syntax.c's job, not this one's.
 */
#ifndef AUTHMILTER_SPF_TERM_H
#define AUTHMILTER_SPF_TERM_H

#include <stddef.h>

struct cidr_addr;

enum spf_term_kind {
	SPF_TERM_ALL, SPF_TERM_INCLUDE, SPF_TERM_A, SPF_TERM_MX,
	SPF_TERM_PTR, SPF_TERM_IP4, SPF_TERM_IP6, SPF_TERM_EXISTS,
	SPF_TERM_REDIRECT, SPF_TERM_EXP, SPF_TERM_MODIFIER,
	SPF_TERM_UNKNOWN
};

struct spf_term_info {
	const char	*p;		/* the whole term */
	size_t		 len;		/* its length */
	char		 qual;		/* '+' '-' '~' '?' ('+' if none) */
	enum spf_term_kind kind;	/* what it is */
	const char	*arg;		/* domain-spec, address, or value */
	size_t		 alen;		/* its length without the cidr */
	int		 v4;		/* ip4 length, -1 when absent */
	int		 v6;		/* ip6 length, -1 when absent */
};

int	spf_term_next(const char *, size_t, size_t *off,
	    struct spf_term_info *);
int	spf_term_dns(enum spf_term_kind);
int	spf_term_net(const struct spf_term_info *, struct cidr_addr *,
	    int *bits);
int	spf_term_has_macro(const struct spf_term_info *);

#endif
