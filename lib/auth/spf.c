/* SPDX-License-Identifier: BSD-2-Clause */
/* spf - libspf2 adapter with our own DNS layer and RFC 7208 limits */
#include "autoconf.h"

#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "util/buf.h"
#include "dns/dnsbudget.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "auth/spf.h"
#include "auth/spf_priv.h"
#include "auth/spf_syntax.h"
#include "util/xalloc.h"

/* spf_log_error - libspf2 gives up: it expects this not to return */
static void __attribute__((noreturn))
spf_log_error(const char *file, int line, const char *msg)
{
	log_panic("libspf2: %s:%d: %s", file ? file : "?", line, msg);
}

/* spf_log_debug - warnings and chatter from libspf2 */
static void
spf_log_debug(const char *file, int line, const char *msg)
{
	(void)file;	/* the message says enough */
	(void)line;
	log_debug("libspf2: %s", msg);
}

/* spf_init - route libspf2's diagnostics to our log (main, once) */
void
spf_init(void)
{
	SPF_error_handler = spf_log_error;
	SPF_warning_handler = spf_log_debug;
	SPF_info_handler = spf_log_debug;
	SPF_debug_handler = spf_log_debug;
}

/* spf_herrno - resolver status to the h_errno libspf2 understands */
static SPF_dns_stat_t
spf_herrno(enum resolver_status st)
{
	switch (st) {
	case RESOLVER_OK:
		return NETDB_SUCCESS;
	case RESOLVER_NODATA:
		return NO_DATA;
	case RESOLVER_NXDOMAIN:
	case RESOLVER_INVAL:
		return HOST_NOT_FOUND;
	default:
		return TRY_AGAIN;
	}
}

/* spf_limit - note the first broken limit; later lookups get no data */
void
spf_limit(struct spf_eval *ev, const char *why)
{
	if (ev->over == NULL)
		ev->over = why;
}

/* spf_is_subordinate - an address lookup for a name an MX/PTR gave us */
static int
spf_is_subordinate(struct spf_eval *ev, const char *name, ns_type type)
{
	if ((type != ns_t_a && type != ns_t_aaaa) || ev->isub >= ev->nsub)
		return 0;
	if (strcasecmp(ev->sub[ev->isub], name) != 0)
		return 0;
	ev->isub++;
	return 1;
}

/* spf_count - RFC 7208 section 4.6.4 accounting for one lookup */
static void
spf_count(struct spf_eval *ev, ns_type type, enum resolver_status st,
    int subordinate)
{
	if (subordinate || type == ns_t_txt)
		return;	/* exp= TXT and MX/PTR targets are not terms */
	/* %{p} looks up PTR too, and is no term: then ptr is not counted */
	if (type == ns_t_ptr && ev->p_macro)
		return;
	if (++ev->terms > ev->max_terms && ev->over == NULL) {
		snprintf(ev->overbuf, sizeof(ev->overbuf),
		    "more than %d DNS-querying terms", ev->max_terms);
		spf_limit(ev, ev->overbuf);
	}
	if ((st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA) &&
	    ++ev->voids > SPF_MAX_VOID)
		spf_limit(ev, "more than 2 void lookups");
}

