/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_domain - authmilter-check --domain: run the posture checks of
 * lib/core/posture.h and print them, as text or one JSON object
 *
 * OWNERSHIP   nothing kept; trace_json (NULL: none) is the caller's,
 *             filled while the checks run (--trace --json).
 * ERRORS      check_domain() returns the exit status: 0 every check
 *             passed, 1 a warning, 2 a failure.
 */
#ifndef AUTHMILTER_CHECK_DOMAIN_H
#define AUTHMILTER_CHECK_DOMAIN_H

struct buf;
struct pipeline_env;
struct posture_request;

int	check_domain(struct pipeline_env *, const struct posture_request *,
	    int json, const struct buf *trace_json);

#endif
