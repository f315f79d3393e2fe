/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_pkeycache - the parsed-key cache: one parse per record text, refusals
 * remembered, eviction at the bound with handed-out keys still usable,
 * and eight threads at once (run it under the sanitizer build too)
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "auth/pkey.h"
#include "auth/pkeycache.h"
#include "unit.h"

#define T_PKEYCACHE_KEYS	24	/* distinct ed25519 keys */
#define T_PKEYCACHE_THREADS	8
#define T_PKEYCACHE_ROUNDS	3000

static const char t_pkeycache_data[] = "arc-seal:i=1; a=ed25519-sha256; b=";

struct t_pkeycache_key {
	EVP_PKEY	*priv;		/* signs */
	struct buf	 rec;		/* its public key record */
	struct buf	 sig;		/* over t_pkeycache_data */
};

static struct t_pkeycache_key t_pkeycache_k[T_PKEYCACHE_KEYS];

/* t_pkeycache_make - key i (the same every run), its record, a signature */
static void
t_pkeycache_make(int i)
{
	struct t_pkeycache_key *k = &t_pkeycache_k[i];
	unsigned char raw[32], seed[32];
	size_t rawlen = sizeof(raw), j;

	for (j = 0; j < sizeof(seed); j++)
		seed[j] = (unsigned char)(i * 37 + j * 11 + 1);
	if ((k->priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    seed, sizeof(seed))) == NULL) {
		fprintf(stderr, "t_pkeycache: cannot make a key\n");
		exit(99);
	}
	buf_init(&k->rec, 256);
	buf_init(&k->sig, 256);
	buf_puts(&k->rec, "v=DKIM1; k=ed25519; p=");
	EVP_PKEY_get_raw_public_key(k->priv, raw, &rawlen);
	pkey_b64(raw, rawlen, &k->rec);
	if (pkey_sign(k->priv, PKEY_ED25519_SHA256, t_pkeycache_data,
	    strlen(t_pkeycache_data), &k->sig) != 0) {
		fprintf(stderr, "t_pkeycache: cannot sign\n");
		exit(99);
	}
}

/* t_pkeycache_good - key verifies key i's signature */
static int
t_pkeycache_good(EVP_PKEY *key, int i)
{
	return key != NULL && pkey_verify(key, PKEY_ED25519_SHA256,
	    t_pkeycache_data, strlen(t_pkeycache_data),
	    t_pkeycache_k[i].sig.data) == 1;
}

/* t_pkeycache_get - one lookup of key i's record */
static EVP_PKEY *
t_pkeycache_get(struct pkeycache *c, int i, struct buf *why)
{
	buf_reset(why);
	return pkeycache_get(c, t_pkeycache_k[i].rec.data, PKEY_ED25519_SHA256,
	    1024, why);
}

