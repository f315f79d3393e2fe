/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_override - policy.overrides: reading the rules (config_override.c:
 * every error with its FILE:LINE, values stored lowercase, the default
 * name) and matching them (override.c): exact domains and "*." below a
 * domain, case and a trailing dot ignored; author, MAIL FROM domain and
 * client network each, all of a rule's matchers at once, the first rule
 * that matches; the null sender and an unknown client match nothing
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "util/config_override.h"
#include "core/override.h"
#include "fixture.h"
#include "unit.h"

#define T_OVERRIDE_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_override_domains - override_domain_match() */
static void
t_override_domains(void)
{
	static const struct {
		const char	*pattern;	/* as the config stores it */
		const char	*domain;	/* from the message */
		int		 want;		/* match */
	} cases[] = {
		{ "partner.example", "partner.example", 1 },
		{ "partner.example", "PARTNER.Example", 1 },
		{ "partner.example", "partner.example.", 1 },
		{ "partner.example", "mail.partner.example", 0 },
		{ "partner.example", "xpartner.example", 0 },
		{ "partner.example", "partner.example.org", 0 },
		{ "partner.example", "", 0 },
		{ "partner.example", NULL, 0 },
		{ "partner.example", ".", 0 },
		{ "*.lists.example", "a.lists.example", 1 },
		{ "*.lists.example", "a.b.LISTS.example", 1 },
		{ "*.lists.example", "a.lists.example.", 1 },
		{ "*.lists.example", "lists.example", 0 },
		{ "*.lists.example", "xlists.example", 0 },
		{ "*.lists.example", "a.xlists.example", 0 },
		{ "*.lists.example", ".lists.example", 0 },
		{ "*.lists.example", "lists.example.org", 0 },
		{ "*.example", "a.example", 1 },
		{ "*.example", "example", 0 },
	};
	char label[160];
	size_t i;

	for (i = 0; i < T_OVERRIDE_N(cases); i++) {
		snprintf(label, sizeof(label), "%s ~ %s", cases[i].pattern,
		    cases[i].domain ? cases[i].domain : "(null)");
		UNIT_CHECK(override_domain_match(cases[i].pattern,
		    cases[i].domain) == cases[i].want, label, "want %d",
		    cases[i].want);
	}
}

static const char t_override_conf[] =
    "policy = { overrides = (\n"
    "  { name = \"both\"; author = \"both.example\";\n"
    "    client = [ \"192.0.2.0/24\", \"2001:db8::/32\" ];\n"
    "    action = \"reject\"; reason = \"both must match\"; },\n"
    "  { author = [ \"Partner.Example.\", \"*.partner.example\" ];\n"
    "    action = \"accept\"; reason = \"partner list\"; },\n"
    "  { name = \"lists\"; mail_from = \"*.lists.example\";\n"
    "    action = \"no-dmarc\"; reason = \"list bounces\"; },\n"
    "  { name = \"net\"; client = \"198.51.100.7\";\n"
    "    action = \"tempfail\"; reason = \"not now\"; },\n"
    "  { name = \"late\"; author = \"partner.example\";\n"
    "    action = \"reject\"; reason = \"never reached\"; }\n"
    "); };\n";

