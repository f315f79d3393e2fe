/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_mx - where the domain receives mail: its MX hosts, their
 * addresses, DANE TLSA records for SMTP and the zone's DNSSEC status
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "core/posture_priv.h"

#define POSTURE_TLSA	52	/* RFC 6698 */

/* posture_tlsa_one - RFC 7672 3.1: usages, selectors, digest lengths */
static int
posture_tlsa_one(struct posture *p, const char *name, const char *rd,
    int len)
{
	const unsigned char *u = (const unsigned char *)rd;
	struct buf text;
	int ok = 1;

	buf_init(&text, 4096);
	dnstext_rdata(POSTURE_TLSA, rd, (size_t)len, &text);
	if (len < 3 || u[0] > 3 || u[1] > 1 || u[2] > 2 ||
	    (u[2] == 1 && len != 3 + 32) || (u[2] == 2 && len != 3 + 64)) {
		posture_add(p, "dane", POSTURE_FAIL, "publish usage 2 or 3, "
		    "selector 0 or 1, matching type 1 (SHA-256) or 2",
		    "%s: unusable TLSA record %s", name, text.data);
		ok = 0;
	} else if (u[0] < 2)
		posture_add(p, "dane", POSTURE_WARN, "use DANE-TA(2) or "
		    "DANE-EE(3) for SMTP", "%s: TLSA usage %u is PKIX-%s: RFC "
		    "7672 3.1.3 says SMTP clients treat it as unusable", name,
		    u[0], u[0] == 0 ? "TA" : "EE");
	buf_free(&text);
	return ok;
}

/* posture_tlsa - DANE for one MX host: TLSA at _25._tcp.host */
static void
posture_tlsa(struct posture *p, const char *host, int zone_secure)
{
	struct resolver_answer *a = NULL;
	enum resolver_status st;
	struct buf name, why;
	int i, ok = 1;

	buf_init(&name, 600);
	buf_init(&why, 1024);
	buf_printf(&name, "_25._tcp.%s", host);
	st = resolver_query(p->res, name.data, POSTURE_TLSA, NULL, &a);
	if (st == RESOLVER_OK) {
		for (i = 0; i < a->n; i++)
			ok &= posture_tlsa_one(p, name.data, a->rdata[i],
			    a->rdlen[i]);
		if (!a->secure)
			posture_add(p, "dane", POSTURE_FAIL, "sign the zone "
			    "with DNSSEC: DANE needs it (RFC 7672 2.2)",
			    "%s: %d TLSA record%s, not DNSSEC-secure: senders "
			    "ignore them", name.data, a->n, a->n == 1 ? "" :
			    "s");
		else if (ok)
			posture_add(p, "dane", POSTURE_PASS, NULL, "%s: %d "
			    "TLSA record%s, DNSSEC-secure", name.data, a->n,
			    a->n == 1 ? "" : "s");
	} else if (st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA)
		posture_add(p, "dane", zone_secure ? POSTURE_WARN :
		    POSTURE_PASS, zone_secure ? "publish a TLSA record for "
		    "DANE (RFC 7672)" : NULL, "%s: no TLSA record%s", name.data,
		    zone_secure ? " although the zone is signed" : "");
	else {
		dnstext_why(a, name.data, POSTURE_TLSA, &why);
		posture_add(p, "dane", POSTURE_FAIL, "fix the TLSA record or "
		    "its signatures: DANE senders defer mail", "%s", why.data);
	}
	resolver_answer_free(a);
	buf_free(&name);
	buf_free(&why);
}

/* posture_mx_host - one MX host has an address, and its DANE */
static void
posture_mx_host(struct posture *p, const char *host, int pref, int secure)
{
	struct resolver_answer *a = NULL, *b = NULL;
	enum resolver_status s4, s6;

	s4 = resolver_query(p->res, host, ns_t_a, NULL, &a);
	s6 = resolver_query(p->res, host, ns_t_aaaa, NULL, &b);
	if (s4 != RESOLVER_OK && s6 != RESOLVER_OK)
		posture_add(p, "mx", POSTURE_FAIL, "give the host an A or AAAA "
		    "record, or remove it from the MX", "MX %d %s: no address",
		    pref, host);
	else
		posture_add(p, "mx", POSTURE_PASS, NULL, "MX %d %s: %d IPv4, "
		    "%d IPv6 address%s", pref, host, s4 == RESOLVER_OK ? a->n :
		    0, s6 == RESOLVER_OK ? b->n : 0, (s4 == RESOLVER_OK ? a->n :
		    0) + (s6 == RESOLVER_OK ? b->n : 0) == 1 ? "" : "es");
	resolver_answer_free(a);
	resolver_answer_free(b);
	if (p->rep->validating)
		posture_tlsa(p, host, secure);
}

/* posture_dnssec - the zone's DNSSEC status, from its MX answer */
static void
posture_dnssec(struct posture *p, const struct resolver_answer *a)
{
	if (!p->rep->validating)
		posture_add(p, "dnssec", POSTURE_WARN, "set dns.dnssec = true "
		    "with a trust anchor (dns-root-data)", "answers are not "
		    "validated: DNSSEC and DANE not checked");
	else if (a != NULL && a->secure)
		posture_add(p, "dnssec", POSTURE_PASS, NULL, "%s: the zone is "
		    "DNSSEC-signed, answers are secure", p->domain);
	else
		posture_add(p, "dnssec", POSTURE_WARN, "sign the zone (needed "
		    "for DANE)", "%s: answers are not DNSSEC-secure (unsigned "
		    "zone)", p->domain);
}

/* posture_mx - the MX hosts in answer order, at most POSTURE_MAX_MX */
void
posture_mx(struct posture *p)
{
	struct resolver_answer *a = NULL;
	enum resolver_status st;
	char host[RESOLVER_MAX_NAME + 2];
	struct buf why;
	int i, pref;

	buf_init(&why, 1024);
	st = resolver_query(p->res, p->domain, ns_t_mx, NULL, &a);
	posture_dnssec(p, st == RESOLVER_OK ? a : NULL);
	if (st != RESOLVER_OK) {
		if (st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA)
			posture_add(p, "mx", POSTURE_WARN, "publish MX records "
			    "(or \"0 .\" if the domain takes no mail, RFC "
			    "7505)", "no MX: senders fall back to the address "
			    "of %s", p->domain);
		else {
			dnstext_why(a, p->domain, ns_t_mx, &why);
			posture_add(p, "mx", POSTURE_FAIL, "fix the name "
			    "servers", "%s", why.data);
		}
	}
	for (i = 0; st == RESOLVER_OK && i < a->n; i++) {
		if (a->rdlen[i] < 3 || resolver_wire_name(a->rdata[i],
		    (size_t)a->rdlen[i], 2, host, sizeof(host)) != 0)
			continue;
		pref = ((unsigned char)a->rdata[i][0] << 8) |
		    (unsigned char)a->rdata[i][1];
		if (strcmp(host, ".") == 0) {
			posture_add(p, "mx", POSTURE_PASS, NULL, "null MX: the "
			    "domain takes no mail (RFC 7505)");
			break;
		}
		if (p->nmx >= POSTURE_MAX_MX)
			break;
		p->mx[p->nmx++] = xstrdup(host);
		posture_mx_host(p, host, pref, a->secure);
	}
	resolver_answer_free(a);
	buf_free(&why);
}
