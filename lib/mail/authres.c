/* SPDX-License-Identifier: BSD-2-Clause */
/* authres - RFC 8601 parser and writer */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"
#include "util/buf.h"
#include "mail/rfc5322.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* authres_init - empty header for authserv_id */
void
authres_init(struct authres *ar, const char *authserv_id)
{
	memset(ar, 0, sizeof(*ar));
	ar->authserv_id = xstrdup(authserv_id ? authserv_id : "");
	ar->version = 1;
}

/* authres_free - release every string */
void
authres_free(struct authres *ar)
{
	size_t i, j;

	for (i = 0; i < ar->n; i++) {
		struct authres_result *r = &ar->r[i];

		free(r->method);
		free(r->result);
		free(r->reason);
		free(r->comment);
		for (j = 0; j < r->nprops; j++) {
			free(r->props[j].ptype);
			free(r->props[j].property);
			free(r->props[j].value);
		}
	}
	free(ar->r);
	free(ar->authserv_id);
	memset(ar, 0, sizeof(*ar));
}

/* authres_add - one more resinfo; NULL past AUTHRES_MAX_RESULTS */
struct authres_result *
authres_add(struct authres *ar, const char *method, const char *result)
{
	struct authres_result *r;

	if (ar->n >= AUTHRES_MAX_RESULTS)
		return NULL;
	if (ar->n == ar->cap) {
		ar->cap = ar->cap ? ar->cap * 2 : 8;
		ar->r = xreallocarray(ar->r, ar->cap, sizeof(*ar->r));
	}
	r = &ar->r[ar->n++];
	memset(r, 0, sizeof(*r));
	r->method = xstrdup(method);
	r->result = xstrdup(result);
	return r;
}

/* authres_prop - one ptype.property=value; -1 past AUTHRES_MAX_PROPS */
int
authres_prop(struct authres_result *r, const char *ptype,
    const char *property, const char *value)
{
	struct authres_prop *p;

	if (r->nprops >= AUTHRES_MAX_PROPS)
		return -1;
	p = &r->props[r->nprops++];
	p->ptype = xstrdup(ptype);
	p->property = xstrdup(property);
	p->value = xstrdup(value);
	return 0;
}

/* authres_comment - set the comment written after the result */
void
authres_comment(struct authres_result *r, const char *text)
{
	free(r->comment);
	r->comment = xstrdup(text);
}

/* --- parsing --- */

/* authres_lower - lowercase a buf in place */
static void
authres_lower(struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->data[i] = (char)tolower((unsigned char)b->data[i]);
}

/* authres_word - CFWS then a Keyword, lowercased */
static int
authres_word(struct rfc5322 *lx, struct buf *out)
{
	buf_reset(out);
	if (rfc5322_cfws(lx) != 0 || rfc5322_keyword(lx, out) != 0 ||
	    out->truncated)
		return -1;	/* a cut word would read as another word */
	authres_lower(out);
	return 0;
}

/* authres_is_pvalue - characters of an unquoted pvalue (token or addr) */
static int
authres_is_pvalue(int c)
{
	return c > ' ' && c < 0x7f && strchr("()\";\\", c) == NULL;
}

/* authres_pvalue - value / [[local-part] "@"] domain-name */
static int
authres_pvalue(struct rfc5322 *lx, struct buf *out)
{
	buf_reset(out);
	if (rfc5322_cfws(lx) != 0)
		return -1;
	if (rfc5322_peek(lx) == '"') {
		if (rfc5322_quoted(lx, out) != 0)
			return -1;
		/* a quoted local-part of an address */
		if (rfc5322_peek(lx) != '@')
			return 0;
	}
	while (authres_is_pvalue(rfc5322_peek(lx)))
		buf_putc(out, *lx->p++);
	return out->len > 0 && !out->truncated ? 0 : -1;
}

/* authres_parse_prop - ptype "." property "=" pvalue */
static int
authres_parse_prop(struct rfc5322 *lx, struct authres_result *r,
    struct buf *ptype, struct buf *val, struct buf *why)
{
	struct buf prop;
	int rc = -1;

