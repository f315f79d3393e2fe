/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_buf - bounded byte strings: appends, the hard maximum, NUL termination,
 * buf_steal() and binary data
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "unit.h"

#define T_BUF_MAXPIECES	4

/* appends of C strings, one after the other */
static const struct t_buf_append_case {
	const char	*label;		/* what the case shows */
	size_t		 max;		/* hard limit */
	const char	*pieces[T_BUF_MAXPIECES];	/* NULL-ended */
	const char	*want;		/* data afterwards */
	int		 want_rc;	/* rc of the last append */
	int		 want_trunc;	/* truncated flag afterwards */
} t_buf_append_cases[] = {
	{ "empty string", 16, { "", NULL }, "", 0, 0 },
	{ "one piece", 16, { "abc", NULL }, "abc", 0, 0 },
	{ "three pieces", 16, { "ab", "cd", "ef", NULL }, "abcdef", 0, 0 },
	{ "exactly max", 5, { "abcde", NULL }, "abcde", 0, 0 },
	{ "max reached in pieces", 5, { "abc", "de", NULL }, "abcde", 0, 0 },
	{ "one over max", 5, { "abcdef", NULL }, "abcde", -1, 1 },
	{ "over max keeps what fits", 5, { "abc", "defgh", NULL }, "abcde",
	    -1, 1 },
	{ "append after full", 3, { "abc", "d", NULL }, "abc", -1, 1 },
	{ "empty append at full", 3, { "abc", "", NULL }, "abc", 0, 0 },
	{ "max 0", 0, { "x", NULL }, "", -1, 1 },
	{ "flag stays after a later fit", 4, { "abcdef", "", NULL }, "abcd",
	    0, 1 },
	{ "growth past the first block", 200,
	    { "0123456789012345678901234567890123456789012345678901234567890",
	    "0123456789012345678901234567890123456789012345678901234567890",
	    "0123456789", NULL },
	    "0123456789012345678901234567890123456789012345678901234567890"
	    "0123456789012345678901234567890123456789012345678901234567890"
	    "0123456789", 0, 0 },
	{ "growth up to max", 70,
	    { "0123456789012345678901234567890123456789012345678901234567890",
	    "0123456789012345678901234567890123456789012345678901234567890",
	    NULL },
	    "0123456789012345678901234567890123456789012345678901234567890"
	    "012345678", -1, 1 },
};

/* t_buf_append - every table row through buf_puts() */
static void
t_buf_append(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(t_buf_append_cases) /
	    sizeof(t_buf_append_cases[0]); i++) {
		const struct t_buf_append_case *c = &t_buf_append_cases[i];
		struct buf b;
		int rc = 0;

		buf_init(&b, c->max);
		for (j = 0; j < T_BUF_MAXPIECES && c->pieces[j] != NULL; j++)
			rc = buf_puts(&b, c->pieces[j]);
		UNIT_STREQ(b.data, c->want, c->label);
		UNIT_CHECK(b.len == strlen(c->want), c->label,
		    "len %zu, want %zu", b.len, strlen(c->want));
		UNIT_CHECK(b.data[b.len] == '\0', c->label, "not NUL-ended");
		UNIT_CHECK(rc == c->want_rc, c->label, "rc %d, want %d", rc,
		    c->want_rc);
		UNIT_CHECK(b.truncated == c->want_trunc, c->label,
		    "truncated %d, want %d", b.truncated, c->want_trunc);
		UNIT_CHECK(b.len <= b.max && b.cap > b.len, c->label,
		    "len %zu max %zu cap %zu", b.len, b.max, b.cap);
		buf_free(&b);
	}
}

