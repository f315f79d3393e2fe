/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_pkey - key records, signing and verification for ARC: keys made in the
 * test with OpenSSL, published as DKIM key records, signed and verified
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "util/buf.h"
#include "auth/pkey.h"
#include "unit.h"

/* t_pkey_new - a fresh key of the type ("RSA" or "ED25519") */
static EVP_PKEY *
t_pkey_new(const char *type, int bits)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
	    (bits > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits) != 1) ||
	    EVP_PKEY_keygen(c, &k) != 1) {
		fprintf(stderr, "t_pkey: cannot make a %s key\n", type);
		exit(99);
	}
	EVP_PKEY_CTX_free(c);
	return k;
}

/* t_pkey_record - "k=...; p=<base64>" for the public half */
static void
t_pkey_record(EVP_PKEY *k, int ed, int pkcs1, struct buf *out)
{
	unsigned char raw[32], *der = NULL;
	size_t rawlen = sizeof(raw);
	int n;

	buf_printf(out, "v=DKIM1; k=%s; p=", ed ? "ed25519" : "rsa");
	if (ed) {
		EVP_PKEY_get_raw_public_key(k, raw, &rawlen);
		pkey_b64(raw, rawlen, out);
		return;
	}
	n = pkcs1 ? i2d_PublicKey(k, &der) : i2d_PUBKEY(k, &der);
	pkey_b64(der, (size_t)n, out);
	OPENSSL_free(der);
}

/* t_pkey_roundtrip - sign with the private key, verify via the record */
static void
t_pkey_roundtrip(const char *label, EVP_PKEY *k, enum pkey_alg alg, int ed,
    int pkcs1)
{
	static const char data[] = "arc-seal:i=1; a=rsa-sha256; b=";
	struct buf rec, sig, why;
	EVP_PKEY *pub;

	buf_init(&rec, 8192);
	buf_init(&sig, 4096);
	buf_init(&why, 256);
	t_pkey_record(k, ed, pkcs1, &rec);
	pub = pkey_from_record(rec.data, alg, 1024, &why);
	UNIT_CHECK(pub != NULL, label, "record refused: %s", why.data);
	UNIT_CHECK(pkey_sign(k, alg, data, strlen(data), &sig) == 0, label,
	    "sign failed");
	if (pub != NULL) {
		UNIT_CHECK(pkey_verify(pub, alg, data, strlen(data), sig.data)
		    == 1, label, "good signature refused");
		UNIT_CHECK(pkey_verify(pub, alg, "other", 5, sig.data) == 0,
		    label, "signature over other data accepted");
		UNIT_CHECK(pkey_verify(pub, alg, data, strlen(data),
		    "not base64!") == 0, label, "garbage signature accepted");
	}
	EVP_PKEY_free(pub);
	buf_free(&rec);
	buf_free(&sig);
	buf_free(&why);
}

/* t_pkey_records - records that must be refused, and why */
static void
t_pkey_records(EVP_PKEY *rsa)
{
	static const struct {
		const char *label, *record, *why;
		enum pkey_alg alg;
	} cases[] = {
		{ "revoked", "v=DKIM1; k=rsa; p=", "revoked", PKEY_RSA_SHA256 },
		{ "no p=", "v=DKIM1; k=rsa", "without p=", PKEY_RSA_SHA256 },
		{ "bad base64", "k=rsa; p=@@@@", "base64", PKEY_RSA_SHA256 },
		{ "wrong version", "v=DKIM2; p=AAAA", "version",
		    PKEY_RSA_SHA256 },
		{ "ed25519 key for rsa-sha256", "k=ed25519; p=AAAA", "type",
		    PKEY_RSA_SHA256 },
		{ "rsa key for ed25519-sha256", "k=rsa; p=AAAA", "type",
		    PKEY_ED25519_SHA256 },
		{ "ed25519 key of 3 bytes", "k=ed25519; p=AAAA", "ed25519",
		    PKEY_ED25519_SHA256 },
		{ "duplicate tag", "k=rsa; k=rsa; p=AAAA", "twice",
		    PKEY_RSA_SHA256 },
	};
	struct buf why, rec;
	EVP_PKEY *k;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&why, 256);
		k = pkey_from_record(cases[i].record, cases[i].alg, 1024, &why);
		UNIT_CHECK(k == NULL && strstr(why.data, cases[i].why) != NULL,
		    cases[i].label, "key %p, why \"%s\"", (void *)k, why.data);
		EVP_PKEY_free(k);
		buf_free(&why);
	}
	/* the same 1024-bit key is too small when 2048 is the minimum */
	buf_init(&why, 256);
	buf_init(&rec, 8192);
	t_pkey_record(rsa, 0, 0, &rec);
	k = pkey_from_record(rec.data, PKEY_RSA_SHA256, 2048, &why);
	UNIT_CHECK(k == NULL && strstr(why.data, "1024-bit") != NULL,
	    "minimum key size", "why \"%s\"", why.data);
	EVP_PKEY_free(k);
	buf_free(&why);
	buf_free(&rec);
}

/* t_pkey_private - PEM loading refuses keys others may read */
static void
t_pkey_private(EVP_PKEY *k)
{
	char path[] = "/tmp/t_pkey.XXXXXX";
	struct buf why;
	EVP_PKEY *got;
	FILE *fp;
	int fd = mkstemp(path);

	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL)
		exit(99);
	PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	buf_init(&why, 256);
	chmod(path, 0600);
	got = pkey_load_private(path, &why);
	UNIT_CHECK(got != NULL, "private key 0600 loads", "%s", why.data);
	EVP_PKEY_free(got);
	buf_reset(&why);
	chmod(path, 0620);
	buf_reset(&why);
	got = pkey_load_private(path, &why);
	UNIT_CHECK(got == NULL && strstr(why.data, "writable by its group"),
	    "group-writable private key refused", "why \"%s\"", why.data);
	EVP_PKEY_free(got);
	chmod(path, 0640);
	buf_reset(&why);
	got = pkey_load_private(path, &why);
	UNIT_CHECK(got != NULL, "group-readable private key loads", "%s",
	    why.data);
	EVP_PKEY_free(got);
	chmod(path, 0644);
	buf_reset(&why);
	got = pkey_load_private(path, &why);
	UNIT_CHECK(got == NULL && strstr(why.data, "readable by others"),
	    "world-readable private key refused", "why \"%s\"", why.data);
	EVP_PKEY_free(got);
	buf_reset(&why);
	got = pkey_load_private("/nonexistent/key.pem", &why);
	UNIT_CHECK(got == NULL && why.len > 0, "missing key file", "%s",
	    why.data);
	unlink(path);
	buf_free(&why);
}

int
main(void)
{
	EVP_PKEY *rsa = t_pkey_new("RSA", 1024), *ed = t_pkey_new("ED25519", 0);

	UNIT_CHECK(pkey_alg_parse("RSA-SHA256") == PKEY_RSA_SHA256 &&
	    pkey_alg_parse("ed25519-sha256") == PKEY_ED25519_SHA256 &&
	    pkey_alg_parse("rsa-sha1") == PKEY_UNKNOWN, "algorithm names",
	    "parse");
	t_pkey_roundtrip("rsa-sha256, SPKI record", rsa, PKEY_RSA_SHA256, 0, 0);
	t_pkey_roundtrip("rsa-sha256, PKCS#1 record", rsa, PKEY_RSA_SHA256, 0,
	    1);
	t_pkey_roundtrip("ed25519-sha256", ed, PKEY_ED25519_SHA256, 1, 0);
	t_pkey_records(rsa);
	t_pkey_private(rsa);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	return unit_done("t_pkey");
}
