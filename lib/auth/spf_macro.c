/* SPDX-License-Identifier: BSD-2-Clause */
/* spf_macro - RFC 7208 section 7 macro expansion */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "auth/spf_macro.h"

/* spf_macro_parse - one macro-expand at p; its length, or 0 if bad */
size_t
spf_macro_parse(const char *p, size_t len, struct spf_macro_term *m)
{
	size_t i = 3, nd = 0;

	memset(m, 0, sizeof(*m));
	if (len >= 2 && p[0] == '%' && p[1] != '\0' &&
	    strchr("%_-", p[1]) != NULL) {
		m->letter = p[1];
		return 2;
	}
	if (len < 4 || p[0] != '%' || p[1] != '{' ||
	    !isalpha((unsigned char)p[2]))
		return 0;
	m->letter = tolower((unsigned char)p[2]);
	m->escape = isupper((unsigned char)p[2]) != 0;
	if (strchr("slodiphcrtv", m->letter) == NULL)
		return 0;
	if (i < len && p[i] == '0')
		return 0;	/* RFC 7208 section 7.3: a DIGIT is nonzero */
	for (; i < len && isdigit((unsigned char)p[i]); i++)
		if ((m->digits = m->digits * 10 + (unsigned)(p[i] - '0')) >
		    SPF_MACRO_MAX_DIGIT)
			m->digits = SPF_MACRO_MAX_DIGIT;
	if (i < len && tolower((unsigned char)p[i]) == 'r') {
		m->reverse = 1;
		i++;
	}
	for (; i < len && p[i] != '\0' && strchr(SPF_MACRO_DELIMS, p[i]) !=
	    NULL; i++)
		if (strchr(m->delims, p[i]) == NULL)
			m->delims[nd++] = p[i];
	return i < len && p[i] == '}' ? i + 1 : 0;
}

/*
 * spf_macro_plain - one libspf2 expands right: an escape, or a lower-case
 * letter without transformers or delimiters (the value copied as it is)
 */
int
spf_macro_plain(const struct spf_macro_term *m)
{
	return strchr("%_-", m->letter) != NULL || (!m->escape &&
	    m->digits == 0 && !m->reverse && m->delims[0] == '\0');
}

/* spf_macro_ip - %{i} (dotted nibbles for IPv6) or %{c} */
static void
spf_macro_ip(const struct cidr_addr *a, int pretty, char *s, size_t size)
{
	size_t i, n = 0;

	if (a->family == AF_INET || pretty) {
		if (inet_ntop(a->family, a->bytes, s, (socklen_t)size) == NULL)
			s[0] = '\0';
		return;
	}
	for (i = 0; i < 16 && n + 4 < size; i++)
		n += (size_t)snprintf(s + n, size - n, "%s%x.%x", i ? "." : "",
		    a->bytes[i] >> 4, a->bytes[i] & 0xf);
}

/* spf_macro_value - what a letter stands for; NULL when not known */
static const char *
spf_macro_value(const struct spf_macro_env *env, int letter, char *tmp,
    size_t size)
{
	const char *v = NULL;

	switch (letter) {
	case 's':
		return env->sender;
	case 'l':
		return env->local;
	case 'o':
		return env->sender_domain;
	case 'd':
		return env->domain;
	case 'h':
		return env->helo;
	case 'r':
		return env->receiver ? env->receiver : "unknown";
	case 'p':
		if (env->validated != NULL)
			v = env->validated(env->arg);
		return v != NULL ? v : "unknown";
	case 't':
		snprintf(tmp, size, "%lld", env->now);
		return tmp;
	}
	if (env->client == NULL || (env->client->family != AF_INET &&
	    env->client->family != AF_INET6))
		return NULL;
	if (letter == 'v')
		return env->client->family == AF_INET ? "in-addr" : "ip6";
	spf_macro_ip(env->client, letter == 'c', tmp, size);
	return tmp;
}

/* spf_macro_putc - one byte of a value, URL-escaped when asked */
static void
spf_macro_putc(struct buf *out, unsigned char c, int escape)
{
	/* RFC 3986 section 2.3: ALPHA DIGIT "-" "." "_" "~" stay */
	if (!escape || isalnum(c) || (c != '\0' && strchr("-._~", c) != NULL))
		buf_putc(out, c);
	else
		buf_printf(out, "%%%02X", c);
}

