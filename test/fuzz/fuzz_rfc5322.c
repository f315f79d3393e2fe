/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_rfc5322 - every lexer entry point on any bytes */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "mail/rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322 lx;
	struct buf out;
	int guard = 0;

	buf_init(&out, 1 << 20);
	rfc5322_init(&lx, (const char *)data, size);
	/* walk the input with every scanner; each step must make progress */
	/* a broken comment may leave the cursor at the end: that is the end */
	while (!rfc5322_atend(&lx) && lx.p < lx.end && guard++ < 100000) {
		const char *before = lx.p;

		buf_reset(&out);
		if (rfc5322_value(&lx, &out) != 0 &&
		    rfc5322_dot_atom(&lx, &out) != 0 &&
		    rfc5322_keyword(&lx, &out) != 0 &&
		    rfc5322_quoted(&lx, &out) != 0)
			lx.p++;
		if (lx.p <= before || lx.p > lx.end)
			__builtin_trap();
	}
	buf_free(&out);
	return 0;
}