/* t_override_rules - override_match() over the rules above */
static void
t_override_rules(void)
{
	static const struct {
		const char	*label;		/* the case */
		const char	*author;	/* author domain or NULL */
		const char	*mailfrom;	/* MAIL FROM address */
		const char	*client;	/* address, or NULL */
		const char	*want;		/* rule name, or NULL */
	} cases[] = {
		{ "author and client", "both.example", "", "192.0.2.9",
		    "both" },
		{ "author and IPv6 client", "both.example", "", "2001:db8::1",
		    "both" },
		{ "IPv4-mapped client", "both.example", "", "::ffff:192.0.2.9",
		    "both" },
		{ "author, other client", "both.example", "", "203.0.113.1",
		    NULL },
		{ "client only, other author", "x.example", "", "192.0.2.9",
		    NULL },
		{ "author, unknown client", "both.example", "", NULL, NULL },
		{ "exact author, stored lowercase, dot dropped",
		    "partner.example", "a@x.example", "203.0.113.1", "#2" },
		{ "wildcard author", "news.partner.example", "", "203.0.113.1",
		    "#2" },
		{ "first rule wins over a later one", "PARTNER.example", "",
		    NULL, "#2" },
		{ "mail_from wildcard", "x.example", "bounce@a.lists.example",
		    "203.0.113.1", "lists" },
		{ "mail_from: not the domain itself", "x.example",
		    "bounce@lists.example", "203.0.113.1", NULL },
		{ "mail_from: the null sender has no domain", "x.example", "",
		    "203.0.113.1", NULL },
		{ "mail_from: the last @ counts", "x.example",
		    "\"a@b\"@c.lists.example", "203.0.113.1", "lists" },
		{ "client address", NULL, "", "198.51.100.7", "net" },
		{ "client: no author needed", NULL, "x@y.example",
		    "198.51.100.7", "net" },
		{ "nothing", "x.example", "a@x.example", "203.0.113.1", NULL },
		{ "no author, no client", NULL, "", NULL, NULL },
	};
	struct config *cfg = fixture_config(t_override_conf);
	const struct config_override *o;
	struct cidr_addr a;
	size_t i;

	UNIT_CHECK(cfg->policy.noverrides == 5, "five rules", "%zu",
	    cfg->policy.noverrides);
	for (i = 0; i < T_OVERRIDE_N(cases); i++) {
		memset(&a, 0, sizeof(a));
		if (cases[i].client != NULL &&
		    cidr_addr_parse(cases[i].client, &a) != 0)
			UNIT_CHECK(0, cases[i].label, "bad address %s",
			    cases[i].client);
		o = override_match(cfg, cases[i].author, cases[i].mailfrom,
		    &a);
		if (cases[i].want == NULL)
			UNIT_CHECK(o == NULL, cases[i].label, "matched %s",
			    o ? o->name : "");
		else
			UNIT_STREQ(o ? o->name : "(none)", cases[i].want,
			    cases[i].label);
	}
	config_release(cfg);
	cfg = fixture_config("");
	UNIT_CHECK(override_match(cfg, "partner.example", "a@b.example",
	    &a) == NULL, "no rules: no match", "matched");
	config_release(cfg);
}

/* invalid policy.overrides: the line of the message and what it says */
static const struct {
	const char	*label;		/* the case */
	const char	*text;		/* file contents */
	int		 want_line;	/* LINE of the message */
	const char	*want;		/* must appear in the message */
} t_override_bad_cases[] = {
	{ "an array", "policy = { overrides = [ \"x\" ]; };", 1,
	    "list of rules" },
	{ "a group", "policy = {\n overrides = { author = \"a.example\"; "
	    "};\n};", 2, "list of rules" },
	{ "a string in the list", "policy = { overrides = ( \"x\" ); };", 1,
	    "each rule is a group" },
	{ "unknown key", "policy = { overrides = (\n { author = "
	    "\"a.example\";\n   action = \"accept\"; reason = \"r\";\n"
	    "   colour = \"red\"; }\n); };", 4, "unknown key 'colour'" },
	{ "no action", "policy = { overrides = (\n {\n author = "
	    "\"a.example\"; reason = \"r\"; }\n); };", 2,
	    "needs action and reason" },
	{ "no reason", "policy = { overrides = ( { author = \"a.example\"; "
	    "action = \"accept\"; } ); };", 1, "needs action and reason" },
	{ "no matcher", "policy = { overrides = ( { action = \"accept\"; "
	    "reason = \"r\"; } ); };", 1, "author, mail_from or client" },
	{ "unknown action", "policy = { overrides = ( { author = "
	    "\"a.example\"; action = \"allow\"; reason = \"r\"; } ); };",
	    1, "\"no-dmarc\"" },
	{ "bad domain, second rule", "policy = { overrides = (\n"
	    " { author = \"a.example\"; action = \"accept\"; reason = \"r\"; "
	    "},\n { author = [ \"b.example\",\n  \"a b\" ]; action = "
	    "\"accept\"; reason = \"r\"; }\n); };", 4, "author: 'a b'" },
	{ "bare wildcard", "policy = { overrides = ( { mail_from = \"*.\"; "
	    "action = \"accept\"; reason = \"r\"; } ); };", 1,
	    "domain or *.domain" },
	{ "inner wildcard", "policy = { overrides = ( { author = "
	    "\"a.*.example\"; action = \"accept\"; reason = \"r\"; } ); };",
	    1, "not a domain" },
	{ "bad network", "policy = { overrides = ( { client = "
	    "\"10.0.0.0/33\"; action = \"accept\"; reason = \"r\"; } ); };",
	    1, "client: '10.0.0.0/33'" },
	{ "empty list", "policy = { overrides = ( { author = [ ]; action = "
	    "\"accept\"; reason = \"r\"; } ); };", 1, "author: expected" },
	{ "number for a domain", "policy = { overrides = ( { author = 5; "
	    "action = \"accept\"; reason = \"r\"; } ); };", 1,
	    "author: expected" },
	{ "reason with ;", "policy = { overrides = ( { author = "
	    "\"a.example\"; action = \"accept\"; reason = \"a;b\"; } ); };",
	    1, "reason: printable ASCII" },
	{ "reason with a quote", "policy = { overrides = ( { author = "
	    "\"a.example\"; action = \"accept\"; reason = \"a\\\"b\"; } ); "
	    "};", 1, "reason: printable ASCII" },
	{ "empty reason", "policy = { overrides = ( { author = "
	    "\"a.example\"; action = \"accept\"; reason = \"\"; } ); };", 1,
	    "reason: empty" },
	{ "name with a space", "policy = { overrides = ( { name = \"a b\"; "
	    "author = \"a.example\"; action = \"accept\"; reason = \"r\"; } "
	    "); };", 1, "name: letters" },
};

