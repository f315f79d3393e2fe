/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_spf - a domain's SPF record and everything it includes, against
 * RFC 7208: one record, its syntax, the DNS-querying terms and void
 * lookups over the whole include tree (section 4.6.4), +all and ?all,
 * ranges too wide, ptr
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/xalloc.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "auth/spf.h"
#include "auth/spf_syntax.h"
#include "auth/spf_term.h"
#include "core/posture_priv.h"

/* the walk over the include tree */
struct posture_spf {
	struct posture	*p;		/* the run */
	int		 terms;		/* DNS-querying terms */
	int		 voids;		/* void lookups */
	int		 records;	/* records fetched */
	char		*path[POSTURE_MAX_SPF_RECORDS];	/* domains above */
	int		 depth;		/* entries in path */
	int		 failed;	/* a failure was found */
};

static void posture_spf_record(struct posture_spf *, const char *,
    const char *);

/* posture_spf_fail - a failure: SPF is not fine */
static void
posture_spf_fail(struct posture_spf *w, const char *fix, const char *what,
    const char *where)
{
	w->failed = 1;
	posture_add(w->p, "spf", POSTURE_FAIL, fix, "%s%s%s", where != NULL ?
	    where : "", where != NULL ? ": " : "", what);
}

/* posture_spf_void - a name with no address (or no MX) at all */
static int
posture_spf_void(struct posture_spf *w, const char *name, int mx)
{
	struct resolver_answer *a = NULL;
	enum resolver_status st;

	st = resolver_query(w->p->res, name, mx ? ns_t_mx : ns_t_a, NULL, &a);
	if (st == RESOLVER_OK && mx && a->n > SPF_MAX_MX)
		posture_spf_fail(w, "keep at most 10 MX hosts, or list the "
		    "senders with ip4:/ip6:", "mx: more than 10 MX names "
		    "(RFC 7208 4.6.4: permerror)", name);
	resolver_answer_free(a);
	if (st == RESOLVER_OK || mx)
		return st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA;
	if (st != RESOLVER_NXDOMAIN && st != RESOLVER_NODATA)
		return 0;
	st = resolver_query(w->p->res, name, ns_t_aaaa, NULL, &a);
	resolver_answer_free(a);
	return st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA;
}

/* posture_spf_target - the domain of a, mx, include: arg or the record's */
static char *
posture_spf_target(const struct spf_term_info *t, const char *domain)
{
	if (t->alen == 0)
		return xstrdup(domain);
	return xstrndup(t->arg, t->alen);
}

/* posture_spf_net - ip4/ip6 ranges so wide they let strangers pass */
static void
posture_spf_net(struct posture_spf *w, const struct spf_term_info *t,
    const char *domain)
{
	struct cidr_addr a;
	int bits, six = t->kind == SPF_TERM_IP6;

	if (spf_term_net(t, &a, &bits) != 0 || t->qual == '-')
		return;
	if (bits <= (six ? 16 : 8))
		posture_spf_fail(w, "list only your own senders' networks",
		    "allows a whole range of the Internet", domain);
	else if (bits < (six ? 32 : 16))
		posture_add(w->p, "spf", POSTURE_WARN, "list only your own "
		    "senders' networks", "%s: %.*s allows %s addresses",
		    domain, (int)t->len, t->p, six ? "more than a /32 of" :
		    "more than 65536");
}

/* posture_spf_follow - include: and redirect=: the record below */
static void
posture_spf_follow(struct posture_spf *w, const struct spf_term_info *t,
    const char *domain)
{
	char *target, via[600];
	int i;

	if (spf_term_has_macro(t)) {
		posture_add(w->p, "spf", POSTURE_WARN, "macros depend on the "
		    "sender: check the result with authmilter-check on a "
		    "message", "%s: %.*s has macros: not followed", domain,
		    (int)t->len, t->p);
		return;
	}
	target = posture_spf_target(t, domain);
	for (i = 0; i < w->depth; i++)
		if (strcasecmp(w->path[i], target) == 0) {
			posture_spf_fail(w, "remove the loop", "include or "
			    "redirect loop", target);
			free(target);
			return;
		}
	snprintf(via, sizeof(via), "%.*s", (int)t->len, t->p);
	posture_spf_record(w, target, via);
	free(target);
}

/* posture_spf_term - one term's lookups and warnings */
static void
posture_spf_term(struct posture_spf *w, const struct spf_term_info *t,
    const char *domain)
{
	char *target;

	if (spf_term_dns(t->kind))
		w->terms++;
	switch (t->kind) {
	case SPF_TERM_INCLUDE:
	case SPF_TERM_REDIRECT:
		posture_spf_follow(w, t, domain);
		break;
	case SPF_TERM_A:
	case SPF_TERM_MX:
		if (spf_term_has_macro(t))
			break;
		target = posture_spf_target(t, domain);
		if (posture_spf_void(w, target, t->kind == SPF_TERM_MX)) {
			w->voids++;
			posture_add(w->p, "spf", POSTURE_WARN, "remove the term "
			    "or publish the records", "%s: %.*s finds nothing "
			    "(a void lookup)", domain, (int)t->len, t->p);
		}
		free(target);
		break;
	case SPF_TERM_PTR:
		posture_add(w->p, "spf", POSTURE_WARN, "use ip4:/ip6: or a: "
		    "instead", "%s: %.*s is slow and unreliable (RFC 7208 5.5: "
		    "do not use)", domain, (int)t->len, t->p);
		break;
	case SPF_TERM_IP4:
	case SPF_TERM_IP6:
		posture_spf_net(w, t, domain);
		break;
	case SPF_TERM_ALL:
		if (t->qual == '+')
			posture_spf_fail(w, "end with -all or ~all", "+all "
			    "lets every host on the Internet pass", domain);
		else if (t->qual == '?' && w->depth == 1)
			posture_add(w->p, "spf", POSTURE_WARN, "end with -all "
			    "or ~all", "%s: ?all gives neutral for every other "
			    "host: no protection", domain);
		break;
	default:
		break;
	}
}

