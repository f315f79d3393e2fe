/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy - what to do with a message, from its results and the config
 *
 * STANDARDS   authmilter(8) ACTIONS; RFC 9989 section 5.3.6 (the Domain Owner
 *             Assessment Policy, t=), RFC 7489 section 6.6.4 (pct).
 * OWNERSHIP   policy_decide() fills a caller-owned struct decision
 *             (core/decision.h) released by decision_free().
 * LOCKING     none: a pure function of its arguments (no I/O, no clock).
 * LIMITS      a reply text is at most POLICY_MAX_TEXT bytes (longer is cut).
 * ERRORS      none: every input has a decision.
 */
#ifndef AUTHMILTER_POLICY_H
#define AUTHMILTER_POLICY_H

#include "core/decision.h"

#define POLICY_MAX_TEXT	512	/* bytes of a reply text */

struct config;
struct results;

void	policy_decide(const struct results *, const struct config *,
	    struct decision *);

#endif
