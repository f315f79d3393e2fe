/*
 * t_spf - spf_check() through the real resolver path with a zone served
 * from dns.local_data (no network): results, include, redirect, a and mx
 * with IPv4 and IPv6 clients, the HELO identity, and the limits of RFC 7208
 * section 4.6.4
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cidr.h"
#include "config.h"
#include "fixture.h"
#include "resolver.h"
#include "dnsbudget.h"
#include "spf.h"
#include "unit.h"

#define T_SPF_N(a)	(sizeof(a) / sizeof((a)[0]))

/* eight mechanisms, to build long records */
#define T_SPF_8	"ip4:10.0.0.0/24 ip4:10.0.1.0/24 ip4:10.0.2.0/24 " \
	"ip4:10.0.3.0/24 ip4:10.0.4.0/24 ip4:10.0.5.0/24 ip4:10.0.6.0/24 " \
	"ip4:10.0.7.0/24 "

/* the zone: every name under example. is answered here or NXDOMAIN */
static const char *const t_spf_zone[] = {
	/* plain results */
	"pass.example. TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"",
	"soft.example. TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"",
	"neutral.example. TXT \"v=spf1 ip4:192.0.2.0/24 ?all\"",
	"plus.example. TXT \"v=spf1 +all\"",
	"upper.example. TXT \"V=SPF1 -all\"",
	"notspf.example. TXT \"google-site-verification=abc\"",
	"spf10.example. TXT \"v=spf10 +all\"",
	"joined.example. TXT \"v=spf1 ip4:192.0.2.0/24\" \" -all\"",
	"badsyntax.example. TXT \"v=spf1 foo:bar -all\"",
	"two.example. TXT \"v=spf1 -all\"",
	"two.example. TXT \"v=spf1 +all\"",
	"twoplus.example. TXT \"v=spf1 -all\"",
	"twoplus.example. TXT \"other text\"",
	/* include and redirect */
	"inc.example. TXT \"v=spf1 include:pass.example -all\"",
	"incsoft.example. TXT \"v=spf1 include:soft.example -all\"",
	"incnone.example. TXT \"v=spf1 include:nosuch.example -all\"",
	"redir.example. TXT \"v=spf1 redirect=pass.example\"",
	"redirnone.example. TXT \"v=spf1 redirect=nosuch.example\"",
	"incbad.example. TXT \"v=spf1 include:badsyntax.example -all\"",
	"one11.example. TXT \"v=spf1 a:h1.example a:h2.example a:h3.example "
	    "a:h4.example a:h5.example a:h6.example a:h7.example a:h8.example "
	    "a:h9.example a:h10.example a:h1.example ip4:192.0.2.0/24 -all\"",
	/* a and mx */
	"a.example. TXT \"v=spf1 a -all\"",
	"a.example. A 192.0.2.10",
	"a.example. AAAA 2001:db8::10",
	"aother.example. TXT \"v=spf1 a:host.a.example -all\"",
	"host.a.example. A 198.51.100.7",
	"acidr.example. TXT \"v=spf1 a:host.a.example/24 -all\"",
	"mx.example. TXT \"v=spf1 mx -all\"",
	"mx.example. MX 10 mail1.mx.example.",
	"mx.example. MX 20 mail2.mx.example.",
	"mail1.mx.example. A 192.0.2.21",
	"mail2.mx.example. AAAA 2001:db8::22",
	"exists.example. TXT \"v=spf1 exists:%{i}.ok.example -all\"",
	"192.0.2.1.ok.example. A 127.0.0.2",
	/* the HELO identity */
	"helo.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
	"helofail.example. TXT \"v=spf1 -all\"",
	/* ten include terms in a chain, and eleven */
	"l0.example. TXT \"v=spf1 include:l1.example -all\"",
	"l1.example. TXT \"v=spf1 include:l2.example -all\"",
	"l2.example. TXT \"v=spf1 include:l3.example -all\"",
	"l3.example. TXT \"v=spf1 include:l4.example -all\"",
	"l4.example. TXT \"v=spf1 include:l5.example -all\"",
	"l5.example. TXT \"v=spf1 include:l6.example -all\"",
	"l6.example. TXT \"v=spf1 include:l7.example -all\"",
	"l7.example. TXT \"v=spf1 include:l8.example -all\"",
	"l8.example. TXT \"v=spf1 include:l9.example -all\"",
	"l9.example. TXT \"v=spf1 include:l10.example -all\"",
	"l10.example. TXT \"v=spf1 include:l11.example -all\"",
	"l11.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
	/* terms spread over two records: 10 pass, 11 permerror */
	"mix10.example. TXT \"v=spf1 a:h1.example a:h2.example a:h3.example "
	    "a:h4.example a:h5.example include:mixb4.example -all\"",
	"mix11.example. TXT \"v=spf1 a:h1.example a:h2.example a:h3.example "
	    "a:h4.example a:h5.example include:mixb5.example -all\"",
	"mixb4.example. TXT \"v=spf1 a:h6.example a:h7.example a:h8.example "
	    "a:h9.example ip4:192.0.2.0/24 -all\"",
	"mixb5.example. TXT \"v=spf1 a:h6.example a:h7.example a:h8.example "
	    "a:h9.example a:h10.example ip4:192.0.2.0/24 -all\"",
	"h1.example. A 198.51.100.1", "h2.example. A 198.51.100.2",
	"h3.example. A 198.51.100.3", "h4.example. A 198.51.100.4",
	"h5.example. A 198.51.100.5", "h6.example. A 198.51.100.6",
	"h7.example. A 198.51.100.7", "h8.example. A 198.51.100.8",
	"h9.example. A 198.51.100.9", "h10.example. A 198.51.100.10",
	/* redirect counts as a term too */
	"redir11.example. TXT \"v=spf1 a:h1.example redirect=mix10.example\"",
	/* void lookups: two allowed, three not */
	"void2.example. TXT \"v=spf1 a:v1.example a:v2.example "
	    "ip4:192.0.2.0/24 -all\"",
	"void3.example. TXT \"v=spf1 a:v1.example a:v2.example mx:v3.example "
	    "ip4:192.0.2.0/24 -all\"",
	"voidinc.example. TXT \"v=spf1 a:v1.example include:voidb.example "
	    "-all\"",
	"voidb.example. TXT \"v=spf1 a:v2.example a:v3.example "
	    "ip4:192.0.2.0/24 -all\"",
	"nodata.example. A 198.51.100.99",
	"voidnodata.example. TXT \"v=spf1 mx:nodata.example a:v1.example "
	    "a:v2.example ip4:192.0.2.0/24 -all\"",
	/* MX names: ten allowed, eleven not */
	"mx10.example. TXT \"v=spf1 mx ip4:192.0.2.0/24 -all\"",
	"mx11.example. TXT \"v=spf1 mx ip4:192.0.2.0/24 -all\"",
	"mx10.example. MX 1 m1.example.", "mx10.example. MX 2 m2.example.",
	"mx10.example. MX 3 m3.example.", "mx10.example. MX 4 m4.example.",
	"mx10.example. MX 5 m5.example.", "mx10.example. MX 6 m6.example.",
	"mx10.example. MX 7 m7.example.", "mx10.example. MX 8 m8.example.",
	"mx10.example. MX 9 m9.example.", "mx10.example. MX 10 m10.example.",
	"mx11.example. MX 1 m1.example.", "mx11.example. MX 2 m2.example.",
	"mx11.example. MX 3 m3.example.", "mx11.example. MX 4 m4.example.",
	"mx11.example. MX 5 m5.example.", "mx11.example. MX 6 m6.example.",
	"mx11.example. MX 7 m7.example.", "mx11.example. MX 8 m8.example.",
	"mx11.example. MX 9 m9.example.", "mx11.example. MX 10 m10.example.",
	"mx11.example. MX 11 m11.example.",
	"m1.example. A 198.51.100.11", "m2.example. A 198.51.100.12",
	"m3.example. A 198.51.100.13", "m4.example. A 198.51.100.14",
	"m5.example. A 198.51.100.15", "m6.example. A 198.51.100.16",
	"m7.example. A 198.51.100.17", "m8.example. A 198.51.100.18",
	"m9.example. A 198.51.100.19", "m10.example. A 198.51.100.20",
	"m11.example. A 198.51.100.21",
	/* 73 mechanisms: more than libspf2 compiles (it drops the tail) */
	"long.example. TXT \"v=spf1 \" \"" T_SPF_8 "\" \"" T_SPF_8 "\" \""
	    T_SPF_8 "\" \"" T_SPF_8 "\" \"" T_SPF_8 "\" \"" T_SPF_8 "\" \""
	    T_SPF_8 "\" \"" T_SPF_8 "\" \"" T_SPF_8 "\" \"ip4:192.0.2.0/24 "
	    "-all\"",
	"short.example. TXT \"v=spf1 \" \"" T_SPF_8 "\" \"ip4:192.0.2.0/24 "
	    "-all\"",
	/* looked up only with a spent budget (t_spf_limits) */
	"fresh.example. TXT \"v=spf1 +all\"",
	/* a DNS failure: the zone below refuses */
	"inctf.example. TXT \"v=spf1 include:x.tf.example -all\"",
};

