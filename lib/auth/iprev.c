/* SPDX-License-Identifier: BSD-2-Clause */
/* iprev - reverse then forward-confirmed lookups of the client address */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/xalloc.h"
#include "dns/dnsbudget.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/iprev.h"

#define IPREV_NAME_MAX	256

/* iprev_reverse_name - 4.3.2.1.in-addr.arpa or the nibbles of ip6.arpa */
int
iprev_reverse_name(const struct cidr_addr *a, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (a->family == AF_INET)
		return snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa",
		    a->bytes[3], a->bytes[2], a->bytes[1], a->bytes[0]) <
		    (int)len ? 0 : -1;
	if (a->family != AF_INET6 || len < 64 + 9)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a->bytes[i] & 0x0f];
		out[o++] = '.';
		out[o++] = hex[a->bytes[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", 9);
	return 0;
}

/* iprev_matches - does an address answer hold the client's address */
static int
iprev_matches(const struct resolver_answer *a, const struct cidr_addr *c)
{
	int i, len = c->family == AF_INET ? 4 : 16;

	for (i = 0; i < a->n; i++)
		if (a->rdlen[i] == len && memcmp(a->rdata[i], c->bytes,
		    (size_t)len) == 0)
			return 1;
	return 0;
}

/*
 * iprev_forward - the address lookups of the PTR names: pass at the first
 * that maps back; else temperror if one failed, else fail
 */
static void
iprev_forward(struct resolver *res, struct dnsbudget *b,
    const struct cidr_addr *c, const struct resolver_answer *ptr,
    struct iprev_result *r)
{
	struct resolver_answer *a;
	enum resolver_status st;
	struct buf why, names;
	char name[IPREV_NAME_MAX];
	int i, n = 0, type = c->family == AF_INET ? ns_t_a : ns_t_aaaa;

	buf_init(&why, 1024);
	buf_init(&names, 4096);
	for (i = 0; i < ptr->n && n < IPREV_MAX_NAMES; i++) {
		if (resolver_wire_name(ptr->rdata[i], (size_t)ptr->rdlen[i], 0,
		    name, sizeof(name)) != 0)
			continue;
		n++;
		a = NULL;
		st = dnsbudget_query(b, res, name, type, NULL, &a);
		if (st == RESOLVER_OK && iprev_matches(a, c)) {
			resolver_answer_free(a);
			r->result = METHOD_PASS;
			r->name = xstrdup(name);
			r->reason = xstrdup(name);
			goto done;
		}
		if ((st == RESOLVER_RETRY || st == RESOLVER_FAIL) &&
		    why.len == 0)
			dnstext_why(a, name, type, &why);
		buf_printf(&names, "%s%s", names.len ? ", " : "", name);
		resolver_answer_free(a);
	}
	if (why.len > 0) {
		r->result = METHOD_TEMPERROR;
		r->reason = xstrdup(why.data);
	} else {
		r->result = METHOD_FAIL;
		buf_reset(&why);
		buf_printf(&why, "no name maps back to the address: %s",
		    n > 0 ? names.data : "no usable PTR name");
		r->reason = xstrdup(why.data);
	}
done:
	buf_free(&why);
	buf_free(&names);
}

/* iprev_check - RFC 8601 section 3 for the client address c */
void
iprev_check(struct resolver *res, struct dnsbudget *b,
    const struct cidr_addr *c, struct iprev_result *r)
{
	struct resolver_answer *ptr = NULL;
	enum resolver_status st;
	char rev[80];
	struct buf why;

	memset(r, 0, sizeof(*r));
	if (c == NULL || iprev_reverse_name(c, rev, sizeof(rev)) != 0)
		return;
	r->checked = 1;
	st = dnsbudget_query(b, res, rev, ns_t_ptr, NULL, &ptr);
	if (st == RESOLVER_OK)
		iprev_forward(res, b, c, ptr, r);
	else {
		/* 2.7.3: no PTR data is permerror, a failed lookup temperror */
		r->result = st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA ||
		    st == RESOLVER_INVAL ? METHOD_PERMERROR : METHOD_TEMPERROR;
		buf_init(&why, 1024);
		if (r->result == METHOD_PERMERROR)
			buf_puts(&why, "no PTR record, ");
		dnstext_why(ptr, rev, ns_t_ptr, &why);
		r->reason = buf_steal(&why);
		buf_free(&why);
	}
	resolver_answer_free(ptr);
}

/* iprev_result_free - release the strings */
void
iprev_result_free(struct iprev_result *r)
{
	free(r->name);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}
