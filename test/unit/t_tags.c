/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_tags - DKIM-style tag lists (RFC 6376 section 3.2): what the strict
 * parser accepts and why it refuses, what the lenient one still reads,
 * tags_get(), and tags_is_domain()
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "mail/tags.h"
#include "unit.h"

#define T_TAGS_N(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * input, and what is read: "name=value" pairs joined with "|" in order,
 * or the refusal reason of the strict parser
 */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* the tag-list */
	const char	*strict;	/* pairs, or "!reason" */
	const char	*lenient;	/* pairs the lenient parser reads */
} t_tags_cases[] = {
	{ "plain", "v=1; a=rsa-sha256; d=example.com",
	    "v=1|a=rsa-sha256|d=example.com",
	    "v=1|a=rsa-sha256|d=example.com" },
	{ "one trailing ;", "v=1; a=b;", "v=1|a=b", "v=1|a=b" },
	{ "FWS around names, = and values", " v = 1 ;\r\n\ta\t=\tb c ",
	    "v=1|a=bc", "v=1|a=bc" },
	{ "folded value", "b=abc\r\n\tdef\r\n ghi", "b=abcdefghi",
	    "b=abcdefghi" },
	{ "empty value", "p=; v=DKIM1", "p=|v=DKIM1", "p=|v=DKIM1" },
	{ "value with =", "h=a=b; x=1", "h=a=b|x=1", "h=a=b|x=1" },
	{ "names keep case", "V=1; v=2", "V=1|v=2", "V=1|v=2" },
	{ "name with digit and _", "x_1=a; b2=c", "x_1=a|b2=c",
	    "x_1=a|b2=c" },
	{ "empty list", "", "", "" },
	{ "only FWS", " \t", "", "" },
	{ "tag given twice", "v=1; a=b; v=2", "!tag given twice",
	    "v=1|a=b" },
	{ "tag given twice, other spacing", "d=a.example; d =b.example",
	    "!tag given twice", "d=a.example" },
	{ "empty tag-spec inside", "v=1;; a=b", "!empty tag-spec",
	    "v=1|a=b" },
	{ "only ;", ";", "!empty tag-spec", "" },
	{ "two trailing ;", "v=1;;", "!empty tag-spec", "v=1" },
	{ "name starts with a digit", "1a=b; c=d", "!bad tag name", "c=d" },
	{ "name with -", "a-b=c; d=e", "!tag without \"=\"", "d=e" },
	{ "no =", "v=1; abc; d=e", "!tag without \"=\"", "v=1|d=e" },
	{ "= without name", "=x; d=e", "!bad tag name", "d=e" },
};

/* t_tags_join - name=value pairs joined with "|" */
static void
t_tags_join(const struct tags *t, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < t->n; i++)
		buf_printf(out, "%s%s=%s", i ? "|" : "", t->name[i],
		    t->value[i]);
}

/* t_tags_table - both parsers on every case */
static void
t_tags_table(void)
{
	struct tags t;
	struct buf why, got;
	size_t i;
	int rc;

	buf_init(&why, 256);
	buf_init(&got, 65536);
	for (i = 0; i < T_TAGS_N(t_tags_cases); i++) {
		const char *label = t_tags_cases[i].label;
		const char *in = t_tags_cases[i].in, *want;

		want = t_tags_cases[i].strict;
		buf_reset(&why);
		rc = tags_parse(in, strlen(in), &t, &why);
		t_tags_join(&t, &got);
		if (*want == '!')
			UNIT_CHECK(rc == -1 && t.n == 0 &&
			    strcmp(why.data, want + 1) == 0, label,
			    "rc %d, why \"%s\", %zu tags kept", rc, why.data,
			    t.n);
		else
			UNIT_CHECK(rc == 0 && strcmp(got.data, want) == 0,
			    label, "rc %d (%s): \"%s\", want \"%s\"", rc,
			    why.data, got.data, want);
		tags_free(&t);
		tags_parse_lenient(in, strlen(in), &t);
		t_tags_join(&t, &got);
		UNIT_STREQ(got.data, t_tags_cases[i].lenient, label);
		tags_free(&t);
	}
	buf_free(&why);
	buf_free(&got);
}