/* spf_lower - lowercase in place */
static void
spf_lower(char *p)
{
	for (; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* spf_rr_fill - copy our answer into libspf2's record list */
static void
spf_rr_fill(struct spf_eval *ev, SPF_dns_rr_t *rr,
    const struct resolver_answer *a, ns_type type)
{
	struct buf txt;
	int i, n = 0;

	buf_init(&txt, 65536);
	for (i = 0; i < a->n; i++) {
		const char *rd = a->rdata[i];
		size_t len = (size_t)a->rdlen[i];
		char name[SPF_NAME_MAX];

		if ((type == ns_t_a && len != 4) ||
		    (type == ns_t_aaaa && len != 16))
			continue;
		if (type == ns_t_mx && (len < 3 ||
		    resolver_wire_name(rd, len, 2, name, sizeof(name)) != 0))
			continue;
		if (type == ns_t_ptr &&
		    resolver_wire_name(rd, len, 0, name, sizeof(name)) != 0)
			continue;
		if (type == ns_t_mx || type == ns_t_ptr)
			spf_lower(name);	/* DNS names compare without case */
		/* RFC 7208 section 4.6.4: names past the 10th are ignored */
		if (type == ns_t_ptr && n >= SPF_MAX_PTR)
			break;
		if (type == ns_t_txt) {
			buf_reset(&txt);
			if (resolver_txt(a, i, &txt) != 0)
				continue;
		}
		if (type == ns_t_a || type == ns_t_aaaa) {
			if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
				break;
			memcpy(rr->rr[n], rd, len);
		} else {
			const char *s = type == ns_t_txt ? txt.data : name;

			if (SPF_dns_rr_buf_realloc(rr, n, strlen(s) + 1) !=
			    SPF_E_SUCCESS)
				break;
			memcpy(rr->rr[n], s, strlen(s) + 1);
			if ((type == ns_t_mx || type == ns_t_ptr) &&
			    ev->nsub < SPF_SUBORDINATE_MAX)
				snprintf(ev->sub[ev->nsub++], SPF_NAME_MAX,
				    "%s", s);
		}
		n++;
	}
	rr->num_rr = n;
	buf_free(&txt);
}

/*
 * spf_any_addr - answer a virtual "any address" name of spf_syntax.c: does
 * DOMAIN (a/0) or one of its first 10 MX hosts (mx/0) have an address of
 * the client's family. The one term was counted by the caller.
 */
static enum resolver_status
spf_any_addr(struct spf_eval *ev, const char *name, size_t len, int is_mx)
{
	struct resolver_answer *a = NULL, *b = NULL;
	enum resolver_status st, any = RESOLVER_NODATA;
	char domain[SPF_NAME_MAX], mx[SPF_NAME_MAX];
	int i, type = ev->v6 ? ns_t_aaaa : ns_t_a;

	if (len >= sizeof(domain))
		return RESOLVER_INVAL;
	memcpy(domain, name, len);
	domain[len] = '\0';
	if (!is_mx)
		st = dnsbudget_query(ev->budget, ev->res, domain, type,
		    &ev->deadline, &a);
	else if ((st = dnsbudget_query(ev->budget, ev->res, domain, ns_t_mx,
	    &ev->deadline, &a)) == RESOLVER_OK) {
		if (a->n > SPF_MAX_MX)
			spf_limit(ev, "more than 10 MX names");
		for (i = 0; i < a->n && any != RESOLVER_OK; i++) {
			if (a->rdlen[i] < 3 || resolver_wire_name(a->rdata[i],
			    (size_t)a->rdlen[i], 2, mx, sizeof(mx)) != 0)
				continue;
			any = dnsbudget_query(ev->budget, ev->res, mx, type,
			    &ev->deadline, &b);
			resolver_answer_free(b);
			if (any == RESOLVER_RETRY || any == RESOLVER_FAIL)
				break;
		}
		st = any;
	}
	resolver_answer_free(a);
	return st;
}

/* spf_dns_virtual - a/0 or mx/0: one event for "any address" */
static SPF_dns_rr_t *
spf_dns_virtual(SPF_dns_server_t *s, struct spf_eval *ev, const char *domain,
    size_t vlen, int virt)
{
	const char *over = ev->over;
	enum resolver_status st;
	struct spf_event *e;
	SPF_dns_rr_t *rr;

	st = spf_any_addr(ev, domain, vlen, virt == 2);
	spf_count(ev, ns_t_a, st, 0);
	if ((e = spf_event_add(ev, SPF_EVENT_LOOKUP, domain, ns_t_a, st,
	    NULL)) != NULL)
		e->broke = over == NULL && ev->over != NULL;
	rr = SPF_dns_rr_new_init(s, domain, ns_t_a, 0, spf_herrno(st));
	if (rr != NULL && st == RESOLVER_OK &&
	    SPF_dns_rr_buf_realloc(rr, 0, 4) == SPF_E_SUCCESS) {
		inet_pton(AF_INET, "127.0.0.2", &rr->rr[0]->a);
		rr->num_rr = 1;
	}
	if (rr == NULL)
		log_panic("libspf2: out of memory for a DNS record");
	return rr;
}

/* spf_dns_lookup - libspf2's DNS hook: one lookup through lib/resolver */
static SPF_dns_rr_t *
spf_dns_lookup(SPF_dns_server_t *s, const char *domain, ns_type type,
    int should_cache)
{
	struct spf_eval *ev = s->hook;
	struct resolver_answer *a = NULL;
	const char *over = ev->over;
	enum resolver_status st;
	struct spf_event *e;
	SPF_dns_rr_t *rr;
	size_t vlen;
	int sub, virt;

	(void)should_cache;	/* libunbound caches for everyone */
	sub = spf_is_subordinate(ev, domain, type);
	if (!sub && type != ns_t_txt)
		ev->nsub = ev->isub = 0;
	/* type 99 is obsolete (RFC 7208 section 3.1); over a limit, stop */
	if (type == ns_t_spf || ev->over != NULL ||
	    ++ev->queries > SPF_MAX_QUERIES) {
		if (ev->queries > SPF_MAX_QUERIES)
			spf_limit(ev, "too many DNS lookups");
		if (type != ns_t_spf && (e = spf_event_add(ev,
		    SPF_EVENT_REFUSED, domain, type, RESOLVER_NODATA,
		    NULL)) != NULL)
			e->broke = over == NULL;
		return SPF_dns_rr_new_init(s, domain, type, 0, NO_DATA);
	}
	if (!sub && (type == ns_t_mx || type == ns_t_ptr))
		ev->sub_ptr = type == ns_t_ptr;
	if (type == ns_t_a && (virt = spf_syntax_virtual(domain, &vlen)) != 0)
		return spf_dns_virtual(s, ev, domain, vlen, virt);
	st = dnsbudget_query(ev->budget, ev->res, domain, (int)type,
	    &ev->deadline, &a);
	spf_count(ev, type, st, sub);
	/* RFC 7208 section 5.5: a name whose address lookup fails is skipped */
	if (sub && ev->sub_ptr && st != RESOLVER_OK)
		st = RESOLVER_NODATA;
	if ((type == ns_t_mx && st == RESOLVER_OK && a->n > SPF_MAX_MX))
		spf_limit(ev, "more than 10 MX names");
	rr = SPF_dns_rr_new_init(s, domain, type, 0, spf_herrno(st));
	if (rr != NULL && st == RESOLVER_OK)
		spf_rr_fill(ev, rr, a, type);
	/* exp= text and %{p} are no term's lookups */
	if ((e = spf_event_add(ev, ev->side || type == ns_t_txt ?
	    SPF_EVENT_SIDE : SPF_EVENT_LOOKUP, domain, type, st, a)) != NULL)
		e->broke = over == NULL && ev->over != NULL;
	/* libspf2 cannot take NULL; out of memory is fatal, as in xalloc */
	if (rr == NULL)
		log_panic("libspf2: out of memory for a DNS record");
	return rr;
}

/* spf_map - libspf2 result to ours */
static enum method_result
spf_map(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS:
		return METHOD_PASS;
	case SPF_RESULT_FAIL:
		return METHOD_FAIL;
	case SPF_RESULT_SOFTFAIL:
		return METHOD_SOFTFAIL;
	case SPF_RESULT_NEUTRAL:
		return METHOD_NEUTRAL;
	case SPF_RESULT_NONE:
		return METHOD_NONE;
	case SPF_RESULT_PERMERROR:
		return METHOD_PERMERROR;
	default:
		return METHOD_TEMPERROR;	/* INVALID: libspf2 broke */
	}
}

/* spf_set_client - the request's client address */
static int
spf_set_client(SPF_request_t *req, const struct cidr_addr *client)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (client->family == AF_INET) {
		memcpy(&v4, client->bytes, 4);
		return SPF_request_set_ipv4(req, v4);
	}
	memcpy(&v6, client->bytes, 16);
	return SPF_request_set_ipv6(req, v6);
}

