/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dns - DNS answers as SPF and DMARC read them: this file replaces
 * resolver_query() (run.sh links it first with --allow-multiple-definition)
 * so each lookup returns the next answer cut from the input:
 *   1 byte status (enum resolver_status, mod 6), 1 byte record count,
 *   then per record 2 bytes big-endian length and that many rdata bytes.
 * When the input is used up every lookup is NXDOMAIN. The rdata go through
 * our own readers (TXT strings, wire names, MX, A/AAAA) into libspf2 and
 * the DMARC record parser: SPF for 192.0.2.1 / 2001:db8::1 and
 * MAIL FROM a@example.org, then DMARC for From example.org.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "fuzzlib.h"
#include "auth/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t *fuzz_p, *fuzz_end;	/* answers not yet used */
static struct config *fuzz_cfg;		/* defaults: rfc9989 mode */

/* resolver_query - the next answer of the input (replaces lib/resolver) */
enum resolver_status
resolver_query(struct resolver *r, const char *name, int rrtype,
    const struct timespec *deadline, struct resolver_answer **out)
{
	struct resolver_answer *a;
	const uint8_t *p = fuzz_p;
	size_t n, i, len, total = 0;
	char *data;

	(void)r; (void)name; (void)rrtype; (void)deadline;
	if (fuzz_end - p < 2) {
		*out = calloc(1, sizeof(**out));
		(*out)->status = RESOLVER_NXDOMAIN;
		(*out)->rcode = 3;
		return RESOLVER_NXDOMAIN;
	}
	n = p[1];
	/* first pass: how many records and bytes are really there */
	for (p += 2, i = 0; i < n && fuzz_end - p >= 2; i++) {
		len = (size_t)p[0] << 8 | p[1];
		if ((size_t)(fuzz_end - p - 2) < len)
			break;
		total += len;
		p += 2 + len;
	}
	n = i;
	/* one block, so resolver_answer_free()'s free(a) releases it all */
	a = calloc(1, sizeof(*a) + (n + 1) * (sizeof(char *) + sizeof(int)) +
	    total + 1);
	a->status = (enum resolver_status)(fuzz_p[0] % 6);
	a->rcode = a->status == RESOLVER_NXDOMAIN ? 3 :
	    a->status == RESOLVER_RETRY ? 2 : 0;
	a->rdata = (char **)(a + 1);
	a->rdlen = (int *)(a->rdata + n + 1);
	data = (char *)(a->rdlen + n + 1);
	for (p = fuzz_p + 2, i = 0; i < n; i++) {
		len = (size_t)p[0] << 8 | p[1];
		memcpy(data, p + 2, len);
		a->rdata[i] = data;
		a->rdlen[i] = (int)len;
		data += len;
		p += 2 + len;
	}
	a->n = a->status == RESOLVER_OK ? (int)n : 0;
	fuzz_p = p;
	*out = a;
	return a->status;
}

/* fuzz_init - libspf2 and a default configuration */
static void
fuzz_init(void)
{
	spf_init();
	fuzz_cfg = fuzzlib_config("", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_request sr;
	struct spf_result spf;
	struct dkim_result dkim;
	struct dmarc_request dr;
	struct dmarc_result dm;
	struct cidr_addr client;

	if (fuzz_cfg == NULL)
		fuzz_init();
	if (size < 1)
		return 0;
	memset(&client, 0, sizeof(client));
	if (cidr_addr_parse(data[0] & 1 ? "2001:db8::1" : "192.0.2.1",
	    &client) != 0)
		abort();
	fuzz_p = data + 1;
	fuzz_end = data + size;
	memset(&sr, 0, sizeof(sr));
	sr.client = &client;
	sr.helo = "mail.example.org";
	sr.mailfrom = "a@example.org";
	sr.check_helo = 1;
	sr.receiver = "mx.fuzz.example";
	spf_check(NULL, &sr, &spf);
	if (!spf.checked || spf.result < METHOD_NONE ||
	    spf.result > METHOD_PERMERROR)
		__builtin_trap();
	memset(&dkim, 0, sizeof(dkim));
	memset(&dr, 0, sizeof(dr));
	dr.author = "example.org";
	dr.spf = &spf;
	dr.dkim = &dkim;
	dmarc_check(NULL, NULL, fuzz_cfg, &dr, &dm);
	dmarc_result_free(&dm);
	spf_result_free(&spf);
	return 0;
}
