/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkim_pair - the pairing invariant of lib/dkim: a result's d= is
 * the d= of the very signature libopendkim verified. A message genuinely
 * signed for evil.example (key made at start, signed by libopendkim
 * itself) carries From: ceo@bank.example; bank.example publishes a key
 * of its own, which nobody here can sign with. The input adds header
 * fields around the genuine signature: decoys, copies, anything. Tokens
 * in the input are replaced before the field is fed, so the fuzzer can
 * reach near-copies of the real signature:
 *	@SIG@	the genuine DKIM-Signature value
 *	@BANK@	the same, relabelled d=bank.example
 *	@B@	the genuine b= value
 *	@BH@	the genuine bh= value
 * The first input byte says how many of the input's fields go above the
 * genuine signature (the rest go below it). A pass whose d= is not
 * evil.example traps: some field stole the genuine signature's verdict.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <opendkim/dkim.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "fuzzlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_PAIR_FIELDS	64	/* input fields used */

/* the signed message and what the input may refer to */
static struct {
	struct dkim_context	*lib;		/* verifier library */
	struct resolver	*res;		/* its resolver */
	struct config	*cfg;		/* kept for the library */
	char		*sig;		/* genuine DKIM-Signature value */
	char		*bank;		/* the same with d=bank.example */
	char		*b, *bh;	/* its b= and bh= */
} fuzz_pair;

static const char *const fuzz_pair_hdr[][2] = {
	{ "From", " ceo@bank.example" },
	{ "To", " staff@rcpt.example" },
	{ "Subject", " urgent" },
	{ "Date", " Mon, 1 Jan 2024 10:00:00 +0000" },
};
static const char fuzz_pair_body[] = "Pay the invoice today.\r\n";

/* fuzz_pair_key - a new RSA key: PEM private, base64 SPKI public */
static char *
fuzz_pair_key(char **pub)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	unsigned char *der = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem, *data;
	long len;
	int dlen;

	if (k == NULL || bio == NULL ||
	    !PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) ||
	    (dlen = i2d_PUBKEY(k, &der)) <= 0)
		abort();
	len = BIO_get_mem_data(bio, &data);
	pem = strndup(data, (size_t)len);
	*pub = malloc(4 * (((size_t)dlen + 2) / 3) + 1);
	if (pem == NULL || *pub == NULL)
		abort();
	EVP_EncodeBlock((unsigned char *)*pub, der, dlen);
	OPENSSL_free(der);
	BIO_free(bio);
	EVP_PKEY_free(k);
	return pem;
}

/* fuzz_pair_sign - libopendkim signs the message for evil.example */
static char *
fuzz_pair_sign(const char *pem)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	DKIM_STAT st;
	DKIM *d;
	unsigned char hdr[8192];
	char field[256];
	size_t i;

	d = dkim_sign(lib, (const unsigned char *)"fuzz",
	    NULL, (dkim_sigkey_t)pem, (const unsigned char *)"x",
	    (const unsigned char *)"evil.example", DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	if (d == NULL)
		abort();
	for (i = 0; i < sizeof(fuzz_pair_hdr) / sizeof(fuzz_pair_hdr[0]); i++) {
		snprintf(field, sizeof(field), "%s:%s", fuzz_pair_hdr[i][0],
		    fuzz_pair_hdr[i][1]);
		if (dkim_header(d, (unsigned char *)field, strlen(field)) !=
		    DKIM_STAT_OK)
			abort();
	}
	if (dkim_eoh(d) != DKIM_STAT_OK || dkim_body(d,
	    (unsigned char *)fuzz_pair_body, strlen(fuzz_pair_body)) !=
	    DKIM_STAT_OK || dkim_eom(d, NULL) != DKIM_STAT_OK ||
	    dkim_getsighdr(d, hdr, sizeof(hdr), 0) != DKIM_STAT_OK)
		abort();
	dkim_free(d);
	dkim_close(lib);
	return strdup((char *)hdr);
}

/* fuzz_pair_tag - a tag's value in a signature, white space removed */
static char *
fuzz_pair_tag(const char *sig, const char *tag)
{
	struct buf out;
	const char *p = sig;
	size_t tl = strlen(tag);
	char *v;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == ';')
			p++;
		if (*p == '\0')
			abort();
		if (strncmp(p, tag, tl) == 0 && p[tl] == '=')
			break;
		if ((p = strchr(p, ';')) == NULL)
			abort();
	}
	buf_init(&out, 4096);
	for (p += tl + 1; *p != '\0' && *p != ';'; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			buf_putc(&out, *p);
	v = strdup(out.data);
	buf_free(&out);
	return v;
}