/* spf_reason - short text for logs and JSON */
static char *
spf_reason(const struct spf_eval *ev, SPF_response_t *resp)
{
	SPF_reason_t why = SPF_response_reason(resp);

	if (ev->why.len > 0)
		return xstrdup(ev->why.data);
	if (SPF_response_result(resp) == SPF_RESULT_NONE)
		return xstrdup("no SPF record");
	if (why == SPF_REASON_MECH || why == SPF_REASON_DEFAULT)
		return xstrdup(why == SPF_REASON_MECH ? "mechanism matched" :
		    "no mechanism matched");
	return xstrdup(SPF_strerror(SPF_response_errcode(resp)));
}

/* spf_run - one check_host() with a fresh server and DNS layer */
static void
spf_run(struct resolver *res, const struct spf_request *sr, const char *from,
    struct dnsbudget *budget, struct spf_identity *id)
{
	SPF_dns_server_t dns;
	SPF_server_t *server;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	struct spf_eval *ev = xcalloc(1, sizeof(*ev));

	ev->res = res;
	ev->events = xcalloc(SPF_EVENTS_MAX, sizeof(*ev->events));
	ev->v6 = sr->client->family == AF_INET6;
	buf_init(&ev->why, 512);
	ev->budget = budget;
	resolver_deadline(&ev->deadline, SPF_BUDGET_MS);
	ev->max_terms = sr->max_terms > 0 && sr->max_terms < SPF_MAX_TERMS ?
	    sr->max_terms : SPF_MAX_TERMS;
	memset(&dns, 0, sizeof(dns));
	dns.lookup = spf_dns_lookup;
	dns.get_spf = spf_record_get;
	dns.name = "authmilter";
	dns.hook = ev;
	id->checked = 1;
	if ((server = SPF_server_new_dns(&dns, 0)) == NULL)
		log_panic("libspf2: cannot create a server");
	if (sr->receiver != NULL)
		SPF_server_set_rec_dom(server, sr->receiver);
	req = SPF_request_new(server);
	if (spf_set_client(req, sr->client) != 0 ||
	    (sr->helo != NULL && *sr->helo != '\0' &&
	    SPF_request_set_helo_dom(req, sr->helo) != 0) ||
	    SPF_request_set_env_from(req, from) != 0) {
		id->result = METHOD_PERMERROR;
		id->reason = xstrdup("identity cannot be evaluated");
		goto done;
	}
	SPF_request_query_mailfrom(req, &resp);
	id->result = spf_map(SPF_response_result(resp));
	if (SPF_response_reason(resp) == SPF_REASON_LOCALHOST) {
		id->result = METHOD_NONE;
		id->reason = xstrdup("loopback client not evaluated");
	} else if (ev->over != NULL) {
		id->result = METHOD_PERMERROR;
		id->reason = xstrdup(ev->over);
	} else
		id->reason = spf_reason(ev, resp);
	id->lookups = ev->terms;
	id->voids = ev->voids;
	id->max_lookups = ev->max_terms;
	spf_explain(ev, sr->client, id);
done:
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
	SPF_server_free(server);
	spf_events_free(ev);
	buf_free(&ev->why);
	free(ev);
}

