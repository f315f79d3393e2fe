/* SPDX-License-Identifier: BSD-2-Clause */
/* report_dest - rua URI lists and the _report._dmarc authorization check */
#include "autoconf.h"

#include <arpa/nameser.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/config.h"
#include "report/report_dest.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

#define REPORT_DEST_DNS_MS	10000

/* report_dest_hex - one hex digit, or -1 */
static int
report_dest_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* report_dest_decode - RFC 3986 percent-decoding of an address */
static int
report_dest_decode(const char *p, size_t len, struct buf *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (p[i] != '%') {
			buf_putc(out, p[i]);
			continue;
		}
		if (i + 2 >= len)
			return -1;
		if ((hi = report_dest_hex((unsigned char)p[i + 1])) < 0 ||
		    (lo = report_dest_hex((unsigned char)p[i + 2])) < 0)
			return -1;
		buf_putc(out, hi * 16 + lo);
		i += 2;
	}
	return 0;
}

/* report_dest_addr_ok - local@domain with nothing a mail header fears */
static int
report_dest_addr_ok(const char *a)
{
	const unsigned char *p;
	const char *at = strrchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strlen(at + 1) > 253)
		return 0;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>,;:\"()[]\\", *p))
			return 0;
	for (p = (const unsigned char *)at + 1; *p != '\0'; p++)
		if (!isalnum(*p) && *p != '-' && *p != '.' && *p != '_')
			return 0;
	return at[1] != '.' && strstr(at, "..") == NULL;
}

/* report_dest_size - "!" 1*DIGIT [k|m|g|t]; 0 when it is not that */
static unsigned long long
report_dest_size(const char *p, size_t len)
{
	unsigned long long v = 0;
	size_t i;
	int shift = 0;

	if (len > 0 && strchr("kKmMgGtT", p[len - 1]) != NULL) {
		shift = 10 * (int)(strchr("kmgt", tolower(
		    (unsigned char)p[len - 1])) - "kmgt" + 1);
		len--;
	}
	if (len == 0 || len > 12)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (unsigned long long)(p[i] - '0');
	}
	return v << shift;
}

/* report_dest_one - one URI; 0 kept, -1 ignored (reason in why) */
static int
report_dest_one(const char *p, size_t len, struct report_dest *d,
    struct buf *why)
{
	const char *bang, *q;
	struct buf addr;
	char *c;

	memset(d, 0, sizeof(*d));
	if (len < 8 || strncasecmp(p, "mailto:", 7) != 0)
		return buf_printf(why, "%snot a mailto: URI", why->len ?
		    "; " : ""), -1;
	p += 7;
	len -= 7;
	/* hfields (?subject=...) are not ours to follow */
	if ((q = memchr(p, '?', len)) != NULL)
		len = (size_t)(q - p);
	for (bang = p + len; bang > p && bang[-1] != '!'; bang--)
		;
	if (bang > p) {
		if ((d->max_size = report_dest_size(bang, (size_t)(p + len -
		    bang))) == 0)
			return buf_printf(why, "%sbad size limit", why->len ?
			    "; " : ""), -1;
		len = (size_t)(bang - 1 - p);
	}
	buf_init(&addr, REPORT_DEST_MAX_URI);
	if (report_dest_decode(p, len, &addr) != 0 || addr.truncated ||
	    memchr(addr.data, '\0', addr.len) != NULL ||
	    !report_dest_addr_ok(addr.data)) {
		buf_free(&addr);
		return buf_printf(why, "%sbad mail address", why->len ?
		    "; " : ""), -1;
	}
	d->addr = buf_steal(&addr);
	d->host = xstrdup(strrchr(d->addr, '@') + 1);
	for (c = d->host; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return 0;
}

/* report_dest_parse - a rua value to at most max destinations */
size_t
report_dest_parse(const char *rua, size_t len, struct report_dest *d,
    size_t max, struct buf *why)
{
	const char *end = rua + len, *comma;
	size_t n = 0, l;

	while (rua < end && n < max) {
		if ((comma = memchr(rua, ',', (size_t)(end - rua))) == NULL)
			comma = end;
		l = (size_t)(comma - rua);
		/* WSP around each URI (RFC 9989 section 4.7) */
		while (l > 0 && (*rua == ' ' || *rua == '\t')) {
			rua++;
			l--;
		}
		while (l > 0 && (rua[l - 1] == ' ' || rua[l - 1] == '\t'))
			l--;
		if (l > 0 && l <= REPORT_DEST_MAX_URI &&
		    report_dest_one(rua, l, &d[n], why) == 0)
			n++;
		else if (l > REPORT_DEST_MAX_URI)
			buf_printf(why, "%sURI too long", why->len ? "; " : "");
		rua = comma + 1;
	}
	return n;
}

/* report_dest_free - release n destinations */
void
report_dest_free(struct report_dest *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].addr);
		free(d[i].host);
		memset(&d[i], 0, sizeof(d[i]));
	}
}

