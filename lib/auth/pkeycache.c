/* SPDX-License-Identifier: BSD-2-Clause */
/* pkeycache - parsed public keys by key record text, least recently used out */
#include "autoconf.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "auth/pkeycache.h"
#include "util/xalloc.h"

/*
 * Why: OpenSSL 3 builds a decoder context for every d2i of a public key,
 * which makes pkey_from_record() one of the dearest steps of an ARC
 * validation (6% of all CPU under the benchmark), while a few sealers'
 * keys sign most chains. The table is scanned linearly: it is small, the
 * hash comparison is one word, and the parse it saves costs far more.
 */
struct pkeycache_entry {
	uint64_t	 hash;		/* pkeycache_hash() of the three below */
	char		*record;	/* the TXT text; NULL: slot unused */
	enum pkey_alg	 alg;		/* a= it was parsed for */
	int		 min_bits;	/* the minimum it was checked against */
	EVP_PKEY	*key;		/* one reference, or NULL: refused */
	char		*why;		/* the refusal reason, when key NULL */
	unsigned long long used;	/* tick of the last hit, for LRU */
};

struct pkeycache {
	pthread_mutex_t	 lock;		/* guards e[], tick, observer */
	struct pkeycache_entry *e;	/* n slots */
	int		 n;		/* capacity */
	unsigned long long tick;	/* use counter */
	void		(*observe)(void *, int);	/* hit/miss, or NULL */
	void		*observe_arg;	/* its argument */
	atomic_ullong	 hits;		/* stats */
	atomic_ullong	 misses;
	atomic_ullong	 evictions;
};

/* pkeycache_new - an empty table of entries slots (<= 0: the default) */
struct pkeycache *
pkeycache_new(int entries)
{
	struct pkeycache *c = xcalloc(1, sizeof(*c));

	if (entries <= 0)
		entries = PKEYCACHE_ENTRIES;
	if (entries > PKEYCACHE_MAX_ENTRIES)
		entries = PKEYCACHE_MAX_ENTRIES;
	c->n = entries;
	c->e = xcalloc((size_t)entries, sizeof(*c->e));
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

/* pkeycache_clear - drop one entry's text and references */
static void
pkeycache_clear(struct pkeycache_entry *e)
{
	free(e->record);
	free(e->why);
	EVP_PKEY_free(e->key);
	memset(e, 0, sizeof(*e));
}

/* pkeycache_free - the table's references; keys handed out live on */
void
pkeycache_free(struct pkeycache *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		pkeycache_clear(&c->e[i]);
	free(c->e);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* pkeycache_set_observer - fn(arg, hit) after every lookup (metrics) */
void
pkeycache_set_observer(struct pkeycache *c, void (*fn)(void *, int),
    void *arg)
{
	pthread_mutex_lock(&c->lock);
	c->observe = fn;
	c->observe_arg = arg;
	pthread_mutex_unlock(&c->lock);
}

/* pkeycache_hash - FNV-1a over the text, a= and the minimum size */
static uint64_t
pkeycache_hash(const char *record, enum pkey_alg alg, int min_bits)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)record; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (uint64_t)alg) * 1099511628211ULL;
	return (h ^ (uint64_t)(unsigned)min_bits) * 1099511628211ULL;
}

/* pkeycache_find - the entry for exactly this record, or NULL; locked */
static struct pkeycache_entry *
pkeycache_find(struct pkeycache *c, uint64_t h, const char *record,
    enum pkey_alg alg, int min_bits)
{
	int i;

	/* the hash only narrows the search: the text decides */
	for (i = 0; i < c->n; i++) {
		struct pkeycache_entry *e = &c->e[i];

		if (e->record != NULL && e->hash == h && e->alg == alg &&
		    e->min_bits == min_bits && strcmp(e->record, record) == 0)
			return e;
	}
	return NULL;
}

