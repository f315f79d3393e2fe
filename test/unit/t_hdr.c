/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_hdr - the header store: add, count and nth by case-insensitive name,
 * values kept byte for byte, and the three limits
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "mail/hdr.h"
#include "unit.h"

#define T_HDR_N(a)	(sizeof(a) / sizeof((a)[0]))

/* the fields of one message, in arrival order */
static const struct {
	const char	*name;		/* as the MTA sent it */
	const char	*value;		/* raw value */
} t_hdr_msg[] = {
	{ "Received", " from a.example by mx.example.org" },
	{ "From", " <a@a.example>" },
	{ "received", " from b.example\r\n\tby a.example" },
	{ "DKIM-Signature", " v=1; d=a.example" },
	{ "RECEIVED", " from c.example" },
	{ "Subject", " hello" },
	{ "To", "" },
};

/* hdr_count() and hdr_nth() against the message above */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*name;		/* asked for */
	size_t		 want_count;	/* hdr_count() */
	size_t		 idx;		/* hdr_nth() index */
	int		 want_field;	/* index into t_hdr_msg, -1 = NULL */
} t_hdr_find_cases[] = {
	{ "Received first", "Received", 3, 0, 0 },
	{ "received second", "received", 3, 1, 2 },
	{ "RECEIVED third", "rEcEiVeD", 3, 2, 4 },
	{ "Received past the end", "Received", 3, 3, -1 },
	{ "From upper case", "FROM", 1, 0, 1 },
	{ "dkim-signature lower case", "dkim-signature", 1, 0, 3 },
	{ "empty value", "to", 1, 0, 6 },
	{ "absent name", "Reply-To", 0, 0, -1 },
	{ "prefix is not the name", "Receive", 0, 0, -1 },
	{ "longer is not the name", "Received-SPF", 0, 0, -1 },
	{ "empty name", "", 0, 0, -1 },
};

/* t_hdr_find - add, count, nth */
static void
t_hdr_find(void)
{
	struct hdr h;
	size_t i;
	int fails = 0;

	hdr_init(&h);
	for (i = 0; i < T_HDR_N(t_hdr_msg); i++)
		if (hdr_add(&h, t_hdr_msg[i].name, t_hdr_msg[i].value,
		    strlen(t_hdr_msg[i].value)) != 0)
			fails++;
	UNIT_CHECK(fails == 0 && h.n == T_HDR_N(t_hdr_msg) &&
	    h.seen == T_HDR_N(t_hdr_msg) && !h.overflow, "add the message",
	    "fails %d n %zu seen %zu overflow %d", fails, h.n, h.seen,
	    h.overflow);
	for (i = 0; i < T_HDR_N(t_hdr_find_cases); i++) {
		const struct hdr_field *f;
		size_t n;
		int w = t_hdr_find_cases[i].want_field;

		n = hdr_count(&h, t_hdr_find_cases[i].name);
		UNIT_CHECK(n == t_hdr_find_cases[i].want_count,
		    t_hdr_find_cases[i].label, "count %zu, want %zu", n,
		    t_hdr_find_cases[i].want_count);
		f = hdr_nth(&h, t_hdr_find_cases[i].name,
		    t_hdr_find_cases[i].idx);
		if (w < 0) {
			UNIT_CHECK(f == NULL, t_hdr_find_cases[i].label,
			    "found %s", f->name);
			continue;
		}
		UNIT_CHECK(f != NULL, t_hdr_find_cases[i].label, "not found");
		if (f == NULL)
			continue;
		UNIT_STREQ(f->name, t_hdr_msg[w].name,
		    t_hdr_find_cases[i].label);
		UNIT_STREQ(f->value, t_hdr_msg[w].value,
		    t_hdr_find_cases[i].label);
		UNIT_CHECK(f->vlen == strlen(t_hdr_msg[w].value),
		    t_hdr_find_cases[i].label, "vlen %zu", f->vlen);
	}
	hdr_free(&h);
	UNIT_CHECK(h.n == 0 && h.seen == 0 && h.f == NULL && h.bytes == 0,
	    "free empties", "n %zu seen %zu", h.n, h.seen);
	UNIT_CHECK(hdr_count(&h, "Received") == 0 &&
	    hdr_nth(&h, "Received", 0) == NULL, "empty store", "found");
	hdr_free(&h);	/* twice is safe */
}

/* t_hdr_name_is - RFC 5322 section 2.2: names compare case-insensitively */
static void
t_hdr_name_is(void)
{
	static const struct {
		const char	*a, *b;	/* names */
		int		 want;	/* equal */
	} cases[] = {
		{ "From", "from", 1 },
		{ "ARC-Seal", "arc-seal", 1 },
		{ "Authentication-Results", "AUTHENTICATION-RESULTS", 1 },
		{ "From", "From ", 0 },
		{ "From", "Fro", 0 },
		{ "", "", 1 },
	};
	size_t i;

	for (i = 0; i < T_HDR_N(cases); i++)
		UNIT_CHECK(hdr_name_is(cases[i].a, cases[i].b) == cases[i].want,
		    "hdr_name_is", "\"%s\" vs \"%s\"", cases[i].a, cases[i].b);
}

