/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_bimi_svg - the SVG Tiny PS check (libxml2, no network, no
 * entities) and SVGZ inflation on any bytes: an accepted indicator is
 * within the size limit, declares no entity and has no script element
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "auth/bimi.h"
#include "auth/bimi_svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_has - the bytes hold s */
static int
fuzz_has(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, s, n) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *p = (const char *)data;
	struct buf why, out;

	if (!ready) {
		bimi_init();
		ready = 1;
	}
	buf_init(&why, 1024);
	buf_init(&out, BIMI_SVG_MAX + 1);
	if (bimi_svg_check(p, size, &why) == 0 && (size > BIMI_SVG_MAX ||
	    fuzz_has(p, size, "<!ENTITY") || fuzz_has(p, size, "<script")))
		__builtin_trap();
	if (bimi_svg_gunzip(p, size, BIMI_SVG_MAX, &out, &why) == 0) {
		if (out.len > BIMI_SVG_MAX)
			__builtin_trap();
		buf_reset(&why);
		(void)bimi_svg_check(out.data, out.len, &why);	/* no crash */
	}
	buf_free(&why);
	buf_free(&out);
	return 0;
}
