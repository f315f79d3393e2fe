/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_tags - DKIM-style tag lists, strict and lenient, on any bytes */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "mail/tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tags t, l;
	struct buf why;
	size_t i;

	buf_init(&why, 256);
	tags_parse_lenient((const char *)data, size, &l);
	if (tags_parse((const char *)data, size, &t, &why) == 0) {
		/* a strictly valid list reads the same leniently */
		if (t.n != l.n)
			__builtin_trap();
		for (i = 0; i < t.n; i++)
			if (strcmp(t.value[i], l.value[i]) != 0 ||
			    tags_get(&t, t.name[i]) != t.value[i])
				__builtin_trap();
		if (tags_get(&t, "d") != NULL)
			(void)tags_is_domain(tags_get(&t, "d"), 2);
	}
	tags_free(&t);
	tags_free(&l);
	buf_free(&why);
	return 0;
}