/* spf_macro_part - where the part of v that ends at end begins */
static size_t
spf_macro_part(const char *v, size_t end, const char *delims)
{
	while (end > 0 && strchr(delims, v[end - 1]) == NULL)
		end--;
	return end;	/* first byte of the part */
}

/*
 * spf_macro_transform - split, reverse, keep the right-hand parts, join
 * with ".": the parts kept are the last `keep` of the list, which after a
 * reversal are the first `keep` of the value, written from the back
 */
static void
spf_macro_transform(const struct spf_macro_term *m, const char *v,
    struct buf *out)
{
	const char *delims = m->delims[0] != '\0' ? m->delims : ".";
	size_t len = strlen(v), nparts = 1, keep, i, n, end, start;

	for (i = 0; i < len; i++)
		if (strchr(delims, v[i]) != NULL)
			nparts++;
	keep = m->digits > 0 && m->digits < nparts ? m->digits : nparts;
	/* i at the n-th delimiter: unreversed, the kept parts follow the
	 * (nparts - keep)-th; reversed, they precede the keep-th */
	n = m->reverse ? keep : nparts - keep;
	for (i = 0; i < len && n > 0; i++)
		if (strchr(delims, v[i]) != NULL && --n == 0)
			break;
	if (!m->reverse) {
		for (i = keep == nparts ? 0 : i + 1; i < len; i++)
			spf_macro_putc(out, strchr(delims, v[i]) ? '.' :
			    (unsigned char)v[i], m->escape);
		return;
	}
	for (end = keep == nparts ? len : i; ; end = start - 1) {
		start = spf_macro_part(v, end, delims);
		for (i = start; i < end; i++)
			spf_macro_putc(out, (unsigned char)v[i], m->escape);
		if (start == 0)
			break;
		buf_putc(out, '.');
	}
}

/* spf_macro_cut - RFC 7208 section 7.3: drop left labels past 253 */
static int
spf_macro_cut(struct buf *out, size_t from)
{
	char *d = out->data + from, *dot;
	size_t len = out->len - from;
	int cut = 0;

	/* a final dot is no character of the name's presentation */
	while (len - (len > 0 && d[len - 1] == '.') > SPF_MACRO_DOMAIN_MAX &&
	    (dot = memchr(d, '.', len - 1)) != NULL) {
		len -= (size_t)(dot + 1 - d);
		memmove(d, dot + 1, len);
		cut = 1;
	}
	out->len = from + len;
	out->data[out->len] = '\0';
	return cut;
}

/* spf_macro_one - append the expansion of one parsed macro-expand */
static int
spf_macro_one(const struct spf_macro_env *env, const struct spf_macro_term
    *m, int mode, struct buf *out, struct buf *why)
{
	char tmp[72];
	const char *v;

	/* a full buf shows as out->truncated once the whole is done */
	if (m->letter == '%' || m->letter == '_' || m->letter == '-') {
		buf_puts(out, m->letter == '%' ? "%" : m->letter == '_' ?
		    " " : "%20");
		return 0;
	}
	if (mode == SPF_MACRO_DOMAIN && strchr("crt", m->letter) != NULL) {
		buf_printf(why, "%%{%c} is allowed only in explanation text",
		    m->letter);
		return -1;
	}
	if ((v = spf_macro_value(env, m->letter, tmp, sizeof(tmp))) == NULL) {
		buf_printf(why, "no value for %%{%c}", m->letter);
		return -1;
	}
	spf_macro_transform(m, v, out);
	return 0;
}

/* spf_macro_expand - a domain-spec or explain-string, expanded */
int
spf_macro_expand(const struct spf_macro_env *env, const char *p, size_t len,
    int mode, struct buf *out, struct buf *why)
{
	struct spf_macro_term m;
	size_t i = 0, n, from = out->len;

	while (i < len) {
		if (p[i] != '%') {
			buf_putc(out, (unsigned char)p[i++]);
			continue;
		}
		if ((n = spf_macro_parse(p + i, len - i, &m)) == 0) {
			buf_printf(why, "bad macro at '%.*s'", (int)(len - i >
			    16 ? 16 : len - i), p + i);
			return -1;
		}
		if (spf_macro_one(env, &m, mode, out, why) != 0)
			return -1;
		i += n;
	}
	if (out->truncated) {
		buf_puts(why, "macro expansion too long");
		return -1;
	}
	return mode == SPF_MACRO_DOMAIN ? spf_macro_cut(out, from) : 0;
}
