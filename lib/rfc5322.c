/* rfc5322 - CFWS, token, atom and quoted-string scanning */
#include "autoconf.h"

#include <string.h>

#include "buf.h"
#include "rfc5322.h"

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
