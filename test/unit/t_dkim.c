/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_dkim - dkim_context_new() and the dkim_verifier_* stream over messages
 * signed here with OpenSSL (rsa-sha256, rsa-sha1, ed25519-sha256;
 * relaxed/relaxed, canonicalized by the test's own code) and keys served
 * from dns.local_data (no network: the only nameserver is a silent
 * socket). Pass, body and header changes, missing, revoked and unusable
 * keys, DNS failures, RFC 8301 policy results, l=, signature limits,
 * header.b prefixes, no signature, header overflow.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dermemo.h"
#include "auth/dkim.h"
#include "fixture.h"
#include "dns/resolver.h"
#include "unit.h"

#define T_DKIM_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_DKIM_MAXHDR	16
#define T_DKIM_H	"from:to:subject:date:message-id"

enum t_dkim_keyid { K_RSA, K_SMALL, K_ED, K_NKEYS };

/* the signing keys and their p= values */
struct t_dkim_keys {
	EVP_PKEY	*pkey[K_NKEYS];	/* private keys */
	char		*p[K_NKEYS];	/* base64 public keys */
};

/* one message: header fields in order (values as after "Name: ") */
struct t_dkim_msg {
	const char	*name[T_DKIM_MAXHDR];	/* field names */
	char		*value[T_DKIM_MAXHDR];	/* values, owned */
	size_t		 n;			/* fields */
	struct buf	 body;			/* CRLF lines */
};

/* how to sign */
struct t_dkim_spec {
	enum t_dkim_keyid key;		/* private key */
	const char	*a;		/* a= */
	const char	*d;		/* d= */
	const char	*s;		/* s= */
	int		 l;		/* 1: l= the canonical body length */
	const char	*extra;		/* more tags, "" for none */
	const char	*h;		/* h=, NULL for T_DKIM_H */
};

/* t_dkim_b64 - base64 of n bytes, malloc'ed */
static char *
t_dkim_b64(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out == NULL)
		exit(99);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* t_dkim_keys_make - an RSA 1024 key, an RSA 512 key, an Ed25519 key */
static void
t_dkim_keys_make(struct t_dkim_keys *k)
{
	unsigned char *der = NULL, raw[32];
	size_t rawlen = sizeof(raw);
	int len, i;

	k->pkey[K_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	k->pkey[K_SMALL] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	k->pkey[K_ED] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	for (i = 0; i < K_NKEYS; i++)
		if (k->pkey[i] == NULL) {
			fprintf(stderr, "t_dkim: key generation failed\n");
			exit(99);
		}
	for (i = K_RSA; i <= K_SMALL; i++) {
		der = NULL;
		if ((len = i2d_PUBKEY(k->pkey[i], &der)) <= 0)
			exit(99);
		k->p[i] = t_dkim_b64(der, (size_t)len);
		OPENSSL_free(der);
	}
	/* RFC 8463 section 4.2: the raw 32-byte public key */
	if (EVP_PKEY_get_raw_public_key(k->pkey[K_ED], raw, &rawlen) != 1)
		exit(99);
	k->p[K_ED] = t_dkim_b64(raw, rawlen);
}

/* t_dkim_keys_free - release the keys */
static void
t_dkim_keys_free(struct t_dkim_keys *k)
{
	int i;

	for (i = 0; i < K_NKEYS; i++) {
		EVP_PKEY_free(k->pkey[i]);
		free(k->p[i]);
	}
}

/* t_dkim_wsp - RFC 5234 WSP */
static int
t_dkim_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* t_dkim_canon_header - RFC 6376 3.4.2 relaxed header canonicalization */
static void
t_dkim_canon_header(struct buf *out, const char *name, const char *value)
{
	const char *p;
	int sp = 0, started = 0;

	for (p = name; *p != '\0'; p++)
		buf_putc(out, tolower((unsigned char)*p));
	buf_putc(out, ':');
	for (p = value; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		if (t_dkim_wsp(*p)) {
			sp = 1;
			continue;
		}
		if (sp && started)
			buf_putc(out, ' ');
		sp = 0;
		started = 1;
		buf_putc(out, *p);
	}
	buf_puts(out, "\r\n");
}

/* t_dkim_canon_body - RFC 6376 3.4.4 relaxed body canonicalization */
static void
t_dkim_canon_body(struct buf *out, const char *body)
{
	const char *p = body, *e, *q;
	size_t empty = 0, k;
	struct buf line;

	buf_init(&line, 1024 * 1024);
	while (*p != '\0') {
		e = strstr(p, "\r\n");
		if (e == NULL)
			e = p + strlen(p);
		buf_reset(&line);
		for (q = p; q < e; q++) {
			if (t_dkim_wsp(*q)) {
				while (q + 1 < e && t_dkim_wsp(q[1]))
					q++;
				if (q + 1 < e)
					buf_putc(&line, ' ');
				continue;
			}
			buf_putc(&line, *q);
		}
		if (line.len == 0 && *e != '\0')
			empty++;
		else if (line.len > 0) {
			for (k = 0; k < empty; k++)
				buf_puts(out, "\r\n");
			empty = 0;
			buf_append(out, line.data, line.len);
			buf_puts(out, "\r\n");
		}
		p = *e != '\0' ? e + 2 : e;
	}
	buf_free(&line);
}

/* t_dkim_msg_new - the message every case starts from */
static void
t_dkim_msg_new(struct t_dkim_msg *m)
{
	static const char *const fields[][2] = {
		{ "From", "Alice <alice@signer.example>" },
		{ "To", "bob@rcpt.example" },
		{ "Subject", "Quarterly\n\treport" },
		{ "Date", "Mon, 1 Jan 2024 10:00:00 +0000" },
		{ "Message-ID", "<1234@signer.example>" },
		{ "X-Unsigned", "not covered" },
	};
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < T_DKIM_N(fields); i++) {
		m->name[i] = fields[i][0];
		m->value[i] = strdup(fields[i][1]);
	}
	m->n = T_DKIM_N(fields);
	buf_init(&m->body, 1024 * 1024);
	buf_puts(&m->body, "Hello  Bob,\r\n\r\nthe  numbers are\t \r\n"
	    "attached.\r\n");
}

/* t_dkim_msg_free - release the values and the body */
static void
t_dkim_msg_free(struct t_dkim_msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->value[i]);
	buf_free(&m->body);
	m->n = 0;
}