/* the SMTP transaction and what spf_check() must find */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*client;	/* address, NULL = family 0 */
	const char	*helo;		/* HELO argument */
	const char	*mailfrom;	/* MAIL FROM, "" = <> */
	int		 check_helo;	/* spf.helo */
	enum method_result want;	/* overall result */
	int		 want_helo;	/* HELO identity result, -1 unchecked */
	const char	*want_reason;	/* in the deciding reason, or NULL */
} t_spf_cases[] = {
	/* plain results */
	{ "pass", "192.0.2.1", NULL, "user@pass.example", 0, METHOD_PASS, -1,
	    NULL },
	{ "fail", "198.51.100.1", NULL, "user@pass.example", 0, METHOD_FAIL,
	    -1, NULL },
	{ "pass IPv6", "2001:db8::5", NULL, "user@pass.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "fail IPv6", "2001:db9::5", NULL, "user@pass.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "pass IPv4-mapped client", "::ffff:192.0.2.1", NULL,
	    "user@pass.example", 0, METHOD_PASS, -1, NULL },
	{ "softfail", "198.51.100.1", NULL, "user@soft.example", 0,
	    METHOD_SOFTFAIL, -1, NULL },
	{ "softfail record, matching client", "192.0.2.1", NULL,
	    "user@soft.example", 0, METHOD_PASS, -1, NULL },
	{ "neutral", "198.51.100.1", NULL, "user@neutral.example", 0,
	    METHOD_NEUTRAL, -1, NULL },
	{ "+all", "203.0.113.1", NULL, "user@plus.example", 0, METHOD_PASS,
	    -1, NULL },
	{ "none: no such domain", "192.0.2.1", NULL, "user@nosuch.example", 0,
	    METHOD_NONE, -1, NULL },
	{ "none: TXT but no SPF", "192.0.2.1", NULL, "user@notspf.example", 0,
	    METHOD_NONE, -1, NULL },
	{ "none: v=spf10 is not v=spf1", "192.0.2.1", NULL,
	    "user@spf10.example", 0, METHOD_NONE, -1, NULL },
	{ "V=SPF1 case-insensitive", "192.0.2.1", NULL, "user@upper.example",
	    0, METHOD_FAIL, -1, NULL },
	{ "record in two strings, pass", "192.0.2.1", NULL,
	    "user@joined.example", 0, METHOD_PASS, -1, NULL },
	{ "record in two strings, fail", "198.51.100.1", NULL,
	    "user@joined.example", 0, METHOD_FAIL, -1, NULL },
	{ "bad record syntax", "192.0.2.1", NULL, "user@badsyntax.example", 0,
	    METHOD_PERMERROR, -1, NULL },
	{ "two v=spf1 records", "192.0.2.1", NULL, "user@two.example", 0,
	    METHOD_PERMERROR, -1, NULL },
	{ "one v=spf1 among other TXT", "192.0.2.1", NULL,
	    "user@twoplus.example", 0, METHOD_FAIL, -1, NULL },
	{ "mail from domain only", "192.0.2.1", NULL, "pass.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "mail from with an empty domain", "192.0.2.1", NULL, "user@", 0,
	    METHOD_NONE, -1, NULL },
	{ "mail from domain upper case", "192.0.2.1", NULL, "User@PASS.Example",
	    0, METHOD_PASS, -1, NULL },
	{ "temperror: zone refuses", "192.0.2.1", NULL, "user@x.tf.example", 0,
	    METHOD_TEMPERROR, -1, NULL },
	{ "temperror through include", "192.0.2.1", NULL,
	    "user@inctf.example", 0, METHOD_TEMPERROR, -1, NULL },
	/* include and redirect */
	{ "include pass", "192.0.2.1", NULL, "user@inc.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "include no match", "198.51.100.1", NULL, "user@inc.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "include softfail is no match", "198.51.100.1", NULL,
	    "user@incsoft.example", 0, METHOD_FAIL, -1, NULL },
	{ "include of no record", "192.0.2.1", NULL, "user@incnone.example",
	    0, METHOD_PERMERROR, -1, NULL },
	{ "include of a bad record", "192.0.2.1", NULL,
	    "user@incbad.example", 0, METHOD_PERMERROR, -1, NULL },
	{ "redirect pass", "192.0.2.1", NULL, "user@redir.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "redirect fail", "198.51.100.1", NULL, "user@redir.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "redirect to no record", "192.0.2.1", NULL, "user@redirnone.example",
	    0, METHOD_PERMERROR, -1, NULL },
	/* a and mx */
	{ "a IPv4 pass", "192.0.2.10", NULL, "user@a.example", 0, METHOD_PASS,
	    -1, NULL },
	{ "a IPv4 fail", "192.0.2.11", NULL, "user@a.example", 0, METHOD_FAIL,
	    -1, NULL },
	{ "a IPv6 pass", "2001:db8::10", NULL, "user@a.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "a IPv6 fail", "2001:db8::11", NULL, "user@a.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "a:other", "198.51.100.7", NULL, "user@aother.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "a:other/24", "198.51.100.200", NULL, "user@acidr.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "a:other/24 outside", "198.51.101.7", NULL, "user@acidr.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "mx IPv4 pass", "192.0.2.21", NULL, "user@mx.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "mx IPv6 pass", "2001:db8::22", NULL, "user@mx.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "mx IPv4 fail", "192.0.2.22", NULL, "user@mx.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "mx IPv6 fail", "2001:db8::21", NULL, "user@mx.example", 0,
	    METHOD_FAIL, -1, NULL },
	{ "exists with %{i}", "192.0.2.1", NULL, "user@exists.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "exists with %{i}, no match", "192.0.2.2", NULL,
	    "user@exists.example", 0, METHOD_FAIL, -1, NULL },
	/* the HELO identity */
	{ "null sender: HELO decides, pass", "192.0.2.1", "helo.example", "",
	    0, METHOD_PASS, METHOD_PASS, NULL },
	{ "null sender: HELO decides, fail", "198.51.100.1", "helo.example",
	    "", 0, METHOD_FAIL, METHOD_FAIL, NULL },
	{ "null sender with spf.helo on", "198.51.100.1", "helo.example", "",
	    1, METHOD_FAIL, METHOD_FAIL, NULL },
	{ "null sender, HELO without SPF", "192.0.2.1", "nosuch.example", "",
	    0, METHOD_NONE, METHOD_NONE, NULL },
	{ "null sender, HELO address literal", "192.0.2.1", "[192.0.2.1]", "",
	    1, METHOD_NONE, -1, NULL },
	{ "null sender, HELO IPv6 literal", "2001:db8::1",
	    "[IPv6:2001:db8::1]", "", 1, METHOD_NONE, -1, NULL },
	{ "null sender, HELO without a dot", "192.0.2.1", "localhost", "", 1,
	    METHOD_NONE, -1, NULL },
	{ "null sender, no HELO", "192.0.2.1", NULL, "", 1, METHOD_NONE, -1,
	    NULL },
	{ "HELO checked separately: helo fail, mail from pass", "192.0.2.1",
	    "helofail.example", "user@pass.example", 1, METHOD_PASS,
	    METHOD_FAIL, NULL },
	{ "HELO checked separately: helo pass, mail from fail",
	    "198.51.100.1", "plus.example", "user@pass.example", 1,
	    METHOD_FAIL, METHOD_PASS, NULL },
	{ "HELO not checked when spf.helo is off", "192.0.2.1",
	    "helofail.example", "user@pass.example", 0, METHOD_PASS, -1,
	    NULL },
	{ "HELO address literal not checked", "192.0.2.1", "[192.0.2.1]",
	    "user@pass.example", 1, METHOD_PASS, -1, NULL },
	/* a record libspf2 cannot hold whole is no neutral, no pass */
	{ "73 mechanisms: permerror, not neutral", "198.51.100.1", NULL,
	    "user@long.example", 0, METHOD_PERMERROR, -1, "too long" },
	{ "73 mechanisms, matching client: permerror", "192.0.2.1", NULL,
	    "user@long.example", 0, METHOD_PERMERROR, -1, "too long" },
	{ "10 mechanisms: fail", "198.51.100.1", NULL, "user@short.example",
	    0, METHOD_FAIL, -1, NULL },
	/* RFC 7208 section 4.6.4 limits */
	{ "10 includes in a chain", "192.0.2.1", NULL, "user@l1.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "11 includes in a chain", "192.0.2.1", NULL, "user@l0.example", 0,
	    METHOD_PERMERROR, -1, "10 DNS" },
	{ "10 terms over two records", "192.0.2.1", NULL,
	    "user@mix10.example", 0, METHOD_PASS, -1, NULL },
	{ "11 terms over two records", "192.0.2.1", NULL,
	    "user@mix11.example", 0, METHOD_PERMERROR, -1, "10 DNS" },
	{ "11 terms in one record", "192.0.2.1", NULL,
	    "user@one11.example", 0, METHOD_PERMERROR, -1, NULL },
	{ "11 terms with a redirect", "192.0.2.1", NULL,
	    "user@redir11.example", 0, METHOD_PERMERROR, -1, "10 DNS" },
	{ "2 void lookups", "192.0.2.1", NULL, "user@void2.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "3 void lookups", "192.0.2.1", NULL, "user@void3.example", 0,
	    METHOD_PERMERROR, -1, "void" },
	{ "3 void lookups across an include", "192.0.2.1", NULL,
	    "user@voidinc.example", 0, METHOD_PERMERROR, -1, "void" },
	{ "NODATA counts as void", "192.0.2.1", NULL,
	    "user@voidnodata.example", 0, METHOD_PERMERROR, -1, "void" },
	{ "10 MX names", "192.0.2.1", NULL, "user@mx10.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "10 MX names, client is the 10th", "198.51.100.20", NULL,
	    "user@mx10.example", 0, METHOD_PASS, -1, NULL },
	{ "11 MX names", "192.0.2.1", NULL, "user@mx11.example", 0,
	    METHOD_PERMERROR, -1, "MX" },
	/* clients that are not evaluated */
	{ "loopback client", "127.0.0.1", "helo.example", "user@pass.example",
	    1, METHOD_NONE, METHOD_NONE, "loopback" },
	{ "loopback client, null sender", "127.0.0.1", "helo.example", "", 1,
	    METHOD_NONE, METHOD_NONE, "loopback" },
	{ "no client address", NULL, "helo.example", "user@pass.example", 1,
	    METHOD_NONE, -1, "no client" },
};

