/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_authres - the A-R parser, the id check and the writer on any bytes */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/authres.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authres ar, again;
	struct buf why, out;

	buf_init(&why, 4096);
	buf_init(&out, 1 << 20);
	if (authres_parse((const char *)data, size, &ar, &why) == AUTHRES_OK) {
		/* what we write from what we read must parse again */
		authres_format(&ar, &out);
		buf_reset(&why);
		if (authres_parse(out.data, out.len, &again, &why) !=
		    AUTHRES_OK || again.n != ar.n)
			__builtin_trap();
		authres_free(&again);
	}
	authres_free(&ar);
	(void)authres_claims((const char *)data, size, "mx.example.org");
	buf_free(&why);
	buf_free(&out);
	return 0;
}