/* t_dkim_msg_set - replace the value of the first field called name */
static void
t_dkim_msg_set(struct t_dkim_msg *m, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcasecmp(m->name[i], name) == 0) {
			free(m->value[i]);
			m->value[i] = strdup(value);
			return;
		}
}

/* t_dkim_msg_prepend - a new field on top (how signatures are added) */
static void
t_dkim_msg_prepend(struct t_dkim_msg *m, const char *name, char *value)
{
	if (m->n == T_DKIM_MAXHDR)
		exit(99);
	memmove(&m->name[1], &m->name[0], m->n * sizeof(m->name[0]));
	memmove(&m->value[1], &m->value[0], m->n * sizeof(m->value[0]));
	m->name[0] = name;
	m->value[0] = value;
	m->n++;
}

/* t_dkim_hdata - the signed header fields per h=, bottom-up (5.4.2) */
static void
t_dkim_hdata(const struct t_dkim_msg *m, const char *h, struct buf *out)
{
	char used[T_DKIM_MAXHDR] = { 0 }, list[256], *w, *save = NULL;
	size_t i;

	snprintf(list, sizeof(list), "%s", h);
	for (w = strtok_r(list, ":", &save); w != NULL;
	    w = strtok_r(NULL, ":", &save))
		for (i = m->n; i-- > 0;)
			if (!used[i] && strcasecmp(m->name[i], w) == 0) {
				used[i] = 1;
				t_dkim_canon_header(out, m->name[i],
				    m->value[i]);
				break;
			}
}

/* t_dkim_sign - add a DKIM-Signature; returns its b= (owned by m) */
static const char *
t_dkim_sign(struct t_dkim_msg *m, const struct t_dkim_keys *k,
    const struct t_dkim_spec *sp)
{
	unsigned char bh[EVP_MAX_MD_SIZE], sig[1024], hash[32];
	const EVP_MD *md = strcmp(sp->a, "rsa-sha1") == 0 ? EVP_sha1() :
	    EVP_sha256();
	unsigned int bhlen = 0;
	size_t siglen = sizeof(sig);
	struct buf canon, data, value;
	EVP_MD_CTX *ctx;
	char *bh64, *b64, *v;
	const char *h = sp->h != NULL ? sp->h : T_DKIM_H;
	int ed = strcmp(sp->a, "ed25519-sha256") == 0, ok;

	buf_init(&canon, 1024 * 1024);
	buf_init(&data, 1024 * 1024);
	buf_init(&value, 64 * 1024);
	t_dkim_canon_body(&canon, m->body.data);
	EVP_Digest(canon.data, canon.len, bh, &bhlen, ed ? EVP_sha256() : md,
	    NULL);
	bh64 = t_dkim_b64(bh, bhlen);
	buf_printf(&value, "v=1; a=%s; c=relaxed/relaxed; d=%s; s=%s;%s%s "
	    "h=%s; ", sp->a, sp->d, sp->s, *sp->extra ? " " : "", sp->extra,
	    h);
	if (sp->l)
		buf_printf(&value, "l=%zu; ", canon.len);
	buf_printf(&value, "bh=%s;\n\tb=", bh64);
	t_dkim_hdata(m, h, &data);
	t_dkim_canon_header(&data, "DKIM-Signature", value.data);
	data.len -= 2;	/* the signature field goes in without its CRLF */
	data.data[data.len] = '\0';

	ctx = EVP_MD_CTX_new();
	if (ed) {
		/* RFC 8463 section 3: Ed25519 over the SHA-256 hash */
		EVP_Digest(data.data, data.len, hash, NULL, EVP_sha256(),
		    NULL);
		ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL,
		    k->pkey[sp->key]) == 1 && EVP_DigestSign(ctx, sig,
		    &siglen, hash, sizeof(hash)) == 1;
	} else
		ok = EVP_DigestSignInit(ctx, NULL, md, NULL,
		    k->pkey[sp->key]) == 1 && EVP_DigestSign(ctx, sig, &siglen,
		    (unsigned char *)data.data, data.len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		fprintf(stderr, "t_dkim: signing failed\n");
		exit(99);
	}
	b64 = t_dkim_b64(sig, siglen);
	buf_puts(&value, b64);
	v = strdup(value.data);
	t_dkim_msg_prepend(m, "DKIM-Signature", v);
	free(b64);
	free(bh64);
	buf_free(&value);
	buf_free(&data);
	buf_free(&canon);
	return strstr(v, "\n\tb=") + 4;
}

/* t_dkim_verify - feed a message; chunk = body bytes per call */
static void
t_dkim_verify(struct dkim_context *dl, const struct t_dkim_msg *m, int max,
    size_t chunk, int overflow, struct dkim_result *r)
{
	struct dkim_verifier *v = dkim_verifier_new(dl, "t_dkim", max);
	size_t i, off;

	for (i = 0; i < m->n; i++)
		dkim_verifier_header(v, m->name[i], m->value[i],
		    strlen(m->value[i]), 0);
	if (overflow)
		dkim_verifier_overflow(v);
	dkim_verifier_eoh(v);
	for (off = 0; off < m->body.len; off += chunk)
		dkim_verifier_body(v, (const unsigned char *)m->body.data +
		    off, off + chunk > m->body.len ? m->body.len - off : chunk);
	dkim_verifier_finish(v, r);
	dkim_verifier_free(v);
}

