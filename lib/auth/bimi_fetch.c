/* SPDX-License-Identifier: BSD-2-Clause */
/* bimi_fetch - one bounded HTTPS GET, and the cache of documents by URL */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "dns/dnsbudget.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/bimi_fetch.h"

struct bimi_cache_entry {
	char		*url;		/* the key; NULL: slot unused */
	enum bimi_fetch_status status;	/* what the GET gave */
	char		*data;		/* the document (status OK) */
	size_t		 len;		/* its length */
	char		*why;		/* the failure (status not OK) */
	time_t		 expires;	/* CLOCK_MONOTONIC seconds */
	unsigned long long used;	/* tick of the last use, for LRU */
};

struct bimi_cache {
	pthread_mutex_t	 lock;		/* guards e[] and tick */
	struct bimi_cache_entry *e;	/* n slots */
	int		 n;		/* capacity (0: no cache) */
	unsigned long long tick;	/* use counter */
};

/* one GET in progress */
struct bimi_get {
	const struct bimi_fetch_request *rq;	/* what was asked */
	char		*host;		/* the URL's host */
	long		 port;		/* and port */
	struct buf	*out;		/* the document */
	int		 toolong;	/* it went over rq->max */
	long		 lifetime;	/* seconds it may be kept */
};

/* bimi_cache_new - a table of entries slots (0: nothing is kept) */
struct bimi_cache *
bimi_cache_new(int entries)
{
	struct bimi_cache *c = xcalloc(1, sizeof(*c));

	if (entries < 0)
		entries = 0;
	if (entries > BIMI_CACHE_MAX_ENTRIES)
		entries = BIMI_CACHE_MAX_ENTRIES;
	c->n = entries;
	c->e = xcalloc((size_t)entries + 1, sizeof(*c->e));
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

/* bimi_cache_clear - one slot back to unused */
static void
bimi_cache_clear(struct bimi_cache_entry *e)
{
	free(e->url);
	free(e->data);
	free(e->why);
	memset(e, 0, sizeof(*e));
}

/* bimi_cache_free - the table and everything in it; NULL is fine */
void
bimi_cache_free(struct bimi_cache *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		bimi_cache_clear(&c->e[i]);
	free(c->e);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* bimi_cache_now - CLOCK_MONOTONIC seconds */
static time_t
bimi_cache_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* bimi_cache_get - a fresh entry's answer copied out; -1: none; locked */
static int
bimi_cache_get(struct bimi_cache *c, const char *url, struct buf *out,
    struct buf *why, enum bimi_fetch_status *st)
{
	time_t now = bimi_cache_now();
	int i;

	for (i = 0; i < c->n; i++) {
		struct bimi_cache_entry *e = &c->e[i];

		if (e->url == NULL || strcmp(e->url, url) != 0)
			continue;
		if (e->expires <= now) {
			bimi_cache_clear(e);
			return -1;
		}
		e->used = ++c->tick;
		*st = e->status;
		if (e->status == BIMI_FETCH_OK)
			buf_append(out, e->data, e->len);
		else
			buf_printf(why, "%s (remembered)", e->why);
		return 0;
	}
	return -1;
}

/* bimi_cache_put - keep an answer for ttl seconds; locked */
static void
bimi_cache_put(struct bimi_cache *c, const char *url,
    enum bimi_fetch_status st, const struct buf *doc, const char *why,
    long ttl)
{
	struct bimi_cache_entry *v = NULL;
	int i;

	if (c->n == 0 || ttl <= 0)
		return;
	for (i = 0; i < c->n && v == NULL; i++)
		if (c->e[i].url != NULL && strcmp(c->e[i].url, url) == 0)
			v = &c->e[i];
	for (i = 0; i < c->n && v == NULL; i++)
		if (c->e[i].url == NULL)
			v = &c->e[i];
	if (v == NULL) {
		v = &c->e[0];
		for (i = 1; i < c->n; i++)
			if (c->e[i].used < v->used)
				v = &c->e[i];
	}
	bimi_cache_clear(v);
	v->url = xstrdup(url);
	v->status = st;
	if (st == BIMI_FETCH_OK) {
		v->data = xmalloc(doc->len + 1);
		memcpy(v->data, doc->data, doc->len + 1);
		v->len = doc->len;
	} else
		v->why = xstrdup(why);
	v->expires = bimi_cache_now() + ttl;
	v->used = ++c->tick;
}

/* bimi_fetch_cc - one Cache-Control directive's seconds, -1 absent */
static long
bimi_fetch_cc(const char *cc, const char *name, int *present)
{
	const char *p = cc, *e;
	size_t n = strlen(name);
	long v;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) >= n && strncasecmp(p, name, n) == 0 &&
		    (p[n] == '=' || p[n] == ',' || p[n] == ' ' ||
		    p[n] == '\0' || p + n == e)) {
			*present = 1;
			p += n;
			if (*p++ != '=')
				return -1;
			if (*p == '"')
				p++;
			for (v = 0; isdigit((unsigned char)*p) &&
			    v <= BIMI_CACHE_MAX_TTL; p++)
				v = v * 10 + (*p - '0');
			return v;
		}
		p = e;
	}
	return -1;
}

