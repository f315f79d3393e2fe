/*
 * spf_syntax - RFC 7208 record syntax check and the record libspf2 gets
 *
 * STANDARDS   RFC 7208 section 12 (ABNF), 4.6 (record), 5 (mechanisms),
 *             6 (modifiers: redirect and exp at most once, unknown ones
 *             ignored, redirect ignored when an "all" is present), 7.1-7.3
 *             (macros; c, r and t only in explanation text).
 * OWNERSHIP   spf_syntax_prepare() appends to caller bufs.
 * LOCKING     none.
 * LIMITS      SPF_SYNTAX_MAX_TERMS terms in one record.
 * ERRORS      0 with the rewritten record in *out; -1 with the reason in
 *             *why when the record is a permerror.
 * BUGS        the rewrite exists because libspf2 is laxer (bad domains,
 *             stray %, NUL, 8-bit) and stricter (a CIDR length of 0, dots
 *             in modifier names) than the RFC: ip4/ip6 ".../0" become two
 *             "/1" halves, a and mx keep only the prefix length of the
 *             client's family, a length of 0 becomes "exists" on a virtual
 *             name (see SPF_SYNTAX_ANY_*), unknown modifiers are dropped,
 *             literal text is lowercased.
 */
#ifndef AUTHMILTER_SPF_SYNTAX_H
#define AUTHMILTER_SPF_SYNTAX_H

#include <stddef.h>

struct buf;

#define SPF_SYNTAX_MAX_TERMS	256
#define SPF_SYNTAX_P_MACRO	0x01	/* the record uses %{p} */
/* virtual names for a/0 and mx/0: "<domain>.<any-marker><suffix>" */
#define SPF_SYNTAX_ANY_A	"_any-a"
#define SPF_SYNTAX_ANY_MX	"_any-mx"
#define SPF_SYNTAX_ANY_SUFFIX	".authmilter.invalid"

int	spf_syntax_prepare(const char *, size_t, int client_v6,
	    struct buf *out, unsigned *flags, struct buf *why);

#endif