/* t_override_bad - each invalid file: refused, FILE:LINE: key: message */
static void
t_override_bad(void)
{
	struct config *cfg;
	struct buf why;
	char *path, prefix[256];
	size_t i;

	buf_init(&why, 4096);
	for (i = 0; i < T_OVERRIDE_N(t_override_bad_cases); i++) {
		const char *label = t_override_bad_cases[i].label;

		cfg = fixture_load(t_override_bad_cases[i].text, &path, &why);
		UNIT_CHECK(cfg == NULL, label, "accepted");
		config_release(cfg);
		snprintf(prefix, sizeof(prefix), "%s:%d: policy.overrides: ",
		    path, t_override_bad_cases[i].want_line);
		UNIT_CHECK(strncmp(why.data, prefix, strlen(prefix)) == 0,
		    label, "\"%s\" does not start with \"%s\"", why.data,
		    prefix);
		UNIT_CHECK(strstr(why.data, t_override_bad_cases[i].want) !=
		    NULL, label, "\"%s\" lacks \"%s\"", why.data,
		    t_override_bad_cases[i].want);
		free(path);
	}
	buf_free(&why);
}

/* t_override_read - what a valid list turns into */
static void
t_override_read(void)
{
	struct config *cfg = fixture_config(t_override_conf);
	const struct config_override *o;

	if (cfg->policy.noverrides < 5)
		return;
	o = &cfg->policy.overrides[0];
	UNIT_STREQ(o->name, "both", "name as given");
	UNIT_CHECK(o->action == CONFIG_OVERRIDE_REJECT && o->line == 2 &&
	    o->author.n == 1 && o->client.n == 2 && o->mail_from.n == 0,
	    "first rule", "action %d line %d", o->action, o->line);
	o = &cfg->policy.overrides[1];
	UNIT_STREQ(o->name, "#2", "default name: its place");
	UNIT_CHECK(o->author.n == 2, "a list of two", "%zu", o->author.n);
	if (o->author.n == 2) {
		UNIT_STREQ(o->author.v[0], "partner.example",
		    "stored lowercase, no trailing dot");
		UNIT_STREQ(o->author.v[1], "*.partner.example", "wildcard");
	}
	UNIT_STREQ(o->reason, "partner list", "reason");
	UNIT_STREQ(config_override_action_name(cfg->policy.overrides[2].action),
	    "no-dmarc", "action name");
	UNIT_STREQ(config_override_action_name(9), "?", "unknown action");
	config_release(cfg);
}

int
main(void)
{
	t_override_bad();
	t_override_read();
	t_override_domains();
	t_override_rules();
	return unit_done("t_override");
}
