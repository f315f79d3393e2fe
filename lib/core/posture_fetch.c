/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_fetch - one HTTPS GET for the MTA-STS policy (RFC 8461 3.3):
 * the host's addresses come from our own resolver (so tests and DNSSEC
 * apply), no redirects, HTTPS only, a certificate valid for the host, a
 * bounded time and size
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util/buf.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "core/posture_priv.h"

/* posture_fetch_write - libcurl's data into the buf; over its max: stop */
static size_t
posture_fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	return buf_append(b, data, n) == 0 ? n : 0;
}

/* posture_fetch_addrs - "host:443:a1,a2" for CURLOPT_RESOLVE; -1 none */
static int
posture_fetch_addrs(struct posture *p, const char *host, struct buf *out,
    struct buf *why)
{
	static const int types[2] = { ns_t_a, ns_t_aaaa };
	struct resolver_answer *a;
	int t, n = 0;

	buf_printf(out, "%s:443:", host);
	for (t = 0; t < 2; t++) {
		a = NULL;
		if (resolver_query(p->res, host, types[t], NULL, &a) ==
		    RESOLVER_OK)
			n = dnstext_addrs(a, out, n);
		else if (t == 0)
			dnstext_why(a, host, types[t], why);
		resolver_answer_free(a);
	}
	return n > 0 ? 0 : -1;
}

/* posture_fetch_check - status 200 and text/plain (RFC 8461 3.3) */
static int
posture_fetch_check(CURL *c, struct buf *why)
{
	long code = 0;
	char *type = NULL;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
	if (code != 200) {
		buf_printf(why, "HTTP status %ld (200 needed, no redirects)",
		    code);
		return -1;
	}
	if (type == NULL || strncasecmp(type, "text/plain", 10) != 0) {
		buf_printf(why, "media type %s, not text/plain", type != NULL ?
		    type : "missing");
		return -1;
	}
	return 0;
}

/* posture_fetch - GET url from host; 0 with the body in out */
int
posture_fetch(struct posture *p, const char *host, const char *url,
    struct buf *out, struct buf *why)
{
	char err[CURL_ERROR_SIZE] = "";
	struct curl_slist *resolve = NULL;
	struct buf addrs;
	CURL *c;
	CURLcode rc;
	int ret = -1;

	buf_init(&addrs, 4096);
	if (posture_fetch_addrs(p, host, &addrs, why) != 0) {
		buf_free(&addrs);
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		buf_puts(why, "libcurl: cannot start");
		buf_free(&addrs);
		return -1;
	}
	resolve = curl_slist_append(NULL, addrs.data);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)POSTURE_FETCH_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, posture_fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (p->req->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, p->req->ca_file);
	if ((rc = curl_easy_perform(c)) != CURLE_OK)
		buf_printf(why, "%s", *err != '\0' ? err :
		    curl_easy_strerror(rc));
	else
		ret = posture_fetch_check(c, why);
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	buf_free(&addrs);
	return ret;
}
