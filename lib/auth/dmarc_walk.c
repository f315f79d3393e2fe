/* SPDX-License-Identifier: BSD-2-Clause */
/* dmarc_walk - the DNS tree walk of RFC 9989 section 4.10 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "auth/dmarc_priv.h"
#include "auth/dmarc_record.h"

/* dmarc_walk_labels - label count and where each label starts */
static size_t
dmarc_walk_labels(const char *d, const char **start, size_t max)
{
	size_t n = 0;
	const char *p = d;

	while (*p != '\0' && n < max) {
		start[n++] = p;
		p = strchr(p, '.');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* dmarc_walk_free - release what a walk found */
void
dmarc_walk_free(struct dmarc_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->name[i]);
		free(w->text[i]);
	}
	buf_free(&w->why);
	memset(w, 0, sizeof(*w));
}

/* dmarc_walk_one - query one target; 1 when the walk must stop */
static int
dmarc_walk_one(struct dmarc_eval *ev, const char *target, struct dmarc_walk *w)
{
	struct dmarc_fetch_info info;
	struct buf rec, why;
	enum dmarc_fetch f;
	int stop = 0;

	buf_init(&rec, DMARC_MAX_RECORD);
	buf_init(&why, 1024);
	info.why = &why;
	f = dmarc_record_fetch(ev->res, ev->budget, target, &ev->deadline, &rec,
	    &info);
	w->queries++;
	if (f == DMARC_FETCH_TEMP) {
		w->temp = stop = 1;
		buf_append(&w->why, why.data, why.len);
	} else if (f == DMARC_FETCH_FOUND && w->n < DMARC_MAX_WALK) {
		w->name[w->n] = xstrdup(target);
		w->text[w->n] = xstrdup(rec.data);
		w->step[w->n] = w->queries;
		w->secure[w->n] = info.secure;
		w->psd[w->n] = dmarc_record_psd(rec.data);
		/* RFC 9989 section 4.10 steps 2 and 6 */
		stop = w->psd[w->n] == 'y' || w->psd[w->n] == 'n';
		w->n++;
	}
	buf_free(&rec);
	buf_free(&why);
	return stop;
}

/* dmarc_walk - RFC 9989 section 4.10: at most 8 queries from start up */
void
dmarc_walk(struct dmarc_eval *ev, const char *start, struct dmarc_walk *w)
{
	const char *label[128];
	size_t x = dmarc_walk_labels(start, label, 128), i;

	memset(w, 0, sizeof(*w));
	buf_init(&w->why, 1024);
	if (x == 0 || dmarc_walk_one(ev, start, w))
		return;
	/* the shortcut: more than 7 labels jump straight to the last 7 */
	for (i = x < 8 ? 1 : x - 7; i < x; i++)
		if (dmarc_walk_one(ev, label[i], w))
			return;
}

/* dmarc_walk_org - RFC 9989 section 4.10.2 selection from a walk */
char *
dmarc_walk_org(const char *start, const struct dmarc_walk *w)
{
	const char *label[128], *other[128];
	size_t x = dmarc_walk_labels(start, label, 128), i, k, nl;

	for (i = 0; i < w->n; i++) {
		if (w->psd[i] == 'n')
			return xstrdup(w->name[i]);
		if (w->psd[i] == 'y' && strcasecmp(w->name[i], start) != 0) {
			/* one label below the public suffix domain */
			nl = dmarc_walk_labels(w->name[i], other, 128);
			k = x > nl ? x - nl - 1 : 0;
			return xstrdup(label[k]);
		}
	}
	return xstrdup(w->n > 0 ? w->name[w->n - 1] : start);
}

/* dmarc_walk_pick - RFC 9989 section 4.10.1: author, org, else PSD record */
int
dmarc_walk_pick(const struct dmarc_walk *w, const char *author, const char *org)
{
	size_t i;

	if (w->n > 0 && strcasecmp(w->name[0], author) == 0)
		return 0;
	for (i = 0; i < w->n; i++)
		if (strcasecmp(w->name[i], org) == 0)
			return (int)i;
	for (i = 0; i < w->n; i++)
		if (w->psd[i] == 'y')
			return (int)i;
	return -1;
}

