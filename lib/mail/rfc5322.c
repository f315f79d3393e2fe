/* SPDX-License-Identifier: BSD-2-Clause */
/* rfc5322 - CFWS, token, atom and quoted-string scanning */
#include "autoconf.h"

#include <ctype.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "mail/rfc5322.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* rfc5322_init - cursor over len bytes */
void
rfc5322_init(struct rfc5322 *lx, const char *p, size_t len)
{
	lx->p = p;
	lx->end = p + len;
}

/* rfc5322_wsp - folding white space: SP, HTAB, CR, LF */
static int
rfc5322_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* rfc5322_comment - one comment, nesting bounded; cursor on "(" */
static int
rfc5322_comment(struct rfc5322 *lx)
{
	int depth = 0;

	while (lx->p < lx->end) {
		unsigned char c = (unsigned char)*lx->p++;

		if (c == '\\') {
			if (lx->p == lx->end)
				return -1;
			lx->p++;
		} else if (c == '(') {
			if (++depth > RFC5322_MAX_DEPTH)
				return -1;
		} else if (c == ')') {
			if (--depth == 0)
				return 0;
		} else if (c == '\0')
			return -1;
	}
	return -1;
}

/* rfc5322_cfws - skip white space and comments; -1 on a broken comment */
int
rfc5322_cfws(struct rfc5322 *lx)
{
	while (lx->p < lx->end) {
		if (rfc5322_wsp((unsigned char)*lx->p))
			lx->p++;
		else if (*lx->p == '(') {
			if (rfc5322_comment(lx) != 0)
				return -1;
		} else
			break;
	}
	return 0;
}

/* rfc5322_peek - next byte or -1 at the end */
int
rfc5322_peek(const struct rfc5322 *lx)
{
	return lx->p < lx->end ? (unsigned char)*lx->p : -1;
}

/* rfc5322_eat - consume c if it is next */
int
rfc5322_eat(struct rfc5322 *lx, int c)
{
	if (c < 0 || rfc5322_peek(lx) != c)
		return -1;
	lx->p++;
	return 0;
}

/* rfc5322_atend - only CFWS left */
int
rfc5322_atend(struct rfc5322 *lx)
{
	return rfc5322_cfws(lx) == 0 && lx->p == lx->end;
}