enum t_dkim_change {
	C_NONE,		/* as signed */
	C_BODY,		/* a body byte changed */
	C_APPEND,	/* a line appended to the body */
	C_BODY_WSP,	/* white space changed: relaxed still matches */
	C_BODY_TAIL,	/* empty lines and white space appended */
	C_HEADER,	/* a signed header changed */
	C_HEADER_WSP,	/* a signed header refolded */
	C_UNSIGNED,	/* an unsigned header changed */
	C_FROM_ABOVE	/* a second From added above the signed one */
};

/* the usual signature specs: key, a=, d=, s=, l=, more tags, h= */
#define T_RSA(s)	{ K_RSA, "rsa-sha256", "signer.example", s, 0, "", \
			    NULL }
#define T_RSAX(x)	{ K_RSA, "rsa-sha256", "signer.example", "sel", 0, \
			    x, NULL }
#define T_RSAH(h)	{ K_RSA, "rsa-sha256", "signer.example", "sel", 0, \
			    "", h }
#define T_RSAD(d)	{ K_RSA, "rsa-sha256", d, "sel", 0, "", NULL }
#define T_RSAL		{ K_RSA, "rsa-sha256", "signer.example", "sel", 1, \
			    "", NULL }
#define T_ALG(k, a, s)	{ k, a, "signer.example", s, 0, "", NULL }

/* one signature and what the verifier must say */
static const struct {
	const char	*label;		/* what the case shows */
	struct t_dkim_spec spec;	/* how it is signed */
	enum t_dkim_change change;	/* after signing */
	size_t		 chunk;		/* body bytes per call */
	enum method_result want;	/* result */
	const char	*reason;	/* in the reason, or NULL */
	int		 keybits;	/* -1 unchecked */
} t_dkim_cases[] = {
	{ "pass", T_RSA("sel"), C_NONE, 4096, METHOD_PASS,
	    "good signature, 1024-bit rsa key", 1024 },
	{ "pass, body one byte at a time", T_RSA("sel"), C_NONE, 1,
	    METHOD_PASS, NULL, 1024 },
	{ "pass, relaxed body white space", T_RSA("sel"), C_BODY_WSP, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "pass, empty lines at the end", T_RSA("sel"), C_BODY_TAIL, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "pass, relaxed header refolded", T_RSA("sel"), C_HEADER_WSP, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "pass, unsigned header changed", T_RSA("sel"), C_UNSIGNED, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "pass, d= in capitals", T_RSAD("Signer.EXAMPLE"), C_NONE, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "pass, i= a subdomain of d=", T_RSAX("i=alice@mail.signer.example;"),
	    C_NONE, 4096, METHOD_PASS, NULL, -1 },
	{ "pass, ed25519-sha256 (RFC 8463)", T_ALG(K_ED, "ed25519-sha256",
	    "ed"), C_NONE, 4096, METHOD_PASS, "good signature, ed25519 key",
	    -1 },
	{ "pass, key t=y", T_RSA("testing"), C_NONE, 4096, METHOD_PASS, NULL,
	    -1 },
	{ "pass, l= the whole body", T_RSAL, C_NONE, 4096, METHOD_PASS, NULL,
	    -1 },
	{ "pass, l= the whole body, empty lines after it", T_RSAL,
	    C_BODY_TAIL, 4096, METHOD_PASS, NULL, -1 },
	{ "body changed: fail", T_RSA("sel"), C_BODY, 4096, METHOD_FAIL,
	    "body hash mismatch, 1024-bit rsa key", -1 },
	{ "body appended: fail", T_RSA("sel"), C_APPEND, 4096, METHOD_FAIL,
	    "body hash mismatch", -1 },
	{ "header changed: fail", T_RSA("sel"), C_HEADER, 4096, METHOD_FAIL,
	    "signature mismatch, 1024-bit rsa key", -1 },
	{ "From added above: the signed one is the lowest", T_RSA("sel"),
	    C_FROM_ABOVE, 4096, METHOD_PASS, NULL, -1 },
	{ "no key (NXDOMAIN): permerror", T_RSA("nokey"), C_NONE, 4096,
	    METHOD_PERMERROR, "key not found: TXT "
	    "nokey._domainkey.signer.example: NXDOMAIN", -1 },
	{ "revoked key (p=): permerror", T_RSA("revoked"), C_NONE, 4096,
	    METHOD_PERMERROR, "key revoked: empty p= at "
	    "revoked._domainkey.signer.example", -1 },
	{ "key not base64: permerror", T_RSA("garbage"), C_NONE, 4096,
	    METHOD_PERMERROR, NULL, -1 },
	{ "key h=sha1 only, a=rsa-sha256: permerror", T_RSA("sha1only"),
	    C_NONE, 4096, METHOD_PERMERROR, NULL, -1 },
	{ "RSA signature, ed25519 key: permerror", T_RSA("ed"), C_NONE, 4096,
	    METHOD_PERMERROR, NULL, -1 },
	{ "key lookup refused: temperror", T_RSAD("x.tf.example"), C_NONE,
	    4096, METHOD_TEMPERROR, "key lookup failed: TXT "
	    "sel._domainkey.x.tf.example: REFUSED", -1 },
	{ "key lookup timeout: temperror", T_RSAD("slow.example.net"), C_NONE,
	    4096, METHOD_TEMPERROR, "key lookup failed: TXT "
	    "sel._domainkey.slow.example.net: timed out", -1 },
	{ "rsa-sha1 that verifies: policy", T_ALG(K_RSA, "rsa-sha1", "sel"),
	    C_NONE, 4096, METHOD_POLICY, "rsa-sha1", 1024 },
	{ "512-bit key: policy", T_ALG(K_SMALL, "rsa-sha256", "small"),
	    C_NONE, 4096, METHOD_POLICY, "key too small for dkim.min_key_bits "
	    "1024, 512-bit rsa key", -1 },
	{ "l= with a body appended: policy", T_RSAL, C_APPEND, 4096,
	    METHOD_POLICY, "l=", -1 },
	{ "i= outside d=: permerror", T_RSAX("i=alice@other.example;"),
	    C_NONE, 4096, METHOD_PERMERROR, NULL, -1 },
	{ "expired x=: fail", T_RSAX("t=1000000000; x=1000000100;"), C_NONE,
	    4096, METHOD_FAIL, "signature expired", -1 },
	{ "d= twice: permerror", T_RSAX("d=evil.example;"), C_NONE, 4096,
	    METHOD_PERMERROR, NULL, -1 },
	{ "unknown a=: permerror", T_ALG(K_RSA, "rsa-sha512", "sel"), C_NONE,
	    4096, METHOD_PERMERROR, NULL, -1 },
	{ "From not in h= (RFC 6376 6.1.1): permerror",
	    T_RSAH("to:subject:date"), C_NONE, 4096, METHOD_PERMERROR, NULL,
	    -1 },
	{ "From in h= in capitals", T_RSAH("FROM:To:Subject"), C_NONE, 4096,
	    METHOD_PASS, NULL, -1 },
	{ "h= names fields twice (oversigning)",
	    T_RSAH("from:from:subject:subject"), C_NONE, 4096, METHOD_PASS,
	    NULL, -1 },
	{ "oversigned From, From added above: fail",
	    T_RSAH("from:from:subject"), C_FROM_ABOVE, 4096, METHOD_FAIL, NULL,
	    -1 },
};