/*
 * bimi_fetch_lifetime - RFC 9111 4.2.1: seconds a response may be used,
 * 0 when it must not be kept; at most BIMI_CACHE_MAX_TTL
 */
long
bimi_fetch_lifetime(const char *cc, const char *expires, const char *date)
{
	int present = 0;
	long v;
	time_t e, d;

	if (cc != NULL) {
		bimi_fetch_cc(cc, "no-store", &present);
		bimi_fetch_cc(cc, "no-cache", &present);
		if (present)
			return 0;
		if ((v = bimi_fetch_cc(cc, "max-age", &present)) >= 0 ||
		    present)
			return v < 0 ? 0 : v > BIMI_CACHE_MAX_TTL ?
			    BIMI_CACHE_MAX_TTL : v;
	}
	if (expires == NULL || (e = curl_getdate(expires, NULL)) < 0)
		return 0;
	d = date != NULL ? curl_getdate(date, NULL) : -1;
	if (d < 0)
		d = time(NULL);
	if (e <= d)
		return 0;
	return e - d > BIMI_CACHE_MAX_TTL ? BIMI_CACHE_MAX_TTL : (long)(e - d);
}

/* bimi_fetch_ascii - printable ASCII only, no space */
static int
bimi_fetch_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* bimi_fetch_parse - https://host[:port]/..., a host name; host and port */
static int
bimi_fetch_parse(const char *url, char **host, long *port, struct buf *why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *p = NULL, *user = NULL;
	int rc = -1;

	/* RFC 3986: ASCII without controls and spaces; and "https://" as
	 * written, where libcurl would also take "https:/host" */
	if (strlen(url) > BIMI_FETCH_MAX_URL || strncasecmp(url, "https://",
	    8) != 0 || !bimi_fetch_ascii(url)) {
		buf_puts(why, "not an https: URI");
		curl_url_cleanup(u);
		return -1;
	}
	if (u == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		buf_puts(why, "not a URI");
	else if (strcasecmp(scheme, "https") != 0)
		buf_puts(why, "not an https: URI");
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		buf_puts(why, "a URI with user information");
	else if (*h == '[' || strspn(h, "0123456789.") == strlen(h) ||
	    strchr(h, '.') == NULL)
		buf_puts(why, "the URI names no fully qualified host");
	else {
		if (curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK || (*port = strtol(p, NULL, 10)) <= 0)
			*port = 443;
		*host = xstrdup(h);
		rc = 0;
	}
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

/* bimi_fetch_url_ok - is url an https: URI with a host name; why not */
int
bimi_fetch_url_ok(const char *url, struct buf *why)
{
	char *host = NULL;
	long port;
	int rc = bimi_fetch_parse(url, &host, &port, why);

	free(host);
	return rc;
}

/* bimi_fetch_ms - milliseconds from now to the deadline, at least 1 */
static long
bimi_fetch_ms(const struct timespec *dl)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(dl->tv_sec - now.tv_sec) * 1000 +
	    (dl->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 1;
}

/* bimi_fetch_addrs - "host:port:a1,a2" for CURLOPT_RESOLVE */
static enum bimi_fetch_status
bimi_fetch_addrs(struct bimi_get *g, struct buf *out, struct buf *why)
{
	static const int types[2] = { ns_t_a, ns_t_aaaa };
	struct resolver_answer *a;
	enum resolver_status st, first = RESOLVER_OK;
	int t, n = 0;

	buf_printf(out, "%s:%ld:", g->host, g->port);
	for (t = 0; t < 2; t++) {
		a = NULL;
		st = dnsbudget_query(g->rq->budget, g->rq->res, g->host,
		    types[t], g->rq->deadline, &a);
		if (st == RESOLVER_OK)
			n = dnstext_addrs(a, out, n);
		if (t == 0) {
			first = st;
			if (st != RESOLVER_OK)
				dnstext_why(a, g->host, types[t], why);
		}
		resolver_answer_free(a);
	}
	if (n > 0)
		return BIMI_FETCH_OK;
	if (first == RESOLVER_OK)
		buf_printf(why, "%s has no address", g->host);
	return first == RESOLVER_RETRY || first == RESOLVER_FAIL ?
	    BIMI_FETCH_TEMP : BIMI_FETCH_FAIL;
}

/* bimi_fetch_write - libcurl's data; over the limit: stop the transfer */
static size_t
bimi_fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct bimi_get *g = arg;
	size_t n = size * nmemb;

	if (g->out->len + n > g->rq->max) {
		g->toolong = 1;
		return 0;
	}
	return buf_append(g->out, data, n) == 0 ? n : 0;
}

/* bimi_fetch_header - the first value of a response field, or NULL */
static const char *
bimi_fetch_header(CURL *c, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK || h == NULL)
		return NULL;
	return h->value;
}

