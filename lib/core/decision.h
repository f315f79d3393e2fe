/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decision - what to do with one message: the action, its SMTP reply and
 * why, as the policy decided it
 *
 * STANDARDS   authmilter(8) ACTIONS.
 * OWNERSHIP   a struct decision owns text; decision_free() releases it.
 *             The other strings are static.
 * LOCKING     none; one message.
 * ERRORS      none.
 */
#ifndef AUTHMILTER_DECISION_H
#define AUTHMILTER_DECISION_H

#include "auth/dmarc.h"

struct config_override;

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
	int		 mark;		/* deliver marked for Junk */
	const struct config_override *override;	/* local policy rule
					   applied (the config's), or NULL */
};

void	decision_free(struct decision *);
const char *policy_action_name(enum policy_action);

#endif
