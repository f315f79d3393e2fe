/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_explain - which term decided an SPF result, and through which
 * include or redirect: libspf2 tells only the result, so the steps our
 * DNS layer saw (records fetched, lookups made, in libspf2's order) are
 * replayed over the records as published. A replay that does not come
 * to libspf2's own result explains nothing: the plain reason stays.
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/xalloc.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/spf_priv.h"
#include "auth/spf_term.h"

#define SPF_EXPLAIN_NOTE	160	/* bytes of the A-R comment */

/* what one term came to */
enum spf_step { SPF_STEP_NOMATCH, SPF_STEP_MATCH, SPF_STEP_ERROR,
	SPF_STEP_LOST };

/* the replay */
struct spf_walk {
	const struct spf_eval *ev;	/* the steps */
	const struct cidr_addr *client;	/* who asked */
	int		 next;		/* next step to take */
	int		 broke;		/* a step taken passed a limit */
	struct buf	 path;		/* includes/redirects walked into */
	int		 decided;	/* the fields below are set */
	enum method_result err;		/* an error's result */
	struct buf	 where;		/* path of the deciding term */
	struct buf	 term;		/* the deciding term as written */
	struct buf	 why;		/* an error's reason */
};

static int spf_walk_record(struct spf_walk *, int, enum method_result *);

/* spf_event_add - note one step; the answer is the event's (or freed) */
struct spf_event *
spf_event_add(struct spf_eval *ev, enum spf_event_kind kind,
    const char *name, int type, enum resolver_status st,
    struct resolver_answer *a)
{
	struct spf_event *e;

	if (ev->events == NULL || ev->nevents >= SPF_EVENTS_MAX) {
		resolver_answer_free(a);
		ev->nevents = SPF_EVENTS_MAX + 1;	/* lost: no replay */
		return NULL;
	}
	e = &ev->events[ev->nevents++];
	e->kind = kind;
	e->name = xstrdup(name);
	e->type = type;
	e->st = st;
	e->answer = a;
	return e;
}

/* spf_events_free - every step's strings and answers */
void
spf_events_free(struct spf_eval *ev)
{
	int i;

	for (i = 0; ev->events != NULL && i < ev->nevents &&
	    i < SPF_EVENTS_MAX; i++) {
		free(ev->events[i].name);
		free(ev->events[i].text);
		free(ev->events[i].why);
		resolver_answer_free(ev->events[i].answer);
	}
	free(ev->events);
	ev->events = NULL;
}

/* spf_walk_take - the next step that belongs to a term, or NULL */
static const struct spf_event *
spf_walk_take(struct spf_walk *w)
{
	const struct spf_eval *ev = w->ev;
	const struct spf_event *e;

	while (w->next < ev->nevents && w->next < SPF_EVENTS_MAX) {
		e = &ev->events[w->next++];
		if (e->kind == SPF_EVENT_SIDE)
			continue;
		w->broke |= e->broke;
		return e;
	}
	return NULL;
}

/* spf_walk_decide - the term (t may be NULL) that decided, and why */
static void
spf_walk_decide(struct spf_walk *w, const struct spf_term_info *t,
    enum method_result err, const char *why)
{
	if (w->decided)
		return;
	w->decided = 1;
	w->err = err;
	buf_reset(&w->where);
	buf_reset(&w->term);
	buf_reset(&w->why);
	buf_append(&w->where, w->path.data, w->path.len);
	if (t != NULL)
		buf_append(&w->term, t->p, t->len);
	buf_puts(&w->why, why != NULL ? why : "");
}

/* spf_walk_undecide - an include that did not match: forget its term */
static void
spf_walk_undecide(struct spf_walk *w)
{
	w->decided = 0;
}

/* spf_walk_error - a step that failed: temperror or a broken limit */
static enum spf_step
spf_walk_error(struct spf_walk *w, const struct spf_term_info *t,
    const struct spf_event *e)
{
	struct buf why;

	if (e->kind == SPF_EVENT_REFUSED) {
		spf_walk_decide(w, t, METHOD_PERMERROR, w->ev->over);
		return SPF_STEP_ERROR;
	}
	buf_init(&why, 1024);
	dnstext_why(e->answer, e->name, e->type, &why);
	spf_walk_decide(w, t, METHOD_TEMPERROR, why.data);
	buf_free(&why);
	return SPF_STEP_ERROR;
}

/* spf_walk_failed - a lookup that ends the evaluation */
static int
spf_walk_failed(const struct spf_event *e)
{
	return e->kind == SPF_EVENT_REFUSED || e->st == RESOLVER_RETRY ||
	    e->st == RESOLVER_FAIL;
}

/* spf_walk_addr - does an address answer put the client in its /bits */
static int
spf_walk_addr(const struct spf_walk *w, const struct spf_event *e, int bits)
{
	const struct resolver_answer *a = e->answer;
	struct cidr net;
	int i, len = w->client->family == AF_INET ? 4 : 16;

	if (a == NULL || e->st != RESOLVER_OK)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->rdlen[i] != len)
			continue;
		memset(&net, 0, sizeof(net));
		net.addr.family = w->client->family;
		memcpy(net.addr.bytes, a->rdata[i], (size_t)len);
		net.prefix = (unsigned)bits;
		if (cidr_match(&net, w->client))
			return 1;
	}
	return 0;
}