/* rfc5322_is_token - RFC 2045 token character */
static int
rfc5322_is_token(int c)
{
	return c > ' ' && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* rfc5322_is_atext - RFC 5322 atext */
static int
rfc5322_is_atext(int c)
{
	return c > ' ' && c < 0x7f && strchr("()<>[]:;@\\,.\"", c) == NULL;
}

/* rfc5322_is_keyword - RFC 8601 Keyword: letters, digits, hyphen */
static int
rfc5322_is_keyword(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* rfc5322_run - a non-empty run of accepted characters */
static int
rfc5322_run(struct rfc5322 *lx, struct buf *out, int (*ok)(int))
{
	const char *start = lx->p;

	while (lx->p < lx->end && ok((unsigned char)*lx->p))
		lx->p++;
	if (lx->p == start)
		return -1;
	if (out != NULL)
		buf_append(out, start, (size_t)(lx->p - start));
	return 0;
}

/* rfc5322_token - RFC 2045 token */
int
rfc5322_token(struct rfc5322 *lx, struct buf *out)
{
	return rfc5322_run(lx, out, rfc5322_is_token);
}

/* rfc5322_keyword - RFC 8601 Keyword (underscore tolerated) */
int
rfc5322_keyword(struct rfc5322 *lx, struct buf *out)
{
	return rfc5322_run(lx, out, rfc5322_is_keyword);
}

/* rfc5322_dot_atom - atext *("." atext) */
int
rfc5322_dot_atom(struct rfc5322 *lx, struct buf *out)
{
	const char *start = lx->p;

	for (;;) {
		if (rfc5322_run(lx, NULL, rfc5322_is_atext) != 0) {
			lx->p = start;
			return -1;
		}
		if (rfc5322_peek(lx) != '.')
			break;
		lx->p++;
	}
	if (out != NULL)
		buf_append(out, start, (size_t)(lx->p - start));
	return 0;
}

/* rfc5322_quoted - quoted-string, unescaped into out */
int
rfc5322_quoted(struct rfc5322 *lx, struct buf *out)
{
	const char *start = lx->p;

	if (rfc5322_eat(lx, '"') != 0)
		return -1;
	while (lx->p < lx->end) {
		unsigned char c = (unsigned char)*lx->p++;

		if (c == '"')
			return 0;
		if (c == '\0')
			break;
		if (c == '\\') {
			if (lx->p == lx->end)
				break;
			c = (unsigned char)*lx->p++;
		} else if (c == '\r' || c == '\n')
			continue;	/* folding inside a quoted-string */
		if (out != NULL)
			buf_putc(out, c);
	}
	lx->p = start;
	return -1;
}

/* rfc5322_value - RFC 2045 value: token or quoted-string */
int
rfc5322_value(struct rfc5322 *lx, struct buf *out)
{
	if (rfc5322_peek(lx) == '"')
		return rfc5322_quoted(lx, out);
	return rfc5322_token(lx, out);
}

/* --- From: mailbox-list (RFC 5322 3.4, 3.6.2; RFC 6854 groups; RFC 6532) */

/* rfc5322_is_uatext - atext, or a byte of a UTF-8 sequence (RFC 6532) */
static int
rfc5322_is_uatext(int c)
{
	return rfc5322_is_atext(c) || c >= 0x80;
}

/* rfc5322_from_fail - note the first problem */
static int
rfc5322_from_fail(struct rfc5322_from *f, const char *why)
{
	if (!f->error)
		snprintf(f->why, sizeof(f->why), "%s", why);
	f->error = 1;
	return -1;
}

/* rfc5322_uatom - a run of atext or UTF-8, appended to out */
static int
rfc5322_uatom(struct rfc5322 *lx, struct buf *out)
{
	return rfc5322_run(lx, out, rfc5322_is_uatext);
}

/* rfc5322_word - atom or quoted-string after CFWS */
static int
rfc5322_word(struct rfc5322 *lx, struct buf *out)
{
	if (rfc5322_cfws(lx) != 0)
		return -1;
	if (rfc5322_peek(lx) == '"')
		return rfc5322_quoted(lx, out);
	return rfc5322_uatom(lx, out);
}

/* rfc5322_domain_part - dot-atom or obs-domain; literals are refused */
static int
rfc5322_domain_part(struct rfc5322 *lx, struct buf *dom, struct rfc5322_from *f)
{
	if (rfc5322_cfws(lx) != 0)
		return rfc5322_from_fail(f, "unbalanced comment");
	if (rfc5322_peek(lx) == '[')
		return rfc5322_from_fail(f, "address literal as domain");
	for (;;) {
		if (rfc5322_uatom(lx, dom) != 0)
			return rfc5322_from_fail(f, "empty domain label");
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
		if (rfc5322_peek(lx) != '.')
			return 0;
		lx->p++;
		buf_putc(dom, '.');
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
	}
}

/* rfc5322_from_domain - lowercase A-label into the distinct list */
static int
rfc5322_from_domain(struct rfc5322_from *f, const struct buf *dom)
{
	char *alabel = NULL, *d;
	size_t i;

	if (dom->truncated || dom->len == 0 || dom->len > RFC5322_MAX_DOMAIN)
		return rfc5322_from_fail(f, "domain too long");
	for (i = 0; i < dom->len; i++)
		if ((unsigned char)dom->data[i] >= 0x80)
			break;
	if (i < dom->len) {
		/* RFC 8616: a U-label domain is looked up as its A-label */
		if (idn2_to_ascii_8z(dom->data, &alabel, IDN2_NFC_INPUT |
		    IDN2_NONTRANSITIONAL) != IDN2_OK)
			return rfc5322_from_fail(f, "invalid internationalized "
			    "domain");
		d = xstrdup(alabel);
		idn2_free(alabel);
	} else
		d = xstrdup(dom->data);
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	for (i = 0; i < f->ndomains; i++)
		if (strcmp(f->domains[i], d) == 0) {
			free(d);
			return 0;
		}
	if (f->ndomains >= RFC5322_MAX_DOMAINS) {
		free(d);
		return rfc5322_from_fail(f, "too many author domains");
	}
	f->domains[f->ndomains++] = d;
	return 0;
}

/* rfc5322_angle - "<" [obs-route] addr-spec ">" */
static int
rfc5322_angle(struct rfc5322 *lx, struct rfc5322_from *f, struct buf *tmp)
{
	lx->p++;	/* the "<" */
	if (rfc5322_cfws(lx) != 0)
		return rfc5322_from_fail(f, "unbalanced comment");
	/* obs-route "@a,@b:" is skipped, as RFC 5322 section 4.4 allows */
	if (rfc5322_peek(lx) == '@') {
		while (lx->p < lx->end && *lx->p != ':' && *lx->p != '>')
			lx->p++;
		if (rfc5322_eat(lx, ':') != 0)
			return rfc5322_from_fail(f, "bad route");
	}
	buf_reset(tmp);
	for (;;) {
		if (rfc5322_word(lx, tmp) != 0)
			return rfc5322_from_fail(f, "bad local-part");
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
		if (rfc5322_peek(lx) != '.')
			break;
		lx->p++;
	}
	if (rfc5322_eat(lx, '@') != 0)
		return rfc5322_from_fail(f, "address without a domain");
	buf_reset(tmp);
	if (rfc5322_domain_part(lx, tmp, f) != 0)
		return -1;
	if (rfc5322_eat(lx, '>') != 0)
		return rfc5322_from_fail(f, "unbalanced angle brackets");
	f->nmailboxes++;
	return rfc5322_from_domain(f, tmp);
}

/*
 * rfc5322_mailbox - name-addr or addr-spec; *group set when what was read
 * turned out to be a group's display name (the ":" is consumed)
 */
static int
rfc5322_mailbox(struct rfc5322 *lx, struct rfc5322_from *f, struct buf *tmp,
    int *group)
{
	int words = 0;

	*group = 0;
	buf_reset(tmp);
	for (;;) {
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
		switch (rfc5322_peek(lx)) {
		case '<':
			return rfc5322_angle(lx, f, tmp);
		case ':':
			if (words == 0)
				return rfc5322_from_fail(f, "group without a name");
			lx->p++;
			*group = 1;
			return 0;
		case '@':
			if (words == 0)
				return rfc5322_from_fail(f, "empty local-part");
			lx->p++;
			buf_reset(tmp);
			if (rfc5322_domain_part(lx, tmp, f) != 0)
				return -1;
			f->nmailboxes++;
			return rfc5322_from_domain(f, tmp);
		case '.':
			lx->p++;	/* obs-phrase and local-part dots */
			continue;
		default:
			if (rfc5322_word(lx, tmp) != 0)
				return rfc5322_from_fail(f, words ? "stray character"
				    : "mailbox expected");
			words++;
		}
	}
}

/* rfc5322_list - mailboxes and groups up to the end (or ";" in a group) */
static int
rfc5322_list(struct rfc5322 *lx, struct rfc5322_from *f, struct buf *tmp,
    int in_group)
{
	int group;

	for (;;) {
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
		if (lx->p == lx->end)
			return in_group ? rfc5322_from_fail(f, "group not ended")
			    : 0;
		if (in_group && rfc5322_peek(lx) == ';') {
			lx->p++;
			return 0;
		}
		if (rfc5322_peek(lx) == ',') {
			lx->p++;	/* obs-mbox-list: empty elements */
			continue;
		}
		if (f->nmailboxes >= RFC5322_MAX_MAILBOXES)
			return rfc5322_from_fail(f, "too many mailboxes");
		if (rfc5322_mailbox(lx, f, tmp, &group) != 0)
			return -1;
		if (group && (in_group ? rfc5322_from_fail(f, "nested group") :
		    rfc5322_list(lx, f, tmp, 1)) != 0)
			return -1;
		if (rfc5322_cfws(lx) != 0)
			return rfc5322_from_fail(f, "unbalanced comment");
		if (lx->p < lx->end && *lx->p != ',' &&
		    !(in_group && *lx->p == ';'))
			return rfc5322_from_fail(f, "text after an address");
	}
}

/* rfc5322_from - the author domains of a From field value */
void
rfc5322_from(const char *v, size_t len, struct rfc5322_from *f)
{
	struct rfc5322 lx;
	struct buf tmp;

	memset(f, 0, sizeof(*f));
	if (memchr(v, '\0', len) != NULL) {
		rfc5322_from_fail(f, "NUL byte");
		return;
	}
	buf_init(&tmp, 4096);
	rfc5322_init(&lx, v, len);
	if (rfc5322_list(&lx, f, &tmp, 0) == 0 && f->nmailboxes == 0)
		rfc5322_from_fail(f, "no mailbox");
	buf_free(&tmp);
}

/* rfc5322_from_free - release the domains */
void
rfc5322_from_free(struct rfc5322_from *f)
{
	size_t i;

	for (i = 0; i < f->ndomains; i++)
		free(f->domains[i]);
	memset(f, 0, sizeof(*f));
}