/* spf_domain_of - lowercase domain part of an address, or the whole */
static char *
spf_domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	char *d = xstrdup(at != NULL ? at + 1 : addr);

	spf_lower(d);
	return d;
}

/* spf_helo_usable - RFC 7208 section 2.3: a domain, not an address literal */
static int
spf_helo_usable(const char *helo)
{
	if (helo == NULL || *helo == '\0' || *helo == '[')
		return 0;
	return strchr(helo, '.') != NULL;
}

/* spf_check - MAIL FROM and HELO identities for one transaction */
void
spf_check(struct resolver *res, const struct spf_request *sr,
    struct spf_result *out)
{
	memset(out, 0, sizeof(*out));
	out->checked = 1;
	out->null_sender = *sr->mailfrom == '\0';
	if (sr->client == NULL || sr->client->family == 0) {
		out->result = METHOD_NONE;
		out->mailfrom.reason = xstrdup("no client IP address");
		return;
	}
	if ((sr->check_helo || out->null_sender) && spf_helo_usable(sr->helo)) {
		out->helo.domain = spf_domain_of(sr->helo);
		spf_run(res, sr, "", sr->helo_budget, &out->helo);
	}
	if (!out->null_sender) {
		out->mailfrom.domain = spf_domain_of(sr->mailfrom);
		spf_run(res, sr, sr->mailfrom, sr->mailfrom_budget,
		    &out->mailfrom);
		out->result = out->mailfrom.result;
	} else
		out->result = out->helo.checked ? out->helo.result :
		    METHOD_NONE;
}

/* spf_result_free - release the strings of a result */
void
spf_result_free(struct spf_result *r)
{
	free(r->mailfrom.domain);
	free(r->mailfrom.reason);
	free(r->mailfrom.note);
	free(r->helo.domain);
	free(r->helo.reason);
	free(r->helo.note);
	memset(r, 0, sizeof(*r));
}
