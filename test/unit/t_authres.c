/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_authres - RFC 8601 parsing of real-world values, syntax errors, the
 * result limit, authres_id(), authres_claims(), the exact output of
 * authres_format() (every byte in a value: bare only as a token or an
 * address) and format -> parse round trips
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/authres.h"
#include "util/buf.h"
#include "unit.h"

#define T_AUTHRES_N(a)	(sizeof(a) / sizeof((a)[0]))
/* 51 characters: "dkim=pass header.d=" plus these ends at column 78 */
#define T_AUTHRES_A51	"aaaaaaaaaaaaaaaaaaaaaaaaa" "aaaaaaaaaaaaaaaaaaaaaaaaaa"

/*
 * t_authres_summary - a parsed struct as one line:
 * "id/version: method=result[reason]{ptype.prop=value,...}; ..."
 */
static void
t_authres_summary(const struct authres *ar, struct buf *out)
{
	size_t i, j;

	buf_printf(out, "%s/%d:", ar->authserv_id, ar->version);
	for (i = 0; i < ar->n; i++) {
		const struct authres_result *r = &ar->r[i];

		buf_printf(out, "%s %s=%s", i ? ";" : "", r->method, r->result);
		if (r->reason != NULL)
			buf_printf(out, "[%s]", r->reason);
		if (r->nprops > 0)
			buf_putc(out, '{');
		for (j = 0; j < r->nprops; j++)
			buf_printf(out, "%s%s.%s=%s", j ? "," : "",
			    r->props[j].ptype, r->props[j].property,
			    r->props[j].value);
		if (r->nprops > 0)
			buf_putc(out, '}');
	}
}

/* authres_parse() of values that must parse */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* field value */
	const char	*want;		/* t_authres_summary() */
} t_authres_ok_cases[] = {
	{ "one method", "mx.example.org; spf=pass smtp.mailfrom=example.com",
	    "mx.example.org/1: spf=pass{smtp.mailfrom=example.com}" },
	{ "none", "mx.example.org; none", "mx.example.org/1:" },
	{ "none with version", "mx.example.org 1; none", "mx.example.org/1:" },
	{ "none with a comment", "mx.example.org; none (nothing checked)",
	    "mx.example.org/1:" },
	{ "version and comments", "mx.example.org (a) 1 (b) ; none",
	    "mx.example.org/1:" },
	{ "other version", "mx.example.org 2; spf=pass",
	    "mx.example.org/2: spf=pass" },
	{ "no properties", "mx.example.org; spf=none",
	    "mx.example.org/1: spf=none" },
	{ "quoted authserv-id", "\"mx.example.org\"; none",
	    "mx.example.org/1:" },
	{ "quoted authserv-id with space", "\"my mx\"; none", "my mx/1:" },
	{ "comment before the id", "(x) mx.example.org; none",
	    "mx.example.org/1:" },
	{ "comment glued to the id", "mx.example.org(c);none",
	    "mx.example.org/1:" },
	{ "real world: Gmail",
	    "mx.google.com;\r\n"
	    "       dkim=pass header.i=@example.com header.s=20210112 "
	    "header.b=AbCdEf12;\r\n"
	    "       spf=pass (google.com: domain of user@example.com "
	    "designates 209.85.220.41 as permitted sender) "
	    "smtp.mailfrom=user@example.com;\r\n"
	    "       dmarc=pass (p=NONE sp=NONE dis=NONE) "
	    "header.from=example.com",
	    "mx.google.com/1: dkim=pass{header.i=@example.com,"
	    "header.s=20210112,header.b=AbCdEf12}; "
	    "spf=pass{smtp.mailfrom=user@example.com}; "
	    "dmarc=pass{header.from=example.com}" },
	{ "real world: folded with tabs",
	    "mx.example.org;\n\tspf=pass smtp.mailfrom=a.example\n\t"
	    "smtp.helo=mail.a.example;\n\tdkim=pass header.d=a.example "
	    "header.s=sel1 header.a=rsa-sha256 header.b=AbCdEf12",
	    "mx.example.org/1: spf=pass{smtp.mailfrom=a.example,"
	    "smtp.helo=mail.a.example}; dkim=pass{header.d=a.example,"
	    "header.s=sel1,header.a=rsa-sha256,header.b=AbCdEf12}" },
	{ "method version dkim/1", "mx; dkim/1=pass header.d=example.com",
	    "mx/1: dkim=pass{header.d=example.com}" },
	{ "method version with CFWS", "mx; dkim (c) / (c) 1 (c) = (c) pass",
	    "mx/1: dkim=pass" },
	{ "reason quoted",
	    "mx; dmarc=fail reason=\"p=reject, aligned\" "
	    "header.from=example.com",
	    "mx/1: dmarc=fail[p=reject, aligned]{header.from=example.com}" },
	{ "reason token", "mx; spf=fail reason=bad smtp.mailfrom=x.example",
	    "mx/1: spf=fail[bad]{smtp.mailfrom=x.example}" },
	{ "reason after a property",
	    "mx; dkim=fail header.d=x.example reason=\"bad sig\"",
	    "mx/1: dkim=fail[bad sig]{header.d=x.example}" },
	{ "reason with CFWS", "mx; dkim=fail reason (c) = (c) \"bad\"",
	    "mx/1: dkim=fail[bad]" },
	{ "reason.x is a property", "mx; x=pass reason.foo=bar",
	    "mx/1: x=pass{reason.foo=bar}" },
	{ "case folded", "mx; SPF=PASS SMTP.MailFrom=Example.COM",
	    "mx/1: spf=pass{smtp.mailfrom=Example.COM}" },
	{ "address with local part",
	    "mx; spf=pass smtp.mailfrom=user@example.com",
	    "mx/1: spf=pass{smtp.mailfrom=user@example.com}" },
	{ "address without local part",
	    "mx; dkim=pass header.i=@example.com",
	    "mx/1: dkim=pass{header.i=@example.com}" },
	{ "quoted local part",
	    "mx; spf=pass smtp.mailfrom=\"john doe\"@example.com",
	    "mx/1: spf=pass{smtp.mailfrom=john doe@example.com}" },
	{ "quoted local part with escapes",
	    "mx; spf=pass smtp.mailfrom=\"a\\\"b\"@example.com",
	    "mx/1: spf=pass{smtp.mailfrom=a\"b@example.com}" },
	{ "quoted value", "mx; x=pass header.s=\"a b;c\"",
	    "mx/1: x=pass{header.s=a b;c}" },
	{ "empty quoted value", "mx; x=pass header.s=\"\"",
	    "mx/1: x=pass{header.s=}" },
	{ "header.b with / + =",
	    "mx; dkim=pass header.d=example.com header.b=Ab/+Cd=",
	    "mx/1: dkim=pass{header.d=example.com,header.b=Ab/+Cd=}" },
	{ "header.b quoted", "mx; dkim=pass header.b=\"Ab/+Cd=\"",
	    "mx/1: dkim=pass{header.b=Ab/+Cd=}" },
	{ "comments between properties",
	    "mx; dkim=pass (good) header.d=example.com (1024-bit key) "
	    "header.s=sel (x)",
	    "mx/1: dkim=pass{header.d=example.com,header.s=sel}" },
	{ "comment glued to a value",
	    "mx; iprev=pass policy.iprev=192.0.2.1(mail.example.com)",
	    "mx/1: iprev=pass{policy.iprev=192.0.2.1}" },
	{ "CFWS everywhere",
	    "mx; spf (c) = (c) pass (c) smtp (c) . (c) mailfrom (c) = (c) "
	    "x.example (c)",
	    "mx/1: spf=pass{smtp.mailfrom=x.example}" },
	{ "nested comments",
	    "mx; spf=pass (a (b (c)) \\) d) smtp.helo=h.example",
	    "mx/1: spf=pass{smtp.helo=h.example}" },
	{ "no space after ;", "mx;spf=pass;dkim=fail;dmarc=none",
	    "mx/1: spf=pass; dkim=fail; dmarc=none" },
	{ "hyphenated property",
	    "mx; arc=pass (i=2) smtp.remote-ip=192.0.2.1 "
	    "header.oldest-pass=0",
	    "mx/1: arc=pass{smtp.remote-ip=192.0.2.1,header.oldest-pass=0}" },
	{ "auth method", "mx; auth=pass smtp.auth=user@example.com",
	    "mx/1: auth=pass{smtp.auth=user@example.com}" },
	{ "trailing CFWS", "mx; spf=pass \r\n\t (end)  ", "mx/1: spf=pass" },
	{ "16 properties",
	    "mx; x=pass a.a=1 a.b=2 a.c=3 a.d=4 a.e=5 a.f=6 a.g=7 a.h=8 "
	    "a.i=9 a.j=10 a.k=11 a.l=12 a.m=13 a.n=14 a.o=15 a.p=16",
	    "mx/1: x=pass{a.a=1,a.b=2,a.c=3,a.d=4,a.e=5,a.f=6,a.g=7,a.h=8,"
	    "a.i=9,a.j=10,a.k=11,a.l=12,a.m=13,a.n=14,a.o=15,a.p=16}" },
};

