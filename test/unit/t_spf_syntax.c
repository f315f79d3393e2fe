/*
 * t_spf_syntax - spf_syntax_prepare(): the RFC 7208 record check and the
 * record libspf2 is handed, with and without macro values; the term count
 * and the virtual any-address names it shares with lib/spf.c
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cidr.h"
#include "spf_macro.h"
#include "spf_syntax.h"
#include "unit.h"

#define T_SPF_SYNTAX_N(a)	(sizeof(a) / sizeof((a)[0]))

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
	t_spf_syntax_env();
	return unit_done("t_spf_syntax");
}
