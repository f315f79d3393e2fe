/*
 * fuzz_arc - ARC set parsing and chain validation on any header block
 * ("Name: value" lines, folded lines continue a field, then the body).
 * Keys come from local data only: no packet leaves the process.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc.h"
#include "buf.h"
#include "config.h"
#include "hdr.h"
#include "log.h"
#include "resolver.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct resolver *fuzz_res;	/* built once */

/* fuzz_init - a resolver that answers everything locally */
static void
fuzz_init(void)
{
	static const char conf[] = "dns = { local_zones = [ \". static\" ]; "
	    "local_data = [ \"s._domainkey.example.org. 300 IN TXT "
	    "\\\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPc"
	    "HURo=\\\"\" ]; };\n";
	char path[] = "/tmp/fuzz_arc.XXXXXX";
	struct config *cfg;
	struct buf why;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, conf, sizeof(conf) - 1) < 0)
		abort();
	close(fd);
	buf_init(&why, 1024);
	log_set_level(LOG_LEVEL_ERR);
	if ((cfg = config_load(path, &why)) == NULL ||
	    (fuzz_res = resolver_new(cfg, &why)) == NULL)
		abort();
	unlink(path);
	config_release(cfg);
	buf_free(&why);
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
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
		char name[128];

		if (nl == NULL)
			nl = end;
		/* continuation lines belong to the field before */
		while (nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
			const char *more = memchr(nl + 1, '\n',
			    (size_t)(end - nl - 1));

			nl = more != NULL ? more : end;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL && (size_t)(colon - p) < sizeof(name)) {
			memcpy(name, p, (size_t)(colon - p));
			name[colon - p] = '\0';
			hdr_add(&h, name, colon + 1, (size_t)(nl - colon - 1));
		}
		p = nl < end ? nl + 1 : end;
	}
	v = arc_verifier_new(1);
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
