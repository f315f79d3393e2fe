/* SPDX-License-Identifier: BSD-2-Clause */
/* canon - body canonicalization as a byte stream */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "mail/canon.h"
#include "mail/hdr.h"

/* canon_stage_flush - hand the staged bytes to the digest */
static void
canon_stage_flush(struct canon_body *cb)
{
	if (cb->nstage > 0)
		EVP_DigestUpdate(cb->md, cb->stage, cb->nstage);
	cb->nstage = 0;
}

/* canon_stage - hash n bytes, staged: the body arrives a byte at a time */
static void
canon_stage(struct canon_body *cb, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t k;

	while (n > 0) {
		if (cb->nstage == CANON_STAGE)
			canon_stage_flush(cb);
		k = CANON_STAGE - cb->nstage;
		if (k > n)
			k = n;
		memcpy(cb->stage + cb->nstage, c, k);
		cb->nstage += k;
		c += k;
		n -= k;
	}
}

/* canon_emit - count and hash canonical bytes, honouring l= */
static void
canon_emit(struct canon_body *cb, const void *p, size_t n)
{
	size_t h = n;

	if (cb->md != NULL) {
		if (cb->limit >= 0) {
			uint64_t room = cb->len >= (uint64_t)cb->limit ? 0 :
			    (uint64_t)cb->limit - cb->len;

			if (h > room)
				h = (size_t)room;
		}
		canon_stage(cb, p, h);
	}
	cb->len += n;
}

/* canon_flush_lines - empty lines before new content are part of it */
static void
canon_flush_lines(struct canon_body *cb)
{
	while (cb->crlf > 0) {
		canon_emit(cb, "\r\n", 2);
		cb->crlf--;
	}
}

/* canon_body_init - a counter, with a SHA-256 context when hash is set */
int
canon_body_init(struct canon_body *cb, int relaxed, int hash, int64_t limit)
{
	memset(cb, 0, sizeof(*cb));
	cb->relaxed = relaxed;
	cb->limit = limit;
	if (!hash)
		return 0;
	if ((cb->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(cb->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(cb->md);
		cb->md = NULL;
		return -1;
	}
	return 0;
}

/* canon_line_end - a CRLF: held back until content follows */
static void
canon_line_end(struct canon_body *cb)
{
	cb->wsp = 0;	/* relaxed: white space at a line end goes */
	if (cb->open_line) {
		cb->open_line = 0;
		canon_emit(cb, "\r\n", 2);
	} else
		cb->crlf++;
}

/* canon_char - one byte that is not part of a CRLF */
static void
canon_char(struct canon_body *cb, unsigned char c)
{
	if (cb->relaxed && (c == ' ' || c == '\t')) {
		cb->wsp = 1;
		return;
	}
	canon_flush_lines(cb);
	if (cb->wsp) {
		canon_emit(cb, " ", 1);
		cb->wsp = 0;
	}
	canon_emit(cb, &c, 1);
	cb->content = cb->open_line = 1;
}

/* canon_plain - a byte that neither ends a line nor is white space */
static int
canon_plain(unsigned char c)
{
	return c != '\r' && c != '\n' && c != ' ' && c != '\t';
}

/* canon_run - plain bytes p[0..n): what canon_char does, for all at once */
static void
canon_run(struct canon_body *cb, const unsigned char *p, size_t n)
{
	canon_flush_lines(cb);
	if (cb->wsp) {
		canon_emit(cb, " ", 1);
		cb->wsp = 0;
	}
	canon_emit(cb, p, n);
	cb->content = cb->open_line = 1;
}

/* canon_body_update - any chunking: lines may span chunks */
void
canon_body_update(struct canon_body *cb, const unsigned char *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!cb->cr && canon_plain(p[i])) {
			for (j = i + 1; j < n && canon_plain(p[j]); j++)
				;
			canon_run(cb, p + i, j - i);
			i = j - 1;
			continue;
		}
		if (cb->cr) {
			cb->cr = 0;
			if (p[i] == '\n') {
				canon_line_end(cb);
				continue;
			}
			canon_char(cb, '\r');	/* a bare CR is content */
		}
		if (p[i] == '\r')
			cb->cr = 1;
		else
			canon_char(cb, p[i]);
	}
}

