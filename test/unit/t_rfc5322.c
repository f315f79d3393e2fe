/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_rfc5322 - the lexer: CFWS with nested and escaped comments, the depth
 * limit, token, keyword, dot-atom, quoted-string, value; rfc5322_from():
 * display names, angle addresses, obs-route, groups, IDN, the
 * CVE-2019-16378 shapes and the domain and mailbox limits
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "mail/rfc5322.h"
#include "unit.h"

#define T_RFC5322_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_rfc5322_rest - does the cursor stand before exactly want */
static int
t_rfc5322_rest(const struct rfc5322 *lx, const char *want, size_t wlen)
{
	return (size_t)(lx->end - lx->p) == wlen &&
	    memcmp(lx->p, want, wlen) == 0;
}

/* rfc5322_cfws(): what is left after skipping */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* input */
	size_t		 len;		/* of in; 0 = strlen */
	int		 want_rc;	/* 0 or -1 */
	const char	*want_rest;	/* left after a success */
} t_rfc5322_cfws_cases[] = {
	{ "empty", "", 0, 0, "" },
	{ "nothing to skip", "abc", 0, 0, "abc" },
	{ "spaces", "   abc", 0, 0, "abc" },
	{ "tab CR LF", "\t\r\n abc", 0, 0, "abc" },
	{ "comment", "(comment) abc", 0, 0, "abc" },
	{ "comment, no space after", "(c)abc", 0, 0, "abc" },
	{ "two comments", " (a) (b)\r\n\t(c) x", 0, 0, "x" },
	{ "nested comments", "(a (nested (deep)) c) x", 0, 0, "x" },
	{ "escaped close paren", "(esc \\) paren) x", 0, 0, "x" },
	{ "escaped open paren", "(esc \\( paren) x", 0, 0, "x" },
	{ "escaped backslash", "(a\\\\) x", 0, 0, "x" },
	{ "quote inside comment", "(say \"hi) x", 0, 0, "x" },
	{ "8-bit in comment", "(caf\xc3\xa9) x", 0, 0, "x" },
	{ "folded comment", "(a\r\n b) x", 0, 0, "x" },
	{ "stray close paren stays", ")x", 0, 0, ")x" },
	{ "depth 16",
	    "((((((((((((((((x))))))))))))))))y", 0, 0, "y" },
	{ "depth 16 twice",
	    "((((((((((((((((x)))))))))))))))) "
	    "((((((((((((((((x))))))))))))))))y", 0, 0, "y" },
	{ "depth 16, siblings", "(((((((((((((((()()()()))))))))))))))) y", 0,
	    0, "y" },
	{ "depth 17", "(((((((((((((((((x)))))))))))))))))y", 0, -1, NULL },
	{ "unbalanced", "(unbalanced x", 0, -1, NULL },
	{ "unbalanced nested", "(a (b) x", 0, -1, NULL },
	{ "escape hides the close", "(a\\)", 0, -1, NULL },
	{ "backslash at the end", "(ends with backslash\\", 0, -1, NULL },
	{ "open paren only", "(", 0, -1, NULL },
	{ "NUL inside comment", "(a\0b) x", 7, -1, NULL },
	{ "comment cut by len", "(abc) x", 4, -1, NULL },
	{ "second comment broken", "(a) (b", 0, -1, NULL },
};

/* t_rfc5322_cfws - every CFWS case */
static void
t_rfc5322_cfws(void)
{
	size_t i;

	for (i = 0; i < T_RFC5322_N(t_rfc5322_cfws_cases); i++) {
		const char *in = t_rfc5322_cfws_cases[i].in;
		size_t len = t_rfc5322_cfws_cases[i].len ?
		    t_rfc5322_cfws_cases[i].len : strlen(in);
		struct rfc5322 lx;
		int rc;

		rfc5322_init(&lx, in, len);
		rc = rfc5322_cfws(&lx);
		UNIT_CHECK(rc == t_rfc5322_cfws_cases[i].want_rc,
		    t_rfc5322_cfws_cases[i].label, "rc %d, want %d", rc,
		    t_rfc5322_cfws_cases[i].want_rc);
		UNIT_CHECK(lx.p >= in && lx.p <= in + len,
		    t_rfc5322_cfws_cases[i].label, "cursor out of bounds");
		if (rc == 0 && t_rfc5322_cfws_cases[i].want_rest != NULL)
			UNIT_CHECK(t_rfc5322_rest(&lx,
			    t_rfc5322_cfws_cases[i].want_rest,
			    strlen(t_rfc5322_cfws_cases[i].want_rest)),
			    t_rfc5322_cfws_cases[i].label, "rest \"%.*s\"",
			    (int)(lx.end - lx.p), lx.p);
	}
}