/* t_authres_parse_ok - every value that must parse */
static void
t_authres_parse_ok(void)
{
	struct authres ar;
	struct buf why, sum;
	size_t i;

	buf_init(&why, 1024);
	buf_init(&sum, 8192);
	for (i = 0; i < T_AUTHRES_N(t_authres_ok_cases); i++) {
		const char *in = t_authres_ok_cases[i].in;
		enum authres_status st;

		buf_reset(&why);
		buf_reset(&sum);
		st = authres_parse(in, strlen(in), &ar, &why);
		t_authres_summary(&ar, &sum);
		UNIT_CHECK(st == AUTHRES_OK, t_authres_ok_cases[i].label,
		    "status %d: %s", st, why.data);
		UNIT_STREQ(sum.data, t_authres_ok_cases[i].want,
		    t_authres_ok_cases[i].label);
		authres_free(&ar);
	}
	buf_free(&sum);
	buf_free(&why);
}

/* authres_parse() of values that must not parse */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* field value */
	size_t		 len;		/* of in; 0 = strlen */
	enum authres_status want;	/* SYNTAX or TOOMANY */
} t_authres_bad_cases[] = {
	{ "empty", "", 0, AUTHRES_SYNTAX },
	{ "real world: Microsoft, no authserv-id",
	    "spf=pass (sender IP is 40.107.1.2) smtp.mailfrom=example.com; "
	    "dkim=pass (signature was verified) header.d=example.com;"
	    "dmarc=pass action=none header.from=example.com;compauth=pass "
	    "reason=100", 0, AUTHRES_SYNTAX },
	{ "only spaces", "   ", 0, AUTHRES_SYNTAX },
	{ "only a comment", "(c)", 0, AUTHRES_SYNTAX },
	{ "no authserv-id", "; spf=pass", 0, AUTHRES_SYNTAX },
	{ "no ; after the id", "mx spf=pass", 0, AUTHRES_SYNTAX },
	{ "method without =", "mx; spf", 0, AUTHRES_SYNTAX },
	{ "method without result", "mx; spf=", 0, AUTHRES_SYNTAX },
	{ "result without method", "mx; =pass", 0, AUTHRES_SYNTAX },
	{ "bad method version", "mx; dkim/=pass", 0, AUTHRES_SYNTAX },
	{ "ptype alone", "mx; spf=pass smtp", 0, AUTHRES_SYNTAX },
	{ "property without =", "mx; spf=pass smtp.mailfrom", 0,
	    AUTHRES_SYNTAX },
	{ "property without value", "mx; spf=pass smtp.mailfrom=", 0,
	    AUTHRES_SYNTAX },
	{ "property without name", "mx; spf=pass smtp.=x", 0,
	    AUTHRES_SYNTAX },
	{ "unterminated quoted value",
	    "mx; spf=pass smtp.mailfrom=\"unterminated", 0, AUTHRES_SYNTAX },
	{ "unbalanced comment after result", "mx; spf=pass (unbalanced", 0,
	    AUTHRES_SYNTAX },
	{ "unbalanced comment before the id", "(unbalanced mx; none", 0,
	    AUTHRES_SYNTAX },
	{ "unbalanced comment after the id", "mx (unbalanced; none", 0,
	    AUTHRES_SYNTAX },
	{ "comments nested 17 deep",
	    "mx; spf=pass (((((((((((((((((x)))))))))))))))))", 0,
	    AUTHRES_SYNTAX },
	{ "none then a result", "mx; none; spf=pass", 0, AUTHRES_SYNTAX },
	{ "empty reason", "mx; spf=pass reason=", 0, AUTHRES_SYNTAX },
	{ "two reasons", "mx; spf=pass reason=a reason=b", 0,
	    AUTHRES_SYNTAX },
	{ "unterminated quoted id", "\"mx; none", 0, AUTHRES_SYNTAX },
	{ "NUL inside", "mx; spf=pa\0ss", 13, AUTHRES_SYNTAX },
	{ "8-bit in a value", "mx; spf=pass smtp.mailfrom=a\xc3\xa9.example",
	    0, AUTHRES_SYNTAX },
	{ "two ; in a row", "mx;; spf=pass", 0, AUTHRES_SYNTAX },
	{ "17 properties",
	    "mx; x=pass a.a=1 a.b=2 a.c=3 a.d=4 a.e=5 a.f=6 a.g=7 a.h=8 "
	    "a.i=9 a.j=10 a.k=11 a.l=12 a.m=13 a.n=14 a.o=15 a.p=16 a.q=17", 0,
	    AUTHRES_TOOMANY },
};

