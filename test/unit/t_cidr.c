/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_cidr - address and prefix parsing, IPv4-mapped IPv6, prefix matching,
 * formatting
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/un.h>

#include "util/cidr.h"
#include "unit.h"

#define T_CIDR_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_cidr_s - an array as a plain pointer, for UNIT_STREQ */
static const char *
t_cidr_s(const char *s)
{
	return s;
}

/* cidr_addr_parse() then cidr_addr_format() */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* text address */
	int		 want_rc;	/* 0 or -1 */
	int		 want_family;	/* AF_INET, AF_INET6 */
	const char	*want_text;	/* formatted back */
} t_cidr_addr_cases[] = {
	{ "IPv4", "192.0.2.1", 0, AF_INET, "192.0.2.1" },
	{ "IPv4 zero", "0.0.0.0", 0, AF_INET, "0.0.0.0" },
	{ "IPv4 broadcast", "255.255.255.255", 0, AF_INET,
	    "255.255.255.255" },
	{ "IPv6", "2001:db8::1", 0, AF_INET6, "2001:db8::1" },
	{ "IPv6 uppercase", "2001:DB8::A", 0, AF_INET6, "2001:db8::a" },
	{ "IPv6 full form", "2001:0db8:0000:0000:0000:0000:0000:0001", 0,
	    AF_INET6, "2001:db8::1" },
	{ "IPv6 loopback", "::1", 0, AF_INET6, "::1" },
	{ "IPv6 unspecified", "::", 0, AF_INET6, "::" },
	{ "IPv4-mapped is IPv4", "::ffff:192.0.2.1", 0, AF_INET,
	    "192.0.2.1" },
	{ "IPv4-mapped hex form", "::ffff:c000:201", 0, AF_INET,
	    "192.0.2.1" },
	{ "IPv4-mapped uppercase", "::FFFF:10.1.2.3", 0, AF_INET,
	    "10.1.2.3" },
	{ "SIIT ::ffff:0:a.b.c.d stays IPv6", "::ffff:0:192.0.2.1", 0,
	    AF_INET6, "::ffff:0:c000:201" },
	{ "IPv4-compatible stays IPv6", "::192.0.2.1", 0, AF_INET6,
	    "::192.0.2.1" },
	{ "three octets", "1.2.3", -1, 0, NULL },
	{ "five octets", "1.2.3.4.5", -1, 0, NULL },
	{ "octet over 255", "256.1.1.1", -1, 0, NULL },
	{ "empty", "", -1, 0, NULL },
	{ "garbage", "garbage", -1, 0, NULL },
	{ "trailing space", "1.2.3.4 ", -1, 0, NULL },
	{ "leading space", " 1.2.3.4", -1, 0, NULL },
	{ "two ::", "2001:db8::1::2", -1, 0, NULL },
	{ "brackets", "[::1]", -1, 0, NULL },
	{ "short mapped", "::ffff:1.2.3", -1, 0, NULL },
	{ "with prefix", "1.2.3.4/32", -1, 0, NULL },
	{ "zone id", "fe80::1%eth0", -1, 0, NULL },
};

/* t_cidr_addr - parse and format every address */
static void
t_cidr_addr(void)
{
	size_t i;

	for (i = 0; i < T_CIDR_N(t_cidr_addr_cases); i++) {
		struct cidr_addr a;
		char text[CIDR_ADDRSTRLEN];
		int rc;

		memset(&a, 0x5a, sizeof(a));
		rc = cidr_addr_parse(t_cidr_addr_cases[i].in, &a);
		UNIT_CHECK(rc == t_cidr_addr_cases[i].want_rc,
		    t_cidr_addr_cases[i].label, "rc %d for \"%s\"", rc,
		    t_cidr_addr_cases[i].in);
		if (rc != 0 || t_cidr_addr_cases[i].want_rc != 0)
			continue;
		UNIT_CHECK(a.family == t_cidr_addr_cases[i].want_family,
		    t_cidr_addr_cases[i].label, "family %d", a.family);
		cidr_addr_format(&a, text, sizeof(text));
		UNIT_STREQ(t_cidr_s(text), t_cidr_addr_cases[i].want_text,
		    t_cidr_addr_cases[i].label);
		if (a.family == AF_INET) {
			static const unsigned char zero[12];

			UNIT_CHECK(memcmp(a.bytes + 4, zero, 12) == 0,
			    t_cidr_addr_cases[i].label,
			    "IPv4 bytes 4..15 not zero");
		}
	}
}

