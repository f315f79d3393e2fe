/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_arc - ARC set parsing and chain validation on any header block
 * ("Name: value" lines, folded lines continue a field, then the body).
 * Keys come from local data only: no packet leaves the process. Parsed
 * keys go through one struct pkeycache kept across inputs, as a daemon's
 * env keeps it across messages.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/arc.h"
#include "util/buf.h"
#include "util/config.h"
#include "mail/hdr.h"
#include "util/log.h"
#include "auth/pkeycache.h"
#include "dns/resolver.h"
#include "fuzzlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct resolver *fuzz_res;	/* built once */
static struct pkeycache *fuzz_keys;	/* likewise */

/* fuzz_init - a resolver that answers everything locally */
static void
fuzz_init(void)
{
	struct config *cfg = fuzzlib_config("dns = { local_zones = "
	    "[ \". static\" ]; local_data = [ \"s._domainkey.example.org. "
	    "300 IN TXT \\\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hc"
	    "vPapiMlrwIaaPcHURo=\\\"\" ]; };\n", NULL);
	struct buf why;

	buf_init(&why, 1024);
	if ((fuzz_res = resolver_new(cfg, &why)) == NULL)
		abort();
	config_release(cfg);
	buf_free(&why);
	fuzz_keys = pkeycache_new(PKEYCACHE_ENTRIES);
}

/* fuzz_field - one header field into the store */
static void
fuzz_field(void *h, const char *name, const char *value, size_t len)
{
	hdr_add(h, name, value, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct arc_verifier *v;
	struct arc_result r;
	struct hdr h;

	if (fuzz_res == NULL)
		fuzz_init();
	hdr_init(&h);
	p = fuzzlib_headers(p, end, fuzz_field, &h);
	v = arc_verifier_new(1);
	arc_verifier_keycache(v, fuzz_keys);
	arc_verifier_eoh(v, &h);
	if (p < end)
		arc_verifier_body(v, (const unsigned char *)p,
		    (size_t)(end - p));
	arc_verifier_finish(v, fuzz_res, &h, 1, 1024, &r);
	if (r.result != METHOD_NONE && r.result != METHOD_PASS &&
	    r.result != METHOD_FAIL)
		__builtin_trap();
	arc_result_free(&r);
	arc_verifier_free(v);
	hdr_free(&h);
	return 0;
}
