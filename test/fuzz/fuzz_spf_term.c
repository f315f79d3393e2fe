/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_spf_term - SPF terms as written, on any TXT content */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/cidr.h"
#include "auth/spf_term.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rec = (const char *)data;
	struct spf_term_info t;
	struct cidr_addr a;
	size_t off = 0, last = 0;
	int bits, n = 0;

	while (spf_term_next(rec, size, &off, &t) == 0) {
		/* a term lies in the record, its argument in the term, and
		 * the walk moves on */
		if (t.p < rec || t.p + t.len > rec + size || t.len == 0 ||
		    t.arg < t.p || t.arg + t.alen > t.p + t.len ||
		    off <= last || off > size || ++n > (int)size + 1)
			__builtin_trap();
		last = off;
		if (spf_term_net(&t, &a, &bits) == 0 && (bits < 0 ||
		    bits > (a.family == AF_INET6 ? 128 : 32)))
			__builtin_trap();
		if (t.v4 > 999 || t.v6 > 999)
			__builtin_trap();
		(void)spf_term_dns(t.kind);	/* only must not crash */
		(void)spf_term_has_macro(&t);
	}
	return 0;
}
