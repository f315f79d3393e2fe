/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_arc - ARC (RFC 8617) sealing and validation together: chains sealed
 * by arc_seal() hop after hop (ed25519 and RSA keys published through
 * dns.local_data) validate with arc_verify, and each way of breaking one
 * gives the RFC 8617 result: AMS body hash and signature, AS signature,
 * instance numbering, cv= (5.2 step 3; a cv=fail seal ends the chain),
 * sets with a field missing or twice, more sets than allowed; then the
 * trusted-sealer override of lib/core/policy.c (RFC 8617 7.2.1) on those
 * chains
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/arc.h"
#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "mail/hdr.h"
#include "auth/pkey.h"
#include "core/policy.h"
#include "dns/resolver.h"
#include "core/results.h"
#include "unit.h"
#include "util/xalloc.h"

#define T_ARC_FIELDS	200		/* fields of a test message */
#define T_ARC_TIME	1700000000	/* t= of every seal */
#define T_ARC_AAR	"mx.%s; dmarc=pass header.from=author.example"

/* a sealer: its key, published at <selector>._domainkey.<domain> */
struct t_arc_sealer {
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
	int		 rsa;		/* rsa-sha256, else ed25519-sha256 */
	EVP_PKEY	*key;		/* private key */
	struct config	*cfg;		/* arc.seal.* for this sealer */
};

static struct t_arc_sealer t_arc_sealers[] = {
	{ "a.example", "s1", 0, NULL, NULL },
	{ "b.example", "s2", 1, NULL, NULL },
	{ "c.example", "s3", 0, NULL, NULL },
};
#define T_ARC_A	(&t_arc_sealers[0])
#define T_ARC_B	(&t_arc_sealers[1])
#define T_ARC_C	(&t_arc_sealers[2])

/* a message: header fields top first (values with their leading space) */
struct t_arc_msg {
	char		*name[T_ARC_FIELDS];	/* field names */
	char		*value[T_ARC_FIELDS];	/* raw values */
	int		 n;			/* fields */
	char		 body[256];		/* CRLF lines */
};

static struct resolver *t_arc_res;

/* t_arc_key - a sealer's key and its key record */
static void
t_arc_key(struct t_arc_sealer *s, int i, struct buf *rec)
{
	unsigned char seed[32], raw[32], *der = NULL;
	size_t j, rawlen = sizeof(raw);
	int dlen;

	if (s->rsa) {
		s->key = EVP_RSA_gen(2048);
		dlen = s->key ? i2d_PUBKEY(s->key, &der) : -1;
		if (dlen <= 0)
			abort();
		buf_puts(rec, "v=DKIM1; k=rsa; p=");
		pkey_b64(der, (size_t)dlen, rec);
		OPENSSL_free(der);
		return;
	}
	for (j = 0; j < sizeof(seed); j++)
		seed[j] = (unsigned char)(i * 53 + j * 7 + 3);
	s->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	if (s->key == NULL || EVP_PKEY_get_raw_public_key(s->key, raw,
	    &rawlen) != 1)
		abort();
	buf_puts(rec, "v=DKIM1; k=ed25519; p=");
	pkey_b64(raw, rawlen, rec);
}

