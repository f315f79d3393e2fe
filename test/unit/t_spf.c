/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_spf - spf_check() through the real resolver path with a zone served
 * from dns.local_data (no network): results, include, redirect, a and mx
 * with IPv4 and IPv6 clients, the HELO identity, the limits of RFC 7208
 * section 4.6.4, and the macros of section 7 (every letter, DIGIT 1 to 5
 * and more, "r", delimiters, URL escaping, the cut to 253) in the domain
 * of each mechanism that has one, with the current domain of includes
 * and redirects
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "fixture.h"
#include "dns/resolver.h"
#include "dns/dnsbudget.h"
#include "auth/spf.h"
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
	/* issue 12 item 7: %{d2} of a two-label domain lost a character */
	"c0027cc9.example. TXT \"v=spf1 include:%{l}.inc.%{d2} ?all\"",
	"billing.inc.c0027cc9.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
	/* macros in an included record: <domain> is the included one */
	"email.n01.example. TXT \"v=spf1 include:inner.n01.example -all\"",
	"inner.n01.example. TXT \"v=spf1 exists:%{d3}.%{o3}.x.n01.example "
	    "-all\"",
	"inner.n01.example.email.n01.example.x.n01.example. A 127.0.0.2",
	/* ... and the redirected one; a redirect= domain with a macro */
	"email.n02.example. TXT \"v=spf1 redirect=t.%{d3}\"",
	"t.email.n02.example. TXT \"v=spf1 exists:%{d2r}.%{d4}.x.n02.example "
	    "-all\"",
	"email.t.t.email.n02.example.x.n02.example. A 127.0.0.2",
	/* a, mx, ptr and include with a macro the library got wrong */
	"email.n03.example. TXT \"v=spf1 a:%{d3}.h.n03.example -all\"",
	"email.n03.example.h.n03.example. A 192.0.2.3",
	"email.n04.example. TXT \"v=spf1 mx:%{o3} -all\"",
	"email.n04.example. MX 10 mx.n04.example.",
	"mx.n04.example. A 192.0.2.3",
	"n05.example. TXT \"v=spf1 ptr:%{d2} -all\"",
	"3.2.0.192.in-addr.arpa. PTR mx.n05.example.",
	"mx.n05.example. A 192.0.2.3",
	"email.n06.example. TXT \"v=spf1 include:%{d3}.i.n06.example -all\"",
	"email.n06.example.i.n06.example. TXT \"v=spf1 a:%{d6} -all\"",
	"email.n06.example.i.n06.example. A 192.0.2.3",
	/* IPv6: a with a macro gets the client's prefix length only */
	"email.n07.example. TXT \"v=spf1 a:%{o3}//64 -all\"",
	"email.n07.example. AAAA 2001:db8::1",
	/* an expansion that ends in "/24" is a name, not a prefix length */
	"email.n09.example. TXT \"v=spf1 a:%{l2} -all\"",
	"h.ex/24. A 192.0.2.3",
	"h.ex. A 192.0.2.99",
	/* %{p}: the validated name of 192.0.2.3 (PTR above) */
	"p.n08.example. TXT \"v=spf1 exists:%{p3}.x.n08.example -all\"",
	"mx.n05.example.x.n08.example. A 127.0.0.2",
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
	/* macros of RFC 7208 section 7 that need the zone above */
	{ "issue 12.7: include:%{l}.inc.%{d2} of c0027cc9.example",
	    "192.0.2.1", "mail.example", "billing@c0027cc9.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "issue 12.7, client not listed", "198.51.100.1", "mail.example",
	    "billing@c0027cc9.example", 0, METHOD_NEUTRAL, -1, NULL },
	{ "include: %{d} is the included domain, %{o} the sender's",
	    "192.0.2.3", NULL, "strong-bad@email.n01.example", 0, METHOD_PASS,
	    -1, NULL },
	{ "redirect= with a macro; %{d} is then the redirected domain",
	    "192.0.2.3", NULL, "strong-bad@email.n02.example", 0, METHOD_PASS,
	    -1, NULL },
	{ "a:%{d3}", "192.0.2.3", NULL, "strong-bad@email.n03.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "a:%{d3}, another client", "192.0.2.4", NULL,
	    "strong-bad@email.n03.example", 0, METHOD_FAIL, -1, NULL },
	{ "mx:%{o3}", "192.0.2.3", NULL, "strong-bad@email.n04.example", 0,
	    METHOD_PASS, -1, NULL },
	{ "ptr:%{d2} of a two-label domain", "192.0.2.3", NULL,
	    "strong-bad@n05.example", 0, METHOD_PASS, -1, NULL },
	{ "ptr:%{d2}, a client without a name", "192.0.2.4", NULL,
	    "strong-bad@n05.example", 0, METHOD_FAIL, -1, NULL },
	{ "include:%{d3}... and a:%{d6} inside", "192.0.2.3", NULL,
	    "strong-bad@email.n06.example", 0, METHOD_PASS, -1, NULL },
	{ "a:%{o3}//64, IPv6 client in the /64", "2001:db8::ff", NULL,
	    "strong-bad@email.n07.example", 0, METHOD_PASS, -1, NULL },
	{ "a:%{o3}//64, IPv6 client outside", "2001:db8:1::1", NULL,
	    "strong-bad@email.n07.example", 0, METHOD_FAIL, -1, NULL },
	{ "a:%{o3}//64, IPv4 client", "192.0.2.3", NULL,
	    "strong-bad@email.n07.example", 0, METHOD_FAIL, -1, NULL },
	{ "a:%{l2} expanding to h.ex/24", "192.0.2.3", NULL,
	    "h.ex/24@email.n09.example", 0, METHOD_PASS, -1, NULL },
	{ "a:%{l2}: /24 is no prefix length", "192.0.2.4", NULL,
	    "h.ex/24@email.n09.example", 0, METHOD_FAIL, -1, NULL },
	{ "%{p3}: the validated name", "192.0.2.3", NULL, "u@p.n08.example",
	    0, METHOD_PASS, -1, NULL },
	{ "%{p3}: no validated name", "192.0.2.4", NULL, "u@p.n08.example",
	    0, METHOD_FAIL, -1, NULL },
};