	buf_init(&prop, AUTHRES_MAX_VALUE);
	if (rfc5322_cfws(lx) != 0 || rfc5322_eat(lx, '.') != 0 ||
	    authres_word(lx, &prop) != 0 || rfc5322_cfws(lx) != 0 ||
	    rfc5322_eat(lx, '=') != 0 || authres_pvalue(lx, val) != 0) {
		buf_printf(why, "bad property after '%s'", ptype->data);
		goto done;
	}
	if (authres_prop(r, ptype->data, prop.data, val->data) != 0) {
		buf_puts(why, "too many properties");
		rc = -2;
		goto done;
	}
	rc = 0;
done:
	buf_free(&prop);
	return rc;
}

/* authres_parse_props - [reasonspec] *propspec up to ";" or the end */
static enum authres_status
authres_parse_props(struct rfc5322 *lx, struct authres_result *r,
    struct buf *word, struct buf *val, struct buf *why)
{
	int rc;

	for (;;) {
		if (rfc5322_cfws(lx) != 0) {
			buf_puts(why, "unbalanced comment");
			return AUTHRES_SYNTAX;
		}
		if (rfc5322_peek(lx) == ';' || rfc5322_peek(lx) == -1)
			return AUTHRES_OK;
		if (authres_word(lx, word) != 0) {
			buf_puts(why, "property expected");
			return AUTHRES_SYNTAX;
		}
		if (strcmp(word->data, "reason") == 0 && r->reason == NULL &&
		    rfc5322_cfws(lx) == 0 && rfc5322_eat(lx, '=') == 0) {
			buf_reset(val);
			if (rfc5322_cfws(lx) != 0 ||
			    rfc5322_value(lx, val) != 0 || val->truncated) {
				buf_puts(why, "bad reason");
				return AUTHRES_SYNTAX;
			}
			r->reason = xstrdup(val->data);
			continue;
		}
		rc = authres_parse_prop(lx, r, word, val, why);
		if (rc != 0)
			return rc == -2 ? AUTHRES_TOOMANY : AUTHRES_SYNTAX;
	}
}

/* authres_parse_resinfo - methodspec [reasonspec] *propspec */
static enum authres_status
authres_parse_resinfo(struct rfc5322 *lx, struct authres *ar, struct buf *why)
{
	struct buf method, result, word, val;
	struct authres_result *r;
	enum authres_status st = AUTHRES_SYNTAX;

	buf_init(&method, AUTHRES_MAX_VALUE);
	buf_init(&result, AUTHRES_MAX_VALUE);
	buf_init(&word, AUTHRES_MAX_VALUE);
	buf_init(&val, AUTHRES_MAX_VALUE);
	if (authres_word(lx, &method) != 0) {
		buf_puts(why, "method expected");
		goto done;
	}
	/* method-version: skip it, version 1 is the only one registered */
	if (rfc5322_cfws(lx) == 0 && rfc5322_eat(lx, '/') == 0 &&
	    authres_word(lx, &word) != 0) {
		buf_puts(why, "bad method version");
		goto done;
	}
	if (rfc5322_cfws(lx) != 0 || rfc5322_eat(lx, '=') != 0 ||
	    authres_word(lx, &result) != 0) {
		buf_printf(why, "result expected after '%s'", method.data);
		goto done;
	}
	if ((r = authres_add(ar, method.data, result.data)) == NULL) {
		buf_puts(why, "too many results");
		st = AUTHRES_TOOMANY;
		goto done;
	}
	if ((st = authres_parse_props(lx, r, &word, &val, why)) != AUTHRES_OK)
		goto done;
	st = AUTHRES_OK;
done:
	buf_free(&method);
	buf_free(&result);
	buf_free(&word);
	buf_free(&val);
	return st;
}

