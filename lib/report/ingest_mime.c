/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_mime - find the reports in a message: walk its MIME tree
 * (RFC 2045/2046), decode each leaf (base64, quoted-printable) and hand
 * every one that holds a report or an archive to the handler
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "mail/rfc5322.h"
#include "report/ingest.h"

#define INGEST_MIME_BOUNDARY	70	/* RFC 2046 5.1.1 */

/* what the header of one entity says */
struct ingest_part {
	char	 type[64];	/* "multipart/mixed", lowercase */
	char	 boundary[INGEST_MIME_BOUNDARY + 1];	/* multipart */
	char	 name[128];	/* filename= or name=, or "" */
	char	 cte[32];	/* Content-Transfer-Encoding, lowercase */
};

/* the walk of one message */
struct ingest_mime {
	const struct ingest_handler *h;	/* where reports go */
	size_t		 leaves;	/* leaves looked at */
	size_t		 found;		/* reports handed over */
	enum ingest_status st;		/* first error of a report */
	struct buf	*why;		/* caller's */
};

/* ingest_mime_lower - copy at most n-1 bytes, lowercase */
static void
ingest_mime_lower(char *dst, size_t n, const char *src, size_t len)
{
	size_t i;

	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[len] = '\0';
}

/* ingest_mime_params - the ;attribute=value list of a field */
static void
ingest_mime_params(struct rfc5322 *lx, struct ingest_part *p)
{
	struct buf attr, val;

	buf_init(&attr, 128);
	buf_init(&val, 1024);
	while (rfc5322_cfws(lx) == 0 && rfc5322_eat(lx, ';') == 0) {
		buf_reset(&attr);
		buf_reset(&val);
		if (rfc5322_cfws(lx) != 0 || rfc5322_token(lx, &attr) != 0 ||
		    rfc5322_cfws(lx) != 0 || rfc5322_eat(lx, '=') != 0 ||
		    rfc5322_cfws(lx) != 0 || rfc5322_value(lx, &val) != 0)
			break;
		if (strcasecmp(attr.data, "boundary") == 0 &&
		    val.len <= INGEST_MIME_BOUNDARY)
			memcpy(p->boundary, val.data, val.len + 1);
		else if ((strcasecmp(attr.data, "filename") == 0 ||
		    (strcasecmp(attr.data, "name") == 0 && !p->name[0])))
			ingest_mime_lower(p->name, sizeof(p->name), val.data,
			    val.len);
	}
	buf_free(&attr);
	buf_free(&val);
}

/* ingest_mime_field - one header field that matters to us */
static void
ingest_mime_field(const char *name, size_t nlen, const char *v, size_t vlen,
    struct ingest_part *p)
{
	struct rfc5322 lx;
	struct buf t, sub;

	rfc5322_init(&lx, v, vlen);
	buf_init(&t, 64);
	buf_init(&sub, 64);
	if (nlen == 12 && strncasecmp(name, "Content-Type", 12) == 0) {
		if (rfc5322_cfws(&lx) == 0 && rfc5322_token(&lx, &t) == 0 &&
		    rfc5322_eat(&lx, '/') == 0 && rfc5322_token(&lx, &sub) == 0) {
			buf_putc(&t, '/');
			buf_append(&t, sub.data, sub.len);
			ingest_mime_lower(p->type, sizeof(p->type), t.data,
			    t.len);
			ingest_mime_params(&lx, p);
		}
	} else if (nlen == 25 &&
	    strncasecmp(name, "Content-Transfer-Encoding", 25) == 0) {
		if (rfc5322_cfws(&lx) == 0 && rfc5322_token(&lx, &t) == 0)
			ingest_mime_lower(p->cte, sizeof(p->cte), t.data,
			    t.len);
	} else if (nlen == 19 &&
	    strncasecmp(name, "Content-Disposition", 19) == 0) {
		if (rfc5322_cfws(&lx) == 0 && rfc5322_token(&lx, &t) == 0)
			ingest_mime_params(&lx, p);
	}
	buf_free(&t);
	buf_free(&sub);
}

/* ingest_mime_eol - length of the line break at p, 0 if none */
static size_t
ingest_mime_eol(const char *p, const char *end)
{
	if (p < end && *p == '\n')
		return 1;
	if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

/*
 * ingest_mime_header - read the header of an entity into p, unfolding
 * fields; returns where the body starts (end when there is none)
 */
static const char *
ingest_mime_header(const char *s, const char *end, struct ingest_part *p)
{
	struct buf field;
	const char *line, *nl, *colon;
	size_t eol;

	memset(p, 0, sizeof(*p));
	buf_init(&field, 64 * 1024);
	while (s < end) {
		if ((eol = ingest_mime_eol(s, end)) > 0) {
			s += eol;	/* the blank line */
			break;
		}
		line = s;
		nl = memchr(s, '\n', (size_t)(end - s));
		s = nl != NULL ? nl + 1 : end;
		if (*line != ' ' && *line != '\t' && field.len > 0) {
			colon = memchr(field.data, ':', field.len);
			if (colon != NULL)
				ingest_mime_field(field.data,
				    (size_t)(colon - field.data), colon + 1,
				    field.len - (size_t)(colon + 1 - field.data),
				    p);
			buf_reset(&field);
		}
		buf_append(&field, line, (size_t)(s - line));
		while (field.len > 0 && (field.data[field.len - 1] == '\n' ||
		    field.data[field.len - 1] == '\r'))
			field.data[--field.len] = '\0';
	}
	if (field.len > 0 && (colon = memchr(field.data, ':', field.len)))
		ingest_mime_field(field.data, (size_t)(colon - field.data),
		    colon + 1, field.len - (size_t)(colon + 1 - field.data), p);
	buf_free(&field);
	if (p->type[0] == '\0')
		strcpy(p->type, "text/plain");
	return s;
}

/* ingest_mime_b64val - value of one base64 digit, -1 otherwise */
static int
ingest_mime_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* ingest_mime_base64 - decode, skipping what is not a digit */
static void
ingest_mime_base64(const char *s, size_t len, struct buf *out)
{
	unsigned long acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		if ((v = ingest_mime_b64val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned long)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(out, (int)((acc >> bits) & 0xff));
		}
	}
}

