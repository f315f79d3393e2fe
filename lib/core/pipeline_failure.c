/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_failure - an RFC 9991 failure report for a message whose
 * DMARC record asks for one: when (ruf, fo, psd), its ARF fields, and the
 * copy of the message as reports.failure.content says; queued to the
 * report store like an aggregate record, sent by authmilter-report
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/xalloc.h"
#include "mail/redact.h"
#include "dns/dnsbudget.h"
#include "dns/resolver.h"
#include "report/report.h"
#include "report/report_failure.h"
#include "core/pipeline_priv.h"

/* pipeline_failure_fo - RFC 9989 fo=: 0 (default) and 1 as asked */
static void
pipeline_failure_fo(const char *fo, int *fo0, int *fo1)
{
	const char *p = fo != NULL && *fo != '\0' ? fo : "0";

	*fo0 = *fo1 = 0;
	for (; *p != '\0'; p++) {
		if (*p == '0' && (p[1] == ':' || p[1] == '\0' || p[1] == ' '))
			*fo0 = 1;
		if (*p == '1' && (p[1] == ':' || p[1] == '\0' || p[1] == ' '))
			*fo1 = 1;
	}
}

/*
 * pipeline_failure_asked - the record has a ruf= that counts (not a
 * psd=y record, RFC 9991 section 2) and fo= asks for DMARC reports
 */
static int
pipeline_failure_asked(const struct session *s, const struct dmarc_result *d)
{
	int fo0, fo1;

	/* at end of headers only discovery ran: found, not have_record */
	if (!s->env->cfg->reports.failure.enabled || s->env->reports == NULL ||
	    (!d->have_record && d->found != 1) || d->author == NULL ||
	    d->ambiguous ||
	    d->rec.ruf == NULL || *d->rec.ruf == '\0' || d->rec.psd == 'y')
		return 0;
	pipeline_failure_fo(d->rec.fo, &fo0, &fo1);
	return fo0 || fo1;
}

/* pipeline_failure_due - fo=0: both failed; fo=1: either one failed */
static int
pipeline_failure_due(const struct dmarc_result *d)
{
	int fo0, fo1;

	pipeline_failure_fo(d->rec.fo, &fo0, &fo1);
	if (d->result == METHOD_FAIL)
		return 1;
	return fo1 && d->result == METHOD_PASS && (!d->spf_aligned ||
	    !d->dkim_aligned);
}

/*
 * pipeline_failure_eoh - end of headers: the record is known; keep the
 * body when a report may need it (reports.failure.body)
 */
void
pipeline_failure_eoh(const struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;

	if (m->fbody != NULL || !cfg->reports.failure.body ||
	    cfg->reports.failure.content == CONFIG_RUF_NONE ||
	    !m->results.dmarc.checked ||
	    !pipeline_failure_asked(s, &m->results.dmarc))
		return;
	m->fbody = buf_new(REPORT_FAILURE_MAX_PART);
}

/* pipeline_failure_body - a body chunk, while it fits */
void
pipeline_failure_body(struct message *m, const unsigned char *p, size_t len)
{
	if (m->fbody != NULL && !m->fbody->truncated)
		buf_append(m->fbody, p, len);
}

/* pipeline_failure_aligned - id aligns with the author (adkim/aspf mode) */
static int
pipeline_failure_aligned(const char *id, const struct dmarc_result *d,
    char mode)
{
	const char *org = dmarc_org_domain(d);
	size_t n, o;

	if (id == NULL)
		return 0;
	if (strcasecmp(id, d->author) == 0)
		return 1;
	if (mode == 's' || org == NULL)
		return 0;
	n = strlen(id);
	o = strlen(org);
	return strcasecmp(id, org) == 0 || (n > o && id[n - o - 1] == '.' &&
	    strcasecmp(id + n - o, org) == 0);
}

/* pipeline_failure_addr - an address, its local part redacted unless kept */
static void
pipeline_failure_addr(const struct session *s, const char *a, struct buf *out)
{
	if (s->env->cfg->reports.failure.content == CONFIG_RUF_HEADERS)
		buf_puts(out, a);
	else
		redact_locals(a, strlen(a), s->env->redact_key, out);
}

/* pipeline_failure_dkim - RFC 9991 4: the aligned signature that failed */
static void
pipeline_failure_dkim(const struct session *s, const struct message *m,
    struct buf *fb)
{
	const struct dmarc_result *d = &m->results.dmarc;
	size_t i;

