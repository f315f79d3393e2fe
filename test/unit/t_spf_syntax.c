/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_spf_syntax - spf_syntax_prepare(): the RFC 7208 record check and the
 * record libspf2 is handed, with and without macro values; the term count
 * and the virtual any-address names it shares with lib/auth/spf.c
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "auth/spf_macro.h"
#include "auth/spf_syntax.h"
#include "unit.h"

#define T_SPF_SYNTAX_N(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * records without macro values: NULL want is a permerror whose reason
 * contains why; else what libspf2 gets, for an IPv4 and an IPv6 client
 */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*rec;		/* the record */
	const char	*want4;		/* libspf2's record, IPv4 client */
	const char	*want6;		/* same, IPv6 client; NULL: want4 */
	const char	*why;		/* in the reason of a permerror */
} t_spf_syntax_cases[] = {
	{ "version only", "v=spf1", "v=spf1", NULL, NULL },
	{ "version case", "V=SPF1 -ALL", "v=spf1 -all", NULL, NULL },
	{ "spaces collapse", "v=spf1  ip4:192.0.2.0/24   -all ",
	    "v=spf1 ip4:192.0.2.0/24 -all", NULL, NULL },
	{ "v=spf10", "v=spf10 -all", NULL, NULL, "not an SPF version 1" },
	{ "no version", "ip4:192.0.2.1 -all", NULL, NULL,
	    "not an SPF version 1" },
	{ "qualifiers", "v=spf1 +a -mx ~ptr ?all",
	    "v=spf1 +a -mx ~ptr ?all", NULL, NULL },
	{ "literal text lowercased, macros kept", "v=spf1 INCLUDE:Ex.COM "
	    "exists:%{D}.X.Example -ALL", "v=spf1 include:ex.com "
	    "exists:%{D}.x.example -all", NULL, NULL },
	/* ip4, ip6 */
	{ "ip4 /0 in two halves", "v=spf1 -ip4:192.0.2.1/0",
	    "v=spf1 -ip4:0.0.0.0/1 -ip4:128.0.0.0/1", NULL, NULL },
	{ "ip6 /0 in two halves", "v=spf1 ip6:2001:db8::/0",
	    "v=spf1 ip6:::/1 ip6:8000::/1", NULL, NULL },
	{ "ip4 leading zero", "v=spf1 ip4:192.0.02.1", NULL, NULL,
	    "bad address" },
	{ "ip4 /33", "v=spf1 ip4:192.0.2.1/33", NULL, NULL,
	    "bad prefix length" },
	{ "ip4 / alone", "v=spf1 ip4:192.0.2.1/", NULL, NULL,
	    "bad prefix length" },
	{ "ip4 /024", "v=spf1 ip4:192.0.2.1/024", NULL, NULL,
	    "bad prefix length" },
	{ "ip6 /129", "v=spf1 ip6:2001:db8::/129", NULL, NULL,
	    "bad prefix length" },
	{ "ip4 of an IPv6 address", "v=spf1 ip4:2001:db8::1", NULL, NULL,
	    "bad address" },
	{ "ip4 without argument", "v=spf1 ip4", NULL, NULL,
	    "missing argument" },
	/* a and mx: the client's family's prefix length only */
	{ "a dual cidr", "v=spf1 a/24//64 -all", "v=spf1 a/24 -all",
	    "v=spf1 a//64 -all", NULL },
	{ "mx:domain dual cidr", "v=spf1 mx:mx.example/24//64",
	    "v=spf1 mx:mx.example/24", "v=spf1 mx:mx.example//64", NULL },
	{ "a ip6 length only", "v=spf1 a:h.example//64",
	    "v=spf1 a:h.example", "v=spf1 a:h.example//64", NULL },
	{ "a/0: any address", "v=spf1 -a/0", "v=spf1 -exists:%{d}."
	    SPF_SYNTAX_ANY_A SPF_SYNTAX_ANY_SUFFIX, "v=spf1 -a", NULL },
	{ "mx:domain//0", "v=spf1 mx:m.example/32//0",
	    "v=spf1 mx:m.example/32", "v=spf1 exists:m.example."
	    SPF_SYNTAX_ANY_MX SPF_SYNTAX_ANY_SUFFIX, NULL },
	{ "a /33", "v=spf1 a/33", NULL, NULL, "bad domain-spec or prefix" },
	{ "a //129", "v=spf1 a//129", NULL, NULL,
	    "bad domain-spec or prefix" },
	{ "a: empty domain", "v=spf1 a:", NULL, NULL,
	    "bad domain-spec or prefix" },
	/* domain-specs */
	{ "trailing dot", "v=spf1 include:spf.example. -all",
	    "v=spf1 include:spf.example. -all", NULL, NULL },
	{ "ends with a macro", "v=spf1 exists:%{i}._spf.%{d}",
	    "v=spf1 exists:%{i}._spf.%{d}", NULL, NULL },
	{ "toplabel all digits", "v=spf1 include:example.123", NULL, NULL,
	    "bad domain-spec" },
	{ "toplabel with -", "v=spf1 include:example.a-1 -all",
	    "v=spf1 include:example.a-1 -all", NULL, NULL },
	{ "toplabel ends with -", "v=spf1 include:example.com-", NULL, NULL,
	    "bad domain-spec" },
	{ "no dot", "v=spf1 include:localhost", NULL, NULL,
	    "bad domain-spec" },
	{ "include without argument", "v=spf1 include", NULL, NULL,
	    "missing argument" },
	{ "include: empty", "v=spf1 include:", NULL, NULL,
	    "bad domain-spec" },
	{ "exists without argument", "v=spf1 exists", NULL, NULL,
	    "missing argument" },
	{ "ptr alone and with a domain", "v=spf1 ptr ptr:p.example",
	    "v=spf1 ptr ptr:p.example", NULL, NULL },
	{ "exp-only macro in a mechanism", "v=spf1 exists:%{c}.x.example",
	    NULL, NULL, "bad domain-spec" },
	{ "bad macro", "v=spf1 exists:%{x}.x.example", NULL, NULL,
	    "bad domain-spec" },
	{ "stray %", "v=spf1 exists:50%.x.example", NULL, NULL,
	    "bad domain-spec" },
	{ "unclosed macro", "v=spf1 exists:%{d", NULL, NULL,
	    "bad domain-spec" },
	{ "control byte", "v=spf1 include:a\x01b.example", NULL, NULL,
	    "bad domain-spec" },
	{ "8-bit byte", "v=spf1 include:\xc3\xa9.example", NULL, NULL,
	    "bad domain-spec" },
	/* mechanisms */
	{ "unknown mechanism", "v=spf1 foo:bar -all", NULL, NULL,
	    "unknown mechanism" },
	{ "all with argument", "v=spf1 all:x", NULL, NULL,
	    "all takes no argument" },
	{ "a with junk", "v=spf1 a;x", NULL, NULL, "unknown mechanism" },
	/* modifiers */
	{ "redirect last", "v=spf1 redirect=r.example ip4:192.0.2.1",
	    "v=spf1 ip4:192.0.2.1 redirect=r.example", NULL, NULL },
	{ "redirect ignored with all", "v=spf1 redirect=r.example ?all",
	    "v=spf1 ?all", NULL, NULL },
	{ "exp kept, after redirect", "v=spf1 exp=e.example "
	    "redirect=r.example", "v=spf1 redirect=r.example exp=e.example",
	    NULL, NULL },
	{ "redirect twice", "v=spf1 redirect=a.example redirect=b.example",
	    NULL, NULL, "modifier given twice" },
	{ "exp twice", "v=spf1 exp=a.example exp=b.example -all", NULL,
	    NULL, "modifier given twice" },
	{ "redirect bad domain", "v=spf1 redirect=a..", NULL, NULL,
	    "bad domain-spec" },
	{ "redirect empty", "v=spf1 redirect=", NULL, NULL,
	    "bad domain-spec" },
	{ "unknown modifier dropped", "v=spf1 foo=bar x.y-z_=1 -all",
	    "v=spf1 -all", NULL, NULL },
	{ "unknown modifier with a bad macro", "v=spf1 foo=%{x} -all", NULL,
	    NULL, "bad macro" },
	{ "modifier name starts with a digit", "v=spf1 1foo=bar", NULL,
	    NULL, "bad modifier name" },
	{ "modifier with a qualifier", "v=spf1 -redirect=a.example", NULL,
	    NULL, "bad modifier name" },
};

