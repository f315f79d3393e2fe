/* SPDX-License-Identifier: BSD-2-Clause */
/* dmarc - policy discovery, organizational domain, alignment, policy */
#include "autoconf.h"

#include <sys/types.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendmarc/dmarc.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/dmarc_explain.h"
#include "auth/dmarc_priv.h"
#include "auth/dmarc_record.h"
#include "dns/dnsbudget.h"
#include "auth/psl.h"
#include "dns/resolver.h"
#include "auth/spf.h"
#include "util/xalloc.h"

#define DMARC_BUDGET_MS		20000	/* all DMARC lookups of a message */

/* dmarc_policy_name - none quarantine reject */
const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_QUARANTINE:
		return "quarantine";
	case DMARC_P_REJECT:
		return "reject";
	default:
		return "none";
	}
}

/* dmarc_psl_org - RFC 7489 section 3.2: by the public suffix list */
static char *
dmarc_psl_org(const struct psl *psl, const char *domain)
{
	char *low = xstrdup(domain), *p, *org;

	for (p = low; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	org = xstrdup(psl != NULL ? psl_org(psl, low) : low);
	free(low);
	return org;
}

/* dmarc_org - organizational domain of any domain, cached per message */
static const char *
dmarc_org(struct dmarc_eval *ev, const char *domain)
{
	struct dmarc_walk w;
	size_t i;
	char *org;

	for (i = 0; i < ev->norg && i < DMARC_ORG_CACHE; i++)
		if (strcasecmp(ev->org_of[i], domain) == 0)
			return ev->org[i];
	if (ev->rfc7489)
		org = dmarc_psl_org(ev->psl, domain);
	else {
		dmarc_walk(ev, domain, &w);
		ev->temp |= w.temp;
		org = dmarc_walk_org(domain, &w);
		dmarc_walk_free(&w);
	}
	/* a full cache (more identities than fit) reuses its oldest slot */
	i = ev->norg++ % DMARC_ORG_CACHE;
	if (ev->norg > DMARC_ORG_CACHE) {
		free(ev->org_of[i]);
		free(ev->org[i]);
	}
	ev->org_of[i] = xstrdup(domain);
	ev->org[i] = org;
	return org;
}

/* dmarc_under - is d the domain s or a name below it */
static int
dmarc_under(const char *d, const char *s)
{
	size_t dl = strlen(d), sl = strlen(s);

	if (dl == sl)
		return strcasecmp(d, s) == 0;
	return dl > sl && d[dl - sl - 1] == '.' &&
	    strcasecmp(d + dl - sl, s) == 0;
}

/* dmarc_aligned - RFC 9989 section 3.2.10: strict or relaxed */
static int
dmarc_aligned(struct dmarc_eval *ev, const char *id, const char *author,
    char mode)
{
	char *org;
	int same;

	if (id == NULL || *id == '\0')
		return 0;
	if (strcasecmp(id, author) == 0)
		return 1;
	if (mode == 's')
		return 0;
	/*
	 * An organizational domain is a suffix of its domain: an identifier
	 * outside the author's cannot share it, and needs no lookup at all.
	 */
	org = xstrdup(dmarc_org(ev, author));
	same = dmarc_under(id, org) &&
	    strcasecmp(dmarc_org(ev, id), org) == 0;
	free(org);
	return same;
}

/* dmarc_eval_free - the cache */
static void
dmarc_eval_free(struct dmarc_eval *ev)
{
	size_t i;

	for (i = 0; i < ev->norg && i < DMARC_ORG_CACHE; i++) {
		free(ev->org_of[i]);
		free(ev->org[i]);
	}
}

/*
 * dmarc_discover_9989 - one tree walk from the author gives the policy
 * record and the author's organizational domain. 1 found, 0 none,
 * -1 DNS failure, -2 invalid record.
 */
static int
dmarc_discover_9989(struct dmarc_eval *ev, struct dmarc_result *r,
    struct buf *why)
{
	struct dmarc_walk w;
	int i, rc = 0;

	dmarc_walk(ev, r->author, &w);
	/* the author's own record is enough to go on; its org is unsure */
	if (w.temp && (w.n == 0 || strcasecmp(w.name[0], r->author) != 0)) {
		buf_printf(why, ": %s", w.why.data);
		dmarc_walk_free(&w);
		return -1;
	}
	ev->temp |= w.temp;
	r->org_domain = dmarc_walk_org(r->author, &w);
	ev->org_of[0] = xstrdup(r->author);
	ev->org[0] = xstrdup(r->org_domain);
	ev->norg = 1;
	if ((i = dmarc_walk_pick(&w, r->author, r->org_domain)) >= 0) {
		rc = dmarc_record_parse(w.name[i], w.text[i], 0, &r->rec,
		    why) == 0 ? 1 : -2;
		if (rc != 1)
			dmarc_record_free(&r->rec);
		dmarc_explain_where(r, w.name[i], strcasecmp(w.name[i],
		    r->author) == 0 ? DMARC_WHERE_AUTHOR : strcasecmp(w.name[i],
		    r->org_domain) == 0 ? DMARC_WHERE_ORG : DMARC_WHERE_PSD,
		    w.step[i], 0);
		r->secure = w.secure[i];
	} else
		buf_printf(why, "no DMARC record in the tree walk from %s "
		    "(%d quer%s)", r->author, w.queries, w.queries == 1 ? "y" :
		    "ies");
	dmarc_walk_free(&w);
	return rc;
}

/* dmarc_discover_7489 - RFC 7489 section 6.6.3: author, then PSL org */
static int
dmarc_discover_7489(struct dmarc_eval *ev, struct dmarc_result *r,
    struct buf *why)
{
	const char *where = r->author;
	struct dmarc_fetch_info info;
	struct buf rec, dns;
	enum dmarc_fetch f;
	int rc;

	r->org_domain = xstrdup(dmarc_org(ev, r->author));
	buf_init(&rec, DMARC_MAX_RECORD);
	buf_init(&dns, 1024);
	info.why = &dns;
	f = dmarc_record_fetch(ev->res, ev->budget, where, &ev->deadline, &rec,
	    &info);
	if (f == DMARC_FETCH_NONE && strcasecmp(r->org_domain, where) != 0) {
		where = r->org_domain;
		buf_reset(&dns);
		f = dmarc_record_fetch(ev->res, ev->budget, where,
		    &ev->deadline, &rec, &info);
	}
	if (f == DMARC_FETCH_TEMP) {
		buf_printf(why, ": %s", dns.data);
		rc = -1;
	} else if (f == DMARC_FETCH_NONE) {
		buf_printf(why, "no DMARC record at _dmarc.%s%s%s", r->author,
		    where != r->author ? " or _dmarc." : "", where !=
		    r->author ? where : "");
		rc = 0;
	} else if (dmarc_record_parse(where, rec.data, 1, &r->rec, why) == 0)
		rc = 1;
	else {
		dmarc_record_free(&r->rec);
		rc = -2;
	}
	if (f == DMARC_FETCH_FOUND) {
		dmarc_explain_where(r, where, where == r->author ?
		    DMARC_WHERE_AUTHOR : DMARC_WHERE_ORG, 2, 1);
		r->secure = info.secure;
	}
	buf_free(&rec);
	buf_free(&dns);
	return rc;
}

/* dmarc_exists - RFC 8020: NXDOMAIN for the author domain means none */
static int
dmarc_exists(struct dmarc_eval *ev, const char *domain)
{
	struct resolver_answer *a = NULL;
	enum resolver_status st;

	st = dnsbudget_query(ev->budget, ev->res, domain, ns_t_a, &ev->deadline,
	    &a);
	resolver_answer_free(a);
	/* a failed lookup counts as existing: sp is the milder choice */
	return st != RESOLVER_NXDOMAIN;
}

/* dmarc_select - p, sp or np (RFC 9989 section 4.10.1) */
static enum dmarc_policy
dmarc_select(struct dmarc_eval *ev, struct dmarc_result *r)
{
	const struct dmarc_record *rec = &r->rec;

	if (strcasecmp(rec->domain, r->author) == 0)
		return rec->p;
	if (!ev->rfc7489 && !dmarc_exists(ev, r->author)) {
		r->nonexistent = 1;
		if (rec->np != DMARC_P_UNSPEC)
			return rec->np;
	}
	return rec->sp != DMARC_P_UNSPEC ? rec->sp : rec->p;
}

/*
 * dmarc_spf_identity - the MAIL FROM identity only (RFC 9989 3.2.4); for
 * the null path that is postmaster@HELO (RFC 7208 2.4), so the HELO
 * domain, in both modes
 */
static const char *
dmarc_spf_identity(const struct spf_result *s)
{
	if (s == NULL || !s->checked)
		return NULL;
	if (!s->null_sender)
		return s->mailfrom.result == METHOD_PASS ? s->mailfrom.domain :
		    NULL;
	if (s->helo.checked && s->helo.result == METHOD_PASS)
		return s->helo.domain;
	return NULL;
}

/*
 * dmarc_unknown - an identifier that would align but whose check failed
 * for a temporary reason: without a pass, DMARC cannot say fail (RFC 9989
 * section 5.3.6)
 */
static int
dmarc_unknown(struct dmarc_eval *ev, const struct dmarc_request *req,
    const struct dmarc_result *r)
{
	const struct spf_result *s = req->spf;
	size_t i;

	if (s != NULL && s->checked && s->result == METHOD_TEMPERROR) {
		const char *id = s->null_sender ? s->helo.domain :
		    s->mailfrom.domain;

		if (dmarc_aligned(ev, id, r->author, r->rec.aspf))
			return 1;
	}
	for (i = 0; req->dkim != NULL && i < req->dkim->n; i++)
		if (req->dkim->sig[i].result == METHOD_TEMPERROR &&
		    dmarc_aligned(ev, req->dkim->sig[i].d, r->author,
		    r->rec.adkim))
			return 1;
	return 0;
}

/* dmarc_why_not - why a passing identifier did not align */
static const char *
dmarc_why_not(char mode)
{
	return mode == 's' ? "not aligned, strict alignment needs the "
	    "author domain itself" : "not aligned, another organizational "
	    "domain";
}

/* dmarc_align_spf - the SPF identity: aligned if it passed and aligns */
static void
dmarc_align_spf(struct dmarc_eval *ev, const struct dmarc_request *req,
    struct dmarc_result *r)
{
	const struct spf_result *s = req->spf;
	const struct spf_identity *id;
	const char *spf = dmarc_spf_identity(s);

	if (s == NULL || !s->checked)
		return;
	id = s->null_sender ? &s->helo : &s->mailfrom;
	if (spf != NULL) {
		r->spf_domain = xstrdup(spf);
		r->spf_aligned = dmarc_aligned(ev, spf, r->author, r->rec.aspf);
	}
	dmarc_explain_tried(r, 's', id->domain, id->checked ? id->result :
	    METHOD_NONE, r->spf_aligned, spf == NULL ? "not a pass" :
	    r->spf_aligned ? "aligned" : dmarc_why_not(r->rec.aspf));
}

/*
 * dmarc_align - any aligned SPF or DKIM pass; every identifier is noted
 * with why it did or did not count (none is looked up after the first
 * aligned DKIM pass)
 */
static void
dmarc_align(struct dmarc_eval *ev, const struct dmarc_request *req,
    struct dmarc_result *r)
{
	const char *why;
	size_t i;
	int al;

	dmarc_align_spf(ev, req, r);
	for (i = 0; req->dkim != NULL && i < req->dkim->n; i++) {
		const struct dkim_sig *sig = &req->dkim->sig[i];

		al = 0;
		if (!sig->aligned_use)
			why = sig->result == METHOD_PASS ? "not usable" :
			    "not a pass";
		else if (r->dkim_aligned)
			why = "not needed";
		else if ((al = dmarc_aligned(ev, sig->d, r->author,
		    r->rec.adkim)) != 0) {
			r->dkim_aligned = 1;
			r->dkim_domain = xstrdup(sig->d);
			why = "aligned";
		} else
			why = dmarc_why_not(r->rec.adkim);
		dmarc_explain_tried(r, 'd', sig->d, sig->result, al, why);
	}
}

/* dmarc_lower - one step down: reject -> quarantine -> none */
static enum dmarc_policy
dmarc_lower(enum dmarc_policy p)
{
	return p == DMARC_P_REJECT ? DMARC_P_QUARANTINE : DMARC_P_NONE;
}

/* dmarc_apply_options - t=y (RFC 9989) or pct sampling (RFC 7489) */
static void
dmarc_apply_options(struct dmarc_eval *ev, struct dmarc_result *r)
{
	r->policy = r->requested == DMARC_P_UNSPEC ? DMARC_P_NONE :
	    r->requested;
	if (r->result != METHOD_FAIL || r->policy == DMARC_P_NONE)
		return;
	if (!ev->rfc7489 && r->rec.t) {
		r->testing = 1;
		r->policy = dmarc_lower(r->policy);
	} else if (ev->rfc7489 && r->rec.pct < 100 &&
	    (int)arc4random_uniform(100) >= r->rec.pct) {
		r->sampled_out = 1;
		r->policy = dmarc_lower(r->policy);
	}
}

/* dmarc_finish - result and reason from what discovery found */
static void
dmarc_finish(struct dmarc_eval *ev, const struct dmarc_request *req,
    struct dmarc_result *r, int found, struct buf *why)
{
	struct buf found_why;

	if (found == -1) {
		/* the discovery noted ": TXT name: outcome" */
		buf_init(&found_why, 4096);
		buf_append(&found_why, why->data, why->len);
		buf_reset(why);
		buf_printf(why, "DNS failure during policy discovery%s",
		    found_why.data);
		buf_free(&found_why);
		r->result = METHOD_TEMPERROR;
		return;
	}
	if (found == -2) {
		r->result = METHOD_PERMERROR;
		return;
	}
	if (found == 0) {
		r->result = METHOD_NONE;
		if (why->len == 0)
			buf_puts(why, "no DMARC record");
		return;
	}
	r->have_record = 1;
	r->requested = dmarc_select(ev, r);
	dmarc_align(ev, req, r);
	if (r->spf_aligned || r->dkim_aligned)
		r->result = METHOD_PASS;
	else if (dmarc_unknown(ev, req, r) || ev->temp)
		r->result = METHOD_TEMPERROR;
	else
		r->result = METHOD_FAIL;
	dmarc_apply_options(ev, r);
	buf_reset(why);
	buf_printf(why, r->result == METHOD_PASS ? "aligned %s pass" :
	    r->result == METHOD_FAIL ? "no aligned SPF or DKIM pass" :
	    "DNS failure during alignment", r->dkim_aligned ? "DKIM" : "SPF");
	dmarc_explain_finish(r, why);
}

/* dmarc_eval_init - one evaluation's state, DMARC_BUDGET_MS from now */
static void
dmarc_eval_init(struct dmarc_eval *ev, struct resolver *res,
    const struct psl *psl, const struct config *cfg,
    const struct dmarc_request *req)
{
	memset(ev, 0, sizeof(*ev));
	ev->res = res;
	ev->budget = req->budget;
	ev->psl = psl;
	ev->cfg = cfg;
	ev->rfc7489 = cfg->dmarc.mode == CONFIG_DMARC_RFC7489;
	resolver_deadline(&ev->deadline, DMARC_BUDGET_MS);
}

/*
 * dmarc_discover - the policy record and the author's organizational
 * domain; what dmarc_evaluate() needs before SPF and DKIM are known
 */
void
dmarc_discover(struct resolver *res, const struct psl *psl,
    const struct config *cfg, const struct dmarc_request *req,
    struct dmarc_result *r)
{
	struct dmarc_eval ev;
	struct buf why;

	memset(r, 0, sizeof(*r));
	r->checked = 1;
	r->ambiguous = req->ambiguous;
	if (req->author == NULL) {
		r->found = DMARC_FOUND_NO_AUTHOR;
		r->result = METHOD_PERMERROR;
		r->reason = xstrdup(req->author_error != NULL ?
		    req->author_error : "no author domain");
		return;
	}
	dmarc_eval_init(&ev, res, psl, cfg, req);
	r->author = xstrdup(req->author);
	buf_init(&why, 512);
	r->found = ev.rfc7489 ? dmarc_discover_7489(&ev, r, &why) :
	    dmarc_discover_9989(&ev, r, &why);
	r->walk_temp = ev.temp;
	r->reason = buf_steal(&why);
	buf_free(&why);
	dmarc_eval_free(&ev);
}

/*
 * dmarc_evaluate - alignment and the policy over what dmarc_discover()
 * found and what SPF and DKIM found since
 */
void
dmarc_evaluate(struct resolver *res, const struct psl *psl,
    const struct config *cfg, const struct dmarc_request *req,
    struct dmarc_result *r)
{
	struct dmarc_eval ev;
	struct buf why;

	if (r->found == DMARC_FOUND_NO_AUTHOR)
		return;
	dmarc_eval_init(&ev, res, psl, cfg, req);
	ev.temp = r->walk_temp;
	if (r->org_domain != NULL) {
		/* the author's org is known: no second walk for it */
		ev.org_of[0] = xstrdup(r->author);
		ev.org[0] = xstrdup(r->org_domain);
		ev.norg = 1;
	}
	buf_init(&why, 512);
	buf_puts(&why, r->reason != NULL ? r->reason : "");
	free(r->reason);
	dmarc_finish(&ev, req, r, r->found, &why);
	r->reason = buf_steal(&why);
	buf_free(&why);
	dmarc_eval_free(&ev);
}

/* dmarc_check - evaluate one message: discovery, then evaluation */
void
dmarc_check(struct resolver *res, const struct psl *psl,
    const struct config *cfg, const struct dmarc_request *req,
    struct dmarc_result *r)
{
	dmarc_discover(res, psl, cfg, req, r);
	dmarc_evaluate(res, psl, cfg, req, r);
}

/*
 * dmarc_org_domain - the author's organizational domain once discovery
 * found a policy (NULL otherwise: then nothing can align)
 */
const char *
dmarc_org_domain(const struct dmarc_result *r)
{
	return r->checked && r->found == 1 ? r->org_domain : NULL;
}

/*
 * dmarc_may_align - could an identifier in domain align with the author:
 * only a name at or under the author's organizational domain can (an
 * organizational domain is a suffix of each name it is the org of)
 */
int
dmarc_may_align(const struct dmarc_result *r, const char *domain)
{
	const char *org = dmarc_org_domain(r);
	size_t len;
	char *d;
	int may;

	if (org == NULL || domain == NULL || *domain == '\0')
		return 0;
	d = xstrdup(domain);
	if ((len = strlen(d)) > 0 && d[len - 1] == '.')
		d[len - 1] = '\0';
	may = dmarc_under(d, org);
	free(d);
	return may;
}

/* dmarc_result_free - release everything */
void
dmarc_result_free(struct dmarc_result *r)
{
	free(r->reason);
	free(r->author);
	free(r->org_domain);
	free(r->spf_domain);
	free(r->dkim_domain);
	dmarc_explain_free(r);
	dmarc_record_free(&r->rec);
	memset(r, 0, sizeof(*r));
}
