/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_syntax - RFC 7208 record syntax check and the record libspf2 gets
 *
 * STANDARDS   RFC 7208 section 12 (ABNF), 4.6 (record), 5 (mechanisms),
 *             6 (modifiers: redirect and exp at most once, unknown ones
 *             ignored, redirect ignored when an "all" is present), 7.1-7.3
 *             (macros; c, r and t only in explanation text).
 *             Macros in domain-specs (include a mx ptr exists redirect
 *             exp) are expanded per section 7 by lib/auth/spf_macro.c when
 *             libspf2 would get them wrong.
 * OWNERSHIP   spf_syntax_prepare() appends to caller bufs; env (may be
 *             NULL: macros stay as written) stays the caller's.
 * LOCKING     none.
 * LIMITS      SPF_SYNTAX_MAX_TERMS terms in one record,
 *             SPF_SYNTAX_MAX_EXPANSION bytes of one expanded domain-spec
 *             before the cut to 253.
 * ERRORS      0 with the rewritten record in *out; -1 with the reason in
 *             *why when the record is a permerror. spf_syntax_count()
 *             counts the terms of a rewritten record as libspf2 does;
 *             spf_syntax_virtual() tells a virtual any-address name (1 a,
 *             2 mx, 0 none) and the length of its domain.
 * BUGS        the rewrite exists because libspf2 is laxer (bad domains,
 *             stray %, NUL, 8-bit) and stricter (a CIDR length of 0, dots
 *             in modifier names) than the RFC: ip4/ip6 ".../0" become two
 *             "/1" halves, a and mx keep only the prefix length of the
 *             client's family, a length of 0 becomes "exists" on a virtual
 *             name (see SPF_SYNTAX_ANY_*), unknown modifiers are dropped,
 *             literal text is lowercased. libspf2 1.2.10's macro expansion
 *             (SPF_record_expand_data) loses the first character when a
 *             DIGIT asks for all the parts or more (%{d2} of a two-label
 *             name), counts parts by dots even when they were split on
 *             other delimiters, rejects the delimiters "," and "/" and a
 *             DIGIT over 128, leaves "!*'()" unescaped in upper-case
 *             macros, and never cuts a domain to 253 characters. So a
 *             domain-spec whose macros are all plain (%{d}, no DIGIT, no
 *             "r", no delimiter, lower case) and that needs no cut is
 *             left to libspf2, and any other is expanded here with the
 *             request's values and handed over as literal text ("%" and
 *             " " escaped; a and mx then get both prefix lengths, so a
 *             "/" in the expansion is not read as one). The expansion
 *             happens when the record is fetched, so a %{p} looks the
 *             validated name up then, not when its term runs.
 */
#ifndef AUTHMILTER_SPF_SYNTAX_H
#define AUTHMILTER_SPF_SYNTAX_H

#include <stddef.h>

struct buf;
struct spf_macro_env;

#define SPF_SYNTAX_MAX_TERMS	256
#define SPF_SYNTAX_MAX_EXPANSION	65536
#define SPF_SYNTAX_P_MACRO	0x01	/* the record uses %{p} */
/* virtual names for a/0 and mx/0: "<domain>.<any-marker><suffix>" */
#define SPF_SYNTAX_ANY_A	"_any-a"
#define SPF_SYNTAX_ANY_MX	"_any-mx"
#define SPF_SYNTAX_ANY_SUFFIX	".authmilter.invalid"

int	spf_syntax_prepare(const char *, size_t, int client_v6,
	    const struct spf_macro_env *env, struct buf *out, unsigned *flags,
	    struct buf *why);
int	spf_syntax_count(const char *, int mech);
int	spf_syntax_virtual(const char *, size_t *domlen);

#endif
