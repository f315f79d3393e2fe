/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkeycache - parsed public keys of recent key records, shared by the
 * messages of one configuration
 *
 * STANDARDS   RFC 6376 section 3.6.1 key records, parsed by lib/pkey. An
 *             entry is found by the record text as DNS returned it (plus
 *             a= and the minimum size), so it never outlives the answer:
 *             the resolver (resmemo, libunbound) keeps answers for their
 *             TTL, and a rotated key has another text, so another entry.
 * OWNERSHIP   a struct pkeycache belongs to one struct pipeline_env and
 *             dies with it. pkeycache_get() hands out a reference of the
 *             caller's own (EVP_PKEY_free): an entry evicted meanwhile
 *             stays valid for whoever still holds its key.
 * LOCKING     one mutex guards the table; records are parsed outside it.
 *             Keys are shared read-only for verification
 *             (openssl-threads(7)); the stats counters are atomic.
 * LIMITS      at most the entries given to pkeycache_new() (default
 *             PKEYCACHE_ENTRIES, at most PKEYCACHE_MAX_ENTRIES), the least
 *             recently used evicted; records of at most
 *             PKEYCACHE_MAX_RECORD bytes are kept (longer ones are parsed
 *             each time).
 * ERRORS      pkeycache_get() returns NULL with the refusal reason
 *             appended to why (as pkey_from_record(): a caller reusing a
 *             buf resets it first); a refusal is cached like a key, so a
 *             bad record is not parsed again either.
 */
#ifndef AUTHMILTER_PKEYCACHE_H
#define AUTHMILTER_PKEYCACHE_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "auth/pkey.h"

struct buf;

#define PKEYCACHE_ENTRIES	128
#define PKEYCACHE_MAX_ENTRIES	4096
#define PKEYCACHE_MAX_RECORD	16384

struct pkeycache_stats {
	unsigned long long hits;	/* answered from the table */
	unsigned long long misses;	/* parsed (or not cacheable) */
	unsigned long long evictions;	/* entries pushed out */
};

struct pkeycache;

struct pkeycache *pkeycache_new(int entries);
void	pkeycache_free(struct pkeycache *);
void	pkeycache_set_observer(struct pkeycache *, void (*)(void *, int hit),
	    void *);
EVP_PKEY *pkeycache_get(struct pkeycache *, const char *record,
	    enum pkey_alg, int min_bits, struct buf *why);
void	pkeycache_stats(struct pkeycache *, struct pkeycache_stats *);

#endif
