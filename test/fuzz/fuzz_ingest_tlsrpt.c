/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_ingest_tlsrpt - an SMTP TLS report (RFC 8460 JSON) through json-c */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "report/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_limits lim = { 1 << 20, 1000 };
	struct ingest_stream *s;
	struct ingest_tls t;
	enum ingest_status st;
	struct buf why;
	size_t i, nf = 0;

	buf_init(&why, 4096);
	if ((s = ingest_stream_open((const char *)data, size, lim.max_report,
	    &st, &why)) == NULL) {
		buf_free(&why);
		return 0;
	}
	st = ingest_tls_parse(s, &lim, &t, &why);
	for (i = 0; i < t.np; i++) {
		nf += t.p[i].nf;
		if (t.p[i].type == NULL || t.p[i].domain == NULL ||
		    strlen(t.p[i].domain) > INGEST_MAX_VALUE)
			__builtin_trap();
	}
	if (t.np > INGEST_MAX_POLICIES || nf > lim.max_records ||
	    (st == INGEST_OK && (t.org_name == NULL || *t.org_name == '\0' ||
	    t.end < t.begin)) || (st != INGEST_OK && why.len == 0))
		__builtin_trap();
	ingest_tls_free(&t);
	ingest_stream_close(s);
	buf_free(&why);
	return 0;
}
