/* SPDX-License-Identifier: BSD-2-Clause */
/* dnstext - DNS types, rcodes, record data and failures as text */
#include "autoconf.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"

#define DNSTEXT_ANSWERS	16	/* records shown per trace line */

/* the types we name; any other is "TYPEn" (RFC 3597 section 5) */
static const struct {
	int		 type;	/* RR type number */
	const char	*name;	/* mnemonic */
} dnstext_types[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
	{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 43, "DS" },
	{ 46, "RRSIG" }, { 48, "DNSKEY" }, { 52, "TLSA" }, { 99, "SPF" },
	{ 257, "CAA" },
};

/* dnstext_type - "TXT", or "TYPEn" in tmp */
const char *
dnstext_type(int rrtype, char *tmp, size_t tmplen)
{
	size_t i;

	for (i = 0; i < sizeof(dnstext_types) / sizeof(dnstext_types[0]); i++)
		if (dnstext_types[i].type == rrtype)
			return dnstext_types[i].name;
	snprintf(tmp, tmplen, "TYPE%d", rrtype);
	return tmp;
}

/* dnstext_rcode - "SERVFAIL", or "RCODEn" in tmp (RFC 6895 2.3) */
const char *
dnstext_rcode(int rcode, char *tmp, size_t tmplen)
{
	static const char *const names[] = { "NOERROR", "FORMERR",
	    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

	if (rcode >= 0 && rcode < 6)
		return names[rcode];
	snprintf(tmp, tmplen, "RCODE%d", rcode);
	return tmp;
}

/* dnstext_answered - a server's reply came back (data or not) */
static int
dnstext_answered(const struct resolver_answer *a)
{
	return a != NULL && !a->timedout && !a->spent && a->packet != NULL;
}

/* dnstext_dnssec - RFC 4035 4.3: secure, insecure or bogus */
const char *
dnstext_dnssec(const struct resolver_answer *a)
{
	if (!dnstext_answered(a))
		return "unknown";
	return a->bogus ? "bogus" : a->secure ? "secure" : "insecure";
}

/* dnstext_hex - bytes as upper-case hex */
static void
dnstext_hex(const unsigned char *p, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_printf(out, "%02X", p[i]);
}

/* dnstext_name - an uncompressed wire name at *off, with its final dot */
static int
dnstext_name(const unsigned char *p, size_t len, size_t *off,
    struct buf *out)
{
	size_t n, start = out->len, i;

	while (*off < len) {
		n = p[(*off)++];
		if (n == 0) {
			if (out->len == start)
				buf_putc(out, '.');
			return 0;
		}
		if (n > 63 || *off + n > len)
			return -1;
		for (i = 0; i < n; i++) {
			unsigned char c = p[*off + i];

			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\')
				buf_putc(out, c);
			else
				buf_printf(out, "\\%03u", c);
		}
		buf_putc(out, '.');
		*off += n;
	}
	return -1;
}

/* dnstext_txt - character-strings, each quoted, as in a zone file */
static int
dnstext_txt(const unsigned char *p, size_t len, struct buf *out)
{
	size_t off = 0, n, i;

	while (off < len) {
		n = p[off++];
		if (off + n > len)
			return -1;
		buf_puts(out, off > 1 ? " \"" : "\"");
		for (i = 0; i < n; i++) {
			unsigned char c = p[off + i];

			if (c == '"' || c == '\\')
				buf_printf(out, "\\%c", c);
			else if (c >= 0x20 && c < 0x7f)
				buf_putc(out, c);
			else
				buf_printf(out, "\\%03u", c);
		}
		buf_putc(out, '"');
		off += n;
	}
	return 0;
}

/* dnstext_fixed - DS, DNSKEY, TLSA: numbers, then hex (or its length) */
static int
dnstext_fixed(int rrtype, const unsigned char *p, size_t len,
    struct buf *out)
{
	switch (rrtype) {
	case 43:	/* DS: key tag, algorithm, digest type, digest */
		if (len < 5)
			return -1;
		buf_printf(out, "%u %u %u ", (p[0] << 8) | p[1], p[2], p[3]);
		dnstext_hex(p + 4, len - 4, out);
		return 0;
	case 48:	/* DNSKEY: flags, protocol, algorithm, the key's size */
		if (len < 4)
			return -1;
		buf_printf(out, "%u %u %u (%zu-byte key)", (p[0] << 8) | p[1],
		    p[2], p[3], len - 4);
		return 0;
	case 52:	/* TLSA: usage, selector, matching type, data */
		if (len < 3)
			return -1;
		buf_printf(out, "%u %u %u ", p[0], p[1], p[2]);
		dnstext_hex(p + 3, len - 3, out);
		return 0;
	}
	return -1;
}

/* dnstext_known - the types a zone file writes in their own form */
static int
dnstext_known(int rrtype, const unsigned char *p, size_t len,
    struct buf *out)
{
	char addr[INET6_ADDRSTRLEN];
	size_t off = 0;

	switch (rrtype) {
	case 1:
	case 28:
		if (len != (rrtype == 1 ? 4u : 16u))
			return -1;
		inet_ntop(rrtype == 1 ? AF_INET : AF_INET6, p, addr,
		    sizeof(addr));
		return buf_puts(out, addr) == 0 ? 0 : -1;
	case 2:
	case 5:
	case 12:
		return dnstext_name(p, len, &off, out);
	case 6:
		if (dnstext_name(p, len, &off, out) != 0 ||
		    buf_putc(out, ' ') != 0 ||
		    dnstext_name(p, len, &off, out) != 0 || off + 4 > len)
			return -1;
		buf_printf(out, " %lu", ((unsigned long)p[off] << 24) |
		    ((unsigned long)p[off + 1] << 16) | (p[off + 2] << 8) |
		    p[off + 3]);
		return 0;
	case 15:
		if (len < 3)
			return -1;
		buf_printf(out, "%u ", (p[0] << 8) | p[1]);
		off = 2;
		return dnstext_name(p, len, &off, out);
	case 16:
	case 99:
		return dnstext_txt(p, len, out);
	}
	return dnstext_fixed(rrtype, p, len, out);
}

/* dnstext_rdata - one record's data in zone-file form */
void
dnstext_rdata(int rrtype, const char *rd, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)rd;
	size_t start = out->len;

	if (dnstext_known(rrtype, p, len, out) == 0)
		return;
	/* unreadable, or a type we do not know: RFC 3597 generic form */
	out->len = start;
	out->data[start] = '\0';
	buf_printf(out, "\\# %zu ", len);
	dnstext_hex(p, len, out);
}

