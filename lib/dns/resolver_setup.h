/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver_setup - a libunbound context configured from the dns group
 *
 * STANDARDS   none; libunbound's ub_ctx_* calls and unbound.conf(5) options.
 * OWNERSHIP   the context stays the caller's.
 * LOCKING     call before the context is shared (resolver_new does).
 * LIMITS      none of its own.
 * ERRORS      -1 with the reason in why (a bad dns.* entry is named).
 *             Otherwise 1 when answers are DNSSEC-validated (dns.dnssec and a readable dns.trust_anchor), 0
 *             when not (validation off, or the default root anchor of
 *             dns-root-data is not installed).
 */
#ifndef AUTHMILTER_RESOLVER_SETUP_H
#define AUTHMILTER_RESOLVER_SETUP_H

struct buf;
struct config;
struct ub_ctx;

int	resolver_setup_ctx(struct ub_ctx *, const struct config *,
	    struct buf *);

#endif