/* t_dkim_change - modify a signed message */
static void
t_dkim_change(struct t_dkim_msg *m, enum t_dkim_change c)
{
	char *p;

	switch (c) {
	case C_BODY:
		if ((p = strstr(m->body.data, "numbers")) != NULL)
			*p = 'N';
		break;
	case C_APPEND:
		buf_puts(&m->body, "P.S. click here\r\n");
		break;
	case C_BODY_WSP:
		if ((p = strstr(m->body.data, "Hello  Bob")) != NULL)
			memcpy(p, "Hello\t Bob", 10);
		break;
	case C_BODY_TAIL:
		buf_puts(&m->body, " \t\r\n\r\n\r\n");
		break;
	case C_HEADER:
		t_dkim_msg_set(m, "Subject", "Quarterly report (revised)");
		break;
	case C_HEADER_WSP:
		t_dkim_msg_set(m, "Subject", "Quarterly   \r\n  report  ");
		break;
	case C_UNSIGNED:
		t_dkim_msg_set(m, "X-Unsigned", "changed in transit");
		break;
	case C_FROM_ABOVE:
		t_dkim_msg_prepend(m, "From", strdup("evil@attacker.example"));
		break;
	case C_NONE:
		break;
	}
}

/* t_dkim_table - every single-signature case */
static void
t_dkim_table(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	size_t i;

	for (i = 0; i < T_DKIM_N(t_dkim_cases); i++) {
		const char *label = t_dkim_cases[i].label;
		const struct t_dkim_spec *sp = &t_dkim_cases[i].spec;
		struct t_dkim_msg m;
		struct dkim_result r;
		const char *b;

		t_dkim_msg_new(&m);
		b = t_dkim_sign(&m, k, sp);
		t_dkim_change(&m, t_dkim_cases[i].change);
		t_dkim_verify(dl, &m, 8, t_dkim_cases[i].chunk, 0, &r);
		UNIT_CHECK(r.checked && r.n == 1 && r.skipped == 0, label,
		    "checked %d n %zu skipped %zu", r.checked, r.n, r.skipped);
		if (r.n != 1) {
			dkim_result_free(&r);
			t_dkim_msg_free(&m);
			continue;
		}
		UNIT_CHECK(r.sig[0].result == t_dkim_cases[i].want, label,
		    "result %s, want %s (%s)",
		    method_result_name(r.sig[0].result),
		    method_result_name(t_dkim_cases[i].want),
		    r.sig[0].reason ? r.sig[0].reason : "-");
		UNIT_CHECK(r.sig[0].reason != NULL && *r.sig[0].reason != '\0',
		    label, "no reason");
		if (t_dkim_cases[i].reason != NULL)
			UNIT_CHECK(r.sig[0].reason != NULL &&
			    strstr(r.sig[0].reason, t_dkim_cases[i].reason) !=
			    NULL, label, "reason \"%s\" lacks \"%s\"",
			    r.sig[0].reason ? r.sig[0].reason : "(null)",
			    t_dkim_cases[i].reason);
		UNIT_CHECK(r.sig[0].aligned_use ==
		    (r.sig[0].result == METHOD_PASS), label,
		    "aligned_use %d with %s", r.sig[0].aligned_use,
		    method_result_name(r.sig[0].result));
		UNIT_STREQ(r.sig[0].d, sp->d, label);
		UNIT_STREQ(r.sig[0].s, sp->s, label);
		UNIT_STREQ(r.sig[0].a, sp->a, label);
		UNIT_CHECK(r.sig[0].b != NULL && strlen(r.sig[0].b) >=
		    DKIM_B_PREFIX && strncmp(r.sig[0].b, b,
		    strlen(r.sig[0].b)) == 0, label, "header.b \"%s\" is not a "
		    "prefix of b=", r.sig[0].b ? r.sig[0].b : "(null)");
		if (t_dkim_cases[i].keybits >= 0)
			UNIT_CHECK(r.sig[0].keybits == t_dkim_cases[i].keybits,
			    label, "keybits %d, want %d", r.sig[0].keybits,
			    t_dkim_cases[i].keybits);
		if (sp->l)
			UNIT_CHECK(r.sig[0].length > 0, label, "length %ld",
			    r.sig[0].length);
		else
			UNIT_CHECK(r.sig[0].length == -1, label, "length %ld",
			    r.sig[0].length);
		if (strstr(sp->extra, "i=") != NULL &&
		    r.sig[0].result == METHOD_PASS)
			UNIT_CHECK(r.sig[0].i != NULL &&
			    strstr(sp->extra, r.sig[0].i) != NULL, label,
			    "i \"%s\"", r.sig[0].i ? r.sig[0].i : "(null)");
		else if (strstr(sp->extra, "i=") == NULL)
			UNIT_CHECK(r.sig[0].i == NULL, label, "i \"%s\"",
			    r.sig[0].i);
		UNIT_CHECK(r.sig[0].testkey == (strcmp(sp->s, "testing") == 0),
		    label, "testkey %d", r.sig[0].testkey);
		dkim_result_free(&r);
		UNIT_CHECK(r.n == 0 && r.sig == NULL && !r.checked, label,
		    "dkim_result_free does not reset");
		t_dkim_msg_free(&m);
	}
}

