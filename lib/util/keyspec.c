/* SPDX-License-Identifier: BSD-2-Clause */
/* keyspec - "DOMAIN SELECTOR ALGORITHM KEYFILE", the line of a key table */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/keyspec.h"
#include "util/xalloc.h"

#define KEYSPEC_FIELDS	4

/*
 * keyspec_is_name - dot-separated labels of letters, digits, "-" and "_"
 * (selectors and the _domainkey names use "_"), none empty, at most max
 * characters in all
 */
int
keyspec_is_name(const char *s, size_t max)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > max || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	}
	return 1;
}

/* keyspec_split - the line's white-space separated fields; -1 not four */
static int
keyspec_split(const char *line, char *f[KEYSPEC_FIELDS])
{
	const char *p = line, *start;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (n == KEYSPEC_FIELDS)
			return -1;
		f[n++] = xstrndup(start, (size_t)(p - start));
	}
	return n == KEYSPEC_FIELDS ? 0 : -1;
}

/* keyspec_lower - ASCII lower case in place */
static void
keyspec_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* keyspec_check - the four fields are what they claim to be */
static int
keyspec_check(const struct keyspec *k, struct buf *why)
{
	if (!keyspec_is_name(k->domain, KEYSPEC_MAX_DOMAIN) ||
	    strchr(k->domain, '_') != NULL)
		buf_printf(why, "'%s' is not a domain or *.domain", k->pattern);
	else if (!keyspec_is_name(k->selector, KEYSPEC_MAX_SELECTOR))
		buf_printf(why, "'%s' is not a selector", k->selector);
	else if (strcmp(k->algorithm, "rsa-sha256") != 0 &&
	    strcmp(k->algorithm, "ed25519-sha256") != 0)
		buf_printf(why, "algorithm '%s' is not rsa-sha256 or "
		    "ed25519-sha256", k->algorithm);
	else if (k->path[0] != '/' || strlen(k->path) > KEYSPEC_MAX_PATH)
		buf_printf(why, "key file '%s' is not an absolute path",
		    k->path);
	else
		return 0;
	return -1;
}

/* keyspec_parse - one line into k; -1 with why */
int
keyspec_parse(const char *line, struct keyspec *k, struct buf *why)
{
	char *f[KEYSPEC_FIELDS] = { NULL, NULL, NULL, NULL };
	int i;

	memset(k, 0, sizeof(*k));
	if (keyspec_split(line, f) != 0) {
		for (i = 0; i < KEYSPEC_FIELDS; i++)
			free(f[i]);
		buf_puts(why, "expected \"DOMAIN SELECTOR ALGORITHM KEYFILE\"");
		return -1;
	}
	keyspec_lower(f[0]);
	keyspec_lower(f[2]);
	k->pattern = f[0];
	k->wildcard = strncmp(f[0], "*.", 2) == 0;
	k->domain = xstrdup(f[0] + (k->wildcard ? 2 : 0));
	k->selector = f[1];
	k->algorithm = f[2];
	k->path = f[3];
	if (keyspec_check(k, why) != 0) {
		keyspec_free(k);
		return -1;
	}
	return 0;
}

/* keyspec_free - release the copies */
void
keyspec_free(struct keyspec *k)
{
	free(k->pattern);
	free(k->domain);
	free(k->selector);
	free(k->algorithm);
	free(k->path);
	memset(k, 0, sizeof(*k));
}