/* t_authres_parse_bad - SYNTAX/TOOMANY with a reason, and no leak */
static void
t_authres_parse_bad(void)
{
	struct authres ar;
	struct buf why;
	size_t i;

	buf_init(&why, 1024);
	for (i = 0; i < T_AUTHRES_N(t_authres_bad_cases); i++) {
		const char *in = t_authres_bad_cases[i].in;
		size_t len = t_authres_bad_cases[i].len ?
		    t_authres_bad_cases[i].len : strlen(in);
		enum authres_status st;

		buf_reset(&why);
		st = authres_parse(in, len, &ar, &why);
		UNIT_CHECK(st == t_authres_bad_cases[i].want,
		    t_authres_bad_cases[i].label, "status %d, want %d", st,
		    t_authres_bad_cases[i].want);
		UNIT_CHECK(why.len > 0, t_authres_bad_cases[i].label,
		    "no reason text");
		authres_free(&ar);
	}
	buf_free(&why);
}

/* over-long words: head, then AUTHRES_MAX_VALUE + 10 times "a", tail */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*head;		/* before the long run */
	const char	*tail;		/* after it */
} t_authres_long_cases[] = {
	{ "regression: over-long property value", "mx; spf=pass smtp.mailfrom=",
	    ".example" },
	{ "regression: over-long quoted property value",
	    "mx; spf=pass smtp.mailfrom=\"", "\"@example.com" },
	{ "regression: over-long reason", "mx; spf=fail reason=", "" },
	{ "regression: over-long method", "mx; ", "=pass" },
};

