/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prefetch - start the DNS lookups a message will need as soon as their
 * names are known, so that they run while the MTA is still sending
 *
 * STANDARDS   the names the checks will ask for: RFC 7208 section 4.4 (the
 *             SPF records of the HELO name and the MAIL FROM domain), RFC 6376 section 3.6.2.1
 *             (s._domainkey.d of each DKIM-Signature), RFC 9989 (the DMARC
 *             record of the author domain).
 * OWNERSHIP   nothing is kept: the answers land in the resolver's memo,
 *             where the checks find them (resolver_prefetch()).
 * LOCKING     none of its own; the resolver's.
 * LIMITS      at most PREFETCH_MAX_KEYS key names per message; names that
 *             cannot be queried are skipped.
 * ERRORS      none: a lookup that fails here is simply asked again later.
 */
#ifndef AUTHMILTER_PREFETCH_H
#define AUTHMILTER_PREFETCH_H

struct config;
struct hdr;
struct resolver;

#define PREFETCH_MAX_KEYS	8

void	prefetch_mail(struct resolver *, const struct config *,
	    const char *helo, const char *mailfrom);
void	prefetch_header(struct resolver *, const struct config *,
	    const struct hdr *, const char *author);

#endif
