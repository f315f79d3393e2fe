/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_priv - what the checks of lib/core/posture*.c share: the run's
 * state, findings, and the TXT lookups they all make
 *
 * OWNERSHIP   a struct posture lives for one posture_run().
 * LOCKING     none.
 */
#ifndef AUTHMILTER_POSTURE_PRIV_H
#define AUTHMILTER_POSTURE_PRIV_H

#include "core/posture.h"
#include "dns/resolver.h"

struct buf;
struct config;
struct psl;

/* one run */
struct posture {
	struct resolver	*res;		/* the env's resolver */
	const struct config *cfg;	/* its configuration */
	const struct psl *psl;		/* rfc7489 mode's list, or NULL */
	const struct posture_request *req;	/* what was asked */
	struct posture_report *rep;	/* what is found */
	const char	*domain;	/* rep->domain */
	int		 spf_ok;	/* SPF had no failure */
	int		 dkim_ok;	/* a DKIM key passed */
	int		 dmarc_p;	/* enum dmarc_policy in force, 0 none */
	int		 dmarc_enforcing;	/* p and sp at quarantine+, no t */
	char		*mx[POSTURE_MAX_MX];	/* MX hosts, for MTA-STS */
	size_t		 nmx;		/* entries in mx */
};

/* the records at one name that start with a prefix */
struct posture_txt {
	enum resolver_status st;	/* the lookup */
	int		 n;		/* records with the prefix */
	int		 secure;	/* DNSSEC-secure answer */
	struct buf	*first;		/* the first such record */
	struct buf	*why;		/* a failed lookup, in words */
};

void	posture_add(struct posture *, const char *area, enum posture_level,
	    const char *fix, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	posture_txt(struct posture *, const char *name, const char *prefix,
	    struct posture_txt *);
int	posture_fetch(struct posture *, const char *host, const char *url,
	    struct buf *out, struct buf *why);

void	posture_spf(struct posture *);
void	posture_dkim(struct posture *);
void	posture_dmarc(struct posture *);
void	posture_bimi(struct posture *);
void	posture_mx(struct posture *);
void	posture_mtasts(struct posture *);
void	posture_tlsrpt(struct posture *);

#endif