/* spf_walk_bits - the prefix length of a or mx for this client */
static int
spf_walk_bits(const struct spf_walk *w, const struct spf_term_info *t)
{
	int six = w->client->family == AF_INET6, b = six ? t->v6 : t->v4;

	return b >= 0 ? b : six ? 128 : 32;
}

/* spf_walk_names - target names of an MX or PTR answer, as libspf2 reads
 * them (at most SPF_MAX_MX) */
static int
spf_walk_names(const struct spf_event *e, char names[][SPF_NAME_MAX])
{
	const struct resolver_answer *a = e->answer;
	int i, n = 0;
	size_t off = e->type == ns_t_mx ? 2 : 0;

	for (i = 0; a != NULL && e->st == RESOLVER_OK && i < a->n &&
	    n < SPF_MAX_MX; i++)
		if ((size_t)a->rdlen[i] > off && resolver_wire_name(a->rdata[i],
		    (size_t)a->rdlen[i], off, names[n], SPF_NAME_MAX) == 0)
			n++;
	return n;
}

/* spf_walk_under - RFC 7208 5.5: name is domain or a name below it */
static int
spf_walk_under(const char *name, const char *domain, size_t dlen)
{
	size_t n = strlen(name);

	if (dlen > 0 && domain[dlen - 1] == '.')
		dlen--;
	if (n < dlen || strncasecmp(name + n - dlen, domain, dlen) != 0)
		return 0;
	return n == dlen || name[n - dlen - 1] == '.';
}

/* spf_walk_hosts - the address lookups of MX or PTR target names */
static enum spf_step
spf_walk_hosts(struct spf_walk *w, const struct spf_term_info *t,
    const struct spf_event *e, const char *domain, size_t dlen)
{
	char names[SPF_MAX_MX][SPF_NAME_MAX];
	const struct spf_event *h;
	int i, n = spf_walk_names(e, names);

	for (i = 0; i < n; i++) {
		if ((h = spf_walk_take(w)) == NULL)
			return SPF_STEP_LOST;
		if (h->kind != SPF_EVENT_REFUSED &&
		    strcasecmp(h->name, names[i]) != 0)
			return SPF_STEP_LOST;
		if (spf_walk_failed(h))
			return spf_walk_error(w, t, h);
		if (e->type == ns_t_mx && spf_walk_addr(w, h,
		    spf_walk_bits(w, t)))
			return SPF_STEP_MATCH;
		if (e->type == ns_t_ptr && spf_walk_addr(w, h,
		    w->client->family == AF_INET ? 32 : 128) &&
		    spf_walk_under(names[i], domain, dlen))
			return SPF_STEP_MATCH;
	}
	return SPF_STEP_NOMATCH;
}

