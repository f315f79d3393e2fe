/* SPDX-License-Identifier: BSD-2-Clause */
/* decision - the policy's verdict as data */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/decision.h"

/* decision_free - release the reply text; the struct may be reused */
void
decision_free(struct decision *d)
{
	free(d->text);
	memset(d, 0, sizeof(*d));
}

/* policy_action_name - accept reject quarantine tempfail */
const char *
policy_action_name(enum policy_action a)
{
	static const char *const names[] = {
		"accept", "reject", "quarantine", "tempfail"
	};

	return (unsigned)a < 4 ? names[a] : "accept";
}