/*
 * t_spf_resolver - the zone above as dns.local_data of a static zone. The
 * only nameserver is a silent socket of ours (*sockp, to close): a lookup
 * not answered locally times out and shows as temperror, it never reaches
 * the network. The refusing zone is listed before the zone that holds it:
 * the other order hits the bug t_resolver reports (nested local zones).
 */
static struct resolver *
t_spf_resolver(int *sockp)
{
	struct resolver *r;
	struct config *cfg;
	struct buf text;
	size_t i;
	int port;

	if ((*sockp = fixture_silent(&port)) < 0) {
		perror("t_spf: UDP socket");
		exit(99);
	}
	buf_init(&text, 1024 * 1024);
	buf_printf(&text, "dns = {\n  timeout = 2;\n"
	    "  nameservers = [ \"127.0.0.1@%d\" ];\n  local_zones = [ "
	    "\"tf.example. refuse\", \"example. static\" ];\n"
	    "  local_data = [\n", port);
	for (i = 0; i < T_SPF_N(t_spf_zone); i++) {
		buf_puts(&text, i ? ",\n    " : "    ");
		fixture_quote(&text, t_spf_zone[i]);
	}
	buf_puts(&text, "\n  ];\n};\n");
	cfg = fixture_config(text.data);
	r = fixture_resolver(cfg);
	config_release(cfg);
	buf_free(&text);
	return r;
}

