/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkey - DKIM-style keys and signatures with OpenSSL (used by ARC)
 *
 * STANDARDS   RFC 6376 section 3.6.1 (key record: k=, p=, empty p= is a
 *             revoked key), 3.3 (rsa-sha256), RFC 8463 (ed25519-sha256:
 *             PureEdDSA over the SHA-256 of the data), RFC 8301 (RSA keys
 *             under the configured minimum are refused).
 * OWNERSHIP   returned EVP_PKEYs belong to the caller (EVP_PKEY_free).
 * LOCKING     an EVP_PKEY may be shared read-only; every call makes its own
 *             EVP_MD_CTX (openssl-threads(7)).
 * LIMITS      PKEY_MAX_BITS RSA bits; signatures of at most 1024 bytes;
 *             the strings of a TXT record PKEY_TXT_STRING bytes each.
 * ERRORS      -1 with the reason in why; pkey_verify() 1 good, 0 bad;
 *             pkey_from_pem() NULL with why.
 */
#ifndef AUTHMILTER_PKEY_H
#define AUTHMILTER_PKEY_H

#include <stddef.h>

#include <openssl/evp.h>

struct buf;

#define PKEY_MAX_BITS	8192
#define PKEY_MIN_SIGN_BITS	1024	/* RFC 8301 section 3.2 */
#define PKEY_TXT_STRING	255	/* RFC 1035 3.3: one character-string */

enum pkey_alg { PKEY_RSA_SHA256, PKEY_ED25519_SHA256, PKEY_UNKNOWN };

enum pkey_alg	 pkey_alg_parse(const char *);
const char	*pkey_alg_name(enum pkey_alg);
EVP_PKEY	*pkey_from_record(const char *record, enum pkey_alg,
		    int min_bits, struct buf *why);
EVP_PKEY	*pkey_load_private(const char *path, struct buf *why);
int		 pkey_verify(EVP_PKEY *, enum pkey_alg, const void *, size_t,
		    const char *b64sig);
int		 pkey_sign(EVP_PKEY *, enum pkey_alg, const void *, size_t,
		    struct buf *b64out);
int		 pkey_b64(const unsigned char *, size_t, struct buf *);
EVP_PKEY	*pkey_from_pem(const void *, size_t, struct buf *why);
int		 pkey_to_pem(EVP_PKEY *, struct buf *);
int		 pkey_record(EVP_PKEY *, struct buf *);
void		 pkey_txt_strings(const char *, struct buf *);

#endif
