/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http - serve struct metrics as Prometheus text on GET /metrics
 *
 * STANDARDS   RFC 9110 (GET/HEAD; 404 elsewhere, 405 for other methods);
 *             Prometheus text exposition format 0.0.4.
 * OWNERSHIP   metrics_http_start() returns a server that main() stops with
 *             metrics_http_stop(); it borrows the struct metrics, which
 *             must outlive it.
 * LOCKING     libmicrohttpd runs one internal thread; rendering reads the
 *             atomics of struct metrics (see metrics.h).
 * LIMITS      METRICS_HTTP_MAX_CONN connections at once, at most
 *             METRICS_HTTP_MAX_PER_IP of them from one address, each
 *             closed after METRICS_HTTP_TIMEOUT seconds idle: clients that
 *             open connections and send nothing (a slow or hostile one)
 *             cannot take every slot and blind the scraper.
 * ERRORS      metrics_http_start() returns NULL with the reason in why.
 */
#ifndef AUTHMILTER_METRICS_HTTP_H
#define AUTHMILTER_METRICS_HTTP_H

#define METRICS_HTTP_MAX_CONN	128	/* far below the process's fds */
#define METRICS_HTTP_MAX_PER_IP	8	/* a scraper needs one or two */
#define METRICS_HTTP_TIMEOUT	3	/* seconds; a scrape takes ms */

struct addrinfo;
struct buf;
struct MHD_Response;
struct metrics;
struct metrics_http;

struct metrics_http *metrics_http_start(const char *listen, struct metrics *,
	    struct buf *why);
void	metrics_http_stop(struct metrics_http *);
struct addrinfo *metrics_http_addr(const char *listen, struct buf *why);
struct MHD_Response *metrics_http_response(char *body, size_t len,
	    const char *ctype);

#endif
