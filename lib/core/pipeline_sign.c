/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_sign - outbound mail: which messages get DKIM signatures, with
 * which keys (by the author domain), and which key seals a message (by
 * the recipients' domain)
 *
 * A message is signed when its client's mail is (signing.sign_trusted
 * and a trusted client, a client in signing.networks, or an SMTP AUTH
 * client with signing.sign_authenticated) and signing.keys has a key for
 * its author domain (or signing.default_domain). The keys are chosen at
 * end of headers, when the whole header is known; the header is fed
 * then, the body as it comes; the signatures are made at end of message,
 * unless the message is refused. They cover the message as delivered:
 * the fields the milter adds itself (our Authentication-Results,
 * Received-SPF, the Junk mark, the ARC set) are never signed (config
 * refuses them in signing.headers), and the forged A-R and marks it
 * deletes are not signed either, for the same reason.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "auth/dkimsign.h"
#include "core/metrics.h"
#include "core/pipeline_priv.h"

/* pipeline_sign_client - is this connection's mail signed, all of it */
int
pipeline_sign_client(const struct session *s)
{
	const struct config *cfg = s->env->cfg;

	if (s->env->signer == NULL || s->client.family == 0)
		return 0;
	return (s->trusted && cfg->signing.sign_trusted) || cidr_match_any(
	    cfg->signing.nets, cfg->signing.nnets, &s->client);
}

/* pipeline_sign_init - a new message: signed? auth is {auth_authen} */
void
pipeline_sign_init(struct session *s, struct message *m, const char *auth)
{
	m->sign = s->sign_client || (s->env->signer != NULL &&
	    auth != NULL && *auth != '\0' &&
	    s->env->cfg->signing.sign_authenticated);
}

/* pipeline_sign_keys - the keys for the author; 0 with unsigned_why */
static size_t
pipeline_sign_keys(struct session *s, struct message *m,
    const struct keytable_key **k)
{
	const struct config *cfg = s->env->cfg;
	size_t n = 0;

	if (m->nfrom == 0)
		snprintf(m->unsigned_why, sizeof(m->unsigned_why),
		    "no From field");
	else if (m->ambiguous)
		snprintf(m->unsigned_why, sizeof(m->unsigned_why),
		    "no single author domain: %.150s", m->author_why);
	else if (m->author == NULL)
		snprintf(m->unsigned_why, sizeof(m->unsigned_why),
		    "From without a domain");
	else if (m->hdr.overflow)
		snprintf(m->unsigned_why, sizeof(m->unsigned_why),
		    "header over the limits");
	else if ((n = keytable_lookup(s->env->sign_keys, m->author, k,
	    KEYTABLE_MAX_KEYS)) == 0 && *cfg->signing.default_domain != '\0')
		n = keytable_lookup(s->env->sign_keys,
		    cfg->signing.default_domain, k, KEYTABLE_MAX_KEYS);
	if (n == 0 && m->unsigned_why[0] == '\0')
		snprintf(m->unsigned_why, sizeof(m->unsigned_why),
		    "no key for %s", m->author);
	return n;
}

/* pipeline_sign_one - a signer for key k, fed the whole header */
static void
pipeline_sign_one(struct session *s, struct message *m,
    const struct keytable_key *k)
{
	struct pipeline_sig *g = &m->sig[m->nsig++];
	struct buf why;
	char id[48];
	size_t i;

	g->key = k;
	snprintf(id, sizeof(id), "c=%lu", s->id);
	buf_init(&why, sizeof(g->why));
	g->ds = dkimsign_new(s->env->signer, id, k, s->fixed_time, &why);
	if (g->ds == NULL)
		snprintf(g->why, sizeof(g->why), "%s", why.data);
	buf_free(&why);
	for (i = 0; g->ds != NULL && i < m->hdr.n; i++)
		if (dkimsign_header(g->ds, m->hdr.f[i].name, m->hdr.f[i].value,
		    m->hdr.f[i].vlen, s->leadspc) != 0)
			break;
	if (g->ds != NULL)
		dkimsign_eoh(g->ds);
}

/* pipeline_sign_start - end of headers: the keys, the header fed */
void
pipeline_sign_start(struct session *s, struct message *m)
{
	const struct keytable_key *k[KEYTABLE_MAX_KEYS];
	size_t i, n;

	if (!m->sign || m->sign_ready)
		return;
	m->sign_ready = 1;
	n = pipeline_sign_keys(s, m, k);
	for (i = 0; i < n; i++)
		pipeline_sign_one(s, m, k[i]);
}

/* pipeline_sign_body - one body chunk to every signer */
void
pipeline_sign_body(struct message *m, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < m->nsig; i++)
		if (m->sig[i].ds != NULL)
			dkimsign_body(m->sig[i].ds, p, len);
}

/* pipeline_sign_make - one signature's value, or why not */
static void
pipeline_sign_make(struct session *s, struct message *m,
    struct pipeline_sig *g)
{
	struct buf v, why;

