/* SPDX-License-Identifier: BSD-2-Clause */
/* dashboard_http - the received-report dashboard and its JSON API */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/ingest.h"
#include "core/metrics.h"
#include "report/ingest_db.h"
#include "report/ingest_view.h"
#include "report/report_db.h"
#include "dashboard_http.h"
#include "metrics_http.h"

#define DASHBOARD_JSON	"application/json; charset=utf-8"
#define DASHBOARD_TEXT	"text/plain; charset=utf-8"
#define DASHBOARD_DAYS	30		/* the default window */
#define DASHBOARD_MAX_DAYS	400
#define DASHBOARD_MAX_ASSET	(1024 * 1024)

struct dashboard_http {
	struct MHD_Daemon *d;		/* libmicrohttpd server */
	struct config	*cfg;		/* one reference */
	struct metrics	*m;		/* main()'s */
	struct report_db *db;		/* the store; MHD's thread only */
	char		*users[DASHBOARD_MAX_USERS];	/* auth file lines */
	size_t		 nusers;	/* entries in users */
	pthread_t	 gauge;		/* the first count of the gauge */
	int		 gauge_started;	/* gauge is to be joined */
};

/* dashboard_send - queue a response that owns body */
static enum MHD_Result
dashboard_send(struct MHD_Connection *conn, unsigned int status, char *body,
    size_t len, const char *ctype)
{
	struct MHD_Response *r = metrics_http_response(body, len, ctype);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	/* the pages load only their own files, and are never framed */
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Basic realm=\"authmilter dashboard\", charset=\"UTF-8\"");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* dashboard_say - a short text answer */
static enum MHD_Result
dashboard_say(struct MHD_Connection *conn, unsigned int status,
    const char *text)
{
	return dashboard_send(conn, status, xstrdup(text), strlen(text),
	    DASHBOARD_TEXT);
}

/* dashboard_auth_load - the auth file: user:password or token lines */
static int
dashboard_auth_load(struct dashboard_http *h, const char *path,
    struct buf *why)
{
	char line[1024];
	size_t n;
	FILE *f;

	if (*path == '\0')
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(why, "dashboard.auth_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL &&
	    h->nusers < DASHBOARD_MAX_USERS) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		h->users[h->nusers++] = xstrdup(line);
	}
	fclose(f);
	if (h->nusers == 0) {
		buf_printf(why, "dashboard.auth_file %s has no entry", path);
		return -1;
	}
	return 0;
}

/* dashboard_match - is cred (user:password or a token) in the file */
static int
dashboard_match(const struct dashboard_http *h, const char *cred, int basic)
{
	size_t i, n = strlen(cred);
	int ok = 0;

	for (i = 0; i < h->nusers; i++) {
		/* a line with a colon is a user, one without is a token */
		if ((strchr(h->users[i], ':') != NULL) != basic)
			continue;
		if (strlen(h->users[i]) == n &&
		    CRYPTO_memcmp(h->users[i], cred, n) == 0)
			ok = 1;
	}
	return ok;
}

/* dashboard_authorized - Basic or Bearer credentials from the file */
static int
dashboard_authorized(const struct dashboard_http *h,
    struct MHD_Connection *conn)
{
	const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char dec[768];
	size_t n;
	int len;

	if (h->nusers == 0)
		return 1;	/* loopback only, checked by config_load() */
	if (a == NULL)
		return 0;
	if (strncasecmp(a, "Bearer ", 7) == 0)
		return dashboard_match(h, a + 7, 0);
	if (strncasecmp(a, "Basic ", 6) != 0 ||
	    (n = strlen(a + 6)) > 4 * (sizeof(dec) - 1) / 3 || n % 4 != 0)
		return 0;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)a + 6,
	    (int)n)) < 0)
		return 0;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	while (n > 0 && a[6 + n - 1] == '=' && len > 0) {
		n--;
		len--;
	}
	dec[len] = '\0';
	return strlen((char *)dec) == (size_t)len &&
	    dashboard_match(h, (char *)dec, 1);
}