typedef int t_rfc5322_fn(struct rfc5322 *, struct buf *);

/* the scanners that append text: out, and where the cursor ends */
static const struct {
	const char	*label;		/* what the case shows */
	t_rfc5322_fn	*fn;		/* scanner under test */
	const char	*in;		/* input */
	size_t		 len;		/* of in; 0 = strlen */
	int		 want_rc;	/* 0 or -1 */
	const char	*want_out;	/* text appended on success */
	const char	*want_rest;	/* left; on failure the whole input */
} t_rfc5322_scan_cases[] = {
	/* RFC 2045 token */
	{ "token", rfc5322_token, "abc def", 0, 0, "abc", " def" },
	{ "token with . - _ +", rfc5322_token, "a.b-c_d+e!", 0, 0,
	    "a.b-c_d+e!", "" },
	{ "token stops at /", rfc5322_token, "abc/def", 0, 0, "abc", "/def" },
	{ "token stops at =", rfc5322_token, "abc=def", 0, 0, "abc", "=def" },
	{ "token stops at ;", rfc5322_token, "abc;", 0, 0, "abc", ";" },
	{ "token stops at @", rfc5322_token, "a@b", 0, 0, "a", "@b" },
	{ "token stops at (", rfc5322_token, "a(b)", 0, 0, "a", "(b)" },
	{ "token stops at 8-bit", rfc5322_token, "ab\x80" "c", 0, 0, "ab",
	    "\x80" "c" },
	{ "token stops at DEL", rfc5322_token, "a\x7f", 0, 0, "a", "\x7f" },
	{ "token not quoted", rfc5322_token, "\"q\"", 0, -1, NULL, "\"q\"" },
	{ "token empty", rfc5322_token, "", 0, -1, NULL, "" },
	{ "token leading space", rfc5322_token, " abc", 0, -1, NULL, " abc" },
	{ "token leading =", rfc5322_token, "=x", 0, -1, NULL, "=x" },
	{ "token bounded by len", rfc5322_token, "abcdef", 3, 0, "abc", "" },
	/* RFC 8601 Keyword */
	{ "keyword", rfc5322_keyword, "dkim-1_x=pass", 0, 0, "dkim-1_x",
	    "=pass" },
	{ "keyword digits", rfc5322_keyword, "1=x", 0, 0, "1", "=x" },
	{ "keyword stops at .", rfc5322_keyword, "header.d", 0, 0, "header",
	    ".d" },
	{ "keyword stops at /", rfc5322_keyword, "dkim/1", 0, 0, "dkim",
	    "/1" },
	{ "keyword stops at +", rfc5322_keyword, "a+b", 0, 0, "a", "+b" },
	{ "keyword empty", rfc5322_keyword, "=x", 0, -1, NULL, "=x" },
	{ "keyword 8-bit", rfc5322_keyword, "\xc3\xa9", 0, -1, NULL,
	    "\xc3\xa9" },
	/* RFC 5322 dot-atom */
	{ "dot-atom", rfc5322_dot_atom, "a.b.c rest", 0, 0, "a.b.c",
	    " rest" },
	{ "dot-atom one atom", rfc5322_dot_atom, "abc", 0, 0, "abc", "" },
	{ "dot-atom all atext", rfc5322_dot_atom,
	    "a!#$%&'*+-/=?^_`{|}~b.c", 0, 0, "a!#$%&'*+-/=?^_`{|}~b.c", "" },
	{ "dot-atom stops at @", rfc5322_dot_atom, "a.b@c", 0, 0, "a.b",
	    "@c" },
	{ "dot-atom stops at (", rfc5322_dot_atom, "a(b", 0, 0, "a", "(b" },
	{ "dot-atom stops at space", rfc5322_dot_atom, "a b", 0, 0, "a",
	    " b" },
	{ "dot-atom double dot", rfc5322_dot_atom, "a..b", 0, -1, NULL,
	    "a..b" },
	{ "dot-atom leading dot", rfc5322_dot_atom, ".a", 0, -1, NULL, ".a" },
	{ "dot-atom trailing dot", rfc5322_dot_atom, "a.", 0, -1, NULL,
	    "a." },
	{ "dot-atom trailing dot, space", rfc5322_dot_atom, "a.b. c", 0, -1,
	    NULL, "a.b. c" },
	{ "dot-atom empty", rfc5322_dot_atom, "", 0, -1, NULL, "" },
	{ "dot-atom quote", rfc5322_dot_atom, "\"a\"", 0, -1, NULL, "\"a\"" },
	/* RFC 5322 quoted-string */
	{ "quoted", rfc5322_quoted, "\"abc\" x", 0, 0, "abc", " x" },
	{ "quoted empty", rfc5322_quoted, "\"\"", 0, 0, "", "" },
	{ "quoted space", rfc5322_quoted, "\"a b\"", 0, 0, "a b", "" },
	{ "quoted escaped quote", rfc5322_quoted, "\"a\\\"b\"", 0, 0, "a\"b",
	    "" },
	{ "quoted escaped backslash", rfc5322_quoted, "\"a\\\\b\"", 0, 0,
	    "a\\b", "" },
	{ "quoted escaped letter", rfc5322_quoted, "\"a\\xb\"", 0, 0, "axb",
	    "" },
	{ "quoted fold", rfc5322_quoted, "\"a\r\n b\"", 0, 0, "a b", "" },
	{ "quoted bare LF fold", rfc5322_quoted, "\"a\n\tb\"", 0, 0, "a\tb",
	    "" },
	{ "quoted specials", rfc5322_quoted, "\"a;b=c/d\"e", 0, 0, "a;b=c/d",
	    "e" },
	{ "quoted comment is text", rfc5322_quoted, "\"(not a comment)\"", 0,
	    0, "(not a comment)", "" },
	{ "quoted 8-bit", rfc5322_quoted, "\"caf\xc3\xa9\"", 0, 0,
	    "caf\xc3\xa9", "" },
	{ "quoted unterminated", rfc5322_quoted, "\"abc", 0, -1, NULL,
	    "\"abc" },
	{ "quoted escaped final quote", rfc5322_quoted, "\"abc\\\"", 0, -1,
	    NULL, "\"abc\\\"" },
	{ "quoted backslash at end", rfc5322_quoted, "\"abc\\", 0, -1, NULL,
	    "\"abc\\" },
	{ "quoted NUL", rfc5322_quoted, "\"a\0b\"", 5, -1, NULL, "\"a\0b\"" },
	{ "quoted cut by len", rfc5322_quoted, "\"abc\"", 4, -1, NULL,
	    "\"abc" },
	{ "quoted needs a quote", rfc5322_quoted, "abc", 0, -1, NULL, "abc" },
	{ "quoted after space", rfc5322_quoted, " \"a\"", 0, -1, NULL,
	    " \"a\"" },
	/* RFC 2045 value */
	{ "value token", rfc5322_value, "token; x", 0, 0, "token", "; x" },
	{ "value quoted", rfc5322_value, "\"quoted value\";", 0, 0,
	    "quoted value", ";" },
	{ "value quoted escapes", rfc5322_value, "\"\\\"x\\\"\"", 0, 0,
	    "\"x\"", "" },
	{ "value unterminated", rfc5322_value, "\"unterminated", 0, -1, NULL,
	    "\"unterminated" },
	{ "value empty", rfc5322_value, "", 0, -1, NULL, "" },
	{ "value tspecial", rfc5322_value, "/x", 0, -1, NULL, "/x" },
};

