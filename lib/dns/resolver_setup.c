/* SPDX-License-Identifier: BSD-2-Clause */
/* resolver_setup - a libunbound context configured from dns.* */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unbound.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "dns/resolver_setup.h"

/* resolver_setup_opt - one unbound option or an explained failure */
static int
resolver_setup_opt(struct ub_ctx *ctx, const char *opt, const char *val,
    struct buf *why)
{
	int rc = ub_ctx_set_option(ctx, opt, val);

	if (rc != 0) {
		buf_printf(why, "libunbound rejects %s %s: %s", opt, val,
		    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* resolver_setup_zone - one "NAME TYPE" local zone */
static int
resolver_setup_zone(struct ub_ctx *ctx, const char *spec, struct buf *why)
{
	char name[RESOLVER_MAX_NAME + 2];
	const char *sp = strchr(spec, ' ');
	size_t n = sp ? (size_t)(sp - spec) : 0;
	int rc;

	if (sp == NULL || n >= sizeof(name)) {
		buf_printf(why, "dns.local_zones '%s': expected NAME TYPE", spec);
		return -1;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	while (*sp == ' ')
		sp++;
	if ((rc = ub_ctx_zone_add(ctx, name, sp)) != 0) {
		buf_printf(why, "dns.local_zones '%s': %s", spec,
		    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* resolver_setup_labels - number of labels of a "NAME TYPE" zone */
static size_t
resolver_setup_labels(const char *spec)
{
	size_t n = 0;

	for (; *spec != '\0' && *spec != ' '; spec++)
		if (*spec == '.' && spec[1] != ' ' && spec[1] != '\0')
			n++;
	return n;
}

/* resolver_setup_zones - every local zone, the most labels first */
static int
resolver_setup_zones(struct ub_ctx *ctx, const struct config_list *zones,
    struct buf *why)
{
	size_t i, depth, max = 0;

	for (i = 0; i < zones->n; i++)
		if (resolver_setup_labels(zones->v[i]) > max)
			max = resolver_setup_labels(zones->v[i]);
	for (depth = max + 1; depth-- > 0;)
		for (i = 0; i < zones->n; i++)
			if (resolver_setup_labels(zones->v[i]) == depth &&
			    resolver_setup_zone(ctx, zones->v[i], why) != 0)
				return -1;
	return 0;
}

/*
 * resolver_setup_dnssec - validate with dns.trust_anchor (RFC 4033-4035):
 * a bogus answer is then a temporary failure of that lookup
 */
static int
resolver_setup_dnssec(struct ub_ctx *ctx, const struct config *cfg,
    struct buf *why)
{
	int rc;

	if (!cfg->dns.dnssec)
		return 0;
	if (access(cfg->dns.trust_anchor, R_OK) != 0) {
		/* config_check_files() refused a chosen file that is absent */
		log_debug("resolver: %s not readable: no DNSSEC validation",
		    cfg->dns.trust_anchor);
		return 0;
	}
	if ((rc = ub_ctx_add_ta_file(ctx, cfg->dns.trust_anchor)) != 0) {
		buf_printf(why, "dns.trust_anchor '%s': %s",
		    cfg->dns.trust_anchor, ub_strerror(rc));
		return -1;
	}
	return 1;
}

/*
 * resolver_setup_ctx - nameservers, trust anchor, local zones and data,
 * async mode; 1 when answers are DNSSEC-validated, 0 when not
 */
int
resolver_setup_ctx(struct ub_ctx *ctx, const struct config *cfg,
    struct buf *why)
{
	size_t i;
	int rc, forwarding, validating;

	/* tests and local caches listen on 127.0.0.1: allow asking them */
	if (resolver_setup_opt(ctx, "do-not-query-localhost:", "no", why) != 0)
		return -1;
	for (i = 0; i < cfg->dns.nameservers.n; i++) {
		rc = ub_ctx_set_fwd(ctx, cfg->dns.nameservers.v[i]);
		if (rc != 0) {
			buf_printf(why, "dns.nameservers '%s': %s",
			    cfg->dns.nameservers.v[i], ub_strerror(rc));
			return -1;
		}
	}
	/* no resolv.conf is not fatal: libunbound then recurses itself */
	forwarding = cfg->dns.nameservers.n > 0;
	if (!forwarding) {
		if ((rc = ub_ctx_resolvconf(ctx, NULL)) != 0)
			log_debug("resolver: /etc/resolv.conf: %s",
			    ub_strerror(rc));
		else
			forwarding = 1;
	}
	/*
	 * A forwarder knows the site's private reverse zones: do not answer
	 * them NXDOMAIN ourselves. Recursing alone, keep unbound's defaults
	 * so private PTR queries never leave the host.
	 */
	if (forwarding && (resolver_setup_opt(ctx, "unblock-lan-zones:", "yes",
	    why) != 0 || resolver_setup_opt(ctx, "insecure-lan-zones:", "yes",
	    why) != 0))
		return -1;
	/* answers in a stable order: SPF's 10-name limits must not be luck */
	if (resolver_setup_opt(ctx, "rrset-roundrobin:", "no", why) != 0)
		return -1;
	/* before any zone or data call: those finalize the context */
	if ((validating = resolver_setup_dnssec(ctx, cfg, why)) < 0)
		return -1;
	if ((rc = ub_ctx_async(ctx, 1)) != 0) {
		buf_printf(why, "libunbound async mode: %s", ub_strerror(rc));
		return -1;
	}
	/*
	 * Zone and data calls parse at once, so -n reports bad lines. Zones
	 * go in innermost first: libunbound leaves an outer zone's other
	 * names uncovered when a zone inside it is added after it.
	 */
	if (resolver_setup_zones(ctx, &cfg->dns.local_zones, why) != 0)
		return -1;
	for (i = 0; i < cfg->dns.local_data.n; i++) {
		if ((rc = ub_ctx_data_add(ctx, cfg->dns.local_data.v[i])) != 0) {
			buf_printf(why, "dns.local_data '%s': %s",
			    cfg->dns.local_data.v[i], ub_strerror(rc));
			return -1;
		}
	}
	return validating;
}