/* t_authres_limits - AUTHRES_MAX_RESULTS, and an over-long authserv-id */
static void
t_authres_limits(void)
{
	struct authres ar;
	struct buf in, why;
	enum authres_status st;
	size_t i;

	buf_init(&why, 1024);
	for (i = AUTHRES_MAX_RESULTS; i <= AUTHRES_MAX_RESULTS * 4;
	    i += AUTHRES_MAX_RESULTS) {
		size_t k;

		buf_init(&in, 1024 * 1024);
		buf_puts(&in, "mx.example.org");
		for (k = 0; k < i + (i > AUTHRES_MAX_RESULTS); k++)
			buf_printf(&in, "; dkim=pass header.d=d%zu.example "
			    "header.b=AbCd%zu", k, k);
		buf_reset(&why);
		st = authres_parse(in.data, in.len, &ar, &why);
		if (i == AUTHRES_MAX_RESULTS) {
			UNIT_CHECK(st == AUTHRES_OK && ar.n ==
			    AUTHRES_MAX_RESULTS, "AUTHRES_MAX_RESULTS results",
			    "status %d n %zu: %s", st, ar.n, why.data);
			UNIT_CHECK(ar.n > 0 &&
			    strcmp(ar.r[ar.n - 1].props[0].value,
			    "d63.example") == 0, "last result kept",
			    "wrong value");
		} else
			UNIT_CHECK(st == AUTHRES_TOOMANY &&
			    ar.n == AUTHRES_MAX_RESULTS && why.len > 0,
			    "more than AUTHRES_MAX_RESULTS results",
			    "%zu results: status %d n %zu", i + 1, st, ar.n);
		authres_free(&ar);
		buf_free(&in);
	}

	/* an authserv-id longer than AUTHRES_MAX_VALUE */
	buf_init(&in, 8192);
	for (i = 0; i < AUTHRES_MAX_VALUE + 10; i++)
		buf_putc(&in, 'a');
	buf_puts(&in, "; none");
	buf_reset(&why);
	st = authres_parse(in.data, in.len, &ar, &why);
	UNIT_CHECK(st == AUTHRES_SYNTAX, "over-long authserv-id",
	    "status %d", st);
	authres_free(&ar);
	buf_free(&in);

	/*
	 * Regression (lib/mail/authres.c, fixed): past AUTHRES_MAX_VALUE bytes a method,
	 * result, reason or property value is cut short in its buf and
	 * authres_parse() still says AUTHRES_OK, handing back a different
	 * value than the header holds (a cut smtp.mailfrom or header.from is
	 * another, plausible domain). An over-long authserv-id is refused
	 * (AUTHRES_SYNTAX); these must be refused the same way.
	 */
	for (i = 0; i < T_AUTHRES_N(t_authres_long_cases); i++) {
		size_t k;

		buf_init(&in, 8192);
		buf_puts(&in, t_authres_long_cases[i].head);
		for (k = 0; k < AUTHRES_MAX_VALUE + 10; k++)
			buf_putc(&in, 'a');
		buf_puts(&in, t_authres_long_cases[i].tail);
		buf_reset(&why);
		st = authres_parse(in.data, in.len, &ar, &why);
		UNIT_CHECK(st != AUTHRES_OK, t_authres_long_cases[i].label,
		    "AUTHRES_OK with a value cut to %d bytes",
		    AUTHRES_MAX_VALUE);
		authres_free(&ar);
		buf_free(&in);
	}

	/* the builder refuses past the limits too */
	authres_init(&ar, "mx");
	for (i = 0; i < AUTHRES_MAX_RESULTS; i++)
		if (authres_add(&ar, "spf", "pass") == NULL)
			break;
	UNIT_CHECK(i == AUTHRES_MAX_RESULTS, "authres_add up to the limit",
	    "stopped at %zu", i);
	UNIT_CHECK(authres_add(&ar, "spf", "pass") == NULL &&
	    ar.n == AUTHRES_MAX_RESULTS, "authres_add past the limit",
	    "n %zu", ar.n);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		if (authres_prop(&ar.r[0], "smtp", "x", "y") != 0)
			break;
	UNIT_CHECK(i == AUTHRES_MAX_PROPS, "authres_prop up to the limit",
	    "stopped at %zu", i);
	UNIT_CHECK(authres_prop(&ar.r[0], "smtp", "x", "y") == -1 &&
	    ar.r[0].nprops == AUTHRES_MAX_PROPS, "authres_prop past the limit",
	    "nprops %zu", ar.r[0].nprops);
	authres_free(&ar);
	buf_free(&why);
}

/* t_authres_id - just the authserv-id */
static void
t_authres_id(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		const char	*in;	/* field value */
		int		 want_rc;	/* 0 or -1 */
		const char	*want;	/* the id */
	} cases[] = {
		{ "plain", "mx.example.org; spf=pass", 0, "mx.example.org" },
		{ "comment and version", "  (c) mx.example.org 1; none", 0,
		    "mx.example.org" },
		{ "quoted", "\"quoted id\"; none", 0, "quoted id" },
		{ "id only", "mx.example.org", 0, "mx.example.org" },
		{ "no id", "; none", -1, NULL },
		{ "empty", "", -1, NULL },
		{ "broken comment", "(unbalanced mx", -1, NULL },
		{ "unterminated quote", "\"mx; none", -1, NULL },
	};
	struct buf out;
	size_t i;

	buf_init(&out, 1024);
	for (i = 0; i < T_AUTHRES_N(cases); i++) {
		int rc;

		buf_reset(&out);
		rc = authres_id(cases[i].in, strlen(cases[i].in), &out);
		UNIT_CHECK(rc == cases[i].want_rc, cases[i].label,
		    "rc %d, want %d", rc, cases[i].want_rc);
		if (rc == 0 && cases[i].want != NULL)
			UNIT_STREQ(out.data, cases[i].want, cases[i].label);
	}
	buf_free(&out);
}

/* authres_claims(): does the field claim our authserv-id */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* field value */
	const char	*ours;		/* our authserv-id */
	int		 want;		/* 1 claims */
} t_authres_claims_cases[] = {
	{ "same id", "mx.example.org; spf=pass", "mx.example.org", 1 },
	{ "case-insensitive", "MX.Example.ORG; spf=pass", "mx.example.org",
	    1 },
	{ "ours in upper case", "mx.example.org; none", "MX.EXAMPLE.ORG", 1 },
	{ "quoted id", "\"mx.example.org\"; spf=pass", "mx.example.org", 1 },
	{ "comment before id", "(x) mx.example.org; spf=pass",
	    "mx.example.org", 1 },
	{ "comment glued to id", "mx.example.org(x); spf=pass",
	    "mx.example.org", 1 },
	{ "id with version", "mx.example.org 1; none", "mx.example.org", 1 },
	{ "folded before id", "\r\n\tmx.example.org;\r\n\tspf=pass",
	    "mx.example.org", 1 },
	{ "id then junk", "mx.example.org/x; spf=pass", "mx.example.org", 1 },
	{ "garbage: control byte before our id",
	    "\x01mx.example.org; spf=pass", "mx.example.org", 1 },
	{ "garbage: unbalanced comment before our id",
	    "(unbalanced mx.example.org; spf=pass", "mx.example.org", 1 },
	{ "garbage: @ before our id", "@mx.example.org; spf=pass",
	    "mx.example.org", 1 },
	{ "garbage: unterminated quote", "\"mx.example.org; spf=pass",
	    "mx.example.org", 1 },
	{ "garbage: our id later, other case",
	    "; spf=pass (MX.EXAMPLE.ORG)", "mx.example.org", 1 },
	{ "trailing dot", "mx.rcpt.example.; spf=pass", "mx.rcpt.example",
	    1 },
	{ "trailing dot, quoted", "\"mx.rcpt.example.\"; spf=pass",
	    "mx.rcpt.example", 1 },
	{ "trailing dot, other case", "MX.Rcpt.Example.; none",
	    "mx.rcpt.example", 1 },
	{ "trailing dot, comment glued", "mx.rcpt.example.(x); spf=pass",
	    "mx.rcpt.example", 1 },
	{ "ours with a trailing dot", "mx.rcpt.example; spf=pass",
	    "mx.rcpt.example.", 1 },
	{ "both with a trailing dot", "mx.rcpt.example.; spf=pass",
	    "mx.rcpt.example.", 1 },
	{ "two trailing dots", "mx.rcpt.example..; spf=pass",
	    "mx.rcpt.example", 1 },
	{ "foreign id with a trailing dot", "mx.other.example.; spf=pass",
	    "mx.rcpt.example", 0 },
	{ "ours plus a label, trailing dot", "mx.rcpt.example.org.; none",
	    "mx.rcpt.example", 0 },
	{ "a lone dot", ".; spf=pass", "mx.rcpt.example", 0 },
	{ "foreign id", "mx.other.example; spf=pass", "mx.example.org", 0 },
	{ "foreign id, ours in a value",
	    "mx.other.example; spf=pass smtp.helo=mx.example.org",
	    "mx.example.org", 0 },
	{ "foreign id, ours in a comment",
	    "mx.other.example (mx.example.org); spf=pass", "mx.example.org",
	    0 },
	{ "ours as a suffix", "evil.mx.example.org; spf=pass",
	    "mx.example.org", 0 },
	{ "ours as a prefix", "mx.example.org.evil; spf=pass",
	    "mx.example.org", 0 },
	{ "CVE-2020-12272 shape, foreign", "example.net(.example.com; none",
	    "example.com", 0 },
	{ "CVE-2020-12272 shape, ours", "example.net(.example.com; none",
	    "example.net", 1 },
	{ "garbage without our id", "(unbalanced foo; spf=pass",
	    "mx.example.org", 0 },
	{ "empty field", "", "mx.example.org", 0 },
};

