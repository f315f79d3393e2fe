/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi_fetch - HTTPS GET of a BIMI indicator or evidence document, and
 *              the cache of what was fetched, by URL
 *
 * STANDARDS   draft-brand-indicators-for-message-identification-10
 *             sections 4.3 (a= and l= are HTTPS URIs with a host name),
 *             7.5 (the server's TLS certificate must chain to a trusted
 *             root), 8.3 (size limits), 8.4 (caching); RFC 9111 section
 *             4.2.1 (freshness: Cache-Control max-age, no-store, no-cache,
 *             else Expires - Date).
 * OWNERSHIP   a struct bimi_cache belongs to one configuration
 *             (struct bimi_context) and dies with it. bimi_fetch()
 *             appends the document to the caller's buf; nothing it
 *             returns points into the cache.
 * LOCKING     one mutex guards the cache table (LOCKING of lib/auth/bimi.h
 *             lists it); fetches run outside it, so two threads may fetch
 *             the same URL at once (the later answer is kept). Each fetch
 *             has its own libcurl handle; curl_global_init() ran in
 *             bimi_init() before any thread.
 * LIMITS      a document of at most max bytes (the rest is not read);
 *             no redirects; the whole GET ends by the caller's deadline
 *             (CLOCK_MONOTONIC), which the caller caps with the message's
 *             DNS budget; the host's addresses are looked up through our
 *             resolver, charged to the same budget. At most the cache's
 *             entries are kept (least recently used evicted), each fresh
 *             for what the response's headers allow but at most
 *             BIMI_CACHE_MAX_TTL seconds; a failed fetch is remembered
 *             for BIMI_CACHE_FAIL_TTL seconds, so a slow host costs one
 *             timeout per interval, not one per message.
 * ERRORS      enum bimi_fetch_status; the reason in the caller's why.
 */
#ifndef AUTHMILTER_BIMI_FETCH_H
#define AUTHMILTER_BIMI_FETCH_H

#include <stddef.h>
#include <time.h>

struct buf;
struct dnsbudget;
struct resolver;

#define BIMI_CACHE_MAX_TTL	86400
#define BIMI_CACHE_FAIL_TTL	60
#define BIMI_CACHE_MAX_ENTRIES	4096
#define BIMI_FETCH_MAX_URL	2048

enum bimi_fetch_status {
	BIMI_FETCH_OK,		/* the document is in out */
	BIMI_FETCH_FAIL,	/* refused for good: TLS, 404, too large */
	BIMI_FETCH_TEMP		/* timed out, no route, 5xx: maybe later */
};

/* one GET */
struct bimi_fetch_request {
	const char	*url;		/* https://host[:port]/path */
	size_t		 max;		/* bytes the document may have */
	const struct timespec *deadline;	/* CLOCK_MONOTONIC */
	struct resolver	*res;		/* for the host's addresses */
	struct dnsbudget *budget;	/* the message's, charged */
	const char	*ca_file;	/* TLS roots, NULL: libcurl's */
};

struct bimi_cache;

struct bimi_cache *bimi_cache_new(int entries);
void	bimi_cache_free(struct bimi_cache *);
enum bimi_fetch_status bimi_fetch(struct bimi_cache *,
	    const struct bimi_fetch_request *, struct buf *out,
	    struct buf *why);
long	bimi_fetch_lifetime(const char *cache_control, const char *expires,
	    const char *date);
int	bimi_fetch_url_ok(const char *url, struct buf *why);

#endif