/* t_buf_printf - formatted appends, short and past the 256-byte stack copy */
static void
t_buf_printf(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		size_t		 max;	/* hard limit */
		const char	*s;	/* %s argument */
		int		 n;	/* %d argument */
		size_t		 want_len;	/* length afterwards */
		int		 want_rc;	/* rc of buf_printf */
	} cases[] = {
		{ "short", 64, "key", 42, 6, 0 },
		{ "negative number", 64, "k", -7, 4, 0 },
		{ "empty string", 64, "", 0, 2, 0 },
		{ "truncated short", 4, "key", 42, 4, -1 },
		{ "exactly max", 6, "key", 42, 6, 0 },
	};
	char big[1001], want[1100];
	struct buf b;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char full[128];

		snprintf(full, sizeof(full), "%s=%d", cases[i].s, cases[i].n);
		buf_init(&b, cases[i].max);
		rc = buf_printf(&b, "%s=%d", cases[i].s, cases[i].n);
		UNIT_CHECK(rc == cases[i].want_rc, cases[i].label,
		    "rc %d, want %d", rc, cases[i].want_rc);
		UNIT_CHECK(b.len == cases[i].want_len, cases[i].label,
		    "len %zu, want %zu", b.len, cases[i].want_len);
		UNIT_CHECK(strncmp(b.data, full, b.len) == 0 &&
		    b.data[b.len] == '\0', cases[i].label, "got \"%s\"",
		    b.data);
		UNIT_CHECK(b.truncated == (cases[i].want_rc != 0),
		    cases[i].label, "truncated %d", b.truncated);
		buf_free(&b);
	}

	/* longer than the 256-byte stack copy: the heap path */
	memset(big, 'x', 1000);
	big[1000] = '\0';
	snprintf(want, sizeof(want), "<%s>", big);
	buf_init(&b, 4096);
	buf_puts(&b, "a");
	rc = buf_printf(&b, "<%s>", big);
	UNIT_CHECK(rc == 0, "printf 1002 bytes", "rc %d", rc);
	UNIT_CHECK(b.len == 1003 && b.data[0] == 'a' &&
	    strcmp(b.data + 1, want) == 0, "printf 1002 bytes",
	    "len %zu", b.len);
	buf_free(&b);

	buf_init(&b, 300);
	rc = buf_printf(&b, "<%s>", big);
	UNIT_CHECK(rc == -1 && b.truncated && b.len == 300,
	    "printf long, truncated", "rc %d len %zu truncated %d", rc, b.len,
	    b.truncated);
	UNIT_CHECK(b.data[0] == '<' && b.data[299] == 'x' &&
	    b.data[300] == '\0', "printf long, truncated", "content");
	buf_free(&b);

	/* exactly 256 and 255 bytes: either side of the stack copy */
	for (i = 255; i <= 256; i++) {
		memset(big, 'y', i);
		big[i] = '\0';
		buf_init(&b, i);
		rc = buf_printf(&b, "%s", big);
		UNIT_CHECK(rc == 0 && b.len == i && strcmp(b.data, big) == 0,
		    "printf at the stack-copy edge", "size %zu rc %d len %zu",
		    i, rc, b.len);
		buf_free(&b);
	}
}

/* t_buf_putc - single bytes, NUL included, and the maximum */
static void
t_buf_putc(void)
{
	static const unsigned char want[] = { 'a', 0, 0xff, '\n', 'z' };
	struct buf b;
	size_t i;
	int rc, fails = 0;

	buf_init(&b, 16);
	for (i = 0; i < sizeof(want); i++)
		if (buf_putc(&b, want[i]) != 0)
			fails++;
	UNIT_CHECK(fails == 0, "putc bytes", "%d appends failed", fails);
	UNIT_CHECK(b.len == sizeof(want) && memcmp(b.data, want,
	    sizeof(want)) == 0, "putc bytes", "len %zu", b.len);
	UNIT_CHECK(b.data[b.len] == '\0', "putc bytes", "not NUL-ended");
	buf_free(&b);

	/* int argument is taken as unsigned char */
	buf_init(&b, 16);
	buf_putc(&b, -1);
	buf_putc(&b, 0x141);
	UNIT_CHECK(b.len == 2 && (unsigned char)b.data[0] == 0xff &&
	    b.data[1] == 0x41, "putc converts to unsigned char",
	    "len %zu %02x %02x", b.len, (unsigned char)b.data[0],
	    (unsigned char)b.data[1]);
	buf_free(&b);

	/* many single bytes: growth, then the limit */
	buf_init(&b, 5000);
	fails = 0;
	for (i = 0; i < 10000; i++)
		if (buf_putc(&b, 'a' + (int)(i % 26)) != 0)
			fails++;
	UNIT_CHECK(b.len == 5000 && fails == 5000 && b.truncated,
	    "putc past max", "len %zu fails %d", b.len, fails);
	UNIT_CHECK(b.data[4999] == 'a' + 4999 % 26 && b.data[5000] == '\0',
	    "putc past max", "last byte %c", b.data[4999]);
	rc = buf_putc(&b, 'x');
	UNIT_CHECK(rc == -1 && b.len == 5000, "putc at max", "rc %d", rc);

	/* reset empties and clears the flag, keeping the limit */
	buf_reset(&b);
	UNIT_CHECK(b.len == 0 && b.data[0] == '\0' && !b.truncated &&
	    b.max == 5000, "reset", "len %zu truncated %d max %zu", b.len,
	    b.truncated, b.max);
	rc = buf_puts(&b, "again");
	UNIT_CHECK(rc == 0, "append after reset", "rc %d", rc);
	UNIT_STREQ(b.data, "again", "append after reset");
	buf_free(&b);
}

