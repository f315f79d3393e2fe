/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * override - which policy.overrides rule, if any, applies to a message
 *
 * STANDARDS   authmilter.conf(5) LOCAL POLICY: a rule applies when each of
 *             its matchers (author, mail_from, client) matches; the first
 *             such rule in the file wins. "d" matches the domain d, "*.d"
 *             any name below d (not d itself); case is ignored, and so is
 *             a trailing dot. RFC 4632 networks for client.
 * OWNERSHIP   override_match() returns a rule of the config, which lives
 *             as long as the caller's reference to the config.
 * LOCKING     none: pure functions of their arguments.
 * LIMITS      domains longer than 253 characters never match.
 * ERRORS      none: no match is NULL (override_match) or 0.
 */
#ifndef AUTHMILTER_OVERRIDE_H
#define AUTHMILTER_OVERRIDE_H

struct cidr_addr;
struct config;
struct config_override;

int	override_domain_match(const char *pattern, const char *domain);
const struct config_override *override_match(const struct config *,
	    const char *author, const char *mailfrom,
	    const struct cidr_addr *client);

#endif