/* t_dkim_multi - several signatures: limits and header.b prefixes */
static void
t_dkim_multi(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	static const struct t_dkim_spec s1 = T_RSA("sel"),
	    s2 = T_RSAD("other.example"),
	    s3 = T_ALG(K_ED, "ed25519-sha256", "ed");
	struct t_dkim_msg m;
	struct dkim_result r;
	const char *b[3];
	size_t i;

	t_dkim_msg_new(&m);
	b[0] = t_dkim_sign(&m, k, &s1);
	b[1] = t_dkim_sign(&m, k, &s2);
	b[2] = t_dkim_sign(&m, k, &s3);

	/* header order: the last added is on top, listed first */
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 3 && r.skipped == 0, "three signatures",
	    "n %zu skipped %zu", r.n, r.skipped);
	for (i = 0; i < r.n && i < 3; i++) {
		UNIT_CHECK(r.sig[i].result == METHOD_PASS, "three signatures",
		    "#%zu %s (%s)", i, method_result_name(r.sig[i].result),
		    r.sig[i].reason);
		UNIT_CHECK(strlen(r.sig[i].b) == DKIM_B_PREFIX &&
		    strncmp(r.sig[i].b, b[2 - i], DKIM_B_PREFIX) == 0,
		    "header.b: 8 characters of its own b=", "#%zu \"%s\"", i,
		    r.sig[i].b);
	}
	if (r.n == 3)
		UNIT_CHECK(strcmp(r.sig[0].d, "signer.example") == 0 &&
		    strcmp(r.sig[1].d, "other.example") == 0 &&
		    strcmp(r.sig[0].a, "ed25519-sha256") == 0,
		    "signatures in header order", "%s %s %s", r.sig[0].d,
		    r.sig[1].d, r.sig[2].d);
	dkim_result_free(&r);

	/* max_signatures: the first two verified, the third counted */
	t_dkim_verify(dl, &m, 2, 4096, 0, &r);
	UNIT_CHECK(r.n == 2 && r.skipped == 1, "max_signatures 2 of 3",
	    "n %zu skipped %zu", r.n, r.skipped);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_PASS,
		    "max_signatures 2 of 3", "#%zu %s", i,
		    method_result_name(r.sig[i].result));
	dkim_result_free(&r);
	t_dkim_verify(dl, &m, 1, 4096, 0, &r);
	UNIT_CHECK(r.n == 1 && r.skipped == 2, "max_signatures 1 of 3",
	    "n %zu skipped %zu", r.n, r.skipped);
	dkim_result_free(&r);

	/* one body change fails all three */
	t_dkim_change(&m, C_BODY);
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_FAIL, "three, body "
		    "changed", "#%zu %s", i,
		    method_result_name(r.sig[i].result));
	dkim_result_free(&r);
	t_dkim_msg_free(&m);
}

/* t_dkim_prefixes - header.b when b= values share long prefixes */
static void
t_dkim_prefixes(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	static const struct t_dkim_spec s1 = T_RSA("sel");
	struct t_dkim_msg m;
	struct dkim_result r;
	size_t i;

	/* the same signature twice: no prefix tells them apart */
	t_dkim_msg_new(&m);
	t_dkim_sign(&m, k, &s1);
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup(m.value[0]));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 2, "duplicate signature", "n %zu", r.n);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_PASS &&
		    strlen(r.sig[i].b) > DKIM_B_PREFIX, "duplicate signature",
		    "#%zu %s b \"%s\"", i, method_result_name(r.sig[i].result),
		    r.sig[i].b);
	dkim_result_free(&r);
	t_dkim_msg_free(&m);

	/* b= values equal in their first 16 characters: 17 are needed */
	t_dkim_msg_new(&m);
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup("v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=signer.example; s=sel; h=from; "
	    "bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; "
	    "b=QUJDREVGR0hJSktMxxxxyyyy"));
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup("v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=signer.example; s=sel; h=from; "
	    "bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; "
	    "b=QUJDREVGR0hJSktMzzzzyyyy"));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 2, "shared b= prefix", "n %zu", r.n);
	if (r.n == 2) {
		UNIT_STREQ(r.sig[0].b, "QUJDREVGR0hJSktMz", "shared b= prefix, "
		    "first");
		UNIT_STREQ(r.sig[1].b, "QUJDREVGR0hJSktMx", "shared b= prefix, "
		    "second");
		for (i = 0; i < r.n; i++)
			UNIT_CHECK(r.sig[i].result != METHOD_PASS &&
			    !r.sig[i].aligned_use, "forged signature",
			    "#%zu %s", i, method_result_name(r.sig[i].result));
	}
	dkim_result_free(&r);
	t_dkim_msg_free(&m);
}

/*
 * t_dkim_decoy - a copy of field k with d= relabelled and b= given the
 * byte c after its first character (0: b= unchanged)
 */
