/* SPDX-License-Identifier: BSD-2-Clause */
/* pkey - key records, private keys, signing and verification */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/buf.h"
#include "auth/pkey.h"
#include "mail/tags.h"
#include "util/xalloc.h"

/* pkey_alg_parse - a= value */
enum pkey_alg
pkey_alg_parse(const char *a)
{
	if (strcasecmp(a, "rsa-sha256") == 0)
		return PKEY_RSA_SHA256;
	if (strcasecmp(a, "ed25519-sha256") == 0)
		return PKEY_ED25519_SHA256;
	return PKEY_UNKNOWN;
}

/* pkey_alg_name - a= value */
const char *
pkey_alg_name(enum pkey_alg a)
{
	return a == PKEY_ED25519_SHA256 ? "ed25519-sha256" : "rsa-sha256";
}

/* pkey_unb64 - base64 without white space; NULL when it is not base64 */
static unsigned char *
pkey_unb64(const char *s, size_t *outlen)
{
	struct buf clean;
	unsigned char *out;
	int n, pad = 0;

	buf_init(&clean, 16384);
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			buf_putc(&clean, *s);
	if (clean.len == 0 || clean.len % 4 != 0 || clean.truncated) {
		buf_free(&clean);
		return NULL;
	}
	out = xmalloc(clean.len);
	n = EVP_DecodeBlock(out, (unsigned char *)clean.data, (int)clean.len);
	/* EVP_DecodeBlock counts the padding: one byte less per "=" */
	if (clean.len >= 1 && clean.data[clean.len - 1] == '=')
		pad++;
	if (clean.len >= 2 && clean.data[clean.len - 2] == '=')
		pad++;
	buf_free(&clean);
	if (n < 0 || n - pad < 0) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)(n - pad);
	return out;
}

/* pkey_b64 - base64 of bytes, appended */
int
pkey_b64(const unsigned char *p, size_t len, struct buf *out)
{
	unsigned char *b = xmalloc(4 * ((len + 2) / 3) + 1);
	int n = EVP_EncodeBlock(b, p, (int)len);
	int rc = buf_append(out, b, (size_t)n);

	free(b);
	return rc;
}

/* pkey_rsa - SPKI, or PKCS#1 as some publish it */
static EVP_PKEY *
pkey_rsa(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);

	if (k == NULL) {
		p = der;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	}
	if (k != NULL && !EVP_PKEY_is_a(k, "RSA")) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* pkey_from_record - the public key of a DKIM key record */
EVP_PKEY *
pkey_from_record(const char *record, enum pkey_alg alg, int min_bits,
    struct buf *why)
{
	struct tags t;
	const char *k, *p;
	unsigned char *der = NULL;
	size_t len = 0;
	EVP_PKEY *key = NULL;

	if (tags_parse(record, strlen(record), &t, why) != 0)
		return NULL;
	k = tags_get(&t, "k");
	p = tags_get(&t, "p");
	if (tags_get(&t, "v") != NULL && strcmp(tags_get(&t, "v"), "DKIM1"))
		buf_puts(why, "unknown key record version");
	else if (p == NULL)
		buf_puts(why, "key record without p=");
	else if (*p == '\0')
		buf_puts(why, "key revoked");
	else if (alg == PKEY_ED25519_SHA256 ? k == NULL ||
	    strcasecmp(k, "ed25519") != 0 : k != NULL && strcasecmp(k, "rsa"))
		buf_puts(why, "key type does not match a=");
	else if ((der = pkey_unb64(p, &len)) == NULL)
		buf_puts(why, "p= is not base64");
	else if (alg == PKEY_ED25519_SHA256) {
		if (len != 32 || (key = EVP_PKEY_new_raw_public_key(
		    EVP_PKEY_ED25519, NULL, der, len)) == NULL)
			buf_puts(why, "bad ed25519 key");
	} else if ((key = pkey_rsa(der, len)) == NULL)
		buf_puts(why, "bad RSA key");
	else if (EVP_PKEY_get_bits(key) < min_bits ||
	    EVP_PKEY_get_bits(key) > PKEY_MAX_BITS) {
		buf_printf(why, "%d-bit key refused", EVP_PKEY_get_bits(key));
		EVP_PKEY_free(key);
		key = NULL;
	}
	free(der);
	tags_free(&t);
	ERR_clear_error();	/* worker threads are reused: no stale errors */
	return key;
}

/* pkey_load_private - a PEM private key that only its owner may read */
EVP_PKEY *
pkey_load_private(const char *path, struct buf *why)
{
	struct stat st;
	EVP_PKEY *key;
	FILE *fp;

	if (stat(path, &st) != 0) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		buf_printf(why, "%s: readable by others; chmod o-rwx it", path);
		return NULL;
	}
	/* whoever may write the key may sign as us */
	if (st.st_mode & S_IWGRP) {
		buf_printf(why, "%s: writable by its group; chmod g-w it", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(why, "%s: not a regular file", path);
		return NULL;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return NULL;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL || (!EVP_PKEY_is_a(key, "RSA") &&
	    !EVP_PKEY_is_a(key, "ED25519"))) {
		buf_printf(why, "%s: not an RSA or Ed25519 private key", path);
		EVP_PKEY_free(key);
		key = NULL;
	}
	ERR_clear_error();
	return key;
}

