/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_dermemo - the process-wide memo behind d2i_PUBKEY_bio: the same key
 * as libcrypto's, one decode per byte string, trailing bytes and other
 * BIOs left to libcrypto, eviction with handed-out keys still usable, and
 * eight threads at once (run it under the sanitizer build too)
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/dermemo.h"
#include "unit.h"

#define T_DERMEMO_KEYS		(DERMEMO_ENTRIES + 44)	/* forces eviction */
#define T_DERMEMO_THREADS	8
#define T_DERMEMO_ROUNDS	2000

static const char t_dermemo_data[] = "signed text";

struct t_dermemo_key {
	EVP_PKEY	*priv;		/* signs */
	unsigned char	 der[128];	/* its SubjectPublicKeyInfo */
	int		 len;		/* of der */
	unsigned char	 sig[64];	/* over t_dermemo_data */
};

static struct t_dermemo_key t_dermemo_k[T_DERMEMO_KEYS];

/* t_dermemo_make - ed25519 key i (the same every run), DER, signature */
static void
t_dermemo_make(int i)
{
	struct t_dermemo_key *k = &t_dermemo_k[i];
	unsigned char seed[32], *p = k->der;
	size_t j, siglen = sizeof(k->sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	for (j = 0; j < sizeof(seed); j++)
		seed[j] = (unsigned char)(i * 41 + j * 7 + 3);
	k->priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	if (k->priv == NULL || i2d_PUBKEY(k->priv, NULL) > (int)sizeof(k->der) ||
	    (k->len = i2d_PUBKEY(k->priv, &p)) <= 0 || ctx == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->priv) != 1 ||
	    EVP_DigestSign(ctx, k->sig, &siglen,
	    (const unsigned char *)t_dermemo_data,
	    strlen(t_dermemo_data)) != 1) {
		fprintf(stderr, "t_dermemo: cannot make key %d\n", i);
		exit(99);
	}
	EVP_MD_CTX_free(ctx);
}

/* t_dermemo_verify - whether key verifies key i's signature */
static int
t_dermemo_verify(EVP_PKEY *key, int i)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, t_dermemo_k[i].sig, 64,
	    (const unsigned char *)t_dermemo_data,
	    strlen(t_dermemo_data)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* t_dermemo_get - d2i_PUBKEY_bio over a memory BIO of len bytes at p */
static EVP_PKEY *
t_dermemo_get(const unsigned char *p, int len, int *left)
{
	BIO *b = BIO_new_mem_buf(p, len);
	EVP_PKEY *k = d2i_PUBKEY_bio(b, NULL);

	if (left != NULL)
		*left = (int)BIO_pending(b);
	BIO_free(b);
	return k;
}

/* t_dermemo_basics - same key as libcrypto's, then the same object */
static void
t_dermemo_basics(void)
{
	struct t_dermemo_key *k = &t_dermemo_k[0];
	struct dermemo_stats s0, s1, s2;
	EVP_PKEY *a, *b, *c;
	int left = -1;

	dermemo_stats(&s0);
	a = t_dermemo_get(k->der, k->len, &left);
	dermemo_stats(&s1);
	UNIT_CHECK(a != NULL && EVP_PKEY_eq(a, k->priv) == 1,
	    "first decode: the key that was encoded", "no");
	UNIT_CHECK(s1.misses == s0.misses + 1 && s1.hits == s0.hits,
	    "first decode: a miss", "no");
	UNIT_CHECK(left == 0, "first decode: the BIO read to its end",
	    "left %d", left);
	b = t_dermemo_get(k->der, k->len, &left);
	dermemo_stats(&s2);
	UNIT_CHECK(b == a, "second decode: the same key object", "no");
	UNIT_CHECK(s2.hits == s1.hits + 1 && s2.misses == s1.misses,
	    "second decode: a hit", "no");
	UNIT_CHECK(left == 0, "second decode: the BIO read to its end",
	    "left %d", left);
	c = t_dermemo_get(t_dermemo_k[1].der, t_dermemo_k[1].len, NULL);
	UNIT_CHECK(c != NULL && c != a && EVP_PKEY_eq(c, a) != 1 &&
	    t_dermemo_verify(c, 1) && !t_dermemo_verify(c, 0),
	    "other bytes: the other key", "no");
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	UNIT_CHECK(t_dermemo_verify(b, 0),
	    "the memo's reference outlives the callers'", "no");
	EVP_PKEY_free(c);
}

