/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_check - value checkers for the rows of config.c, the check of
 *                the files a config names (config_check_files(), declared
 *                in util/config.h), and the warning about secrets in a
 *                file others may read
 *
 * STANDARDS   authmilter.conf(5) (socket, nameserver, CIDR, local-zone,
 *             authserv-id, store and listen syntax).
 * OWNERSHIP   a checker reads a value and writes only the reason to why.
 * LOCKING     none.
 * ERRORS      0 valid, -1 with the reason in why. config_check_secrets()
 *             returns 1 with a warning in why, 0 when there is nothing
 *             to say.
 */
#ifndef AUTHMILTER_CONFIG_CHECK_H
#define AUTHMILTER_CONFIG_CHECK_H

struct buf;
struct config;

/* a value checker: 0 ok, -1 with the reason in why */
typedef int config_check_fn(struct config *, const char *, struct buf *);

config_check_fn config_chk_socket, config_chk_ns, config_chk_cidr,
    config_chk_zone, config_chk_id, config_chk_store, config_chk_listen,
    config_chk_domain, config_chk_sealhdr, config_chk_email,
    config_chk_abspath, config_chk_suppress, config_chk_optpath,
    config_chk_reply, config_chk_authserv, config_chk_keyspec,
    config_chk_signhdr;
int	config_check_secrets(const struct config *, struct buf *why);

#endif