/* posture_spf_terms - the terms of one record, and its end */
static void
posture_spf_terms(struct posture_spf *w, const char *rec, const char *domain)
{
	struct spf_term_info t;
	size_t off = 0, len = strlen(rec);
	int all = 0, redirect = 0;

	while (spf_term_next(rec, len, &off, &t) == 0) {
		all |= t.kind == SPF_TERM_ALL;
		if (t.kind == SPF_TERM_REDIRECT && (redirect = 1) && all)
			continue;	/* 6.1: ignored after all */
		posture_spf_term(w, &t, domain);
	}
	if (w->depth == 1 && !all && !redirect)
		posture_add(w->p, "spf", POSTURE_WARN, "end the record with "
		    "-all (or ~all while you test)", "%s: no \"all\": every "
		    "other host gets neutral", domain);
}

/* posture_spf_record - the record at domain (via: the term that led here) */
static void
posture_spf_record(struct posture_spf *w, const char *domain,
    const char *via)
{
	struct buf rec, why, prep, err;
	struct posture_txt t;
	unsigned flags;

	if (w->records++ >= POSTURE_MAX_SPF_RECORDS ||
	    w->depth >= POSTURE_MAX_SPF_RECORDS)
		return;
	buf_init(&rec, 65536);
	buf_init(&why, 1024);
	t.first = &rec;
	t.why = &why;
	posture_txt(w->p, domain, "v=spf1", &t);
	if (t.st != RESOLVER_OK && t.st != RESOLVER_NXDOMAIN &&
	    t.st != RESOLVER_NODATA)
		posture_spf_fail(w, "fix the name servers, receivers get "
		    "temperror", why.data, via);
	else if (t.n == 0)
		posture_spf_fail(w, via != NULL ? "publish the record or remove "
		    "the term (permerror)" : "publish one TXT record, e.g. "
		    "\"v=spf1 mx -all\", listing every host that sends as you",
		    via != NULL ? "no SPF record" : "no SPF record",
		    via != NULL ? via : domain);
	else if (t.n > 1)
		posture_spf_fail(w, "merge them into one record", "several "
		    "SPF records (permerror)", domain);
	else {
		posture_add(w->p, "spf", POSTURE_PASS, NULL, "%*s%s%s%s: %s%s",
		    2 * w->depth, "", via != NULL ? via : "record at ",
		    via != NULL ? " -> " : "", domain, rec.data, t.secure ?
		    " (DNSSEC-secure)" : "");
		buf_init(&prep, 65536);
		buf_init(&err, 1024);
		if (spf_syntax_prepare(rec.data, rec.len, 0, NULL, &prep,
		    &flags, &err) != 0)
			posture_spf_fail(w, "correct the record (RFC 7208 "
			    "section 12)", err.data, domain);
		else {
			w->path[w->depth++] = xstrdup(domain);
			posture_spf_terms(w, rec.data, domain);
			free(w->path[--w->depth]);
		}
		buf_free(&prep);
		buf_free(&err);
	}
	buf_free(&rec);
	buf_free(&why);
}

/* posture_spf - the record, the tree, the limits */
void
posture_spf(struct posture *p)
{
	struct posture_spf w;

	memset(&w, 0, sizeof(w));
	w.p = p;
	posture_spf_record(&w, p->domain, NULL);
	if (w.records == 0)
		return;
	if (w.voids > SPF_MAX_VOID)
		posture_spf_fail(&w, "remove the terms that find nothing",
		    "more than 2 void lookups (RFC 7208 4.6.4: permerror)",
		    NULL);
	posture_add(p, "spf", w.terms > SPF_MAX_TERMS ? POSTURE_FAIL :
	    w.terms > SPF_MAX_TERMS - 2 ? POSTURE_WARN : POSTURE_PASS,
	    w.terms > SPF_MAX_TERMS ? "flatten includes or drop senders you "
	    "no longer use (RFC 7208 4.6.4: over 10 is permerror)" :
	    w.terms > SPF_MAX_TERMS - 2 ? "flatten includes before you add "
	    "senders" : NULL, "%d of %d DNS-querying terms, %d of %d void "
	    "lookups, over %d record%s", w.terms, SPF_MAX_TERMS, w.voids,
	    SPF_MAX_VOID, w.records, w.records == 1 ? "" : "s");
	p->spf_ok = !w.failed && w.terms <= SPF_MAX_TERMS;
}