/* t_authres_claims - every claims case */
static void
t_authres_claims(void)
{
	struct buf in;
	size_t i;

	for (i = 0; i < T_AUTHRES_N(t_authres_claims_cases); i++) {
		const char *v = t_authres_claims_cases[i].in;
		int got;

		got = authres_claims(v, strlen(v),
		    t_authres_claims_cases[i].ours);
		UNIT_CHECK(got == t_authres_claims_cases[i].want,
		    t_authres_claims_cases[i].label,
		    "\"%s\" vs %s: %d, want %d", v,
		    t_authres_claims_cases[i].ours, got,
		    t_authres_claims_cases[i].want);
	}

	/* an id too long to read, with ours inside: a forgery is removed */
	buf_init(&in, 8192);
	for (i = 0; i < AUTHRES_MAX_VALUE; i++)
		buf_putc(&in, 'x');
	buf_puts(&in, "mx.example.org; spf=pass");
	UNIT_CHECK(authres_claims(in.data, in.len, "mx.example.org") == 1,
	    "over-long id containing ours", "not claimed");
	buf_free(&in);

	/* the length is honoured: ours lies past len */
	UNIT_CHECK(authres_claims("(x mx.example.org", 5, "mx.example.org") ==
	    0, "claims stays within len", "claimed");
}

/* a small struct to format: rows of results */
struct t_authres_prop {
	const char	*ptype;		/* smtp, header, ... */
	const char	*property;	/* mailfrom, d, ... */
	const char	*value;		/* raw value */
};

struct t_authres_res {
	const char	*method;	/* spf, dkim, ... */
	const char	*result;	/* pass, ... */
	const char	*reason;	/* or NULL */
	const char	*comment;	/* or NULL */
	struct t_authres_prop props[6];	/* ptype NULL ends */
};

/* t_authres_build - the rows into ar */
static void
t_authres_build(struct authres *ar, const char *id,
    const struct t_authres_res *rows, size_t n)
{
	size_t i, j;

	authres_init(ar, id);
	for (i = 0; i < n; i++) {
		struct authres_result *r = authres_add(ar, rows[i].method,
		    rows[i].result);

		if (r == NULL)
			return;
		if (rows[i].reason != NULL)
			r->reason = strdup(rows[i].reason);
		if (rows[i].comment != NULL)
			authres_comment(r, rows[i].comment);
		for (j = 0; j < 6 && rows[i].props[j].ptype != NULL; j++)
			authres_prop(r, rows[i].props[j].ptype,
			    rows[i].props[j].property, rows[i].props[j].value);
	}
}

