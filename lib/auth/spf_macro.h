/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_macro - RFC 7208 section 7 macro expansion, done by us, not libspf2
 *
 * STANDARDS   RFC 7208 section 7.1 (macro-expand grammar), 7.2 (letters
 *             s l o d i p v h, and c r t in explanation text only), 7.3
 *             (split on the delimiters, "." by default; reverse; keep the
 *             N right-hand parts, all of them when N is at least their
 *             number; rejoin with "."; upper-case letters URL-escape all
 *             but the RFC 3986 unreserved characters; an expanded domain
 *             over 253 characters loses left-hand labels until it fits).
 * OWNERSHIP   spf_macro_expand() appends to a caller buf; the strings of
 *             struct spf_macro_env stay the caller's.
 * LOCKING     none; env->validated is called from the calling thread.
 * LIMITS      the caller's buf max bounds the output; a DIGIT transformer
 *             saturates at SPF_MACRO_MAX_DIGIT (more parts than a domain
 *             name can have); SPF_MACRO_DOMAIN_MAX characters of domain.
 * ERRORS      spf_macro_parse() returns the length of the macro-expand at
 *             p, 0 when it is not one. spf_macro_expand() returns 0, 1
 *             when a domain had to lose left-hand labels to fit, or -1
 *             with the reason in *why: bad syntax, a letter not allowed
 *             where it stands, a value that is not known (no HELO name),
 *             or the buf max reached. spf_macro_plain() is 1 for a
 *             macro-expand libspf2 expands right (see spf_syntax.h).
 * BUGS        exists because libspf2 1.2.10 gets some of this wrong
 *             (SPF_record_expand_data, see spf_syntax.h); %{p} is the
 *             name env->validated gives (lib/auth/spf.c: libspf2's first
 *             validated name, not the <domain>-preferring choice of 7.3).
 */
#ifndef AUTHMILTER_SPF_MACRO_H
#define AUTHMILTER_SPF_MACRO_H

#include <stddef.h>

struct buf;
struct cidr_addr;

#define SPF_MACRO_MAX_DIGIT	1000	/* any larger DIGIT: the same */
#define SPF_MACRO_DOMAIN_MAX	253	/* RFC 7208 section 7.3 */
#define SPF_MACRO_DELIMS	".-+,/_="	/* RFC 7208 section 7.1 */

/* modes of spf_macro_expand() */
#define SPF_MACRO_DOMAIN	0	/* domain-spec: no c r t, cut to 253 */
#define SPF_MACRO_EXPLAIN	1	/* explain-string: every letter */

/* one macro-expand as written */
struct spf_macro_term {
	int		 letter;	/* lower-case letter; '%' '_' '-' for
					 * the escapes "%%" "%_" "%-" */
	int		 escape;	/* upper-case letter: URL-escape */
	unsigned	 digits;	/* right-hand parts to keep, 0: all */
	int		 reverse;	/* the "r" transformer */
	/* the delimiters to split on, none: "." */
	char		 delims[sizeof(SPF_MACRO_DELIMS)];
};

/* what the letters expand to */
struct spf_macro_env {
	const char	*sender;	/* s: <sender>, local-part@domain */
	const char	*local;		/* l: its local-part */
	const char	*sender_domain;	/* o: its domain */
	const char	*domain;	/* d: the current <domain> */
	const char	*helo;		/* h: HELO/EHLO name, or NULL */
	const char	*receiver;	/* r: our name, NULL: "unknown" */
	const struct cidr_addr *client;	/* i, c, v: the SMTP client */
	long long	 now;		/* t: seconds since the Epoch */
	/* p: the validated name of the client, NULL: "unknown"; called
	 * only when a %{p} is expanded, so the lookup stays lazy */
	const char	*(*validated)(void *);
	void		*arg;		/* for validated */
};

size_t	spf_macro_parse(const char *, size_t, struct spf_macro_term *);
int	spf_macro_plain(const struct spf_macro_term *);
int	spf_macro_expand(const struct spf_macro_env *, const char *, size_t,
	    int mode, struct buf *out, struct buf *why);

#endif
