/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline - one message from connect to verdict, MTA-agnostic */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "dns/prefetch.h"
#include "report/report.h"
#include "mail/rfc5322.h"
#include "util/json.h"
#include "util/log.h"
#include "core/metrics.h"
#include "core/override.h"
#include "core/pipeline_priv.h"
#include "core/policy.h"
#include "core/upstream.h"
#include "dns/resolver.h"
#include "auth/spf.h"
#include "util/xalloc.h"

/* pipeline_message_free - end of one transaction */
static void
pipeline_message_free(struct message *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->mailfrom);
	free(m->queue_id);
	free(m->rcpt_domain);
	free(m->author);
	free(m->msgid);
	dkim_verifier_free(m->dkim);
	arc_verifier_free(m->arc);
	arc_seal_out_free(&m->seal);
	pipeline_sign_free(m);
	pipeline_verdict_free(m);
	pipeline_ingest_free(m);
	hdr_free(&m->hdr);
	pipeline_dels_free(&m->ar);
	pipeline_dels_free(&m->marks);
	for (i = 0; i < PIPELINE_BIMI_NAMES; i++)
		pipeline_dels_free(&m->bimi[i]);
	results_free(&m->results);
	decision_free(&m->decision);
	buf_free(&m->arheader);
	buf_free(&m->rspf);
	buf_free(m->fbody);
	free(m->fbody);
	free(m);
}

/* pipeline_message_new - start of one transaction */
static struct message *
pipeline_message_new(const struct config *cfg, const char *mailfrom)
{
	struct message *m = xcalloc(1, sizeof(*m));

	m->mailfrom = xstrdup(mailfrom);
	hdr_init(&m->hdr);
	hdr_limit(&m->hdr, (size_t)cfg->limits.headers,
	    (size_t)cfg->limits.header_size, (size_t)cfg->limits.header_bytes);
	buf_init(&m->arheader, 64 * 1024);
	buf_init(&m->rspf, 8 * 1024);
	clock_gettime(CLOCK_MONOTONIC, &m->start);
	dnsbudget_init(&m->dns_dmarc, (long)cfg->limits.dns_time * 1000);
	dnsbudget_init(&m->dns_other, (long)cfg->limits.dns_time * 1000);
	return m;
}

/* pipeline_msg - the current message, made on demand */
static struct message *
pipeline_msg(struct session *s)
{
	if (s->msg == NULL) {
		s->msg = pipeline_message_new(s->env->cfg, "");
		pipeline_sign_init(s, s->msg, NULL);
	}
	return s->msg;
}

/* pipeline_checked - are this message's results ours to find */
static int
pipeline_checked(const struct session *s, const struct message *m)
{
	return !s->trusted && !m->authenticated;
}

/*
 * pipeline_connect - a new SMTP connection; takes the env reference.
 * leadspc: header values arrive with their leading space. *start says
 * once, for the whole connection, whether its messages are checked.
 */
struct session *
pipeline_connect(struct pipeline_env *env, unsigned long id,
    const struct sockaddr *sa, const char *mta_name, int leadspc,
    enum pipeline_start *start)
{
	struct session *s = xcalloc(1, sizeof(*s));
	const struct config *cfg = env->cfg;

	s->env = env;
	s->id = id;
	s->leadspc = leadspc;
	metrics_conn(env->metrics, 1);
	if (cidr_addr_from_sockaddr(sa, &s->client) != 0)
		s->client.family = 0;	/* unknown family: no SPF */
	cidr_addr_format(&s->client, s->client_ip, sizeof(s->client_ip));
	s->trusted = s->client.family != 0 && cidr_match_any(
	    cfg->policy.trusted, cfg->policy.ntrusted, &s->client);
	if (*cfg->authserv_id != '\0')
		s->authserv_id = xstrdup(cfg->authserv_id);
	else if (mta_name != NULL && *mta_name != '\0')
		s->authserv_id = xstrdup(mta_name);
	else
		s->authserv_id = xstrdup(env->hostname);
	s->sign_client = pipeline_sign_client(s);
	/*
	 * a signing, sealing or ingesting daemon still signs, seals or
	 * reads what its trusted hosts send, and their A-R results may be
	 * ours to decide on
	 */
	*start = !s->trusted || cfg->policy.trusted_authserv_ids.n > 0 ?
	    PIPELINE_CHECK : cfg->arc.seal.enabled || env->ingest != NULL ||
	    s->sign_client ? PIPELINE_SEAL : PIPELINE_SKIP;
	if (s->trusted)
		log_debug("c=%lu: %s is in trusted_networks: not checked", id,
		    s->client_ip);
	return s;
}

