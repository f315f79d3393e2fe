/* SPDX-License-Identifier: BSD-2-Clause */
/* buf - bounded byte strings */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* buf_init - empty string with a hard limit */
void
buf_init(struct buf *b, size_t max)
{
	b->cap = 64;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
	b->len = 0;
	b->max = max;
	b->truncated = 0;
}

/* buf_new - heap-allocated buf */
struct buf *
buf_new(size_t max)
{
	struct buf *b = xmalloc(sizeof(*b));

	buf_init(b, max);
	return b;
}

/* buf_free - release the storage; safe on a zeroed struct */
void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* buf_reset - empty the string, keep storage and limit */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->truncated = 0;
}

/* buf_reserve - make room for n more bytes plus the NUL, within max */
static size_t
buf_reserve(struct buf *b, size_t n)
{
	size_t room = b->max - b->len, want;

	if (n > room)
		n = room;
	want = b->len + n + 1;
	if (want > b->cap) {
		size_t cap = b->cap;

		while (cap < want)
			cap = cap > b->max / 2 ? b->max + 1 : cap * 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	return n;
}

/* buf_append - append bytes; -1 and truncated when max is reached */
int
buf_append(struct buf *b, const void *p, size_t n)
{
	size_t fit = buf_reserve(b, n);

	memcpy(b->data + b->len, p, fit);
	b->len += fit;
	b->data[b->len] = '\0';
	if (fit < n) {
		b->truncated = 1;
		return -1;
	}
	return 0;
}

/* buf_puts - append a C string */
int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* buf_putc - append one byte */
int
buf_putc(struct buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return buf_append(b, &ch, 1);
}

/* buf_vprintf - append formatted text */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	{
		char *big = xmalloc((size_t)n + 1);
		int rc;

		vsnprintf(big, (size_t)n + 1, fmt, ap);
		rc = buf_append(b, big, (size_t)n);
		free(big);
		return rc;
	}
}

/* buf_printf - append formatted text */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* buf_steal - hand the string to the caller; b needs buf_init() again */
char *
buf_steal(struct buf *b)
{
	char *s = b->data;

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}
