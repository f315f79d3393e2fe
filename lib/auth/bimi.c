/* SPDX-License-Identifier: BSD-2-Clause */
/* bimi - assertion record discovery, indicator and evidence, the result */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "dns/dnsbudget.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/bimi.h"
#include "auth/bimi_cert.h"
#include "auth/bimi_fetch.h"
#include "auth/bimi_svg.h"

struct bimi_context {
	X509_STORE	*roots;		/* bimi.trust_store, or NULL */
	struct bimi_cache *cache;	/* fetched documents by URL */
	char		*ca_file;	/* bimi.https_ca_file, or NULL */
	int		 fetch;		/* bimi.fetch */
	int		 require_evidence;	/* bimi.require_evidence */
	long		 timeout_ms;	/* bimi.timeout */
};

/* one message's evaluation */
struct bimi_run {
	const struct bimi_request *rq;	/* what was asked */
	struct bimi_result *r;		/* what is found */
	struct timespec	 deadline;	/* of every lookup and fetch */
	struct buf	 why;		/* the reason being built */
};

/*
 * bimi_init - libcurl's and libxml2's process-wide set-up; once, from
 * main(), before any thread (neither may be set up concurrently)
 */
void
bimi_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		log_fatal("libcurl cannot be set up (curl_global_init)");
	xmlInitParser();
}

/* bimi_context_new - the roots and the cache of one configuration */
struct bimi_context *
bimi_context_new(const struct config *cfg, struct buf *why)
{
	struct bimi_context *c = xcalloc(1, sizeof(*c));

	c->fetch = cfg->bimi.fetch;
	c->require_evidence = cfg->bimi.require_evidence;
	c->timeout_ms = (long)cfg->bimi.timeout * 1000;
	if (*cfg->bimi.https_ca_file != '\0')
		c->ca_file = xstrdup(cfg->bimi.https_ca_file);
	c->cache = bimi_cache_new(cfg->bimi.cache_entries);
	if (cfg->bimi.enabled && cfg->bimi.fetch &&
	    *cfg->bimi.trust_store != '\0' && ((c->roots =
	    X509_STORE_new()) == NULL || X509_STORE_load_file(c->roots,
	    cfg->bimi.trust_store) != 1)) {
		buf_printf(why, "bimi.trust_store: '%s': no PEM certificate "
		    "could be loaded", cfg->bimi.trust_store);
		ERR_clear_error();
		bimi_context_free(c);
		return NULL;
	}
	return c;
}

/* bimi_context_free - when the configuration goes; NULL is fine */
void
bimi_context_free(struct bimi_context *c)
{
	if (c == NULL)
		return;
	X509_STORE_free(c->roots);
	bimi_cache_free(c->cache);
	free(c->ca_file);
	free(c);
}

/* bimi_result_free - the result's strings */
void
bimi_result_free(struct bimi_result *r)
{
	free(r->reason);
	free(r->domain);
	free(r->selector);
	free(r->authority_uri);
	free(r->location);
	free(r->indicator);
	memset(r, 0, sizeof(*r));
}

/* bimi_end - the result and its reason; returns the result */
static enum bimi_status
bimi_end(struct bimi_run *run, enum bimi_status st)
{
	run->r->result = st;
	free(run->r->reason);
	run->r->reason = run->why.len > 0 ? xstrdup(run->why.data) : NULL;
	return st;
}

/*
 * bimi_lookup - the one v=BIMI1 record at sel._bimi.domain into rec:
 * 1 found, 0 none there, or the status that ends discovery
 */
static int
bimi_lookup(struct bimi_run *run, const char *domain, struct bimi_record *rec,
    enum bimi_status *st)
{
	struct resolver_answer *a = NULL;
	enum resolver_status rs;
	struct buf name, txt, first;
	int i, n = 0, found = 0;

	buf_init(&name, 1024);
	buf_init(&txt, BIMI_MAX_RECORD + 1);
	buf_init(&first, BIMI_MAX_RECORD + 1);
	buf_printf(&name, "%s._bimi.%s", run->r->selector, domain);
	rs = dnsbudget_query(run->rq->budget, run->rq->res, name.data,
	    ns_t_txt, &run->deadline, &a);
	for (i = 0; rs == RESOLVER_OK && i < a->n; i++) {
		buf_reset(&txt);
		if (resolver_txt(a, i, &txt) == 0 && bimi_record_is(txt.data,
		    txt.len) && n++ == 0)
			buf_append(&first, txt.data, txt.len);
	}
	if (rs == RESOLVER_RETRY || rs == RESOLVER_FAIL) {
		dnstext_why(a, name.data, ns_t_txt, &run->why);
		*st = BIMI_TEMPERROR;
		found = -1;
	} else if (n > 1) {
		buf_printf(&run->why, "%d BIMI records at %s", n, name.data);
		*st = BIMI_FAIL;
		found = -1;
	} else if (n == 1 && bimi_record_parse(first.data, first.len, rec,
	    &run->why) != 0) {
		buf_printf(&run->why, " (%s)", name.data);
		*st = BIMI_FAIL;
		found = -1;
	} else
		found = n;
	resolver_answer_free(a);
	buf_free(&name);
	buf_free(&txt);
	buf_free(&first);
	return found;
}

