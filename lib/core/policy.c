/* SPDX-License-Identifier: BSD-2-Clause */
/* policy - results + config -> decision, nothing else */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"
#include "util/buf.h"
#include "util/config.h"
#include "core/policy.h"
#include "core/results.h"
#include "util/xalloc.h"

/* policy_reject - 550 5.7.1 naming the domain */
static void
policy_reject(struct decision *d, const char *text, const char *why)
{
	d->action = POLICY_REJECT;
	d->rcode = "550";
	d->xcode = "5.7.1";
	d->text = text != NULL ? xstrdup(text) : NULL;
	d->why = why;
}

/*
 * policy_reject_text - dmarc.reject_text with %d the author domain and %%
 * a percent sign (config_chk_reply() let no other escape through)
 */
static char *
policy_reject_text(const char *tmpl, const char *domain)
{
	struct buf b;

	buf_init(&b, POLICY_MAX_TEXT);
	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl == '%' && tmpl[1] == 'd') {
			buf_puts(&b, domain);
			tmpl++;
			continue;
		}
		if (*tmpl == '%' && tmpl[1] == '%')
			tmpl++;
		buf_putc(&b, *tmpl);
	}
	return buf_steal(&b);
}

/* policy_aar_vouches - the AAR says dmarc=pass with this header.from */
static int
policy_aar_vouches(const char *aar, const char *author)
{
	struct authres ar;
	struct buf why;
	size_t i, j;
	int yes = 0;

	buf_init(&why, 256);
	if (authres_parse(aar, strlen(aar), &ar, &why) == AUTHRES_OK)
		for (i = 0; i < ar.n && !yes; i++) {
			if (strcmp(ar.r[i].method, "dmarc") != 0 ||
			    strcmp(ar.r[i].result, "pass") != 0)
				continue;
			for (j = 0; j < ar.r[i].nprops; j++)
				if (strcmp(ar.r[i].props[j].ptype, "header") == 0
				    && strcmp(ar.r[i].props[j].property,
				    "from") == 0 && strcasecmp(
				    ar.r[i].props[j].value, author) == 0)
					yes = 1;
		}
	authres_free(&ar);
	buf_free(&why);
	return yes;
}

/*
 * policy_arc_override - RFC 8617 7.2.1: a passing chain whose newest
 * sealer is trusted and vouches dmarc=pass for the same author domain
 */
static const char *
policy_arc_override(const struct results *r, const struct config *cfg)
{
	const struct arc_result *a = &r->arc;
	size_t i;

	if (!a->checked || a->result != METHOD_PASS || a->newest_sealer ==
	    NULL || a->newest_aar == NULL || r->dmarc.author == NULL)
		return NULL;
	for (i = 0; i < cfg->arc.trusted_sealers.n; i++)
		if (strcasecmp(cfg->arc.trusted_sealers.v[i],
		    a->newest_sealer) == 0)
			return policy_aar_vouches(a->newest_aar,
			    r->dmarc.author) ? a->newest_sealer : NULL;
	return NULL;
}

/* policy_dmarc - authmilter(8) ACTIONS for a DMARC result */
static void
policy_dmarc(const struct results *r, const struct config *cfg,
    struct decision *d)
{
	const struct dmarc_result *m = &r->dmarc;
	char text[400];

	if (m->ambiguous) {
		if (cfg->dmarc.multiple_from != CONFIG_MULTIFROM_REJECT)
			return;
		snprintf(text, sizeof(text), "Cannot determine the author "
		    "domain: %s",
		    m->reason ? m->reason : "several From domains");
		policy_reject(d, text, "ambiguous From");
		d->dmarc_dis = DMARC_P_REJECT;
		return;
	}
	if (m->result != METHOD_FAIL)
		return;
	if (m->policy != DMARC_P_NONE &&
	    (d->arc_override = policy_arc_override(r, cfg)) != NULL) {
		d->why = "trusted ARC sealer";
		return;
	}
	if (m->policy == DMARC_P_REJECT && cfg->dmarc.reject) {
		policy_reject(d, NULL, "dmarc reject");
		d->text = policy_reject_text(cfg->dmarc.reject_text,
		    m->author != NULL ? m->author : "");
		d->dmarc_dis = DMARC_P_REJECT;
	} else if (m->policy == DMARC_P_QUARANTINE &&
	    cfg->dmarc.quarantine != CONFIG_QUARANTINE_NONE) {
		d->dmarc_dis = DMARC_P_QUARANTINE;
		if (cfg->dmarc.quarantine == CONFIG_QUARANTINE_HEADER) {
			d->mark = 1;	/* delivered, for the Junk folder */
			d->why = "dmarc quarantine header";
			return;
		}
		snprintf(text, sizeof(text), "DMARC policy of %s: quarantine",
		    m->author);
		d->action = POLICY_QUARANTINE;
		d->text = xstrdup(text);
		d->why = "dmarc quarantine";
	}
}

/* policy_tempfail - the DNS error action of policy.dns_error_action */
static void
policy_tempfail(struct decision *d)
{
	d->action = POLICY_TEMPFAIL;
	d->rcode = "451";
	d->xcode = "4.7.0";
	d->text = xstrdup("Temporary DNS failure during sender "
	    "authentication, try again later");
	d->why = "dns temperror";
}

/*
 * policy_override - a policy.overrides rule decides alone: accept and
 * no-dmarc deliver (no reject, hold, mark or DNS tempfail), tempfail and
 * reject answer with the rule's reason
 */
static void
policy_override(const struct results *r, struct decision *d)
{
	const struct config_override *o = r->override;

	d->override = o;
	d->why = o->reason;
	switch (o->action) {
	case CONFIG_OVERRIDE_TEMPFAIL:
		d->action = POLICY_TEMPFAIL;
		d->rcode = "451";
		d->xcode = "4.7.1";
		d->text = xstrdup(o->reason);
		break;
	case CONFIG_OVERRIDE_REJECT:
		policy_reject(d, o->reason, o->reason);
		if (r->dmarc.checked && r->dmarc.have_record)
			d->dmarc_dis = DMARC_P_REJECT;
		break;
	default:
		break;	/* accept, no-dmarc: deliver as it is */
	}
}

/* policy_decide - authmilter(8) ACTIONS as one function */
void
policy_decide(const struct results *r, const struct config *cfg,
    struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->action = POLICY_ACCEPT;
	d->dmarc_dis = DMARC_P_NONE;
	if (r->override != NULL) {
		policy_override(r, d);
		return;
	}
	/* SPF alone never rejects: DMARC decides (RFC 7489 section 10.1) */
	if (r->dmarc.checked)
		policy_dmarc(r, cfg, d);
	if (d->action == POLICY_ACCEPT && results_temperror(r) &&
	    cfg->policy.dns_error_action == CONFIG_DNSERR_TEMPFAIL)
		policy_tempfail(d);
}

