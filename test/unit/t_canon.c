/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_canon - body and header canonicalization (RFC 6376 3.4) and b=
 * stripping (3.7), the bytes DKIM's l= check and ARC hash
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "mail/canon.h"
#include "unit.h"

static const struct {
	const char	*label;
	const char	*in;		/* the body as it arrives */
	const char	*simple;	/* simple canonical form */
	const char	*relaxed;	/* relaxed canonical form */
} t_canon_bodies[] = {
	{ "empty body", "", "\r\n", "" },
	{ "one line", "abc\r\n", "abc\r\n", "abc\r\n" },
	{ "no final CRLF", "abc", "abc\r\n", "abc\r\n" },
	{ "trailing empty lines", "abc\r\n\r\n\r\n", "abc\r\n", "abc\r\n" },
	{ "only empty lines", "\r\n\r\n", "\r\n", "" },
	{ "white space runs", "a  \t b\r\n", "a  \t b\r\n", "a b\r\n" },
	{ "white space at line end", "a \t\r\nb\r\n", "a \t\r\nb\r\n",
	    "a\r\nb\r\n" },
	{ "white space only line at the end", "a\r\n \t\r\n",
	    "a\r\n \t\r\n", "a\r\n" },
	{ "empty line inside", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n",
	    "a\r\n\r\nb\r\n" },
	{ "bare CR is content", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" },
	{ "leading white space kept as one", "  a\r\n", "  a\r\n",
	    " a\r\n" },
};

/* t_canon_len - canonical length of in, fed in chunks of n */
static uint64_t
t_canon_len(const char *in, int relaxed, size_t n)
{
	struct canon_body cb;
	size_t i, k;

	canon_body_init(&cb, relaxed, 0, -1);
	for (i = 0; i < strlen(in); i += k) {
		k = strlen(in) - i < n ? strlen(in) - i : n;
		canon_body_update(&cb, (const unsigned char *)in + i, k);
	}
	return canon_body_final(&cb, NULL, NULL);
}

/* t_canon_hash - SHA-256 of canonical input equals SHA-256 of expected */
static void
t_canon_hash(const char *label, const char *in, const char *want, int relaxed,
    size_t chunk)
{
	struct canon_body a;
	unsigned char da[64], db[64];
	unsigned int lb = 0;
	size_t la, i, k;

	canon_body_init(&a, relaxed, 1, -1);
	for (i = 0; i < strlen(in); i += k) {
		k = strlen(in) - i < chunk ? strlen(in) - i : chunk;
		canon_body_update(&a, (const unsigned char *)in + i, k);
	}
	canon_body_final(&a, da, &la);
	EVP_Digest(want, strlen(want), db, &lb, EVP_sha256(), NULL);
	UNIT_CHECK(la == lb && memcmp(da, db, la) == 0, label,
	    "%s hash differs (chunk %zu)", relaxed ? "relaxed" : "simple",
	    chunk);
}

static void
t_canon_bodies_all(void)
{
	size_t i, chunks[] = { 1, 2, 3, 7, 4096 }, c;
	uint64_t len;

	for (i = 0; i < sizeof(t_canon_bodies) / sizeof(t_canon_bodies[0]);
	    i++) {
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			len = t_canon_len(t_canon_bodies[i].in, 0, chunks[c]);
			UNIT_CHECK(len == strlen(t_canon_bodies[i].simple),
			    t_canon_bodies[i].label, "simple length %llu",
			    (unsigned long long)len);
			len = t_canon_len(t_canon_bodies[i].in, 1, chunks[c]);
			UNIT_CHECK(len == strlen(t_canon_bodies[i].relaxed),
			    t_canon_bodies[i].label, "relaxed length %llu",
			    (unsigned long long)len);
			t_canon_hash(t_canon_bodies[i].label,
			    t_canon_bodies[i].in, t_canon_bodies[i].simple, 0,
			    chunks[c]);
			t_canon_hash(t_canon_bodies[i].label,
			    t_canon_bodies[i].in, t_canon_bodies[i].relaxed, 1,
			    chunks[c]);
		}
	}
}

/* l= limits what is hashed, not what is counted */
static void
t_canon_limit(void)
{
	struct canon_body cb;
	unsigned char d1[64], d2[64];
	size_t n1, n2;
	uint64_t len;

	canon_body_init(&cb, 1, 1, 4);
	canon_body_update(&cb, (const unsigned char *)"abc\r\nmore\r\n", 11);
	len = canon_body_final(&cb, d1, &n1);
	UNIT_CHECK(len == 11, "limit: everything counted", "len %llu",
	    (unsigned long long)len);
	{
		unsigned int n = 0;

		EVP_Digest("abc\r", 4, d2, &n, EVP_sha256(), NULL);
		n2 = n;
	}
	UNIT_CHECK(n1 == n2 && memcmp(d1, d2, n1) == 0, "limit: 4 bytes hashed",
	    "digest differs");
}

static const struct {
	const char	*label;
	const char	*name, *value;
	int		 relaxed, leadspc, crlf;
	const char	*want;
} t_canon_headers[] = {
	{ "relaxed folds and runs", "Subject", " a \n\t b  c ", 1, 1, 1,
	    "subject:a b c\r\n" },
	{ "relaxed name case and space", "SUBJECT ", " x", 1, 1, 1,
	    "subject:x\r\n" },
	{ "relaxed no CRLF for the signature field", "ARC-Seal", " i=1; b=",
	    1, 1, 0, "arc-seal:i=1; b=" },
	{ "simple keeps bytes, folds as CRLF", "Subject", " a \n\t b", 0, 1,
	    1, "Subject: a \r\n\t b\r\n" },
	{ "simple without LEADSPC gets one space", "To", "x@y", 0, 0, 1,
	    "To: x@y\r\n" },
	{ "relaxed empty value", "X", "  ", 1, 1, 1, "x:\r\n" },
};

static void
t_canon_headers_all(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(t_canon_headers) / sizeof(t_canon_headers[0]);
	    i++) {
		buf_init(&b, 4096);
		canon_header(&b, t_canon_headers[i].name,
		    t_canon_headers[i].value, strlen(t_canon_headers[i].value),
		    t_canon_headers[i].relaxed, t_canon_headers[i].leadspc,
		    t_canon_headers[i].crlf);
		UNIT_STREQ(b.data, t_canon_headers[i].want,
		    t_canon_headers[i].label);
		buf_free(&b);
	}
}

static const struct {
	const char *label, *in, *want;
} t_canon_strips[] = {
	{ "b= in the middle", "i=1; b=AAAA; d=x", "i=1; b=; d=x" },
	{ "b= last", "i=1; d=x; b=AA\n\t AA", "i=1; d=x; b=" },
	{ "bh= untouched", "bh=ZZ; b=AA", "bh=ZZ; b=" },
	{ "spaces before =", "a=1; b = QQ", "a=1; b =" },
	{ "no b=", "a=1; d=x", "a=1; d=x" },
	{ "b= first", "b=QQ; a=1", "b=; a=1" },
};

static void
t_canon_strip_all(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(t_canon_strips) / sizeof(t_canon_strips[0]);
	    i++) {
		buf_init(&b, 4096);
		canon_strip_b(t_canon_strips[i].in, strlen(t_canon_strips[i].in),
		    &b);
		UNIT_STREQ(b.data, t_canon_strips[i].want,
		    t_canon_strips[i].label);
		buf_free(&b);
	}
}

int
main(void)
{
	t_canon_bodies_all();
	t_canon_limit();
	t_canon_headers_all();
	t_canon_strip_all();
	return unit_done("t_canon");
}
