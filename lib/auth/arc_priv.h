/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc_priv - what arc_verify.c and arc_seal.c share about one message
 *
 * OWNERSHIP   raw values point into the caller's header store; tags and
 *             body hash contexts belong to the verifier.
 * LOCKING     none; one message.
 */
#ifndef AUTHMILTER_ARC_PRIV_H
#define AUTHMILTER_ARC_PRIV_H

#include "auth/arc.h"
#include "mail/canon.h"
#include "mail/tags.h"

struct arc_field {
	const char	*name;		/* field name as received */
	const char	*value;		/* raw value in the header store */
	size_t		 len;		/* its length */
	int		 count;		/* fields claiming this instance */
};

struct arc_set {
	struct arc_field aar;		/* ARC-Authentication-Results */
	struct arc_field ams;		/* ARC-Message-Signature */
	struct arc_field as;		/* ARC-Seal */
	struct tags	 ams_tags;	/* parsed AMS, when ams_ok */
	struct tags	 as_tags;	/* parsed AS, when as_ok */
	int		 ams_ok;	/* AMS tag list is valid */
	int		 as_ok;		/* AS tag list is valid */
	int		 bh;		/* body hash slot of the AMS, or -1 */
};

struct arc_bh {
	int		 relaxed;	/* body canonicalization */
	long		 l;		/* l=, or -1 */
	struct canon_body cb;		/* streaming hash */
	char		 b64[64];	/* the digest, base64, after finish */
};

struct arc_verifier {
	int		 seal;		/* a relaxed full-body hash is needed */
	struct arc_set	 set[ARC_MAX_INSTANCE + 1];	/* by instance */
	int		 max;		/* highest instance seen */
	int		 nfields;	/* ARC fields seen */
	char		 bad[128];	/* a field that cannot be read */
	struct arc_bh	 bh[ARC_MAX_BODY_HASHES];	/* distinct needs */
	int		 nbh;		/* slots used */
	int		 seal_bh;	/* slot for sealing, or -1 */
	int		 hashed;	/* digests are final */
	int		 max_sets;	/* limits.arc_sets */
	struct dnsbudget *budget;	/* the message's DNS budget */
	struct pkeycache *keycache;	/* the env's parsed keys, or NULL */
};

int	arc_body_slot(struct arc_verifier *, int relaxed, long l);
void	arc_body_final(struct arc_verifier *);

#endif