static char *
t_dkim_decoy(const char *field, const char *from, const char *to, int c)
{
	struct buf out;
	const char *d = strstr(field, from), *b = strstr(field, "b=");
	char *v;

	while (b != NULL && b > field && b[-1] != '\t' && b[-1] != ' ')
		b = strstr(b + 1, "b=");	/* skip bh= */
	if (d == NULL || b == NULL || b < d)
		exit(99);
	buf_init(&out, 64 * 1024);
	buf_append(&out, field, (size_t)(d - field));
	buf_puts(&out, to);
	d += strlen(from);
	buf_append(&out, d, (size_t)(b + 3 - d));
	if (c != 0)
		buf_putc(&out, (char)c);
	buf_puts(&out, b + 3);
	v = strdup(out.data);
	buf_free(&out);
	return v;
}

/* t_dkim_stolen - no pass for a d= other than the real signer's */
static void
t_dkim_stolen(const struct dkim_result *r, size_t want_n, const char *label)
{
	size_t i, pass = 0;

	UNIT_CHECK(r->n == want_n, label, "n %zu, want %zu", r->n, want_n);
	for (i = 0; i < r->n; i++) {
		if (r->sig[i].result != METHOD_PASS)
			continue;
		pass++;
		UNIT_CHECK(strcmp(r->sig[i].d, "other.example") == 0 &&
		    r->sig[i].aligned_use, label, "#%zu pass with d=%s", i,
		    r->sig[i].d);
	}
	UNIT_CHECK(pass == 1, label, "%zu passes, want the real one", pass);
}

/*
 * t_dkim_decoys - regression (lib/auth/dkim.c, fixed): libopendkim's verdict
 * for one signature was paired with our reading of another field by b=
 * after different white-space rules (\v and \f are white space to
 * libopendkim only), then "the next unused field": a decoy claiming
 * d=signer.example stole the pass of the genuine d=other.example
 */
static void
t_dkim_decoys(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	static const struct t_dkim_spec real = T_RSAD("other.example");
	static const struct {
		const char *label;	/* what the case shows */
		int	 c;		/* byte put into the decoy's b= */
		int	 below;		/* decoy under the genuine field */
		const char *reason;	/* in the decoy's reason, or NULL */
	} cases[] = {
		{ "decoy with \\v in b=, above", '\v', 0, "control" },
		{ "decoy with \\f in b=, above", '\f', 0, "control" },
		{ "decoy with \\v in b=, below", '\v', 1, "control" },
		{ "decoy with \\f in b=, below", '\f', 1, "control" },
		{ "relabelled copy, same b=, above", 0, 0, NULL },
		{ "relabelled copy, same b=, below", 0, 1, NULL },
	};
	struct t_dkim_msg m;
	struct dkim_result r;
	size_t i;

	for (i = 0; i < T_DKIM_N(cases); i++) {
		t_dkim_msg_new(&m);
		t_dkim_msg_set(&m, "From", "ceo@signer.example");
		t_dkim_sign(&m, k, &real);
		if (cases[i].below) {
			/* under it: as if the field arrived before signing */
			memmove(&m.name[2], &m.name[1], (m.n - 1) *
			    sizeof(m.name[0]));
			memmove(&m.value[2], &m.value[1], (m.n - 1) *
			    sizeof(m.value[0]));
			m.n++;
			m.name[1] = "DKIM-Signature";
			m.value[1] = t_dkim_decoy(m.value[0],
			    "d=other.example", "d=signer.example", cases[i].c);
		} else
			t_dkim_msg_prepend(&m, "DKIM-Signature",
			    t_dkim_decoy(m.value[0], "d=other.example",
			    "d=signer.example", cases[i].c));
		t_dkim_verify(dl, &m, 8, 4096, 0, &r);
		t_dkim_stolen(&r, 2, cases[i].label);
		if (r.n == 2) {
			const struct dkim_sig *g = &r.sig[!cases[i].below];
			const struct dkim_sig *d = &r.sig[cases[i].below];

			UNIT_STREQ(g->d, "other.example", cases[i].label);
			UNIT_CHECK(g->result == METHOD_PASS, cases[i].label,
			    "genuine %s (%s)", method_result_name(g->result),
			    g->reason);
			UNIT_STREQ(d->d, "signer.example", cases[i].label);
			UNIT_CHECK(d->result != METHOD_PASS &&
			    (cases[i].reason == NULL ||
			    strstr(d->reason, cases[i].reason) != NULL),
			    cases[i].label, "decoy %s (%s)",
			    method_result_name(d->result), d->reason);
		}
		dkim_result_free(&r);
		t_dkim_msg_free(&m);
	}

	/* two genuine signatures with the same b= (one field twice) */
	t_dkim_msg_new(&m);
	t_dkim_sign(&m, k, &real);
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup(m.value[0]));
	t_dkim_msg_prepend(&m, "DKIM-Signature", t_dkim_decoy(m.value[1],
	    "d=other.example", "d=signer.example", 0));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 3 && r.sig[0].result != METHOD_PASS &&
	    r.sig[1].result == METHOD_PASS && r.sig[2].result == METHOD_PASS,
	    "relabelled copy above two identical genuine fields", "n %zu",
	    r.n);
	dkim_result_free(&r);
	t_dkim_msg_free(&m);
}

/*
 * t_dkim_unfed - past dkim.max_signatures fields never reach
 * libopendkim; a DKIM-Signature name as libopendkim reads names
 */
