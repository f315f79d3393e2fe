/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkim_key - DKIM key records (RFC 6376 3.6.1) as we parse them for
 * ARC: tag list, v=, k=, p= base64, the RSA or ed25519 key inside.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "auth/pkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pkey_alg algs[] = { PKEY_RSA_SHA256,
	    PKEY_ED25519_SHA256 };
	char *text = strndup((const char *)data, size);
	struct buf why;
	EVP_PKEY *key;
	size_t i;

	buf_init(&why, 256);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		buf_reset(&why);
		key = pkey_from_record(text, algs[i], 1024, &why);
		/* a key or a reason, never both, never neither */
		if ((key == NULL) == (why.len == 0))
			__builtin_trap();
		if (key != NULL && algs[i] == PKEY_RSA_SHA256 &&
		    (EVP_PKEY_get_bits(key) < 1024 ||
		    EVP_PKEY_get_bits(key) > PKEY_MAX_BITS))
			__builtin_trap();
		EVP_PKEY_free(key);
	}
	buf_free(&why);
	free(text);
	return 0;
}
