/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_bimi_record - BIMI assertion records and BIMI-Selector fields on
 * any bytes: a record that parses starts with v=BIMI1 and names https:
 * URIs only; a selector is a lowercase DNS name of at most 63 bytes
 */
#include "autoconf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "auth/bimi.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_https - "" or an https: URI */
static int
fuzz_https(const char *v)
{
	return *v == '\0' || strncasecmp(v, "https://", 8) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct bimi_record rec;
	struct buf why;
	char *sel, *c;

	buf_init(&why, 1024);
	if (bimi_record_parse(p, size, &rec, &why) == 0) {
		if (!bimi_record_is(p, size) || !fuzz_https(rec.l) ||
		    !fuzz_https(rec.a) || strchr(rec.l, ',') != NULL)
			__builtin_trap();
		bimi_record_free(&rec);
	} else if (why.len == 0)
		__builtin_trap();	/* a refusal says why */
	if (bimi_selector_parse(p, size, &sel) == 0) {
		if (sel == NULL || *sel == '\0' || strlen(sel) >
		    BIMI_MAX_SELECTOR)
			__builtin_trap();
		for (c = sel; *c != '\0'; c++)
			if (!islower((unsigned char)*c) &&
			    !isdigit((unsigned char)*c) && *c != '-' &&
			    *c != '.')
				__builtin_trap();
		free(sel);
	} else if (sel != NULL)
		__builtin_trap();
	buf_free(&why);
	return 0;
}