/* report_dest_record - report_dest_record_tag() for rua= */
int
report_dest_record(const char *txt, size_t len, char **rua)
{
	return report_dest_record_tag(txt, len, "rua", rua);
}

/*
 * report_dest_record_tag - RFC 9990 section 4 step 6: is this TXT a
 * record that starts "v=DMARC1"; *rua gets the value of its tag (rua=,
 * or ruf= for failure reports, RFC 9991 section 5), if any
 */
int
report_dest_record_tag(const char *txt, size_t len, const char *tag,
    char **rua)
{
	size_t tl = strlen(tag);

	const char *p = txt, *end = txt + len, *semi, *eq;
	size_t l;

	*rua = NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 8 || p[0] != 'v' || memchr(txt, '\0', len) != NULL)
		return 0;
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p == end || *p++ != '=')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 6 || strncmp(p, "DMARC1", 6) != 0)
		return 0;
	for (p += 6; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p < end && *p != ';')
		return 0;
	while (p < end) {
		p++;
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		while (p < semi && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq != NULL && (size_t)(eq - p) >= tl &&
		    strncmp(p, tag, tl) == 0 &&
		    strspn(p + tl, " \t") == (size_t)(eq - p - tl) &&
		    *rua == NULL) {
			for (eq++; eq < semi && (*eq == ' ' || *eq == '\t');
			    eq++)
				;
			l = (size_t)(semi - eq);
			*rua = xstrndup(eq, l);
		}
		p = semi;
	}
	return 1;
}

/* report_dest_internal - host inside the policy's organizational domain */
int
report_dest_internal(const char *org, const char *host)
{
	size_t o = strlen(org), h = strlen(host);

	if (o == 0)
		return 0;
	return strcasecmp(org, host) == 0 || (h > o && host[h - o - 1] ==
	    '.' && strcasecmp(host + h - o, org) == 0);
}

/* report_dest_override - step 9: an override must keep the host */
static enum report_verify
report_dest_override(const struct report_dest *d, char *rua, char **out)
{
	struct report_dest o[REPORT_DEST_MAX];
	struct buf why;
	size_t n, i;
	enum report_verify v = REPORT_VERIFY_OK;

	buf_init(&why, 1024);
	n = report_dest_parse(rua, strlen(rua), o, REPORT_DEST_MAX, &why);
	for (i = 0; i < n; i++)
		if (strcasecmp(o[i].host, d->host) != 0)
			v = REPORT_VERIFY_LOOP;
	report_dest_free(o, n);
	buf_free(&why);
	if (v == REPORT_VERIFY_OK && n > 0)
		*out = rua;
	else
		free(rua);
	return v;
}

/* report_dest_verify - report_dest_verify_tag() for rua= */
enum report_verify
report_dest_verify(struct resolver *res, const char *domain, const char *org,
    const struct report_dest *d, char **rua, struct buf *why)
{
	return report_dest_verify_tag(res, domain, org, d, "rua", rua, why);
}

/*
 * report_dest_verify_tag - RFC 9990 section 4 for one destination of the
 * tag (rua, or ruf as RFC 9991 section 5 says: ruf where rua appears)
 */
