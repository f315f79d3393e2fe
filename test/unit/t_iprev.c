/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_iprev - RFC 8601 section 3 through the real resolver (local data, a
 * silent server for timeouts): pass when a PTR name maps back, fail when
 * none does, permerror without PTR data, temperror when a lookup fails,
 * IPv6 nibble names; the A-R clause with policy.iprev and the x-tls
 * clause from the TLS macros
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "mail/authres.h"
#include "dns/dnsbudget.h"
#include "dns/resolver.h"
#include "auth/iprev.h"
#include "core/results.h"
#include "fixture.h"
#include "unit.h"

static const char t_iprev_zone[] =
    "  timeout = 1;\n"
    "  dnssec = false;\n"
    "  local_zones = [ \"example. static\", \"2.0.192.in-addr.arpa. static\","
    " \"8.b.d.0.1.0.0.2.ip6.arpa. static\" ];\n"
    "  local_data = [\n"
    "    \"1.2.0.192.in-addr.arpa. 300 IN PTR mail.example.\",\n"
    "    \"mail.example. 300 IN A 192.0.2.1\",\n"
    "    \"2.2.0.192.in-addr.arpa. 300 IN PTR liar.example.\",\n"
    "    \"2.2.0.192.in-addr.arpa. 300 IN PTR other.example.\",\n"
    "    \"liar.example. 300 IN A 192.0.2.99\",\n"
    "    \"3.2.0.192.in-addr.arpa. 300 IN PTR slow.example.net.\",\n"
    "    \"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR v6.example.\",\n"
    "    \"v6.example. 300 IN AAAA 2001:db8::1\"\n"
    "  ];\n"
    "};\n";

static const struct {
	const char	*ip;		/* the client */
	enum method_result want;	/* result */
	const char	*reason;	/* the reason */
} t_iprev_cases[] = {
	{ "192.0.2.1", METHOD_PASS, "mail.example" },
	{ "192.0.2.2", METHOD_FAIL, "no name maps back to the address: "
	    "other.example, liar.example" },
	{ "192.0.2.3", METHOD_TEMPERROR, "A slow.example.net: timed out" },
	{ "192.0.2.4", METHOD_PERMERROR, "no PTR record, PTR "
	    "4.2.0.192.in-addr.arpa: NXDOMAIN" },
	{ "2001:db8::1", METHOD_PASS, "v6.example" },
	{ "198.51.100.1", METHOD_TEMPERROR, "PTR "
	    "1.100.51.198.in-addr.arpa: timed out" },
};

/* t_iprev_clauses - iprev and x-tls as A-R text */
static void
t_iprev_clauses(void)
{
	struct results r;
	struct authres ar;
	struct buf out;

	memset(&r, 0, sizeof(r));
	r.iprev.checked = 1;
	r.iprev.result = METHOD_PASS;
	r.iprev.reason = strdup("mail.example");
	results_tls_set(&r.tls, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "256",
	    "CN=mx.example, O=Example");
	authres_init(&ar, "mx.test");
	results_authres(&r, NULL, "192.0.2.1", 0, &ar);
	buf_init(&out, 4096);
	authres_format(&ar, &out);
	UNIT_STREQ(out.data, "mx.test;\n\tiprev=pass (mail.example) "
	    "policy.iprev=192.0.2.1;\n\tx-tls=pass smtp.version=TLSv1.3 "
	    "smtp.cipher=TLS_AES_256_GCM_SHA384\n\tsmtp.bits=256 "
	    "smtp.cert-subject=\"CN=mx.example, O=Example\"", "iprev, x-tls");
	authres_free(&ar);
	results_free(&r);
	buf_free(&out);
}

int
main(void)
{
	struct iprev_result r;
	struct dnsbudget b;
	struct cidr_addr a;
	struct resolver *res;
	struct config *cfg;
	struct buf text;
	size_t i;
	int fd, port;

	if ((fd = fixture_silent(&port)) < 0)
		return 99;
	buf_init(&text, 65536);
	buf_printf(&text, "dns = {\n  nameservers = [ \"127.0.0.1@%d\" ];\n%s",
	    port, t_iprev_zone);
	cfg = fixture_config(text.data);
	res = fixture_resolver(cfg);
	for (i = 0; i < sizeof(t_iprev_cases) / sizeof(t_iprev_cases[0]);
	    i++) {
		dnsbudget_init(&b, 10000);
		cidr_addr_parse(t_iprev_cases[i].ip, &a);
		iprev_check(res, &b, &a, &r);
		UNIT_CHECK(r.checked && r.result == t_iprev_cases[i].want,
		    t_iprev_cases[i].ip, "result %s", method_result_name(
		    r.result));
		UNIT_STREQ(r.reason != NULL ? r.reason : "",
		    t_iprev_cases[i].reason, t_iprev_cases[i].ip);
		UNIT_CHECK(b.queries > 0, "charged to the budget", "%u",
		    b.queries);
		iprev_result_free(&r);
	}
	t_iprev_clauses();
	resolver_free(res);
	config_release(cfg);
	buf_free(&text);
	close(fd);
	return unit_done("t_iprev");
}