/* authres_parse_head - authserv-id [version] */
static int
authres_parse_head(struct rfc5322 *lx, struct authres *ar, struct buf *why)
{
	struct buf id;

	buf_init(&id, AUTHRES_MAX_VALUE);
	if (rfc5322_cfws(lx) != 0 || rfc5322_value(lx, &id) != 0 ||
	    id.truncated) {
		buf_puts(why, "authserv-id expected");
		buf_free(&id);
		return -1;
	}
	free(ar->authserv_id);
	ar->authserv_id = buf_steal(&id);
	buf_free(&id);
	if (rfc5322_cfws(lx) != 0) {
		buf_puts(why, "unbalanced comment");
		return -1;
	}
	if (isdigit(rfc5322_peek(lx))) {
		ar->version = 0;
		while (isdigit(rfc5322_peek(lx)) && ar->version < 1000)
			ar->version = ar->version * 10 + (*lx->p++ - '0');
	}
	return 0;
}

/* authres_parse - a whole field value into ar (initialized here) */
enum authres_status
authres_parse(const char *v, size_t len, struct authres *ar, struct buf *why)
{
	struct rfc5322 lx;
	struct buf word;
	enum authres_status st;

	authres_init(ar, "");
	rfc5322_init(&lx, v, len);
	if (authres_parse_head(&lx, ar, why) != 0)
		return AUTHRES_SYNTAX;
	buf_init(&word, 16);
	for (;;) {
		if (rfc5322_atend(&lx))
			break;
		if (rfc5322_eat(&lx, ';') != 0) {
			buf_puts(why, "';' expected");
			buf_free(&word);
			return AUTHRES_SYNTAX;
		}
		/* "; none" stands alone */
		if (ar->n == 0) {
			struct rfc5322 save = lx;

			if (authres_word(&lx, &word) == 0 &&
			    strcmp(word.data, "none") == 0 &&
			    rfc5322_atend(&lx))
				break;
			lx = save;
		}
		if ((st = authres_parse_resinfo(&lx, ar, why)) != AUTHRES_OK) {
			buf_free(&word);
			return st;
		}
	}
	buf_free(&word);
	return AUTHRES_OK;
}

/* authres_id - just the authserv-id; -1 when it cannot be read */
int
authres_id(const char *v, size_t len, struct buf *out)
{
	struct rfc5322 lx;

	rfc5322_init(&lx, v, len);
	if (rfc5322_cfws(&lx) != 0 || rfc5322_value(&lx, out) != 0)
		return -1;
	return 0;
}

/* authres_dname_len - a domain name's length without its trailing dots */
static size_t
authres_dname_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '.')
		n--;
	return n;
}

/*
 * authres_same_id - two authserv-ids compared as domain names: case does
 * not matter, nor does a trailing dot ("mx.example." is mx.example). More
 * than one dot is no valid name, but a reader that strips them would see
 * ours, so such a field is ours to delete too.
 */
static int
authres_same_id(const char *a, const char *b)
{
	size_t n = authres_dname_len(a);

	return n == authres_dname_len(b) && strncasecmp(a, b, n) == 0;
}

/*
 * authres_claims - does this field claim our authserv-id (RFC 8601
 * section 5)? A field whose id cannot be read is judged by whether our id
 * appears in it at all: a mangled forgery must not survive.
 */
int
authres_claims(const char *v, size_t len, const char *authserv_id)
{
	struct buf id;
	size_t n = strlen(authserv_id), i;
	int claims = 0;

	buf_init(&id, AUTHRES_MAX_VALUE);
	if (authres_id(v, len, &id) == 0 && !id.truncated)
		claims = authres_same_id(id.data, authserv_id);
	else {
		for (i = 0; n > 0 && i + n <= len && !claims; i++)
			claims = strncasecmp(v + i, authserv_id, n) == 0;
	}
	buf_free(&id);
	return claims;
}

/* --- writing --- */

/* RFC 2045 tspecials: with space and controls, what a token may not hold */
#define AUTHRES_TSPECIALS	"()<>@,;:\\\"/[]?="

/* authres_is_token - an RFC 2045 token (RFC 8601 "value" unquoted) */
static int
authres_is_token(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f ||
		    strchr(AUTHRES_TSPECIALS, p[i]) != NULL)
			return 0;
	return n > 0;
}