/* cidr_parse() */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* "addr" or "addr/len" */
	int		 want_rc;	/* 0 or -1 */
	int		 want_family;	/* of the network */
	unsigned	 want_prefix;	/* in bits */
} t_cidr_parse_cases[] = {
	{ "IPv4 /24", "192.0.2.0/24", 0, AF_INET, 24 },
	{ "IPv4 no length is /32", "192.0.2.1", 0, AF_INET, 32 },
	{ "IPv4 /0", "0.0.0.0/0", 0, AF_INET, 0 },
	{ "IPv4 /32", "192.0.2.1/32", 0, AF_INET, 32 },
	{ "IPv4 /23", "10.0.0.0/23", 0, AF_INET, 23 },
	{ "IPv4 /8 loopback", "127.0.0.0/8", 0, AF_INET, 8 },
	{ "IPv6 /32", "2001:db8::/32", 0, AF_INET6, 32 },
	{ "IPv6 no length is /128", "::1", 0, AF_INET6, 128 },
	{ "IPv6 /128", "::1/128", 0, AF_INET6, 128 },
	{ "IPv6 /0", "::/0", 0, AF_INET6, 0 },
	{ "IPv6 /65", "2001:db8::/65", 0, AF_INET6, 65 },
	{ "leading zero length", "10.0.0.0/08", 0, AF_INET, 8 },
	{ "mapped /120 is IPv4 /24", "::ffff:192.0.2.0/120", 0, AF_INET,
	    24 },
	{ "mapped /128 is IPv4 /32", "::ffff:192.0.2.1/128", 0, AF_INET,
	    32 },
	{ "mapped no length is /32", "::ffff:192.0.2.1", 0, AF_INET, 32 },
	{ "IPv4 /33", "1.2.3.4/33", -1, 0, 0 },
	{ "IPv6 /129", "::1/129", -1, 0, 0 },
	{ "three octets", "1.2.3", -1, 0, 0 },
	{ "three octets with length", "1.2.3/24", -1, 0, 0 },
	{ "empty length", "1.2.3.4/", -1, 0, 0 },
	{ "negative length", "1.2.3.4/-1", -1, 0, 0 },
	{ "plus sign", "1.2.3.4/+8", -1, 0, 0 },
	{ "space in length", "1.2.3.4/ 8", -1, 0, 0 },
	{ "junk after length", "1.2.3.4/8x", -1, 0, 0 },
	{ "two slashes", "1.2.3.4//8", -1, 0, 0 },
	{ "length without address", "/8", -1, 0, 0 },
	{ "huge length", "1.2.3.4/99999999999999999999999", -1, 0, 0 },
	{ "garbage", "garbage", -1, 0, 0 },
	{ "garbage with length", "garbage/8", -1, 0, 0 },
	{ "empty", "", -1, 0, 0 },
	{ "longer than the parse buffer",
	    "2001:0db8:0000:0000:0000:0000:0000:0001/00000000000000128", -1,
	    0, 0 },
	{ "mapped /129", "::ffff:192.0.2.0/129", -1, 0, 0 },
};

/* t_cidr_parse - every network */
static void
t_cidr_parse(void)
{
	size_t i;

	for (i = 0; i < T_CIDR_N(t_cidr_parse_cases); i++) {
		struct cidr c;
		int rc;

		memset(&c, 0, sizeof(c));
		rc = cidr_parse(t_cidr_parse_cases[i].in, &c);
		UNIT_CHECK(rc == t_cidr_parse_cases[i].want_rc,
		    t_cidr_parse_cases[i].label, "rc %d for \"%s\"", rc,
		    t_cidr_parse_cases[i].in);
		if (rc != 0 || t_cidr_parse_cases[i].want_rc != 0)
			continue;
		UNIT_CHECK(c.addr.family == t_cidr_parse_cases[i].want_family,
		    t_cidr_parse_cases[i].label, "family %d", c.addr.family);
		UNIT_CHECK(c.prefix == t_cidr_parse_cases[i].want_prefix,
		    t_cidr_parse_cases[i].label, "prefix %u, want %u",
		    c.prefix, t_cidr_parse_cases[i].want_prefix);
	}
}