/* fuzz_pair_init - keys for evil.example and bank.example, the message */
static void
fuzz_pair_init(void)
{
	char *evil_pub, *bank_pub, *evil = fuzz_pair_key(&evil_pub), *at;
	char *bank = fuzz_pair_key(&bank_pub);
	struct buf conf, why;

	buf_init(&conf, 16384);
	buf_printf(&conf, "dns = { local_zones = [ \". static\" ]; local_data "
	    "= [ \"x._domainkey.evil.example. 300 IN TXT \\\"v=DKIM1; k=rsa; "
	    "p=%s\\\"\", \"x._domainkey.bank.example. 300 IN TXT \\\"v=DKIM1; "
	    "k=rsa; p=%s\\\"\" ]; };\n", evil_pub, bank_pub);
	fuzz_pair.cfg = fuzzlib_config(conf.data, NULL);
	buf_init(&why, 1024);
	if ((fuzz_pair.res = resolver_new(fuzz_pair.cfg, &why)) == NULL ||
	    (fuzz_pair.lib = dkim_context_new(fuzz_pair.res, fuzz_pair.cfg,
	    &why)) == NULL) {
		fprintf(stderr, "%s\n", why.data);
		abort();
	}
	fuzz_pair.sig = fuzz_pair_sign(evil);
	fuzz_pair.bank = strdup(fuzz_pair.sig);
	if (fuzz_pair.bank == NULL ||
	    (at = strstr(fuzz_pair.bank, "d=evil.example")) == NULL)
		abort();
	memcpy(at, "d=bank.example", 14);
	fuzz_pair.b = fuzz_pair_tag(fuzz_pair.sig, "b");
	fuzz_pair.bh = fuzz_pair_tag(fuzz_pair.sig, "bh");
	free(evil);
	free(bank);
	free(evil_pub);
	free(bank_pub);
	buf_free(&conf);
	buf_free(&why);
}

/* one input field, tokens replaced */
struct fuzz_pair_field {
	char	 name[128];		/* field name */
	struct buf value;		/* value as fed */
};

struct fuzz_pair_msg {
	struct fuzz_pair_field f[FUZZ_PAIR_FIELDS];	/* input fields */
	size_t	 n;			/* fields */
};

/* fuzz_pair_expand - copy value, replacing the tokens */
static void
fuzz_pair_expand(struct buf *out, const char *v, size_t len)
{
	static const char *const tok[] = { "@SIG@", "@BANK@", "@BH@", "@B@" };
	const char *rep[] = { fuzz_pair.sig, fuzz_pair.bank, fuzz_pair.bh,
	    fuzz_pair.b };
	size_t i, k;

	for (i = 0; i < len; i++) {
		for (k = 0; k < 4; k++)
			if (len - i >= strlen(tok[k]) &&
			    memcmp(v + i, tok[k], strlen(tok[k])) == 0)
				break;
		if (k == 4) {
			buf_putc(out, v[i]);
			continue;
		}
		buf_puts(out, rep[k]);
		i += strlen(tok[k]) - 1;
	}
}

/* fuzz_pair_field - one input field into the list */
static void
fuzz_pair_field(void *arg, const char *name, const char *value, size_t len)
{
	struct fuzz_pair_msg *m = arg;
	struct fuzz_pair_field *f;

	if (m->n == FUZZ_PAIR_FIELDS)
		return;
	f = &m->f[m->n++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	buf_init(&f->value, 256 * 1024);
	fuzz_pair_expand(&f->value, value, len);
}

/* fuzz_pair_feed - input fields [from, to) into the verifier */
static void
fuzz_pair_feed(struct dkim_verifier *v, struct fuzz_pair_msg *m, size_t from,
    size_t to)
{
	for (; from < to; from++)
		dkim_verifier_header(v, m->f[from].name, m->f[from].value.data,
		    m->f[from].value.len, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct fuzz_pair_msg *m;
	struct dkim_verifier *v;
	struct dkim_result r;
	size_t i, above;

	if (size < 1)
		return 0;
	if (fuzz_pair.lib == NULL)
		fuzz_pair_init();
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		abort();
	fuzzlib_headers(p + 1, end, fuzz_pair_field, m);
	above = data[0] % (m->n + 1);
	v = dkim_verifier_new(fuzz_pair.lib, "fuzz", 8);
	fuzz_pair_feed(v, m, 0, above);
	dkim_verifier_header(v, "DKIM-Signature", fuzz_pair.sig,
	    strlen(fuzz_pair.sig), 0);
	fuzz_pair_feed(v, m, above, m->n);
	for (i = 0; i < sizeof(fuzz_pair_hdr) / sizeof(fuzz_pair_hdr[0]); i++)
		dkim_verifier_header(v, fuzz_pair_hdr[i][0],
		    fuzz_pair_hdr[i][1], strlen(fuzz_pair_hdr[i][1]), 0);
	dkim_verifier_eoh(v);
	dkim_verifier_body(v, (const unsigned char *)fuzz_pair_body,
	    strlen(fuzz_pair_body));
	dkim_verifier_finish(v, &r);
	for (i = 0; i < r.n; i++)
		if (r.sig[i].result == METHOD_PASS &&
		    strcasecmp(r.sig[i].d, "evil.example") != 0)
			__builtin_trap();	/* a stolen pass */
	dkim_result_free(&r);
	dkim_verifier_free(v);
	for (i = 0; i < m->n; i++)
		buf_free(&m->f[i].value);
	free(m);
	return 0;
}