/* t_arc_setup - keys, the zone with their records, sealer configs */
static int
t_arc_setup(int *sockp)
{
	struct buf text, rec, rr;
	struct config *cfg;
	size_t i, j;
	int port;

	if ((*sockp = fixture_silent(&port)) < 0)
		return -1;
	buf_init(&text, 65536);
	buf_init(&rec, 4096);
	buf_init(&rr, 4096);
	buf_printf(&text, "dns = {\n  timeout = 2;\n  nameservers = [ "
	    "\"127.0.0.1@%d\" ];\n  local_zones = [ \"example. static\" ];\n"
	    "  local_data = [ ", port);
	for (i = 0; i < sizeof(t_arc_sealers) / sizeof(t_arc_sealers[0]);
	    i++) {
		struct t_arc_sealer *s = &t_arc_sealers[i];
		char c[512];

		buf_reset(&rec);
		buf_reset(&rr);
		t_arc_key(s, (int)i, &rec);
		/* a TXT string holds 255 bytes: several for an RSA key */
		buf_printf(&rr, "%s._domainkey.%s. TXT", s->selector,
		    s->domain);
		for (j = 0; j < rec.len; j += 200)
			buf_printf(&rr, " \"%.200s\"", rec.data + j);
		buf_puts(&text, i ? ",\n    " : "");
		fixture_quote(&text, rr.data);
		snprintf(c, sizeof(c), "arc = { seal = { domain = \"%s\"; "
		    "selector = \"%s\"; algorithm = \"%s\"; }; };\n",
		    s->domain, s->selector, s->rsa ? "rsa-sha256" :
		    "ed25519-sha256");
		s->cfg = fixture_config(c);
	}
	buf_puts(&text, " ];\n};\n");
	cfg = fixture_config(text.data);
	t_arc_res = fixture_resolver(cfg);
	config_release(cfg);
	buf_free(&text);
	buf_free(&rec);
	buf_free(&rr);
	return 0;
}

/* t_arc_msg_new - the message before any hop */
static struct t_arc_msg *
t_arc_msg_new(void)
{
	static const char *const f[][2] = {
		{ "From", " Author <a@author.example>" },
		{ "To", " b@rcpt.example" },
		{ "Subject", " ARC unit test" },
		{ "Date", " Tue, 14 Nov 2023 22:13:20 +0000" },
		{ "Message-ID", " <t-arc@author.example>" },
	};
	struct t_arc_msg *m = xcalloc(1, sizeof(*m));
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		m->name[m->n] = xstrdup(f[i][0]);
		m->value[m->n++] = xstrdup(f[i][1]);
	}
	snprintf(m->body, sizeof(m->body), "Hello,\r\n\r\nthe body.\r\n");
	return m;
}

/* t_arc_msg_free - and its fields */
static void
t_arc_msg_free(struct t_arc_msg *m)
{
	int i;

	for (i = 0; i < m->n; i++) {
		free(m->name[i]);
		free(m->value[i]);
	}
	free(m);
}

/* t_arc_top - a field added on top, its value after a space */
static void
t_arc_top(struct t_arc_msg *m, const char *name, const char *value)
{
	if (m->n == T_ARC_FIELDS)
		abort();
	memmove(&m->name[1], &m->name[0], (size_t)m->n * sizeof(char *));
	memmove(&m->value[1], &m->value[0], (size_t)m->n * sizeof(char *));
	m->name[0] = xstrdup(name);
	m->value[0] = xmalloc(strlen(value) + 2);
	m->value[0][0] = ' ';
	strcpy(m->value[0] + 1, value);
	m->n++;
}

/* t_arc_find - the field name with "i=inst" in its value, or -1 */
static int
t_arc_find(const struct t_arc_msg *m, const char *name, int inst)
{
	char want[16];
	int i;

	snprintf(want, sizeof(want), "i=%d;", inst);
	for (i = 0; i < m->n; i++)
		if (strcasecmp(m->name[i], name) == 0 &&
		    strncmp(m->value[i] + 1, want, strlen(want)) == 0)
			return i;
	return -1;
}

/* t_arc_edit - in field (name, i=inst), the first old becomes new */
static void
t_arc_edit(struct t_arc_msg *m, const char *name, int inst, const char *old,
    const char *new)
{
	int k = t_arc_find(m, name, inst);
	char *p, *v;

	if (k < 0 || (p = strstr(m->value[k], old)) == NULL)
		abort();
	v = xmalloc(strlen(m->value[k]) - strlen(old) + strlen(new) + 1);
	memcpy(v, m->value[k], (size_t)(p - m->value[k]));
	strcpy(v + (p - m->value[k]), new);
	strcat(v, p + strlen(old));
	free(m->value[k]);
	m->value[k] = v;
}