/* authres_format(): exact output */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*id;		/* authserv-id */
	struct t_authres_res rows[3];	/* method NULL ends */
	const char	*want;		/* field value */
} t_authres_fmt_cases[] = {
	{ "no results: none", "mx.example.org", { { 0 } },
	    "mx.example.org; none" },
	{ "id that needs quotes", "my mx", { { 0 } }, "\"my mx\"; none" },
	{ "one method", "mx.example.org",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "example.com" },
		{ "smtp", "helo", "mail.example.com" } } } },
	    "mx.example.org;\n\tspf=pass smtp.mailfrom=example.com "
	    "smtp.helo=mail.example.com" },
	{ "one method per line", "mx.example.org",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "sender.example" } } },
	      { "dkim", "pass", NULL, NULL, {
		{ "header", "d", "sender.example" },
		{ "header", "s", "sel1" } } },
	      { "dmarc", "none", NULL, NULL, { { 0 } } } },
	    "mx.example.org;\n\tspf=pass smtp.mailfrom=sender.example;\n\t"
	    "dkim=pass header.d=sender.example header.s=sel1;\n\tdmarc=none" },
	{ "values with / and = are quoted", "mx",
	    { { "dkim", "pass", NULL, NULL, {
		{ "header", "b", "Ab/Cd" }, { "header", "x", "a=b" },
		{ "header", "y", "Ab+Cd" } } } },
	    "mx;\n\tdkim=pass header.b=\"Ab/Cd\" header.x=\"a=b\" "
	    "header.y=Ab+Cd" },
	{ "addresses stay bare", "mx",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "user@example.com" },
		{ "header", "i", "@example.com" },
		{ "header", "x", "a@b@c" } } } },
	    "mx;\n\tspf=pass smtp.mailfrom=user@example.com "
	    "header.i=@example.com\n\theader.x=\"a@b@c\"" },
	/* RFC 8601 2.2: a value is a token or a quoted-string, and ";" is a
	 * tspecial; bare, it would end the resinfo (issue 20 item 3) */
	{ "HELO with ; is quoted", "mx",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "x.example" },
		{ "smtp", "helo", "x.example;foo" } } } },
	    "mx;\n\tspf=pass smtp.mailfrom=x.example "
	    "smtp.helo=\"x.example;foo\"" },
	{ "reason and authserv-id with ; are quoted", "mx;x",
	    { { "dkim", "fail", "a;b", NULL, { { 0 } } } },
	    "\"mx;x\";\n\tdkim=fail reason=\"a;b\"" },
	{ "; in an address is quoted", "mx",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "a;b@x.example" },
		{ "header", "i", "@x.example;y" } } } },
	    "mx;\n\tspf=pass smtp.mailfrom=\"a;b@x.example\" "
	    "header.i=\"@x.example;y\"" },
	{ "addresses that are no pvalue are quoted", "mx",
	    { { "x", "pass", NULL, NULL, {
		{ "a", "a", "user@" }, { "a", "b", "@" },
		{ "a", "c", "a..b@x.example" }, { "a", "d", ".a@x.example" },
		{ "a", "e", "a.@x.example" } } } },
	    "mx;\n\tx=pass a.a=\"user@\" a.b=\"@\" a.c=\"a..b@x.example\" "
	    "a.d=\".a@x.example\"\n\ta.e=\"a.@x.example\"" },
	{ "domains that are no domain-name are quoted", "mx",
	    { { "x", "pass", NULL, NULL, {
		{ "a", "a", "u@x..example" }, { "a", "b", "u@-x.example" },
		{ "a", "c", "u@x-.example" }, { "a", "d", "u@x.example." },
		{ "a", "e", "u@x_y.example" } } } },
	    "mx;\n\tx=pass a.a=\"u@x..example\" a.b=\"u@-x.example\" "
	    "a.c=\"u@x-.example\"\n\ta.d=\"u@x.example.\" "
	    "a.e=\"u@x_y.example\"" },
	{ "valid addresses stay bare", "mx",
	    { { "x", "pass", NULL, NULL, {
		{ "a", "a", "first.last+tag@mail-1.x.example" },
		{ "a", "b", "@x.example" }, { "a", "c", "o'neil@x9.example" },
		{ "a", "d", "a@b" } } } },
	    "mx;\n\tx=pass a.a=first.last+tag@mail-1.x.example a.b=@x.example"
	    "\n\ta.c=o'neil@x9.example a.d=a@b" },
	{ "quotes and backslashes escaped", "mx",
	    { { "x", "pass", NULL, NULL, {
		{ "a", "b", "say \"hi\" \\o/" } } } },
	    "mx;\n\tx=pass a.b=\"say \\\"hi\\\" \\\\o/\"" },
	{ "empty value", "mx",
	    { { "x", "pass", NULL, NULL, { { "a", "b", "" } } } },
	    "mx;\n\tx=pass a.b=\"\"" },
	{ "control byte replaced", "mx",
	    { { "x", "pass", NULL, NULL, { { "a", "b", "a\tb\001" } } } },
	    "mx;\n\tx=pass a.b=\"a?b?\"" },
	{ "comment after the result", "mx",
	    { { "dmarc", "pass", NULL, "p=reject sp=reject dis=none", {
		{ "header", "from", "sender.example" } } } },
	    "mx;\n\tdmarc=pass (p=reject sp=reject dis=none) "
	    "header.from=sender.example" },
	{ "comment escaped", "mx",
	    { { "spf", "none", NULL, "a(b)c\\d\ne", { { 0 } } } },
	    "mx;\n\tspf=none (a\\(b\\)c\\\\d?e)" },
	{ "reason quoted", "mx",
	    { { "dkim", "fail", "signature verification failed", NULL, {
		{ "header", "d", "x.example" } } } },
	    "mx;\n\tdkim=fail reason=\"signature verification failed\" "
	    "header.d=x.example" },
	{ "comment, reason, properties in order", "mx",
	    { { "dkim", "fail", "bad", "c", {
		{ "header", "d", "x.example" } } } },
	    "mx;\n\tdkim=fail (c) reason=bad header.d=x.example" },
	{ "fold at 78 columns", "mx.example.org",
	    { { "dkim", "pass", NULL, NULL, {
		{ "header", "d", "example.com" },
		{ "header", "s", "selector1" },
		{ "header", "a", "rsa-sha256" },
		{ "header", "b", "AbCdEf12" } } } },
	    "mx.example.org;\n\tdkim=pass header.d=example.com "
	    "header.s=selector1 header.a=rsa-sha256\n\theader.b=AbCdEf12" },
	{ "exactly 78 columns: no fold", "mx",
	    { { "dkim", "pass", NULL, NULL, {
		{ "header", "d", T_AUTHRES_A51 } } } },
	    "mx;\n\tdkim=pass header.d=" T_AUTHRES_A51 },
	{ "79 columns: fold", "mx",
	    { { "dkim", "pass", NULL, NULL, {
		{ "header", "d", T_AUTHRES_A51 "a" } } } },
	    "mx;\n\tdkim=pass\n\theader.d=" T_AUTHRES_A51 "a" },
	{ "long words each on a line", "mx",
	    { { "x", "pass", NULL, NULL, {
		{ "a", "b", T_AUTHRES_A51 T_AUTHRES_A51 },
		{ "a", "c", T_AUTHRES_A51 "c" } } } },
	    "mx;\n\tx=pass\n\ta.b=" T_AUTHRES_A51 T_AUTHRES_A51
	    "\n\ta.c=" T_AUTHRES_A51 "c" },
};