/* spf_walk_lookup - a, mx, ptr, exists: their lookups, in order */
static enum spf_step
spf_walk_lookup(struct spf_walk *w, const struct spf_term_info *t,
    const char *domain)
{
	const struct spf_event *e;
	int bits = spf_walk_bits(w, t);

	if ((e = spf_walk_take(w)) == NULL || e->kind == SPF_EVENT_RECORD)
		return SPF_STEP_LOST;
	if (spf_walk_failed(e))
		return spf_walk_error(w, t, e);
	if (t->kind == SPF_TERM_EXISTS || ((t->kind == SPF_TERM_A ||
	    t->kind == SPF_TERM_MX) && bits == 0))
		return e->st == RESOLVER_OK ? SPF_STEP_MATCH :
		    SPF_STEP_NOMATCH;
	if (t->kind == SPF_TERM_A)
		return spf_walk_addr(w, e, bits) ? SPF_STEP_MATCH :
		    SPF_STEP_NOMATCH;
	if (t->kind == SPF_TERM_PTR && t->alen > 0) {
		if (spf_term_has_macro(t))
			return SPF_STEP_LOST;
		return spf_walk_hosts(w, t, e, t->arg, t->alen);
	}
	return spf_walk_hosts(w, t, e, domain, strlen(domain));
}

/* spf_walk_include - the included record's result decides the match */
static enum spf_step
spf_walk_include(struct spf_walk *w, const struct spf_term_info *t)
{
	size_t mark = w->path.len;
	enum method_result r;
	int rc;

	buf_printf(&w->path, "%s%.*s", mark > 0 ? " -> " : "", (int)t->len,
	    t->p);
	rc = spf_walk_record(w, 0, &r);
	w->path.len = mark;
	w->path.data[mark] = '\0';
	if (rc != 0)
		return SPF_STEP_LOST;
	switch (r) {
	case METHOD_PASS:
		return SPF_STEP_MATCH;
	case METHOD_FAIL:
	case METHOD_SOFTFAIL:
	case METHOD_NEUTRAL:
		spf_walk_undecide(w);
		return SPF_STEP_NOMATCH;
	default:
		return SPF_STEP_ERROR;
	}
}

/* spf_walk_term - one mechanism of the record found at domain */
static enum spf_step
spf_walk_term(struct spf_walk *w, const struct spf_term_info *t,
    const char *domain)
{
	struct cidr net;
	int bits;

	switch (t->kind) {
	case SPF_TERM_ALL:
		return SPF_STEP_MATCH;
	case SPF_TERM_IP4:
	case SPF_TERM_IP6:
		if (spf_term_net(t, &net.addr, &bits) != 0)
			return SPF_STEP_LOST;
		net.prefix = (unsigned)bits;
		return cidr_match(&net, w->client) ? SPF_STEP_MATCH :
		    SPF_STEP_NOMATCH;
	case SPF_TERM_INCLUDE:
		return spf_walk_include(w, t);
	case SPF_TERM_A:
	case SPF_TERM_MX:
	case SPF_TERM_PTR:
	case SPF_TERM_EXISTS:
		return spf_walk_lookup(w, t, domain);
	default:
		return SPF_STEP_NOMATCH;	/* modifiers */
	}
}

/* spf_walk_qual - a matching term's result (RFC 7208 section 4.6.2) */
static enum method_result
spf_walk_qual(char q)
{
	return q == '-' ? METHOD_FAIL : q == '~' ? METHOD_SOFTFAIL :
	    q == '?' ? METHOD_NEUTRAL : METHOD_PASS;
}

/* spf_walk_terms - the mechanisms in order, then a redirect */
static int
spf_walk_terms(struct spf_walk *w, const struct spf_event *rec,
    enum method_result *res)
{
	struct spf_term_info t, redirect;
	size_t off = 0, len = strlen(rec->text), mark;
	int has_redirect = 0, has_all = 0, rc;
	enum spf_step step;