/*
 * RFC 7208 section 7, one macro-string a case: the record of the sender's
 * domain (the HELO name's for <>) is "v=spf1 exists:<spec> -all" and only
 * <name> has an address, so the case passes only when <spec> expands to
 * exactly <name>. Every case has a domain and a suffix of its own.
 */
#define T_SPF_M_HELO	"mail.helo.example"
static const struct {
	const char	*label;		/* what the case shows */
	int		 v6;		/* 1: 2001:db8::cb01, 0: 192.0.2.3 */
	const char	*from;		/* MAIL FROM, "" = <> */
	const char	*spec;		/* the domain-spec of exists */
	const char	*name;		/* expansion, NULL: permerror */
} t_spf_macro_cases[] = {
	/* s: "strong-bad@email", "mNN", "example" */
	{ "s", 0, "strong-bad@email.m01.example", "%{s}.m01.x.example",
	    "strong-bad@email.m01.example.m01.x.example" },
	{ "s1", 0, "strong-bad@email.m02.example", "%{s1}.m02.x.example",
	    "example.m02.x.example" },
	{ "s2", 0, "strong-bad@email.m03.example", "%{s2}.m03.x.example",
	    "m03.example.m03.x.example" },
	{ "s3: all the parts", 0, "strong-bad@email.m04.example",
	    "%{s3}.m04.x.example",
	    "strong-bad@email.m04.example.m04.x.example" },
	{ "s5", 0, "strong-bad@email.m05.example", "%{s5}.m05.x.example",
	    "strong-bad@email.m05.example.m05.x.example" },
	{ "s2r", 0, "strong-bad@email.m06.example", "%{s2r}.m06.x.example",
	    "m06.strong-bad@email.m06.x.example" },
	{ "S: @ escaped", 0, "strong-bad@email.m07.example",
	    "%{S}.m07.x.example",
	    "strong-bad%40email.m07.example.m07.x.example" },
	/* l: one part on ".", two on "-" */
	{ "l", 0, "strong-bad@email.m10.example", "%{l}.m10.x.example",
	    "strong-bad.m10.x.example" },
	{ "l1: the one part", 0, "strong-bad@email.m11.example",
	    "%{l1}.m11.x.example", "strong-bad.m11.x.example" },
	{ "l-", 0, "strong-bad@email.m12.example", "%{l-}.m12.x.example",
	    "strong.bad.m12.x.example" },
	{ "l1-", 0, "strong-bad@email.m13.example", "%{l1-}.m13.x.example",
	    "bad.m13.x.example" },
	{ "l2-: both parts", 0, "strong-bad@email.m14.example",
	    "%{l2-}.m14.x.example", "strong.bad.m14.x.example" },
	{ "lr-", 0, "strong-bad@email.m15.example", "%{lr-}.m15.x.example",
	    "bad.strong.m15.x.example" },
	{ "l1r-", 0, "strong-bad@email.m16.example", "%{l1r-}.m16.x.example",
	    "strong.m16.x.example" },
	{ "L: RFC 3986 escaping", 0, "a+b!c*d'e(f)g~h_i@email.m17.example",
	    "%{L}.m17.x.example",
	    "a%2Bb%21c%2Ad%27e%28f%29g~h_i.m17.x.example" },
	/* o: three parts */
	{ "o1", 0, "u@email.m20.example", "%{o1}.m20.x.example",
	    "example.m20.x.example" },
	{ "o2", 0, "u@email.m21.example", "%{o2}.m21.x.example",
	    "m21.example.m21.x.example" },
	{ "o3: all", 0, "u@email.m22.example", "%{o3}.m22.x.example",
	    "email.m22.example.m22.x.example" },
	{ "o4", 0, "u@email.m23.example", "%{o4}.m23.x.example",
	    "email.m23.example.m23.x.example" },
	{ "or", 0, "u@email.m24.example", "%{or}.m24.x.example",
	    "example.m24.email.m24.x.example" },
	{ "O3r", 0, "u@email.m25.example", "%{O3r}.m25.x.example",
	    "example.m25.email.m25.x.example" },
	/* d: five parts */
	{ "d1", 0, "u@a.b.c.m30.example", "%{d1}.m30.x.example",
	    "example.m30.x.example" },
	{ "d2", 0, "u@a.b.c.m31.example", "%{d2}.m31.x.example",
	    "m31.example.m31.x.example" },
	{ "d3", 0, "u@a.b.c.m32.example", "%{d3}.m32.x.example",
	    "c.m32.example.m32.x.example" },
	{ "d4", 0, "u@a.b.c.m33.example", "%{d4}.m33.x.example",
	    "b.c.m33.example.m33.x.example" },
	{ "d5: all", 0, "u@a.b.c.m34.example", "%{d5}.m34.x.example",
	    "a.b.c.m34.example.m34.x.example" },
	{ "d6", 0, "u@a.b.c.m35.example", "%{d6}.m35.x.example",
	    "a.b.c.m35.example.m35.x.example" },
	{ "d200 (over libspf2's 128)", 0, "u@a.b.c.m36.example",
	    "%{d200}.m36.x.example", "a.b.c.m36.example.m36.x.example" },
	{ "dr", 0, "u@a.b.c.m37.example", "%{dr}.m37.x.example",
	    "example.m37.c.b.a.m37.x.example" },
	{ "d1r", 0, "u@a.b.c.m38.example", "%{d1r}.m38.x.example",
	    "a.m38.x.example" },
	{ "d2r", 0, "u@a.b.c.m39.example", "%{d2r}.m39.x.example",
	    "b.a.m39.x.example" },
	{ "d4r", 0, "u@a.b.c.m40.example", "%{d4r}.m40.x.example",
	    "m40.c.b.a.m40.x.example" },
	{ "d5r: all", 0, "u@a.b.c.m41.example", "%{d5r}.m41.x.example",
	    "example.m41.c.b.a.m41.x.example" },
	{ "D2", 0, "u@a.b.c.m42.example", "%{D2}.m42.x.example",
	    "m42.example.m42.x.example" },
	/* i: four parts for IPv4, 32 for IPv6 */
	{ "i", 0, "u@email.m50.example", "%{i}.m50.x.example",
	    "192.0.2.3.m50.x.example" },
	{ "i1", 0, "u@email.m51.example", "%{i1}.m51.x.example",
	    "3.m51.x.example" },
	{ "i3", 0, "u@email.m52.example", "%{i3}.m52.x.example",
	    "0.2.3.m52.x.example" },
	{ "i4: all", 0, "u@email.m53.example", "%{i4}.m53.x.example",
	    "192.0.2.3.m53.x.example" },
	{ "i5", 0, "u@email.m54.example", "%{i5}.m54.x.example",
	    "192.0.2.3.m54.x.example" },
	{ "ir", 0, "u@email.m55.example", "%{ir}.m55.x.example",
	    "3.2.0.192.m55.x.example" },
	{ "i2r", 0, "u@email.m56.example", "%{i2r}.m56.x.example",
	    "0.192.m56.x.example" },
	{ "I4r", 0, "u@email.m57.example", "%{I4r}.m57.x.example",
	    "3.2.0.192.m57.x.example" },
	{ "IPv6 ir v d2 (7.4)", 1, "u@email.m58.example",
	    "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.m58.example" },
	{ "IPv6 i1", 1, "u@email.m59.example", "%{i1}.m59.x.example",
	    "1.m59.x.example" },
	{ "IPv6 i32: all", 1, "u@email.m60.example", "%{i32}.m60.x.example",
	    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"
	    ".m60.x.example" },
	/* p: the validated name mx.n05.example of 192.0.2.3 */
	{ "p", 0, "u@email.m61.example", "%{p}.m61.x.example",
	    "mx.n05.example.m61.x.example" },
	{ "p1", 0, "u@email.m62.example", "%{p1}.m62.x.example",
	    "example.m62.x.example" },
	{ "p2", 0, "u@email.m63.example", "%{p2}.m63.x.example",
	    "n05.example.m63.x.example" },
	{ "p4", 0, "u@email.m64.example", "%{p4}.m64.x.example",
	    "mx.n05.example.m64.x.example" },
	{ "pr", 0, "u@email.m65.example", "%{pr}.m65.x.example",
	    "example.n05.mx.m65.x.example" },
	{ "P2r", 0, "u@email.m66.example", "%{P2r}.m66.x.example",
	    "n05.mx.m66.x.example" },
	/* h: mail.helo.example, three parts */
	{ "h", 0, "u@email.m70.example", "%{h}.m70.x.example",
	    "mail.helo.example.m70.x.example" },
	{ "h1", 0, "u@email.m71.example", "%{h1}.m71.x.example",
	    "example.m71.x.example" },
	{ "h2", 0, "u@email.m72.example", "%{h2}.m72.x.example",
	    "helo.example.m72.x.example" },
	{ "h3: all", 0, "u@email.m73.example", "%{h3}.m73.x.example",
	    "mail.helo.example.m73.x.example" },
	{ "h5", 0, "u@email.m74.example", "%{h5}.m74.x.example",
	    "mail.helo.example.m74.x.example" },
	{ "h1r", 0, "u@email.m75.example", "%{h1r}.m75.x.example",
	    "mail.m75.x.example" },
	{ "H2r", 0, "u@email.m76.example", "%{H2r}.m76.x.example",
	    "helo.mail.m76.x.example" },
	/* v: one part on ".", two on "-" */
	{ "v", 0, "u@email.m80.example", "%{v}.m80.x.example",
	    "in-addr.m80.x.example" },
	{ "v1: the one part", 0, "u@email.m81.example", "%{v1}.m81.x.example",
	    "in-addr.m81.x.example" },
	{ "v2", 0, "u@email.m82.example", "%{v2}.m82.x.example",
	    "in-addr.m82.x.example" },
	{ "v1-", 0, "u@email.m83.example", "%{v1-}.m83.x.example",
	    "addr.m83.x.example" },
	{ "vr-", 0, "u@email.m84.example", "%{vr-}.m84.x.example",
	    "addr.in.m84.x.example" },
	{ "v IPv6", 1, "u@email.m85.example", "%{v}.m85.x.example",
	    "ip6.m85.x.example" },
	{ "V1", 0, "u@email.m86.example", "%{V1}.m86.x.example",
	    "in-addr.m86.x.example" },
	/* c, r and t: explanation text only */
	{ "c in a domain-spec", 0, "u@email.m87.example",
	    "%{c}.m87.x.example", NULL },
	{ "r in a domain-spec", 0, "u@email.m88.example",
	    "%{r}.m88.x.example", NULL },
	{ "t in a domain-spec", 0, "u@email.m89.example",
	    "%{t}.m89.x.example", NULL },
	/* delimiters */
	{ "every delimiter", 0, "a.b-c+d,e/f_g=h@email.m90.example",
	    "%{l.-+,/_=}.m90.x.example", "a.b.c.d.e.f.g.h.m90.x.example" },
	{ "every delimiter, 3r", 0, "a.b-c+d,e/f_g=h@email.m91.example",
	    "%{l3r.-+,/_=}.m91.x.example", "c.b.a.m91.x.example" },
	{ "+, 1", 0, "a.b-c+d,e/f_g=h@email.m92.example",
	    "%{l1+}.m92.x.example", "d,e/f_g=h.m92.x.example" },
	{ ",/ 2", 0, "a.b-c+d,e/f_g=h@email.m93.example",
	    "%{l2,/}.m93.x.example", "e.f_g=h.m93.x.example" },
	{ "_= r", 0, "a.b-c+d,e/f_g=h@email.m94.example",
	    "%{lr_=}.m94.x.example", "h.g.a.b-c+d,e/f.m94.x.example" },
	{ "parts counted on -, not on dots", 0, "x.y-z@email.m95.example",
	    "%{l2-}.m95.x.example", "x.y.z.m95.x.example" },
	/* escapes, and the cut of section 7.3 */
	{ "%- and %%", 0, "u@email.m96.example", "a%-b.m96.x.example",
	    "a%20b.m96.x.example" },
	{ "over 253: left labels go", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaa@email.m97.example",
	    "%{l}.%{l}.%{l}.%{l}.%{l}.m97.x.example",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".m97.x.example" },
	/* the HELO identity: <sender> is postmaster@<HELO name> */
	{ "null sender: l, o2, s", 0, "", "%{l}.%{o2}.%{s}.m98.x.example",
	    "postmaster.helo.example.postmaster@mail.helo.example"
	    ".m98.x.example" },
};

