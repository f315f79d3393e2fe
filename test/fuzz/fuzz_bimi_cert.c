/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_bimi_cert - what a mark certificate brings: the logotype
 * extension's DER (walked by hand), its data: URI and hash, and the PEM
 * of an evidence document. The first byte chooses: even, the bytes are
 * a logotype extension; odd, they are the PEM. An accepted logotype has
 * an SVG of at most BIMI_SVG_MAX bytes that hashes to its own hash.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "auth/bimi.h"
#include "auth/bimi_cert.h"
#include "auth/bimi_svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "brand.example", NULL };
	struct bimi_evidence ev;
	struct buf why;

	if (size < 1)
		return 0;
	buf_init(&why, 1024);
	if (data[0] % 2 == 0) {
		if (bimi_logotype_evidence(data + 1, size - 1, &ev,
		    &why) == 0) {
			if (ev.svglen > BIMI_SVG_MAX || bimi_cert_matches(&ev,
			    ev.svg, ev.svglen, &why) != 0)
				__builtin_trap();
			bimi_evidence_free(&ev);
		}
	} else if (bimi_cert_check(NULL, (const char *)data + 1, size - 1,
	    names, 0, &ev, &why) == 0)
		__builtin_trap();	/* no roots: never valid */
	buf_free(&why);
	return 0;
}
