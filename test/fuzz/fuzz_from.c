/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_from - From field author domains on any bytes */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322_from f;
	size_t i;

	rfc5322_from((const char *)data, size, &f);
	/* a result is either an error or a set of clean lowercase domains */
	if (!f.error && f.ndomains > 0 && f.nmailboxes == 0)
		__builtin_trap();
	for (i = 0; i < f.ndomains; i++) {
		const unsigned char *p = (const unsigned char *)f.domains[i];

		if (*p == '\0' || strlen(f.domains[i]) > RFC5322_MAX_DOMAIN)
			__builtin_trap();
		for (; *p != '\0'; p++)
			if (*p >= 0x80 || (*p >= 'A' && *p <= 'Z'))
				__builtin_trap();
	}
	rfc5322_from_free(&f);
	return 0;
}
