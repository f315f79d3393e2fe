/* SPDX-License-Identifier: BSD-2-Clause */
/* redact - pseudonyms for local parts, and defanged URLs */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/buf.h"
#include "mail/redact.h"

/*
 * redact_local_char - may be part of an unquoted local part. RFC 5322
 * atext and "." without "=" and "/": an A-R's smtp.mailfrom=a@b keeps
 * its name, an SRS address loses only its last part.
 */
static int
redact_local_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-?^_`{|}~.", c) !=
	    NULL);
}

/* redact_quoted_start - the opening quote of a quoted local part at end */
static size_t
redact_quoted_start(const char *p, size_t end)
{
	size_t j = end - 1;	/* p[j] is the closing quote */

	while (j > 0 && end - j <= REDACT_MAX_LOCAL) {
		j--;
		if (p[j] == '"' && (j == 0 || p[j - 1] != '\\'))
			return j;
	}
	return end;
}

/* redact_start - where the local part before p[at] ("@") starts */
static size_t
redact_start(const char *p, size_t at)
{
	size_t j = at;

	if (at > 0 && p[at - 1] == '"')
		return redact_quoted_start(p, at);
	while (j > 0 && redact_local_char((unsigned char)p[j - 1]))
		j--;
	return j;
}

/* redact_token - "redacted-" and 8 hex digits of HMAC(key, lowercase) */
static void
redact_token(const char *p, size_t len, const unsigned char *key,
    struct buf *out)
{
	unsigned char low[REDACT_MAX_LOCAL], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t i;

	if (len > sizeof(low))
		len = sizeof(low);
	for (i = 0; i < len; i++)
		low[i] = (unsigned char)tolower((unsigned char)p[i]);
	if (HMAC(EVP_sha256(), key, REDACT_KEY, low, len, mac, &maclen) ==
	    NULL || maclen < 4)
		memset(mac, 0, 4);
	buf_printf(out, "%s%02x%02x%02x%02x", REDACT_TOKEN, mac[0], mac[1],
	    mac[2], mac[3]);
}

/*
 * redact_copy - bytes as they are, a NUL as a space (not "?": that may
 * be a local part's, and "?@domain" would read as an address)
 */
static void
redact_copy(const char *p, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_putc(out, p[i] != '\0' ? p[i] : ' ');
}

/*
 * redact_locals - the text with every local part before "@domain"
 * replaced by its pseudonym (the same one for the same local part and
 * key, letter case aside)
 */
void
redact_locals(const char *p, size_t len, const unsigned char *key,
    struct buf *out)
{
	size_t i, j, copied = 0;

	for (i = 0; i < len; i++) {
		/*
		 * not only before a domain's first character: whatever a
		 * later token may replace ("`b", a quoted part) could make
		 * "a@" an address, so "a@`b@c" and a@"b"@c lose "a" too
		 */
		if (p[i] != '@' || i + 1 >= len || !(p[i + 1] == '[' ||
		    p[i + 1] == '"' || redact_local_char((unsigned char)
		    p[i + 1])))
			continue;
		j = redact_start(p, i);
		if (j < copied)
			j = copied;	/* a quoted part held an earlier "@" */
		if (j == i)
			continue;	/* "@domain" alone: nothing personal */
		redact_copy(p + copied, j - copied, out);
		redact_token(p + j, i - j, key, out);
		copied = i;
	}
	redact_copy(p + copied, len - copied, out);
}

/* redact_defang - "http:" and "https:" written "hxxp:", "hxxps:" */
void
redact_defang(const char *p, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i + 5 <= len && strncasecmp(p + i, "http", 4) == 0 &&
		    (p[i + 4] == ':' || ((p[i + 4] == 's' || p[i + 4] == 'S') &&
		    i + 5 < len && p[i + 5] == ':'))) {
			buf_putc(out, p[i]);
			buf_puts(out, isupper((unsigned char)p[i + 1]) ? "XX" :
			    "xx");
			buf_putc(out, p[i + 3]);
			i += 3;
			continue;
		}
		buf_putc(out, p[i] != '\0' ? p[i] : '?');
	}
}
