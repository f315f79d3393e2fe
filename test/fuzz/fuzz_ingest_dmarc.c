/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ingest_dmarc - an aggregate report as it may arrive: plain XML,
 * gzip or zip, through the bounded stream and the streaming XML reader
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "report/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* what the sink saw */
struct fuzz_seen {
	int	metas;		/* meta calls */
	size_t	records;	/* record calls */
};

/* fuzz_meta - metadata comes once, complete */
static int
fuzz_meta(void *arg, const struct ingest_meta *m, struct buf *why)
{
	struct fuzz_seen *s = arg;

	(void)why;
	if (++s->metas > 1 || *m->org_name == '\0' || *m->report_id == '\0' ||
	    *m->domain == '\0' || m->end < m->begin)
		__builtin_trap();
	return 0;
}

/* fuzz_record - every record has an address and a count */
static int
fuzz_record(void *arg, const struct ingest_meta *m,
    const struct ingest_record *r, struct buf *why)
{
	struct fuzz_seen *s = arg;
	unsigned char a[16];

	(void)m;
	(void)why;
	if (s->metas != 1 || r->count < 0 || ++s->records > 1000 ||
	    (inet_pton(AF_INET, r->source_ip, a) != 1 &&
	    inet_pton(AF_INET6, r->source_ip, a) != 1) ||
	    strlen(r->dkim) > INGEST_MAX_AUTH * (3 * INGEST_MAX_VALUE + 3))
		__builtin_trap();
	return 0;
}

/* fuzz_tls - not this target's: a JSON input is fine */
static int
fuzz_tls(void *arg, const struct ingest_tls *t, struct buf *why)
{
	(void)arg;
	(void)t;
	(void)why;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_seen seen = { 0, 0 };
	struct ingest_sink sink = { fuzz_meta, fuzz_record, fuzz_tls, &seen };
	struct ingest_limits lim = { 1 << 20, 1000 };
	enum ingest_kind kind;
	struct buf why;
	int st;

	buf_init(&why, 4096);
	st = ingest_report((const char *)data, size, &lim, &sink, &kind, &why);
	if (st != INGEST_OK && why.len == 0)
		__builtin_trap();	/* every refusal says why */
	buf_free(&why);
	return 0;
}
