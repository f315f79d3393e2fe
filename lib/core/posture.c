/* SPDX-License-Identifier: BSD-2-Clause */
/* posture - a domain's published mail authentication, check by check */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "core/pipeline_priv.h"
#include "core/posture_priv.h"

/* posture_level_name - pass warn fail */
const char *
posture_level_name(enum posture_level l)
{
	return l == POSTURE_FAIL ? "fail" : l == POSTURE_WARN ? "warn" :
	    "pass";
}

/* posture_add - one finding; past POSTURE_MAX_ITEMS they are dropped */
void
posture_add(struct posture *p, const char *area, enum posture_level level,
    const char *fix, const char *fmt, ...)
{
	struct posture_report *r = p->rep;
	struct posture_item *it;
	struct buf text;
	va_list ap;

	if (r->n >= POSTURE_MAX_ITEMS)
		return;
	if (r->item == NULL)
		r->item = xcalloc(POSTURE_MAX_ITEMS, sizeof(*r->item));
	it = &r->item[r->n++];
	snprintf(it->area, sizeof(it->area), "%s", area);
	it->level = level;
	buf_init(&text, 8192);
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	it->text = buf_steal(&text);
	buf_free(&text);
	it->fix = fix != NULL ? xstrdup(fix) : NULL;
}

/*
 * posture_txt - the TXT records at name that start with prefix (any
 * case): how many, the first, the lookup's outcome and DNSSEC status
 */
void
posture_txt(struct posture *p, const char *name, const char *prefix,
    struct posture_txt *t)
{
	struct resolver_answer *a = NULL;
	size_t plen = strlen(prefix);
	struct buf txt;
	int i;

	t->n = 0;
	t->secure = 0;
	t->st = resolver_query(p->res, name, ns_t_txt, NULL, &a);
	if (t->st != RESOLVER_OK) {
		if (t->why != NULL)
			dnstext_why(a, name, ns_t_txt, t->why);
		resolver_answer_free(a);
		return;
	}
	t->secure = a->secure;
	buf_init(&txt, 65536);
	for (i = 0; i < a->n; i++) {
		buf_reset(&txt);
		if (resolver_txt(a, i, &txt) != 0 || txt.len < plen ||
		    strncasecmp(txt.data, prefix, plen) != 0)
			continue;
		if (t->n++ == 0 && t->first != NULL)
			buf_append(t->first, txt.data, txt.len);
	}
	buf_free(&txt);
	resolver_answer_free(a);
}

/* posture_lower - the domain as checked: lowercase, no final dot */
static char *
posture_lower(const char *d)
{
	char *s = xstrdup(d), *q;
	size_t n;

	for (q = s; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	if ((n = strlen(s)) > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

/* posture_run - every check, in the order of authmilter-check(1) */
void
posture_run(struct pipeline_env *env, const struct posture_request *req,
    struct posture_report *rep)
{
	struct posture p;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	memset(&p, 0, sizeof(p));
	p.res = env->res;
	p.cfg = env->cfg;
	p.psl = env->psl;
	p.req = req;
	p.rep = rep;
	rep->domain = posture_lower(req->domain);
	rep->validating = resolver_validating(env->res);
	p.domain = rep->domain;
	posture_spf(&p);
	posture_dkim(&p);
	posture_dmarc(&p);
	posture_bimi(&p);
	posture_mx(&p);
	posture_mtasts(&p);
	posture_tlsrpt(&p);
	for (i = 0; i < p.nmx; i++)
		free(p.mx[i]);
}

/* posture_exit - 0 all pass, 1 a warning, 2 a failure */
int
posture_exit(const struct posture_report *rep)
{
	int worst = 0;
	size_t i;

	for (i = 0; i < rep->n; i++)
		if ((int)rep->item[i].level > worst)
			worst = (int)rep->item[i].level;
	return worst;
}

/* posture_free - the findings */
void
posture_free(struct posture_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->item[i].text);
		free(rep->item[i].fix);
	}
	free(rep->item);
	free(rep->domain);
	memset(rep, 0, sizeof(*rep));
}