/* t_rfc5322_scan - every scanner case */
static void
t_rfc5322_scan(void)
{
	size_t i;

	for (i = 0; i < T_RFC5322_N(t_rfc5322_scan_cases); i++) {
		const char *label = t_rfc5322_scan_cases[i].label;
		const char *in = t_rfc5322_scan_cases[i].in;
		size_t len = t_rfc5322_scan_cases[i].len ?
		    t_rfc5322_scan_cases[i].len : strlen(in);
		const char *rest = t_rfc5322_scan_cases[i].want_rest;
		size_t rlen = strlen(rest);
		struct rfc5322 lx;
		struct buf out;
		int rc;

		buf_init(&out, 1024);
		rfc5322_init(&lx, in, len);
		rc = t_rfc5322_scan_cases[i].fn(&lx, &out);
		UNIT_CHECK(rc == t_rfc5322_scan_cases[i].want_rc, label,
		    "rc %d, want %d", rc, t_rfc5322_scan_cases[i].want_rc);
		if (rc == 0 && t_rfc5322_scan_cases[i].want_out != NULL)
			UNIT_CHECK(out.len ==
			    strlen(t_rfc5322_scan_cases[i].want_out) &&
			    strcmp(out.data,
			    t_rfc5322_scan_cases[i].want_out) == 0, label,
			    "out \"%s\", want \"%s\"", out.data,
			    t_rfc5322_scan_cases[i].want_out);
		UNIT_CHECK(t_rfc5322_rest(&lx, rc == 0 ? rest : in,
		    rc == 0 ? rlen : len), label, "rest \"%.*s\", want \"%s\"",
		    (int)(lx.end - lx.p), lx.p, rest);
		buf_free(&out);
	}
}