	for (i = 0; i < m->results.dkim.n; i++) {
		const struct dkim_sig *g = &m->results.dkim.sig[i];

		if (g->result == METHOD_PASS || g->d == NULL || g->s == NULL ||
		    !pipeline_failure_aligned(g->d, d, d->rec.adkim))
			continue;
		buf_printf(fb, "DKIM-Domain: %s\nDKIM-Identity: ", g->d);
		if (g->i != NULL)
			pipeline_failure_addr(s, g->i, fb);
		else
			buf_printf(fb, "@%s", g->d);
		buf_printf(fb, "\nDKIM-Selector: %s\n", g->s);
		return;
	}
}

/* pipeline_failure_spf - RFC 9991 4: SPF-DNS for an aligned SPF failure */
static void
pipeline_failure_spf(const struct session *s, struct message *m,
    struct buf *fb)
{
	const struct spf_result *sp = &m->results.spf;
	const struct spf_identity *id = sp->null_sender ? &sp->helo :
	    &sp->mailfrom;
	struct resolver_answer *a = NULL;
	struct buf txt;
	const char *c;
	int i;

	if (!sp->checked || !id->checked || id->result == METHOD_PASS ||
	    !pipeline_failure_aligned(id->domain, &m->results.dmarc,
	    m->results.dmarc.rec.aspf))
		return;
	buf_init(&txt, 4096);
	/* the answer SPF just used: the resolver remembers it */
	if (dnsbudget_query(&m->dns_other, s->env->res, id->domain, ns_t_txt,
	    NULL, &a) == RESOLVER_OK)
		for (i = 0; i < a->n; i++) {
			buf_reset(&txt);
			if (resolver_txt(a, i, &txt) != 0 ||
			    strncasecmp(txt.data, "v=spf1", 6) != 0)
				continue;
			buf_printf(fb, "SPF-DNS: txt : %s : \"", id->domain);
			for (c = txt.data; *c != '\0'; c++)
				buf_printf(fb, "%s%c", *c == '"' || *c == '\\' ?
				    "\\" : "", (unsigned char)*c < ' ' ? ' ' :
				    *c);
			buf_puts(fb, "\"\n");
			break;
		}
	resolver_answer_free(a);
	buf_free(&txt);
}

/*
 * pipeline_failure_delivery - RFC 6591 Delivery-Result: delivered with
 * the Junk mark (dmarc.quarantine "header") is "spam", held by the MTA
 * "policy"
 */
static const char *
pipeline_failure_delivery(const struct message *m)
{
	switch (m->decision.action) {
	case POLICY_ACCEPT:
		return m->decision.mark ? "spam" : "delivered";
	case POLICY_REJECT:
		return "reject";
	case POLICY_QUARANTINE:
		return "policy";
	default:
		return "other";
	}
}

/* pipeline_failure_feedback - the message/feedback-report fields */
static void
pipeline_failure_feedback(const struct session *s, struct message *m,
    time_t now, struct buf *fb)
{
	const struct dmarc_result *d = &m->results.dmarc;
	char date[64];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(fb, "Feedback-Type: auth-failure\nUser-Agent: %s/%s\n"
	    "Version: 1\nAuth-Failure: dmarc\nAuthentication-Results: %s; "
	    "dmarc=%s header.from=%s\nIdentity-Alignment: ", PACKAGE_NAME,
	    PACKAGE_VERSION, s->authserv_id, method_result_name(d->result),
	    d->author);
	buf_printf(fb, "%s%s%s\n", !d->dkim_aligned ? "dkim" : "",
	    !d->dkim_aligned && !d->spf_aligned ? ", " : "",
	    !d->spf_aligned ? "spf" : "");
	if (*m->mailfrom != '\0') {
		buf_puts(fb, "Original-Mail-From: <");
		pipeline_failure_addr(s, m->mailfrom, fb);
		buf_puts(fb, ">\n");
	}
	buf_printf(fb, "Arrival-Date: %s\nSource-IP: %s\nReported-Domain: %s\n"
	    "Delivery-Result: %s\n", date, s->client_ip, d->author,
	    pipeline_failure_delivery(m));
	pipeline_failure_dkim(s, m, fb);
	pipeline_failure_spf(s, m, fb);
}

