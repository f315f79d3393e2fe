/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * results_json - one message's findings as authmilter-check --json
 * members: every method's result, reason, properties and details
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "core/decision.h"
#include "core/results.h"

/* results_json_identity - {"result":..,"reason":..,"domain":..} */
static void
results_json_identity(struct buf *out, const char *key,
    const struct spf_identity *id)
{
	json_key(out, key, 0);
	if (!id->checked) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(id->result), 1);
	json_kv(out, "reason", id->reason, 0);
	json_kv(out, "domain", id->domain, 0);
	json_key(out, "dns_lookups", 0);
	buf_printf(out, "%d", id->lookups);
	json_key(out, "void_lookups", 0);
	buf_printf(out, "%d", id->voids);
	buf_putc(out, '}');
}

/* results_json_spf - the "spf" member */
static void
results_json_spf(const struct spf_result *s, struct buf *out)
{
	const struct spf_identity *main = s->null_sender ? &s->helo :
	    &s->mailfrom;

	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(s->result), 1);
	json_kv(out, "reason", main->reason, 0);
	json_key(out, "properties", 0);
	buf_putc(out, '{');
	if (!s->null_sender && s->mailfrom.domain != NULL)
		json_kv(out, "smtp.mailfrom", s->mailfrom.domain, 1);
	if (s->helo.domain != NULL)
		json_kv(out, "smtp.helo", s->helo.domain,
		    s->null_sender || s->mailfrom.domain == NULL);
	buf_putc(out, '}');
	results_json_identity(out, "mailfrom", &s->mailfrom);
	results_json_identity(out, "helo", &s->helo);
	buf_putc(out, '}');
}

/* results_json_dkim - one object per signature */
static void
results_json_dkim(const struct dkim_result *d, struct buf *out)
{
	size_t i;

	buf_putc(out, '[');
	for (i = 0; i < d->n; i++) {
		const struct dkim_sig *g = &d->sig[i];

		buf_puts(out, i ? ",{" : "{");
		json_kv(out, "result", method_result_name(g->result), 1);
		json_kv(out, "reason", g->reason, 0);
		json_key(out, "properties", 0);
		buf_putc(out, '{');
		json_kv(out, "header.d", g->d, 1);
		if (g->i != NULL)
			json_kv(out, "header.i", g->i, 0);
		json_kv(out, "header.s", g->s, 0);
		json_kv(out, "header.a", g->a, 0);
		json_kv(out, "header.b", g->b, 0);
		buf_putc(out, '}');
		json_key(out, "key_bits", 0);
		buf_printf(out, "%d", g->keybits);
		json_key(out, "length", 0);
		buf_printf(out, "%ld", g->length);
		json_key(out, "test_key", 0);
		buf_puts(out, g->testkey ? "true" : "false");
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
}

/* results_json_policy - the record applied and the choices made */
static void
results_json_policy(const struct dmarc_result *m, const struct decision *d,
    struct buf *out)
{
	char psd[2] = { m->rec.psd ? m->rec.psd : 'u', '\0' };

	buf_putc(out, '{');
	json_kv(out, "domain", m->rec.domain, 1);
	json_kv(out, "org_domain", m->org_domain, 0);
	json_kv(out, "p", dmarc_policy_name(m->rec.p), 0);
	json_kv(out, "sp", m->rec.sp ? dmarc_policy_name(m->rec.sp) : NULL, 0);
	json_kv(out, "np", m->rec.np ? dmarc_policy_name(m->rec.np) : NULL, 0);
	json_key(out, "t", 0);
	buf_puts(out, m->rec.t ? "true" : "false");
	json_kv(out, "psd", psd, 0);
	json_key(out, "pct", 0);
	buf_printf(out, "%d", m->rec.pct);
	json_kv(out, "adkim", m->rec.adkim == 's' ? "s" : "r", 0);
	json_kv(out, "aspf", m->rec.aspf == 's' ? "s" : "r", 0);
	json_kv(out, "rua", m->rec.rua, 0);
	json_kv(out, "requested", dmarc_policy_name(m->requested), 0);
	json_kv(out, "dis", dmarc_policy_name(d != NULL ? d->dmarc_dis :
	    DMARC_P_NONE), 0);
	json_key(out, "nonexistent", 0);
	buf_puts(out, m->nonexistent ? "true" : "false");
	json_key(out, "sampled_out", 0);
	buf_puts(out, m->sampled_out ? "true" : "false");
	buf_putc(out, '}');
}

/* results_json_tried - the identifiers DMARC looked at, and why each */
static void
results_json_tried(const struct dmarc_result *m, struct buf *out)
{
	size_t i;

	json_key(out, "identifiers", 0);
	buf_putc(out, '[');
	for (i = 0; i < m->ntried; i++) {
		const struct dmarc_tried *t = &m->tried[i];

		buf_puts(out, i ? ",{" : "{");
		json_kv(out, "method", t->method == 's' ? "spf" : "dkim", 1);
		json_kv(out, "domain", t->domain, 0);
		json_kv(out, "result", method_result_name(t->result), 0);
		json_key(out, "aligned", 0);
		buf_puts(out, t->aligned ? "true" : "false");
		json_kv(out, "why", t->why, 0);
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
}

/* results_json_dmarc - result, properties, policy, alignment */
static void
results_json_dmarc(const struct dmarc_result *m, const struct decision *d,
    struct buf *out)
{
	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(m->result), 1);
	json_kv(out, "reason", m->reason, 0);
	json_key(out, "properties", 0);
	buf_putc(out, '{');
	json_kv(out, "header.from", m->author, 1);
	if (m->have_record)
		json_kv(out, "policy.dmarc", dmarc_policy_name(m->policy), 0);
	buf_putc(out, '}');
	json_key(out, "ambiguous_from", 0);
	buf_puts(out, m->ambiguous ? "true" : "false");
	json_key(out, "policy", 0);
	if (m->have_record)
		results_json_policy(m, d, out);
	else
		buf_puts(out, "null");
	json_key(out, "alignment", 0);
	buf_printf(out, "{\"spf\":%s,\"dkim\":%s}", m->spf_aligned ? "true" :
	    "false", m->dkim_aligned ? "true" : "false");
	json_kv(out, "record_at", m->where, 0);
	json_key(out, "dnssec_secure", 0);
	buf_puts(out, m->secure ? "true" : "false");
	results_json_tried(m, out);
	buf_putc(out, '}');
}

/* results_json_arc - result, reason, instances, sealers */
static void
results_json_arc(const struct arc_result *a, struct buf *out)
{
	const char *p, *q;

	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(a->result), 1);
	json_kv(out, "reason", a->reason, 0);
	json_key(out, "instances", 0);
	buf_printf(out, "%d", a->n);
	json_key(out, "sealers", 0);
	buf_putc(out, '[');
	for (p = a->sealers; p != NULL && *p != '\0'; p = *q ? q + 1 : q) {
		char d[256];

		q = p + strcspn(p, ",");
		snprintf(d, sizeof(d), "%.*s", (int)(q - p), p);
		if (p != a->sealers)
			buf_putc(out, ',');
		json_str(out, d);
	}
	buf_putc(out, ']');
	json_key(out, "properties", 0);
	buf_putc(out, '{');
	if (a->result == METHOD_PASS && a->oldest_pass >= 0)
		buf_printf(out, "\"header.oldest-pass\":\"%d\"",
		    a->oldest_pass);
	buf_puts(out, "}}");
}