/* t_authres_format - every formatting case, and every line's width */
static void
t_authres_format(void)
{
	struct authres ar;
	struct buf out;
	size_t i, n;

	buf_init(&out, 65536);
	for (i = 0; i < T_AUTHRES_N(t_authres_fmt_cases); i++) {
		for (n = 0; n < 3 && t_authres_fmt_cases[i].rows[n].method !=
		    NULL; n++)
			;
		t_authres_build(&ar, t_authres_fmt_cases[i].id,
		    t_authres_fmt_cases[i].rows, n);
		buf_reset(&out);
		authres_format(&ar, &out);
		UNIT_STREQ(out.data, t_authres_fmt_cases[i].want,
		    t_authres_fmt_cases[i].label);
		authres_free(&ar);
	}
	buf_free(&out);
}

/* RFC 2045 tspecials, written out here as the oracle for the writer */
#define T_AUTHRES_TSPECIALS	"()<>@,;:\\\"/[]?="

/* t_authres_want_value - how "a" c "b" must be written */
static void
t_authres_want_value(struct buf *want, int c, int addr)
{
	int bare = c > ' ' && c < 0x7f &&
	    (strchr(T_AUTHRES_TSPECIALS, c) == NULL || (addr && c == '@'));

	buf_reset(want);
	if (bare) {
		buf_printf(want, "a%cb", c);
		return;
	}
	buf_puts(want, "\"a");
	if (c == '"' || c == '\\')
		buf_putc(want, '\\');
	/* controls and a lone byte past 0x7f (no UTF-8) become "?" */
	buf_putc(want, c < ' ' || c >= 0x7f ? '?' : c);
	buf_puts(want, "b\"");
}

/*
 * t_authres_every_byte - "a" c "b" for every byte c as a reason (value)
 * and as a property (pvalue): bare exactly when it is a token (or, for
 * the property, an address), otherwise quoted and escaped
 */
static void
t_authres_every_byte(void)
{
	struct authres ar;
	struct authres_result *r;
	struct buf out, want, got;
	char v[4], label[64];
	int c;

	buf_init(&out, 4096);
	buf_init(&want, 64);
	buf_init(&got, 4096);
	for (c = 1; c < 256; c++) {
		snprintf(v, sizeof(v), "a%cb", c);
		snprintf(label, sizeof(label), "byte 0x%02x in a value", c);
		authres_init(&ar, "mx");
		r = authres_add(&ar, "x", "pass");
		r->reason = strdup(v);
		authres_prop(r, "a", "b", v);
		buf_reset(&out);
		authres_format(&ar, &out);
		buf_reset(&got);
		buf_puts(&got, "mx;\n\tx=pass reason=");
		t_authres_want_value(&want, c, 0);
		buf_append(&got, want.data, want.len);
		buf_puts(&got, " a.b=");
		t_authres_want_value(&want, c, 1);
		buf_append(&got, want.data, want.len);
		UNIT_STREQ(out.data, got.data, label);
		authres_free(&ar);
	}
	buf_free(&got);
	buf_free(&want);
	buf_free(&out);
}

/* t_authres_fold_width - a crowded header: no line past 78 columns */
static void
t_authres_fold_width(void)
{
	struct authres ar;
	struct authres_result *r;
	struct buf out;
	const char *line, *nl;
	size_t i, cols, worst = 0;

	authres_init(&ar, "mx.example.org");
	for (i = 0; i < 6; i++) {
		char v[32];

		r = authres_add(&ar, "dkim", i % 2 ? "pass" : "fail");
		authres_comment(r, "1024-bit key; sealed by forwarder");
		snprintf(v, sizeof(v), "d%zu.sender.example", i);
		authres_prop(r, "header", "d", v);
		authres_prop(r, "header", "i", "@sub.sender.example");
		authres_prop(r, "header", "s", "selector-2024-01");
		authres_prop(r, "header", "a", "rsa-sha256");
		authres_prop(r, "header", "b", "AbCdEf12");
	}
	buf_init(&out, 65536);
	authres_format(&ar, &out);
	for (line = out.data; line != NULL; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		cols = nl ? (size_t)(nl - line) : strlen(line);
		if (*line == '\t')
			cols += 7;	/* a tab counts as 8 columns */
		if (cols > worst)
			worst = cols;
	}
	UNIT_CHECK(worst <= AUTHRES_FOLD, "crowded header folds at 78",
	    "a line has %zu columns", worst);
	UNIT_CHECK(strstr(out.data, " \n") == NULL, "no space before a fold",
	    "trailing space");
	buf_free(&out);
	authres_free(&ar);
}

/* t_authres_same - two structs carry the same results */
static int
t_authres_same(const struct authres *a, const struct authres *b,
    struct buf *why)
{
	size_t i, j;