/* pipeline_fixed_time - seal as of t (authmilter-check --time) */
void
pipeline_fixed_time(struct session *s, time_t t)
{
	s->fixed_time = t;
}

/* pipeline_helo - remember the last HELO/EHLO argument */
void
pipeline_helo(struct session *s, const char *helo)
{
	free(s->helo);
	s->helo = xstrdup(helo != NULL ? helo : "");
}

/*
 * pipeline_tls - the MTA's {tls_version} {cipher} {cipher_bits}
 * {cert_subject} (NULL or empty: not known); a new HELO after STARTTLS
 * brings them
 */
void
pipeline_tls(struct session *s, const char *version, const char *cipher,
    const char *bits, const char *subject)
{
	results_tls_set(&s->tls, version, cipher, bits, subject);
}

/* pipeline_strip - MAIL FROM argument without <> and surrounding space */
static char *
pipeline_strip(const char *arg)
{
	size_t len;

	while (*arg == ' ')
		arg++;
	len = strlen(arg);
	while (len > 0 && arg[len - 1] == ' ')
		len--;
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>')
		return xstrndup(arg + 1, len - 2);
	return xstrndup(arg, len);
}

/* pipeline_mail - a new transaction; auth is {auth_authen} or NULL */
void
pipeline_mail(struct session *s, const char *arg, const char *auth)
{
	char *from = pipeline_strip(arg != NULL ? arg : "");

	pipeline_message_free(s->msg);
	s->msg = pipeline_message_new(s->env->cfg, from);
	free(from);
	s->msg->authenticated = auth != NULL && *auth != '\0' &&
	    s->env->cfg->policy.skip_authenticated;
	pipeline_sign_init(s, s->msg, auth);
	if (pipeline_checked(s, s->msg))
		prefetch_mail(s->env->res, s->env->cfg, s->helo,
		    s->msg->mailfrom);
}

/* pipeline_rcpt - one more accepted recipient */
void
pipeline_rcpt(struct session *s, const char *rcpt)
{
	struct message *m = pipeline_msg(s);
	const char *at;
	size_t len;

	m->nrcpt++;
	pipeline_ingest_rcpt(s, m, rcpt);
	len = rcpt != NULL && (at = strrchr(rcpt, '@')) != NULL ?
	    strcspn(at + 1, "> \t") : 0;
	if (len == 0 || len > 253) {
		m->rcpt_mixed = 1;	/* a domain we cannot read */
		return;
	}
	/* RFC 9990 envelope_to: the first recipient's domain */
	if (m->rcpt_domain == NULL)
		m->rcpt_domain = xstrndup(at + 1, len);
	else if (strlen(m->rcpt_domain) != len ||
	    strncasecmp(m->rcpt_domain, at + 1, len) != 0)
		m->rcpt_mixed = 1;
}

/* pipeline_queue_id - the MTA's id, once it has one */
void
pipeline_queue_id(struct session *s, const char *qid)
{
	struct message *m = pipeline_msg(s);

	if (qid == NULL || *qid == '\0' || m->queue_id != NULL)
		return;
	m->queue_id = xstrdup(qid);
}

/* pipeline_ambiguous - the author cannot be decided: say why once */
static void
pipeline_ambiguous(struct message *m, const char *why)
{
	if (m->author_why[0] == '\0')
		snprintf(m->author_why, sizeof(m->author_why), "%s", why);
	m->ambiguous = 1;
}

