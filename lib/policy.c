/* policy - results + config -> decision, nothing else */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy.h"
#include "results.h"
#include "xalloc.h"

/* policy_tempfail - the DNS error action of policy.dns_error_action */
static void
policy_tempfail(struct decision *d)
{
	d->action = POLICY_TEMPFAIL;
	d->rcode = "451";
	d->xcode = "4.7.0";
	d->text = xstrdup("Temporary DNS failure during sender "
	    "authentication, try again later");
	d->why = "dns temperror";
}

/* policy_decide - SPEC "Actions" as one function */
void
policy_decide(const struct results *r, const struct config *cfg,
    struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->action = POLICY_ACCEPT;
	/* SPF alone never rejects: DMARC decides (RFC 7489 section 10.1) */
	if (results_temperror(r) &&
	    cfg->policy.dns_error_action == CONFIG_DNSERR_TEMPFAIL)
		policy_tempfail(d);
}

/* decision_free - release the reply text */
void
decision_free(struct decision *d)
{
	free(d->text);
	memset(d, 0, sizeof(*d));
}

/* policy_action_name - accept, reject, quarantine, tempfail */
const char *
policy_action_name(enum policy_action a)
{
	static const char *const names[] = {
		"accept", "reject", "quarantine", "tempfail"
	};

	return (unsigned)a < 4 ? names[a] : "accept";
}