/* t_spf_syntax_table - every record, both client families */
static void
t_spf_syntax_table(void)
{
	struct buf out, why;
	unsigned flags;
	size_t i;
	int v6, rc;

	buf_init(&out, 65536);
	buf_init(&why, 1024);
	for (i = 0; i < T_SPF_SYNTAX_N(t_spf_syntax_cases); i++) {
		const char *label = t_spf_syntax_cases[i].label;
		const char *rec = t_spf_syntax_cases[i].rec, *want;

		for (v6 = 0; v6 <= 1; v6++) {
			want = v6 && t_spf_syntax_cases[i].want6 != NULL ?
			    t_spf_syntax_cases[i].want6 :
			    t_spf_syntax_cases[i].want4;
			buf_reset(&out);
			buf_reset(&why);
			rc = spf_syntax_prepare(rec, strlen(rec), v6, NULL,
			    &out, &flags, &why);
			if (want == NULL)
				UNIT_CHECK(rc == -1 && strstr(why.data,
				    t_spf_syntax_cases[i].why) != NULL, label,
				    "IPv%d: rc %d, why \"%s\": %s", v6 ? 6 : 4,
				    rc, why.data, out.data);
			else
				UNIT_CHECK(rc == 0 && strcmp(out.data, want) ==
				    0, label, "IPv%d: rc %d (%s):\n got %s\n"
				    "want %s", v6 ? 6 : 4, rc, why.data,
				    out.data, want);
		}
	}
	buf_free(&out);
	buf_free(&why);
}

