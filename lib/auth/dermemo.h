/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dermemo - public keys parsed once per process, by their DER bytes, for
 * libopendkim
 *
 * STANDARDS   none of its own: RFC 6376 section 3.6.1 keys as libopendkim
 *             decodes them (SubjectPublicKeyInfo, d2i_PUBKEY).
 * OWNERSHIP   the table holds one reference per key; every caller gets a
 *             reference of its own, as from d2i_PUBKEY_bio(). Process
 *             lifetime: it is the one process-wide table of the project,
 *             because the function it stands in for takes no context.
 * LOCKING     one mutex guards the table; keys are decoded outside it and
 *             shared read-only (openssl-threads(7); EVP_PKEY_get1_RSA()
 *             fills its legacy cache under the key's own lock).
 * LIMITS      DERMEMO_ENTRIES keys, least recently used out; keys of more
 *             than DERMEMO_MAX_DER bytes are decoded every time.
 * ERRORS      as d2i_PUBKEY_bio(): NULL, nothing cached.
 *
 * Why: libopendkim decodes the key of every signature it verifies with
 * d2i_PUBKEY_bio(), and OpenSSL 3 builds a decoder context for each call:
 * 15% of the daemon's CPU under the benchmark, seven times the RSA verify
 * itself. libopendkim has no hook for a parsed key, so this module defines
 * d2i_PUBKEY_bio() in the executable, which the dynamic linker binds
 * libopendkim's call to (ELF symbol interposition); a key decoded before
 * is answered by a new reference to the same EVP_PKEY. The bytes decide,
 * so a rotated or revoked key can never be answered by an old one.
 * dermemo_link() is called by lib/auth/dkim so that a program that uses
 * libopendkim through it links this object in.
 */
#ifndef AUTHMILTER_DERMEMO_H
#define AUTHMILTER_DERMEMO_H

#define DERMEMO_ENTRIES	256
#define DERMEMO_MAX_DER	2048	/* RSA-8192 SubjectPublicKeyInfo: ~1,100 */

struct dermemo_stats {
	unsigned long long hits;	/* answered from the table */
	unsigned long long misses;	/* decoded */
};

void	dermemo_link(void);
void	dermemo_stats(struct dermemo_stats *);

#endif