/* dashboard_ctype - the type of a static file */
static const char *
dashboard_ctype(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	return "application/octet-stream";
}

/* dashboard_asset - one file of dashboard.assets_dir, by a plain name */
static enum MHD_Result
dashboard_asset(struct dashboard_http *h, struct MHD_Connection *conn,
    const char *name)
{
	char path[4096], chunk[8192];
	struct buf b;
	size_t i, n;
	FILE *f;

	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '-' && name[i] != '_')
			return dashboard_say(conn, MHD_HTTP_NOT_FOUND,
			    "not found\n");
	if (i == 0 || name[0] == '.')
		return dashboard_say(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	snprintf(path, sizeof(path), "%s/%s", h->cfg->dashboard.assets_dir,
	    name);
	if ((f = fopen(path, "rb")) == NULL)
		return dashboard_say(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	buf_init(&b, DASHBOARD_MAX_ASSET);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	n = b.len;
	return dashboard_send(conn, MHD_HTTP_OK, buf_steal(&b), n,
	    dashboard_ctype(name));
}

/* dashboard_db - the store connection, opened (or reopened) on demand */
static struct report_db *
dashboard_db(struct dashboard_http *h, struct buf *why)
{
	if (h->db != NULL && !report_db_ok(h->db)) {
		report_db_close(h->db);
		h->db = NULL;
	}
	if (h->db == NULL && (h->db = report_db_open(h->cfg->reports.store,
	    why)) != NULL && ingest_db_migrate(h->db, why) != 0) {
		report_db_close(h->db);
		h->db = NULL;
	}
	return h->db;
}

/* dashboard_arg - a query argument, or NULL */
static const char *
dashboard_arg(struct MHD_Connection *conn, const char *key)
{
	const char *v = MHD_lookup_connection_value(conn,
	    MHD_GET_ARGUMENT_KIND, key);

	return v != NULL && *v != '\0' && strlen(v) <= 253 ? v : NULL;
}

/* dashboard_window - ?days=N&until=EPOCH: the report days shown */
static void
dashboard_window(struct dashboard_http *h, struct MHD_Connection *conn,
    struct ingest_view_q *q)
{
	const char *d = dashboard_arg(conn, "days");
	const char *u = dashboard_arg(conn, "until");
	long long days = d != NULL ? strtoll(d, NULL, 10) : DASHBOARD_DAYS;
	long long until = u != NULL ? strtoll(u, NULL, 10) : 0;

	if (days < 1 || days > DASHBOARD_MAX_DAYS)
		days = DASHBOARD_DAYS;
	if (until <= 0)		/* the end of today (UTC) */
		until = ((long long)time(NULL) / INGEST_VIEW_DAY + 1) *
		    INGEST_VIEW_DAY;
	memset(q, 0, sizeof(*q));
	q->until = until;
	q->from = until - days * INGEST_VIEW_DAY;
	q->domain = dashboard_arg(conn, "domain");
	q->ip = dashboard_arg(conn, "ip");
	q->min = h->cfg->dashboard.unapproved_min;
}

/* dashboard_unapproved - the gauge, as the ingest worker computes it */
static void
dashboard_unapproved(struct dashboard_http *h, struct report_db *db)
{
	struct ingest_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = h->cfg;
	ctx.db = db;
	ctx.metrics = h->m;
	ingest_unapproved(&ctx);
}

/* dashboard_get - GET /api/NAME */
static int
dashboard_get(struct report_db *db, const char *name,
    const struct ingest_view_q *q, struct buf *out, struct buf *why)
{
	if (strcmp(name, "domains") == 0)
		return ingest_view_domains(db, q, out, why);
	if (strcmp(name, "tls") == 0)
		return ingest_view_tls(db, q, out, why);
	if (strcmp(name, "unapproved") == 0)
		return ingest_view_sources(db, q, 1, out, why);
	if (q->domain == NULL) {
		buf_puts(why, "domain= is needed");
		return -2;
	}
	if (strcmp(name, "sources") == 0)
		return ingest_view_sources(db, q, 0, out, why);
	if (strcmp(name, "readiness") == 0)
		return ingest_view_readiness(db, q, out, why);
	if (strcmp(name, "source") == 0 && q->ip != NULL)
		return ingest_view_source(db, q, out, why);
	buf_puts(why, "unknown API (or ip= missing)");
	return -2;
}

/* dashboard_approve - POST /api/approve {"domain", "source", "approved"} */
static int
dashboard_approve(struct dashboard_http *h, struct report_db *db,
    const struct buf *body, struct buf *out, struct buf *why)
{
	struct json_object *o = json_tokener_parse(body->data), *d, *s, *a;
	int rc = -2;

	if (o == NULL || !json_object_object_get_ex(o, "domain", &d) ||
	    !json_object_object_get_ex(o, "source", &s) ||
	    !json_object_is_type(d, json_type_string) ||
	    !json_object_is_type(s, json_type_string) ||
	    json_object_get_string_len(d) == 0 ||
	    json_object_get_string_len(s) == 0)
		buf_puts(why, "want {\"domain\": ..., \"source\": ..., "
		    "\"approved\": true|false}");
	else {
		int on = !json_object_object_get_ex(o, "approved", &a) ||
		    json_object_get_boolean(a);

		rc = ingest_view_approve(db, json_object_get_string(d),
		    json_object_get_string(s), on, (long long)time(NULL), why);
		if (rc == 0) {
			buf_printf(out, "{\"ok\":true,\"approved\":%s}",
			    on ? "true" : "false");
			dashboard_unapproved(h, db);
		}
	}
	json_object_put(o);
	return rc;
}

/* dashboard_api - one API call; the answer is JSON */
static enum MHD_Result
dashboard_api(struct dashboard_http *h, struct MHD_Connection *conn,
    const char *name, const char *method, const struct buf *body)
{
	struct ingest_view_q q;
	struct report_db *db;
	struct buf out, why;
	unsigned int status = MHD_HTTP_OK;
	size_t len;
	int rc;

	buf_init(&out, DASHBOARD_MAX_BODY);
	buf_init(&why, 1024);
	dashboard_window(h, conn, &q);
	if ((db = dashboard_db(h, &why)) == NULL)
		rc = -1;
	else if (strcmp(method, "POST") == 0)
		rc = strcmp(name, "approve") == 0 ? dashboard_approve(h, db,
		    body, &out, &why) : -2;
	else
		rc = dashboard_get(db, name, &q, &out, &why);
	if (rc != 0) {
		status = rc == -2 ? MHD_HTTP_BAD_REQUEST :
		    MHD_HTTP_SERVICE_UNAVAILABLE;
		if (rc == -1)
			log_err("dashboard: %s", why.data);
		buf_reset(&out);
		buf_puts(&out, "{");
		json_kv(&out, "error", why.data, 1);
		buf_puts(&out, "}");
	} else if (out.truncated) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		buf_reset(&out);
		buf_puts(&out, "{\"error\":\"answer too large\"}");
	}
	buf_free(&why);
	len = out.len;
	return dashboard_send(conn, status, buf_steal(&out), len,
	    DASHBOARD_JSON);
}