/* pipeline_from - RFC 9989 section 5.3.1: exactly one author domain */
static void
pipeline_from(struct message *m, const char *value, size_t len)
{
	struct rfc5322_from f;
	char why[160];

	if (++m->nfrom > 1) {
		pipeline_ambiguous(m, "several From fields");
		return;
	}
	rfc5322_from(value, len, &f);
	if (f.error) {
		snprintf(why, sizeof(why), "unreadable From: %s", f.why);
		pipeline_ambiguous(m, why);
	} else if (f.ndomains > 1)
		pipeline_ambiguous(m, "From names several domains");
	else if (f.ndomains == 1)
		m->author = xstrdup(f.domains[0]);
	rfc5322_from_free(&f);
}

/*
 * pipeline_dkim - the message's verifier, made with its first header; a
 * trusted client's mail is never verified here (sealed from what our
 * ADMD recorded, or decided on upstream results), nor an authenticated
 * client's (signed, not checked)
 */
static struct dkim_verifier *
pipeline_dkim(struct session *s, struct message *m)
{
	char id[32];

	if (m->dkim == NULL && s->env->cfg->dkim.enabled &&
	    pipeline_checked(s, m)) {
		snprintf(id, sizeof(id), "c=%lu", s->id);
		m->dkim = dkim_verifier_new(s->env->dkim, id,
		    s->env->cfg->dkim.max_signatures);
		dkim_verifier_budgets(m->dkim, &m->dns_other, &m->dns_dmarc,
		    NULL);
	}
	return m->dkim;
}

/* pipeline_msgid - the first Message-ID, without folding white space */
static void
pipeline_msgid(struct message *m, const char *value, size_t len)
{
	while (len > 0 && strchr(" \t\r\n", value[len - 1]) != NULL)
		len--;
	while (len > 0 && strchr(" \t\r\n", *value) != NULL) {
		value++;
		len--;
	}
	if (m->msgid != NULL || len == 0)
		return;
	m->msgid = xstrndup(value, len > PIPELINE_MAX_MSGID ?
	    PIPELINE_MAX_MSGID : len);
}

/* pipeline_header - one header field as the MTA gave it */
void
pipeline_header(struct session *s, const char *name, const char *value,
    size_t len)
{
	struct message *m = pipeline_msg(s);
	struct dkim_verifier *v = pipeline_dkim(s, m);

	/*
	 * a trusted host's A-R and marks are our ADMD's own: kept (and
	 * sealed); anyone else's claiming to be ours are forged
	 */
	if (hdr_name_is(name, "Authentication-Results") && !s->trusted)
		pipeline_dels_seen(&m->ar, authres_claims(value, len,
		    s->authserv_id));
	else if (hdr_name_is(name, PIPELINE_MARK_FIELD) && !s->trusted)
		pipeline_dels_seen(&m->marks, 1);
	else if (hdr_name_is(name, "From"))
		pipeline_from(m, value, len);
	else if (hdr_name_is(name, "Message-ID"))
		pipeline_msgid(m, value, len);
	pipeline_bimi_header(m, name);
	if (hdr_add(&m->hdr, name, value, len) != 0) {
		if (v != NULL)
			dkim_verifier_overflow(v);
		if (m->hdr.seen == m->hdr.max_fields + 1)
			log_debug("c=%lu: header limit reached", s->id);
	} else if (v != NULL)
		dkim_verifier_header(v, name, value, len, s->leadspc);
	pipeline_ingest_header(s, m, name, value, len);
}

/* pipeline_dmarc_request - who the author is, and the DMARC budget */
static void
pipeline_dmarc_request(struct message *m, struct dmarc_request *dr)
{
	memset(dr, 0, sizeof(*dr));
	if (m->nfrom == 0)
		pipeline_ambiguous(m, "no From field");
	else if (m->author == NULL && !m->ambiguous)
		pipeline_ambiguous(m, "From without a domain");
	dr->author = m->ambiguous ? NULL : m->author;
	dr->author_error = m->author_why;
	dr->ambiguous = m->ambiguous;
	dr->spf = &m->results.spf;
	dr->dkim = &m->results.dkim;
	dr->budget = &m->dns_dmarc;
}

