/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc - ARC chain validation and sealing (RFC 8617), on OpenSSL
 *
 * STANDARDS   RFC 8617 sections 4 (AAR, AMS, AS, instances 1..50), 5.1
 *             (sealing; cv=fail seals cover only the new set, 5.1.2),
 *             5.2 (validation, oldest-pass), 10 (A-R properties);
 *             RFC 6376 canonicalization and signatures (lib/canon,
 *             lib/pkey, shared with nothing else so that verification and
 *             sealing hash the same bytes).
 * OWNERSHIP   a struct arc_verifier is one message; it reads the header
 *             store it is given and owns only parsed tags and body hash
 *             contexts. arc_verifier_finish() fills a caller-owned struct
 *             arc_result (arc_result_free()); arc_seal() fills a
 *             caller-owned struct arc_seal_out (arc_seal_out_free()).
 * LOCKING     none; keys (EVP_PKEY) are shared read-only, and come
 *             through the caller's struct pkeycache when one is set
 *             (arc_verifier_keycache()), which has its own lock.
 * LIMITS      ARC_MAX_INSTANCE sets; ARC_MAX_FIELDS ARC fields read;
 *             ARC_MAX_BODY_HASHES distinct (canonicalization, l=) pairs;
 *             all key lookups of one validation share a 20 s deadline,
 *             cut to the message's DNS budget; arc_verifier_limits() may
 *             lower the number of sets (more is a fail, as past 50).
 * ERRORS      validation outcomes are results; arc_seal() -1 with why.
 */
#ifndef AUTHMILTER_ARC_H
#define AUTHMILTER_ARC_H

#include <time.h>

#include <openssl/evp.h>

#include "mail/method.h"
#include "auth/pkey.h"

struct buf;
struct config;
struct dnsbudget;
struct hdr;
struct pkeycache;
struct resolver;

#define ARC_MAX_INSTANCE	50
#define ARC_MAX_FIELDS		200
#define ARC_MAX_BODY_HASHES	8

struct arc_result {
	int	 checked;		/* ARC ran */
	enum method_result result;	/* none, pass or fail */
	char	 reason[160];		/* which instance, which check */
	int	 n;			/* highest instance (0 without sets) */
	int	 oldest_pass;		/* RFC 8617 5.2 step 5, -1 unknown */
	char	*sealers;		/* d= of every AS, oldest first */
	char	*newest_sealer;		/* d= of AS(n) */
	char	*newest_aar;		/* AAR(n) payload after "i=n;" */
	int	 sealable;		/* a new set may be added (5.1 step 2) */
};

/* who seals: d=, s=, a= and the private key */
struct arc_key {
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
	enum pkey_alg	 alg;		/* a= */
	EVP_PKEY	*key;		/* private key, or NULL: no seal */
};

struct arc_seal_out {
	char	*aar;			/* ARC-Authentication-Results value */
	char	*ams;			/* ARC-Message-Signature value */
	char	*as;			/* ARC-Seal value */
};

struct arc_verifier;

struct arc_verifier *arc_verifier_new(int seal);
void	arc_verifier_limits(struct arc_verifier *, int max_sets,
	    struct dnsbudget *);
void	arc_verifier_keycache(struct arc_verifier *, struct pkeycache *);
void	arc_verifier_eoh(struct arc_verifier *, const struct hdr *);
void	arc_verifier_body(struct arc_verifier *, const unsigned char *,
	    size_t);
void	arc_verifier_finish(struct arc_verifier *, struct resolver *,
	    const struct hdr *, int leadspc, int min_key_bits,
	    struct arc_result *);
void	arc_verifier_free(struct arc_verifier *);
void	arc_result_free(struct arc_result *);

int	arc_seal(struct arc_verifier *, const struct arc_result *,
	    const struct arc_key *, const struct config *, const struct hdr *,
	    int leadspc, const char *aar_payload, time_t,
	    struct arc_seal_out *, struct buf *why);
void	arc_seal_out_free(struct arc_seal_out *);

#endif
