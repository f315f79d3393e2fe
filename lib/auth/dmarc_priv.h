/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_priv - what dmarc.c and dmarc_walk.c share: one evaluation's
 * state and the records a tree walk found
 *
 * OWNERSHIP   a struct dmarc_walk is filled by dmarc_walk() and released
 *             by dmarc_walk_free(); a struct dmarc_eval lives for one
 *             dmarc_discover() or dmarc_evaluate().
 * LOCKING     none.
 * LIMITS      DMARC_MAX_WALK records per walk, DMARC_ORG_CACHE
 *             organizational domains per evaluation.
 */
#ifndef AUTHMILTER_DMARC_PRIV_H
#define AUTHMILTER_DMARC_PRIV_H

#include <time.h>

#include "util/buf.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"

struct config;
struct dnsbudget;
struct psl;
struct resolver;

#define DMARC_ORG_CACHE		(2 + DKIM_MAX_SIGNATURES)

/* the valid records one tree walk found, longest name first */
struct dmarc_walk {
	char		*name[DMARC_MAX_WALK];	/* where */
	char		*text[DMARC_MAX_WALK];	/* the record */
	char		 psd[DMARC_MAX_WALK];	/* its psd flag */
	int		 step[DMARC_MAX_WALK];	/* query number that found it */
	int		 secure[DMARC_MAX_WALK];	/* DNSSEC-secure */
	size_t		 n;			/* records found */
	int		 queries;		/* queries made */
	int		 temp;			/* a lookup failed */
	struct buf	 why;			/* the first that failed */
};

/* one evaluation: deadline and organizational domains already known */
struct dmarc_eval {
	struct resolver	*res;		/* shared resolver */
	struct dnsbudget *budget;	/* the message's for DMARC, or NULL */
	const struct psl *psl;		/* rfc7489: the public suffix list */
	const struct config *cfg;	/* mode, actions */
	struct timespec	 deadline;	/* DMARC_BUDGET_MS from the start */
	int		 rfc7489;	/* dmarc.mode */
	char		*org_of[DMARC_ORG_CACHE];	/* domain ... */
	char		*org[DMARC_ORG_CACHE];		/* ... its org domain */
	size_t		 norg;		/* cache entries */
	int		 temp;		/* a lookup failed somewhere */
};

void	dmarc_walk(struct dmarc_eval *, const char *, struct dmarc_walk *);
void	dmarc_walk_free(struct dmarc_walk *);
char	*dmarc_walk_org(const char *, const struct dmarc_walk *);
int	dmarc_walk_pick(const struct dmarc_walk *, const char *, const char *);

#endif