/* pipeline_dmarc_off - a policy.overrides rule says: no DMARC here */
static int
pipeline_dmarc_off(const struct message *m)
{
	return m->results.override != NULL &&
	    m->results.override->action == CONFIG_OVERRIDE_NO_DMARC;
}

/*
 * pipeline_discover - end of headers: DMARC's own lookups come first, so
 * the organizational domain is known before any key is looked up, and
 * what cannot align is charged to the other budget
 */
static void
pipeline_discover(struct session *s, struct message *m)
{
	struct dmarc_request dr;

	if (m->discovered || s->trusted || m->authenticated ||
	    !s->env->cfg->dmarc.enabled || pipeline_dmarc_off(m))
		return;
	m->discovered = 1;
	pipeline_dmarc_request(m, &dr);
	dmarc_discover(s->env->res, s->env->psl, s->env->cfg, &dr,
	    &m->results.dmarc);
	if (m->dkim != NULL)
		dkim_verifier_budgets(m->dkim, &m->dns_other, &m->dns_dmarc,
		    dmarc_org_domain(&m->results.dmarc));
}

/* pipeline_eoh - end of headers: DKIM keys, ARC sets and body hashes */
void
pipeline_eoh(struct session *s)
{
	struct message *m = pipeline_msg(s);
	struct dkim_verifier *v = pipeline_dkim(s, m);
	const struct config *cfg = s->env->cfg;

	if (m->eoh)
		return;
	m->eoh = 1;
	pipeline_ingest_eoh(m);
	/* the author is known now: the local policy rule, if one applies */
	if (pipeline_checked(s, m)) {
		m->results.override = override_match(cfg, m->ambiguous ? NULL :
		    m->author, m->mailfrom, &s->client);
		prefetch_header(s->env->res, cfg, &m->hdr, m->author);
	}
	pipeline_discover(s, m);
	pipeline_failure_eoh(s, m);
	if (v != NULL)
		dkim_verifier_eoh(v);
	if (m->arc == NULL && (cfg->arc.verify || cfg->arc.seal.enabled)) {
		m->arc = arc_verifier_new(cfg->arc.seal.enabled);
		arc_verifier_limits(m->arc, cfg->limits.arc_sets,
		    &m->dns_other);
		arc_verifier_keycache(m->arc, s->env->keys);
		arc_verifier_eoh(m->arc, &m->hdr);
	}
	pipeline_sign_start(s, m);
}

/* pipeline_body - one body chunk, streamed, never kept */
void
pipeline_body(struct session *s, const unsigned char *data, size_t len)
{
	struct message *m = pipeline_msg(s);
	struct dkim_verifier *v = pipeline_dkim(s, m);

	pipeline_eoh(s);	/* once; a body may come without end of headers */
	if (v != NULL)
		dkim_verifier_body(v, data, len);
	if (m->arc != NULL)
		arc_verifier_body(m->arc, data, len);
	pipeline_failure_body(m, data, len);
	pipeline_ingest_body(m, data, len);
	pipeline_sign_body(m, data, len);
}

/* pipeline_dmarc - DMARC over what SPF and DKIM found */
static void
pipeline_dmarc(struct session *s, struct message *m)
{
	struct dmarc_request dr;

	pipeline_dmarc_request(m, &dr);
	if (!m->discovered) {
		m->discovered = 1;
		dmarc_discover(s->env->res, s->env->psl, s->env->cfg, &dr,
		    &m->results.dmarc);
	}
	dmarc_evaluate(s->env->res, s->env->psl, s->env->cfg, &dr,
	    &m->results.dmarc);
}

/* pipeline_arc - validate the chain (sealing needs its status too) */
static void
pipeline_arc(struct session *s, struct message *m)
{
	if (m->arc == NULL)
		pipeline_eoh(s);
	if (m->arc != NULL)
		arc_verifier_finish(m->arc, s->env->res, &m->hdr, s->leadspc,
		    s->env->cfg->dkim.min_key_bits, &m->results.arc);
}

