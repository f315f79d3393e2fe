/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict - carry out a decision with smfi_* calls, log the verdict line
 *
 * STANDARDS   RFC 8601 section 5 (delete A-R claiming our id, highest index
 *             first: CVE-2022-48521), section 7.1 (ours at index 0).
 * OWNERSHIP   walks the verdict pipeline_eom() returned; changes nothing.
 * LOCKING     none; called from the connection's callback.
 * ERRORS      a failed smfi_* call is logged and the message is accepted:
 *             mail is never lost for an internal reason.
 */
#ifndef AUTHMILTER_VERDICT_H
#define AUTHMILTER_VERDICT_H

#include <libmilter/mfapi.h>

struct pipeline_verdict;
struct session;

sfsistat verdict_apply(SMFICTX *, struct session *,
	    const struct pipeline_verdict *, int leadspc);
sfsistat verdict_on_error(SMFICTX *, struct session *, const char *why);

#endif