/* dashboard_body - a POST body, collected over the calls (bounded) */
static int
dashboard_body(const char *upload, size_t *upload_len, void **state)
{
	struct buf *b = *state;

	if (b == NULL) {
		*state = buf_new(DASHBOARD_MAX_POST);
		return 1;	/* the headers: the body follows */
	}
	if (*upload_len > 0) {
		buf_append(b, upload, *upload_len);
		*upload_len = 0;
		return 1;
	}
	return 0;
}

/* dashboard_route - which page, file or API the URL names */
static enum MHD_Result
dashboard_route(struct dashboard_http *h, struct MHD_Connection *conn,
    const char *url, const char *method, const struct buf *body)
{
	const char *ct;

	if (strncmp(url, "/api/", 5) == 0) {
		if (strcmp(method, "POST") == 0) {
			/* a form from another site cannot send JSON */
			ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			    MHD_HTTP_HEADER_CONTENT_TYPE);
			if (ct == NULL || strncmp(ct, "application/json", 16))
				return dashboard_say(conn,
				    MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				    "POST application/json\n");
			if (body == NULL || body->truncated)
				return dashboard_say(conn,
				    MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
		}
		return dashboard_api(h, conn, url + 5, method, body);
	}
	if (strcmp(method, "POST") == 0)
		return dashboard_say(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET here\n");
	if (strcmp(url, "/") == 0)
		return dashboard_asset(h, conn, "index.html");
	if (strncmp(url, "/assets/", 8) == 0)
		return dashboard_asset(h, conn, url + 8);
	return dashboard_say(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* dashboard_answer - libmicrohttpd's handler: auth, then the route */
static enum MHD_Result
dashboard_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct dashboard_http *h = cls;

	(void)version;	/* HTTP/1.0 and 1.1 alike */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0)
		return dashboard_say(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "GET or POST\n");
	if (strcmp(method, "POST") == 0 &&
	    dashboard_body(upload, upload_len, state))
		return MHD_YES;
	if (!dashboard_authorized(h, conn))
		return dashboard_say(conn, MHD_HTTP_UNAUTHORIZED,
		    "authorization required\n");
	return dashboard_route(h, conn, url, method, *state);
}

/* dashboard_done - a request is over: free its POST body */
static void
dashboard_done(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	(void)cls;	/* nothing per server */
	(void)conn;
	(void)why;	/* completed or not, the body goes */
	if (*state != NULL) {
		buf_free(*state);
		free(*state);
		*state = NULL;
	}
}

/* dashboard_first - the gauge's first count, on a connection of its own */
static void *
dashboard_first(void *arg)
{
	struct dashboard_http *h = arg;
	struct report_db *db;
	struct buf why;

	buf_init(&why, 1024);
	if ((db = report_db_open(h->cfg->reports.store, &why)) != NULL &&
	    ingest_db_migrate(db, &why) == 0)
		dashboard_unapproved(h, db);
	else
		log_warnx("dashboard: %s", why.data);
	report_db_close(db);
	buf_free(&why);
	return NULL;
}

/* dashboard_http_start - listen on dashboard.listen; NULL with why */
struct dashboard_http *
dashboard_http_start(struct config *cfg, struct metrics *m, struct buf *why)
{
	struct dashboard_http *h = xcalloc(1, sizeof(*h));
	struct addrinfo *ai;
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;

	h->cfg = config_ref(cfg);
	h->m = m;
	if (dashboard_auth_load(h, cfg->dashboard.auth_file, why) != 0 ||
	    buf_puts(why, "dashboard.listen ") != 0 ||
	    (ai = metrics_http_addr(cfg->dashboard.listen, why)) == NULL) {
		dashboard_http_stop(h);
		return NULL;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, dashboard_answer, h,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_NOTIFY_COMPLETED, dashboard_done, h,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)DASHBOARD_MAX_CONN,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)DASHBOARD_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)DASHBOARD_TIMEOUT,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	buf_reset(why);
	if (h->d == NULL) {
		buf_printf(why, "dashboard.listen '%s': cannot listen",
		    cfg->dashboard.listen);
		dashboard_http_stop(h);
		return NULL;
	}
	/* the gauge from the start, off the start's path: a large store
	   takes seconds to count */
	h->gauge_started = pthread_create(&h->gauge, NULL, dashboard_first,
	    h) == 0;
	return h;
}

/* dashboard_http_stop - close the listener and the store; NULL is fine */
void
dashboard_http_stop(struct dashboard_http *h)
{
	size_t i;

	if (h == NULL)
		return;
	if (h->gauge_started)
		pthread_join(h->gauge, NULL);
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	report_db_close(h->db);
	for (i = 0; i < h->nusers; i++)
		free(h->users[i]);
	config_release(h->cfg);
	free(h);
}
