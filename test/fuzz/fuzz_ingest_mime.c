/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ingest_mime - a report mail: the MIME walk (multipart, nested
 * messages, base64 and quoted-printable) hands over only what it decoded
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "report/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the walk's input, to bound what it hands over */
struct fuzz_walk {
	size_t	size;		/* message bytes */
	size_t	calls;		/* reports handed over */
};

/* fuzz_report - a decoded part is never larger than the message */
static int
fuzz_report(void *arg, const char *data, size_t len, const char *name,
    struct buf *why)
{
	struct fuzz_walk *w = arg;

	(void)why;
	if (len > w->size || name == NULL || !ingest_is_report(data, len) ||
	    ++w->calls > INGEST_MAX_PARTS)
		__builtin_trap();
	return INGEST_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_walk w = { size, 0 };
	struct ingest_handler h = { fuzz_report, &w };
	struct buf why;
	size_t found;

	buf_init(&why, 4096);
	ingest_mime_walk((const char *)data, size, &h, &found, &why);
	if (found != w.calls)
		__builtin_trap();
	buf_free(&why);
	return 0;
}
