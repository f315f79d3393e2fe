/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_dnstext - answers as text through the real resolver (local data, and
 * a silent server on 127.0.0.1 for timeouts): record data of each type,
 * why a lookup failed with its name and type, the tracer's lines in the
 * order the lookups were made, remembered answers
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "unit.h"

/* the zone, after a nameservers line for the silent server */
static const char t_dnstext_zone[] =
    "  timeout = 1;\n"
    "  dnssec = false;\n"
    "  local_zones = [ \"example. static\" ];\n"
    "  local_data = [\n"
    "    \"example. 300 IN TXT \\\"v=spf1 \\\" \\\"-all\\\"\",\n"
    "    \"example. 300 IN MX 10 mail.example.\",\n"
    "    \"a.example. 60 IN A 192.0.2.1\",\n"
    "    \"a.example. 300 IN AAAA 2001:db8::1\",\n"
    "    \"q.example. 300 IN TXT \\\"say \\\\\\\"hi\\\\\\\"\\\"\",\n"
    "    \"alias.example. 300 IN CNAME a.example.\",\n"
    "    \"_25._tcp.mail.example. 300 IN TLSA 3 1 1 "
    "0102030405060708090A0B0C0D0E0F10\",\n"
    "    \"sub.example. 300 IN DS 12345 13 2 "
    "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899\"\n"
    "  ];\n"
    "};\n";

static const struct {
	const char	*name;	/* asked */
	int		 type;	/* of this type */
	const char	*want;	/* dnstext_event() up to the timing */
	const char	*data;	/* and the records after it, or NULL */
} t_dnstext_cases[] = {
	{ "example", ns_t_txt, "TXT example: 1 record, ttl 300, insecure",
	    "\"v=spf1 \" \"-all\"" },
	{ "example", ns_t_mx, "MX example: 1 record, ttl 300, insecure",
	    "10 mail.example." },
	{ "a.example", ns_t_a, "A a.example: 1 record, ttl 60, insecure",
	    "192.0.2.1" },
	{ "a.example", ns_t_aaaa, "AAAA a.example: 1 record, ttl 300, "
	    "insecure", "2001:db8::1" },
	{ "q.example", ns_t_txt, "TXT q.example: 1 record, ttl 300, insecure",
	    "\"say \\\"hi\\\"\"" },
	{ "_25._tcp.mail.example", 52, "TLSA _25._tcp.mail.example: 1 "
	    "record, ttl 300, insecure",
	    "3 1 1 0102030405060708090A0B0C0D0E0F10" },
	{ "sub.example", 43, "DS sub.example: 1 record, ttl 300, insecure",
	    "12345 13 2 AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233"
	    "445566778899" },
	{ "none.example", ns_t_txt, "TXT none.example: NXDOMAIN", NULL },
	{ "a.example", ns_t_mx, "MX a.example: no data", NULL },
	{ "elsewhere.net", ns_t_txt, "TXT elsewhere.net: timed out", NULL },
};

/* the lines the tracer was told, one per lookup */
struct t_dnstext_seen {
	int		 n;		/* events */
	struct buf	 lines;		/* dnstext_event(), '\n' after each */
};

/* t_dnstext_tracer - the resolver tells of a lookup */
static void
t_dnstext_tracer(void *arg, const struct resolver_event *ev)
{
	struct t_dnstext_seen *seen = arg;

	seen->n++;
	dnstext_event(ev, &seen->lines);
	buf_putc(&seen->lines, '\n');
}