/* canon_body_final - the digest (when hashing) and the canonical length */
uint64_t
canon_body_final(struct canon_body *cb, unsigned char *digest, size_t *dlen)
{
	unsigned int n = 0;

	if (cb->cr)
		canon_char(cb, '\r');
	/* simple: an empty body is CRLF; both: a last line gets its CRLF */
	if (cb->open_line || (!cb->relaxed && !cb->content))
		canon_emit(cb, "\r\n", 2);
	if (cb->md != NULL) {
		canon_stage_flush(cb);
		if (digest != NULL)
			EVP_DigestFinal_ex(cb->md, digest, &n);
		EVP_MD_CTX_free(cb->md);
		cb->md = NULL;
	}
	if (dlen != NULL)
		*dlen = n;
	return cb->len;
}

/* canon_wsp - white space of a header value, folds included */
static int
canon_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * canon_header - "name:value" canonicalized, with CRLF unless this is the
 * signature field itself. value is what the MTA gave: folds as LF or CRLF,
 * its leading space included when leadspc says so.
 */
void
canon_header(struct buf *out, const char *name, const char *value, size_t len,
    int relaxed, int leadspc, int crlf)
{
	size_t i, nlen = strlen(name);
	int space = 0, started = 0;

	if (!relaxed) {
		buf_printf(out, "%s:%s", name, leadspc ? "" : " ");
		for (i = 0; i < len; i++) {
			if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
				buf_putc(out, '\r');
			buf_putc(out, value[i]);
		}
	} else {
		while (nlen > 0 && (name[nlen - 1] == ' ' ||
		    name[nlen - 1] == '\t'))
			nlen--;
		for (i = 0; i < nlen; i++)
			buf_putc(out, tolower((unsigned char)name[i]));
		buf_putc(out, ':');
		for (i = 0; i < len; i++) {
			if (value[i] == '\r' || value[i] == '\n')
				continue;	/* unfold */
			if (canon_wsp((unsigned char)value[i])) {
				space = started;
				continue;
			}
			if (space)
				buf_putc(out, ' ');
			space = 0;
			started = 1;
			buf_putc(out, value[i]);
		}
	}
	if (crlf)
		buf_puts(out, "\r\n");
}

/* canon_strip_b - the value with the b= tag's value removed (RFC 6376 3.7) */
void
canon_strip_b(const char *v, size_t len, struct buf *out)
{
	size_t i = 0, j;
	int at_tag = 1;

	while (i < len) {
		if (at_tag) {
			for (j = i; j < len && canon_wsp((unsigned char)v[j]); j++)
				;
			if (j < len && v[j] == 'b') {
				size_t k = j + 1;

				while (k < len && canon_wsp((unsigned char)v[k]))
					k++;
				if (k < len && v[k] == '=') {
					buf_append(out, v + i, k + 1 - i);
					for (i = k + 1; i < len && v[i] != ';'; i++)
						;
					at_tag = 0;
					continue;
				}
			}
			at_tag = 0;
		}
		if (v[i] == ';')
			at_tag = 1;
		buf_putc(out, v[i++]);
	}
}

/*
 * canon_headers - the fields named in h (colon-separated), each taken
 * from the bottom up as RFC 6376 5.4.2 says (a name listed once more than
 * present contributes nothing), canonicalized into out with CRLF
 */
void
canon_headers(struct buf *out, const struct hdr *hdr, const char *h,
    int relaxed, int leadspc)
{
	unsigned char used[HDR_MAX_FIELDS + HDR_MAX_TOP];
	char name[128];
	size_t n, k;
	const char *p = h, *end;

	memset(used, 0, sizeof(used));
	while (*p != '\0') {
		end = p + strcspn(p, ":");
		n = (size_t)(end - p);
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			for (k = hdr->n < sizeof(used) ? hdr->n : sizeof(used);
			    k > 0; k--) {
				if (used[k - 1] ||
				    !hdr_name_is(hdr->f[k - 1].name, name))
					continue;
				used[k - 1] = 1;
				canon_header(out, hdr->f[k - 1].name,
				    hdr->f[k - 1].value, hdr->f[k - 1].vlen,
				    relaxed, leadspc, 1);
				break;
			}
		}
		p = *end == ':' ? end + 1 : end;
	}
}
