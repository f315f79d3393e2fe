/* SPDX-License-Identifier: BSD-2-Clause */
/* override - local policy rules against one message's identities */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "util/cidr.h"
#include "util/config.h"
#include "core/override.h"

#define OVERRIDE_MAX_DOMAIN	253

/*
 * override_domain_match - pattern "d" is the domain d, "*.d" a name below
 * d; the pattern is stored lowercase without a trailing dot (config)
 */
int
override_domain_match(const char *pattern, const char *domain)
{
	size_t dl = domain != NULL ? strlen(domain) : 0, pl;
	int sub = strncmp(pattern, "*.", 2) == 0;

	if (dl > 0 && domain[dl - 1] == '.')
		dl--;
	if (dl == 0 || dl > OVERRIDE_MAX_DOMAIN)
		return 0;
	if (sub)
		pattern += 2;
	pl = strlen(pattern);
	if (!sub)
		return dl == pl && strncasecmp(domain, pattern, pl) == 0;
	/* below d: ".d" ends it, with at least one label in front */
	return dl > pl + 1 && domain[dl - pl - 1] == '.' &&
	    strncasecmp(domain + dl - pl, pattern, pl) == 0;
}

/* override_any - one of the list's patterns matches the domain */
static int
override_any(const struct config_list *l, const char *domain)
{
	size_t i;

	for (i = 0; domain != NULL && i < l->n; i++)
		if (override_domain_match(l->v[i], domain))
			return 1;
	return 0;
}

/*
 * override_match - the first rule whose every matcher matches: author is
 * the one author domain (NULL when there is none), mailfrom the MAIL FROM
 * address (its domain counts; "" the null sender, which has none), client
 * the connection's address (family 0 unknown)
 */
const struct config_override *
override_match(const struct config *cfg, const char *author,
    const char *mailfrom, const struct cidr_addr *client)
{
	const char *at = mailfrom != NULL ? strrchr(mailfrom, '@') : NULL;
	const char *mfdom = at != NULL ? at + 1 : NULL;
	size_t i;

	for (i = 0; i < cfg->policy.noverrides; i++) {
		const struct config_override *o = &cfg->policy.overrides[i];

		if (o->author.n > 0 && !override_any(&o->author, author))
			continue;
		if (o->mail_from.n > 0 && !override_any(&o->mail_from, mfdom))
			continue;
		if (o->client.n > 0 && (client == NULL || client->family == 0
		    || !cidr_match_any(o->nets, o->client.n, client)))
			continue;
		return o;
	}
	return NULL;
}