/* t_pkeycache_hits - same text, same key, parsed once */
static void
t_pkeycache_hits(void)
{
	struct pkeycache *c = pkeycache_new(8);
	struct pkeycache_stats st;
	struct buf why;
	EVP_PKEY *a, *b, *d;
	char *copy;
	size_t i;

	buf_init(&why, 256);
	a = t_pkeycache_get(c, 0, &why);
	/* an equal text in other memory: the text decides, not the pointer */
	copy = strdup(t_pkeycache_k[0].rec.data);
	b = pkeycache_get(c, copy, PKEY_ED25519_SHA256, 1024, &why);
	pkeycache_stats(c, &st);
	UNIT_CHECK(a != NULL && a == b, "same text, same key", "%p %p",
	    (void *)a, (void *)b);
	UNIT_CHECK(st.misses == 1 && st.hits == 1, "second lookup not parsed",
	    "misses %llu hits %llu", st.misses, st.hits);
	UNIT_CHECK(t_pkeycache_good(b, 0), "cached key verifies", "no");
	d = t_pkeycache_get(c, 1, &why);
	UNIT_CHECK(d != NULL && d != a && t_pkeycache_good(d, 1) &&
	    !t_pkeycache_good(d, 0), "other text, other key", "%p", (void *)d);
	/*
	 * same length, same start, one byte of p= other: another base64
	 * letter, whatever the key made for this run (flipping a bit could
	 * make a character that is not base64)
	 */
	i = strlen(copy) - 10;
	copy[i] = copy[i] == 'A' ? 'B' : 'A';
	EVP_PKEY_free(b);
	buf_reset(&why);
	b = pkeycache_get(c, copy, PKEY_ED25519_SHA256, 1024, &why);
	UNIT_CHECK(b != a && !t_pkeycache_good(b, 0),
	    "one byte differs: not the cached key", "same (%s)", why.data);
	EVP_PKEY_free(b);
	/* pkeycache_get() appends its reason (lib/auth/pkeycache.h) */
	buf_reset(&why);
	b = pkeycache_get(c, t_pkeycache_k[0].rec.data, PKEY_RSA_SHA256,
	    1024, &why);
	UNIT_CHECK(b == NULL && strcmp(why.data, "key type does not match "
	    "a=") == 0, "same text, other a=: its own entry", "%s", why.data);
	pkeycache_stats(c, &st);
	UNIT_CHECK(st.misses == 4 && st.hits == 1, "parses counted",
	    "misses %llu hits %llu", st.misses, st.hits);
	free(copy);
	EVP_PKEY_free(a);
	EVP_PKEY_free(d);
	pkeycache_free(c);
	buf_free(&why);
}

/* t_pkeycache_refusals - a refused record's reason, not parsed again */
static void
t_pkeycache_refusals(void)
{
	static const char *bad[] = { "v=DKIM1; k=ed25519; p=",
	    "v=DKIM1; k=ed25519; p=!!!", "v=DKIM2; p=abc" };
	static const char *want[] = { "key revoked", "p= is not base64",
	    "unknown key record version" };
	struct pkeycache *c = pkeycache_new(8);
	struct pkeycache_stats st;
	struct buf why;
	size_t i;
	int round;

	buf_init(&why, 256);
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			buf_reset(&why);
			UNIT_CHECK(pkeycache_get(c, bad[i], PKEY_ED25519_SHA256,
			    1024, &why) == NULL, bad[i], "accepted");
			UNIT_STREQ(why.data, want[i], bad[i]);
		}
	pkeycache_stats(c, &st);
	UNIT_CHECK(st.misses == 3 && st.hits == 3, "refusals cached",
	    "misses %llu hits %llu", st.misses, st.hits);
	/* the reason is appended, as pkey_from_record() does */
	buf_reset(&why);
	buf_puts(&why, "x: ");
	pkeycache_get(c, bad[0], PKEY_ED25519_SHA256, 1024, &why);
	UNIT_STREQ(why.data, "x: key revoked", "reason appended");
	buf_reset(&why);
	UNIT_CHECK(pkeycache_get(NULL, bad[0], PKEY_ED25519_SHA256, 1024,
	    &why) == NULL && strcmp(why.data, "key revoked") == 0,
	    "no cache: parsed directly", "%s", why.data);
	pkeycache_free(c);
	buf_free(&why);
}

