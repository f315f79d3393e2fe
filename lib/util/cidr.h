/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cidr - IPv4/IPv6 addresses and network prefixes (trusted_networks)
 *
 * STANDARDS   RFC 4291 (IPv6 text), RFC 4632 (CIDR); IPv4-mapped IPv6
 *             addresses (::ffff:a.b.c.d) are treated as the IPv4 address.
 * OWNERSHIP   plain values; no allocation.
 * LOCKING     none.
 * ERRORS      0 on success, -1 on a malformed address or prefix length.
 */
#ifndef AUTHMILTER_CIDR_H
#define AUTHMILTER_CIDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#define CIDR_ADDRSTRLEN	46	/* INET6_ADDRSTRLEN */

struct cidr_addr {
	int	 family;	/* AF_INET or AF_INET6; 0 when unknown */
	unsigned char bytes[16];/* network order; 4 used for AF_INET */
};

struct cidr {
	struct cidr_addr addr;	/* network address */
	unsigned prefix;	/* prefix length in bits */
};

int	cidr_addr_parse(const char *, struct cidr_addr *);
int	cidr_addr_from_sockaddr(const struct sockaddr *, struct cidr_addr *);
void	cidr_addr_format(const struct cidr_addr *, char *, size_t);
int	cidr_parse(const char *, struct cidr *);
int	cidr_match(const struct cidr *, const struct cidr_addr *);
int	cidr_match_any(const struct cidr *, size_t, const struct cidr_addr *);

#endif
