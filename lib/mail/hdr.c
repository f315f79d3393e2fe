/* SPDX-License-Identifier: BSD-2-Clause */
/* hdr - bounded header store */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/hdr.h"
#include "util/xalloc.h"

/* hdr_init - empty store */
void
hdr_init(struct hdr *h)
{
	memset(h, 0, sizeof(*h));
}

/* hdr_free - release every field */
void
hdr_free(struct hdr *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->f[i].name);
		free(h->f[i].value);
	}
	free(h->f);
	hdr_init(h);
}

/* hdr_limit - lower limits; 0 or more than the compiled one: compiled */
void
hdr_limit(struct hdr *h, size_t fields, size_t field, size_t bytes)
{
	h->max_fields = fields > 0 && fields < HDR_MAX_FIELDS ? fields :
	    HDR_MAX_FIELDS;
	h->max_field = field > 0 && field < HDR_MAX_FIELD ? field :
	    HDR_MAX_FIELD;
	h->max_bytes = bytes > 0 && bytes < HDR_MAX_BYTES ? bytes :
	    HDR_MAX_BYTES;
}

/* hdr_add - store one field unless a limit says no */
int
hdr_add(struct hdr *h, const char *name, const char *value, size_t vlen)
{
	size_t nlen = strlen(name);
	struct hdr_field *f;

	if (h->max_fields == 0)
		hdr_limit(h, 0, 0, 0);
	h->seen++;
	if (h->n >= h->max_fields || nlen + vlen > h->max_field ||
	    h->bytes + nlen + vlen > h->max_bytes) {
		h->overflow = 1;
		return -1;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->f = xreallocarray(h->f, h->cap, sizeof(*h->f));
	}
	f = &h->f[h->n++];
	f->name = xstrndup(name, nlen);
	f->value = xmalloc(vlen + 1);
	memcpy(f->value, value, vlen);
	f->value[vlen] = '\0';
	f->vlen = vlen;
	h->bytes += nlen + vlen;
	return 0;
}

/*
 * hdr_add_top - a field the milter itself adds at the top (its own DKIM
 * signature, before an ARC seal covers it): stored first, past the limits
 * by at most HDR_MAX_TOP fields, since it is ours and small
 */
int
hdr_add_top(struct hdr *h, const char *name, const char *value, size_t vlen)
{
	struct hdr_field *f;

	if (h->n >= HDR_MAX_FIELDS + HDR_MAX_TOP)
		return -1;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->f = xreallocarray(h->f, h->cap, sizeof(*h->f));
	}
	memmove(&h->f[1], &h->f[0], h->n * sizeof(*h->f));
	h->n++;
	f = &h->f[0];
	f->name = xstrdup(name);
	f->value = xmalloc(vlen + 1);
	memcpy(f->value, value, vlen);
	f->value[vlen] = '\0';
	f->vlen = vlen;
	h->bytes += strlen(name) + vlen;
	return 0;
}

/*
 * hdr_name_is - field names compare case-insensitively; white space
 * before the colon (RFC 5322 4.5 obs syntax, "From :") is not part of
 * the name, as Postfix also reads it
 */
int
hdr_name_is(const char *a, const char *b)
{
	size_t n = strlen(b), m = strlen(a);

	while (m > n && (a[m - 1] == ' ' || a[m - 1] == '\t'))
		m--;
	return m == n && strncasecmp(a, b, n) == 0;
}

/* hdr_count - stored fields with this name */
size_t
hdr_count(const struct hdr *h, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		if (hdr_name_is(h->f[i].name, name))
			n++;
	return n;
}

/* hdr_nth - the idx-th (0-based) stored field with this name */
const struct hdr_field *
hdr_nth(const struct hdr *h, const char *name, size_t idx)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (hdr_name_is(h->f[i].name, name) && idx-- == 0)
			return &h->f[i];
	return NULL;
}