/* t_pkeycache_eviction - past the bound; keys held stay valid */
static void
t_pkeycache_eviction(void)
{
	struct pkeycache *c = pkeycache_new(4);
	struct pkeycache_stats st;
	EVP_PKEY *held[T_PKEYCACHE_KEYS], *k;
	struct buf why;
	int i, ok = 1;

	buf_init(&why, 256);
	for (i = 0; i < T_PKEYCACHE_KEYS; i++)
		held[i] = t_pkeycache_get(c, i, &why);
	pkeycache_stats(c, &st);
	UNIT_CHECK(st.evictions == T_PKEYCACHE_KEYS - 4, "evicted at bound",
	    "%llu evictions", st.evictions);
	/* the oldest is gone: asked again, it is parsed again */
	k = t_pkeycache_get(c, 0, &why);
	pkeycache_stats(c, &st);
	UNIT_CHECK(st.misses == T_PKEYCACHE_KEYS + 1 && k != held[0],
	    "evicted entry parsed again", "misses %llu", st.misses);
	EVP_PKEY_free(k);
	/* the newest stayed, and recent use protects an entry (LRU) */
	k = t_pkeycache_get(c, T_PKEYCACHE_KEYS - 2, &why);
	UNIT_CHECK(k == held[T_PKEYCACHE_KEYS - 2], "recent entry kept", "%p",
	    (void *)k);
	EVP_PKEY_free(k);
	pkeycache_free(c);
	/* the table is gone: every reference handed out still verifies */
	for (i = 0; i < T_PKEYCACHE_KEYS; i++) {
		ok &= t_pkeycache_good(held[i], i);
		EVP_PKEY_free(held[i]);
	}
	UNIT_CHECK(ok, "keys usable after eviction and free", "no");
	buf_free(&why);
}

struct t_pkeycache_run {
	struct pkeycache *c;		/* shared */
	int		 seed;		/* per thread */
	int		 bad;		/* wrong answers seen */
};

/* t_pkeycache_thread - lookups and verifies over more keys than slots */
static void *
t_pkeycache_thread(void *arg)
{
	struct t_pkeycache_run *r = arg;
	unsigned int x = (unsigned int)r->seed * 2654435761U + 1;
	struct buf why;
	EVP_PKEY *k;
	int n, i;

	buf_init(&why, 256);
	for (n = 0; n < T_PKEYCACHE_ROUNDS; n++) {
		x = x * 1103515245U + 12345U;
		i = (int)((x >> 16) % T_PKEYCACHE_KEYS);
		k = t_pkeycache_get(r->c, i, &why);
		if ((n % 8 == 0 && !t_pkeycache_good(k, i)) || k == NULL)
			r->bad++;
		EVP_PKEY_free(k);
	}
	buf_free(&why);
	return NULL;
}

/* t_pkeycache_threads - eight threads share one small table */
static void
t_pkeycache_threads(void)
{
	struct t_pkeycache_run run[T_PKEYCACHE_THREADS];
	pthread_t t[T_PKEYCACHE_THREADS];
	struct pkeycache *c = pkeycache_new(T_PKEYCACHE_KEYS / 2);
	struct pkeycache_stats st;
	int i, bad = 0;

	for (i = 0; i < T_PKEYCACHE_THREADS; i++) {
		run[i].c = c;
		run[i].seed = i;
		run[i].bad = 0;
		if (pthread_create(&t[i], NULL, t_pkeycache_thread, &run[i]))
			exit(99);
	}
	for (i = 0; i < T_PKEYCACHE_THREADS; i++) {
		pthread_join(t[i], NULL);
		bad += run[i].bad;
	}
	pkeycache_stats(c, &st);
	UNIT_CHECK(bad == 0, "threads: every key right", "%d wrong", bad);
	UNIT_CHECK(st.hits + st.misses == (unsigned long long)
	    T_PKEYCACHE_THREADS * T_PKEYCACHE_ROUNDS && st.hits > 0 &&
	    st.evictions > 0, "threads: every lookup counted",
	    "hits %llu misses %llu evictions %llu", st.hits, st.misses,
	    st.evictions);
	pkeycache_free(c);
}

int
main(void)
{
	int i;

	for (i = 0; i < T_PKEYCACHE_KEYS; i++)
		t_pkeycache_make(i);
	t_pkeycache_hits();
	t_pkeycache_refusals();
	t_pkeycache_eviction();
	t_pkeycache_threads();
	for (i = 0; i < T_PKEYCACHE_KEYS; i++) {
		EVP_PKEY_free(t_pkeycache_k[i].priv);
		buf_free(&t_pkeycache_k[i].rec);
		buf_free(&t_pkeycache_k[i].sig);
	}
	return unit_done("t_pkeycache");
}