/* t_rfc5322_nullout - scanners may be asked to skip without keeping */
static void
t_rfc5322_nullout(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		t_rfc5322_fn	*fn;	/* scanner */
		const char	*in;	/* input */
		const char	*want_rest;	/* after it */
	} cases[] = {
		{ "token, no out", rfc5322_token, "abc def", " def" },
		{ "dot-atom, no out", rfc5322_dot_atom, "a.b c", " c" },
		{ "quoted, no out", rfc5322_quoted, "\"a\\\"b\" c", " c" },
		{ "value, no out", rfc5322_value, "\"v\";", ";" },
	};
	size_t i;

	for (i = 0; i < T_RFC5322_N(cases); i++) {
		struct rfc5322 lx;
		int rc;

		rfc5322_init(&lx, cases[i].in, strlen(cases[i].in));
		rc = cases[i].fn(&lx, NULL);
		UNIT_CHECK(rc == 0 && t_rfc5322_rest(&lx, cases[i].want_rest,
		    strlen(cases[i].want_rest)), cases[i].label,
		    "rc %d rest \"%.*s\"", rc, (int)(lx.end - lx.p), lx.p);
	}
}

/* t_rfc5322_cursor - peek, eat, atend */
static void
t_rfc5322_cursor(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		const char	*in;	/* input */
		int		 want;	/* rfc5322_atend() */
	} atend[] = {
		{ "atend empty", "", 1 },
		{ "atend spaces", "   ", 1 },
		{ "atend comment", " (c) \r\n ", 1 },
		{ "atend text", " x", 0 },
		{ "atend after comment", "(c) ;", 0 },
		{ "atend broken comment", "(broken", 0 },
	};
	struct rfc5322 lx;
	struct buf out;
	size_t i;

	for (i = 0; i < T_RFC5322_N(atend); i++) {
		int got;

		rfc5322_init(&lx, atend[i].in, strlen(atend[i].in));
		got = rfc5322_atend(&lx);
		UNIT_CHECK(got == atend[i].want, atend[i].label, "%d, want %d",
		    got, atend[i].want);
	}

	rfc5322_init(&lx, "=x", 2);
	UNIT_CHECK(rfc5322_peek(&lx) == '=', "peek", "%d",
	    rfc5322_peek(&lx));
	UNIT_CHECK(rfc5322_eat(&lx, ';') == -1 && lx.p[0] == '=',
	    "eat other", "moved");
	UNIT_CHECK(rfc5322_eat(&lx, '=') == 0 && lx.p[0] == 'x', "eat match",
	    "not moved");
	UNIT_CHECK(rfc5322_eat(&lx, 'x') == 0 && rfc5322_peek(&lx) == -1,
	    "peek at end", "%d", rfc5322_peek(&lx));
	UNIT_CHECK(rfc5322_eat(&lx, 'x') == -1, "eat at end", "ate");

	/* a NUL byte ends a token */
	buf_init(&out, 64);
	rfc5322_init(&lx, "ab\0c", 4);
	UNIT_CHECK(rfc5322_token(&lx, &out) == 0 && out.len == 2 &&
	    lx.p[0] == '\0' && lx.end - lx.p == 2, "token stops at NUL",
	    "len %zu", out.len);
	buf_free(&out);

	rfc5322_init(&lx, "\xff", 1);
	UNIT_CHECK(rfc5322_peek(&lx) == 0xff, "peek 8-bit is unsigned", "%d",
	    rfc5322_peek(&lx));
}