/* bimi_discover - 7.2: the author domain, then its organizational domain */
static int
bimi_discover(struct bimi_run *run, struct bimi_record *rec,
    enum bimi_status *st)
{
	const struct bimi_request *rq = run->rq;
	int k;

	if ((k = bimi_lookup(run, rq->author, rec, st)) != 0) {
		run->r->domain = xstrdup(rq->author);
		return k;
	}
	if (rq->org_domain != NULL && *rq->org_domain != '\0' &&
	    strcasecmp(rq->org_domain, rq->author) != 0 &&
	    (k = bimi_lookup(run, rq->org_domain, rec, st)) != 0) {
		run->r->domain = xstrdup(rq->org_domain);
		return k;
	}
	buf_printf(&run->why, "no BIMI record at %s._bimi.%s%s%s",
	    run->r->selector, rq->author, rq->org_domain != NULL &&
	    strcasecmp(rq->org_domain, rq->author) != 0 ? " or its "
	    "organizational domain " : "", rq->org_domain != NULL &&
	    strcasecmp(rq->org_domain, rq->author) != 0 ? rq->org_domain : "");
	*st = BIMI_NONE;
	return 0;
}

/* bimi_get - one document; BIMI_PASS when it is in out */
static enum bimi_status
bimi_get(struct bimi_run *run, const char *what, const char *url, size_t max,
    struct buf *out)
{
	struct bimi_fetch_request f;
	struct buf why;
	enum bimi_fetch_status st;

	memset(&f, 0, sizeof(f));
	f.url = url;
	f.max = max;
	f.deadline = &run->deadline;
	f.res = run->rq->res;
	f.budget = run->rq->budget;
	f.ca_file = run->rq->ctx->ca_file;
	buf_init(&why, 1024);
	st = bimi_fetch(run->rq->ctx->cache, &f, out, &why);
	if (st != BIMI_FETCH_OK)
		buf_printf(&run->why, "%s %s: %s", what, url, why.data);
	buf_free(&why);
	return st == BIMI_FETCH_OK ? BIMI_PASS : st == BIMI_FETCH_TEMP ?
	    BIMI_TEMPERROR : BIMI_FAIL;
}

/* bimi_evidence - 7.4: the mark certificate at a= and its logo */
static enum bimi_status
bimi_evidence(struct bimi_run *run, const struct bimi_record *rec,
    struct bimi_evidence *ev)
{
	const char *names[3] = { run->r->domain, run->rq->author, NULL };
	enum bimi_status st;
	struct buf pem;

	run->r->authority_uri = xstrdup(rec->a);
	buf_init(&pem, BIMI_CERT_MAX + 1);
	st = bimi_get(run, "evidence document", rec->a, BIMI_CERT_MAX, &pem);
	if (st == BIMI_PASS && bimi_cert_check(run->rq->ctx->roots, pem.data,
	    pem.len, names, run->rq->at, ev, &run->why) != 0)
		st = BIMI_FAIL;
	buf_free(&pem);
	if (st != BIMI_TEMPERROR)
		run->r->authority = st == BIMI_PASS ? BIMI_AUTHORITY_PASS :
		    BIMI_AUTHORITY_FAIL;
	return st;
}

/* bimi_indicator - 7.5, 7.6: the SVG at l= (or the certificate's) */
static enum bimi_status
bimi_indicator(struct bimi_run *run, const struct bimi_record *rec,
    const struct bimi_evidence *ev, struct buf *svg)
{
	enum bimi_status st;
	struct buf raw;

	if (*rec->l == '\0')
		return buf_append(svg, ev->svg, ev->svglen) == 0 ? BIMI_PASS :
		    BIMI_FAIL;
	buf_init(&raw, BIMI_SVG_MAX + 1);
	st = bimi_get(run, "indicator", rec->l, BIMI_SVG_MAX, &raw);
	if (st == BIMI_PASS && !bimi_svg_is_gzip(raw.data, raw.len))
		buf_append(svg, raw.data, raw.len);
	else if (st == BIMI_PASS && bimi_svg_gunzip(raw.data, raw.len,
	    BIMI_SVG_MAX, svg, &run->why) != 0) {
		buf_puts(&run->why, " (indicator)");
		st = BIMI_FAIL;
	}
	buf_free(&raw);
	/* 7.9: the logo at l= must be the one the certificate carries */
	if (st == BIMI_PASS && ev->md != NULL &&
	    bimi_cert_matches(ev, svg->data, svg->len, &run->why) != 0) {
		run->r->authority = BIMI_AUTHORITY_FAIL;
		st = BIMI_FAIL;
	}
	return st;
}

