/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_dmarc - the DMARC record the tree walk finds for the domain,
 * its tags, where its reports go and whether those destinations accept
 * them, and how far it is from p=reject
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "auth/dmarc.h"
#include "report/report_dest.h"
#include "core/posture_priv.h"

/* posture_dmarc_dest - each rua or ruf URI, and whether its host agrees */
static void
posture_dmarc_dest(struct posture *p, const char *tag, const char *list,
    const char *org)
{
	struct report_dest d[REPORT_DEST_MAX];
	enum report_verify v;
	struct buf why;
	size_t n, i;
	char *rua;

	buf_init(&why, 2048);
	n = report_dest_parse(list, strlen(list), d, REPORT_DEST_MAX, &why);
	if (why.len > 0)
		posture_add(p, "dmarc", POSTURE_WARN, "use mailto: URIs, "
		    "comma-separated", "%s: %s", tag, why.data);
	for (i = 0; i < n; i++) {
		buf_reset(&why);
		rua = NULL;
		v = report_dest_verify(p->res, p->domain, org, &d[i], &rua,
		    &why);
		free(rua);
		if (v == REPORT_VERIFY_INTERNAL || v == REPORT_VERIFY_OK)
			posture_add(p, "dmarc", POSTURE_PASS, NULL, "%s %s: %s",
			    tag, d[i].addr, v == REPORT_VERIFY_OK ?
			    "the external host authorizes it" :
			    "same organization");
		else
			posture_add(p, "dmarc", v == REPORT_VERIFY_TEMPFAIL ?
			    POSTURE_WARN : POSTURE_FAIL, v ==
			    REPORT_VERIFY_TEMPFAIL ? "try again later" :
			    "have the host publish the _report._dmarc record "
			    "(RFC 9990 section 4), or report elsewhere",
			    "%s %s: %s (reporters will not send there)", tag,
			    d[i].addr, why.len > 0 ? why.data :
			    report_verify_name(v));
	}
	report_dest_free(d, n);
	buf_free(&why);
}

/* posture_dmarc_policy - p, sp, t, pct: what receivers will do */
static void
posture_dmarc_policy(struct posture *p, const struct dmarc_result *r)
{
	const struct dmarc_record *rec = &r->rec;
	enum dmarc_policy sp = rec->sp != DMARC_P_UNSPEC ? rec->sp : rec->p;

	if (rec->p == DMARC_P_NONE)
		posture_add(p, "dmarc", POSTURE_WARN, "read the reports, fix "
		    "your senders, then go to p=quarantine and p=reject",
		    "p=none: monitoring only, no protection");
	else if (rec->p == DMARC_P_QUARANTINE)
		posture_add(p, "dmarc", POSTURE_WARN, "go to p=reject once "
		    "the reports show your mail aligned", "p=quarantine: "
		    "failing mail goes to spam, not refused");
	if (rec->p > DMARC_P_NONE && sp == DMARC_P_NONE)
		posture_add(p, "dmarc", POSTURE_WARN, "drop sp=none or raise "
		    "it", "sp=none: subdomains are not protected");
	if (rec->t)
		posture_add(p, "dmarc", POSTURE_WARN, "remove t=y when you are "
		    "done testing", "t=y: receivers apply one step less than "
		    "p (RFC 9989)");
	if (rec->pct < 100)
		posture_add(p, "dmarc", POSTURE_WARN, "remove pct (RFC 9989 "
		    "dropped it)", "pct=%d: RFC 9989 receivers apply the "
		    "policy to all mail", rec->pct);
	if (rec->rua == NULL)
		posture_add(p, "dmarc", POSTURE_WARN, "add rua=mailto:... to "
		    "get aggregate reports", "no rua: you get no reports of "
		    "who sends as you");
	p->dmarc_p = (int)rec->p;
	p->dmarc_enforcing = rec->p >= DMARC_P_QUARANTINE &&
	    sp >= DMARC_P_QUARANTINE && !rec->t && rec->pct == 100;
}

/* posture_dmarc_ready - what is missing before p=reject */
static void
posture_dmarc_ready(struct posture *p, const struct dmarc_result *r)
{
	struct buf miss;

	if (r->rec.p == DMARC_P_REJECT && !r->rec.t) {
		posture_add(p, "dmarc", POSTURE_PASS, NULL, "at enforcement: "
		    "p=reject");
		return;
	}
	buf_init(&miss, 1024);
	if (!p->spf_ok)
		buf_puts(&miss, ", a working SPF record");
	if (!p->dkim_ok)
		buf_puts(&miss, ", a good DKIM key (check it with --selector)");
	if (r->rec.rua == NULL)
		buf_puts(&miss, ", aggregate reports (rua)");
	if (miss.len == 0)
		posture_add(p, "dmarc", POSTURE_WARN, "move to p=reject when "
		    "the reports show all your mail aligned", "ready for "
		    "p=reject: SPF, DKIM and reports are in place");
	else
		posture_add(p, "dmarc", POSTURE_WARN, "fix those first",
		    "not ready for p=reject: missing %s", miss.data + 2);
	buf_free(&miss);
}

/* posture_dmarc - RFC 9989's discovery for the domain as author */
void
posture_dmarc(struct posture *p)
{
	struct dmarc_request req;
	struct dmarc_result r;
	const struct dmarc_record *rec = &r.rec;

	memset(&req, 0, sizeof(req));
	req.author = p->domain;
	dmarc_discover(p->res, p->psl, p->cfg, &req, &r);
	if (r.found != 1) {
		posture_add(p, "dmarc", POSTURE_FAIL, r.found == 0 ?
		    "publish _dmarc TXT \"v=DMARC1; p=none; rua=mailto:...\", "
		    "then move to p=reject" : r.found == -1 ? "fix the name "
		    "servers: receivers get temperror" : "correct the record "
		    "(RFC 9989 4.7)", "%s", r.reason != NULL ? r.reason :
		    "no DMARC record");
		dmarc_result_free(&r);
		return;
	}
	posture_add(p, "dmarc", POSTURE_PASS, NULL, "record at %s: p=%s "
	    "sp=%s%s%s adkim=%c aspf=%c%s%s", r.where != NULL ? r.where :
	    rec->domain, dmarc_policy_name(rec->p), dmarc_policy_name(
	    rec->sp != DMARC_P_UNSPEC ? rec->sp : rec->p), rec->np !=
	    DMARC_P_UNSPEC ? " np=" : "", rec->np != DMARC_P_UNSPEC ?
	    dmarc_policy_name(rec->np) : "", rec->adkim == 's' ? 's' : 'r',
	    rec->aspf == 's' ? 's' : 'r',
	    rec->psd == 'y' ? " psd=y" : rec->psd == 'n' ? " psd=n" : "",
	    r.secure ? " (DNSSEC-secure)" : "");
	posture_dmarc_policy(p, &r);
	if (rec->rua != NULL)
		posture_dmarc_dest(p, "rua", rec->rua, r.org_domain);
	if (rec->ruf != NULL)
		posture_dmarc_dest(p, "ruf", rec->ruf, r.org_domain);
	posture_dmarc_ready(p, &r);
	dmarc_result_free(&r);
}