/* t_spf_syntax_limits - terms, the %{p} flag, the output buf's max */
static void
t_spf_syntax_limits(void)
{
	struct buf rec, out, why;
	unsigned flags;
	int i, rc;

	buf_init(&rec, 65536);
	buf_init(&out, 65536);
	buf_init(&why, 1024);
	buf_puts(&rec, "v=spf1");
	for (i = 0; i < SPF_SYNTAX_MAX_TERMS; i++)
		buf_puts(&rec, " ?all");
	rc = spf_syntax_prepare(rec.data, rec.len, 0, NULL, &out, &flags,
	    &why);
	UNIT_CHECK(rc == 0, "SPF_SYNTAX_MAX_TERMS terms", "rc %d: %s", rc,
	    why.data);
	buf_puts(&rec, " -all");
	buf_reset(&out);
	rc = spf_syntax_prepare(rec.data, rec.len, 0, NULL, &out, &flags,
	    &why);
	UNIT_CHECK(rc == -1 && strstr(why.data, "too many terms") != NULL,
	    "one term more", "rc %d: %s", rc, why.data);
	buf_reset(&out);
	rc = spf_syntax_prepare("v=spf1 exists:%{p}.x.example", 28, 0, NULL,
	    &out, &flags, &why);
	UNIT_CHECK(rc == 0 && (flags & SPF_SYNTAX_P_MACRO), "%{p} flagged",
	    "rc %d flags %u", rc, flags);
	buf_reset(&out);
	rc = spf_syntax_prepare("v=spf1 exists:%{i}.x.example", 28, 0, NULL,
	    &out, &flags, &why);
	UNIT_CHECK(rc == 0 && !(flags & SPF_SYNTAX_P_MACRO), "no %{p}",
	    "rc %d flags %u", rc, flags);
	/* a rewrite longer than the output buf is refused, not cut */
	buf_free(&out);
	buf_init(&out, 20);
	buf_reset(&why);
	rc = spf_syntax_prepare("v=spf1 ip4:192.0.2.1/0 -all", 27, 0, NULL,
	    &out, &flags, &why);
	UNIT_CHECK(rc == -1 && strstr(why.data, "too long") != NULL,
	    "output over its max", "rc %d: %s", rc, why.data);
	buf_free(&rec);
	buf_free(&out);
	buf_free(&why);
}

