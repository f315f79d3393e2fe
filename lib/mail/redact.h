/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * redact - the privacy side of a failure report: the local parts of
 * mail addresses replaced by pseudonyms, and text made harmless to show
 *
 * STANDARDS   RFC 6590 (redaction of ARF reports: a local-part becomes an
 *             opaque string derived from it with a secret, the same one
 *             each time within a report); RFC 9991 section 7.3 ("hxxp"
 *             for "http" in what a report quotes); RFC 5322 section
 *             3.4.1 (local-part: dot-atom or quoted-string before "@").
 * OWNERSHIP   every function appends to a caller-owned buf; nothing kept.
 * LOCKING     none: the key is the caller's, read only.
 * LIMITS      the caller's buf max; a local part of more than
 *             REDACT_MAX_LOCAL bytes is replaced all the same.
 * ERRORS      none: any bytes in, text out (a NUL becomes a space in
 *             redact_locals(), "?" in redact_defang()).
 * BUGS        display names and other personal text (a name in a
 *             comment, the body of a message) are not recognized as
 *             such; only local parts of addresses are.
 */
#ifndef AUTHMILTER_REDACT_H
#define AUTHMILTER_REDACT_H

#include <stddef.h>

struct buf;

#define REDACT_KEY		16	/* bytes of secret */
#define REDACT_MAX_LOCAL	256
#define REDACT_TOKEN		"redacted-"	/* then 8 hex digits */

void	redact_locals(const char *, size_t, const unsigned char *key,
	    struct buf *out);
void	redact_defang(const char *, size_t, struct buf *out);

#endif
