/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_dmarc_record - DMARC record tag parsing (both modes) on any text */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "auth/dmarc_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;
	struct buf why;
	char *text;
	int mode;

	if (size > DMARC_MAX_RECORD)
		return 0;
	text = strndup((const char *)data, size);
	buf_init(&why, 1024);
	for (mode = 0; mode <= 1; mode++) {
		buf_reset(&why);
		if (dmarc_record_parse("example.org", text, mode, &r, &why) == 0
		    && (r.p < DMARC_P_NONE || r.p > DMARC_P_REJECT ||
		    r.pct < 0 || r.pct > 100 ||
		    (r.adkim != 'r' && r.adkim != 's')))
			__builtin_trap();
		dmarc_record_free(&r);
		(void)dmarc_record_psd(text);	/* only must not crash */
	}
	buf_free(&why);
	free(text);
	return 0;
}
