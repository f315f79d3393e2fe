/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * utf8 - is this byte sequence well-formed UTF-8
 *
 * STANDARDS   RFC 3629 (no overlongs, no surrogates, nothing past U+10FFFF).
 * OWNERSHIP   reads caller memory only.
 * LOCKING     none.
 * ERRORS      utf8_seqlen() returns 0 for a byte that starts no valid
 *             sequence within the bytes given.
 */
#ifndef AUTHMILTER_UTF8_H
#define AUTHMILTER_UTF8_H

#include <stddef.h>

size_t	utf8_seqlen(const unsigned char *, size_t);

#endif
