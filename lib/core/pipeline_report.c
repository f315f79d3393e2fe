/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline_report - one DMARC aggregate-report record per evaluated message */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "core/pipeline_priv.h"
#include "report/report.h"
#include "util/xalloc.h"

/* pipeline_report_token - a domain or selector safe for the record */
static void
pipeline_report_token(struct buf *out, const char *v)
{
	const unsigned char *p;

	/* d= and s= come from the wire: keep only what DNS names hold */
	for (p = (const unsigned char *)(v != NULL ? v : ""); *p != '\0'; p++)
		buf_putc(out, isalnum(*p) || *p == '.' || *p == '-' ||
		    *p == '_' ? tolower(*p) : '?');
}

/* pipeline_report_sig - " d/s/result" for one signature, if it fits */
static void
pipeline_report_sig(struct buf *out, const struct dkim_sig *sig)
{
	struct buf one;

	buf_init(&one, REPORT_MAX_FIELD);
	if (out->len > 0)
		buf_putc(&one, ' ');
	pipeline_report_token(&one, sig->d);
	buf_putc(&one, '/');
	pipeline_report_token(&one, sig->s);
	buf_printf(&one, "/%s", method_result_name(sig->result));
	/* a cut entry would carry a result the schema does not know */
	if (!one.truncated && out->len + one.len <= REPORT_MAX_FIELD)
		buf_append(out, one.data, one.len);
	buf_free(&one);
}

/*
 * pipeline_report_dkim - RFC 9990 2.1.5: aligned passes first, then other
 * passes, then the rest, at most REPORT_MAX_DKIM
 */
static void
pipeline_report_dkim(const struct results *r, struct buf *out)
{
	const struct dkim_result *d = &r->dkim;
	const char *al = r->dmarc.dkim_domain;
	size_t i, n = 0;
	int pass, aligned, round;

	for (round = 0; round < 3; round++)
		for (i = 0; i < d->n && n < REPORT_MAX_DKIM; i++) {
			pass = d->sig[i].result == METHOD_PASS;
			aligned = pass && al != NULL && d->sig[i].d != NULL &&
			    strcasecmp(al, d->sig[i].d) == 0;
			if ((round == 0 && aligned) ||
			    (round == 1 && pass && !aligned) ||
			    (round == 2 && !pass)) {
				pipeline_report_sig(out, &d->sig[i]);
				n++;
			}
		}
}

/* pipeline_report_spf - the SPF identity DMARC looked at */
static void
pipeline_report_spf(const struct results *r, struct report_record *rec)
{
	const struct spf_result *s = &r->spf;
	const struct spf_identity *id;

	if (!s->checked)
		return;
	id = !s->null_sender && s->mailfrom.checked ? &s->mailfrom : &s->helo;
	if (!id->checked || id->domain == NULL)
		return;
	report_record_set(rec, REPORT_SPF_DOMAIN, id->domain);
	report_record_set(rec, REPORT_SPF_SCOPE, id == &s->mailfrom ?
	    "mfrom" : "helo");
	report_record_set(rec, REPORT_SPF_RESULT, method_result_name(
	    id->result));
}

/* pipeline_report_reasons - "type:comment;..." override reasons */
static void
pipeline_report_reasons(const struct message *m, const struct config *cfg,
    struct buf *out)
{
	const struct dmarc_result *d = &m->results.dmarc;

	if (m->decision.arc_override != NULL)
		buf_printf(out, "trusted_forwarder:arc=pass sealer=%s "
		    "sealers=%s;", m->decision.arc_override,
		    m->results.arc.sealers ? m->results.arc.sealers : "");
	if (d->testing)
		buf_puts(out, "policy_test_mode:t=y;");
	if (d->sampled_out)
		buf_printf(out, "other:sampled out by pct=%d;", d->rec.pct);
	if (m->decision.override != NULL)
		buf_printf(out, "local_policy:%s: %s;",
		    m->decision.override->name, m->decision.override->reason);
	else if (d->result == METHOD_FAIL && m->decision.arc_override == NULL
	    && m->decision.dmarc_dis < d->policy)
		buf_printf(out, "local_policy:%s;", d->policy ==
		    DMARC_P_REJECT && !cfg->dmarc.reject ? "dmarc.reject=false"
		    : "dmarc.quarantine=none");
	if (out->len > 0)
		out->data[--out->len] = '\0';	/* the last ';' */
}