/* t_hdr_binary - folds, NULs and 8-bit bytes kept as sent */
static void
t_hdr_binary(void)
{
	static const char v[] = " a\r\n\tb\0c\xff";
	struct hdr h;
	const struct hdr_field *f;
	int rc;

	hdr_init(&h);
	rc = hdr_add(&h, "X-Bin", v, sizeof(v) - 1);
	f = hdr_nth(&h, "x-bin", 0);
	UNIT_CHECK(rc == 0 && f != NULL, "binary value stored", "rc %d", rc);
	if (f != NULL) {
		UNIT_CHECK(f->vlen == sizeof(v) - 1 &&
		    memcmp(f->value, v, sizeof(v) - 1) == 0,
		    "binary value byte for byte", "vlen %zu", f->vlen);
		UNIT_CHECK(f->value[f->vlen] == '\0', "value NUL-terminated",
		    "no NUL");
	}
	/* only vlen bytes are copied */
	rc = hdr_add(&h, "X-Part", "abcdef", 3);
	f = hdr_nth(&h, "X-Part", 0);
	UNIT_CHECK(rc == 0 && f != NULL && f->vlen == 3 &&
	    strcmp(f->value, "abc") == 0, "vlen bytes only", "rc %d", rc);
	UNIT_CHECK(h.bytes == strlen("X-Bin") + sizeof(v) - 1 +
	    strlen("X-Part") + 3, "bytes counts names and values",
	    "bytes %zu", h.bytes);
	hdr_free(&h);
}

/* t_hdr_limits - HDR_MAX_FIELDS, HDR_MAX_FIELD, HDR_MAX_BYTES */
static void
t_hdr_limits(void)
{
	struct hdr h;
	char *big;
	size_t i, room;
	int rc, fails = 0;

	/* HDR_MAX_FIELDS + 1 fields: the last is counted, not stored */
	hdr_init(&h);
	for (i = 0; i < HDR_MAX_FIELDS; i++)
		if (hdr_add(&h, "Received", " x", 2) != 0)
			fails++;
	UNIT_CHECK(fails == 0 && h.n == HDR_MAX_FIELDS && !h.overflow,
	    "HDR_MAX_FIELDS fields stored", "fails %d n %zu", fails, h.n);
	rc = hdr_add(&h, "Received", " one too many", 13);
	UNIT_CHECK(rc == -1, "field HDR_MAX_FIELDS + 1 refused", "rc %d", rc);
	UNIT_CHECK(h.overflow && h.n == HDR_MAX_FIELDS &&
	    h.seen == HDR_MAX_FIELDS + 1, "overflow set, seen counts all",
	    "overflow %d n %zu seen %zu", h.overflow, h.n, h.seen);
	rc = hdr_add(&h, "From", " a@b", 4);
	UNIT_CHECK(rc == -1 && h.seen == HDR_MAX_FIELDS + 2 &&
	    hdr_count(&h, "From") == 0, "still full", "rc %d seen %zu", rc,
	    h.seen);
	UNIT_CHECK(hdr_count(&h, "received") == HDR_MAX_FIELDS,
	    "count at the limit", "%zu", hdr_count(&h, "received"));
	hdr_free(&h);

	/* one field: name + value up to HDR_MAX_FIELD bytes */
	big = malloc(HDR_MAX_BYTES + 1);
	if (big == NULL)
		return;
	memset(big, 'v', HDR_MAX_BYTES + 1);
	hdr_init(&h);
	rc = hdr_add(&h, "X", big, HDR_MAX_FIELD - 1);
	UNIT_CHECK(rc == 0 && h.n == 1 && !h.overflow,
	    "field of exactly HDR_MAX_FIELD bytes", "rc %d", rc);
	rc = hdr_add(&h, "X", big, HDR_MAX_FIELD);
	UNIT_CHECK(rc == -1 && h.n == 1 && h.overflow && h.seen == 2,
	    "field one byte over HDR_MAX_FIELD not stored",
	    "rc %d n %zu overflow %d seen %zu", rc, h.n, h.overflow, h.seen);
	rc = hdr_add(&h, "Subject", " small", 6);
	UNIT_CHECK(rc == 0 && h.n == 2 && h.seen == 3 &&
	    hdr_nth(&h, "subject", 0) != NULL,
	    "later small field still stored", "rc %d n %zu", rc, h.n);
	UNIT_CHECK(hdr_count(&h, "X") == 1 &&
	    hdr_nth(&h, "X", 0)->vlen == HDR_MAX_FIELD - 1,
	    "the big field is the first one", "count %zu",
	    hdr_count(&h, "X"));
	rc = hdr_add(&h, "X-Huge", big, HDR_MAX_BYTES + 1);
	UNIT_CHECK(rc == -1 && h.n == 2, "field over HDR_MAX_BYTES",
	    "rc %d", rc);
	hdr_free(&h);

	/* all fields: HDR_MAX_BYTES in total */
	hdr_init(&h);
	fails = 0;
	for (i = 0; h.bytes + HDR_MAX_FIELD <= HDR_MAX_BYTES; i++)
		if (hdr_add(&h, "X", big, HDR_MAX_FIELD - 1) != 0)
			fails++;
	UNIT_CHECK(fails == 0 && !h.overflow && h.n == i,
	    "full-size fields up to HDR_MAX_BYTES", "fails %d n %zu", fails,
	    h.n);
	rc = hdr_add(&h, "X", big, HDR_MAX_FIELD - 1);
	UNIT_CHECK(rc == -1 && h.overflow && h.n == i && h.seen == i + 1,
	    "field past HDR_MAX_BYTES not stored", "rc %d n %zu bytes %zu", rc,
	    h.n, h.bytes);
	room = HDR_MAX_BYTES - h.bytes;
	rc = hdr_add(&h, "Y", big, room - 1);
	UNIT_CHECK(rc == 0 && h.bytes == HDR_MAX_BYTES,
	    "exactly HDR_MAX_BYTES in all", "rc %d bytes %zu", rc, h.bytes);
	rc = hdr_add(&h, "Z", "", 0);
	UNIT_CHECK(rc == -1 && h.bytes == HDR_MAX_BYTES,
	    "one byte past HDR_MAX_BYTES", "rc %d bytes %zu", rc, h.bytes);
	hdr_free(&h);
	free(big);
}

