/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkim - DKIM-Signature fields as we read them (tag lists, required
 * tags, i= within d=) and libopendkim's verification behind them, on any
 * header block ("Name: value" lines, folded lines continue a field, then
 * the body). Keys come from local data only: no packet leaves the process.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "fuzzlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct dkim_context *fuzz_lib;	/* built once */
static struct config *fuzz_cfg;		/* kept for the library */
static struct resolver *fuzz_res;	/* the library's resolver */

/* fuzz_init - a key for s._domainkey.example.org and a revoked one */
static void
fuzz_init(void)
{
	static const char conf[] = "dns = { local_zones = [ \". static\" ]; "
	    "local_data = [ \"s._domainkey.example.org. 300 IN TXT "
	    "\\\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPc"
	    "HURo=\\\"\", \"r._domainkey.example.org. 300 IN TXT "
	    "\\\"v=DKIM1; p=\\\"\", \"x._domainkey.example.org. 300 IN TXT "
	    "\\\"v=DKIM1; k=rsa; p=MIGfMA0G==\\\"\" ]; };\n";
	struct buf why;

	fuzz_cfg = fuzzlib_config(conf, NULL);
	buf_init(&why, 1024);
	if ((fuzz_res = resolver_new(fuzz_cfg, &why)) == NULL ||
	    (fuzz_lib = dkim_context_new(fuzz_res, fuzz_cfg, &why)) == NULL) {
		fprintf(stderr, "%s\n", why.data);
		abort();
	}
	buf_free(&why);
}

/* fuzz_field - one header field into the verifier */
static void
fuzz_field(void *v, const char *name, const char *value, size_t len)
{
	dkim_verifier_header(v, name, value, len, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct dkim_verifier *v;
	struct dkim_result r;
	size_t i;

	if (fuzz_lib == NULL)
		fuzz_init();
	v = dkim_verifier_new(fuzz_lib, "fuzz", 4);
	p = fuzzlib_headers(p, end, fuzz_field, v);
	dkim_verifier_eoh(v);
	if (p < end)
		dkim_verifier_body(v, (const unsigned char *)p,
		    (size_t)(end - p));
	dkim_verifier_finish(v, &r);
	if (r.n > 4)
		__builtin_trap();	/* more than max_signatures reported */
	for (i = 0; i < r.n; i++)
		if (r.sig[i].result == METHOD_PASS && (r.sig[i].d == NULL ||
		    strcmp(r.sig[i].d, "example.org") != 0))
			__builtin_trap();	/* a pass without our key */
	dkim_result_free(&r);
	dkim_verifier_free(v);
	return 0;
}