/* t_arc_drop - remove field (name, i=inst) */
static void
t_arc_drop(struct t_arc_msg *m, const char *name, int inst)
{
	int k = t_arc_find(m, name, inst);

	if (k < 0)
		abort();
	free(m->name[k]);
	free(m->value[k]);
	memmove(&m->name[k], &m->name[k + 1], (size_t)(m->n - k - 1) *
	    sizeof(char *));
	memmove(&m->value[k], &m->value[k + 1], (size_t)(m->n - k - 1) *
	    sizeof(char *));
	m->n--;
}

/* t_arc_run - validate m; a verifier that may seal, or NULL */
static struct arc_verifier *
t_arc_run(const struct t_arc_msg *m, int max_sets, struct hdr *h,
    struct arc_result *r)
{
	struct arc_verifier *v = arc_verifier_new(1);
	int i;

	hdr_init(h);
	for (i = 0; i < m->n; i++)
		hdr_add(h, m->name[i], m->value[i], strlen(m->value[i]));
	arc_verifier_limits(v, max_sets, NULL);
	arc_verifier_eoh(v, h);
	arc_verifier_body(v, (const unsigned char *)m->body,
	    strlen(m->body));
	arc_verifier_finish(v, t_arc_res, h, 1, 1024, r);
	return v;
}

/* t_arc_verify - the validation status of m */
static void
t_arc_verify(const struct t_arc_msg *m, int max_sets, struct arc_result *r)
{
	struct hdr h;

	arc_verifier_free(t_arc_run(m, max_sets, &h, r));
	hdr_free(&h);
}

/*
 * t_arc_hop_add - one forwarder: validate, append add to the body (a
 * mailing list's footer; NULL: none), then seal as sealer s with an AAR
 * saying aar (T_ARC_AAR if NULL); 0 sealed, 1 nothing added, -1 failed
 */
static int
t_arc_hop_add(struct t_arc_msg *m, struct t_arc_sealer *s, const char *aar,
    const char *add)
{
	struct arc_verifier *v;
	struct arc_result r, r2;
	struct arc_seal_out out;
	struct arc_key k;
	struct buf why, payload;
	struct hdr h;
	int rc;

	buf_init(&why, 256);
	buf_init(&payload, 1024);
	if (aar != NULL)
		buf_puts(&payload, aar);
	else
		buf_printf(&payload, T_ARC_AAR, s->domain);
	v = t_arc_run(m, 0, &h, &r);
	if (add != NULL) {
		/* the chain as received decides cv=; the new AMS signs the
		 * body as it leaves */
		strcat(m->body, add);
		arc_verifier_free(v);
		hdr_free(&h);
		v = t_arc_run(m, 0, &h, &r2);
		arc_result_free(&r2);
	}
	k.domain = s->domain;
	k.selector = s->selector;
	k.alg = s->rsa ? PKEY_RSA_SHA256 : PKEY_ED25519_SHA256;
	k.key = s->key;
	rc = arc_seal(v, &r, &k, s->cfg, &h, 1, payload.data, T_ARC_TIME,
	    &out, &why);
	if (rc == 0) {
		/* each on top: ARC-Seal ends up first (RFC 8617 5.1) */
		t_arc_top(m, "ARC-Authentication-Results", out.aar);
		t_arc_top(m, "ARC-Message-Signature", out.ams);
		t_arc_top(m, "ARC-Seal", out.as);
	} else if (rc < 0)
		fprintf(stderr, "t_arc: sealing failed: %s\n", why.data);
	arc_seal_out_free(&out);
	arc_result_free(&r);
	arc_verifier_free(v);
	hdr_free(&h);
	buf_free(&why);
	buf_free(&payload);
	return rc;
}

/* t_arc_hop - one forwarder that changes nothing */
static int
t_arc_hop(struct t_arc_msg *m, struct t_arc_sealer *s, const char *aar)
{
	return t_arc_hop_add(m, s, aar, NULL);
}

/* t_arc_chain - a message through the sealers of list, in order */
static struct t_arc_msg *
t_arc_chain(const char *list)
{
	struct t_arc_msg *m = t_arc_msg_new();

	for (; *list != '\0'; list++)
		if (t_arc_hop(m, &t_arc_sealers[*list - 'A'], NULL) != 0)
			abort();
	return m;
}

