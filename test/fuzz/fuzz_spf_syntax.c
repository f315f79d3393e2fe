/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_spf_syntax - SPF record check and rewrite on any TXT content */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "auth/spf_syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out, again, why;
	unsigned flags;
	int v6;

	buf_init(&out, 1 << 20);
	buf_init(&again, 1 << 20);
	buf_init(&why, 4096);
	for (v6 = 0; v6 <= 1; v6++) {
		buf_reset(&out);
		if (spf_syntax_prepare((const char *)data, size, v6, NULL,
		    &out, &flags, &why) != 0)
			continue;
		/* the rewrite of a valid record is itself valid */
		buf_reset(&again);
		if (spf_syntax_prepare(out.data, out.len, v6, NULL, &again,
		    &flags, &why) != 0)
			__builtin_trap();
	}
	buf_free(&out);
	buf_free(&again);
	buf_free(&why);
	return 0;
}