/* authres_is_dot_atom - token runs joined by single dots (a local-part) */
static int
authres_is_dot_atom(const char *s, size_t n)
{
	const char *dot;
	size_t run;

	for (;;) {
		dot = memchr(s, '.', n);
		run = dot != NULL ? (size_t)(dot - s) : n;
		if (!authres_is_token(s, run))
			return 0;
		if (dot == NULL)
			return 1;
		s += run + 1;
		n -= run + 1;
	}
}

/* authres_is_dname - LDH labels joined by single dots (RFC 6376 3.5) */
static int
authres_is_dname(const char *s)
{
	size_t i, label = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) ||
		    (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && s[i - 1] != '-';
}

/*
 * authres_needs_quote - not a bare token; with allow_addr, an address
 * ([local-part] "@" domain-name, RFC 8601 pvalue) may stay bare too
 */
static int
authres_needs_quote(const char *s, int allow_addr)
{
	const char *at = allow_addr ? strchr(s, '@') : NULL;

	if (at == NULL)
		return !authres_is_token(s, strlen(s));
	if (at > s && !authres_is_dot_atom(s, (size_t)(at - s)))
		return 1;
	return !authres_is_dname(at + 1);
}

/*
 * authres_put_text - escape the given specials; control bytes and bytes
 * that are not well-formed UTF-8 become "?" so our header is always valid
 */
static void
authres_put_text(struct buf *out, const char *s, const char *specials)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;

	while (left > 0) {
		n = utf8_seqlen(p, left);
		if (n == 0 || *p < ' ' || *p == 0x7f) {
			buf_putc(out, '?');
			n = 1;
		} else {
			if (n == 1 && strchr(specials, *p) != NULL)
				buf_putc(out, '\\');
			buf_append(out, p, n);
		}
		p += n;
		left -= n;
	}
}

/* authres_put_value - a value, quoted when it must be */
static void
authres_put_value(struct buf *out, const char *s, int allow_addr)
{
	if (!authres_needs_quote(s, allow_addr)) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	authres_put_text(out, s, "\"\\");
	buf_putc(out, '"');
}

/* authres_put_comment - "(text)" with parentheses escaped */
static void
authres_put_comment(struct buf *out, const char *s)
{
	buf_putc(out, '(');
	authres_put_text(out, s, "()\\");
	buf_putc(out, ')');
}

/* authres_word_out - append a word, folding before it past the margin */
static void
authres_word_out(struct buf *out, size_t *col, const struct buf *w)
{
	if (*col + 1 + w->len > AUTHRES_FOLD && *col > 8) {
		buf_puts(out, "\n\t");
		*col = 8;
	} else {
		buf_putc(out, ' ');
		(*col)++;
	}
	buf_append(out, w->data, w->len);
	*col += w->len;
}

/* authres_format_result - one resinfo on its own line(s) */
static void
authres_format_result(const struct authres_result *r, struct buf *out)
{
	struct buf w;
	size_t col = 8, i;

	buf_init(&w, 4096);
	buf_printf(out, "%s=%s", r->method, r->result);
	col += strlen(r->method) + 1 + strlen(r->result);
	if (r->comment != NULL) {
		authres_put_comment(&w, r->comment);
		authres_word_out(out, &col, &w);
	}
	if (r->reason != NULL) {
		buf_reset(&w);
		buf_puts(&w, "reason=");
		authres_put_value(&w, r->reason, 0);
		authres_word_out(out, &col, &w);
	}
	for (i = 0; i < r->nprops; i++) {
		buf_reset(&w);
		buf_printf(&w, "%s.%s=", r->props[i].ptype,
		    r->props[i].property);
		authres_put_value(&w, r->props[i].value, 1);
		authres_word_out(out, &col, &w);
	}
	buf_free(&w);
}

/* authres_format - the field value: id, then one method per line */
void
authres_format(const struct authres *ar, struct buf *out)
{
	size_t i;

	authres_put_value(out, ar->authserv_id, 0);
	if (ar->n == 0) {
		buf_puts(out, "; none");
		return;
	}
	for (i = 0; i < ar->n; i++) {
		buf_puts(out, ";\n\t");
		authres_format_result(&ar->r[i], out);
	}
}
