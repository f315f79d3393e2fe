/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnstext - DNS answers as text a postmaster reads: type and rcode
 * names, record data, why a lookup failed, one line of a query trace;
 * and the addresses of an A or AAAA answer as libcurl's CURLOPT_RESOLVE
 * takes them
 *
 * STANDARDS   RFC 1035 section 3.3 (A, MX, TXT, PTR, CNAME, NS, SOA),
 *             RFC 3596 (AAAA), RFC 4034 (DS, DNSKEY), RFC 6698 (TLSA),
 *             RFC 3597 section 5 (\# LEN HEX for any other type), RFC
 *             4035 section 4.3 (secure, insecure, bogus).
 * OWNERSHIP   every function appends to a caller buf; nothing is kept.
 * LOCKING     none.
 * LIMITS      the caller's buf max; a name is cut at RESOLVER_MAX_NAME.
 * ERRORS      none: unreadable record data is shown as RFC 3597 hex.
 */
#ifndef AUTHMILTER_DNSTEXT_H
#define AUTHMILTER_DNSTEXT_H

#include <stddef.h>

struct buf;
struct resolver_answer;
struct resolver_event;

const char	*dnstext_type(int rrtype, char *tmp, size_t tmplen);
const char	*dnstext_rcode(int rcode, char *tmp, size_t tmplen);
const char	*dnstext_dnssec(const struct resolver_answer *);
void		 dnstext_rdata(int rrtype, const char *rd, size_t len,
		    struct buf *);
void		 dnstext_outcome(const struct resolver_answer *, struct buf *);
void		 dnstext_why(const struct resolver_answer *, const char *name,
		    int rrtype, struct buf *);
void		 dnstext_event(const struct resolver_event *, struct buf *);
void		 dnstext_event_json(const struct resolver_event *,
		    struct buf *);
int		 dnstext_addrs(const struct resolver_answer *, struct buf *,
		    int n);

#endif