	if (strcmp(a->authserv_id, b->authserv_id) != 0)
		return buf_printf(why, "id %s vs %s", a->authserv_id,
		    b->authserv_id), 0;
	if (a->n != b->n)
		return buf_printf(why, "n %zu vs %zu", a->n, b->n), 0;
	for (i = 0; i < a->n; i++) {
		const struct authres_result *x = &a->r[i], *y = &b->r[i];

		if (strcmp(x->method, y->method) != 0 ||
		    strcmp(x->result, y->result) != 0)
			return buf_printf(why, "result %zu: %s=%s vs %s=%s", i,
			    x->method, x->result, y->method, y->result), 0;
		if ((x->reason == NULL) != (y->reason == NULL) ||
		    (x->reason != NULL && strcmp(x->reason, y->reason) != 0))
			return buf_printf(why, "result %zu: reason %s vs %s", i,
			    x->reason ? x->reason : "(none)",
			    y->reason ? y->reason : "(none)"), 0;
		if (x->nprops != y->nprops)
			return buf_printf(why, "result %zu: %zu vs %zu props",
			    i, x->nprops, y->nprops), 0;
		for (j = 0; j < x->nprops; j++)
			if (strcmp(x->props[j].ptype, y->props[j].ptype) != 0 ||
			    strcmp(x->props[j].property,
			    y->props[j].property) != 0 ||
			    strcmp(x->props[j].value, y->props[j].value) != 0)
				return buf_printf(why, "result %zu prop %zu: "
				    "%s.%s=%s vs %s.%s=%s", i, j,
				    x->props[j].ptype, x->props[j].property,
				    x->props[j].value, y->props[j].ptype,
				    y->props[j].property, y->props[j].value), 0;
	}
	return 1;
}

/* format -> parse gives back what was formatted */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*id;		/* authserv-id */
	struct t_authres_res rows[3];	/* method NULL ends */
} t_authres_trip_cases[] = {
	{ "round trip: none", "mx.example.org", { { 0 } } },
	{ "round trip: spf, dkim, dmarc", "mx.example.org",
	    { { "spf", "pass", NULL, NULL, {
		{ "smtp", "mailfrom", "sender.example" },
		{ "smtp", "helo", "mail.sender.example" } } },
	      { "dkim", "pass", NULL, NULL, {
		{ "header", "d", "sender.example" },
		{ "header", "s", "sel1" },
		{ "header", "a", "rsa-sha256" },
		{ "header", "b", "AbCdEf12" } } },
	      { "dmarc", "pass", NULL, "p=reject sp=reject dis=none", {
		{ "header", "from", "sender.example" } } } } },
	{ "round trip: tricky values", "mx.example.org",
	    { { "dkim", "fail", "body hash did not verify", "(nested) \\x", {
		{ "header", "b", "Ab/+Cd==" },
		{ "header", "i", "@sub.example" },
		{ "smtp", "mailfrom", "john doe@example.com" },
		{ "header", "x", "a;b(c)\"d\"\\e" },
		{ "header", "y", "" },
		{ "policy", "z", "a@b@c" } } } } },
	{ "round trip: quoted id", "my mx", { { "spf", "none", NULL, NULL,
	    { { 0 } } } } },
	{ "round trip: folded", "mx.example.org",
	    { { "arc", "pass", NULL, "i=2 sealers=a.example,b.example", {
		{ "smtp", "remote-ip", "2001:db8::1" },
		{ "header", "oldest-pass", "0" },
		{ "header", "long-one", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		{ "header", "long-two", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
		{ "header", "long-three", T_AUTHRES_A51 T_AUTHRES_A51 } } } } },
	{ "round trip: UTF-8 values (RFC 8616)", "mx",
	    { { "dkim", "pass", "sch\xc3\xb6n", "gr\xc3\xbc\xc3\x9f", {
		{ "smtp", "mailfrom", "j\xc3\xb6rg@b\xc3\xbc" "cher.example" },
		{ "header", "d", "b\xc3\xbc" "cher.example" } } } } },
	{ "round trip: reason with spaces", "mx",
	    { { "dmarc", "fail", "p=reject, not aligned", NULL, {
		{ "header", "from", "x.example" } } } } },
	{ "round trip: reason with @ and spaces", "mx",
	    { { "spf", "fail", "user@example.com not permitted", NULL, {
		{ "smtp", "mailfrom", "user@example.com" } } } } },
	/*
	 * Regression (lib/mail/authres.c, fixed): authres_put_value() lets one "@" through
	 * unquoted, which is right for a pvalue but not for the reason=
	 * value or the authserv-id (RFC 8601 section 2.2: both are "value",
	 * an RFC 2045 token or quoted-string, and "@" is a tspecial). They
	 * are written bare, so our own header does not parse back.
	 */
	{ "regression: round trip: reason that is an address", "mx",
	    { { "spf", "fail", "user@example.com", NULL, {
		{ "smtp", "mailfrom", "user@example.com" } } } } },
	{ "regression: round trip: authserv-id with @", "mx@example.org",
	    { { "spf", "pass", NULL, NULL, { { 0 } } } } },
};

/* t_authres_round_trip - format, parse, compare */
static void
t_authres_round_trip(void)
{
	struct authres a, b;
	struct buf out, why;
	size_t i, n;

	buf_init(&out, 65536);
	buf_init(&why, 1024);
	for (i = 0; i < T_AUTHRES_N(t_authres_trip_cases); i++) {
		enum authres_status st;

		for (n = 0; n < 3 && t_authres_trip_cases[i].rows[n].method !=
		    NULL; n++)
			;
		t_authres_build(&a, t_authres_trip_cases[i].id,
		    t_authres_trip_cases[i].rows, n);
		buf_reset(&out);
		buf_reset(&why);
		authres_format(&a, &out);
		st = authres_parse(out.data, out.len, &b, &why);
		UNIT_CHECK(st == AUTHRES_OK, t_authres_trip_cases[i].label,
		    "own output does not parse (%s): %s", why.data, out.data);
		buf_reset(&why);
		if (st == AUTHRES_OK)
			UNIT_CHECK(t_authres_same(&a, &b, &why),
			    t_authres_trip_cases[i].label, "%s", why.data);
		authres_free(&b);
		authres_free(&a);
	}
	buf_free(&why);
	buf_free(&out);
}

int
main(void)
{
	t_authres_parse_ok();
	t_authres_parse_bad();
	t_authres_limits();
	t_authres_id();
	t_authres_claims();
	t_authres_format();
	t_authres_every_byte();
	t_authres_fold_width();
	t_authres_round_trip();
	return unit_done("t_authres");
}