static void
t_dkim_unfed(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	static const struct t_dkim_spec real = T_RSAD("other.example");
	struct t_dkim_msg m;
	struct dkim_result r;
	const char *genuine;
	size_t i;

	t_dkim_msg_new(&m);
	t_dkim_sign(&m, k, &real);
	genuine = m.value[0];
	for (i = 0; i < 9; i++)
		t_dkim_msg_prepend(&m, "DKIM-Signature", t_dkim_decoy(
		    genuine, "d=other.example", "d=signer.example", 0));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 8 && r.skipped == 2, "ten fields, eight verified",
	    "n %zu skipped %zu", r.n, r.skipped);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result != METHOD_PASS, "ten fields, the "
		    "genuine one is the tenth", "#%zu %s", i,
		    method_result_name(r.sig[i].result));
	dkim_result_free(&r);
	t_dkim_msg_free(&m);

	/* "DKIM-Signature " (space before the colon) is one to libopendkim */
	t_dkim_msg_new(&m);
	t_dkim_sign(&m, k, &real);
	t_dkim_msg_prepend(&m, "DKIM-Signature ", t_dkim_decoy(m.value[0],
	    "d=other.example", "d=signer.example", '\v'));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	t_dkim_stolen(&r, 2, "decoy named \"DKIM-Signature \"");
	dkim_result_free(&r);
	t_dkim_msg_free(&m);
}

/* t_dkim_edges - no signature, overflow, broken fields, early free */
static void
t_dkim_edges(struct dkim_context *dl, const struct t_dkim_keys *k)
{
	static const struct t_dkim_spec s1 = T_RSA("sel");
	struct dkim_verifier *v;
	struct t_dkim_msg m;
	struct dkim_result r;
	struct buf big;
	size_t i;

	/* no signature at all */
	t_dkim_msg_new(&m);
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.checked && r.n == 0 && r.skipped == 0, "no signature",
	    "checked %d n %zu", r.checked, r.n);
	dkim_result_free(&r);

	/*
	 * Regression (lib/auth/dkim.c dkim_verifier_finish(), fixed): after
	 * dkim_verifier_overflow() dkim_eoh() never runs, so
	 * dkim_getsiglist() had nothing and the message showed no
	 * signature at all (dkim=none), not the "every signature
	 * permerror" that dkim.h promises.
	 */
	t_dkim_sign(&m, k, &s1);
	t_dkim_verify(dl, &m, 8, 4096, 1, &r);
	UNIT_CHECK(r.checked && r.n == 1, "regression: overflow: the "
	    "signature is reported", "n %zu", r.n);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_PERMERROR &&
		    !r.sig[i].aligned_use && strstr(r.sig[i].reason, "limit"),
		    "overflow: permerror", "%s (%s)",
		    method_result_name(r.sig[i].result), r.sig[i].reason);
	dkim_result_free(&r);

	/* the same through a field over DKIM's own 128 KiB field limit */
	buf_init(&big, 300 * 1024);
	for (i = 0; i < 200 * 1024 / 64; i++)
		buf_puts(&big, "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef012345678\n\t");
	m.name[m.n] = "X-Big";
	m.value[m.n++] = strdup(big.data);
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.checked && r.n == 1, "regression: 200 KiB header: the "
	    "signature is reported", "n %zu", r.n);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_PERMERROR,
		    "200 KiB header: permerror", "%s (%s)",
		    method_result_name(r.sig[i].result), r.sig[i].reason);
	dkim_result_free(&r);
	buf_free(&big);
	t_dkim_msg_free(&m);

	/* a DKIM-Signature that is not a tag list */
	t_dkim_msg_new(&m);
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup("this is not a tag "
	    "list"));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	for (i = 0; i < r.n; i++)
		UNIT_CHECK(r.sig[i].result == METHOD_PERMERROR,
		    "garbage DKIM-Signature", "%s",
		    method_result_name(r.sig[i].result));
	dkim_result_free(&r);
	t_dkim_msg_free(&m);

	/* a signature without bh= */
	t_dkim_msg_new(&m);
	t_dkim_msg_prepend(&m, "DKIM-Signature", strdup("v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=signer.example; s=sel; h=from; "
	    "b=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="));
	t_dkim_verify(dl, &m, 8, 4096, 0, &r);
	UNIT_CHECK(r.n == 1 && r.sig[0].result == METHOD_PERMERROR,
	    "no bh=: permerror", "n %zu %s", r.n, r.n ?
	    method_result_name(r.sig[0].result) : "-");
	dkim_result_free(&r);
	t_dkim_msg_free(&m);

	/* freed at every stage without finishing */
	t_dkim_msg_new(&m);
	t_dkim_sign(&m, k, &s1);
	dkim_verifier_free(dkim_verifier_new(dl, "t_dkim", 8));
	v = dkim_verifier_new(dl, "t_dkim", 8);
	for (i = 0; i < m.n; i++)
		dkim_verifier_header(v, m.name[i], m.value[i],
		    strlen(m.value[i]), 0);
	dkim_verifier_free(v);
	v = dkim_verifier_new(dl, "t_dkim", 8);
	for (i = 0; i < m.n; i++)
		dkim_verifier_header(v, m.name[i], m.value[i],
		    strlen(m.value[i]), 0);
	dkim_verifier_body(v, (const unsigned char *)m.body.data, 5);
	dkim_verifier_free(v);
	dkim_verifier_free(NULL);
	dkim_context_free(NULL);
	/* finish without a body: eoh happens there */
	v = dkim_verifier_new(dl, "t_dkim", 8);
	for (i = 0; i < m.n; i++)
		dkim_verifier_header(v, m.name[i], m.value[i],
		    strlen(m.value[i]), 0);
	dkim_verifier_finish(v, &r);
	UNIT_CHECK(r.n == 1 && r.sig[0].result == METHOD_FAIL,
	    "finish without the body", "n %zu %s", r.n, r.n ?
	    method_result_name(r.sig[0].result) : "-");
	dkim_result_free(&r);
	dkim_verifier_free(v);
	t_dkim_msg_free(&m);
}