/* rfc5322_from(): the author domains, or an error */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* From field value */
	size_t		 len;		/* of in; 0 = strlen */
	int		 want_error;	/* f.error */
	const char	*want_why;	/* in f.why when an error, or NULL */
	long		 want_mailboxes;	/* f.nmailboxes, -1 unchecked */
	const char	*want_domains;	/* f.domains joined by " ", or NULL */
} t_rfc5322_from_cases[] = {
	/* plain addr-spec and angle addresses */
	{ "addr-spec", "user@example.com", 0, 0, NULL, 1, "example.com" },
	{ "addr-spec, spaces around", "  user@example.com \r\n ", 0, 0, NULL,
	    1, "example.com" },
	{ "angle addr", "<user@example.com>", 0, 0, NULL, 1, "example.com" },
	{ "angle addr, CFWS inside", "< user @ example.com >", 0, 0, NULL, 1,
	    "example.com" },
	{ "display name atoms", "John Doe <john@example.com>", 0, 0, NULL, 1,
	    "example.com" },
	{ "display name quoted", "\"Doe, John\" <john@example.com>", 0, 0,
	    NULL, 1, "example.com" },
	{ "display name with escapes", "\"J \\\"JD\\\" D\\\\oe\" "
	    "<jd@example.com>", 0, 0, NULL, 1, "example.com" },
	{ "display name holds an address", "\"a@bank.example\" "
	    "<a@evil.example>", 0, 0, NULL, 1, "evil.example" },
	{ "display name with a comment", "John (the boss) Doe "
	    "<john@example.com>", 0, 0, NULL, 1, "example.com" },
	{ "display name is an encoded word", "=?UTF-8?B?Sm9zw6k=?= "
	    "<jose@example.com>", 0, 0, NULL, 1, "example.com" },
	{ "encoded word, Q, with spaces", "=?iso-8859-1?q?Andr=E9?= Pirard "
	    "<pirard@example.be>", 0, 0, NULL, 1, "example.be" },
	{ "display name in UTF-8 (RFC 6532)", "Jos\xc3\xa9 <jose@example.com>",
	    0, 0, NULL, 1, "example.com" },
	{ "obs-phrase with dots", "John Q. Public <jqp@example.com>", 0, 0,
	    NULL, 1, "example.com" },
	{ "quoted local-part", "\"john doe\"@example.com", 0, 0, NULL, 1,
	    "example.com" },
	{ "quoted local-part with @", "<\"a@b\"@example.com>", 0, 0, NULL, 1,
	    "example.com" },
	{ "dotted local-part", "<john.q.public@example.com>", 0, 0, NULL, 1,
	    "example.com" },
	{ "folded field", "John Doe\r\n <john@example.com>", 0, 0, NULL, 1,
	    "example.com" },
	/* obs-route (RFC 5322 section 4.4) */
	{ "obs-route", "<@a.example,@b.example:x@y.example>", 0, 0, NULL, 1,
	    "y.example" },
	{ "obs-route, one hop", "Name <@relay.example:x@y.example>", 0, 0,
	    NULL, 1, "y.example" },
	{ "obs-route without a colon", "<@a.example,@b.example>", 0, 1,
	    "route", -1, NULL },
	/* comments */
	{ "comment after the address", "a@x.example (b@y.example)", 0, 0,
	    NULL, 1, "x.example" },
	{ "comment before the address", "(b@y.example) a@x.example", 0, 0,
	    NULL, 1, "x.example" },
	{ "nested comments", "a@x.example (outer (inner b@y.example) "
	    "(c@z.example))", 0, 0, NULL, 1, "x.example" },
	{ "comments around @", "a(c1)@(c2)x.example", 0, 0, NULL, 1,
	    "x.example" },
	{ "comment in an angle addr", "<a@x.example (b@y.example)>", 0, 0,
	    NULL, 1, "x.example" },
	{ "escaped paren in a comment", "a@x.example (\\) b@y.example)", 0, 0,
	    NULL, 1, "x.example" },
	{ "unbalanced comment", "a@x.example (b@y.example", 0, 1, "comment",
	    -1, NULL },
	{ "comment nested too deep", "a@x.example "
	    "(((((((((((((((((x)))))))))))))))))", 0, 1, "comment", -1, NULL },
	/* several mailboxes */
	{ "two mailboxes, one domain", "a@x.example, B@X.Example", 0, 0, NULL,
	    2, "x.example" },
	{ "three mailboxes, two domains", "a@x.example, <b@y.example>, "
	    "C <c@x.example>", 0, 0, NULL, 3, "x.example y.example" },
	{ "empty list elements (obs-mbox-list)", ", a@x.example,, ,", 0, 0,
	    NULL, 1, "x.example" },
	/* groups (RFC 6854) */
	{ "group", "Team: a@x.example, b@x.example;", 0, 0, NULL, 2,
	    "x.example" },
	{ "group, two domains", "Team: Alice <a@x.example>, b@y.example;", 0,
	    0, NULL, 2, "x.example y.example" },
	{ "group then a mailbox", "Team: a@x.example;, c@z.example", 0, 0,
	    NULL, 2, "x.example z.example" },
	{ "quoted group name", "\"The Team\": a@x.example;", 0, 0, NULL, 1,
	    "x.example" },
	{ "empty group", "undisclosed-recipients:;", 0, 1, "no mailbox", 0,
	    "" },
	{ "empty group, CFWS", "undisclosed-recipients: (none) ;", 0, 1,
	    "no mailbox", 0, "" },
	{ "group not ended", "Team: a@x.example", 0, 1, "group not ended",
	    -1, NULL },
	{ "nested group", "A: B: x@y.example;;", 0, 1, "nested group", -1,
	    NULL },
	{ "group without a name", ": a@x.example;", 0, 1, "group", -1, NULL },
	{ "group without a comma after it", "Team: a@x.example; c@z.example",
	    0, 1, "after an address", -1, NULL },
	/* case folding and IDN (RFC 8616) */
	{ "domain folded to lower case", "A@EXAMPLE.COM", 0, 0, NULL, 1,
	    "example.com" },
	{ "U-label domain to A-label", "jos\xc3\xa9@b\xc3\xbc" "cher.example",
	    0, 0, NULL, 1, "xn--bcher-kva.example" },
	{ "upper-case U-label", "<a@B\xc3\x9c" "CHER.EXAMPLE>", 0, 0, NULL, 1,
	    "xn--bcher-kva.example" },
	{ "A-label in upper case", "a@XN--BCHER-KVA.example", 0, 0, NULL, 1,
	    "xn--bcher-kva.example" },
	{ "U-label and A-label are one domain", "a@b\xc3\xbc" "cher.example, "
	    "b@xn--bcher-kva.example", 0, 0, NULL, 2,
	    "xn--bcher-kva.example" },
	{ "invalid UTF-8 in the domain", "a@b\xff.example", 0, 1,
	    "internationalized", -1, NULL },
	/* no usable domain */
	{ "domain literal", "x@[192.0.2.1]", 0, 1, "literal", -1, NULL },
	{ "domain literal in angle", "Name <x@[192.0.2.1]>", 0, 1, "literal",
	    -1, NULL },
	{ "local-part only", "user", 0, 1, NULL, -1, "" },
	{ "empty domain", "user@", 0, 1, "domain", -1, "" },
	{ "angle addr without a domain", "<user>", 0, 1, "domain", -1, "" },
	{ "empty angle addr", "Name <>", 0, 1, NULL, -1, "" },
	{ "empty local-part", "@x.example", 0, 1, "local-part", -1, NULL },
	{ "trailing dot in the domain", "a@x.example.", 0, 1, "domain", -1,
	    NULL },
	{ "double dot in the domain", "a@x..example", 0, 1, "domain", -1,
	    NULL },
	{ "empty field", "", 0, 1, "no mailbox", 0, "" },
	{ "only CFWS", "  (comment) ", 0, 1, "no mailbox", 0, "" },
	{ "unbalanced <", "Name <a@x.example", 0, 1, "angle", -1, NULL },
	{ "unbalanced >", "a@x.example>", 0, 1, "after an address", -1,
	    NULL },
	{ "two < ", "<<a@x.example>>", 0, 1, NULL, -1, "" },
	{ "two addresses without a comma", "a@x.example b@y.example", 0, 1,
	    "after an address", -1, NULL },
	{ "unterminated quote", "\"Doe <a@x.example>", 0, 1, NULL, -1, "" },
	/* CVE-2019-16378: libopendmarc took the last domain of these */
	{ "CVE-2019-16378 list", "a@evil.example, b@bank.example", 0, 0, NULL,
	    2, "evil.example bank.example" },
	{ "CVE-2019-16378 >>", "<a@evil.example>>b@bank.example>", 0, 1,
	    "after an address", -1, NULL },
	{ "CVE-2019-16378 addr then angle", "a@bank.example "
	    "<a@evil.example>", 0, 1, "after an address", -1, NULL },
	{ "CVE-2019-16378 display name then two angles",
	    "Bank <a@bank.example> <b@evil.example>", 0, 1,
	    "after an address", -1, NULL },
	{ "address after ; outside a group", "a@evil.example; b@bank.example",
	    0, 1, "after an address", -1, NULL },
	/* NUL bytes */
	{ "NUL byte", "a@x.example\0b@y.example", 23, 1, "NUL", 0, "" },
	{ "NUL byte in a comment", "a@x.example (\0)", 15, 1, "NUL", 0, "" },
	{ "length ends before the NUL", "a@x.example\0b@y.example", 11, 0,
	    NULL, 1, "x.example" },
};

