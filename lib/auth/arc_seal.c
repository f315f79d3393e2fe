/* SPDX-License-Identifier: BSD-2-Clause */
/* arc_seal - RFC 8617 section 5.1: add one ARC set */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/arc_priv.h"
#include "util/buf.h"
#include "util/config.h"
#include "mail/hdr.h"
#include "util/xalloc.h"

/*
 * arc_append_b - the signature in one piece: a fold inside b= would be
 * white space in the next seal's input, so folds stay at tag boundaries
 */
static void
arc_append_b(struct buf *out, const struct buf *b64)
{
	buf_append(out, b64->data, b64->len);
}

/* arc_sign_into - sign data and complete the field value ending in "b=" */
static int
arc_sign_into(EVP_PKEY *key, enum pkey_alg alg, const struct buf *data,
    struct buf *field, struct buf *why)
{
	struct buf sig;
	int rc;

	buf_init(&sig, 4096);
	rc = pkey_sign(key, alg, data->data, data->len, &sig);
	if (rc == 0)
		arc_append_b(field, &sig);
	else
		buf_puts(why, "signing failed");
	buf_free(&sig);
	return rc;
}

/* arc_seal_headers - h= from arc.seal.headers */
static void
arc_seal_hlist(const struct config *cfg, struct buf *h)
{
	size_t i;

	for (i = 0; i < cfg->arc.seal.headers.n; i++)
		buf_printf(h, "%s%s", i ? ":" : "", cfg->arc.seal.headers.v[i]);
}

/* arc_seal_ams - the new AMS over the message as it leaves */
static int
arc_seal_ams(struct arc_verifier *v, const struct arc_key *k,
    const struct config *cfg, const struct hdr *hdr, int leadspc, int inst,
    time_t t, struct buf *ams, struct buf *why)
{
	struct buf h, data;
	int rc;

	if (v->seal_bh < 0) {
		buf_puts(why, "no body hash for sealing");
		return -1;
	}
	buf_init(&h, 4096);
	arc_seal_hlist(cfg, &h);
	buf_printf(ams, "i=%d; a=%s; c=relaxed/relaxed; d=%s; s=%s; t=%lld;"
	    "\n\th=%s;\n\tbh=%s;\n\tb=", inst, pkey_alg_name(k->alg),
	    k->domain, k->selector, (long long)t, h.data,
	    v->bh[v->seal_bh].b64);
	buf_init(&data, 4 * 1024 * 1024);
	canon_headers(&data, hdr, h.data, 1, leadspc);
	canon_header(&data, "ARC-Message-Signature", ams->data, ams->len, 1,
	    1, 0);
	rc = arc_sign_into(k->key, k->alg, &data, ams, why);
	buf_free(&data);
	buf_free(&h);
	return rc;
}

/* arc_seal_as - the new AS over the chain (5.1.1) or its own set (5.1.2) */
static int
arc_seal_as(const struct arc_verifier *v, const struct arc_key *k, int inst,
    const char *cv, time_t t, const struct buf *aar, const struct buf *ams,
    struct buf *as, struct buf *why)
{
	struct buf data;
	int j, rc;

	buf_printf(as, "i=%d; a=%s; cv=%s; d=%s; s=%s; t=%lld;\n\tb=", inst,
	    pkey_alg_name(k->alg), cv, k->domain, k->selector, (long long)t);
	buf_init(&data, 4 * 1024 * 1024);
	for (j = 1; strcmp(cv, "fail") != 0 && j < inst; j++) {
		const struct arc_set *s = &v->set[j];

		canon_header(&data, s->aar.name, s->aar.value, s->aar.len, 1,
		    1, 1);
		canon_header(&data, s->ams.name, s->ams.value, s->ams.len, 1,
		    1, 1);
		canon_header(&data, s->as.name, s->as.value, s->as.len, 1, 1,
		    1);
	}
	canon_header(&data, "ARC-Authentication-Results", aar->data, aar->len,
	    1, 1, 1);
	canon_header(&data, "ARC-Message-Signature", ams->data, ams->len, 1,
	    1, 1);
	canon_header(&data, "ARC-Seal", as->data, as->len, 1, 1, 0);
	rc = arc_sign_into(k->key, k->alg, &data, as, why);
	buf_free(&data);
	return rc;
}

/*
 * arc_seal - a new set for a chain that may be continued, sealed by k
 * (cfg gives the AMS h=); 1 none added
 */
int
arc_seal(struct arc_verifier *v, const struct arc_result *r,
    const struct arc_key *k, const struct config *cfg, const struct hdr *hdr,
    int leadspc,
    const char *aar_payload, time_t t, struct arc_seal_out *out,
    struct buf *why)
{
	struct buf aar, ams, as;
	const char *cv;
	int inst = r->n + 1, rc;

	memset(out, 0, sizeof(*out));
	if (!r->sealable || k == NULL || k->key == NULL)
		return 1;
	arc_body_final(v);
	/* a chain that failed, even one without a readable instance, is
	 * continued only as cv=fail over our own set (5.1.2) */
	cv = r->result == METHOD_FAIL ? "fail" : r->n == 0 ? "none" : "pass";
	buf_init(&aar, 65536);
	buf_init(&ams, 65536);
	buf_init(&as, 65536);
	buf_printf(&aar, "i=%d; %s", inst, aar_payload);
	rc = arc_seal_ams(v, k, cfg, hdr, leadspc, inst, t, &ams, why);
	if (rc == 0)
		rc = arc_seal_as(v, k, inst, cv, t, &aar, &ams, &as, why);
	if (rc == 0 && !aar.truncated && !ams.truncated && !as.truncated) {
		out->aar = buf_steal(&aar);
		out->ams = buf_steal(&ams);
		out->as = buf_steal(&as);
	} else if (rc == 0) {
		buf_puts(why, "ARC set too large");
		rc = -1;
	}
	buf_free(&aar);
	buf_free(&ams);
	buf_free(&as);
	return rc;
}

/* arc_seal_out_free - release the three values */
void
arc_seal_out_free(struct arc_seal_out *o)
{
	free(o->aar);
	free(o->ams);
	free(o->as);
	memset(o, 0, sizeof(*o));
}
