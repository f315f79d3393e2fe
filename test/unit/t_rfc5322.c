/*
 * t_rfc5322 - the lexer: CFWS with nested and escaped comments, the depth
 * limit, token, keyword, dot-atom, quoted-string, value
 */
#include "autoconf.h"

#include <string.h>

#include "buf.h"
#include "rfc5322.h"
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

int
main(void)
{
	t_rfc5322_cfws();
	t_rfc5322_scan();
	t_rfc5322_nullout();
	t_rfc5322_cursor();
	return unit_done("t_rfc5322");
}
