/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_override - the policy.overrides list of authmilter.conf(5):
 *                   local policy rules, read from the libconfig tree
 *
 * STANDARDS   authmilter.conf(5) LOCAL POLICY: a list of groups, each
 *             with author, mail_from and client (a string or a list of
 *             strings), action, reason and an optional name.
 * OWNERSHIP   config_override_parse() allocates the array and every
 *             string in it; config_override_free() releases them. The
 *             struct config_override itself is declared in util/config.h.
 * LOCKING     none; called by config_load() only.
 * LIMITS      CONFIG_MAX_OVERRIDES rules, CONFIG_MAX_LIST values per
 *             matcher, CONFIG_MAX_REASON bytes of reason, 64 of name.
 * ERRORS      config_override_parse() returns 0, or -1 with the line of
 *             the offending setting in *line and the message in why.
 */
#ifndef AUTHMILTER_CONFIG_OVERRIDE_H
#define AUTHMILTER_CONFIG_OVERRIDE_H

#include <stddef.h>

struct buf;
struct config_override;
struct config_setting_t;

int	config_override_parse(const struct config_setting_t *,
	    struct config_override **, size_t *, int *line, struct buf *why);
void	config_override_free(struct config_override *, size_t);
const char *config_override_action_name(int);

#endif