/* t_rfc5322_from_join - the domains as "a b c" */
static void
t_rfc5322_from_join(const struct rfc5322_from *f, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < f->ndomains; i++)
		buf_printf(out, "%s%s", i ? " " : "", f->domains[i]);
}

/* t_rfc5322_from_table - every rfc5322_from() case */
static void
t_rfc5322_from_table(void)
{
	struct buf got;
	size_t i;

	buf_init(&got, 64 * 1024);
	for (i = 0; i < T_RFC5322_N(t_rfc5322_from_cases); i++) {
		const char *label = t_rfc5322_from_cases[i].label;
		const char *in = t_rfc5322_from_cases[i].in;
		size_t len = t_rfc5322_from_cases[i].len ?
		    t_rfc5322_from_cases[i].len : strlen(in);
		struct rfc5322_from f;

		rfc5322_from(in, len, &f);
		UNIT_CHECK(f.error == t_rfc5322_from_cases[i].want_error, label,
		    "error %d, want %d (why \"%s\")", f.error,
		    t_rfc5322_from_cases[i].want_error, f.why);
		if (f.error)
			UNIT_CHECK(f.why[0] != '\0', label,
			    "error without why");
		else
			UNIT_CHECK(f.why[0] == '\0', label,
			    "why \"%s\" without an error", f.why);
		if (t_rfc5322_from_cases[i].want_why != NULL)
			UNIT_CHECK(strstr(f.why,
			    t_rfc5322_from_cases[i].want_why) != NULL, label,
			    "why \"%s\" lacks \"%s\"", f.why,
			    t_rfc5322_from_cases[i].want_why);
		if (t_rfc5322_from_cases[i].want_mailboxes >= 0)
			UNIT_CHECK(f.nmailboxes ==
			    (size_t)t_rfc5322_from_cases[i].want_mailboxes,
			    label, "nmailboxes %zu, want %ld", f.nmailboxes,
			    t_rfc5322_from_cases[i].want_mailboxes);
		if (t_rfc5322_from_cases[i].want_domains != NULL) {
			t_rfc5322_from_join(&f, &got);
			UNIT_CHECK(strcmp(got.data,
			    t_rfc5322_from_cases[i].want_domains) == 0, label,
			    "domains \"%s\", want \"%s\"", got.data,
			    t_rfc5322_from_cases[i].want_domains);
		}
		UNIT_CHECK(f.ndomains <= RFC5322_MAX_DOMAINS, label,
		    "ndomains %zu", f.ndomains);
		rfc5322_from_free(&f);
		UNIT_CHECK(f.ndomains == 0 && f.nmailboxes == 0 && !f.error,
		    label, "rfc5322_from_free does not reset");
	}
	buf_free(&got);
}