/* t_arc_want - result and reason (a prefix of it; NULL: any) */
static void
t_arc_want(const char *label, const struct arc_result *r,
    enum method_result want, const char *reason)
{
	UNIT_CHECK(r->checked && r->result == want && (reason == NULL ||
	    strncmp(r->reason, reason, strlen(reason)) == 0), label,
	    "arc=%s (%s), want %s (%s)", method_result_name(r->result),
	    r->reason, method_result_name(want), reason ? reason : "any");
}

/* t_arc_good - chains that validate */
static void
t_arc_good(void)
{
	struct t_arc_msg *m = t_arc_msg_new();
	struct arc_result r;

	t_arc_verify(m, 0, &r);
	t_arc_want("no sets: none", &r, METHOD_NONE, "no ARC sets");
	UNIT_CHECK(r.n == 0 && r.sealable && r.sealers == NULL, "no sets",
	    "n %d sealable %d", r.n, r.sealable);
	arc_result_free(&r);
	UNIT_CHECK(t_arc_hop(m, T_ARC_A, NULL) == 0, "first seal", "failed");
	UNIT_CHECK(strncmp(m->value[0], " i=1; a=ed25519-sha256; cv=none; "
	    "d=a.example; s=s1;", 33) == 0, "AS(1) tags", "%s", m->value[0]);
	t_arc_verify(m, 0, &r);
	t_arc_want("one set", &r, METHOD_PASS, "chain of 1 valid");
	UNIT_CHECK(r.n == 1 && r.oldest_pass == 0 && r.sealable &&
	    strcmp(r.sealers, "a.example") == 0 &&
	    strcmp(r.newest_sealer, "a.example") == 0 &&
	    strcmp(r.newest_aar, " mx.a.example; dmarc=pass "
	    "header.from=author.example") == 0, "one set: details",
	    "n %d oldest %d sealers %s aar [%s]", r.n, r.oldest_pass,
	    r.sealers, r.newest_aar);
	arc_result_free(&r);
	UNIT_CHECK(t_arc_hop(m, T_ARC_B, NULL) == 0, "RSA seal", "failed");
	UNIT_CHECK(strstr(m->value[0], "cv=pass; d=b.example") != NULL &&
	    strstr(m->value[0], "a=rsa-sha256") != NULL, "AS(2) tags", "%s",
	    m->value[0]);
	UNIT_CHECK(t_arc_hop(m, T_ARC_C, NULL) == 0, "third seal", "failed");
	t_arc_verify(m, 0, &r);
	t_arc_want("three sets, two algorithms", &r, METHOD_PASS,
	    "chain of 3 valid");
	UNIT_CHECK(r.n == 3 && r.oldest_pass == 0 && strcmp(r.sealers,
	    "a.example,b.example,c.example") == 0 && strcmp(r.newest_sealer,
	    "c.example") == 0, "three sets: details", "n %d oldest %d %s",
	    r.n, r.oldest_pass, r.sealers);
	arc_result_free(&r);
	t_arc_msg_free(m);
	/* a list changed the body at hop 2: only AMS(n) must hold (5.2 step
	 * 4); the oldest AMS that still validates is reported (step 5) */
	m = t_arc_chain("A");
	t_arc_hop_add(m, T_ARC_B, NULL, "added by a list\r\n");
	t_arc_hop(m, T_ARC_C, NULL);
	t_arc_verify(m, 0, &r);
	t_arc_want("body changed after hop 1", &r, METHOD_PASS, NULL);
	UNIT_CHECK(r.oldest_pass == 2, "oldest-pass 2", "%d", r.oldest_pass);
	arc_result_free(&r);
	t_arc_msg_free(m);
}