/* pkey_hash - SHA-256 of the data, what ed25519-sha256 signs */
static void
pkey_hash(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

/* pkey_verify - 1 good, 0 bad or unusable */
int
pkey_verify(EVP_PKEY *key, enum pkey_alg alg, const void *data, size_t len,
    const char *b64sig)
{
	unsigned char *sig, h[32];
	size_t siglen;
	EVP_MD_CTX *ctx;
	int rc = 0;

	if ((sig = pkey_unb64(b64sig, &siglen)) == NULL || siglen > 1024) {
		free(sig);
		return 0;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		free(sig);
		return 0;
	}
	if (alg == PKEY_ED25519_SHA256) {
		pkey_hash(data, len, h);
		if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
			rc = EVP_DigestVerify(ctx, sig, siglen, h, sizeof(h));
	} else if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    key) == 1)
		rc = EVP_DigestVerify(ctx, sig, siglen, data, len);
	EVP_MD_CTX_free(ctx);
	free(sig);
	ERR_clear_error();
	return rc == 1;
}

/* pkey_sign - base64 signature appended to out; -1 on failure */
int
pkey_sign(EVP_PKEY *key, enum pkey_alg alg, const void *data, size_t len,
    struct buf *out)
{
	unsigned char sig[1024], h[32];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (ctx == NULL)
		return -1;
	if (alg == PKEY_ED25519_SHA256) {
		pkey_hash(data, len, h);
		if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		    EVP_DigestSign(ctx, sig, &siglen, h, sizeof(h)) == 1)
			rc = 0;
	} else if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key) == 1 && EVP_DigestSign(ctx, sig, &siglen, data, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (rc == 0)
		rc = pkey_b64(sig, siglen, out);
	return rc;
}

/*
 * pkey_from_pem - a private key from PEM text in memory: RSA of
 * PKEY_MIN_SIGN_BITS..PKEY_MAX_BITS bits, or Ed25519
 */
EVP_PKEY *
pkey_from_pem(const void *data, size_t len, struct buf *why)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *key = NULL;
	int bits;

	if (bio != NULL)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (key == NULL)
		buf_puts(why, "not a PEM private key (or a protected one)");
	else if (EVP_PKEY_is_a(key, "RSA")) {
		bits = EVP_PKEY_get_bits(key);
		if (bits >= PKEY_MIN_SIGN_BITS && bits <= PKEY_MAX_BITS)
			return key;
		buf_printf(why, "a %d-bit RSA key (%d..%d bits, RFC 8301)",
		    bits, PKEY_MIN_SIGN_BITS, PKEY_MAX_BITS);
	} else if (EVP_PKEY_is_a(key, "ED25519"))
		return key;
	else
		buf_puts(why, "neither an RSA nor an Ed25519 key");
	EVP_PKEY_free(key);
	return NULL;
}

/* pkey_to_pem - the private key as unencrypted PKCS#8 PEM, appended */
int
pkey_to_pem(EVP_PKEY *key, struct buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rc = -1;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
	    NULL, NULL) == 1 && (n = BIO_get_mem_data(bio, &p)) > 0)
		rc = buf_append(out, p, (size_t)n);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/*
 * pkey_record - the DKIM key record of a private key's public half
 * (RFC 6376 3.6.1; RFC 8463 3: the raw 32 bytes for ed25519), appended
 */
int
pkey_record(EVP_PKEY *key, struct buf *out)
{
	unsigned char raw[32], *der = NULL;
	size_t rawlen = sizeof(raw);
	int n, rc = -1;

	if (EVP_PKEY_is_a(key, "ED25519")) {
		if (EVP_PKEY_get_raw_public_key(key, raw, &rawlen) == 1) {
			buf_puts(out, "v=DKIM1; k=ed25519; p=");
			rc = pkey_b64(raw, rawlen, out);
		}
	} else if ((n = i2d_PUBKEY(key, &der)) > 0) {
		buf_puts(out, "v=DKIM1; k=rsa; p=");
		rc = pkey_b64(der, (size_t)n, out);
	}
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}

/*
 * pkey_txt_strings - a TXT record's text as zone-file character-strings of
 * at most PKEY_TXT_STRING bytes each, quoted and separated by a space
 * (DKIM key records are base64 and ASCII: nothing needs escaping)
 */
void
pkey_txt_strings(const char *text, struct buf *out)
{
	size_t len = strlen(text), off, n;

	for (off = 0; off < len || off == 0; off += n) {
		n = len - off > PKEY_TXT_STRING ? PKEY_TXT_STRING : len - off;
		buf_printf(out, "%s\"%.*s\"", off ? " " : "", (int)n,
		    text + off);
		if (n == 0)
			break;
	}
}