/* bimi_fetch_result - the outcome of a finished transfer */
static enum bimi_fetch_status
bimi_fetch_result(CURL *c, struct bimi_get *g, CURLcode rc, const char *err,
    struct buf *why)
{
	long code = 0;

	if (g->toolong || rc == CURLE_FILESIZE_EXCEEDED) {
		buf_printf(why, "larger than %zu bytes", g->rq->max);
		return BIMI_FETCH_FAIL;
	}
	if (rc != CURLE_OK) {
		buf_puts(why, *err != '\0' ? err : curl_easy_strerror(rc));
		return rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL ? BIMI_FETCH_FAIL :
		    BIMI_FETCH_TEMP;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		buf_printf(why, "HTTP status %ld%s", code, code >= 300 &&
		    code < 400 ? " (redirects are not followed)" : "");
		return code >= 500 || code == 429 || code == 408 ?
		    BIMI_FETCH_TEMP : BIMI_FETCH_FAIL;
	}
	g->lifetime = bimi_fetch_lifetime(bimi_fetch_header(c,
	    "Cache-Control"), bimi_fetch_header(c, "Expires"),
	    bimi_fetch_header(c, "Date"));
	return BIMI_FETCH_OK;
}

/* bimi_fetch_setopt - the handle for one bounded, verified GET */
static void
bimi_fetch_setopt(CURL *c, struct bimi_get *g, struct curl_slist *resolve,
    char *err)
{
	long ms = bimi_fetch_ms(g->rq->deadline);

	curl_easy_setopt(c, CURLOPT_URL, g->rq->url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)g->rq->max);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION " (BIMI)");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bimi_fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
	if (g->rq->ca_file != NULL && *g->rq->ca_file != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, g->rq->ca_file);
}

/* bimi_fetch_get - resolve, then one GET; the time charged to the budget */
static enum bimi_fetch_status
bimi_fetch_get(struct bimi_get *g, struct buf *why)
{
	char err[CURL_ERROR_SIZE] = "";
	struct curl_slist *resolve = NULL;
	struct timespec t0, t1;
	enum bimi_fetch_status st;
	struct buf addrs;
	CURL *c;

	buf_init(&addrs, 4096);
	if ((st = bimi_fetch_addrs(g, &addrs, why)) != BIMI_FETCH_OK) {
		buf_free(&addrs);
		return st;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (resolve = curl_slist_append(NULL, addrs.data)) == NULL) {
		buf_puts(why, "libcurl: cannot start");
		curl_easy_cleanup(c);
		buf_free(&addrs);
		return BIMI_FETCH_TEMP;
	}
	bimi_fetch_setopt(c, g, resolve, err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = bimi_fetch_result(c, g, curl_easy_perform(c), err, why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (g->rq->budget != NULL)
		dnsbudget_charge(g->rq->budget, (long)(t1.tv_sec - t0.tv_sec) *
		    1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	buf_free(&addrs);
	return st;
}

/*
 * bimi_fetch - the document at rq->url into out: from the cache while it
 * is fresh, else one GET (kept for as long as its headers allow)
 */
enum bimi_fetch_status
bimi_fetch(struct bimi_cache *c, const struct bimi_fetch_request *rq,
    struct buf *out, struct buf *why)
{
	struct bimi_get g;
	enum bimi_fetch_status st;
	struct buf reason;
	size_t start;
	int found = -1;

	memset(&g, 0, sizeof(g));
	if (bimi_fetch_parse(rq->url, &g.host, &g.port, why) != 0)
		return BIMI_FETCH_FAIL;
	if (c != NULL) {
		pthread_mutex_lock(&c->lock);
		found = bimi_cache_get(c, rq->url, out, why, &st);
		pthread_mutex_unlock(&c->lock);
	}
	if (found == 0) {
		free(g.host);
		return st;
	}
	g.rq = rq;
	g.out = out;
	start = out->len;
	buf_init(&reason, 1024);
	st = bimi_fetch_get(&g, &reason);
	buf_append(why, reason.data, reason.len);
	if (st != BIMI_FETCH_OK) {
		/* a part of a document is no document */
		out->len = start;
		out->data[start] = '\0';
	}
	if (c != NULL) {
		pthread_mutex_lock(&c->lock);
		bimi_cache_put(c, rq->url, st, out, reason.data, st ==
		    BIMI_FETCH_OK ? g.lifetime : BIMI_CACHE_FAIL_TTL);
		pthread_mutex_unlock(&c->lock);
	}
	buf_free(&reason);
	free(g.host);
	return st;
}