/* t_arc_broken - the failure modes of RFC 8617 5.2, one per case */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*chain;		/* sealers, in order */
	const char	*field;		/* field to edit (drop: new NULL) */
	int		 inst;		/* its i= */
	const char	*old, *new;	/* text replaced in it */
	const char	*reason;	/* start of the fail reason */
} t_arc_broken_cases[] = {
	{ "AS(1) b= broken", "A", "ARC-Seal", 1, "b=", "b=AAAA",
	    "i=1 AS signature mismatch" },
	{ "AAR(1) changed: AS(1) breaks", "A", "ARC-Authentication-Results",
	    1, "dmarc=pass", "dmarc=fail", "i=1 AS signature mismatch" },
	{ "AAR(1) changed under AS(2)", "AB", "ARC-Authentication-Results", 1,
	    "dmarc=pass", "dmarc=none", "i=2 AS signature mismatch" },
	{ "AS(1) changed under AS(2)", "AC", "ARC-Seal", 1, "t=", "t=1",
	    "i=2 AS signature mismatch" },
	{ "AMS(1) changed under AS(2)", "AC", "ARC-Message-Signature", 1,
	    "t=", "t=1", "i=2 AS signature mismatch" },
	{ "AMS(2) b= broken", "AB", "ARC-Message-Signature", 2, "b=",
	    "b=AAAA", "i=2 AMS signature mismatch" },
	{ "AMS(2) bh= broken", "AC", "ARC-Message-Signature", 2, "bh=",
	    "bh=AAAA", "i=2 AMS body hash mismatch" },
	{ "AMS signs ARC-Seal", "A", "ARC-Message-Signature", 1, "h=",
	    "h=arc-seal:", "i=1 AMS signs ARC-Seal" },
	{ "AMS without bh=", "A", "ARC-Message-Signature", 1, "bh=", "bx=",
	    "i=1 AMS without h= or bh=" },
	{ "AS with h=", "A", "ARC-Seal", 1, "b=", "h=from; b=",
	    "i=1 AS with h=" },
	{ "AS without a=", "A", "ARC-Seal", 1, "a=", "x=",
	    "i=1 a required tag is missing" },
	{ "AS with an unknown algorithm", "A", "ARC-Seal", 1,
	    "a=ed25519-sha256", "a=ed448-sha512", "i=1 unknown algorithm" },
	{ "AS of a selector without a key", "A", "ARC-Seal", 1, "s=s1",
	    "s=nokey", "i=1 no key, TXT nokey._domainkey." },
	/* cv= (5.2 step 3) */
	{ "cv=pass at i=1", "A", "ARC-Seal", 1, "cv=none", "cv=pass",
	    "i=1 cv is not none at i=1" },
	{ "cv=none at i=2", "AB", "ARC-Seal", 2, "cv=pass", "cv=none",
	    "i=2 cv is not pass" },
	{ "cv=fail on an older set", "ABC", "ARC-Seal", 2, "cv=pass",
	    "cv=fail", "i=2 cv is not pass" },
	{ "no cv=", "AB", "ARC-Seal", 2, "cv=pass; ", "",
	    "i=2 cv is not pass" },
	/* instance numbering */
	{ "a gap: i=2 renumbered 3", "AB", "ARC-Seal", 2, "i=2", "i=3",
	    "i=2 not exactly one" },
	{ "set 2 renumbered i=1: two of each", "AB", "ARC-Seal", 2, "i=2",
	    "i=1", "i=1 not exactly one AAR, AMS and AS" },
	{ "i=0", "A", "ARC-Seal", 1, "i=1", "i=0",
	    "ARC field without a valid instance" },
	{ "i=51", "A", "ARC-Seal", 1, "i=1", "i=51", "more than 50 ARC sets" },
	{ "i= not a number", "A", "ARC-Message-Signature", 1, "i=1", "i=x",
	    "ARC field without a valid instance" },
	{ "AAR without i=", "A", "ARC-Authentication-Results", 1, "i=1;",
	    "x=1;", "ARC field without a valid instance" },
	/* fields missing, unreadable */
	{ "AMS(2) missing", "AB", "ARC-Message-Signature", 2, NULL, NULL,
	    "i=2 not exactly one AAR, AMS and AS" },
	{ "AAR(1) missing", "AB", "ARC-Authentication-Results", 1, NULL,
	    NULL, "i=1 not exactly one AAR, AMS and AS" },
	{ "AS with a tag twice", "A", "ARC-Seal", 1, "cv=none", "cv=none; "
	    "d=x.example", "unreadable ARC-Seal" },
	{ "AMS with a bad tag name", "A", "ARC-Message-Signature", 1, "c=",
	    "9c=", "unreadable ARC-Message-Signature" },
};