/*
 * pipeline_trusted_aar - what our ADMD recorded before: the A-R fields
 * with our authserv-id, merged (RFC 8617 4.1.1), for sealing mail of a
 * trusted (internal) client we do not check again
 */
static void
pipeline_trusted_aar(struct session *s, struct message *m, struct buf *out)
{
	size_t i;
	int first = 1;

	for (i = 0; i < m->hdr.n; i++) {
		const struct hdr_field *f = &m->hdr.f[i];
		const char *v = f->value, *semi;
		size_t len = f->vlen;

		if (!hdr_name_is(f->name, "Authentication-Results") ||
		    !authres_claims(v, len, s->authserv_id))
			continue;
		while (len > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			len--;
		}
		if (first)
			buf_append(out, v, len);
		else if ((semi = memchr(v, ';', len)) != NULL) {
			buf_puts(out, ";\n\t");
			buf_append(out, semi + 1, len - (size_t)(semi + 1 - v));
		}
		first = 0;
	}
	if (first)
		buf_printf(out, "%s; none", s->authserv_id);
}

/* pipeline_seal - RFC 8617 5.1: add our set to mail we let through */
static void
pipeline_seal(struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;
	struct buf payload, why;
	struct arc_key k;

	if (!cfg->arc.seal.enabled || m->arc == NULL ||
	    m->decision.action == POLICY_REJECT ||
	    m->decision.action == POLICY_TEMPFAIL)
		return;
	buf_init(&payload, 65536);
	buf_init(&why, 256);
	if (s->trusted && m->results.upstream == NULL)
		pipeline_trusted_aar(s, m, &payload);
	else
		buf_append(&payload, m->arheader.data, m->arheader.len);
	pipeline_seal_key(s, m, &k);
	if (arc_seal(m->arc, &m->results.arc, &k, cfg, &m->hdr,
	    s->leadspc, payload.data, s->fixed_time ? s->fixed_time :
	    time(NULL), &m->seal, &why) < 0)
		log_err("c=%lu: ARC sealing failed: %s", s->id, why.data);
	buf_free(&payload);
	buf_free(&why);
}

/* pipeline_check - run every enabled method */
static void
pipeline_check(struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;
	const struct dmarc_result *dm = &m->results.dmarc;
	const char *at = strrchr(m->mailfrom, '@');
	struct spf_request sr;

	pipeline_eoh(s);	/* once: a message may end without it */
	if (cfg->spf.enabled && m->results.upstream == NULL) {
		memset(&sr, 0, sizeof(sr));
		sr.client = &s->client;
		sr.helo = s->helo;
		sr.mailfrom = m->mailfrom;
		sr.check_helo = cfg->spf.helo;
		sr.receiver = s->authserv_id;
		sr.max_terms = cfg->limits.spf_lookups;
		/* only the identity DMARC uses may spend DMARC's time */
		sr.mailfrom_budget = dmarc_may_align(dm, at != NULL ? at + 1 :
		    m->mailfrom) ? &m->dns_dmarc : &m->dns_other;
		sr.helo_budget = *m->mailfrom == '\0' && s->helo != NULL &&
		    dmarc_may_align(dm, s->helo) ? &m->dns_dmarc :
		    &m->dns_other;
		spf_check(s->env->res, &sr, &m->results.spf);
	}
	if (cfg->dkim.enabled && m->results.upstream == NULL &&
	    pipeline_dkim(s, m) != NULL)
		dkim_verifier_finish(m->dkim, &m->results.dkim);
	if (cfg->dmarc.enabled && !pipeline_dmarc_off(m))
		pipeline_dmarc(s, m);
	pipeline_arc(s, m);
	/* iprev can never align with the author: the other budget */
	if (cfg->iprev.enabled && s->client.family != 0)
		iprev_check(s->env->res, &m->dns_other, &s->client,
		    &m->results.iprev);
	if (cfg->tls.enabled)
		results_tls_set(&m->results.tls, s->tls.version,
		    s->tls.cipher, s->tls.bits, s->tls.subject);
}

/*
 * pipeline_upstream - a trusted client brought the A-R of a listed
 * authserv-id: its SPF and DKIM results stand in for our checks
 * (core/upstream.h), and the rest is decided as for any other client
 */