/*
 * dnstext_bogus - "DNSSEC validation failed: libunbound's reason", its
 * parentheses made brackets (the text goes in A-R comments)
 */
static void
dnstext_bogus(const struct resolver_answer *a, struct buf *out)
{
	const char *p;

	buf_puts(out, "DNSSEC validation failed");
	if (a->why_bogus == NULL)
		return;
	buf_puts(out, ": ");
	for (p = a->why_bogus; *p != '\0'; p++)
		buf_putc(out, *p == '(' ? '[' : *p == ')' ? ']' : *p);
}

/*
 * dnstext_outcome - what came back, shortly: "timed out", "SERVFAIL",
 * "DNSSEC validation failed (...)", "NXDOMAIN", "no data", or "N records"
 */
void
dnstext_outcome(const struct resolver_answer *a, struct buf *out)
{
	char tmp[16];

	if (a == NULL)
		buf_puts(out, "no answer");
	else if (a->spent)
		buf_puts(out, "not asked: the message's DNS time is spent");
	else if (a->timedout)
		buf_puts(out, "timed out");
	else if (a->status == RESOLVER_INVAL)
		buf_puts(out, "not a name that can be queried");
	else if (a->status == RESOLVER_FAIL || !dnstext_answered(a))
		buf_puts(out, "resolver failure");
	else if (a->bogus)
		dnstext_bogus(a, out);
	else if (a->status == RESOLVER_RETRY)
		buf_puts(out, dnstext_rcode(a->rcode, tmp, sizeof(tmp)));
	else if (a->status == RESOLVER_NXDOMAIN)
		buf_puts(out, "NXDOMAIN");
	else if (a->status == RESOLVER_NODATA)
		buf_puts(out, "no data");
	else
		buf_printf(out, "%d record%s", a->n, a->n == 1 ? "" : "s");
}

