/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keytable - private keys chosen by domain: signing.keys (by the author
 * domain) and arc.seal.keys (by the envelope recipient domain)
 *
 * STANDARDS   authmilter.conf(5) "KEY TABLES": a line names an exact
 *             domain, or "*.domain" for every name below domain (whose
 *             d= is then domain); the most specific pattern wins, and
 *             every key of that pattern is returned, in file order.
 *             RFC 8301 3.2 (RSA keys of at least 1024 bits), RFC 8463.
 * OWNERSHIP   keytable_new() loads every key of a config list into a
 *             table that owns them (keytable_free()); lookups return
 *             pointers into it, valid while the table lives.
 * LOCKING     read-only once keytable_new() returns: shared by every
 *             thread of its configuration without a lock.
 * LIMITS      KEYTABLE_MAX_KEYS keys for one pattern (or the caller's
 *             lower max_per); key files of at most KEYTABLE_MAX_FILE bytes;
 *             domains of at most KEYSPEC_MAX_DOMAIN characters.
 * ERRORS      keytable_new() NULL with "WHAT: LINE: reason" in why: the
 *             file cannot be read, is not a regular file, belongs to
 *             another user than root or the service user, or its group
 *             or others may read or write it; the key is not the line's
 *             algorithm; a pattern has too many keys or a selector twice.
 */
#ifndef AUTHMILTER_KEYTABLE_H
#define AUTHMILTER_KEYTABLE_H

#include <stddef.h>

#include <openssl/evp.h>

#include "auth/pkey.h"

struct buf;
struct config_list;

#define KEYTABLE_MAX_KEYS	4
#define KEYTABLE_MAX_FILE	65536

struct keytable_key {
	char		*line;		/* the configuration line */
	char		*pattern;	/* "example.com" or "*.example.com" */
	char		*domain;	/* d= */
	char		*selector;	/* s= */
	char		*path;		/* the key file */
	enum pkey_alg	 alg;		/* a= */
	EVP_PKEY	*key;		/* the private key */
	char		*pem;		/* the same as PKCS#8 PEM text */
};

struct keytable;

struct keytable	*keytable_new(const struct config_list *, const char *what,
		    const char *user, size_t max_per, struct buf *why);
void		 keytable_free(struct keytable *);
size_t		 keytable_lookup(const struct keytable *, const char *domain,
		    const struct keytable_key **, size_t max);
size_t		 keytable_size(const struct keytable *);
const struct keytable_key *keytable_at(const struct keytable *, size_t);
void		 keytable_dns(const struct keytable_key *, struct buf *);
void		 keytable_dns_line(const char *selector, const char *domain,
		    EVP_PKEY *, struct buf *);

#endif
