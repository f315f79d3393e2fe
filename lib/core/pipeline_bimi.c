/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_bimi - BIMI for a message that passed DMARC at enforcement,
 * and the BIMI fields that came with a message (only we may add them)
 */
#include "autoconf.h"

#include <stdlib.h>

#include "util/config.h"
#include "util/xalloc.h"
#include "mail/hdr.h"
#include "auth/bimi.h"
#include "auth/dmarc.h"
#include "core/pipeline_priv.h"

const char *const pipeline_bimi_names[PIPELINE_BIMI_NAMES] = {
	"BIMI-Location", "BIMI-Indicator", "BIMI-Logo-Preference"
};

/*
 * pipeline_bimi_header - note a BIMI field that came with the message
 * (BIMI 5.6, 7.8: removed whatever the result, as forged A-R are);
 * pipeline_bimi_keep() spares a trusted host's
 */
void
pipeline_bimi_header(struct message *m, const char *name)
{
	size_t i;

	if (name[0] != 'B' && name[0] != 'b')
		return;		/* most fields, at once */
	for (i = 0; i < PIPELINE_BIMI_NAMES; i++)
		if (hdr_name_is(name, pipeline_bimi_names[i]))
			pipeline_dels_seen(&m->bimi[i], 1);
}

/*
 * pipeline_bimi_keep - a trusted host's message that we neither check
 * nor decide: its BIMI fields are our own site's and stay (BIMI 5.6, a
 * multi-stage platform). A trusted gateway whose A-R we decide on
 * (policy.trusted_authserv_ids) relays mail from outside: its go.
 */
void
pipeline_bimi_keep(struct message *m)
{
	size_t i;

	for (i = 0; i < PIPELINE_BIMI_NAMES; i++)
		pipeline_dels_free(&m->bimi[i]);
}

/*
 * pipeline_bimi - after the decision: BIMI runs only when DMARC passed
 * at enforcement and the message is let through; its lookups and
 * fetches spend the other budget (BIMI cannot change the verdict)
 */
void
pipeline_bimi(struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;
	struct bimi_result *r = &m->results.bimi;
	struct bimi_request rq;
	const char *why;
	char *sel;

	if (!cfg->bimi.enabled || m->decision.action != POLICY_ACCEPT)
		return;
	if (!bimi_eligible(&m->results.dmarc, cfg->dmarc.mode ==
	    CONFIG_DMARC_RFC7489, &why) || m->results.dmarc.author == NULL) {
		/* not checked: said only in --json, never in the A-R */
		r->reason = xstrdup(why != NULL ? why : "no author domain");
		return;
	}
	sel = bimi_signed_selector(&m->hdr, &m->results.dkim,
	    m->results.dmarc.dkim_domain);
	rq.author = m->results.dmarc.author;
	rq.org_domain = dmarc_org_domain(&m->results.dmarc);
	rq.selector = sel;
	rq.res = s->env->res;
	rq.budget = &m->dns_other;
	rq.ctx = s->env->bimi;
	rq.at = s->fixed_time;
	bimi_check(&rq, r);
	free(sel);
}