/* dnstext_why - "TXT _dmarc.example.com: timed out" */
void
dnstext_why(const struct resolver_answer *a, const char *name, int rrtype,
    struct buf *out)
{
	char tmp[16];

	buf_printf(out, "%s %.*s: ", dnstext_type(rrtype, tmp, sizeof(tmp)),
	    RESOLVER_MAX_NAME, name);
	dnstext_outcome(a, out);
}

/*
 * dnstext_event - one trace line: "TXT example.com: 1 record, ttl 300,
 * insecure, 0.4 ms: "v=spf1 -all"" (records after the colon, "; "
 * between them, at most DNSTEXT_ANSWERS)
 */
void
dnstext_event(const struct resolver_event *ev, struct buf *out)
{
	const struct resolver_answer *a = ev->answer;
	int i;

	dnstext_why(a, ev->name, ev->rrtype, out);
	if (dnstext_answered(a))
		buf_printf(out, ", ttl %d, %s", a->ttl, dnstext_dnssec(a));
	buf_printf(out, ", %ld.%03ld ms%s", ev->usecs / 1000,
	    ev->usecs % 1000, a != NULL && a->remembered ?
	    " (remembered)" : "");
	for (i = 0; a != NULL && i < a->n && i < DNSTEXT_ANSWERS; i++) {
		buf_puts(out, i == 0 ? ": " : "; ");
		dnstext_rdata(ev->rrtype, a->rdata[i], (size_t)a->rdlen[i],
		    out);
	}
}

/*
 * dnstext_event_json - {"name","type","outcome","rcode","ttl","dnssec",
 * "ms","remembered","answers":[...]}
 */
void
dnstext_event_json(const struct resolver_event *ev, struct buf *out)
{
	const struct resolver_answer *a = ev->answer;
	struct buf t;
	char tmp[16];
	int i;

	buf_init(&t, 65536);
	buf_putc(out, '{');
	json_kv(out, "name", ev->name, 1);
	json_kv(out, "type", dnstext_type(ev->rrtype, tmp, sizeof(tmp)), 0);
	dnstext_outcome(a, &t);
	json_kv(out, "outcome", t.data, 0);
	json_kv(out, "rcode", a != NULL && dnstext_answered(a) ?
	    dnstext_rcode(a->rcode, tmp, sizeof(tmp)) : NULL, 0);
	json_key(out, "ttl", 0);
	buf_printf(out, "%d", a != NULL ? a->ttl : 0);
	json_kv(out, "dnssec", dnstext_dnssec(a), 0);
	json_key(out, "ms", 0);
	buf_printf(out, "%ld.%03ld", ev->usecs / 1000, ev->usecs % 1000);
	json_key(out, "remembered", 0);
	buf_puts(out, a != NULL && a->remembered ? "true" : "false");
	json_key(out, "answers", 0);
	buf_putc(out, '[');
	for (i = 0; a != NULL && i < a->n && i < DNSTEXT_ANSWERS; i++) {
		buf_reset(&t);
		dnstext_rdata(ev->rrtype, a->rdata[i], (size_t)a->rdlen[i], &t);
		if (i > 0)
			buf_putc(out, ',');
		json_str(out, t.data);
	}
	buf_puts(out, "]}");
	buf_free(&t);
}

/*
 * dnstext_addrs - the addresses of an A or AAAA answer, appended as
 * CURLOPT_RESOLVE lists them ("192.0.2.1,[2001:db8::1]"), after n
 * already there; the count then
 */
int
dnstext_addrs(const struct resolver_answer *a, struct buf *out, int n)
{
	char addr[INET6_ADDRSTRLEN];
	int i, v6;

	for (i = 0; a != NULL && a->status == RESOLVER_OK && i < a->n; i++) {
		v6 = a->rdlen[i] == 16;
		if ((a->rdlen[i] != 4 && !v6) || inet_ntop(v6 ? AF_INET6 :
		    AF_INET, a->rdata[i], addr, sizeof(addr)) == NULL)
			continue;
		buf_printf(out, "%s%s%s%s", n++ > 0 ? "," : "", v6 ? "[" : "",
		    addr, v6 ? "]" : "");
	}
	return n;
}