/* t_rfc5322_from_list - n mailboxes, each domain d<k % ndom>.example */
static void
t_rfc5322_from_list(struct buf *b, size_t n, size_t ndom, const char *sep)
{
	size_t k;

	buf_reset(b);
	for (k = 0; k < n; k++)
		buf_printf(b, "%su%zu@d%zu.example", k ? sep : "", k,
		    k % ndom);
}

/* t_rfc5322_from_limits - RFC5322_MAX_DOMAINS, RFC5322_MAX_MAILBOXES */
static void
t_rfc5322_from_limits(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		size_t		 n;		/* mailboxes */
		size_t		 ndom;		/* distinct domains */
		const char	*head;		/* before the list */
		const char	*tail;		/* after it */
		int		 want_error;	/* f.error */
		const char	*want_why;	/* in why */
		size_t		 want_mailboxes;	/* at most this many */
		size_t		 want_ndomains;	/* f.ndomains */
	} cases[] = {
		{ "16 distinct domains", 16, 16, "", "", 0, NULL, 16, 16 },
		{ "17 distinct domains", 17, 17, "", "", 1, "too many author",
		    17, 16 },
		{ "40 mailboxes over 16 domains", 40, 16, "", "", 0, NULL, 40,
		    16 },
		{ "1000 mailboxes, one domain", 1000, 1, "", "", 0, NULL, 1000,
		    1 },
		{ "1001 mailboxes, one domain", 1001, 1, "", "", 1,
		    "too many mailboxes", 1000, 1 },
		{ "5000 mailboxes, one domain", 5000, 1, "", "", 1,
		    "too many mailboxes", 1000, 1 },
		{ "1000 mailboxes in a group", 1000, 1, "G: ", ";", 0, NULL,
		    1000, 1 },
		{ "5000 mailboxes in a group", 5000, 1, "G: ", ";", 1,
		    "too many mailboxes", 1000, 1 },
		{ "5000 mailboxes, 5000 domains", 5000, 5000, "", "", 1,
		    "too many author", 17, 16 },
	};
	struct buf list, field;
	size_t i;

	buf_init(&list, 1024 * 1024);
	buf_init(&field, 1024 * 1024);
	for (i = 0; i < T_RFC5322_N(cases); i++) {
		struct rfc5322_from f;

		t_rfc5322_from_list(&list, cases[i].n, cases[i].ndom, ", ");
		buf_reset(&field);
		buf_printf(&field, "%s%s%s", cases[i].head, list.data,
		    cases[i].tail);
		UNIT_CHECK(!field.truncated, cases[i].label, "fixture too big");
		rfc5322_from(field.data, field.len, &f);
		UNIT_CHECK(f.error == cases[i].want_error, cases[i].label,
		    "error %d (%s)", f.error, f.why);
		if (cases[i].want_why != NULL)
			UNIT_CHECK(strstr(f.why, cases[i].want_why) != NULL,
			    cases[i].label, "why \"%s\"", f.why);
		UNIT_CHECK(f.nmailboxes <= cases[i].want_mailboxes,
		    cases[i].label, "nmailboxes %zu, at most %zu",
		    f.nmailboxes, cases[i].want_mailboxes);
		if (!cases[i].want_error)
			UNIT_CHECK(f.nmailboxes == cases[i].want_mailboxes,
			    cases[i].label, "nmailboxes %zu, want %zu",
			    f.nmailboxes, cases[i].want_mailboxes);
		UNIT_CHECK(f.ndomains == cases[i].want_ndomains,
		    cases[i].label, "ndomains %zu, want %zu", f.ndomains,
		    cases[i].want_ndomains);
		rfc5322_from_free(&f);
	}
	buf_free(&field);
	buf_free(&list);
}