/* t_arc_broken - every case of t_arc_broken_cases */
static void
t_arc_broken(void)
{
	struct t_arc_msg *m;
	struct arc_result r;
	size_t i;

	for (i = 0; i < sizeof(t_arc_broken_cases) /
	    sizeof(t_arc_broken_cases[0]); i++) {
		m = t_arc_chain(t_arc_broken_cases[i].chain);
		if (t_arc_broken_cases[i].old == NULL)
			t_arc_drop(m, t_arc_broken_cases[i].field,
			    t_arc_broken_cases[i].inst);
		else
			t_arc_edit(m, t_arc_broken_cases[i].field,
			    t_arc_broken_cases[i].inst,
			    t_arc_broken_cases[i].old,
			    t_arc_broken_cases[i].new);
		t_arc_verify(m, 0, &r);
		t_arc_want(t_arc_broken_cases[i].label, &r, METHOD_FAIL,
		    t_arc_broken_cases[i].reason);
		arc_result_free(&r);
		t_arc_msg_free(m);
	}
}

/* t_arc_set_value - field k's value becomes value (after a space) */
static void
t_arc_set_value(struct t_arc_msg *m, int k, const char *value)
{
	free(m->value[k]);
	m->value[k] = xmalloc(strlen(value) + 2);
	m->value[k][0] = ' ';
	strcpy(m->value[k] + 1, value);
}

/* t_arc_changed - the message changed after the last seal; renumbering */
static void
t_arc_changed(void)
{
	struct t_arc_msg *m = t_arc_chain("AB");
	struct arc_result r;
	int k;

	strcat(m->body, "footer\r\n");
	t_arc_verify(m, 0, &r);
	t_arc_want("body changed after the last seal", &r, METHOD_FAIL,
	    "i=2 AMS body hash mismatch");
	arc_result_free(&r);
	t_arc_msg_free(m);
	m = t_arc_chain("AB");
	for (k = 0; k < m->n && strcmp(m->name[k], "Subject") != 0; k++)
		;
	t_arc_set_value(m, k, "changed by a list");
	t_arc_verify(m, 0, &r);
	t_arc_want("signed field changed after the last seal", &r,
	    METHOD_FAIL, "i=2 AMS signature mismatch");
	arc_result_free(&r);
	t_arc_msg_free(m);
	/* fields the AMS does not sign may be added */
	m = t_arc_chain("AB");
	t_arc_top(m, "Received", "from x by y; Tue, 14 Nov 2023 22:13:21 "
	    "+0000");
	t_arc_top(m, "X-Spam", "no");
	t_arc_verify(m, 0, &r);
	t_arc_want("unsigned fields added", &r, METHOD_PASS, NULL);
	arc_result_free(&r);
	t_arc_msg_free(m);
	/* the whole of set 2 renumbered 3: set 2 is missing */
	m = t_arc_chain("AB");
	t_arc_edit(m, "ARC-Seal", 2, "i=2", "i=3");
	t_arc_edit(m, "ARC-Message-Signature", 2, "i=2", "i=3");
	t_arc_edit(m, "ARC-Authentication-Results", 2, "i=2", "i=3");
	t_arc_verify(m, 0, &r);
	t_arc_want("set 2 renumbered 3", &r, METHOD_FAIL,
	    "i=2 missing instance");
	arc_result_free(&r);
	t_arc_msg_free(m);
	/* and set 1 dropped: the chain starts at 2 */
	m = t_arc_chain("AB");
	t_arc_drop(m, "ARC-Seal", 1);
	t_arc_drop(m, "ARC-Message-Signature", 1);
	t_arc_drop(m, "ARC-Authentication-Results", 1);
	t_arc_verify(m, 0, &r);
	t_arc_want("set 1 dropped", &r, METHOD_FAIL, "i=1 missing instance");
	arc_result_free(&r);
	t_arc_msg_free(m);
}