/* t_spf_syntax_count - terms as libspf2 counts them; virtual names */
static void
t_spf_syntax_count(void)
{
	static const char *prep = "v=spf1 a mx:m.example redirect=r.example "
	    "exp=e.example foo.bar=1 -all";
	size_t len = 0;

	UNIT_CHECK(spf_syntax_count(prep, 1) == 4, "mechanisms and redirect",
	    "%d", spf_syntax_count(prep, 1));
	UNIT_CHECK(spf_syntax_count(prep, 0) == 2, "modifiers", "%d",
	    spf_syntax_count(prep, 0));
	UNIT_CHECK(spf_syntax_count("v=spf1", 1) == 0 &&
	    spf_syntax_count("v=spf1", 0) == 0, "version only", "counted");
	UNIT_CHECK(spf_syntax_virtual("d.example." SPF_SYNTAX_ANY_A
	    SPF_SYNTAX_ANY_SUFFIX, &len) == 1 && len == 9, "virtual a",
	    "len %zu", len);
	UNIT_CHECK(spf_syntax_virtual("D.EXAMPLE." "_ANY-MX"
	    ".AUTHMILTER.INVALID", &len) == 2 && len == 9,
	    "virtual mx, any case", "len %zu", len);
	UNIT_CHECK(spf_syntax_virtual("d.example", &len) == 0 &&
	    spf_syntax_virtual(SPF_SYNTAX_ANY_A SPF_SYNTAX_ANY_SUFFIX,
	    &len) == 0 && spf_syntax_virtual("d.example.x"
	    SPF_SYNTAX_ANY_SUFFIX, &len) == 0, "not virtual", "virtual");
}

/*
 * macros with the values of RFC 7208 section 7.4: what libspf2 expands
 * right stays as written, the rest is handed over expanded
 */
static const struct {
	const char	*label;		/* what the case shows */
	int		 v6;		/* 1: 2001:db8::cb01, 0: 192.0.2.3 */
	const char	*local;		/* local-part of <sender> */
	const char	*helo;		/* HELO name, NULL none */
	const char	*rec;		/* the record */
	const char	*want;		/* what libspf2 gets */
} t_spf_syntax_env_cases[] = {
	{ "plain macros stay", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exists:%{d}.%{i}.%{l}.x.example -all",
	    "v=spf1 exists:%{d}.%{i}.%{l}.x.example -all" },
	{ "plain escapes stay", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exists:%{s}%%a%-b.x.example -all",
	    "v=spf1 exists:%{s}%%a%-b.x.example -all" },
	{ "a DIGIT is expanded", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exists:%{d3}.x.example -all",
	    "v=spf1 exists:email.example.com.x.example -all" },
	{ "the report of issue 12.7", 0, "billing", "mail.example.org",
	    "v=spf1 include:%{l}.inc.%{d2} ?all",
	    "v=spf1 include:billing.inc.example.com ?all" },
	{ "7.4 IPv4", 0, "strong-bad", "mail.example.org",
	    "v=spf1 include:%{ir}.%{v}._spf.%{d2} -all",
	    "v=spf1 include:3.2.0.192.in-addr._spf.example.com -all" },
	{ "upper case, literal lowercased", 0, "strong-bad",
	    "mail.example.org", "v=spf1 exists:%{D2}.X.Example -all",
	    "v=spf1 exists:example.com.x.example -all" },
	{ "% and space escaped for libspf2", 0, "50% off", "mail.example.org",
	    "v=spf1 exists:%{L}.x.example exists:%{l1}%_x.example -all",
	    "v=spf1 exists:50%%25%%20off.x.example exists:50%%%_off%_x.example"
	    " -all" },
	{ "a: both prefix lengths after an expansion", 0, "h/24",
	    "mail.example.org", "v=spf1 a:%{l1} -all",
	    "v=spf1 a:h/24/32//128 -all" },
	{ "a: IPv6 client, its length kept", 1, "h/24", "mail.example.org",
	    "v=spf1 a:%{l1}/16//64 -all", "v=spf1 a:h/24/32//64 -all" },
	{ "mx: IPv4 length kept", 0, "strong-bad", "mail.example.org",
	    "v=spf1 mx:%{d3}/24 -all",
	    "v=spf1 mx:email.example.com/24//128 -all" },
	{ "a, plain macro: as before", 0, "strong-bad", "mail.example.org",
	    "v=spf1 a:%{d}/24 -all", "v=spf1 a:%{d}/24 -all" },
	{ "a/0 on an expanded name", 0, "strong-bad", "mail.example.org",
	    "v=spf1 a:%{d2}/0 -all",
	    "v=spf1 exists:example.com._any-a.authmilter.invalid -all" },
	{ "ptr", 0, "strong-bad", "mail.example.org",
	    "v=spf1 ptr:%{d2} -all", "v=spf1 ptr:example.com -all" },
	{ "redirect and exp, at the end", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exp=%{d2}.exp.example redirect=_spf.%{d1r}",
	    "v=spf1 redirect=_spf.email exp=example.com.exp.example" },
	{ "h without HELO: as written, libspf2 fails it if reached", 0,
	    "strong-bad", NULL, "v=spf1 exists:%{h1}.x.example -all",
	    "v=spf1 exists:%{h1}.x.example -all" },
	{ "h with HELO", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exists:%{h1}.x.example -all",
	    "v=spf1 exists:org.x.example -all" },
	{ "p", 0, "strong-bad", "mail.example.org",
	    "v=spf1 exists:%{p2}.x.example -all",
	    "v=spf1 exists:example.org.x.example -all" },
	{ "a delimiter libspf2 rejects", 0, "a,b", "mail.example.org",
	    "v=spf1 exists:%{l,}.x.example -all",
	    "v=spf1 exists:a.b.x.example -all" },
	{ "an empty expansion stays as written", 0, "a.", "mail.example.org",
	    "v=spf1 exists:%{l1} -all", "v=spf1 exists:%{l1} -all" },
	{ "the cut to 253", 0,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "mail.example.org",
	    "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.x.example -all",
	    "v=spf1 exists:"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".x.example -all" },
	{ "c in a domain-spec: permerror", 0, "strong-bad",
	    "mail.example.org", "v=spf1 exists:%{c}.x.example -all", NULL },
};

