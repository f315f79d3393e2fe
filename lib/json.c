/* json - string escaping for JSON output */
#include "autoconf.h"

#include <string.h>

#include "buf.h"
#include "json.h"

/* json_utf8_len - length of a valid UTF-8 sequence at p, 0 if invalid */
static size_t
json_utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||
	    (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
	    (n == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
	    (n == 4 && p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

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
		size_t n = json_utf8_len(p);

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