/* t_rfc5322_from_long - a domain at and over RFC5322_MAX_DOMAIN octets */
static void
t_rfc5322_from_long(void)
{
	struct rfc5322_from f;
	struct buf field;
	size_t dlen;

	buf_init(&field, 4096);
	for (dlen = RFC5322_MAX_DOMAIN; dlen <= RFC5322_MAX_DOMAIN + 1;
	    dlen++) {
		size_t k;

		buf_reset(&field);
		buf_puts(&field, "a@");
		/* labels of 49 octets and dots, ending in "example" */
		for (k = 0; field.len - 2 < dlen - 7; k++)
			buf_putc(&field, (field.len - 2) % 50 == 49 ? '.' :
			    'a' + (int)(k % 26));
		if (field.data[field.len - 1] != '.') {
			field.len--;
			buf_putc(&field, '.');
		}
		buf_puts(&field, "example");
		UNIT_CHECK(field.len - 2 == dlen, "long domain fixture",
		    "%zu octets, want %zu", field.len - 2, dlen);
		rfc5322_from(field.data, field.len, &f);
		if (dlen <= RFC5322_MAX_DOMAIN)
			UNIT_CHECK(!f.error && f.ndomains == 1 &&
			    strlen(f.domains[0]) == dlen, "253-octet domain",
			    "error %d (%s)", f.error, f.why);
		else
			UNIT_CHECK(f.error && f.ndomains == 0,
			    "254-octet domain", "error %d ndomains %zu",
			    f.error, f.ndomains);
		rfc5322_from_free(&f);
	}
	buf_free(&field);
}

int
main(void)
{
	t_rfc5322_cfws();
	t_rfc5322_scan();
	t_rfc5322_nullout();
	t_rfc5322_cursor();
	t_rfc5322_from_table();
	t_rfc5322_from_limits();
	t_rfc5322_from_long();
	return unit_done("t_rfc5322");
}