/* t_spf_run - every case of the table */
static void
t_spf_run(struct resolver *res)
{
	size_t i;

	for (i = 0; i < T_SPF_N(t_spf_cases); i++) {
		const char *label = t_spf_cases[i].label;
		struct spf_request sr;
		struct spf_result out;
		struct cidr_addr client;
		const struct spf_identity *dec;
		int null_sender = *t_spf_cases[i].mailfrom == '\0';

		memset(&client, 0, sizeof(client));
		if (t_spf_cases[i].client != NULL &&
		    cidr_addr_parse(t_spf_cases[i].client, &client) != 0) {
			UNIT_CHECK(0, label, "fixture address does not parse");
			continue;
		}
		memset(&sr, 0, sizeof(sr));
		sr.client = &client;
		sr.helo = t_spf_cases[i].helo;
		sr.mailfrom = t_spf_cases[i].mailfrom;
		sr.check_helo = t_spf_cases[i].check_helo;
		sr.receiver = "mx.example.org";
		spf_check(res, &sr, &out);

		UNIT_CHECK(out.checked, label, "not checked");
		UNIT_CHECK(out.null_sender == null_sender, label,
		    "null_sender %d", out.null_sender);
		UNIT_CHECK(out.result == t_spf_cases[i].want, label,
		    "result %s, want %s (mailfrom: %s; helo: %s)",
		    method_result_name(out.result),
		    method_result_name(t_spf_cases[i].want),
		    out.mailfrom.reason ? out.mailfrom.reason : "-",
		    out.helo.reason ? out.helo.reason : "-");
		if (t_spf_cases[i].want_helo < 0)
			UNIT_CHECK(!out.helo.checked, label,
			    "HELO identity checked (%s)",
			    method_result_name(out.helo.result));
		else
			UNIT_CHECK(out.helo.checked && out.helo.result ==
			    (enum method_result)t_spf_cases[i].want_helo, label,
			    "HELO checked %d result %s, want %s",
			    out.helo.checked,
			    method_result_name(out.helo.result),
			    method_result_name((enum method_result)
			    t_spf_cases[i].want_helo));
		if (client.family != 0)
			UNIT_CHECK(out.mailfrom.checked == !null_sender, label,
			    "mailfrom checked %d", out.mailfrom.checked);
		if (!null_sender && client.family != 0) {
			const char *at = strrchr(t_spf_cases[i].mailfrom, '@');
			char want[256];
			size_t k;

			snprintf(want, sizeof(want), "%s", at ? at + 1 :
			    t_spf_cases[i].mailfrom);
			for (k = 0; want[k] != '\0'; k++)
				if (want[k] >= 'A' && want[k] <= 'Z')
					want[k] += 'a' - 'A';
			UNIT_CHECK(out.mailfrom.domain != NULL &&
			    strcmp(out.mailfrom.domain, want) == 0, label,
			    "mailfrom domain %s, want %s",
			    out.mailfrom.domain ? out.mailfrom.domain : "-",
			    want);
			UNIT_CHECK(out.mailfrom.reason != NULL, label,
			    "no mailfrom reason");
		}
		dec = null_sender ? &out.helo : &out.mailfrom;
		if (t_spf_cases[i].want_reason != NULL) {
			const char *why = client.family == 0 ?
			    out.mailfrom.reason : dec->reason;

			UNIT_CHECK(why != NULL && strstr(why,
			    t_spf_cases[i].want_reason) != NULL, label,
			    "reason \"%s\" lacks \"%s\"", why ? why : "(null)",
			    t_spf_cases[i].want_reason);
		}
		spf_result_free(&out);
		UNIT_CHECK(out.mailfrom.domain == NULL && out.checked == 0,
		    label, "spf_result_free does not reset");
	}
}