	buf_init(&v, DKIMSIGN_MAX_VALUE + 2);
	buf_init(&why, sizeof(g->why));
	if (s->leadspc)
		buf_putc(&v, ' ');
	/* the seal that follows covers it where it will be: on top */
	if (dkimsign_finish(g->ds, &m->hdr, s->leadspc, &v, &why) == 0 &&
	    hdr_add_top(&m->hdr, "DKIM-Signature", v.data, v.len) == 0)
		g->value = xstrdup(v.data + (s->leadspc ? 1 : 0));
	else {
		if (why.len == 0)
			buf_puts(&why, "no room on top of the header");
		snprintf(g->why, sizeof(g->why), "%s", why.data);
		if (m->queue_id != NULL)
			log_err("%s: DKIM signing as d=%s s=%s failed: %s",
			    m->queue_id, g->key->domain, g->key->selector,
			    g->why);
		else
			log_err("c=%lu: DKIM signing as d=%s s=%s failed: %s",
			    s->id, g->key->domain, g->key->selector, g->why);
	}
	buf_free(&v);
	buf_free(&why);
	dkimsign_free(g->ds);
	g->ds = NULL;
}

/* pipeline_sign_finish - end of message: the signatures, unless refused */
void
pipeline_sign_finish(struct session *s, struct message *m)
{
	size_t i;

	if (!m->sign)
		return;
	pipeline_sign_start(s, m);
	if (m->decision.action == POLICY_REJECT ||
	    m->decision.action == POLICY_TEMPFAIL) {
		pipeline_sign_free(m);
		snprintf(m->unsigned_why, sizeof(m->unsigned_why), "refused");
		return;
	}
	for (i = 0; i < m->nsig; i++)
		if (m->sig[i].ds != NULL)
			pipeline_sign_make(s, m, &m->sig[i]);
}

/* pipeline_sign_free - signers and signatures of a message */
void
pipeline_sign_free(struct message *m)
{
	size_t i;

	for (i = 0; i < m->nsig; i++) {
		dkimsign_free(m->sig[i].ds);
		free(m->sig[i].value);
	}
	memset(m->sig, 0, sizeof(m->sig));
	m->nsig = 0;
}

/*
 * pipeline_sign_log - " signed=d=D,s=S,a=A[;d=...]" for the signatures
 * made and " unsigned=\"WHY\"" for what was not (authmilter(8)
 * LOGGING); nothing for a message that was not to be signed
 */
void
pipeline_sign_log(const struct message *m, struct buf *out)
{
	const char *sep = " signed=";
	struct buf why;
	size_t i;

	if (!m->sign)
		return;
	buf_init(&why, 512);
	for (i = 0; i < m->nsig; i++) {
		const struct pipeline_sig *g = &m->sig[i];

		if (g->value != NULL) {
			buf_printf(out, "%sd=%s,s=%s,a=%s", sep, g->key->domain,
			    g->key->selector, pkey_alg_name(g->key->alg));
			sep = ";";
		} else
			buf_printf(&why, "%ss=%s: %s", why.len ? "; " : "",
			    g->key->selector, g->why);
	}
	if (m->unsigned_why[0] != '\0')
		buf_puts(&why, m->unsigned_why);
	if (why.len > 0) {
		buf_puts(out, " unsigned=");
		log_safe(out, why.data, why.len);
	}
	buf_free(&why);
}

/* pipeline_sign_json - "signed": [{"d","s","a"}], "unsigned": "..." */
void
pipeline_sign_json(const struct message *m, struct buf *out)
{
	struct buf why;
	size_t i;
	int first = 1;

	if (!m->sign)
		return;
	json_key(out, "signed", 0);
	buf_putc(out, '[');
	buf_init(&why, 512);
	for (i = 0; i < m->nsig; i++) {
		const struct pipeline_sig *g = &m->sig[i];

		if (g->value == NULL) {
			buf_printf(&why, "%ss=%s: %s", why.len ? "; " : "",
			    g->key->selector, g->why);
			continue;
		}
		buf_puts(out, first ? "{" : ",{");
		json_kv(out, "d", g->key->domain, 1);
		json_kv(out, "s", g->key->selector, 0);
		json_kv(out, "a", pkey_alg_name(g->key->alg), 0);
		buf_putc(out, '}');
		first = 0;
	}
	buf_putc(out, ']');
	if (m->unsigned_why[0] != '\0')
		buf_puts(&why, m->unsigned_why);
	if (why.len > 0)
		json_kv(out, "unsigned", why.data, 0);
	buf_free(&why);
}

/* pipeline_sign_count - authmilter_signatures_total for one message */
void
pipeline_sign_count(const struct message *m, struct metrics *mx)
{
	size_t i;

	if (!m->sign)
		return;
	for (i = 0; i < m->nsig; i++)
		metrics_signature(mx, m->sig[i].key->alg == PKEY_ED25519_SHA256,
		    m->sig[i].value != NULL);
	if (m->nsig == 0)
		metrics_unsigned(mx);
}

/*
 * pipeline_seal_key - who seals this message: the arc.seal.keys line of
 * its recipients' one domain, else (several domains, none listed) the
 * arc.seal.domain, selector and key_file default
 */
void
pipeline_seal_key(const struct session *s, const struct message *m,
    struct arc_key *k)
{
	const struct config *cfg = s->env->cfg;
	const struct keytable_key *t;

	k->domain = cfg->arc.seal.domain;
	k->selector = cfg->arc.seal.selector;
	k->alg = cfg->arc.seal.algorithm == CONFIG_ARC_ED25519_SHA256 ?
	    PKEY_ED25519_SHA256 : PKEY_RSA_SHA256;
	k->key = s->env->seal_key;
	if (m->rcpt_mixed || m->rcpt_domain == NULL ||
	    keytable_lookup(s->env->seal_keys, m->rcpt_domain, &t, 1) != 1)
		return;
	k->domain = t->domain;
	k->selector = t->selector;
	k->alg = t->alg;
	k->key = t->key;
}
