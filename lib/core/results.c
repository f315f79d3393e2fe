/* SPDX-License-Identifier: BSD-2-Clause */
/* results - one message's findings as A-R clauses, log and JSON */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/authres.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/decision.h"
#include "core/results.h"

/* results_free - release every method's result */
void
results_free(struct results *r)
{
	spf_result_free(&r->spf);
	dkim_result_free(&r->dkim);
	dmarc_result_free(&r->dmarc);
	arc_result_free(&r->arc);
	bimi_result_free(&r->bimi);
	iprev_result_free(&r->iprev);
	results_tls_set(&r->tls, NULL, NULL, NULL, NULL);
}

/* results_tls_dup - a macro's value, NULL when empty */
static char *
results_tls_dup(const char *v)
{
	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* results_tls_set - the TLS macros (copied); all NULL clears them */
void
results_tls_set(struct results_tls *t, const char *version,
    const char *cipher, const char *bits, const char *subject)
{
	free(t->version);
	free(t->cipher);
	free(t->bits);
	free(t->subject);
	t->version = results_tls_dup(version);
	t->cipher = results_tls_dup(cipher);
	t->bits = results_tls_dup(bits);
	t->subject = results_tls_dup(subject);
}

/*
 * results_temperror - a temporary DNS failure that could change the
 * verdict: DMARC's own, or SPF's or a signature's when DMARC did not pass
 */
int
results_temperror(const struct results *r)
{
	size_t i;

	if (r->dmarc.checked && r->dmarc.result == METHOD_TEMPERROR)
		return 1;
	if (r->dmarc.checked && r->dmarc.result == METHOD_PASS)
		return 0;
	if (r->spf.checked && r->spf.result == METHOD_TEMPERROR)
		return 1;
	for (i = 0; i < r->dkim.n; i++)
		if (r->dkim.sig[i].result == METHOD_TEMPERROR)
			return 1;
	return 0;
}

/* results_upstream - "(from ID)": a trusted host's result, not ours */
static void
results_upstream(struct authres_result *c, const char *upstream)
{
	struct buf note;

	buf_init(&note, 512);
	buf_printf(&note, "from %s", upstream);
	authres_comment(c, note.data);
	buf_free(&note);
}

/*
 * results_spf_clause - one identity's spf= clause, its reason as comment
 * (or whose result it is, for a trusted host's)
 */
static void
results_spf_clause(const struct spf_identity *id, const char *ptype,
    const char *upstream, struct authres *ar)
{
	struct authres_result *c;

	c = authres_add(ar, "spf", method_result_name(id->result));
	if (c == NULL)
		return;
	if (upstream != NULL)
		results_upstream(c, upstream);
	else if (id->note != NULL || id->reason != NULL)
		authres_comment(c, id->note != NULL ? id->note : id->reason);
	if (id->domain != NULL)
		authres_prop(c, "smtp", ptype, id->domain);
}

/*
 * results_spf_authres - RFC 8601 section 2.7.2: one spf= clause per
 * identity checked, smtp.mailfrom and smtp.helo each with its own result;
 * UPSTREAM: the trusted authserv-id the results came from, or NULL
 */
static void
results_spf_authres(const struct spf_result *s, const char *upstream,
    struct authres *ar)
{
	struct authres_result *c;

	if (!s->mailfrom.checked && !s->helo.checked) {
		/* nothing evaluated (no client address): say why */
		if ((c = authres_add(ar, "spf", method_result_name(
		    s->result))) == NULL)
			return;
		if (upstream != NULL)
			results_upstream(c, upstream);
		else if (s->mailfrom.reason != NULL)
			authres_comment(c, s->mailfrom.reason);
		if (!s->null_sender && s->mailfrom.domain != NULL)
			authres_prop(c, "smtp", "mailfrom", s->mailfrom.domain);
		return;
	}
	if (!s->null_sender && s->mailfrom.checked)
		results_spf_clause(&s->mailfrom, "mailfrom", upstream, ar);
	if (s->helo.checked)
		results_spf_clause(&s->helo, "helo", upstream, ar);
}

/*
 * results_dkim_comment - why a signature did not pass, or its notes (l=,
 * a test key, a DNSSEC-secure key); the last clause also says how many
 * signatures dkim.max_signatures left out
 */
static void
results_dkim_comment(const struct dkim_sig *g, size_t skipped,
    struct authres_result *c)
{
	struct buf note;

	buf_init(&note, 512);
	if (g->result != METHOD_PASS)
		buf_puts(&note, g->reason ? g->reason : "");
	else {
		if (g->length >= 0)
			buf_printf(&note, "l=%ld", g->length);
		if (g->testkey)
			buf_printf(&note, "%stest key", note.len ? "; " : "");
		if (g->secure)
			buf_printf(&note, "%sDNSSEC-secure key", note.len ?
			    "; " : "");
	}
	if (skipped > 0)
		buf_printf(&note, "%s%zu more signature%s not checked",
		    note.len ? "; " : "", skipped, skipped > 1 ? "s" : "");
	if (note.len > 0)
		authres_comment(c, note.data);
	buf_free(&note);
}

/* results_prop - header.NAME=value unless the value is absent */
static void
results_prop(struct authres_result *c, const char *name, const char *value)
{
	if (value != NULL && *value != '\0')
		authres_prop(c, "header", name, value);
}

/* results_dkim_authres - one dkim= clause per signature (RFC 8601 2.7.1) */
static void
results_dkim_authres(const struct dkim_result *d, const char *upstream,
    struct authres *ar)
{
	struct authres_result *c;
	size_t i;

	if (d->n == 0) {
		if ((c = authres_add(ar, "dkim", "none")) != NULL &&
		    upstream != NULL)
			results_upstream(c, upstream);
		return;
	}
	for (i = 0; i < d->n; i++) {
		const struct dkim_sig *g = &d->sig[i];

		if ((c = authres_add(ar, "dkim",
		    method_result_name(g->result))) == NULL)
			return;
		if (upstream != NULL)
			results_upstream(c, upstream);
		else
			results_dkim_comment(g, i + 1 == d->n ? d->skipped : 0,
			    c);
		/* a broken signature may lack a tag: say nothing then */
		results_prop(c, "d", g->d);
		results_prop(c, "i", g->i);
		results_prop(c, "s", g->s);
		results_prop(c, "a", g->a);
		results_prop(c, "b", g->b);
	}
}

/*
 * results_dmarc_authres - dmarc= with (p= sp= dis=; the reason in short),
 * header.from, policy.dmarc; the comment also names a trusted ARC sealer
 * or a local policy rule that decided instead
 */
static void
results_dmarc_authres(const struct dmarc_result *m, const struct decision *d,
    struct authres *ar)
{
	struct authres_result *c;
	struct buf note;

	if ((c = authres_add(ar, "dmarc", method_result_name(m->result))) ==
	    NULL)
		return;
	buf_init(&note, 2048);
	if (m->have_record)
		buf_printf(&note, "p=%s sp=%s%s%s%s dis=%s",
		    dmarc_policy_name(m->rec.p),
		    dmarc_policy_name(m->rec.sp != DMARC_P_UNSPEC ? m->rec.sp :
		    m->rec.p), m->rec.np != DMARC_P_UNSPEC ? " np=" : "",
		    m->rec.np != DMARC_P_UNSPEC ? dmarc_policy_name(m->rec.np) :
		    "", m->rec.t ? " t=y" : "", dmarc_policy_name(d != NULL ?
		    d->dmarc_dis : DMARC_P_NONE));
	else if (m->result == METHOD_PERMERROR || m->result ==
	    METHOD_TEMPERROR)
		buf_puts(&note, m->reason ? m->reason : "");
	if (d != NULL && d->arc_override != NULL)
		buf_printf(&note, "; overridden by trusted ARC sealer %s",
		    d->arc_override);
	if (d != NULL && d->override != NULL)
		buf_printf(&note, "%slocal policy %s", note.len > 0 ? "; " :
		    "", d->override->name);
	if (m->have_record && m->note != NULL)
		buf_printf(&note, " - %s", m->note);
	if (note.len > 0 || m->have_record || m->result ==
	    METHOD_PERMERROR || m->result == METHOD_TEMPERROR)
		authres_comment(c, note.data);
	buf_free(&note);
	if (m->author != NULL)
		authres_prop(c, "header", "from", m->author);
	if (m->have_record)
		authres_prop(c, "policy", "dmarc",
		    dmarc_policy_name(m->policy));
}

/* results_arc_authres - arc= (RFC 8617 section 10) */
static void
results_arc_authres(const struct arc_result *a, const char *client_ip,
    int remote_ip, struct authres *ar)
{
	struct authres_result *c;
	char note[320], n[16];

	if ((c = authres_add(ar, "arc", method_result_name(a->result))) ==
	    NULL)
		return;
	if (a->result == METHOD_PASS) {
		snprintf(note, sizeof(note), "i=%d sealers=%s", a->n,
		    a->sealers ? a->sealers : "");
		authres_comment(c, note);
	} else if (a->result == METHOD_FAIL)
		authres_comment(c, a->reason);
	if (remote_ip && client_ip != NULL)
		authres_prop(c, "smtp", "remote-ip", client_ip);
	if (a->result == METHOD_PASS && a->oldest_pass >= 0) {
		snprintf(n, sizeof(n), "%d", a->oldest_pass);
		authres_prop(c, "header", "oldest-pass", n);
	}
}

/*
 * results_bimi_authres - BIMI 7.7: bimi= with header.d, header.selector,
 * policy.authority and policy.authority-uri when the evidence was looked at
 */
static void
results_bimi_authres(const struct bimi_result *b, struct authres *ar)
{
	struct authres_result *c;

	if ((c = authres_add(ar, "bimi", bimi_status_name(b->result))) ==
	    NULL)
		return;
	if (b->reason != NULL && b->result != BIMI_PASS)
		authres_comment(c, b->reason);
	if (b->domain != NULL)
		authres_prop(c, "header", "d", b->domain);
	if (b->domain != NULL && b->selector != NULL)
		authres_prop(c, "header", "selector", b->selector);
	if (b->domain != NULL && b->result != BIMI_DECLINED)
		authres_prop(c, "policy", "authority", bimi_authority_name(
		    b->authority));
	if (b->authority_uri != NULL)
		authres_prop(c, "policy", "authority-uri", b->authority_uri);
}

/* results_iprev_authres - iprev= (RFC 8601 2.7.3), policy.iprev */
static void
results_iprev_authres(const struct iprev_result *i, const char *client_ip,
    struct authres *ar)
{
	struct authres_result *c;

	if ((c = authres_add(ar, "iprev", method_result_name(i->result))) ==
	    NULL)
		return;
	if (i->reason != NULL)
		authres_comment(c, i->reason);
	if (client_ip != NULL)
		authres_prop(c, "policy", "iprev", client_ip);
}

/*
 * results_tls_authres - x-tls=pass with smtp.version, smtp.cipher,
 * smtp.bits (as authentication_milter writes them) and the client
 * certificate's subject when there was one
 */
static void
results_tls_authres(const struct results_tls *t, struct authres *ar)
{
	struct authres_result *c;

	if (t->version == NULL || (c = authres_add(ar, "x-tls", "pass")) ==
	    NULL)
		return;
	authres_prop(c, "smtp", "version", t->version);
	if (t->cipher != NULL)
		authres_prop(c, "smtp", "cipher", t->cipher);
	if (t->bits != NULL)
		authres_prop(c, "smtp", "bits", t->bits);
	if (t->subject != NULL)
		authres_prop(c, "smtp", "cert-subject", t->subject);
}

/* results_dmarc_off - dmarc=none: a local policy rule turned DMARC off */
static void
results_dmarc_off(const struct config_override *o, struct authres *ar)
{
	struct authres_result *c;
	struct buf note;

	if ((c = authres_add(ar, "dmarc", "none")) == NULL)
		return;
	buf_init(&note, 256);
	buf_printf(&note, "not evaluated: local policy %s", o->name);
	authres_comment(c, note.data);
	buf_free(&note);
}

/*
 * results_authres - every checked method: spf, dkim, dmarc, arc, then
 * the connection's iprev and x-tls; a local policy rule that turned
 * DMARC off gives dmarc=none saying so
 */
void
results_authres(const struct results *r, const struct decision *d,
    const char *client_ip, int remote_ip, struct authres *ar)
{
	if (r->spf.checked)
		results_spf_authres(&r->spf, r->upstream, ar);
	if (r->dkim.checked)
		results_dkim_authres(&r->dkim, r->upstream, ar);
	if (r->dmarc.checked)
		results_dmarc_authres(&r->dmarc, d, ar);
	else if (d != NULL && d->override != NULL && d->override->action ==
	    CONFIG_OVERRIDE_NO_DMARC)
		results_dmarc_off(d->override, ar);
	if (r->arc.checked)
		results_arc_authres(&r->arc, client_ip, remote_ip, ar);
	if (r->bimi.checked)
		results_bimi_authres(&r->bimi, ar);
	if (r->iprev.checked)
		results_iprev_authres(&r->iprev, client_ip, ar);
	results_tls_authres(&r->tls, ar);
}

/* results_log - key=value part of the verdict line (authmilter(8)) */
void
results_log(const struct results *r, struct buf *out)
{
	size_t i;

	if (r->spf.checked)
		buf_printf(out, " spf=%s", method_result_name(r->spf.result));
	if (r->dkim.checked) {
		buf_puts(out, " dkim=");
		if (r->dkim.n == 0)
			buf_puts(out, "none");
		for (i = 0; i < r->dkim.n; i++) {
			buf_printf(out, "%s%s:", i ? "," : "",
			    method_result_name(r->dkim.sig[i].result));
			log_safe(out, r->dkim.sig[i].d, strlen(r->dkim.sig[i].d));
		}
		for (i = 0; i < r->dkim.n; i++) {
			const char *sel = r->dkim.sig[i].s != NULL ?
			    r->dkim.sig[i].s : "";

			buf_puts(out, i ? "," : " dkim_selectors=");
			log_safe(out, sel, strlen(sel));
		}
		if (r->dkim.skipped > 0)
			buf_printf(out, " dkim_unchecked=%zu", r->dkim.skipped);
	}
	if (r->dmarc.checked)
		buf_printf(out, " dmarc=%s", method_result_name(
		    r->dmarc.result));
	if (r->arc.checked)
		buf_printf(out, " arc=%s", method_result_name(r->arc.result));
	if (r->bimi.checked)
		buf_printf(out, " bimi=%s", bimi_status_name(r->bimi.result));
	if (r->iprev.checked)
		buf_printf(out, " iprev=%s", method_result_name(
		    r->iprev.result));
}

/*
 * results_log_json - the same members as results_log(), for log.format
 * "json": "spf", "dkim" as [{"result","domain"}], "dkim_unchecked",
 * "dmarc", "arc", "bimi"; each only when results_log() writes it. No
 * braces.
 */
void
results_log_json(const struct results *r, struct buf *out)
{
	size_t i;

	if (r->spf.checked)
		json_kv(out, "spf", method_result_name(r->spf.result), 0);
	if (r->dkim.checked) {
		json_key(out, "dkim", 0);
		buf_putc(out, '[');
		for (i = 0; i < r->dkim.n; i++) {
			buf_puts(out, i ? ",{" : "{");
			json_kv(out, "result", method_result_name(
			    r->dkim.sig[i].result), 1);
			json_kv(out, "domain", r->dkim.sig[i].d, 0);
			json_kv(out, "selector", r->dkim.sig[i].s, 0);
			buf_putc(out, '}');
		}
		buf_putc(out, ']');
		if (r->dkim.skipped > 0) {
			json_key(out, "dkim_unchecked", 0);
			buf_printf(out, "%zu", r->dkim.skipped);
		}
	}
	if (r->dmarc.checked)
		json_kv(out, "dmarc", method_result_name(r->dmarc.result), 0);
	if (r->arc.checked)
		json_kv(out, "arc", method_result_name(r->arc.result), 0);
	if (r->bimi.checked)
		json_kv(out, "bimi", bimi_status_name(r->bimi.result), 0);
	if (r->iprev.checked)
		json_kv(out, "iprev", method_result_name(r->iprev.result), 0);
}
