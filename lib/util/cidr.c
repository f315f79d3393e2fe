/* SPDX-License-Identifier: BSD-2-Clause */
/* cidr - address parsing and prefix matching */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cidr.h"

static const unsigned char cidr_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* cidr_unmap - an IPv4-mapped IPv6 address becomes plain IPv4 */
static void
cidr_unmap(struct cidr_addr *a)
{
	if (a->family == AF_INET6 &&
	    memcmp(a->bytes, cidr_v4mapped, sizeof(cidr_v4mapped)) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
}

/* cidr_addr_parse - textual IPv4 or IPv6 address */
int
cidr_addr_parse(const char *s, struct cidr_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		cidr_unmap(a);
		return 0;
	}
	return -1;
}

/* cidr_addr_from_sockaddr - what libmilter hands us at connect */
int
cidr_addr_from_sockaddr(const struct sockaddr *sa, struct cidr_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		a->family = AF_INET;
		memcpy(a->bytes, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		a->family = AF_INET6;
		memcpy(a->bytes, &sin6->sin6_addr, 16);
		cidr_unmap(a);
		return 0;
	}
	return -1;
}

/* cidr_addr_format - text form; "unknown" for no address */
void
cidr_addr_format(const struct cidr_addr *a, char *out, size_t len)
{
	if (a->family == 0 ||
	    inet_ntop(a->family, a->bytes, out, (socklen_t)len) == NULL)
		snprintf(out, len, "unknown");
}

/* cidr_parse - "addr" or "addr/len" */
int
cidr_parse(const char *s, struct cidr *c)
{
	char tmp[CIDR_ADDRSTRLEN + 8], *slash, *end;
	unsigned max;
	long n;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (cidr_addr_parse(tmp, &c->addr) != 0)
		return -1;
	max = c->addr.family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		c->prefix = max;
		return 0;
	}
	if (*slash < '0' || *slash > '9')
		return -1;
	n = strtol(slash, &end, 10);
	/* a mapped address was written in IPv6 terms: shift the length */
	if (c->addr.family == AF_INET && strchr(tmp, ':') != NULL)
		n -= 96;
	if (*end != '\0' || n < 0 || (unsigned long)n > max)
		return -1;
	c->prefix = (unsigned)n;
	return 0;
}

/* cidr_match - is a inside network c */
int
cidr_match(const struct cidr *c, const struct cidr_addr *a)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (a->family != c->addr.family)
		return 0;
	if (memcmp(a->bytes, c->addr.bytes, full) != 0)
		return 0;
	if (rest != 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((a->bytes[full] & mask) != (c->addr.bytes[full] & mask))
			return 0;
	}
	return 1;
}

/* cidr_match_any - is a inside one of n networks */
int
cidr_match_any(const struct cidr *list, size_t n, const struct cidr_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_match(&list[i], a))
			return 1;
	return 0;
}