/* t_dermemo_edges - trailing bytes, garbage, non-memory BIOs */
static void
t_dermemo_edges(void)
{
	struct t_dermemo_key *k = &t_dermemo_k[2];
	unsigned char buf[sizeof(k->der) + 4];
	struct dermemo_stats s0, s1;
	EVP_PKEY *a, *b;
	BIO *mem, *chain;
	int left = -1;

	memcpy(buf, k->der, (size_t)k->len);
	memcpy(buf + k->len, "TAIL", 4);
	a = t_dermemo_get(buf, k->len + 4, &left);
	b = t_dermemo_get(buf, k->len + 4, NULL);
	UNIT_CHECK(a != NULL && b != NULL && a != b && EVP_PKEY_eq(a, b) == 1,
	    "trailing bytes: decoded each time, never remembered", "no");
	UNIT_CHECK(left == 4, "trailing bytes: left in the BIO", "left %d",
	    left);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	memset(buf, 0x30, sizeof(buf));
	UNIT_CHECK(t_dermemo_get(buf, 40, NULL) == NULL,
	    "garbage: no key", "no");
	UNIT_CHECK(t_dermemo_get(buf, 0, NULL) == NULL, "nothing: no key",
	    "no");
	/* a buffering BIO over the memory: libcrypto's own function */
	dermemo_stats(&s0);
	mem = BIO_new_mem_buf(t_dermemo_k[3].der, t_dermemo_k[3].len);
	chain = BIO_push(BIO_new(BIO_f_buffer()), mem);
	a = d2i_PUBKEY_bio(chain, NULL);
	BIO_free_all(chain);
	dermemo_stats(&s1);
	UNIT_CHECK(a != NULL && t_dermemo_verify(a, 3),
	    "a filter BIO: decoded by libcrypto", "no");
	UNIT_CHECK(s1.hits == s0.hits && s1.misses == s0.misses,
	    "a filter BIO: not counted", "no");
	EVP_PKEY_free(a);
}

/* t_dermemo_evict - more keys than slots; every answer is right */
static void
t_dermemo_evict(void)
{
	int i, bad = 0;

	for (i = 0; i < T_DERMEMO_KEYS; i++) {
		EVP_PKEY *k = t_dermemo_get(t_dermemo_k[i].der,
		    t_dermemo_k[i].len, NULL);

		if (k == NULL || !t_dermemo_verify(k, i))
			bad++;
		EVP_PKEY_free(k);
	}
	UNIT_CHECK(bad == 0, "past the bound: every key right", "%d wrong",
	    bad);
}

/* t_dermemo_thread - rounds of decode and verify over a few keys */
static void *
t_dermemo_thread(void *arg)
{
	int *bad = arg, r;

	for (r = 0; r < T_DERMEMO_ROUNDS; r++) {
		int i = (r * 7 + *bad) % 24;
		EVP_PKEY *k = t_dermemo_get(t_dermemo_k[i].der,
		    t_dermemo_k[i].len, NULL);

		if (k == NULL || !t_dermemo_verify(k, i) ||
		    (r % 5 == 0 && t_dermemo_verify(k, (i + 1) % 24)))
			bad[1]++;
		EVP_PKEY_free(k);
	}
	return NULL;
}

/* t_dermemo_threads - eight threads share the memo */
static void
t_dermemo_threads(void)
{
	pthread_t th[T_DERMEMO_THREADS];
	int bad[T_DERMEMO_THREADS][2], i, sum = 0;

	for (i = 0; i < T_DERMEMO_THREADS; i++) {
		bad[i][0] = i;
		bad[i][1] = 0;
		pthread_create(&th[i], NULL, t_dermemo_thread, bad[i]);
	}
	for (i = 0; i < T_DERMEMO_THREADS; i++) {
		pthread_join(th[i], NULL);
		sum += bad[i][1];
	}
	UNIT_CHECK(sum == 0, "eight threads: every key right", "%d wrong", sum);
}

int
main(void)
{
	int i;

	for (i = 0; i < T_DERMEMO_KEYS; i++)
		t_dermemo_make(i);
	t_dermemo_basics();
	t_dermemo_edges();
	t_dermemo_evict();
	t_dermemo_threads();
	for (i = 0; i < T_DERMEMO_KEYS; i++)
		EVP_PKEY_free(t_dermemo_k[i].priv);
	return unit_done("t_dermemo");
}
