/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkimsign - DKIM signatures for outbound mail: rsa-sha256 made by
 *            libopendkim's signing API (dkim_sign), ed25519-sha256 by our
 *            own OpenSSL signer
 *
 * STANDARDS   RFC 6376 sections 3.5 (tags: v a c d s t x h bh b; never
 *             l=), 3.4.2 and 3.4.4 (relaxed/relaxed), 3.7 (the signature
 *             hashed with b= empty), 5.4 and 5.4.2 (signed fields, the
 *             bottom-most first; a name listed once more than it is
 *             present signs its absence: oversigning), RFC 8463
 *             (ed25519-sha256: PureEdDSA over the SHA-256 of the data),
 *             RFC 8301 (RSA keys of at least 1024 bits, keytable.h).
 * WHY TWO     Debian 12's libopendkim 2.11.0~beta2 signs ed25519-sha256
 *             correctly (dkimpy verifies its signatures), but dkim_free()
 *             releases the signing key only for RSA: every ed25519
 *             signature leaks the parsed key and its output buffer (about
 *             530 bytes; LeakSanitizer shows it, and RSS grows 2 MB per
 *             4,000 signatures), which a daemon cannot afford. ed25519 is
 *             therefore signed here, over mail/canon and auth/pkey, the
 *             code ARC sealing already uses, with the key parsed once.
 * OWNERSHIP   dkimsign_context_new() makes one DKIM_LIB per configuration,
 *             set up with signing.headers, signing.oversign and
 *             signing.expire; dkimsign_new() makes one signature of one
 *             message with a key of the caller's key table, which must
 *             outlive it. Headers are fed (for libopendkim) at end of
 *             headers, the body streamed; dkimsign_finish() reads the
 *             caller's header store (for our signer) and appends the value
 *             of the DKIM-Signature field ("v=1; a=...", folded with LF
 *             TAB as the milter API takes folds; libopendkim writes CRLF).
 * LOCKING     the DKIM_LIB and the keys are shared read-only by every
 *             thread; a struct dkimsign belongs to one message.
 * LIMITS      a field of at most DKIM_FIELD_MAX bytes as fed; a signature
 *             value of at most DKIMSIGN_MAX_VALUE bytes.
 * ERRORS      dkimsign_context_new() and dkimsign_new() NULL with why;
 *             dkimsign_header() -1 when libopendkim refuses a field (the
 *             signature could not cover the message as delivered: the
 *             caller must not sign); dkimsign_finish() -1 with why.
 */
#ifndef AUTHMILTER_DKIMSIGN_H
#define AUTHMILTER_DKIMSIGN_H

#include <stddef.h>
#include <time.h>

struct buf;
struct config;
struct dkimsign;
struct dkimsign_context;
struct hdr;
struct keytable_key;

#define DKIMSIGN_MAX_VALUE	8192

struct dkimsign_context *dkimsign_context_new(const struct config *,
		    struct buf *why);
void	dkimsign_context_free(struct dkimsign_context *);
struct dkimsign *dkimsign_new(struct dkimsign_context *, const char *id,
	    const struct keytable_key *, time_t fixed, struct buf *why);
int	dkimsign_header(struct dkimsign *, const char *name, const char *value,
	    size_t len, int leadspc);
void	dkimsign_eoh(struct dkimsign *);
void	dkimsign_body(struct dkimsign *, const unsigned char *, size_t);
int	dkimsign_finish(struct dkimsign *, const struct hdr *, int leadspc,
	    struct buf *value, struct buf *why);
void	dkimsign_free(struct dkimsign *);

#endif
