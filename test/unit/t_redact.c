/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_redact - failure-report privacy: local parts become pseudonyms (the
 * same for the same local part and key, another with another key), what
 * is no address stays, and URLs are defanged
 */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "mail/redact.h"
#include "unit.h"

#define T_REDACT_N(a)	(sizeof(a) / sizeof((a)[0]))

static const unsigned char t_key[REDACT_KEY] = "0123456789abcdef";
static const unsigned char t_key2[REDACT_KEY] = "fedcba9876543210";

/* t_redacted - s through redact_locals() with key */
static void
t_redacted(const char *s, const unsigned char *key, struct buf *out)
{
	buf_reset(out);
	redact_locals(s, strlen(s), key, out);
}

/* t_redact_cases - what goes and what stays */
static void
t_redact_cases(void)
{
	static const struct {
		const char	*in;		/* a header value */
		const char	*gone;		/* must not be in the output */
		const char	*kept;		/* must be in the output */
		int		 tokens;	/* pseudonyms written */
	} cases[] = {
		{ "Alice <alice.smith@example.org>", "alice.smith",
		    "Alice <redacted-", 1 },
		{ "a@b.example, c+tag@d.example", "c+tag", "@d.example", 2 },
		{ "\"carol x\"@rcpt.example", "carol", "@rcpt.example", 1 },
		{ "smtp.mailfrom=bob@x.example", "bob@",
		    "smtp.mailfrom=redacted-", 1 },
		{ "SRS0=h=tt=orig.example=dave@fwd.example", "dave",
		    "SRS0=h=tt=orig.example=redacted-", 1 },
		{ "i=@example.org", NULL, "i=@example.org", 0 },
		{ "no address here", NULL, "no address here", 0 },
		{ "at the end @", NULL, "at the end @", 0 },
		{ "a@", NULL, "a@", 0 },
		{ "user@[192.0.2.1]", "user", "@[192.0.2.1]", 1 },
		/* after the second one is replaced "ax@r..." is an address */
		{ "ax@`b.c@d.example", "ax@", "@d.example", 2 },
		/* not a valid local part: all of it goes, in two pieces */
		{ "x\"q@b\"@c.example", "q@b", "@c.example", 2 },
	};
	struct buf out;
	const char *p;
	size_t i;
	int n;

	buf_init(&out, 4096);
	for (i = 0; i < T_REDACT_N(cases); i++) {
		t_redacted(cases[i].in, t_key, &out);
		for (n = 0, p = out.data; (p = strstr(p, REDACT_TOKEN)) != NULL;
		    p++)
			n++;
		UNIT_CHECK((cases[i].gone == NULL || strstr(out.data,
		    cases[i].gone) == NULL) && strstr(out.data,
		    cases[i].kept) != NULL && n == cases[i].tokens,
		    cases[i].in, "got \"%s\" (%d tokens)", out.data, n);
	}
	buf_free(&out);
}

/* t_redact_stable - one local part, one pseudonym (letter case aside) */
static void
t_redact_stable(void)
{
	struct buf a, b;

	buf_init(&a, 1024);
	buf_init(&b, 1024);
	t_redacted("Alice@x.example", t_key, &a);
	t_redacted("alice@y.example", t_key, &b);
	UNIT_CHECK(strncmp(a.data, b.data, strlen(REDACT_TOKEN) + 8) == 0,
	    "same local part, same pseudonym", "%s %s", a.data, b.data);
	t_redacted("alice@y.example", t_key2, &b);
	UNIT_CHECK(strcmp(a.data, b.data) != 0, "another key, another one",
	    "%s %s", a.data, b.data);
	t_redacted("bob@x.example", t_key, &b);
	UNIT_CHECK(strncmp(a.data, b.data, strlen(REDACT_TOKEN) + 8) != 0,
	    "another local part, another one", "%s %s", a.data, b.data);
	buf_reset(&a);
	redact_locals("a\0b@c.example", 13, t_key, &a);
	UNIT_CHECK(a.len > 0 && memchr(a.data, '\0', a.len) == NULL &&
	    strncmp(a.data, "a redacted-", 11) == 0, "NUL becomes a space",
	    "%s", a.data);
	buf_reset(&a);
	redact_locals("\0@c.example", 11, t_key, &a);
	UNIT_STREQ(a.data, " @c.example", "a NUL is no local part (fuzz)");
	buf_free(&a);
	buf_free(&b);
}

/* t_redact_defang - RFC 9991 7.3: hxxp */
static void
t_redact_defang(void)
{
	static const struct {
		const char	*in, *want;	/* text, defanged */
	} cases[] = {
		{ "see http://x.example/a", "see hxxp://x.example/a" },
		{ "HTTPS://X.EXAMPLE", "HXXPS://X.EXAMPLE" },
		{ "an httpd log, http", "an httpd log, http" },
		{ "Https:x", "Hxxps:x" },
	};
	struct buf out;
	size_t i;

	buf_init(&out, 1024);
	for (i = 0; i < T_REDACT_N(cases); i++) {
		buf_reset(&out);
		redact_defang(cases[i].in, strlen(cases[i].in), &out);
		UNIT_STREQ(out.data, cases[i].want, cases[i].in);
	}
	buf_free(&out);
}

int
main(void)
{
	t_redact_cases();
	t_redact_stable();
	t_redact_defang();
	return unit_done("t_redact");
}
