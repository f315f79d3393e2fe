/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_spf_macro - spf_macro_expand() against RFC 7208 section 7: the
 * examples of 7.4, every letter (s l o d i p h c r t v) with DIGIT
 * transformers 1 to 5 and beyond, "r", every delimiter, the upper-case
 * URL-escaping forms, the escapes, the cut to 253 characters, IPv4 and
 * IPv6 clients, and the inputs that are errors; spf_macro_parse() and
 * spf_macro_plain() on what they accept
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "auth/spf_macro.h"
#include "unit.h"

#define T_SPF_MACRO_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_D	SPF_MACRO_DOMAIN
#define T_E	SPF_MACRO_EXPLAIN

/* the environment of RFC 7208 section 7.4, and a few more values */
#define T_SENDER	"strong-bad@email.example.com"
#define T_V4		"192.0.2.3"
#define T_V6		"2001:db8::cb01"
#define T_V6_NIBBLES	"2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0." \
	"0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"

static const struct {
	const char	*label;		/* what the case shows */
	int		 v6;		/* client T_V6, else T_V4 */
	int		 mode;		/* T_D or T_E */
	const char	*in;		/* macro-string */
	const char	*want;		/* expansion, NULL: an error */
} t_spf_macro_cases[] = {
	/* RFC 7208 section 7.4, first table */
	{ "7.4 %{s}", 0, T_D, "%{s}", T_SENDER },
	{ "7.4 %{o}", 0, T_D, "%{o}", "email.example.com" },
	{ "7.4 %{d}", 0, T_D, "%{d}", "email.example.com" },
	{ "7.4 %{d4}", 0, T_D, "%{d4}", "email.example.com" },
	{ "7.4 %{d3}", 0, T_D, "%{d3}", "email.example.com" },
	{ "7.4 %{d2}", 0, T_D, "%{d2}", "example.com" },
	{ "7.4 %{d1}", 0, T_D, "%{d1}", "com" },
	{ "7.4 %{dr}", 0, T_D, "%{dr}", "com.example.email" },
	{ "7.4 %{d2r}", 0, T_D, "%{d2r}", "example.email" },
	{ "7.4 %{l}", 0, T_D, "%{l}", "strong-bad" },
	{ "7.4 %{l-}", 0, T_D, "%{l-}", "strong.bad" },
	{ "7.4 %{lr}", 0, T_D, "%{lr}", "strong-bad" },
	{ "7.4 %{lr-}", 0, T_D, "%{lr-}", "bad.strong" },
	{ "7.4 %{l1r-}", 0, T_D, "%{l1r-}", "strong" },
	/* RFC 7208 section 7.4, second table and IPv6 */
	{ "7.4 ir v d2", 0, T_D, "%{ir}.%{v}._spf.%{d2}",
	    "3.2.0.192.in-addr._spf.example.com" },
	{ "7.4 lr- d2", 0, T_D, "%{lr-}.lp._spf.%{d2}",
	    "bad.strong.lp._spf.example.com" },
	{ "7.4 lr- ir v d2", 0, T_D, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
	{ "7.4 ir v l1r- d2", 0, T_D, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
	{ "7.4 d2 trusted", 0, T_D, "%{d2}.trusted-domains.example.net",
	    "example.com.trusted-domains.example.net" },
	{ "7.4 IPv6 ir v d2", 1, T_D, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com" },
	/* s: three parts ("strong-bad@email", "example", "com") */
	{ "s1", 0, T_D, "%{s1}", "com" },
	{ "s2", 0, T_D, "%{s2}", "example.com" },
	{ "s3: all parts", 0, T_D, "%{s3}", T_SENDER },
	{ "s4: more than all", 0, T_D, "%{s4}", T_SENDER },
	{ "s5", 0, T_D, "%{s5}", T_SENDER },
	{ "sr", 0, T_D, "%{sr}", "com.example.strong-bad@email" },
	{ "s2r", 0, T_D, "%{s2r}", "example.strong-bad@email" },
	{ "s5r", 0, T_D, "%{s5r}", "com.example.strong-bad@email" },
	{ "s split on @? no: not a delimiter", 0, T_D, "%{s-}",
	    "strong.bad@email.example.com" },
	/* l: one part on ".", two on "-" */
	{ "l1: one part, all", 0, T_D, "%{l1}", "strong-bad" },
	{ "l5", 0, T_D, "%{l5}", "strong-bad" },
	{ "l1-", 0, T_D, "%{l1-}", "bad" },
	{ "l2-: all", 0, T_D, "%{l2-}", "strong.bad" },
	{ "l3-", 0, T_D, "%{l3-}", "strong.bad" },
	{ "l2r-", 0, T_D, "%{l2r-}", "bad.strong" },
	/* o and d: three parts */
	{ "o1", 0, T_D, "%{o1}", "com" },
	{ "o2", 0, T_D, "%{o2}", "example.com" },
	{ "o3", 0, T_D, "%{o3}", "email.example.com" },
	{ "o4", 0, T_D, "%{o4}", "email.example.com" },
	{ "o5r", 0, T_D, "%{o5r}", "com.example.email" },
	{ "o1r", 0, T_D, "%{o1r}", "email" },
	{ "d5", 0, T_D, "%{d5}", "email.example.com" },
	{ "d3r", 0, T_D, "%{d3r}", "com.example.email" },
	{ "d1r", 0, T_D, "%{d1r}", "email" },
	{ "D upper: nothing to escape", 0, T_D, "%{D}", "email.example.com" },
	{ "DIGIT 127", 0, T_D, "%{d127}", "email.example.com" },
	{ "DIGIT 200 (libspf2 stops at 128)", 0, T_D, "%{d200}",
	    "email.example.com" },
	{ "DIGIT of many digits saturates", 0, T_D, "%{d99999999999999999}",
	    "email.example.com" },
	/* i: four parts for IPv4, 32 for IPv6 */
	{ "i", 0, T_D, "%{i}", T_V4 },
	{ "i1", 0, T_D, "%{i1}", "3" },
	{ "i2", 0, T_D, "%{i2}", "2.3" },
	{ "i3", 0, T_D, "%{i3}", "0.2.3" },
	{ "i4: all", 0, T_D, "%{i4}", T_V4 },
	{ "i5", 0, T_D, "%{i5}", T_V4 },
	{ "ir", 0, T_D, "%{ir}", "3.2.0.192" },
	{ "i1r", 0, T_D, "%{i1r}", "192" },
	{ "i2r", 0, T_D, "%{i2r}", "0.192" },
	{ "i4r", 0, T_D, "%{i4r}", "3.2.0.192" },
	{ "i5r", 0, T_D, "%{i5r}", "3.2.0.192" },
	{ "I", 0, T_D, "%{I}", T_V4 },
	{ "i IPv6", 1, T_D, "%{i}", T_V6_NIBBLES },
	{ "i1 IPv6", 1, T_D, "%{i1}", "1" },
	{ "i3 IPv6", 1, T_D, "%{i3}", "b.0.1" },
	{ "i32 IPv6: all", 1, T_D, "%{i32}", T_V6_NIBBLES },
	{ "i2r IPv6", 1, T_D, "%{i2r}", "0.2" },
	/* p: the validated name, three parts */
	{ "p", 0, T_D, "%{p}", "mx.example.org" },
	{ "p1", 0, T_D, "%{p1}", "org" },
	{ "p2", 0, T_D, "%{p2}", "example.org" },
	{ "p3", 0, T_D, "%{p3}", "mx.example.org" },
	{ "p4", 0, T_D, "%{p4}", "mx.example.org" },
	{ "pr", 0, T_D, "%{pr}", "org.example.mx" },
	{ "p2r", 0, T_D, "%{p2r}", "example.mx" },
	/* h: three parts */
	{ "h", 0, T_D, "%{h}", "mail.example.org" },
	{ "h1", 0, T_D, "%{h1}", "org" },
	{ "h2", 0, T_D, "%{h2}", "example.org" },
	{ "h3", 0, T_D, "%{h3}", "mail.example.org" },
	{ "h5", 0, T_D, "%{h5}", "mail.example.org" },
	{ "hr", 0, T_D, "%{hr}", "org.example.mail" },
	{ "h1r", 0, T_D, "%{h1r}", "mail" },
	/* v: one part on ".", two on "-" */
	{ "v IPv4", 0, T_D, "%{v}", "in-addr" },
	{ "v IPv6", 1, T_D, "%{v}", "ip6" },
	{ "v1: one part, all", 0, T_D, "%{v1}", "in-addr" },
	{ "v2", 0, T_D, "%{v2}", "in-addr" },
	{ "vr", 0, T_D, "%{vr}", "in-addr" },
	{ "v-", 0, T_D, "%{v-}", "in.addr" },
	{ "v1-", 0, T_D, "%{v1-}", "addr" },
	{ "vr-", 0, T_D, "%{vr-}", "addr.in" },
	{ "V", 0, T_D, "%{V}", "in-addr" },
	/* c, r, t: explanation text only */
	{ "c IPv4", 0, T_E, "%{c}", T_V4 },
	{ "c IPv6", 1, T_E, "%{c}", T_V6 },
	{ "c1 IPv4", 0, T_E, "%{c1}", "3" },
	{ "c1 IPv6: one part", 1, T_E, "%{c1}", T_V6 },
	{ "C IPv6 escapes the colons", 1, T_E, "%{C}", "2001%3Adb8%3A%3Acb01" },
	{ "r", 0, T_E, "%{r}", "mx.example.org" },
	{ "r1", 0, T_E, "%{r1}", "org" },
	{ "r2r", 0, T_E, "%{r2r}", "example.mx" },
	{ "t", 0, T_E, "%{t}", "1400000000" },
	{ "t1", 0, T_E, "%{t1}", "1400000000" },
	{ "T", 0, T_E, "%{T}", "1400000000" },
	{ "c in a domain", 0, T_D, "%{c}.example", NULL },
	{ "r in a domain", 0, T_D, "%{r}.example", NULL },
	{ "t in a domain", 0, T_D, "%{t}.example", NULL },
	{ "explanation text", 0, T_E, "%{i} is not one of %{d}'s servers.",
	    "192.0.2.3 is not one of email.example.com's servers." },
	/* upper case: URL-escape all but ALPHA DIGIT - . _ ~ */
	{ "S escapes @", 0, T_D, "%{S}", "strong-bad%40email.example.com" },
	{ "S2r", 0, T_D, "%{S2r}", "example.strong-bad%40email" },
	{ "L", 0, T_D, "%{L}", "strong-bad" },
	{ "O", 0, T_D, "%{O1}", "com" },
	{ "P", 0, T_D, "%{P}", "mx.example.org" },
	{ "H", 0, T_D, "%{H2}", "example.org" },
	/* delimiters (RFC 7208 section 7.1: . - + , / _ =) */
	{ "l.", 0, T_D, "%{l.}", "strong-bad" },
	{ "d-.", 0, T_D, "%{d-.}", "email.example.com" },
	{ "d r with - only", 0, T_D, "%{dr-}", "email.example.com" },
	{ "escapes", 0, T_D, "a%%b%_c%-d.example", "a%b c%20d.example" },
	{ "literal only", 0, T_D, "plain.example", "plain.example" },
	{ "empty", 0, T_D, "", "" },
	/* syntax errors */
	{ "% alone", 0, T_D, "%", NULL },
	{ "%x", 0, T_D, "%x.example", NULL },
	{ "%(ir) of 7.3", 0, T_D, "%(ir).sbl.example.org", NULL },
	{ "unclosed", 0, T_D, "%{d", NULL },
	{ "unknown letter", 0, T_D, "%{x}", NULL },
	{ "DIGIT 0", 0, T_D, "%{d0}", NULL },
	{ "bad delimiter |", 0, T_D, "%{d|}", NULL },
	{ "r before the DIGIT", 0, T_D, "%{dr2}", NULL },
	{ "space inside", 0, T_D, "%{d }", NULL },
	{ "empty braces", 0, T_D, "%{}", NULL },
};

/* a value with every delimiter, and one with every kind of character */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*local;		/* local-part of <sender> */
	const char	*in;		/* macro-string */
	const char	*want;		/* expansion */
} t_spf_macro_locals[] = {
	{ "every delimiter", "a.b-c+d,e/f_g=h", "%{l.-+,/_=}",
	    "a.b.c.d.e.f.g.h" },
	{ "every delimiter, 3", "a.b-c+d,e/f_g=h", "%{l3.-+,/_=}", "f.g.h" },
	{ "every delimiter, 5r", "a.b-c+d,e/f_g=h", "%{l5r.-+,/_=}",
	    "e.d.c.b.a" },
	{ "+ only", "a.b-c+d,e/f_g=h", "%{l+}", "a.b-c.d,e/f_g=h" },
	{ "+ only, 1", "a.b-c+d,e/f_g=h", "%{l1+}", "d,e/f_g=h" },
	{ ", only, r", "a.b-c+d,e/f_g=h", "%{lr,}", "e/f_g=h.a.b-c+d" },
	{ "/ only, 1", "a.b-c+d,e/f_g=h", "%{l1/}", "f_g=h" },
	{ "_ only, 1r", "a.b-c+d,e/f_g=h", "%{l1r_}", "a.b-c+d,e/f" },
	{ "= only, 2", "a.b-c+d,e/f_g=h", "%{l2=}", "a.b-c+d,e/f_g.h" },
	/* parts counted on the delimiters asked for, not on dots */
	{ "dots inside a part, 1", "x.y-z", "%{l1-}", "z" },
	{ "dots inside a part, 2", "x.y-z", "%{l2-}", "x.y.z" },
	{ "dots inside a part, 2r", "x.y-z", "%{l2r-}", "z.x.y" },
	/* RFC 7208 section 7.3: empty parts stay */
	{ "empty parts", "..a..", "%{l}", "..a.." },
	{ "empty parts, 2", "..a..", "%{l2}", "." },
	{ "empty parts, 3r", "..a..", "%{l3r}", "a.." },
	{ "empty parts, r", "-a-", "%{lr-}", ".a." },
	{ "runs of delimiters are several", "a-+b", "%{l-+}", "a..b" },
	/* URL escaping */
	{ "RFC 2396 marks escaped too", "a+b!c*d'e(f)g~h_i",
	    "%{L}", "a%2Bb%21c%2Ad%27e%28f%29g~h_i" },
	{ "reserved characters", "a:b/c?d#e[f]g@h", "%{L}",
	    "a%3Ab%2Fc%3Fd%23e%5Bf%5Dg%40h" },
	{ "percent and space", "50% off", "%{L}", "50%25%20off" },
	{ "8-bit", "\xc3\xa9t\xc3\xa9", "%{L}", "%C3%A9t%C3%A9" },
	{ "escape after the split", "a+b.c", "%{L1r+}", "a" },
	{ "escape keeps the joining dots", "a+b", "%{L+}", "a.b" },
};

/* t_spf_macro_validated - %{p}: the name of RFC 7208 section 7.4 */
static const char *
t_spf_macro_validated(void *arg)
{
	int *calls = arg;

	(*calls)++;
	return "mx.example.org";
}

/* t_spf_macro_env - the environment of section 7.4 for a client */
static void
t_spf_macro_env(struct spf_macro_env *env, struct cidr_addr *client,
    int v6, int *calls)
{
	if (cidr_addr_parse(v6 ? T_V6 : T_V4, client) != 0)
		abort();
	memset(env, 0, sizeof(*env));
	env->sender = T_SENDER;
	env->local = "strong-bad";
	env->sender_domain = "email.example.com";
	env->domain = "email.example.com";
	env->helo = "mail.example.org";
	env->receiver = "mx.example.org";
	env->client = client;
	env->now = 1400000000;
	env->validated = t_spf_macro_validated;
	env->arg = calls;
}

/* t_spf_macro_one - expand, compare */
static void
t_spf_macro_one(const char *label, const struct spf_macro_env *env,
    int mode, const char *in, const char *want)
{
	struct buf out, why;
	int rc;

	buf_init(&out, 4096);
	buf_init(&why, 256);
	rc = spf_macro_expand(env, in, strlen(in), mode, &out, &why);
	if (want == NULL)
		UNIT_CHECK(rc == -1 && why.len > 0, label,
		    "rc %d, \"%s\", want an error with a reason", rc,
		    out.data);
	else
		UNIT_CHECK(rc == 0 && strcmp(out.data, want) == 0, label,
		    "rc %d, got \"%s\", want \"%s\" (%s)", rc, out.data, want,
		    why.data);
	buf_free(&out);
	buf_free(&why);
}

/* t_spf_macro_tables - both tables */
static void
t_spf_macro_tables(void)
{
	struct spf_macro_env env;
	struct cidr_addr client;
	int calls = 0;
	size_t i;

	for (i = 0; i < T_SPF_MACRO_N(t_spf_macro_cases); i++) {
		t_spf_macro_env(&env, &client, t_spf_macro_cases[i].v6, &calls);
		t_spf_macro_one(t_spf_macro_cases[i].label, &env,
		    t_spf_macro_cases[i].mode, t_spf_macro_cases[i].in,
		    t_spf_macro_cases[i].want);
	}
	for (i = 0; i < T_SPF_MACRO_N(t_spf_macro_locals); i++) {
		t_spf_macro_env(&env, &client, 0, &calls);
		env.local = t_spf_macro_locals[i].local;
		t_spf_macro_one(t_spf_macro_locals[i].label, &env, T_D,
		    t_spf_macro_locals[i].in, t_spf_macro_locals[i].want);
	}
	/* %{p} is looked up only when one is expanded */
	calls = 0;
	t_spf_macro_env(&env, &client, 0, &calls);
	t_spf_macro_one("no p, no lookup", &env, T_D, "%{d}.%{i}",
	    "email.example.com.192.0.2.3");
	UNIT_CHECK(calls == 0, "no p, no lookup", "validated called %d",
	    calls);
}

/* t_spf_macro_unknown - values that are not there */
static void
t_spf_macro_unknown(void)
{
	struct spf_macro_env env;
	struct cidr_addr client;
	int calls = 0;

	t_spf_macro_env(&env, &client, 0, &calls);
	env.validated = NULL;
	t_spf_macro_one("p without a lookup: unknown", &env, T_D, "%{p}",
	    "unknown");
	env.receiver = NULL;
	t_spf_macro_one("r without a name: unknown", &env, T_E, "%{r}",
	    "unknown");
	env.helo = NULL;
	t_spf_macro_one("h without HELO: an error", &env, T_D, "%{h}", NULL);
	env.client = NULL;
	t_spf_macro_one("i without a client: an error", &env, T_D, "%{i}",
	    NULL);
	t_spf_macro_one("v without a client: an error", &env, T_D, "%{v}",
	    NULL);
}

/* t_spf_macro_cut - RFC 7208 section 7.3: left labels go past 253 */
static void
t_spf_macro_cut(void)
{
	struct spf_macro_env env;
	struct cidr_addr client;
	struct buf in, out, why, want;
	char label60[61];
	int calls = 0, rc;

	memset(label60, 'a', 60);
	label60[60] = '\0';
	t_spf_macro_env(&env, &client, 0, &calls);
	env.local = label60;
	buf_init(&in, 4096);
	buf_init(&out, 4096);
	buf_init(&why, 256);
	buf_init(&want, 4096);
	/* 5 * 61 + 9 = 314: one label goes, 253 stay */
	buf_puts(&in, "%{l}.%{l}.%{l}.%{l}.%{l}.x.example");
	buf_printf(&want, "%s.%s.%s.%s.x.example", label60, label60, label60,
	    label60);
	rc = spf_macro_expand(&env, in.data, in.len, T_D, &out, &why);
	UNIT_CHECK(rc == 1 && strcmp(out.data, want.data) == 0, "cut to 253",
	    "rc %d, %zu bytes: %s", rc, out.len, out.data);
	/* exactly 253 stays; 254 loses a label */
	buf_reset(&out);
	buf_reset(&in);
	buf_printf(&in, "%%{l}.%%{l}.%%{l}.%%{l}.%.*s.example", 253 - 4 * 61 -
	    8, "bbbbbbbbbbbbbbbb");
	rc = spf_macro_expand(&env, in.data, in.len, T_D, &out, &why);
	UNIT_CHECK(rc == 0 && out.len == 253, "253 stays", "rc %d, %zu bytes",
	    rc, out.len);
	/* a final dot does not count */
	buf_reset(&out);
	buf_putc(&in, '.');
	rc = spf_macro_expand(&env, in.data, in.len, T_D, &out, &why);
	UNIT_CHECK(rc == 0 && out.len == 254, "253 and a final dot stay",
	    "rc %d, %zu bytes", rc, out.len);
	buf_reset(&out);
	buf_reset(&in);
	buf_printf(&in, "%%{l}.%%{l}.%%{l}.%%{l}.%.*s.example", 253 - 4 * 61 -
	    7, "bbbbbbbbbbbbbbbb");
	rc = spf_macro_expand(&env, in.data, in.len, T_D, &out, &why);
	UNIT_CHECK(rc == 1 && out.len == 254 - 61, "254 is cut",
	    "rc %d, %zu bytes", rc, out.len);
	/* explanation text is not a domain: no cut */
	buf_reset(&out);
	rc = spf_macro_expand(&env, in.data, in.len, T_E, &out, &why);
	UNIT_CHECK(rc == 0 && out.len == 254, "explanation not cut",
	    "rc %d, %zu bytes", rc, out.len);
	/* a full buf is an error, not a short name */
	buf_free(&out);
	buf_init(&out, 100);
	rc = spf_macro_expand(&env, in.data, in.len, T_D, &out, &why);
	UNIT_CHECK(rc == -1 && strstr(why.data, "too long") != NULL,
	    "buf max", "rc %d (%s)", rc, why.data);
	buf_free(&in);
	buf_free(&out);
	buf_free(&why);
	buf_free(&want);
}

/* t_spf_macro_parse - lengths, fields and what libspf2 may keep */
static void
t_spf_macro_parse(void)
{
	static const struct {
		const char	*in;	/* at a "%" */
		size_t		 len;	/* its length, 0: bad */
		int		 letter, escape, reverse;	/* fields */
		unsigned	 digits;	/* field */
		const char	*delims;	/* field */
		int		 plain;	/* spf_macro_plain() */
	} cases[] = {
		{ "%{d}x", 4, 'd', 0, 0, 0, "", 1 },
		{ "%{D}", 4, 'd', 1, 0, 0, "", 0 },
		{ "%{d2}", 5, 'd', 0, 0, 2, "", 0 },
		{ "%{dR}", 5, 'd', 0, 1, 0, "", 0 },
		{ "%{l12r-+-}", 10, 'l', 0, 1, 12, "-+", 0 },
		{ "%{l.}", 5, 'l', 0, 0, 0, ".", 0 },
		{ "%%", 2, '%', 0, 0, 0, "", 1 },
		{ "%_", 2, '_', 0, 0, 0, "", 1 },
		{ "%-", 2, '-', 0, 0, 0, "", 1 },
		{ "%{p}", 4, 'p', 0, 0, 0, "", 1 },
		{ "%{x}", 0, 0, 0, 0, 0, "", 0 },
		{ "%{d", 0, 0, 0, 0, 0, "", 0 },
		{ "%", 0, 0, 0, 0, 0, "", 0 },
	};
	struct spf_macro_term m;
	size_t i, n;

	for (i = 0; i < T_SPF_MACRO_N(cases); i++) {
		n = spf_macro_parse(cases[i].in, strlen(cases[i].in), &m);
		UNIT_CHECK(n == cases[i].len, cases[i].in, "length %zu", n);
		if (n == 0 || n != cases[i].len)
			continue;
		UNIT_CHECK(m.letter == cases[i].letter && m.escape ==
		    cases[i].escape && m.reverse == cases[i].reverse &&
		    m.digits == cases[i].digits &&
		    strcmp(m.delims, cases[i].delims) == 0, cases[i].in,
		    "letter %c escape %d reverse %d digits %u delims \"%s\"",
		    m.letter, m.escape, m.reverse, m.digits, m.delims);
		UNIT_CHECK(spf_macro_plain(&m) == cases[i].plain, cases[i].in,
		    "plain %d", spf_macro_plain(&m));
	}
	/* the length given bounds the parse, not the NUL */
	UNIT_CHECK(spf_macro_parse("%{d}", 3, &m) == 0, "short length",
	    "parsed past the length");
	UNIT_CHECK(spf_macro_parse("%%", 1, &m) == 0, "short escape",
	    "parsed past the length");
}

int
main(void)
{
	t_spf_macro_tables();
	t_spf_macro_unknown();
	t_spf_macro_cut();
	t_spf_macro_parse();
	return unit_done("t_spf_macro");
}