/* t_tags_limits - TAGS_MAX tags, TAGS_MAX_VALUE bytes, NUL bytes */
static void
t_tags_limits(void)
{
	struct tags t;
	struct buf in, why;
	int i, rc;

	buf_init(&in, 1 << 20);
	buf_init(&why, 256);
	for (i = 0; i < TAGS_MAX; i++)
		buf_printf(&in, "t%d=%d;", i, i);
	rc = tags_parse(in.data, in.len, &t, &why);
	UNIT_CHECK(rc == 0 && t.n == TAGS_MAX &&
	    strcmp(tags_get(&t, "t63"), "63") == 0, "TAGS_MAX tags",
	    "rc %d, %zu tags (%s)", rc, t.n, why.data);
	tags_free(&t);
	buf_puts(&in, "one=more");
	rc = tags_parse(in.data, in.len, &t, &why);
	UNIT_CHECK(rc == -1 && strcmp(why.data, "too many tags") == 0,
	    "TAGS_MAX + 1 tags", "rc %d: %s", rc, why.data);
	tags_free(&t);
	tags_parse_lenient(in.data, in.len, &t);
	UNIT_CHECK(t.n == TAGS_MAX && tags_get(&t, "one") == NULL,
	    "lenient stops at TAGS_MAX", "%zu tags", t.n);
	tags_free(&t);
	buf_reset(&in);
	buf_reset(&why);
	buf_puts(&in, "b=");
	for (i = 0; i < TAGS_MAX_VALUE; i++)
		buf_putc(&in, 'A');
	rc = tags_parse(in.data, in.len, &t, &why);
	UNIT_CHECK(rc == 0 && strlen(tags_get(&t, "b")) == TAGS_MAX_VALUE,
	    "value of TAGS_MAX_VALUE bytes", "rc %d: %s", rc, why.data);
	tags_free(&t);
	buf_putc(&in, 'A');
	rc = tags_parse(in.data, in.len, &t, &why);
	UNIT_CHECK(rc == -1 && strcmp(why.data, "tag value too long") == 0,
	    "value over TAGS_MAX_VALUE", "rc %d: %s", rc, why.data);
	tags_free(&t);
	buf_reset(&why);
	rc = tags_parse("v=1\0; a=b", 9, &t, &why);
	UNIT_CHECK(rc == -1 && strcmp(why.data, "NUL byte in tag list") == 0,
	    "NUL byte", "rc %d: %s", rc, why.data);
	tags_free(&t);
	/* the length given ends the list, not a NUL after it */
	buf_reset(&why);
	rc = tags_parse("v=1; a=bcdef", 8, &t, &why);
	UNIT_CHECK(rc == 0 && strcmp(tags_get(&t, "a"), "b") == 0,
	    "length bounds the list", "rc %d", rc);
	tags_free(&t);
	buf_free(&in);
	buf_free(&why);
}

/* t_tags_get - by exact name */
static void
t_tags_get(void)
{
	struct tags t;
	struct buf why;

	buf_init(&why, 256);
	tags_parse("v=1; d=example.com; D=other",
	    strlen("v=1; d=example.com; D=other"), &t, &why);
	UNIT_STREQ(tags_get(&t, "d"), "example.com", "get d");
	UNIT_STREQ(tags_get(&t, "D"), "other", "get D: names are exact");
	UNIT_CHECK(tags_get(&t, "s") == NULL, "absent tag", "not NULL");
	UNIT_CHECK(tags_get(&t, "") == NULL, "empty name", "not NULL");
	tags_free(&t);
	UNIT_CHECK(t.n == 0 && tags_get(&t, "v") == NULL, "after tags_free",
	    "%zu tags", t.n);
	tags_free(&t);	/* twice is fine */
	buf_free(&why);
}

/* t_tags_domain - RFC 6376 domain-name with a label minimum */
static void
t_tags_domain(void)
{
	static const struct {
		const char	*d;	/* the name */
		size_t		 min;	/* labels asked for */
		int		 want;	/* tags_is_domain() */
	} cases[] = {
		{ "example.com", 2, 1 },
		{ "example.com", 3, 0 },
		{ "com", 1, 1 },
		{ "a-b.example", 2, 1 },
		{ "_dmarc.example", 2, 1 },
		{ "sel._domainkey.example", 3, 1 },
		{ "", 1, 0 },
		{ ".example", 1, 0 },
		{ "example.", 1, 0 },
		{ "a..example", 1, 0 },
		{ "-a.example", 1, 0 },
		{ "a-.example", 1, 0 },
		{ "a.example-", 1, 0 },
		{ "a b.example", 1, 0 },
		{ "a@b.example", 1, 0 },
		{ "\xc3\xa9.example", 1, 0 },
	};
	char long63[128], long64[128], toolong[300];
	size_t i;

	for (i = 0; i < T_TAGS_N(cases); i++)
		UNIT_CHECK(tags_is_domain(cases[i].d, cases[i].min) ==
		    cases[i].want, cases[i].d, "min %zu: got %d",
		    cases[i].min, !cases[i].want);
	memset(long63, 'a', 63);
	strcpy(long63 + 63, ".example");
	memset(long64, 'a', 64);
	strcpy(long64 + 64, ".example");
	UNIT_CHECK(tags_is_domain(long63, 2), "63-byte label", "refused");
	UNIT_CHECK(!tags_is_domain(long64, 2), "64-byte label", "accepted");
	/* 254 bytes in labels of 49 */
	for (i = 0; i < 254; i++)
		toolong[i] = i % 50 == 49 ? '.' : 'a';
	toolong[254] = '\0';
	toolong[253] = 'a';
	UNIT_CHECK(!tags_is_domain(toolong, 1), "254 bytes", "accepted");
	toolong[253] = '\0';
	UNIT_CHECK(tags_is_domain(toolong, 1), "253 bytes", "refused");
}

int
main(void)
{
	t_tags_table();
	t_tags_limits();
	t_tags_get();
	t_tags_domain();
	return unit_done("t_tags");
}