/* pipeline_report_policy - the record as published */
static void
pipeline_report_policy(const struct dmarc_result *d, const struct config *cfg,
    struct report_record *rec)
{
	const struct dmarc_record *p = &d->rec;
	char v[2] = { 0, 0 }, pct[16];

	report_record_set(rec, REPORT_POLICY_DOMAIN, p->domain);
	report_record_set(rec, REPORT_ORG_DOMAIN, d->org_domain);
	report_record_set(rec, REPORT_DISCOVERY, cfg->dmarc.mode ==
	    CONFIG_DMARC_RFC7489 ? "psl" : "treewalk");
	report_record_set(rec, REPORT_P, dmarc_policy_name(p->p));
	if (p->sp != DMARC_P_UNSPEC)
		report_record_set(rec, REPORT_SP, dmarc_policy_name(p->sp));
	if (p->np != DMARC_P_UNSPEC)
		report_record_set(rec, REPORT_NP, dmarc_policy_name(p->np));
	v[0] = p->adkim;
	report_record_set(rec, REPORT_ADKIM, v);
	v[0] = p->aspf;
	report_record_set(rec, REPORT_ASPF, v);
	v[0] = p->psd;
	report_record_set(rec, REPORT_PSD, v);
	report_record_set(rec, REPORT_TESTING, p->t ? "y" : "n");
	snprintf(pct, sizeof(pct), "%d", p->pct);
	report_record_set(rec, REPORT_PCT, pct);
	report_record_set(rec, REPORT_FO, p->fo);
	report_record_set(rec, REPORT_RUA, p->rua);
}

/* pipeline_report_domain - lowercase domain of an address, or "" */
static char *
pipeline_report_domain(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;
	struct buf b;

	buf_init(&b, 256);
	if (at != NULL)
		pipeline_report_token(&b, at + 1);
	return buf_steal(&b);
}

/* pipeline_report - queue the message's record when DMARC found a policy */
void
pipeline_report(const struct session *s, const struct message *m)
{
	const struct dmarc_result *d = &m->results.dmarc;
	const struct config *cfg = s->env->cfg;
	struct report_record rec;
	struct buf b;
	char uid[40], ts[24], *dom;

	/* upstream results: the host in front saw the sender, we did not */
	if (s->env->reports == NULL || !d->checked || !d->have_record ||
	    d->author == NULL || d->ambiguous || m->results.upstream != NULL)
		return;
	report_record_init(&rec);
	buf_init(&b, REPORT_MAX_FIELD);
	report_uid(uid, sizeof(uid));
	report_record_set(&rec, REPORT_UID, uid);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	report_record_set(&rec, REPORT_TS, ts);
	report_record_set(&rec, REPORT_REPORTER, s->env->hostname);
	report_record_set(&rec, REPORT_SOURCE_IP, s->client_ip);
	report_record_set(&rec, REPORT_HEADER_FROM, d->author);
	dom = pipeline_report_domain(m->mailfrom);
	report_record_set(&rec, REPORT_ENVELOPE_FROM, dom);
	free(dom);
	if (m->rcpt_domain != NULL) {
		pipeline_report_token(&b, m->rcpt_domain);
		report_record_set(&rec, REPORT_ENVELOPE_TO, b.data);
		buf_reset(&b);
	}
	pipeline_report_spf(&m->results, &rec);
	pipeline_report_dkim(&m->results, &b);
	report_record_set(&rec, REPORT_DKIM, b.data);
	buf_reset(&b);
	pipeline_report_policy(d, cfg, &rec);
	report_record_set(&rec, REPORT_DKIM_EVAL, d->dkim_aligned ? "pass" :
	    "fail");
	report_record_set(&rec, REPORT_SPF_EVAL, d->spf_aligned ? "pass" :
	    "fail");
	report_record_set(&rec, REPORT_DISPOSITION, d->result == METHOD_PASS ?
	    "pass" : dmarc_policy_name(m->decision.dmarc_dis));
	pipeline_report_reasons(m, cfg, &b);
	report_record_set(&rec, REPORT_REASONS, b.data);
	report_submit(s->env->reports, &rec);
	report_record_free(&rec);
	buf_free(&b);
}
