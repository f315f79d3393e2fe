/* SPDX-License-Identifier: BSD-2-Clause */
/* prefetch - the lookups of a message, started early */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "mail/hdr.h"
#include "dns/prefetch.h"
#include "dns/resolver.h"
#include "mail/tags.h"

/*
 * Why: SPF, DKIM and DMARC run at end of message, one lookup after the
 * other; with a cold cache each waits a full round trip. Started here, the
 * lookups of a message overlap each other and the transfer of its body.
 */

/* prefetch_mail - the SPF records of the HELO name and MAIL FROM domain */
void
prefetch_mail(struct resolver *res, const struct config *cfg,
    const char *helo, const char *mailfrom)
{
	const char *at;

	if (!cfg->spf.enabled)
		return;
	/* an address literal is no SPF identity (RFC 7208 section 2.3) */
	if (cfg->spf.helo && helo != NULL && *helo != '[' &&
	    strchr(helo, '.') != NULL)
		resolver_prefetch(res, helo, ns_t_txt);
	if (mailfrom != NULL && (at = strrchr(mailfrom, '@')) != NULL &&
	    at[1] != '\0')
		resolver_prefetch(res, at + 1, ns_t_txt);
}

/* prefetch_key - s._domainkey.d of one DKIM-Signature value */
static void
prefetch_key(struct resolver *res, const char *value, size_t len)
{
	struct tags t;
	struct buf name;
	const char *d, *s;

	tags_parse_lenient(value, len, &t);
	d = tags_get(&t, "d");
	s = tags_get(&t, "s");
	if (d != NULL && s != NULL && *d != '\0' && *s != '\0') {
		buf_init(&name, RESOLVER_MAX_NAME + 2);
		buf_printf(&name, "%s._domainkey.%s", s, d);
		resolver_prefetch(res, name.data, ns_t_txt);
		buf_free(&name);
	}
	tags_free(&t);
}

/* prefetch_header - DKIM keys and the author's DMARC record */
void
prefetch_header(struct resolver *res, const struct config *cfg,
    const struct hdr *hdr, const char *author)
{
	struct buf name;
	size_t i;
	int keys = 0;

	for (i = 0; cfg->dkim.enabled && i < hdr->n; i++)
		if (hdr_name_is(hdr->f[i].name, "DKIM-Signature") &&
		    keys++ < PREFETCH_MAX_KEYS)
			prefetch_key(res, hdr->f[i].value, hdr->f[i].vlen);
	if (cfg->dmarc.enabled && author != NULL) {
		buf_init(&name, RESOLVER_MAX_NAME + 2);
		buf_printf(&name, "_dmarc.%s", author);
		resolver_prefetch(res, name.data, ns_t_txt);
		buf_free(&name);
	}
}