/* pkeycache_answer - the caller's reference, or NULL with why; locked */
static EVP_PKEY *
pkeycache_answer(struct pkeycache *c, struct pkeycache_entry *e,
    struct buf *why)
{
	e->used = ++c->tick;
	if (e->key == NULL) {
		buf_puts(why, e->why);
		return NULL;
	}
	EVP_PKEY_up_ref(e->key);
	return e->key;
}

/* pkeycache_victim - an unused slot, else the least recently used; locked */
static struct pkeycache_entry *
pkeycache_victim(struct pkeycache *c)
{
	struct pkeycache_entry *v = &c->e[0];
	int i;

	for (i = 0; i < c->n; i++) {
		if (c->e[i].record == NULL)
			return &c->e[i];
		if (c->e[i].used < v->used)
			v = &c->e[i];
	}
	atomic_fetch_add_explicit(&c->evictions, 1, memory_order_relaxed);
	pkeycache_clear(v);
	return v;
}

/*
 * pkeycache_insert - keep a fresh parse: key (its reference is taken) or
 * the refusal reason; the caller's answer as pkeycache_answer(); locked
 */
static EVP_PKEY *
pkeycache_insert(struct pkeycache *c, uint64_t h, const char *record,
    enum pkey_alg alg, int min_bits, EVP_PKEY *key, const char *reason,
    struct buf *why)
{
	struct pkeycache_entry *e;

	/* another thread may have parsed the same record meanwhile */
	if ((e = pkeycache_find(c, h, record, alg, min_bits)) == NULL) {
		e = pkeycache_victim(c);
		e->hash = h;
		e->record = xstrdup(record);
		e->alg = alg;
		e->min_bits = min_bits;
		e->why = key == NULL ? xstrdup(reason) : NULL;
		e->key = key;
	} else
		EVP_PKEY_free(key);
	return pkeycache_answer(c, e, why);
}

/* pkeycache_note - count a lookup and tell the observer */
static void
pkeycache_note(struct pkeycache *c, int hit, void (*fn)(void *, int),
    void *arg)
{
	atomic_fetch_add_explicit(hit ? &c->hits : &c->misses, 1,
	    memory_order_relaxed);
	if (fn != NULL)
		fn(arg, hit);
}

/* pkeycache_get - the key of record, parsed once; NULL: refused, why */
EVP_PKEY *
pkeycache_get(struct pkeycache *c, const char *record, enum pkey_alg alg,
    int min_bits, struct buf *why)
{
	struct pkeycache_entry *e;
	void (*fn)(void *, int);
	void *arg;
	EVP_PKEY *key;
	struct buf reason;
	uint64_t h;

	if (c == NULL)
		return pkey_from_record(record, alg, min_bits, why);
	if (strlen(record) > PKEYCACHE_MAX_RECORD) {
		pkeycache_note(c, 0, NULL, NULL);
		return pkey_from_record(record, alg, min_bits, why);
	}
	h = pkeycache_hash(record, alg, min_bits);
	pthread_mutex_lock(&c->lock);
	fn = c->observe;
	arg = c->observe_arg;
	if ((e = pkeycache_find(c, h, record, alg, min_bits)) != NULL) {
		key = pkeycache_answer(c, e, why);
		pthread_mutex_unlock(&c->lock);
		pkeycache_note(c, 1, fn, arg);
		return key;
	}
	pthread_mutex_unlock(&c->lock);
	/* parse unlocked: other threads' hits need not wait for OpenSSL */
	buf_init(&reason, 256);
	key = pkey_from_record(record, alg, min_bits, &reason);
	pthread_mutex_lock(&c->lock);
	key = pkeycache_insert(c, h, record, alg, min_bits, key, reason.data,
	    why);
	pthread_mutex_unlock(&c->lock);
	buf_free(&reason);
	pkeycache_note(c, 0, fn, arg);
	return key;
}

/* pkeycache_stats - the counters so far */
void
pkeycache_stats(struct pkeycache *c, struct pkeycache_stats *s)
{
	s->hits = atomic_load(&c->hits);
	s->misses = atomic_load(&c->misses);
	s->evictions = atomic_load(&c->evictions);
}
