/* SPDX-License-Identifier: BSD-2-Clause */
/* upstream - a trusted host's A-R results as our SPF and DKIM results */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"
#include "mail/hdr.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/xalloc.h"
#include "core/results.h"
#include "core/upstream.h"

/* upstream_id - the listed authserv-id this field claims, or NULL */
static const char *
upstream_id(const struct hdr_field *f, const struct config *cfg)
{
	size_t i;

	if (!hdr_name_is(f->name, "Authentication-Results"))
		return NULL;
	for (i = 0; i < cfg->policy.trusted_authserv_ids.n; i++)
		if (authres_claims(f->value, f->vlen,
		    cfg->policy.trusted_authserv_ids.v[i]))
			return cfg->policy.trusted_authserv_ids.v[i];
	return NULL;
}

/* upstream_prop - the value of ptype.property, or NULL */
static const char *
upstream_prop(const struct authres_result *c, const char *ptype,
    const char *property)
{
	size_t i;

	for (i = 0; i < c->nprops; i++)
		if (strcasecmp(c->props[i].ptype, ptype) == 0 &&
		    strcasecmp(c->props[i].property, property) == 0)
			return c->props[i].value;
	return NULL;
}

/* upstream_domain - lowercase domain of an address or a name, or NULL */
static char *
upstream_domain(const char *v)
{
	const char *at = v != NULL ? strrchr(v, '@') : NULL;
	char *d;
	size_t i;

	if (v == NULL || *(at != NULL ? at + 1 : v) == '\0')
		return NULL;
	d = xstrdup(at != NULL ? at + 1 : v);
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* upstream_result - a registry word; "hardfail" is fail; -1 unknown */
static int
upstream_result(const char *word, enum method_result *out)
{
	if (strcasecmp(word, "hardfail") == 0) {
		*out = METHOD_FAIL;
		return 0;
	}
	return method_result_parse(word, out);
}

/* upstream_spf - the first spf= clause as our SPF result */
static void
upstream_spf(const struct authres_result *c, const char *id, int null,
    struct spf_result *s)
{
	struct spf_identity *ident = null ? &s->helo : &s->mailfrom;
	char why[300];

	if (upstream_result(c->result, &s->result) != 0)
		return;
	s->checked = 1;
	s->null_sender = null;
	ident->checked = 1;
	ident->result = s->result;
	ident->domain = upstream_domain(upstream_prop(c, "smtp", null ?
	    "helo" : "mailfrom"));
	snprintf(why, sizeof(why), "from %s", id);
	ident->reason = xstrdup(why);
}

/* upstream_dkim - one dkim= clause with header.d as one more signature */
static void
upstream_dkim(const struct authres_result *c, const char *id, int max,
    struct dkim_result *d)
{
	const char *v;
	struct dkim_sig *g;
	enum method_result res;
	char why[300];

	if (upstream_result(c->result, &res) != 0 || res == METHOD_NONE ||
	    (v = upstream_prop(c, "header", "d")) == NULL || *v == '\0')
		return;
	if (d->n >= (size_t)max) {
		d->skipped++;
		return;
	}
	d->sig = xreallocarray(d->sig, d->n + 1, sizeof(*d->sig));
	g = &d->sig[d->n++];
	memset(g, 0, sizeof(*g));
	g->result = res;
	g->d = upstream_domain(v);
	g->i = (v = upstream_prop(c, "header", "i")) ? xstrdup(v) : NULL;
	g->s = xstrdup((v = upstream_prop(c, "header", "s")) ? v : "");
	g->a = xstrdup((v = upstream_prop(c, "header", "a")) ? v : "");
	g->b = xstrdup((v = upstream_prop(c, "header", "b")) ? v : "");
	g->length = -1;
	g->aligned_use = res == METHOD_PASS;
	snprintf(why, sizeof(why), "from %s", id);
	g->reason = xstrdup(why);
}

/* upstream_field - the clauses of one listed field */
static void
upstream_field(const struct hdr_field *f, const char *id,
    const struct config *cfg, int null, struct results *r)
{
	struct authres ar;
	struct buf why;
	size_t i;

	buf_init(&why, 256);
	if (authres_parse(f->value, f->vlen, &ar, &why) == AUTHRES_OK)
		for (i = 0; i < ar.n; i++) {
			if (strcasecmp(ar.r[i].method, "spf") == 0 &&
			    !r->spf.checked)
				upstream_spf(&ar.r[i], id, null, &r->spf);
			else if (strcasecmp(ar.r[i].method, "dkim") == 0)
				upstream_dkim(&ar.r[i], id,
				    cfg->dkim.max_signatures, &r->dkim);
		}
	authres_free(&ar);
	buf_free(&why);
}

/*
 * upstream_results - the results of the listed A-R fields into r->spf
 * and r->dkim (both "checked": none when the fields say nothing); the
 * authserv-id of the newest such field, or NULL when there is none
 */
const char *
upstream_results(const struct hdr *h, const struct config *cfg,
    int null_sender, struct results *r)
{
	const char *id, *first = NULL;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if ((id = upstream_id(&h->f[i], cfg)) == NULL)
			continue;
		if (first == NULL)
			first = id;
		upstream_field(&h->f[i], id, cfg, null_sender, r);
	}
	if (first == NULL)
		return NULL;
	r->spf.checked = r->dkim.checked = 1;
	r->spf.null_sender = null_sender;
	return first;
}