/* t_spf_macro_zone - the records of t_spf_macro_cases, as local data */
static void
t_spf_macro_zone(struct buf *text)
{
	struct buf rr;
	const char *at;
	size_t i;

	buf_init(&rr, 4096);
	for (i = 0; i < T_SPF_N(t_spf_macro_cases); i++) {
		at = strrchr(t_spf_macro_cases[i].from, '@');
		buf_reset(&rr);
		buf_printf(&rr, "%s. TXT \"v=spf1 exists:%s -all\"",
		    at ? at + 1 : T_SPF_M_HELO, t_spf_macro_cases[i].spec);
		buf_puts(text, ",\n    ");
		fixture_quote(text, rr.data);
		if (t_spf_macro_cases[i].name == NULL)
			continue;
		buf_reset(&rr);
		buf_printf(&rr, "%s. A 127.0.0.2", t_spf_macro_cases[i].name);
		buf_puts(text, ",\n    ");
		fixture_quote(text, rr.data);
	}
	buf_free(&rr);
}

/* t_spf_macro_run - every case of t_spf_macro_cases */
static void
t_spf_macro_run(struct resolver *res)
{
	struct spf_request sr;
	struct spf_result out;
	struct cidr_addr client;
	enum method_result want;
	size_t i;

	for (i = 0; i < T_SPF_N(t_spf_macro_cases); i++) {
		cidr_addr_parse(t_spf_macro_cases[i].v6 ? "2001:db8::cb01" :
		    "192.0.2.3", &client);
		memset(&sr, 0, sizeof(sr));
		sr.client = &client;
		sr.helo = T_SPF_M_HELO;
		sr.mailfrom = t_spf_macro_cases[i].from;
		sr.receiver = "mx.example.org";
		spf_check(res, &sr, &out);
		want = t_spf_macro_cases[i].name ? METHOD_PASS :
		    METHOD_PERMERROR;
		UNIT_CHECK(out.result == want, t_spf_macro_cases[i].label,
		    "%s: result %s, want %s (%s)", t_spf_macro_cases[i].spec,
		    method_result_name(out.result), method_result_name(want),
		    out.null_sender ? out.helo.reason : out.mailfrom.reason);
		spf_result_free(&out);
	}
}

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
	    "\"tf.example. refuse\", \"example. static\", "
	    "\"2.0.192.in-addr.arpa. static\", \"ex. static\", "
	    "\"ex/24. static\" ];\n"
	    "  local_data = [\n", port);
	for (i = 0; i < T_SPF_N(t_spf_zone); i++) {
		buf_puts(&text, i ? ",\n    " : "    ");
		fixture_quote(&text, t_spf_zone[i]);
	}
	t_spf_macro_zone(&text);
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
	t_spf_macro_run(res);
	t_spf_no_client(res);
	t_spf_limits(res);
	resolver_free(res);
	close(sock);
	return unit_done("t_spf");
}