static int
pipeline_upstream(struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;

	if (cfg->policy.trusted_authserv_ids.n == 0)
		return 0;
	pipeline_eoh(s);
	m->results.upstream = upstream_results(&m->hdr, cfg,
	    *m->mailfrom == '\0', &m->results);
	if (m->results.upstream == NULL)
		return 0;
	m->results.override = override_match(cfg, m->ambiguous ? NULL :
	    m->author, m->mailfrom, &s->client);
	return 1;
}

/* pipeline_eom - end of message: checks, decision, the verdict */
const struct pipeline_verdict *
pipeline_eom(struct session *s)
{
	struct message *m = pipeline_msg(s);
	struct authres ar;

	if (m->evaluated)
		return &m->verdict;
	m->evaluated = 1;
	pipeline_eoh(s);	/* once: the signers need the whole header */
	if (s->trusted && (m->authenticated || !pipeline_upstream(s, m))) {
		/* a signing, sealing or ingesting daemon, or one that looked
		 * for upstream A-R (the others accept trusted clients at
		 * connect) */
		m->decision.action = POLICY_ACCEPT;
		m->decision.why = "trusted network";
		pipeline_bimi_keep(m);
		pipeline_sign_finish(s, m);
		if (s->env->cfg->arc.seal.enabled) {
			pipeline_arc(s, m);
			pipeline_seal(s, m);
			arc_result_free(&m->results.arc);
		}
	} else if (m->authenticated) {
		m->decision.action = POLICY_ACCEPT;
		m->decision.why = "authenticated client";
		pipeline_sign_finish(s, m);
	} else {
		pipeline_check(s, m);
		/* validated for sealing only: not reported, not for policy */
		if (!s->env->cfg->arc.verify)
			m->results.arc.checked = 0;
		policy_decide(&m->results, s->env->cfg, &m->decision);
		pipeline_bimi(s, m);
		authres_init(&ar, s->authserv_id);
		results_authres(&m->results, &m->decision, s->client_ip,
		    s->env->cfg->arc.report_remote_ip, &ar);
		authres_format(&ar, &m->arheader);
		authres_free(&ar);
		/* a trusted host's SPF result is not this receiver's */
		if (s->env->cfg->spf.received_spf &&
		    m->results.upstream == NULL)
			results_received_spf(&m->results.spf, s->client_ip,
			    s->helo, *m->mailfrom != '\0' ? m->mailfrom :
			    "<>", s->authserv_id, &m->rspf);
		/* signed first: the seal covers the new signatures */
		pipeline_sign_finish(s, m);
		pipeline_seal(s, m);
		pipeline_report(s, m);
		pipeline_failure(s, m);
	}
	pipeline_verdict_make(s, m);
	pipeline_ingest_eom(s, m);
	return &m->verdict;
}

/* pipeline_end - the transaction is over: answered, or ended early */
void
pipeline_end(struct session *s)
{
	pipeline_message_free(s->msg);
	s->msg = NULL;
}

/* pipeline_close - the connection is gone; safe with s == NULL */
void
pipeline_close(struct session *s)
{
	if (s == NULL)
		return;
	pipeline_end(s);
	metrics_conn(s->env->metrics, -1);
	pipeline_env_release(s->env);
	free(s->helo);
	free(s->authserv_id);
	results_tls_set(&s->tls, NULL, NULL, NULL, NULL);
	free(s);
}

/*
 * pipeline_fault - a front end could not carry out the verdict (milter:
 * a libmilter call failed) or hit an internal error: count it
 */
void
pipeline_fault(struct session *s, int milter)
{
	if (s != NULL)
		metrics_error(s->env->metrics, milter ? METRICS_ERR_MILTER :
		    METRICS_ERR_INTERNAL);
}

/* pipeline_elapsed_ms - milliseconds since MAIL FROM */
long
pipeline_elapsed_ms(const struct message *m)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - m->start.tv_sec) * 1000 +
	    (now.tv_nsec - m->start.tv_nsec) / 1000000;
}