enum report_verify
report_dest_verify_tag(struct resolver *res, const char *domain,
    const char *org, const struct report_dest *d, const char *tag,
    char **rua, struct buf *why)
{
	struct resolver_answer *a = NULL;
	struct timespec deadline;
	enum resolver_status st;
	enum report_verify v = REPORT_VERIFY_REFUSED;
	struct buf name, txt;
	char *r;
	int i;

	*rua = NULL;
	if (report_dest_internal(*org ? org : domain, d->host))
		return REPORT_VERIFY_INTERNAL;
	buf_init(&name, 1024);
	buf_printf(&name, "%s._report._dmarc.%s", domain, d->host);
	if (name.len > RESOLVER_MAX_NAME) {
		buf_printf(why, "%s is too long for DNS", name.data);
		buf_free(&name);
		return REPORT_VERIFY_REFUSED;
	}
	resolver_deadline(&deadline, REPORT_DEST_DNS_MS);
	st = resolver_query(res, name.data, ns_t_txt, &deadline, &a);
	buf_init(&txt, 4096);
	for (i = 0; st == RESOLVER_OK && v == REPORT_VERIFY_REFUSED &&
	    i < a->n; i++) {
		buf_reset(&txt);
		if (resolver_txt(a, i, &txt) == 0 &&
		    report_dest_record_tag(txt.data, txt.len, tag, &r))
			v = r != NULL ? report_dest_override(d, r, rua) :
			    REPORT_VERIFY_OK;
	}
	if (st == RESOLVER_RETRY || st == RESOLVER_FAIL)
		v = REPORT_VERIFY_TEMPFAIL;
	if (v == REPORT_VERIFY_LOOP)
		buf_printf(why, "%s: %s override names another host",
		    name.data, tag);
	else if (v != REPORT_VERIFY_OK)
		buf_printf(why, "%s: %s", name.data, st != RESOLVER_OK ?
		    resolver_strstatus(st) : "no v=DMARC1 record");
	resolver_answer_free(a);
	buf_free(&name);
	buf_free(&txt);
	return v;
}

/* report_verify_name - for logs */
const char *
report_verify_name(enum report_verify v)
{
	static const char *const names[] = {
		"internal", "verified", "refused", "tempfail", "loop"
	};

	return (unsigned)v < 5 ? names[v] : "refused";
}

/* report_dest_decision_name - what authmilter-report says of a decision */
const char *
report_dest_decision_name(enum report_dest_decision dd)
{
	static const char *const said[] = {
		[REPORT_DEST_SEND] = "sent",
		[REPORT_DEST_SUPPRESSED] = "suppressed",
		[REPORT_DEST_REFUSED] = "not authorized",
		[REPORT_DEST_DEFER] = "deferred (DNS)",
		[REPORT_DEST_TOO_LARGE] = "too large",
	};

	return (unsigned)dd < sizeof(said) / sizeof(said[0]) ? said[dd] :
	    "not authorized";
}

/* report_dest_suppressed - our own address, or one never to get any */
static const char *
report_dest_suppressed(const struct config *cfg, const struct report_dest *d)
{
	size_t i;
	const char *s;

	if (strcasecmp(d->addr, cfg->reports.email) == 0)
		return "our own report address";
	for (i = 0; i < cfg->reports.suppress.n; i++) {
		s = cfg->reports.suppress.v[i];
		if (strchr(s, '@') != NULL ? strcasecmp(s, d->addr) == 0 :
		    report_dest_internal(s, d->host))
			return "in reports.suppress";
	}
	return NULL;
}

/* report_dest_check - report_dest_check_tag() for rua= */
enum report_dest_decision
report_dest_check(struct resolver *res, const struct config *cfg,
    const char *domain, const char *org, const struct report_dest *d,
    size_t size, struct buf *why)
{
	return report_dest_check_tag(res, cfg, domain, org, d, "rua", size,
	    why);
}

/*
 * report_dest_check_tag - may a report of size bytes for domain (in org)
 * go to d, one of tag's (rua or ruf): suppression first (no DNS for
 * those), then RFC 9990 section 4, then the !size limit
 */
enum report_dest_decision
report_dest_check_tag(struct resolver *res, const struct config *cfg,
    const char *domain, const char *org, const struct report_dest *d,
    const char *tag, size_t size, struct buf *why)
{
	const char *s;
	char *rua = NULL;
	enum report_verify v;

	if ((s = report_dest_suppressed(cfg, d)) != NULL) {
		buf_puts(why, s);
		return REPORT_DEST_SUPPRESSED;
	}
	v = report_dest_verify_tag(res, domain, org, d, tag, &rua, why);
	free(rua);	/* an override keeps the host; we keep the address */
	if (v == REPORT_VERIFY_TEMPFAIL)
		return REPORT_DEST_DEFER;
	if (v != REPORT_VERIFY_INTERNAL && v != REPORT_VERIFY_OK)
		return REPORT_DEST_REFUSED;
	if (d->max_size > 0 && size > d->max_size) {
		buf_printf(why, "%zu bytes over the !size limit of %llu", size,
		    d->max_size);
		return REPORT_DEST_TOO_LARGE;
	}
	return REPORT_DEST_SEND;
}