/* ingest_mime_qp - quoted-printable, soft breaks removed */
static void
ingest_mime_qp(const char *s, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\n')
			i += 1;
		else if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n')
			i += 2;
		else if (i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], '\0' };

			buf_putc(out, (int)strtol(hex, NULL, 16));
			i += 2;
		} else
			buf_putc(out, '=');
	}
}

/* ingest_mime_wanted - a leaf that may be a report */
static int
ingest_mime_wanted(const struct ingest_part *p)
{
	size_t n = strlen(p->name);

	if (strncmp(p->type, "text/", 5) == 0 &&
	    strcmp(p->type, "text/xml") != 0)
		/* a text/plain attachment named .xml is still a report */
		return n > 4 && strcmp(p->name + n - 4, ".xml") == 0;
	return strncmp(p->type, "image/", 6) != 0 &&
	    strncmp(p->type, "message/", 8) != 0;
}

/* ingest_mime_leaf - decode one leaf and hand a report to the handler */
static void
ingest_mime_leaf(struct ingest_mime *w, const struct ingest_part *p,
    const char *body, size_t len)
{
	struct buf dec, why;
	int st;

	if (++w->leaves > INGEST_MAX_PARTS || !ingest_mime_wanted(p))
		return;
	buf_init(&dec, len + 1);
	if (strcmp(p->cte, "base64") == 0)
		ingest_mime_base64(body, len, &dec);
	else if (strcmp(p->cte, "quoted-printable") == 0)
		ingest_mime_qp(body, len, &dec);
	else
		buf_append(&dec, body, len);
	if (ingest_is_report(dec.data, dec.len)) {
		w->found++;
		buf_init(&why, 1024);
		st = w->h->report(w->h->arg, dec.data, dec.len, p->name, &why);
		if (st != INGEST_OK && w->st == INGEST_OK) {
			w->st = (enum ingest_status)st;
			buf_printf(w->why, "%s%s%s", p->name, *p->name ? ": " :
			    "", why.data);
		}
		buf_free(&why);
	}
	buf_free(&dec);
}

/* ingest_mime_delim - is line [s, e) "--boundary" (final: "--boundary--") */
static int
ingest_mime_delim(const char *s, const char *e, const char *b, int *final)
{
	size_t bl = strlen(b);

	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	if ((size_t)(e - s) < bl + 2 || s[0] != '-' || s[1] != '-' ||
	    memcmp(s + 2, b, bl) != 0)
		return 0;
	s += bl + 2;
	*final = e - s == 2 && s[0] == '-' && s[1] == '-';
	return e == s || *final;
}

static void ingest_mime_entity(struct ingest_mime *, const char *,
    const char *, int);

/* ingest_mime_multi - each body part between the delimiters */
static void
ingest_mime_multi(struct ingest_mime *w, const char *s, const char *end,
    const char *boundary, int depth)
{
	const char *line, *nl, *start = NULL, *stop;
	int final = 0;

	for (line = s; line < end && !final; line = nl) {
		nl = memchr(line, '\n', (size_t)(end - line));
		nl = nl != NULL ? nl + 1 : end;
		if (!ingest_mime_delim(line, nl, boundary, &final))
			continue;
		if (start != NULL) {
			/* the line break before the delimiter belongs to it */
			stop = line;
			if (stop > start && stop[-1] == '\n')
				stop--;
			if (stop > start && stop[-1] == '\r')
				stop--;
			ingest_mime_entity(w, start, stop, depth + 1);
		}
		start = nl;
	}
}

/* ingest_mime_entity - one entity: a multipart, a message or a leaf */
static void
ingest_mime_entity(struct ingest_mime *w, const char *s, const char *end,
    int depth)
{
	struct ingest_part p;
	const char *body;

	if (depth > INGEST_MAX_MIME_DEPTH || w->leaves > INGEST_MAX_PARTS)
		return;
	body = ingest_mime_header(s, end, &p);
	if (strncmp(p.type, "multipart/", 10) == 0 && p.boundary[0] != '\0')
		ingest_mime_multi(w, body, end, p.boundary, depth);
	else if (strcmp(p.type, "message/rfc822") == 0)
		ingest_mime_entity(w, body, end, depth + 1);
	else
		ingest_mime_leaf(w, &p, body, (size_t)(end - body));
}

/*
 * ingest_mime_walk - every report in the message msg[0..len) to h; found
 * counts them. INGEST_NONE when there is none, else the first report's
 * error (the others were still handed over), or INGEST_OK.
 */
enum ingest_status
ingest_mime_walk(const char *msg, size_t len, const struct ingest_handler *h,
    size_t *found, struct buf *why)
{
	struct ingest_mime w;

	memset(&w, 0, sizeof(w));
	w.h = h;
	w.why = why;
	ingest_mime_entity(&w, msg, msg + len, 0);
	*found = w.found;
	if (w.found == 0 && w.st == INGEST_OK) {
		buf_puts(why, "no report in the message");
		return INGEST_NONE;
	}
	return w.st;
}
