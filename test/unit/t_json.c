/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_json - string escaping: quotes, backslash, control characters, valid
 * UTF-8 kept, invalid UTF-8 replaced by U+FFFD, NULL as null; keys and
 * key/value pairs
 */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "unit.h"

#define T_JSON_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_JSON_FFFD	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* json_str(): input to exact output */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*in;		/* C string, or NULL */
	const char	*want;		/* JSON text */
} t_json_str_cases[] = {
	{ "plain", "plain", "\"plain\"" },
	{ "empty", "", "\"\"" },
	{ "NULL is null", NULL, "null" },
	{ "quote", "a\"b", "\"a\\\"b\"" },
	{ "backslash", "a\\b", "\"a\\\\b\"" },
	{ "only quotes", "\"\"", "\"\\\"\\\"\"" },
	{ "slash unescaped", "a/b", "\"a/b\"" },
	{ "control 0x01", "\x01", "\"\\u0001\"" },
	{ "newline", "a\nb", "\"a\\u000ab\"" },
	{ "CR and tab", "\r\t", "\"\\u000d\\u0009\"" },
	{ "control 0x1f", "\x1f", "\"\\u001f\"" },
	{ "space is not a control", " ", "\" \"" },
	{ "DEL allowed raw", "\x7f", "\"\x7f\"" },
	{ "2-byte UTF-8 kept", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "3-byte UTF-8 kept", "\xe2\x82\xac", "\"\xe2\x82\xac\"" },
	{ "4-byte UTF-8 kept", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
	{ "U+0080 kept", "\xc2\x80", "\"\xc2\x80\"" },
	{ "U+0800 kept", "\xe0\xa0\x80", "\"\xe0\xa0\x80\"" },
	{ "U+D7FF kept", "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },
	{ "U+E000 kept", "\xee\x80\x80", "\"\xee\x80\x80\"" },
	{ "U+FFFD kept", T_JSON_FFFD, "\"" T_JSON_FFFD "\"" },
	{ "U+10000 kept", "\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"" },
	{ "U+10FFFF kept", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	{ "lone continuation", "\x80", "\"" T_JSON_FFFD "\"" },
	{ "0xff in text", "a\xff" "b", "\"a" T_JSON_FFFD "b\"" },
	{ "0xfe", "\xfe", "\"" T_JSON_FFFD "\"" },
	{ "overlong 2-byte", "\xc0\xaf",
	    "\"" T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "overlong 2-byte c1", "\xc1\xbf",
	    "\"" T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "overlong 3-byte", "\xe0\x80\xaf",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "overlong 4-byte", "\xf0\x8f\xbf\xbf",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "surrogate U+D800", "\xed\xa0\x80",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "lead byte 0xf5", "\xf5\x80\x80\x80",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "truncated at the end", "ab\xc3", "\"ab" T_JSON_FFFD "\"" },
	{ "truncated 3-byte", "\xe2\x82x", "\"" T_JSON_FFFD T_JSON_FFFD "x\"" },
	{ "truncated 4-byte at the end", "\xf0\x9f\x98",
	    "\"" T_JSON_FFFD T_JSON_FFFD T_JSON_FFFD "\"" },
	{ "Latin-1 text", "Gr\xfc\xdf" "e", "\"Gr" T_JSON_FFFD T_JSON_FFFD
	    "e\"" },
	{ "mixed", "\"\\\x01\xc3\xa9\xff",
	    "\"\\\"\\\\\\u0001\xc3\xa9" T_JSON_FFFD "\"" },
};

/* t_json_utf8_ok - independent check that s is valid UTF-8 (RFC 3629) */
static int
t_json_utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned long cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + n > len)
			return 0;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

/* t_json_no_raw_controls - JSON strings carry no raw byte below 0x20 */
static int
t_json_no_raw_controls(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

/* t_json_str - every string case */
static void
t_json_str(void)
{
	struct buf out;
	size_t i;

	buf_init(&out, 4096);
	for (i = 0; i < T_JSON_N(t_json_str_cases); i++) {
		buf_reset(&out);
		json_str(&out, t_json_str_cases[i].in);
		UNIT_STREQ(out.data, t_json_str_cases[i].want,
		    t_json_str_cases[i].label);
		UNIT_CHECK(t_json_utf8_ok((const unsigned char *)out.data,
		    out.len), t_json_str_cases[i].label,
		    "output is not valid UTF-8");
		UNIT_CHECK(t_json_no_raw_controls(out.data, out.len),
		    t_json_str_cases[i].label, "raw control byte in output");
	}
	buf_free(&out);
}

/* t_json_all_bytes - every byte value alone and after a lead byte */
static void
t_json_all_bytes(void)
{
	struct buf out;
	char in[4];
	int b, lead, bad_utf8 = 0, bad_ctl = 0;

	buf_init(&out, 4096);
	for (lead = 0; lead < 256; lead += 0x11)
		for (b = 1; b < 256; b++) {
			in[0] = (char)(lead ? lead : b);
			in[1] = (char)b;
			in[2] = (char)b;
			in[3] = '\0';
			buf_reset(&out);
			json_str(&out, in);
			if (!t_json_utf8_ok((const unsigned char *)out.data,
			    out.len))
				bad_utf8++;
			if (!t_json_no_raw_controls(out.data, out.len))
				bad_ctl++;
		}
	UNIT_CHECK(bad_utf8 == 0, "any bytes give valid UTF-8",
	    "%d inputs gave invalid UTF-8", bad_utf8);
	UNIT_CHECK(bad_ctl == 0, "any bytes give no raw controls",
	    "%d inputs gave raw control bytes", bad_ctl);
	buf_free(&out);
}

/* t_json_kv - keys, commas, pairs, a small object */
static void
t_json_kv(void)
{
	static const struct {
		const char	*label;	/* what the case shows */
		const char	*key;	/* key */
		const char	*value;	/* value or NULL */
		int		 first;	/* no comma */
		const char	*want;	/* text */
	} cases[] = {
		{ "first pair", "result", "pass", 1, "\"result\":\"pass\"" },
		{ "later pair", "result", "pass", 0, ",\"result\":\"pass\"" },
		{ "null value", "reason", NULL, 0, ",\"reason\":null" },
		{ "escaped key", "a\"b", "c\\d", 1, "\"a\\\"b\":\"c\\\\d\"" },
		{ "key with invalid UTF-8", "k\xff", "v", 1,
		    "\"k" T_JSON_FFFD "\":\"v\"" },
	};
	struct buf out;
	size_t i;

	buf_init(&out, 4096);
	for (i = 0; i < T_JSON_N(cases); i++) {
		buf_reset(&out);
		json_kv(&out, cases[i].key, cases[i].value, cases[i].first);
		UNIT_STREQ(out.data, cases[i].want, cases[i].label);
	}

	buf_reset(&out);
	json_key(&out, "spf", 1);
	buf_puts(&out, "null");
	json_key(&out, "dkim", 0);
	buf_puts(&out, "[]");
	UNIT_STREQ(out.data, "\"spf\":null,\"dkim\":[]", "json_key");

	buf_reset(&out);
	buf_putc(&out, '{');
	json_kv(&out, "result", "fail", 1);
	json_kv(&out, "reason", "bad \"sig\"\n", 0);
	json_kv(&out, "domain", NULL, 0);
	buf_putc(&out, '}');
	UNIT_STREQ(out.data, "{\"result\":\"fail\",\"reason\":"
	    "\"bad \\\"sig\\\"\\u000a\",\"domain\":null}", "small object");
	buf_free(&out);
}

int
main(void)
{
	t_json_str();
	t_json_all_bytes();
	t_json_kv();
	return unit_done("t_json");
}