/* t_arc_cv_fail - a failed chain is sealed cv=fail, then ends (5.1.2) */
static void
t_arc_cv_fail(void)
{
	struct t_arc_msg *m = t_arc_chain("A");
	struct arc_result r;

	strcat(m->body, "changed\r\n");	/* AMS(1) no longer holds */
	UNIT_CHECK(t_arc_hop(m, T_ARC_B, NULL) == 0, "seal a failed chain",
	    "nothing added");
	UNIT_CHECK(strstr(m->value[0], " i=2; a=rsa-sha256; cv=fail;") ==
	    m->value[0], "it says cv=fail", "%s", m->value[0]);
	t_arc_verify(m, 0, &r);
	t_arc_want("newest seal cv=fail", &r, METHOD_FAIL,
	    "i=2 sealed with cv=fail");
	UNIT_CHECK(!r.sealable, "cv=fail: no further seal", "sealable");
	arc_result_free(&r);
	UNIT_CHECK(t_arc_hop(m, T_ARC_C, NULL) == 1 && t_arc_find(m,
	    "ARC-Seal", 3) < 0, "after cv=fail nobody seals", "sealed");
	t_arc_msg_free(m);
}

/* t_arc_limits - more sets than allowed; 50 sets and no 51st */
static void
t_arc_limits(void)
{
	struct t_arc_msg *m = t_arc_chain("ABC");
	struct arc_result r;
	int i;

	t_arc_verify(m, 2, &r);
	t_arc_want("3 sets, limits.arc_sets 2", &r, METHOD_FAIL,
	    "more than 2 ARC sets");
	arc_result_free(&r);
	t_arc_verify(m, 3, &r);
	t_arc_want("3 sets, limits.arc_sets 3", &r, METHOD_PASS, NULL);
	arc_result_free(&r);
	t_arc_msg_free(m);
	m = t_arc_msg_new();
	for (i = 0; i < ARC_MAX_INSTANCE; i++)
		if (t_arc_hop(m, i % 2 ? T_ARC_C : T_ARC_A, NULL) != 0)
			break;
	UNIT_CHECK(i == ARC_MAX_INSTANCE, "50 hops sealed", "stopped at %d",
	    i);
	t_arc_verify(m, 0, &r);
	t_arc_want("50 sets", &r, METHOD_PASS, "chain of 50 valid");
	UNIT_CHECK(r.n == 50 && !r.sealable, "50 sets: no 51st may be added",
	    "n %d sealable %d", r.n, r.sealable);
	arc_result_free(&r);
	UNIT_CHECK(t_arc_hop(m, T_ARC_A, NULL) == 1 && t_arc_find(m,
	    "ARC-Seal", 51) < 0, "no 51st seal", "sealed");
	t_arc_msg_free(m);
}