/* t_spf_limits - limits.spf_lookups and the message's DNS deadline */
static void
t_spf_limits(struct resolver *res)
{
	struct spf_request sr;
	struct spf_result out;
	struct cidr_addr client;
	struct timespec t0, t1;
	struct dnsbudget spent, short_b, helo_b, from_b;
	long ms;

	cidr_addr_parse("192.0.2.1", &client);
	memset(&sr, 0, sizeof(sr));
	sr.client = &client;
	sr.mailfrom = "user@one11.example";	/* 11 a: terms */
	sr.max_terms = 3;
	spf_check(res, &sr, &out);
	UNIT_CHECK(out.result == METHOD_PERMERROR && out.mailfrom.reason &&
	    strstr(out.mailfrom.reason, "more than 3 DNS") != NULL,
	    "max_terms 3", "result %s (%s)", method_result_name(out.result),
	    out.mailfrom.reason ? out.mailfrom.reason : "-");
	spf_result_free(&out);
	/* a spent budget: temperror at once, even for local data (a name
	 * not looked up before: a remembered answer would still be used) */
	sr.max_terms = 0;
	sr.mailfrom = "user@fresh.example";
	dnsbudget_init(&spent, 0);
	sr.mailfrom_budget = &spent;
	spf_check(res, &sr, &out);
	UNIT_CHECK(out.result == METHOD_TEMPERROR, "budget spent",
	    "result %s", method_result_name(out.result));
	spf_result_free(&out);
	/* a budget of 0.3 s cuts a lookup the silent server never answers */
	sr.mailfrom = "user@silent.example.net";
	dnsbudget_init(&short_b, 300);
	sr.mailfrom_budget = &short_b;
	resolver_deadline(&t0, 0);
	spf_check(res, &sr, &out);
	resolver_deadline(&t1, 0);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	UNIT_CHECK(out.result == METHOD_TEMPERROR && ms < 1500,
	    "budget cuts a lookup", "result %s after %ld ms (dns.timeout "
	    "2 s)", method_result_name(out.result), ms);
	UNIT_CHECK(short_b.left_us <= 0 && short_b.queries > 0,
	    "the wait is charged", "left %ld us after %u queries",
	    short_b.left_us, short_b.queries);
	spf_result_free(&out);
	/*
	 * Each identity has its own budget: a HELO name the attacker
	 * points at a silent server spends only the HELO's (the MAIL FROM
	 * check still runs in full)
	 */
	dnsbudget_init(&helo_b, 300);
	dnsbudget_init(&from_b, 300);
	sr.helo = "silent.example.net";
	sr.check_helo = 1;
	sr.mailfrom = "user@pass.example";
	sr.helo_budget = &helo_b;
	sr.mailfrom_budget = &from_b;
	spf_check(res, &sr, &out);
	UNIT_CHECK(out.helo.result == METHOD_TEMPERROR &&
	    out.mailfrom.result == METHOD_PASS && from_b.left_us > 0,
	    "slow HELO, own budget for MAIL FROM", "helo %s mailfrom %s (%s)",
	    method_result_name(out.helo.result),
	    method_result_name(out.mailfrom.result),
	    out.mailfrom.reason ? out.mailfrom.reason : "-");
	spf_result_free(&out);
}

/* t_spf_no_client - a NULL client pointer is no address at all */
static void
t_spf_no_client(struct resolver *res)
{
	struct spf_request sr;
	struct spf_result out;

	memset(&sr, 0, sizeof(sr));
	sr.client = NULL;
	sr.helo = "helo.example";
	sr.mailfrom = "user@pass.example";
	sr.check_helo = 1;
	spf_check(res, &sr, &out);
	UNIT_CHECK(out.checked && out.result == METHOD_NONE &&
	    !out.mailfrom.checked && !out.helo.checked &&
	    out.mailfrom.reason != NULL &&
	    strstr(out.mailfrom.reason, "no client") != NULL,
	    "NULL client", "result %s", method_result_name(out.result));
	spf_result_free(&out);
}

int
main(void)
{
	struct resolver *res;
	int sock;

	spf_init();
	res = t_spf_resolver(&sock);
	t_spf_run(res);
	t_spf_no_client(res);
	t_spf_limits(res);
	resolver_free(res);
	close(sock);
	return unit_done("t_spf");
}