	memset(&redirect, 0, sizeof(redirect));
	while (spf_term_next(rec->text, len, &off, &t) == 0) {
		if (t.kind == SPF_TERM_REDIRECT) {
			redirect = t;
			has_redirect = 1;
			continue;
		}
		has_all |= t.kind == SPF_TERM_ALL;
		w->broke = 0;
		step = spf_walk_term(w, &t, rec->name);
		if (step == SPF_STEP_LOST)
			return -1;
		if (w->broke && step != SPF_STEP_ERROR) {
			spf_walk_undecide(w);
			spf_walk_decide(w, &t, METHOD_PERMERROR, w->ev->over);
			step = SPF_STEP_ERROR;
		}
		if (step == SPF_STEP_MATCH) {
			spf_walk_decide(w, &t, METHOD_NONE, NULL);
			*res = spf_walk_qual(t.qual);
			return 0;
		}
		if (step == SPF_STEP_ERROR) {
			*res = w->err;
			return 0;
		}
	}
	/* RFC 7208 section 6.1: redirect only without an "all" */
	if (has_redirect && !has_all) {
		mark = w->path.len;
		buf_printf(&w->path, "%s%.*s", mark > 0 ? " -> " : "",
		    (int)redirect.len, redirect.p);
		rc = spf_walk_record(w, 0, res);
		w->path.len = mark;
		w->path.data[mark] = '\0';
		return rc;
	}
	spf_walk_decide(w, NULL, METHOD_NEUTRAL, "no mechanism matched");
	*res = METHOD_NEUTRAL;
	return 0;
}

/* spf_walk_record - the next record fetched and what it comes to */
static int
spf_walk_record(struct spf_walk *w, int root, enum method_result *res)
{
	const struct spf_event *e = spf_walk_take(w);

	if (e == NULL || e->kind != SPF_EVENT_RECORD)
		return -1;
	switch (e->rec) {
	case SPF_REC_OK:
		return spf_walk_terms(w, e, res);
	case SPF_REC_NONE:
		/* RFC 7208 5.2 and 6.1: none below the top is permerror */
		*res = root ? METHOD_NONE : METHOD_PERMERROR;
		spf_walk_decide(w, NULL, *res, root ? e->why : "no SPF record");
		if (!root)
			buf_printf(&w->why, ", %s", e->why);
		return 0;
	case SPF_REC_TEMP:
		*res = METHOD_TEMPERROR;
		break;
	default:
		*res = METHOD_PERMERROR;
		break;
	}
	spf_walk_decide(w, NULL, *res, e->why != NULL ? e->why : w->ev->over);
	return 0;
}

/* spf_explain_text - "<where> -> <term>: why" or "<term> matched in ..." */
static void
spf_explain_text(const struct spf_walk *w, enum method_result r,
    struct buf *out)
{
	int matched = w->term.len > 0 && w->why.len == 0;

	if (matched) {
		buf_printf(out, "%s matched", w->term.data);
		if (w->where.len > 0)
			buf_printf(out, " in %s", w->where.data);
		return;
	}
	if (r == METHOD_NONE && w->where.len == 0) {
		buf_printf(out, "no SPF record: %s", w->why.data);
		return;
	}
	buf_append(out, w->where.data, w->where.len);
	if (w->term.len > 0)
		buf_printf(out, "%s%s", w->where.len > 0 ? " -> " : "",
		    w->term.data);
	buf_printf(out, "%s%s", out->len > 0 ? ": " : "", w->why.data);
}

/*
 * spf_explain - name the deciding term of id's result, with the path to
 * it and the lookups used; id->reason stays as it was when the replay
 * cannot say (a step lost, or a result other than libspf2's)
 */
void
spf_explain(const struct spf_eval *ev, const struct cidr_addr *client,
    struct spf_identity *id)
{
	struct spf_walk w;
	enum method_result r;
	struct buf note;

	if (ev->nevents == 0 || ev->nevents > SPF_EVENTS_MAX)
		return;
	memset(&w, 0, sizeof(w));
	w.ev = ev;
	w.client = client;
	buf_init(&w.path, 4096);
	buf_init(&w.where, 4096);
	buf_init(&w.term, 1024);
	buf_init(&w.why, 4096);
	buf_init(&note, SPF_EXPLAIN_NOTE);
	if (spf_walk_record(&w, 1, &r) == 0 && r == id->result) {
		spf_explain_text(&w, r, &note);
		free(id->note);
		id->note = xstrdup(note.data);
		buf_reset(&note);
		note.max = 65536;
		spf_explain_text(&w, r, &note);
		if (r != METHOD_NONE)
			buf_printf(&note, " (%d of %d DNS lookups, %d of %d "
			    "void)", id->lookups, id->max_lookups, id->voids,
			    SPF_MAX_VOID);
		free(id->reason);
		id->reason = xstrdup(note.data);
	}
	buf_free(&w.path);
	buf_free(&w.where);
	buf_free(&w.term);
	buf_free(&w.why);
	buf_free(&note);
}