/* hdr_limit(): lower limits (limits.*); 0 or higher keeps the compiled */
static void
t_hdr_lowered(void)
{
	struct hdr h;
	char v[128];
	size_t i;
	int fails = 0;

	hdr_init(&h);
	hdr_limit(&h, 3, 100, 150);
	for (i = 0; i < 3; i++)
		fails += hdr_add(&h, "A", " v", 2) != 0;
	UNIT_CHECK(fails == 0 && hdr_add(&h, "A", " v", 2) == -1 &&
	    h.n == 3 && h.overflow && h.seen == 4, "3 fields at most",
	    "fails %d n %zu", fails, h.n);
	hdr_free(&h);
	memset(v, 'v', sizeof(v));
	hdr_limit(&h, 0, 100, 0);
	UNIT_CHECK(hdr_add(&h, "X", v, 99) == 0 &&
	    hdr_add(&h, "X", v, 100) == -1 && h.n == 1,
	    "field of 100 bytes at most", "n %zu", h.n);
	hdr_free(&h);
	hdr_limit(&h, 0, 0, 10);
	UNIT_CHECK(hdr_add(&h, "AB", "12345678", 8) == 0 &&
	    hdr_add(&h, "C", "", 0) == -1 && h.bytes == 10,
	    "10 bytes in all at most", "bytes %zu", h.bytes);
	hdr_free(&h);
	hdr_limit(&h, 1000000, 0, 0);
	UNIT_CHECK(h.max_fields == HDR_MAX_FIELDS &&
	    h.max_field == HDR_MAX_FIELD && h.max_bytes == HDR_MAX_BYTES,
	    "limits above the compiled ones keep them", "%zu %zu %zu",
	    h.max_fields, h.max_field, h.max_bytes);
	hdr_free(&h);
}

/* hdr_add_top(): our own field first, even past a limit */
static void
t_hdr_top(void)
{
	const struct hdr_field *f;
	struct hdr h;
	int i, fails = 0;

	hdr_init(&h);
	hdr_limit(&h, 2, 0, 0);
	hdr_add(&h, "DKIM-Signature", " old", 4);
	hdr_add(&h, "From", " a@b", 4);
	hdr_add_top(&h, "DKIM-Signature", " new", 4);
	f = hdr_nth(&h, "dkim-signature", 0);
	UNIT_CHECK(h.n == 3 && f != NULL && strcmp(f->value, " new") == 0 &&
	    strcmp(h.f[1].value, " old") == 0 &&
	    strcmp(h.f[2].name, "From") == 0 && h.bytes == 44,
	    "top field first, the others after it", "n %zu bytes %zu", h.n,
	    h.bytes);
	hdr_free(&h);
	hdr_init(&h);
	hdr_add_top(&h, "X", "", 0);
	UNIT_CHECK(h.n == 1 && h.f[0].vlen == 0, "top of an empty store",
	    "n %zu", h.n);
	hdr_free(&h);
	hdr_init(&h);
	while (h.n < HDR_MAX_FIELDS && hdr_add(&h, "A", " v", 2) == 0)
		;
	for (i = 0; i < HDR_MAX_TOP; i++)
		fails += hdr_add_top(&h, "DKIM-Signature", " s", 2) != 0;
	UNIT_CHECK(h.n == HDR_MAX_FIELDS + HDR_MAX_TOP && fails == 0 &&
	    hdr_add_top(&h, "DKIM-Signature", " s", 2) == -1 &&
	    h.n == HDR_MAX_FIELDS + HDR_MAX_TOP, "at most HDR_MAX_TOP past "
	    "the limits", "n %zu, %d refused early", h.n, fails);
	hdr_free(&h);
}

int
main(void)
{
	t_hdr_top();
	t_hdr_find();
	t_hdr_name_is();
	t_hdr_binary();
	t_hdr_limits();
	t_hdr_lowered();
	return unit_done("t_hdr");
}