/* bimi_headers - 7.9, 7.10: BIMI-Location and the folded BIMI-Indicator */
static void
bimi_headers(struct bimi_run *run, const struct bimi_record *rec,
    const struct buf *svg)
{
	struct buf loc, ind;
	unsigned char *b64;
	size_t i, n;

	buf_init(&loc, 2 * BIMI_FETCH_MAX_URL + 64);
	buf_puts(&loc, "v=BIMI1");
	if (*rec->l != '\0')
		buf_printf(&loc, ";\n\tl=%s", rec->l);
	if (run->r->authority == BIMI_AUTHORITY_PASS)
		buf_printf(&loc, ";\n\ta=%s", rec->a);
	run->r->location = buf_steal(&loc);
	if (svg == NULL)
		return;
	b64 = xmalloc(4 * ((svg->len + 2) / 3) + 1);
	n = (size_t)EVP_EncodeBlock(b64, (const unsigned char *)svg->data,
	    (int)svg->len);
	buf_init(&ind, n + 2 * (n / BIMI_INDICATOR_FOLD + 1) + 1);
	for (i = 0; i < n; i += BIMI_INDICATOR_FOLD) {
		if (i > 0)
			buf_puts(&ind, "\n\t");
		buf_append(&ind, b64 + i, n - i < BIMI_INDICATOR_FOLD ? n - i :
		    BIMI_INDICATOR_FOLD);
	}
	free(b64);
	run->r->indicator = buf_steal(&ind);
}

/* bimi_validate - fetch and check what the record points at */
static enum bimi_status
bimi_validate(struct bimi_run *run, const struct bimi_record *rec)
{
	struct bimi_evidence ev;
	enum bimi_status st = BIMI_PASS;
	struct buf svg;

	memset(&ev, 0, sizeof(ev));
	buf_init(&svg, BIMI_SVG_MAX + 1);
	if (*rec->a != '\0')
		st = bimi_evidence(run, rec, &ev);
	if (st == BIMI_PASS)
		st = bimi_indicator(run, rec, &ev, &svg);
	if (st == BIMI_PASS && bimi_svg_check(svg.data, svg.len,
	    &run->why) != 0) {
		buf_puts(&run->why, " (indicator)");
		st = BIMI_FAIL;
	}
	if (st == BIMI_PASS)
		bimi_headers(run, rec, &svg);
	bimi_evidence_free(&ev);
	buf_free(&svg);
	return st;
}

/* bimi_assert - what a found record means for this message */
static enum bimi_status
bimi_assert(struct bimi_run *run, const struct bimi_record *rec)
{
	const struct bimi_context *c = run->rq->ctx;

	if (*rec->l == '\0' && *rec->a == '\0') {
		buf_puts(&run->why, "declination to publish");
		return BIMI_DECLINED;
	}
	if (*rec->a == '\0' && c->require_evidence) {
		buf_puts(&run->why, "no evidence document (a=), and "
		    "bimi.require_evidence is on");
		return BIMI_FAIL;
	}
	if (!c->fetch) {
		buf_puts(&run->why, "record only: bimi.fetch is off");
		if (*rec->l != '\0')
			bimi_headers(run, rec, NULL);
		return BIMI_PASS;
	}
	return bimi_validate(run, rec);
}

/*
 * bimi_check - one message that passed DMARC at enforcement: discovery,
 * then the indicator and evidence, all by one deadline
 */
void
bimi_check(const struct bimi_request *rq, struct bimi_result *r)
{
	struct bimi_record rec;
	struct bimi_run run;
	enum bimi_status st = BIMI_NONE;
	long ms = rq->ctx->timeout_ms;

	memset(r, 0, sizeof(*r));
	memset(&rec, 0, sizeof(rec));
	r->checked = 1;
	r->selector = xstrdup(rq->selector != NULL ? rq->selector : "default");
	run.rq = rq;
	run.r = r;
	buf_init(&run.why, 4096);
	if (rq->budget != NULL && dnsbudget_left_ms(rq->budget) < ms)
		ms = dnsbudget_left_ms(rq->budget);
	resolver_deadline(&run.deadline, (int)ms);
	if (bimi_discover(&run, &rec, &st) > 0)
		st = bimi_assert(&run, &rec);
	bimi_end(&run, st);
	bimi_record_free(&rec);
	buf_free(&run.why);
}
