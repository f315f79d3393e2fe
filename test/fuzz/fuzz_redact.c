/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_redact - failure-report redaction on any bytes (header fields and
 * bodies from the wire): no NUL comes out, and every "@" that starts a
 * domain has nothing personal before it: no local part, or a pseudonym
 */
#include "autoconf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "mail/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_local - redact.c's local-part characters */
static int
fuzz_local(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-?^_`{|}~.", c) !=
	    NULL);
}

/* fuzz_clean - every local part before "@domain" is a pseudonym */
static int
fuzz_clean(const char *p, size_t len)
{
	const size_t tok = strlen(REDACT_TOKEN) + 8;
	size_t i, j;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '@' || !(isalnum((unsigned char)p[i + 1]) ||
		    p[i + 1] == '['))
			continue;
		for (j = i; j > 0 && fuzz_local((unsigned char)p[j - 1]); j--)
			;
		if (j < i && (i - j < tok || memcmp(p + i - tok,
		    REDACT_TOKEN, strlen(REDACT_TOKEN)) != 0))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[REDACT_KEY] = "fuzz-fuzz-fuzz!";
	struct buf out, def;

	buf_init(&out, 4 * size + 64);
	buf_init(&def, 4 * size + 64);
	redact_locals((const char *)data, size, key, &out);
	if (memchr(out.data, '\0', out.len) != NULL ||
	    !fuzz_clean(out.data, out.len))
		__builtin_trap();
	redact_defang(out.data, out.len, &def);
	if (def.len != out.len)
		__builtin_trap();
	buf_free(&out);
	buf_free(&def);
	return 0;
}
