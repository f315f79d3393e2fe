/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fixture - what several unit tests set up alike: a libconfig file from
 * text, a config loaded from it, a DNS server that never answers (lookups
 * not answered locally time out instead of reaching the network), and a
 * resolver for a config
 *
 * OWNERSHIP   fixture_write() returns a malloc'ed path: the caller frees
 *             it and unlinks the file. fixture_load() and fixture_config()
 *             return a config with one reference (config_release()); the
 *             file they wrote is already gone. fixture_resolver() returns a
 *             resolver (resolver_free()); the config stays the caller's.
 *             fixture_silent() returns a socket for the caller to close().
 *             fixture_quote() appends to a caller buf.
 * ERRORS      fixture_load() NULL and "FILE:LINE: message" in why, as
 *             config_load(); fixture_silent() -1. The others do not return
 *             on error: they print why and exit 99 (automake's hard error),
 *             since the test cannot run without them.
 */
#ifndef AUTHMILTER_FIXTURE_H
#define AUTHMILTER_FIXTURE_H

struct buf;
struct config;
struct resolver;

char		*fixture_write(const char *text);
struct config	*fixture_load(const char *text, char **pathp,
		    struct buf *why);
struct config	*fixture_config(const char *text);
struct resolver	*fixture_resolver(const struct config *cfg);
int		 fixture_silent(int *portp);
void		 fixture_quote(struct buf *out, const char *s);

#endif