/* pipeline_failure_dedup - hex SHA-256 of what makes two copies one */
static void
pipeline_failure_dedup(const struct session *s, const struct message *m,
    char *out, size_t len)
{
	const struct dmarc_result *d = &m->results.dmarc;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0, i;
	struct buf key;
	const struct hdr_field *f;

	buf_init(&key, 8192);
	buf_printf(&key, "%s\n", d->rec.domain);
	if (m->msgid != NULL)
		buf_printf(&key, "id %s", m->msgid);
	else {
		/* no Message-ID: the copies are the same sender's same mail */
		buf_printf(&key, "ip %s", s->client_ip);
		if ((f = hdr_nth(&m->hdr, "Date", 0)) != NULL)
			buf_append(&key, f->value, f->vlen);
		if ((f = hdr_nth(&m->hdr, "Subject", 0)) != NULL)
			buf_append(&key, f->value, f->vlen);
	}
	EVP_Digest(key.data, key.len, h, &hl, EVP_sha256(), NULL);
	for (i = 0; i < hl && 2 * i + 2 < len; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	buf_free(&key);
}

/*
 * pipeline_failure_subject - RFC 5965 2.f: the original's Subject with
 * "FW: " when the copy keeps it (in ASCII, unfolded); else a plain one
 */
static void
pipeline_failure_subject(const struct session *s, const struct message *m,
    struct buf *out)
{
	const struct hdr_field *f = hdr_nth(&m->hdr, "Subject", 0);
	size_t i;

	if (s->env->cfg->reports.failure.content != CONFIG_RUF_HEADERS ||
	    f == NULL) {
		buf_printf(out, "DMARC failure report for %s",
		    m->results.dmarc.author);
		return;
	}
	buf_puts(out, "FW:");
	for (i = 0; i < f->vlen && out->len < 200; i++)
		buf_putc(out, (unsigned char)f->value[i] < ' ' ||
		    (unsigned char)f->value[i] >= 0x7f ? ' ' : f->value[i]);
}

/*
 * pipeline_failure - end of message, after the decision: queue a report
 * when the record asks for one and the message failed as fo= says; not
 * for one decided on a trusted gateway's results (upstream=): the
 * gateway saw the sender, we would name its IP address (as no aggregate
 * record is made for it)
 */
void
pipeline_failure(const struct session *s, struct message *m)
{
	const struct dmarc_result *d = &m->results.dmarc;
	struct report_failure r;
	struct buf b;
	char uid[40], ts[24], dedup[72];
	time_t now = time(NULL);

	if (!d->checked || !d->have_record || m->results.upstream != NULL ||
	    !pipeline_failure_asked(s, d) || !pipeline_failure_due(d))
		return;
	report_failure_init(&r);
	buf_init(&b, REPORT_FAILURE_MAX_ORIGINAL);
	report_uid(uid, sizeof(uid));
	report_failure_set(&r, REPORT_F_UID, uid);
	snprintf(ts, sizeof(ts), "%lld", (long long)now);
	report_failure_set(&r, REPORT_F_TS, ts);
	report_failure_set(&r, REPORT_F_REPORTER, s->env->hostname);
	pipeline_failure_dedup(s, m, dedup, sizeof(dedup));
	report_failure_set(&r, REPORT_F_DEDUP, dedup);
	report_failure_set(&r, REPORT_F_POLICY_DOMAIN, d->rec.domain);
	report_failure_set(&r, REPORT_F_ORG_DOMAIN, d->org_domain);
	report_failure_set(&r, REPORT_F_AUTHOR, d->author);
	report_failure_set(&r, REPORT_F_RUF, d->rec.ruf);
	report_failure_set(&r, REPORT_F_SOURCE_IP, s->client_ip);
	pipeline_failure_subject(s, m, &b);
	report_failure_set(&r, REPORT_F_SUBJECT, b.data);
	buf_reset(&b);
	pipeline_failure_feedback(s, m, now, &b);
	report_failure_set(&r, REPORT_F_FEEDBACK, b.data);
	buf_reset(&b);
	report_failure_set(&r, REPORT_F_ORIGINAL_TYPE,
	    pipeline_failure_copy(s, m, &b));
	report_failure_set(&r, REPORT_F_ORIGINAL, b.data);
	report_failure_submit(s->env->reports, &r);
	report_failure_free(&r);
	buf_free(&b);
}
