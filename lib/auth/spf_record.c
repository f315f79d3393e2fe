/* SPDX-License-Identifier: BSD-2-Clause */
/* spf_record - libspf2's record fetch hook: fetch, check, expand, compile */
#include "autoconf.h"

#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "dns/dnsbudget.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/spf.h"
#include "auth/spf_macro.h"
#include "auth/spf_priv.h"
#include "auth/spf_syntax.h"
#include "util/xalloc.h"

/* spf_record_pick - the one "v=spf1" record of an answer, or why not */
static int
spf_record_pick(const struct resolver_answer *a, struct buf *rec)
{
	struct buf txt;
	int i, found = 0;

	buf_init(&txt, 65536);
	for (i = 0; i < a->n; i++) {
		buf_reset(&txt);
		if (resolver_txt(a, i, &txt) != 0)
			continue;
		/* RFC 7208 section 4.5: "v=spf1" then a space or the end */
		if (strncasecmp(txt.data, "v=spf1", 6) != 0 ||
		    (txt.data[6] != ' ' && txt.data[6] != '\0'))
			continue;
		if (found++ == 0)
			buf_append(rec, txt.data, txt.len);
	}
	buf_free(&txt);
	return found;
}

/* spf_record_done - set the response as libspf2 itself would */
static SPF_errcode_t
spf_record_done(SPF_response_t *resp, SPF_result_t result,
    SPF_errcode_t err, const char *what, const char *domain)
{
	resp->result = result;
	resp->reason = SPF_REASON_FAILURE;
	return SPF_response_add_error(resp, err, "%s for '%s'", what, domain);
}

/* spf_record_validated - %{p}: libspf2's validated name, it keeps it */
static const char *
spf_record_validated(void *arg)
{
	SPF_request_t *req = arg;
	struct spf_eval *ev = req->spf_server->resolver->hook;

	ev->p_macro = 1;	/* its PTR lookup is no term */
	return SPF_request_get_client_dom(req);
}

/* spf_record_env - the macro values of the record's check_host() */
static void
spf_record_env(SPF_request_t *req, struct cidr_addr *client,
    struct spf_macro_env *env)
{
	memset(client, 0, sizeof(*client));
	if ((client->family = req->client_ver) == AF_INET)
		memcpy(client->bytes, &req->ipv4, 4);
	else
		memcpy(client->bytes, &req->ipv6, 16);
	memset(env, 0, sizeof(*env));
	env->sender = req->env_from;
	env->local = req->env_from_lp;
	env->sender_domain = req->env_from_dp;
	env->domain = req->cur_dom;	/* that of this (included) record */
	env->helo = req->helo_dom;
	env->receiver = SPF_request_get_rec_dom(req);
	env->client = client;
	env->now = (long long)time(NULL);
	env->validated = spf_record_validated;
	env->arg = req;
}

/*
 * spf_record_compile - check the record, rewrite it for libspf2 (macros of the
 * current domain expanded where it would get them wrong) and compile it.
 * libspf2 keeps at most 512 bytes of compiled mechanisms (about 64 ip4
 * terms) and drops the rest without an error: a record it did not take
 * whole is never evaluated.
 */
static SPF_errcode_t
spf_record_compile(SPF_server_t *server, SPF_request_t *req,
    SPF_response_t *resp, SPF_record_t **recp, const struct buf *rec)
{
	struct spf_eval *ev = server->resolver->hook;
	struct spf_macro_env env;
	struct cidr_addr client;
	SPF_errcode_t err;
	struct buf prep;
	unsigned flags;

	buf_init(&prep, 65536);
	spf_record_env(req, &client, &env);
	if (spf_syntax_prepare(rec->data, rec->len, req->client_ver ==
	    AF_INET6, &env, &prep, &flags, &ev->why) != 0) {
		buf_free(&prep);
		return SPF_E_SYNTAX;
	}
	if (flags & SPF_SYNTAX_P_MACRO)
		ev->p_macro = 1;
	err = SPF_record_compile(server, resp, recp, prep.data);
	if (err == SPF_E_SUCCESS && (spf_syntax_count(prep.data, 1) !=
	    (*recp)->num_mech || spf_syntax_count(prep.data, 0) !=
	    (*recp)->num_mod)) {
		SPF_record_free(*recp);
		*recp = NULL;
		buf_printf(&ev->why, "the record of %s is too long for libspf2",
		    req->cur_dom);
		err = SPF_E_BIG_MECH;
	} else if (err != SPF_E_SUCCESS)
		buf_printf(&ev->why, "libspf2 cannot compile the record of %s",
		    req->cur_dom);
	buf_free(&prep);
	return err;
}