/* t_spf_syntax_validated - %{p} of section 7.4 */
static const char *
t_spf_syntax_validated(void *arg)
{
	(void)arg;	/* one name for every case */
	return "mx.example.org";
}

/* t_spf_syntax_env - macro values, the record rewritten with them */
static void
t_spf_syntax_env(void)
{
	struct spf_macro_env env;
	struct cidr_addr client;
	struct buf out, why, sender;
	unsigned flags;
	size_t i;
	int rc;

	buf_init(&out, 65536);
	buf_init(&why, 1024);
	buf_init(&sender, 1024);
	for (i = 0; i < T_SPF_SYNTAX_N(t_spf_syntax_env_cases); i++) {
		const char *label = t_spf_syntax_env_cases[i].label;
		const char *want = t_spf_syntax_env_cases[i].want;
		const char *rec = t_spf_syntax_env_cases[i].rec;

		if (cidr_addr_parse(t_spf_syntax_env_cases[i].v6 ?
		    "2001:db8::cb01" : "192.0.2.3", &client) != 0)
			abort();
		buf_reset(&sender);
		buf_printf(&sender, "%s@email.example.com",
		    t_spf_syntax_env_cases[i].local);
		memset(&env, 0, sizeof(env));
		env.sender = sender.data;
		env.local = t_spf_syntax_env_cases[i].local;
		env.sender_domain = env.domain = "email.example.com";
		env.helo = t_spf_syntax_env_cases[i].helo;
		env.client = &client;
		env.validated = t_spf_syntax_validated;
		buf_reset(&out);
		buf_reset(&why);
		rc = spf_syntax_prepare(rec, strlen(rec),
		    t_spf_syntax_env_cases[i].v6, &env, &out, &flags, &why);
		if (want == NULL)
			UNIT_CHECK(rc == -1 && why.len > 0, label,
			    "rc %d: %s", rc, out.data);
		else
			UNIT_CHECK(rc == 0 && strcmp(out.data, want) == 0,
			    label, "rc %d (%s):\n got %s\nwant %s", rc,
			    why.data, out.data, want);
	}
	buf_free(&out);
	buf_free(&why);
	buf_free(&sender);
}

int
main(void)
{
	t_spf_syntax_table();
	t_spf_syntax_limits();
	t_spf_syntax_count();
	t_spf_syntax_env();
	return unit_done("t_spf_syntax");
}
