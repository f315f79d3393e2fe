/* SPDX-License-Identifier: BSD-2-Clause */
/* json - string escaping for JSON output */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/utf8.h"

/* json_str - a quoted, escaped string; NULL becomes null */
void
json_str(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '"');
	while (*p != '\0') {
		size_t n = utf8_seqlen(p, strlen((const char *)p));

		if (n == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			p++;
		} else if (*p == '"' || *p == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, *p++);
		} else if (*p < 0x20) {
			buf_printf(out, "\\u%04x", *p++);
		} else {
			buf_append(out, p, n);
			p += n;
		}
	}
	buf_putc(out, '"');
}

/* json_key - "key": with a comma unless first */
void
json_key(struct buf *out, const char *key, int first)
{
	if (!first)
		buf_putc(out, ',');
	json_str(out, key);
	buf_putc(out, ':');
}

/* json_kv - "key":"value" */
void
json_kv(struct buf *out, const char *key, const char *value, int first)
{
	json_key(out, key, first);
	json_str(out, value);
}
