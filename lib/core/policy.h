/*
 * policy - what to do with a message, from its results and the config
 *
 * STANDARDS   authmilter(8) ACTIONS; RFC 9989 section 5.3.6 (the Domain Owner
 *             Assessment Policy, t=), RFC 7489 section 6.6.4 (pct).
 * OWNERSHIP   policy_decide() fills a caller-owned struct decision whose
 *             strings are released by decision_free().
 * LOCKING     none: a pure function of its arguments (no I/O, no clock).
 * ERRORS      none: every input has a decision.
 */
#ifndef AUTHMILTER_POLICY_H
#define AUTHMILTER_POLICY_H

#include "auth/dmarc.h"

struct config;
struct results;

enum policy_action {
	POLICY_ACCEPT,
	POLICY_REJECT,
	POLICY_QUARANTINE,
	POLICY_TEMPFAIL
};

struct decision {
	enum policy_action action;	/* what to do */
	const char	*rcode;		/* SMTP reply code for reject/tempfail */
	const char	*xcode;		/* enhanced status code */
	char		*text;		/* reply text or quarantine reason */
	const char	*why;		/* short reason for the log */
	enum dmarc_policy dmarc_dis;	/* DMARC disposition applied (dis=) */
	const char	*arc_override;	/* trusted sealer that overrode, or NULL */
};

void	policy_decide(const struct results *, const struct config *,
	    struct decision *);
void	decision_free(struct decision *);
const char *policy_action_name(enum policy_action);

#endif