/*
 * the trusted-sealer override (RFC 8617 7.2.1, lib/core/policy.c): DMARC fails
 * with p=reject for author.example; does the chain turn that into accept?
 */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*chain;		/* sealers, in order */
	const char	*aar;		/* the newest AAR's payload; NULL:
					 * T_ARC_AAR */
	int		 broken;	/* body changed after the last seal */
	const char	*trusted;	/* arc.trusted_sealers */
	const char	*want;		/* overriding sealer, NULL: reject */
} t_arc_trust_cases[] = {
	{ "trusted sealer vouches", "A", NULL, 0, "\"a.example\"",
	    "a.example" },
	{ "trusted, any case", "A", NULL, 0, "\"x.example\", \"A.Example\"",
	    "a.example" },
	{ "untrusted sealer", "A", NULL, 0, "\"c.example\"", NULL },
	{ "no trusted sealers", "A", NULL, 0, "", NULL },
	{ "trusted sealer, broken chain", "A", NULL, 1, "\"a.example\"",
	    NULL },
	{ "trusted, but not the newest sealer", "AC", NULL, 0,
	    "\"a.example\"", NULL },
	{ "the newest sealer trusted", "AC", NULL, 0, "\"c.example\"",
	    "c.example" },
	{ "trusted, AAR says dmarc=fail", "A", "mx.a.example; dmarc=fail "
	    "header.from=author.example", 0, "\"a.example\"", NULL },
	{ "trusted, AAR vouches for another domain", "A", "mx.a.example; "
	    "dmarc=pass header.from=other.example", 0, "\"a.example\"",
	    NULL },
	{ "trusted, AAR without dmarc", "A", "mx.a.example; spf=pass "
	    "smtp.mailfrom=author.example", 0, "\"a.example\"", NULL },
	{ "trusted, AAR unparsable", "A", "mx.a.example; dmarc=pass "
	    "header.from=\"author.example", 0, "\"a.example\"", NULL },
};

/* t_arc_trust - every case of t_arc_trust_cases through policy_decide */
static void
t_arc_trust(void)
{
	struct results res;
	struct decision d;
	struct config *cfg;
	struct t_arc_msg *m;
	char c[256];
	size_t i, k;

	for (i = 0; i < sizeof(t_arc_trust_cases) /
	    sizeof(t_arc_trust_cases[0]); i++) {
		const char *label = t_arc_trust_cases[i].label;
		const char *want = t_arc_trust_cases[i].want;

		m = t_arc_msg_new();
		for (k = 0; t_arc_trust_cases[i].chain[k] != '\0'; k++)
			t_arc_hop(m, &t_arc_sealers[t_arc_trust_cases[i].
			    chain[k] - 'A'], t_arc_trust_cases[i].chain[k +
			    1] == '\0' ? t_arc_trust_cases[i].aar : NULL);
		if (t_arc_trust_cases[i].broken)
			strcat(m->body, "changed\r\n");
		memset(&res, 0, sizeof(res));
		t_arc_verify(m, 0, &res.arc);
		res.dmarc.checked = 1;
		res.dmarc.result = METHOD_FAIL;
		res.dmarc.author = xstrdup("author.example");
		res.dmarc.policy = DMARC_P_REJECT;
		snprintf(c, sizeof(c), "arc = { trusted_sealers = [ %s ]; };\n",
		    t_arc_trust_cases[i].trusted);
		cfg = fixture_config(c);
		policy_decide(&res, cfg, &d);
		if (want != NULL)
			UNIT_CHECK(d.action == POLICY_ACCEPT &&
			    d.arc_override != NULL &&
			    strcmp(d.arc_override, want) == 0, label,
			    "action %s, override %s (arc=%s %s)",
			    policy_action_name(d.action), d.arc_override ?
			    d.arc_override : "none",
			    method_result_name(res.arc.result),
			    res.arc.reason);
		else
			UNIT_CHECK(d.action == POLICY_REJECT &&
			    d.arc_override == NULL, label,
			    "action %s, override %s (arc=%s %s)",
			    policy_action_name(d.action), d.arc_override ?
			    d.arc_override : "none",
			    method_result_name(res.arc.result),
			    res.arc.reason);
		decision_free(&d);
		config_release(cfg);
		results_free(&res);
		t_arc_msg_free(m);
	}
}

int
main(void)
{
	size_t i;
	int sock;

	if (t_arc_setup(&sock) != 0) {
		perror("t_arc: UDP socket");
		return 99;
	}
	t_arc_good();
	t_arc_broken();
	t_arc_changed();
	t_arc_cv_fail();
	t_arc_limits();
	t_arc_trust();
	for (i = 0; i < sizeof(t_arc_sealers) / sizeof(t_arc_sealers[0]);
	    i++) {
		EVP_PKEY_free(t_arc_sealers[i].key);
		config_release(t_arc_sealers[i].cfg);
	}
	resolver_free(t_arc_res);
	close(sock);
	return unit_done("t_arc");
}
