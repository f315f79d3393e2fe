/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dashboard_http - the dashboard of received reports on dashboard.listen:
 * its static files (dashboard.assets_dir) and its JSON API
 *
 * STANDARDS   RFC 9110 (GET, HEAD, POST; 401 with WWW-Authenticate,
 *             404, 405, 415), RFC 7617 (Basic), RFC 6750 (Bearer).
 * OWNERSHIP   dashboard_http_start() returns a server main() stops with
 *             dashboard_http_stop(); it keeps a configuration reference
 *             and borrows the struct metrics.
 * LOCKING     libmicrohttpd runs one internal thread, which alone uses
 *             the store connection (opened on the first request); one more
 *             thread, joined at the stop, counts the unapproved senders
 *             once at the start on a connection of its own (the gauge is
 *             atomic).
 * LIMITS      DASHBOARD_MAX_CONN connections, DASHBOARD_MAX_PER_IP each
 *             address, DASHBOARD_TIMEOUT seconds idle; a POST body of at
 *             most DASHBOARD_MAX_POST bytes; DASHBOARD_MAX_USERS lines in
 *             the auth file; an answer of at most DASHBOARD_MAX_BODY.
 * ERRORS      dashboard_http_start() returns NULL with the reason in why.
 */
#ifndef AUTHMILTER_DASHBOARD_HTTP_H
#define AUTHMILTER_DASHBOARD_HTTP_H

#define DASHBOARD_MAX_CONN	64
#define DASHBOARD_MAX_PER_IP	16	/* a browser opens about six */
#define DASHBOARD_TIMEOUT	30
#define DASHBOARD_MAX_POST	4096
#define DASHBOARD_MAX_USERS	64
#define DASHBOARD_MAX_BODY	(32 * 1024 * 1024)

struct buf;
struct config;
struct metrics;
struct dashboard_http;

struct dashboard_http *dashboard_http_start(struct config *,
	    struct metrics *, struct buf *why);
void	dashboard_http_stop(struct dashboard_http *);

#endif
