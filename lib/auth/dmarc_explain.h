/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_explain - a DMARC result in words: where the record was found,
 * which identifiers were tried and why none aligned
 *
 * STANDARDS   RFC 9989 sections 4.4 (identifier alignment), 4.10 (the tree
 *             walk); RFC 7489 section 6.6.3 (public suffix list).
 * OWNERSHIP   the functions fill strings of a caller's struct
 *             dmarc_result, freed by dmarc_result_free().
 * LOCKING     none.
 * LIMITS      DMARC_MAX_TRIED identifiers.
 * ERRORS      none.
 */
#ifndef AUTHMILTER_DMARC_EXPLAIN_H
#define AUTHMILTER_DMARC_EXPLAIN_H

#include "auth/dmarc.h"

struct buf;

/* what kind of name the record was found at */
enum dmarc_where {
	DMARC_WHERE_AUTHOR,	/* the author domain itself */
	DMARC_WHERE_ORG,	/* its organizational domain */
	DMARC_WHERE_PSD		/* a public suffix domain (psd=y) */
};

void	dmarc_explain_where(struct dmarc_result *, const char *name,
	    enum dmarc_where, int step, int rfc7489);
void	dmarc_explain_tried(struct dmarc_result *, char method,
	    const char *domain, enum method_result, int aligned,
	    const char *why);
void	dmarc_explain_finish(struct dmarc_result *, struct buf *why);
void	dmarc_explain_free(struct dmarc_result *);

#endif