/* t_buf_binary - buf_append() with NUL bytes inside */
static void
t_buf_binary(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		size_t		 max;	/* hard limit */
		const char	*in;	/* bytes */
		size_t		 len;	/* of in */
		size_t		 want_len;	/* stored */
		int		 want_rc;	/* of buf_append */
	} cases[] = {
		{ "NUL in the middle", 64, "ab\0cd", 5, 5, 0 },
		{ "leading NUL", 64, "\0abc", 4, 4, 0 },
		{ "only NULs", 64, "\0\0\0", 3, 3, 0 },
		{ "8-bit bytes", 64, "\xff\xfe\x80", 3, 3, 0 },
		{ "NULs cut at max", 3, "a\0b\0c", 5, 3, -1 },
		{ "zero bytes", 64, "", 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		int rc;

		buf_init(&b, cases[i].max);
		rc = buf_append(&b, cases[i].in, cases[i].len);
		UNIT_CHECK(rc == cases[i].want_rc, cases[i].label,
		    "rc %d, want %d", rc, cases[i].want_rc);
		UNIT_CHECK(b.len == cases[i].want_len && memcmp(b.data,
		    cases[i].in, cases[i].want_len) == 0, cases[i].label,
		    "len %zu, want %zu", b.len, cases[i].want_len);
		UNIT_CHECK(b.data[b.len] == '\0', cases[i].label,
		    "not NUL-ended");
		buf_free(&b);
	}
}

/* t_buf_steal - the caller gets the string, the buf is left empty */
static void
t_buf_steal(void)
{
	struct buf b, *hb;
	char *s, *e;
	int rc;

	buf_init(&b, 8);
	buf_puts(&b, "0123456789");
	s = buf_steal(&b);
	UNIT_STREQ(s, "01234567", "steal returns the data");
	UNIT_CHECK(b.data == NULL && b.len == 0 && b.cap == 0,
	    "steal leaves nothing behind", "len %zu", b.len);
	buf_free(&b);	/* a no-op after a steal */
	buf_init(&b, 8);
	rc = buf_puts(&b, "abc");
	UNIT_CHECK(rc == 0, "append after steal and init", "rc %d", rc);
	UNIT_STREQ(b.data, "abc", "append after steal and init");
	UNIT_STREQ(s, "01234567", "stolen string unchanged by later appends");
	free(s);

	/* steal of an empty buf gives an empty, freeable string */
	buf_reset(&b);
	e = buf_steal(&b);
	UNIT_STREQ(e, "", "steal of an empty buf");
	free(e);
	buf_free(&b);
	UNIT_CHECK(b.data == NULL && b.len == 0, "free clears",
	    "data %p len %zu", (void *)b.data, b.len);
	buf_free(&b);	/* twice is safe */
	buf_free(NULL);

	/* heap buf: buf_free() releases the data, free() the struct */
	hb = buf_new(32);
	UNIT_CHECK(hb != NULL && hb->len == 0 && hb->data[0] == '\0' &&
	    hb->max == 32, "buf_new", "fresh heap buf");
	buf_printf(hb, "%d-%s", 7, "x");
	UNIT_STREQ(hb->data, "7-x", "buf_new printf");
	buf_free(hb);
	free(hb);
}

int
main(void)
{
	t_buf_append();
	t_buf_printf();
	t_buf_putc();
	t_buf_binary();
	t_buf_steal();
	return unit_done("t_buf");
}