/* t_dnstext_lookups - each case, and the tracer's line for it */
static void
t_dnstext_lookups(struct resolver *r, struct t_dnstext_seen *seen)
{
	struct resolver_answer *a = NULL;
	struct buf line, why;
	size_t i, n = sizeof(t_dnstext_cases) / sizeof(t_dnstext_cases[0]);
	const char *got = seen->lines.data, *nl;

	buf_init(&line, 4096);
	buf_init(&why, 4096);
	for (i = 0; i < n; i++) {
		resolver_query(r, t_dnstext_cases[i].name,
		    t_dnstext_cases[i].type, NULL, &a);
		buf_reset(&why);
		dnstext_why(a, t_dnstext_cases[i].name,
		    t_dnstext_cases[i].type, &why);
		UNIT_CHECK(strncmp(t_dnstext_cases[i].want, why.data,
		    why.len) == 0, t_dnstext_cases[i].want, "why '%s'",
		    why.data);
		resolver_answer_free(a);
		got = seen->lines.data;
		for (nl = got; (nl = strchr(got, '\n')) != NULL &&
		    nl[1] != '\0'; got = nl + 1)
			;
		buf_reset(&line);
		buf_append(&line, got, nl != NULL ? (size_t)(nl - got) : 0);
		UNIT_CHECK(strncmp(line.data, t_dnstext_cases[i].want,
		    strlen(t_dnstext_cases[i].want)) == 0,
		    t_dnstext_cases[i].want, "trace '%s'", line.data);
		if (t_dnstext_cases[i].data != NULL) {
			const char *d = strstr(line.data, " ms: ");

			UNIT_STREQ(d != NULL ? d + 5 : "", t_dnstext_cases[i].data,
			    t_dnstext_cases[i].want);
		}
	}
	UNIT_CHECK(seen->n == (int)n, "one trace line per lookup", "%d of %zu",
	    seen->n, n);
	buf_free(&line);
	buf_free(&why);
}

/* t_dnstext_remembered - a second lookup comes from the memo */
static void
t_dnstext_remembered(struct resolver *r, struct t_dnstext_seen *seen)
{
	struct resolver_answer *a = NULL;

	resolver_query(r, "a.example", ns_t_a, NULL, &a);
	UNIT_CHECK(a != NULL && a->remembered && a->ttl == 60,
	    "second lookup remembered", "remembered %d ttl %d",
	    a ? a->remembered : -1, a ? a->ttl : -1);
	resolver_answer_free(a);
	UNIT_CHECK(strstr(seen->lines.data, "(remembered): 192.0.2.1\n") !=
	    NULL, "trace says remembered", "%s", seen->lines.data);
}

/* t_dnstext_rdata - types the local data cannot give, and broken data */
static void
t_dnstext_rdata(void)
{
	static const char soa[] = "\002ns\007example\000\004host\007example"
	    "\000\000\000\000\052\000\000\000\001\000\000\000\001\000\000"
	    "\000\001\000\000\000\001";
	static const char badmx[] = "\000\012\077abc";
	struct buf out;

	buf_init(&out, 4096);
	dnstext_rdata(6, soa, sizeof(soa) - 1, &out);
	UNIT_STREQ(out.data, "ns.example. host.example. 42", "SOA");
	buf_reset(&out);
	dnstext_rdata(15, badmx, sizeof(badmx) - 1, &out);
	UNIT_STREQ(out.data, "\\# 6 000A3F616263", "broken MX: RFC 3597");
	buf_reset(&out);
	dnstext_rdata(65280, "\001\002", 2, &out);
	UNIT_STREQ(out.data, "\\# 2 0102", "unknown type: RFC 3597");
	buf_free(&out);
}

int
main(void)
{
	struct t_dnstext_seen seen;
	struct resolver *r;
	struct config *cfg;
	struct buf text;
	char tmp[16];
	int fd, port;

	if ((fd = fixture_silent(&port)) < 0)
		return 99;
	buf_init(&text, 65536);
	buf_printf(&text, "dns = {\n  nameservers = [ \"127.0.0.1@%d\" ];\n%s",
	    port, t_dnstext_zone);
	cfg = fixture_config(text.data);
	r = fixture_resolver(cfg);
	memset(&seen, 0, sizeof(seen));
	buf_init(&seen.lines, 1024 * 1024);
	resolver_set_tracer(r, t_dnstext_tracer, &seen);
	UNIT_CHECK(!resolver_validating(r), "dnssec = false: no validation",
	    "validating");
	t_dnstext_lookups(r, &seen);
	t_dnstext_remembered(r, &seen);
	t_dnstext_rdata();
	UNIT_STREQ(dnstext_type(52, tmp, sizeof(tmp)), "TLSA", "type name");
	UNIT_STREQ(dnstext_type(65280, tmp, sizeof(tmp)), "TYPE65280",
	    "unknown type name");
	UNIT_STREQ(dnstext_rcode(2, tmp, sizeof(tmp)), "SERVFAIL", "rcode");
	resolver_free(r);
	config_release(cfg);
	buf_free(&seen.lines);
	buf_free(&text);
	close(fd);
	return unit_done("t_dnstext");
}
