/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keyspec - one line of a key table (signing.keys, arc.seal.keys):
 *           "DOMAIN SELECTOR ALGORITHM KEYFILE"
 *
 * STANDARDS   authmilter.conf(5) "KEY TABLES"; RFC 6376 section 3.1 (a
 *             selector is one or more sub-domains), 3.3 (rsa-sha256),
 *             RFC 8463 (ed25519-sha256).
 * OWNERSHIP   keyspec_parse() fills a caller-owned struct keyspec with
 *             copies; keyspec_free() releases them.
 * LOCKING     none.
 * LIMITS      a domain of at most KEYSPEC_MAX_DOMAIN characters, a
 *             selector of at most KEYSPEC_MAX_SELECTOR, a path of at most
 *             KEYSPEC_MAX_PATH; four fields, white space between them.
 * ERRORS      keyspec_parse() 0, or -1 with the reason in why.
 */
#ifndef AUTHMILTER_KEYSPEC_H
#define AUTHMILTER_KEYSPEC_H

#define KEYSPEC_MAX_DOMAIN	253
#define KEYSPEC_MAX_SELECTOR	128
#define KEYSPEC_MAX_PATH	4096

struct buf;

struct keyspec {
	char	*pattern;	/* "example.com" or "*.example.com", lower case */
	char	*domain;	/* d=: the pattern without its "*." */
	int	 wildcard;	/* matches the names below domain only */
	char	*selector;	/* s= */
	char	*algorithm;	/* "rsa-sha256" or "ed25519-sha256" */
	char	*path;		/* the private key file, absolute */
};

int	keyspec_parse(const char *line, struct keyspec *, struct buf *why);
void	keyspec_free(struct keyspec *);
int	keyspec_is_name(const char *, size_t max);

#endif
