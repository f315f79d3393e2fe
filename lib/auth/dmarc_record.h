/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_record - fetch and parse the DMARC policy record of one name
 *
 * STANDARDS   RFC 9989 section 4.7/4.8 (tags, ABNF: "v=DMARC1" first,
 *             unknown tags ignored, syntax errors fall back to defaults),
 *             4.10 steps 1-2 (several records at one name are discarded),
 *             4.10.1 (invalid p, sp or np: p=none if a valid rua exists,
 *             else no DMARC); RFC 7489 adds pct.
 * OWNERSHIP   dmarc_record_fetch() appends the record text to a caller buf
 *             (its DNS wait charged to the budget given, if any);
 *             dmarc_record_parse() fills a caller struct, freed by
 *             dmarc_record_free().
 * LOCKING     none; libopendmarc's parse context is per call.
 * LIMITS      DMARC_MAX_RECORD bytes (dmarc.h).
 * ERRORS      see enum dmarc_fetch; parse returns -1 (with why) for a
 *             record that gets no DMARC processing.
 */
#ifndef AUTHMILTER_DMARC_RECORD_H
#define AUTHMILTER_DMARC_RECORD_H

#include <time.h>

#include "auth/dmarc.h"

enum dmarc_fetch {
	DMARC_FETCH_NONE,	/* no single valid record at that name */
	DMARC_FETCH_FOUND,	/* exactly one: text in the buf */
	DMARC_FETCH_TEMP	/* DNS failure: the answer is unknown */
};

struct dnsbudget;

/* what a fetch says besides the record (dmarc_record_fetch() may be
 * given NULL) */
struct dmarc_fetch_info {
	struct buf	*why;		/* a failed lookup: "TXT name: outcome" */
	int		 secure;	/* the answer was DNSSEC-secure */
};

enum dmarc_fetch dmarc_record_fetch(struct resolver *, struct dnsbudget *,
		    const char *domain, const struct timespec *, struct buf *,
		    struct dmarc_fetch_info *);
char	dmarc_record_psd(const char *);
int	dmarc_record_parse(const char *domain, const char *text, int rfc7489,
	    struct dmarc_record *, struct buf *why);
void	dmarc_record_free(struct dmarc_record *);

#endif