/* t_dkim_keyline - one key record, p= in strings of 200 characters */
static void
t_dkim_keyline(struct buf *text, const char *name, const char *tags,
    const char *p)
{
	size_t off, len = strlen(p);

	buf_printf(text, ",\n    \"%s TXT \\\"v=DKIM1; %sp=", name, tags);
	for (off = 0; off < len; off += 200)
		buf_printf(text, "%s%.200s", off ? "\\\" \\\"" : "", p + off);
	buf_puts(text, "\\\"\"");
}

/* t_dkim_config - a config with the key zone; min_key_bits as given */
static struct config *
t_dkim_config(int port, int min_bits, const struct t_dkim_keys *k)
{
	struct config *cfg;
	struct buf text;

	buf_init(&text, 1024 * 1024);
	buf_printf(&text, "dkim = { min_key_bits = %d; };\n"
	    "dns = {\n  timeout = 1;\n  nameservers = [ \"127.0.0.1@%d\" ];\n"
	    "  local_zones = [ \"tf.example. refuse\", \"example. static\" ];\n"
	    "  local_data = [\n    \"signer.example. A 192.0.2.1\"", min_bits,
	    port);
	t_dkim_keyline(&text, "sel._domainkey.signer.example.", "k=rsa; ",
	    k->p[K_RSA]);
	t_dkim_keyline(&text, "sel._domainkey.other.example.", "",
	    k->p[K_RSA]);
	t_dkim_keyline(&text, "testing._domainkey.signer.example.",
	    "k=rsa; t=y; ", k->p[K_RSA]);
	t_dkim_keyline(&text, "sha1only._domainkey.signer.example.",
	    "k=rsa; h=sha1; ", k->p[K_RSA]);
	t_dkim_keyline(&text, "small._domainkey.signer.example.", "k=rsa; ",
	    k->p[K_SMALL]);
	t_dkim_keyline(&text, "ed._domainkey.signer.example.", "k=ed25519; ",
	    k->p[K_ED]);
	t_dkim_keyline(&text, "revoked._domainkey.signer.example.", "k=rsa; ",
	    "");
	t_dkim_keyline(&text, "garbage._domainkey.signer.example.", "k=rsa; ",
	    "not!base64");
	buf_puts(&text, "\n  ];\n};\n");
	cfg = fixture_config(text.data);
	buf_free(&text);
	return cfg;
}

/* t_dkim_minbits - dkim.min_key_bits 2048 makes a 1024-bit key policy */
static void
t_dkim_minbits(struct resolver *res, const struct t_dkim_keys *k, int port)
{
	static const struct t_dkim_spec s1 = T_RSA("sel"),
	    s3 = T_ALG(K_ED, "ed25519-sha256", "ed");
	struct config *cfg = t_dkim_config(port, 2048, k);
	struct dkim_context *dl;
	struct t_dkim_msg m;
	struct dkim_result r;
	struct buf why;

	buf_init(&why, 1024);
	dl = dkim_context_new(res, cfg, &why);
	UNIT_CHECK(dl != NULL, "dkim_context_new, min_key_bits 2048", "%s",
	    why.data);
	if (dl != NULL) {
		t_dkim_msg_new(&m);
		t_dkim_sign(&m, k, &s1);
		t_dkim_sign(&m, k, &s3);
		t_dkim_verify(dl, &m, 8, 4096, 0, &r);
		UNIT_CHECK(r.n == 2, "min_key_bits 2048", "n %zu", r.n);
		if (r.n == 2) {
			UNIT_CHECK(r.sig[1].result == METHOD_POLICY &&
			    !r.sig[1].aligned_use && r.sig[1].keybits == 1024,
			    "min_key_bits 2048: 1024-bit key is policy",
			    "%s (%s) %d bits",
			    method_result_name(r.sig[1].result),
			    r.sig[1].reason, r.sig[1].keybits);
			UNIT_CHECK(r.sig[0].result == METHOD_PASS,
			    "min_key_bits 2048: ed25519 is not an RSA key",
			    "%s (%s) %d bits",
			    method_result_name(r.sig[0].result),
			    r.sig[0].reason, r.sig[0].keybits);
		}
		dkim_result_free(&r);
		t_dkim_msg_free(&m);
	}
	dkim_context_free(dl);
	buf_free(&why);
	config_release(cfg);
}

/*
 * t_dkim_memo - libopendkim's key decoding went through lib/auth/dermemo:
 * the tables above verify several signatures by the same key, so the
 * interposed d2i_PUBKEY_bio must have been bound and hit
 */
static void
t_dkim_memo(void)
{
	struct dermemo_stats st;

	dermemo_stats(&st);
	UNIT_CHECK(st.misses >= 1 && st.hits >= 1,
	    "libopendkim decodes keys through the memo",
	    "misses %llu hits %llu", st.misses, st.hits);
}

int
main(void)
{
	struct t_dkim_keys keys;
	struct config *cfg;
	struct resolver *res;
	struct dkim_context *dl;
	struct buf why;
	int sock, port;

	if ((sock = fixture_silent(&port)) < 0) {
		perror("t_dkim: UDP socket");
		return 99;
	}
	t_dkim_keys_make(&keys);
	cfg = t_dkim_config(port, 1024, &keys);
	res = fixture_resolver(cfg);
	buf_init(&why, 1024);
	if ((dl = dkim_context_new(res, cfg, &why)) == NULL) {
		fprintf(stderr, "t_dkim: %s\n", why.data);
		return 99;
	}
	buf_free(&why);
	t_dkim_table(dl, &keys);
	t_dkim_multi(dl, &keys);
	t_dkim_prefixes(dl, &keys);
	t_dkim_decoys(dl, &keys);
	t_dkim_unfed(dl, &keys);
	t_dkim_edges(dl, &keys);
	t_dkim_minbits(res, &keys, port);
	t_dkim_memo();
	dkim_context_free(dl);
	resolver_free(res);
	config_release(cfg);
	t_dkim_keys_free(&keys);
	close(sock);
	return unit_done("t_dkim");
}
