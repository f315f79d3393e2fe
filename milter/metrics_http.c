/* SPDX-License-Identifier: BSD-2-Clause */
/* metrics_http - the /metrics endpoint on libmicrohttpd */
#include "autoconf.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "util/buf.h"
#include "core/metrics.h"
#include "metrics_http.h"
#include "util/xalloc.h"

#define METRICS_HTTP_CTYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_HTTP_MAX_BODY	(256 * 1024)

struct metrics_http {
	struct MHD_Daemon *d;		/* libmicrohttpd server */
	struct metrics	*m;		/* what it serves */
};

/*
 * metrics_http_response - a response that owns body, with its type; NULL
 * (body freed) when libmicrohttpd cannot make one
 */
struct MHD_Response *
metrics_http_response(char *body, size_t len, const char *ctype)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	return r;
}

/* metrics_http_send - queue a response that owns body */
static enum MHD_Result
metrics_http_send(struct MHD_Connection *conn, unsigned int status,
    char *body, size_t len, const char *ctype)
{
	struct MHD_Response *r = metrics_http_response(body, len, ctype);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* metrics_http_answer - GET /metrics; everything else is refused */
static enum MHD_Result
metrics_http_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct metrics_http *h = cls;
	struct buf b;

	(void)version;	/* HTTP/1.0 and 1.1 get the same answer */
	(void)upload;	/* a GET has no body; others are refused below */
	(void)upload_len;
	(void)state;	/* the answer is complete at the first call */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return metrics_http_send(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    xstrdup("only GET\n"), 9, "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return metrics_http_send(conn, MHD_HTTP_NOT_FOUND,
		    xstrdup("try /metrics\n"), 13, "text/plain");
	buf_init(&b, METRICS_HTTP_MAX_BODY);
	metrics_render(h->m, &b);
	return metrics_http_send(conn, MHD_HTTP_OK, b.data, b.len,
	    METRICS_HTTP_CTYPE);
}

/* metrics_http_addr - "HOST:PORT" or "[V6]:PORT" to an address */
struct addrinfo *
metrics_http_addr(const char *listen, struct buf *why)
{
	struct addrinfo hints, *ai = NULL;
	const char *colon = strrchr(listen, ':');
	char host[256];
	size_t n;
	int rc;

	if (colon == NULL || (n = (size_t)(colon - listen)) == 0 ||
	    n >= sizeof(host)) {
		buf_printf(why, "'%s': expected HOST:PORT", listen);
		return NULL;
	}
	memcpy(host, listen, n);
	host[n] = '\0';
	if (host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		buf_printf(why, "'%s': %s", listen, gai_strerror(rc));
		return NULL;
	}
	return ai;
}

/* metrics_http_start - listen on metrics.listen; NULL with why */
struct metrics_http *
metrics_http_start(const char *listen, struct metrics *m, struct buf *why)
{
	struct metrics_http *h;
	struct addrinfo *ai;
	/* poll or epoll, not select: our fds may lie past FD_SETSIZE */
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;

	buf_puts(why, "metrics.listen ");
	if ((ai = metrics_http_addr(listen, why)) == NULL)
		return NULL;
	buf_reset(why);
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = xcalloc(1, sizeof(*h));
	h->m = m;
	/* the port is in the address; MHD wants it as an argument too */
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, metrics_http_answer, h,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_HTTP_MAX_CONN,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)METRICS_HTTP_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_HTTP_TIMEOUT,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	if (h->d == NULL) {
		buf_printf(why, "metrics.listen '%s': cannot listen (address "
		    "in use or not local?)", listen);
		free(h);
		return NULL;
	}
	return h;
}

/* metrics_http_stop - close the listener and its thread; NULL is fine */
void
metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
