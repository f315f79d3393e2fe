/* SPDX-License-Identifier: BSD-2-Clause */
/* dermemo - decoded public keys by DER bytes, standing in d2i_PUBKEY_bio */
#include "autoconf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/dermemo.h"

struct dermemo_entry {
	uint64_t	 hash;		/* FNV-1a of der; 0 with key NULL */
	unsigned char	 der[DERMEMO_MAX_DER];	/* the bytes decoded */
	size_t		 len;		/* of der */
	EVP_PKEY	*key;		/* one reference; NULL: slot unused */
	unsigned long long used;	/* tick of the last use, for LRU */
};

/* the table: process-wide by necessity (see dermemo.h) */
static struct {
	pthread_mutex_t	 lock;		/* guards e[] and tick */
	struct dermemo_entry e[DERMEMO_ENTRIES];
	unsigned long long tick;	/* use counter */
	atomic_ullong	 hits;		/* stats */
	atomic_ullong	 misses;
} dermemo = { .lock = PTHREAD_MUTEX_INITIALIZER };

typedef EVP_PKEY *(*dermemo_d2i_fn)(BIO *, EVP_PKEY **);

/* dermemo_link - nothing; referenced so that linkers keep this object */
void
dermemo_link(void)
{
}

/* dermemo_stats - the counters so far */
void
dermemo_stats(struct dermemo_stats *st)
{
	st->hits = atomic_load(&dermemo.hits);
	st->misses = atomic_load(&dermemo.misses);
}

/* dermemo_hash - FNV-1a over the bytes; never 0 */
static uint64_t
dermemo_hash(const unsigned char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	while (len-- > 0)
		h = (h ^ *p++) * 1099511628211ULL;
	return h == 0 ? 1 : h;
}

/* dermemo_same - whether e holds exactly these bytes; locked */
static int
dermemo_same(const struct dermemo_entry *e, uint64_t h,
    const unsigned char *der, size_t len)
{
	/* the hash only narrows the search: the bytes decide */
	return e->key != NULL && e->hash == h && e->len == len &&
	    memcmp(e->der, der, len) == 0;
}

/* dermemo_find - a new reference to the key of exactly these bytes */
static EVP_PKEY *
dermemo_find(uint64_t h, const unsigned char *der, size_t len)
{
	EVP_PKEY *k = NULL;
	int i;

	pthread_mutex_lock(&dermemo.lock);
	for (i = 0; i < DERMEMO_ENTRIES; i++) {
		struct dermemo_entry *e = &dermemo.e[i];

		if (dermemo_same(e, h, der, len)) {
			e->used = ++dermemo.tick;
			if (EVP_PKEY_up_ref(e->key) == 1)
				k = e->key;
			break;
		}
	}
	pthread_mutex_unlock(&dermemo.lock);
	return k;
}

/* dermemo_keep - remember key (the table takes a reference of its own) */
static void
dermemo_keep(uint64_t h, const unsigned char *der, size_t len, EVP_PKEY *key)
{
	struct dermemo_entry *v = NULL, *e;
	int i;

	pthread_mutex_lock(&dermemo.lock);
	for (i = 0; i < DERMEMO_ENTRIES; i++) {
		e = &dermemo.e[i];
		if (dermemo_same(e, h, der, len))
			goto out;	/* another thread was first */
		if (v == NULL || e->key == NULL ||
		    (v->key != NULL && e->used < v->used))
			v = e;
	}
	if (EVP_PKEY_up_ref(key) != 1)
		goto out;
	EVP_PKEY_free(v->key);
	v->key = key;
	v->hash = h;
	v->len = len;
	memcpy(v->der, der, len);
	v->used = ++dermemo.tick;
out:
	pthread_mutex_unlock(&dermemo.lock);
}

/* dermemo_real - libcrypto's own d2i_PUBKEY_bio, for what we do not memo */
static EVP_PKEY *
dermemo_real(BIO *bp, EVP_PKEY **a)
{
	static _Atomic(dermemo_d2i_fn) fn;
	dermemo_d2i_fn f = atomic_load(&fn);

	if (f == NULL) {
		/* POSIX lets a data pointer carry a function's address */
		*(void **)&f = dlsym(RTLD_NEXT, "d2i_PUBKEY_bio");
		if (f == NULL)
			return NULL;
		atomic_store(&fn, f);
	}
	return f(bp, a);
}

/* dermemo_skip - consume n bytes of bp, as the decoder would have */
static void
dermemo_skip(BIO *bp, size_t n)
{
	unsigned char scratch[256];

	while (n > 0) {
		int got = BIO_read(bp, scratch, n < sizeof(scratch) ?
		    (int)n : (int)sizeof(scratch));

		if (got <= 0)
			break;
		n -= (size_t)got;
	}
}

/*
 * d2i_PUBKEY_bio - libcrypto's function of this name for a memory BIO
 * holding one key, answered from the table when the same bytes were
 * decoded before; any other use goes to libcrypto's own.
 */
EVP_PKEY *
d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	const unsigned char *der, *p;
	EVP_PKEY *k;
	uint64_t h;
	long len;
	char *data;

	if (a != NULL || bp == NULL || BIO_method_type(bp) != BIO_TYPE_MEM ||
	    (len = BIO_get_mem_data(bp, &data)) <= 0 ||
	    (size_t)len > DERMEMO_MAX_DER)
		return dermemo_real(bp, a);
	der = (const unsigned char *)data;
	h = dermemo_hash(der, (size_t)len);
	if ((k = dermemo_find(h, der, (size_t)len)) != NULL) {
		atomic_fetch_add(&dermemo.hits, 1);
		/* only a whole buffer is remembered, so all of it is read */
		dermemo_skip(bp, (size_t)len);
		return k;
	}
	atomic_fetch_add(&dermemo.misses, 1);
	p = der;
	k = d2i_PUBKEY(NULL, &p, len);
	if (k == NULL)
		return NULL;
	/* a key followed by other bytes is decoded, never remembered */
	if (p == der + len)
		dermemo_keep(h, der, (size_t)len, k);
	dermemo_skip(bp, (size_t)(p - der));
	return k;
}