/* spf_record_event - note a fetched record and what it was */
static void
spf_record_event(struct spf_event *e, enum spf_record_outcome rec,
    const char *text, const char *why)
{
	if (e == NULL)
		return;
	e->rec = rec;
	free(e->text);
	free(e->why);
	e->text = text != NULL ? xstrdup(text) : NULL;
	e->why = why != NULL ? xstrdup(why) : NULL;
}

/* spf_record_none - why a name has no record to use */
static void
spf_record_none(const struct resolver_answer *a, enum resolver_status st,
    const char *domain, int n, struct buf *why)
{
	if (st != RESOLVER_OK)
		dnstext_why(a, domain, ns_t_txt, why);
	else if (n == 0)
		buf_printf(why, "no \"v=spf1\" TXT record at %s", domain);
	else
		buf_printf(why, "%d \"v=spf1\" TXT records at %s", n, domain);
}

/*
 * spf_record_over - include/redirect count as terms: is a limit passed
 * (then the record is not fetched, and the step says so)
 */
static int
spf_record_over(struct spf_eval *ev, struct spf_event *e, const char *over)
{
	if (ev->records++ > 0 && ++ev->terms > SPF_MAX_TERMS)
		spf_limit(ev, "more than 10 DNS-querying terms");
	if (ev->over == NULL && ++ev->queries <= SPF_MAX_QUERIES)
		return 0;
	spf_record_event(e, SPF_REC_LIMIT, NULL, ev->over);
	if (e != NULL)
		e->broke = over == NULL;
	return 1;
}

/* spf_record_get - record fetch hook: counts include/redirect as terms */
SPF_errcode_t
spf_record_get(SPF_server_t *server, SPF_request_t *req, SPF_response_t *resp,
    SPF_record_t **recp)
{
	struct spf_eval *ev = server->resolver->hook;
	const char *domain = req->cur_dom, *over = ev->over;
	struct resolver_answer *a = NULL;
	struct spf_event *e;
	enum resolver_status st;
	SPF_errcode_t err;
	struct buf rec, why;
	int n;

	*recp = NULL;
	ev->nsub = ev->isub = 0;
	e = spf_event_add(ev, SPF_EVENT_RECORD, domain, ns_t_txt,
	    RESOLVER_OK, NULL);
	if (spf_record_over(ev, e, over))
		return spf_record_done(resp, SPF_RESULT_PERMERROR,
		    SPF_E_BIG_DNS, "processing limit", domain);
	st = dnsbudget_query(ev->budget, ev->res, domain, ns_t_txt,
	    &ev->deadline, &a);
	buf_init(&why, 1024);
	buf_init(&rec, 65536);
	n = st == RESOLVER_OK ? spf_record_pick(a, &rec) : 0;
	if (n != 1)
		spf_record_none(a, st, domain, n, &why);
	resolver_answer_free(a);
	if (st == RESOLVER_RETRY || st == RESOLVER_FAIL) {
		spf_record_event(e, SPF_REC_TEMP, NULL, why.data);
		buf_free(&why);
		buf_free(&rec);
		return spf_record_done(resp, SPF_RESULT_TEMPERROR,
		    SPF_E_DNS_ERROR, "temporary DNS failure", domain);
	}
	spf_record_event(e, n == 1 ? SPF_REC_OK : n == 0 ? SPF_REC_NONE :
	    SPF_REC_MULTIPLE, n == 1 ? rec.data : NULL, why.data);
	buf_free(&why);
	/* %{p} may look names up while the record is prepared */
	ev->side = 1;
	err = n == 1 ? spf_record_compile(server, req, resp, recp, &rec) : 0;
	ev->side = 0;
	if (n == 1 && err != SPF_E_SUCCESS && e != NULL) {
		e->rec = SPF_REC_BAD;
		free(e->why);
		e->why = xstrdup(ev->why.data);
	}
	buf_free(&rec);
	if (n != 1)
		return n == 0 ? spf_record_done(resp, SPF_RESULT_NONE,
		    SPF_E_NOT_SPF, "no SPF record", domain) :
		    spf_record_done(resp, SPF_RESULT_PERMERROR,
		    SPF_E_MULTIPLE_RECORDS, "multiple SPF records", domain);
	if (err != SPF_E_SUCCESS)
		return spf_record_done(resp, SPF_RESULT_PERMERROR, err,
		    "invalid SPF record", domain);
	return SPF_E_SUCCESS;
}
