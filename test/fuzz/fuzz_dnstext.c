/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_dnstext - record data of any type, as the trace shows it */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "dns/dnstext.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { 1, 2, 5, 6, 12, 15, 16, 28, 43, 48, 52,
	    99, 257, 65280 };
	struct buf out;
	size_t i, j;

	if (size < 1)
		return 0;
	buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		buf_reset(&out);
		dnstext_rdata(types[i], (const char *)data + 1, size - 1, &out);
		/* text, NUL-terminated, printable: it goes in logs and JSON */
		if (out.data[out.len] != '\0' || strlen(out.data) != out.len)
			__builtin_trap();
		for (j = 0; j < out.len; j++)
			if ((unsigned char)out.data[j] < 0x20 ||
			    (unsigned char)out.data[j] > 0x7e)
				__builtin_trap();
	}
	buf_free(&out);
	return 0;
}