/* cidr_match(): is addr inside net */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*net;		/* cidr_parse() input */
	const char	*addr;		/* cidr_addr_parse() input */
	int		 want;		/* 1 inside, 0 not */
} t_cidr_match_cases[] = {
	{ "/24 inside", "192.0.2.0/24", "192.0.2.1", 1 },
	{ "/24 last", "192.0.2.0/24", "192.0.2.255", 1 },
	{ "/24 outside", "192.0.2.0/24", "192.0.3.1", 0 },
	{ "/24 below", "192.0.2.0/24", "192.0.1.255", 0 },
	{ "mapped client in IPv4 /24", "192.0.2.0/24", "::ffff:192.0.2.1", 1 },
	{ "mapped client outside IPv4 /24", "192.0.2.0/24",
	    "::ffff:192.0.3.1", 0 },
	{ "IPv4 client in mapped /120", "::ffff:192.0.2.0/120", "192.0.2.77",
	    1 },
	{ "IPv4 client outside mapped /120", "::ffff:192.0.2.0/120",
	    "192.0.3.77", 0 },
	{ "/23 low half", "10.0.0.0/23", "10.0.0.1", 1 },
	{ "/23 high half", "10.0.0.0/23", "10.0.1.255", 1 },
	{ "/23 next block", "10.0.0.0/23", "10.0.2.0", 0 },
	{ "/23 host bits in network", "10.0.1.0/23", "10.0.0.5", 1 },
	{ "/31 pair", "192.0.2.0/31", "192.0.2.1", 1 },
	{ "/31 outside", "192.0.2.0/31", "192.0.2.2", 0 },
	{ "/1 high", "128.0.0.0/1", "255.1.1.1", 1 },
	{ "/1 low", "128.0.0.0/1", "127.255.255.255", 0 },
	{ "/32 same", "192.0.2.1/32", "192.0.2.1", 1 },
	{ "/32 other", "192.0.2.1/32", "192.0.2.2", 0 },
	{ "/32 last bit", "192.0.2.0/32", "192.0.2.1", 0 },
	{ "IPv4 /0 any IPv4", "0.0.0.0/0", "203.0.113.9", 1 },
	{ "IPv4 /0 not IPv6", "0.0.0.0/0", "2001:db8::1", 0 },
	{ "IPv6 /0 any IPv6", "::/0", "2001:db8::1", 1 },
	{ "IPv6 /0 not IPv4", "::/0", "192.0.2.1", 0 },
	{ "IPv6 /0 not mapped IPv4", "::/0", "::ffff:192.0.2.1", 0 },
	{ "IPv6 /32 inside", "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "IPv6 /32 outside", "2001:db8::/32", "2001:db9::1", 0 },
	{ "IPv6 /65 inside", "2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff",
	    1 },
	{ "IPv6 /65 outside", "2001:db8::/65", "2001:db8::8000:0:0:0", 0 },
	{ "IPv6 /127 pair", "2001:db8::/127", "2001:db8::1", 1 },
	{ "IPv6 /127 outside", "2001:db8::/127", "2001:db8::2", 0 },
	{ "IPv6 /128 same", "::1/128", "::1", 1 },
	{ "IPv6 /128 other", "::1/128", "::2", 0 },
	{ "loopback /8", "127.0.0.0/8", "127.255.0.1", 1 },
	{ "IPv6 net, IPv4 client", "::1/128", "127.0.0.1", 0 },
	{ "IPv4 net, IPv6 client", "127.0.0.0/8", "::1", 0 },
};

/* t_cidr_match - every network/address pair */
static void
t_cidr_match(void)
{
	size_t i;

	for (i = 0; i < T_CIDR_N(t_cidr_match_cases); i++) {
		struct cidr c;
		struct cidr_addr a;
		int got;

		if (cidr_parse(t_cidr_match_cases[i].net, &c) != 0 ||
		    cidr_addr_parse(t_cidr_match_cases[i].addr, &a) != 0) {
			UNIT_CHECK(0, t_cidr_match_cases[i].label,
			    "fixture does not parse");
			continue;
		}
		got = cidr_match(&c, &a);
		UNIT_CHECK(got == t_cidr_match_cases[i].want,
		    t_cidr_match_cases[i].label, "%s in %s: %d, want %d",
		    t_cidr_match_cases[i].addr, t_cidr_match_cases[i].net,
		    got, t_cidr_match_cases[i].want);
	}
}

/* t_cidr_match_any - a list such as policy.trusted_networks */
static void
t_cidr_match_any(void)
{
	static const char *const nets[] = { "127.0.0.0/8", "::1/128",
	    "2001:db8::/32", "198.51.100.0/22" };
	static const struct {
		const char	*label;	/* what the case shows */
		const char	*addr;	/* client */
		size_t		 n;	/* list entries to use */
		int		 want;	/* 1 inside one */
	} cases[] = {
		{ "first entry", "127.0.0.1", 4, 1 },
		{ "second entry", "::1", 4, 1 },
		{ "third entry", "2001:db8:1::5", 4, 1 },
		{ "last entry", "198.51.103.200", 4, 1 },
		{ "mapped in last entry", "::ffff:198.51.101.1", 4, 1 },
		{ "none", "192.0.2.1", 4, 0 },
		{ "none IPv6", "2001:db9::1", 4, 0 },
		{ "entry past n not used", "198.51.100.1", 3, 0 },
		{ "empty list", "127.0.0.1", 0, 0 },
	};
	struct cidr list[T_CIDR_N(nets)];
	size_t i;

	for (i = 0; i < T_CIDR_N(nets); i++)
		UNIT_CHECK(cidr_parse(nets[i], &list[i]) == 0, nets[i],
		    "list entry does not parse");
	for (i = 0; i < T_CIDR_N(cases); i++) {
		struct cidr_addr a;
		int got;

		UNIT_CHECK(cidr_addr_parse(cases[i].addr, &a) == 0,
		    cases[i].label, "fixture does not parse");
		got = cidr_match_any(list, cases[i].n, &a);
		UNIT_CHECK(got == cases[i].want, cases[i].label,
		    "%s: %d, want %d", cases[i].addr, got, cases[i].want);
	}
}

/* t_cidr_format - formatting edges: no address, small buffers */
static void
t_cidr_format(void)
{
	struct cidr_addr a;
	char out[CIDR_ADDRSTRLEN], small[8], tiny[4];

	memset(&a, 0, sizeof(a));
	cidr_addr_format(&a, out, sizeof(out));
	UNIT_STREQ(t_cidr_s(out), "unknown", "family 0 formats as unknown");

	cidr_addr_parse("2001:db8:1:2:3:4:5:6", &a);
	cidr_addr_format(&a, small, sizeof(small));
	UNIT_STREQ(t_cidr_s(small), "unknown",
	    "too small a buffer gives unknown");
	cidr_addr_format(&a, tiny, sizeof(tiny));
	UNIT_STREQ(t_cidr_s(tiny), "unk", "tiny buffer stays NUL-terminated");

	cidr_addr_parse("::ffff:203.0.113.7", &a);
	cidr_addr_format(&a, out, sizeof(out));
	UNIT_STREQ(t_cidr_s(out), "203.0.113.7", "mapped formats as IPv4");
}

/* t_cidr_sockaddr - what libmilter hands over at connect */
static void
t_cidr_sockaddr(void)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct cidr_addr a;
	char out[CIDR_ADDRSTRLEN];
	int rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.9", &sin.sin_addr);
	rc = cidr_addr_from_sockaddr((struct sockaddr *)&sin, &a);
	cidr_addr_format(&a, out, sizeof(out));
	UNIT_CHECK(rc == 0 && a.family == AF_INET, "sockaddr_in", "rc %d", rc);
	UNIT_STREQ(t_cidr_s(out), "192.0.2.9", "sockaddr_in");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::9", &sin6.sin6_addr);
	rc = cidr_addr_from_sockaddr((struct sockaddr *)&sin6, &a);
	cidr_addr_format(&a, out, sizeof(out));
	UNIT_CHECK(rc == 0 && a.family == AF_INET6, "sockaddr_in6", "rc %d",
	    rc);
	UNIT_STREQ(t_cidr_s(out), "2001:db8::9", "sockaddr_in6");

	inet_pton(AF_INET6, "::ffff:192.0.2.10", &sin6.sin6_addr);
	rc = cidr_addr_from_sockaddr((struct sockaddr *)&sin6, &a);
	cidr_addr_format(&a, out, sizeof(out));
	UNIT_CHECK(rc == 0 && a.family == AF_INET, "mapped sockaddr_in6",
	    "rc %d family %d", rc, a.family);
	UNIT_STREQ(t_cidr_s(out), "192.0.2.10", "mapped sockaddr_in6");

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	rc = cidr_addr_from_sockaddr((struct sockaddr *)&sun, &a);
	UNIT_CHECK(rc == -1 && a.family == 0, "AF_UNIX is no address",
	    "rc %d family %d", rc, a.family);
	rc = cidr_addr_from_sockaddr(NULL, &a);
	UNIT_CHECK(rc == -1 && a.family == 0, "NULL sockaddr", "rc %d", rc);
}

int
main(void)
{
	t_cidr_addr();
	t_cidr_parse();
	t_cidr_match();
	t_cidr_match_any();
	t_cidr_format();
	t_cidr_sockaddr();
	return unit_done("t_cidr");
}