/*
 * results_json_bimi - result, reason, the record's domain and selector,
 * authority, the fields to add; "skipped" with the reason when BIMI did
 * not run for the message (DMARC not at enforcement)
 */
static void
results_json_bimi(const struct bimi_result *b, struct buf *out)
{
	buf_putc(out, '{');
	json_kv(out, "result", b->checked ? bimi_status_name(b->result) :
	    "skipped", 1);
	json_kv(out, "reason", b->reason, 0);
	json_kv(out, "domain", b->domain, 0);
	json_kv(out, "selector", b->selector, 0);
	json_kv(out, "authority", b->checked ? bimi_authority_name(
	    b->authority) : NULL, 0);
	json_kv(out, "authority_uri", b->authority_uri, 0);
	json_kv(out, "location", b->location, 0);
	json_key(out, "indicator", 0);
	buf_puts(out, b->indicator != NULL ? "true" : "false");
	buf_putc(out, '}');
}

/* results_json - members "spf", "dkim", "dmarc", "arc" (no braces) */
void
results_json(const struct results *r, const struct decision *d,
    struct buf *out)
{
	json_key(out, "spf", 1);
	if (r->spf.checked)
		results_json_spf(&r->spf, out);
	else
		buf_puts(out, "null");
	json_key(out, "dkim", 0);
	if (r->dkim.checked)
		results_json_dkim(&r->dkim, out);
	else
		buf_puts(out, "null");
	json_key(out, "dmarc", 0);
	if (r->dmarc.checked)
		results_json_dmarc(&r->dmarc, d, out);
	else
		buf_puts(out, "null");
	json_key(out, "arc", 0);
	if (r->arc.checked)
		results_json_arc(&r->arc, out);
	else
		buf_puts(out, "null");
	json_key(out, "bimi", 0);
	if (r->bimi.checked || r->bimi.reason != NULL)
		results_json_bimi(&r->bimi, out);
	else
		buf_puts(out, "null");
	json_key(out, "iprev", 0);
	if (r->iprev.checked) {
		buf_putc(out, '{');
		json_kv(out, "result", method_result_name(r->iprev.result), 1);
		json_kv(out, "reason", r->iprev.reason, 0);
		json_kv(out, "name", r->iprev.name, 0);
		buf_putc(out, '}');
	} else
		buf_puts(out, "null");
	json_key(out, "tls", 0);
	if (r->tls.version != NULL) {
		buf_putc(out, '{');
		json_kv(out, "version", r->tls.version, 1);
		json_kv(out, "cipher", r->tls.cipher, 0);
		json_kv(out, "bits", r->tls.bits, 0);
		json_kv(out, "cert_subject", r->tls.subject, 0);
		buf_putc(out, '}');
	} else
		buf_puts(out, "null");
}
