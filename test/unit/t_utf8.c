/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_utf8 - utf8_seqlen() against RFC 3629: every sequence length at its
 * boundaries, overlong forms, surrogates, past U+10FFFF, stray and missing
 * continuation bytes, and sequences cut by the bytes given
 */
#include "autoconf.h"

#include <string.h>

#include "util/utf8.h"
#include "unit.h"

#define T_UTF8_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_UTF8_ALL	-1

static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* bytes */
	int		 avail;		/* given, T_UTF8_ALL: strlen */
	size_t		 want;		/* utf8_seqlen() */
} t_utf8_cases[] = {
	/* valid, at the edges of each length */
	{ "U+0000..U+007F: NUL", "", 1, 1 },
	{ "U+0041", "A", T_UTF8_ALL, 1 },
	{ "U+007F", "\x7f", T_UTF8_ALL, 1 },
	{ "U+0080", "\xc2\x80", T_UTF8_ALL, 2 },
	{ "U+00E9", "\xc3\xa9", T_UTF8_ALL, 2 },
	{ "U+07FF", "\xdf\xbf", T_UTF8_ALL, 2 },
	{ "U+0800", "\xe0\xa0\x80", T_UTF8_ALL, 3 },
	{ "U+D7FF", "\xed\x9f\xbf", T_UTF8_ALL, 3 },
	{ "U+E000", "\xee\x80\x80", T_UTF8_ALL, 3 },
	{ "U+FFFD", "\xef\xbf\xbd", T_UTF8_ALL, 3 },
	{ "U+FFFF", "\xef\xbf\xbf", T_UTF8_ALL, 3 },
	{ "U+10000", "\xf0\x90\x80\x80", T_UTF8_ALL, 4 },
	{ "U+1F600", "\xf0\x9f\x98\x80", T_UTF8_ALL, 4 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", T_UTF8_ALL, 4 },
	{ "only the first sequence counts", "\xc3\xa9" "abc", T_UTF8_ALL, 2 },
	/* overlong forms */
	{ "overlong NUL C0 80", "\xc0\x80", T_UTF8_ALL, 0 },
	{ "overlong C1 BF", "\xc1\xbf", T_UTF8_ALL, 0 },
	{ "overlong E0 80 80", "\xe0\x80\x80", T_UTF8_ALL, 0 },
	{ "overlong E0 9F BF", "\xe0\x9f\xbf", T_UTF8_ALL, 0 },
	{ "overlong F0 80 80 80", "\xf0\x80\x80\x80", T_UTF8_ALL, 0 },
	{ "overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", T_UTF8_ALL, 0 },
	/* UTF-16 surrogates */
	{ "U+D800", "\xed\xa0\x80", T_UTF8_ALL, 0 },
	{ "U+DBFF", "\xed\xaf\xbf", T_UTF8_ALL, 0 },
	{ "U+DC00", "\xed\xb0\x80", T_UTF8_ALL, 0 },
	{ "U+DFFF", "\xed\xbf\xbf", T_UTF8_ALL, 0 },
	/* past U+10FFFF, and bytes never used */
	{ "U+110000", "\xf4\x90\x80\x80", T_UTF8_ALL, 0 },
	{ "F5", "\xf5\x80\x80\x80", T_UTF8_ALL, 0 },
	{ "F8 (five bytes)", "\xf8\x88\x80\x80\x80", T_UTF8_ALL, 0 },
	{ "FC (six bytes)", "\xfc\x84\x80\x80\x80\x80", T_UTF8_ALL, 0 },
	{ "FE", "\xfe", T_UTF8_ALL, 0 },
	{ "FF", "\xff", T_UTF8_ALL, 0 },
	/* continuation bytes */
	{ "stray continuation 80", "\x80", T_UTF8_ALL, 0 },
	{ "stray continuation BF", "\xbf", T_UTF8_ALL, 0 },
	{ "2-byte, second not a continuation", "\xc3" "A", T_UTF8_ALL, 0 },
	{ "3-byte, third not a continuation", "\xe2\x82" "A", T_UTF8_ALL, 0 },
	{ "4-byte, last is a lead byte", "\xf0\x9f\x98\xc3", T_UTF8_ALL, 0 },
	{ "3-byte, second is C0", "\xe2\xc0\x80", T_UTF8_ALL, 0 },
	/* cut short by the bytes given */
	{ "nothing given", "A", 0, 0 },
	{ "2-byte, 1 given", "\xc3\xa9", 1, 0 },
	{ "3-byte, 2 given", "\xe2\x82\xac", 2, 0 },
	{ "4-byte, 3 given", "\xf0\x9f\x98\x80", 3, 0 },
	{ "3-byte, 3 given", "\xe2\x82\xac", 3, 3 },
};

int
main(void)
{
	size_t i, avail;

	for (i = 0; i < T_UTF8_N(t_utf8_cases); i++) {
		avail = t_utf8_cases[i].avail == T_UTF8_ALL ?
		    strlen(t_utf8_cases[i].in) : (size_t)t_utf8_cases[i].avail;
		UNIT_CHECK(utf8_seqlen((const unsigned char *)
		    t_utf8_cases[i].in, avail) == t_utf8_cases[i].want,
		    t_utf8_cases[i].label, "got %zu, want %zu",
		    utf8_seqlen((const unsigned char *)t_utf8_cases[i].in,
		    avail), t_utf8_cases[i].want);
	}
	return unit_done("t_utf8");
}
