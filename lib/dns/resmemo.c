/* SPDX-License-Identifier: BSD-2-Clause */
/* resmemo - recent libunbound answers, shared between lookups */
#include "autoconf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>

#include "dns/resmemo.h"
#include "util/xalloc.h"

/*
 * Why: every libunbound lookup, even a cache hit, goes to its worker
 * thread and back through two pipes and our delivery thread: about six
 * system calls and three thread switches. A message asks for the same few
 * names again and again (the SPF, DKIM key and DMARC records of a handful
 * of domains), so most lookups can be answered here, under one mutex.
 */
struct resmemo_slot {
	char		*name;		/* lower case, as asked */
	int		 type;		/* RR type */
	time_t		 expires;	/* monotonic seconds */
	struct resmemo_res *r;		/* one reference, or NULL */
};

struct resmemo {
	pthread_mutex_t	 lock;		/* guards slot[] */
	struct resmemo_slot slot[RESMEMO_SLOTS];
};

/* resmemo_new - an empty table */
struct resmemo *
resmemo_new(void)
{
	struct resmemo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

/* resmemo_free - drop the table's references */
void
resmemo_free(struct resmemo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < RESMEMO_SLOTS; i++) {
		free(m->slot[i].name);
		resmemo_res_unref(m->slot[i].r);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* resmemo_res_new - wrap libunbound's result, one reference */
struct resmemo_res *
resmemo_res_new(int err, struct ub_result *res)
{
	struct resmemo_res *r = xcalloc(1, sizeof(*r));

	atomic_init(&r->refs, 1);
	r->err = err;
	r->res = res;
	return r;
}

/* resmemo_res_ref - one more holder */
static struct resmemo_res *
resmemo_res_ref(struct resmemo_res *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

/* resmemo_res_unref - the last holder frees */
void
resmemo_res_unref(struct resmemo_res *r)
{
	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	if (r->res != NULL)
		ub_resolve_free(r->res);
	free(r);
}

/* resmemo_hash - FNV-1a over the lower-cased name and the type */
static size_t
resmemo_hash(const char *name, int type)
{
	unsigned long h = 2166136261UL;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		unsigned char c = *p;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619UL;
	}
	h = (h ^ (unsigned long)type) * 16777619UL;
	return h % RESMEMO_SLOTS;
}

/* resmemo_get - a reference to a live answer for (name, type), or NULL */
struct resmemo_res *
resmemo_get(struct resmemo *m, const char *name, int type, time_t now)
{
	struct resmemo_slot *s = &m->slot[resmemo_hash(name, type)];
	struct resmemo_res *r = NULL;

	pthread_mutex_lock(&m->lock);
	if (s->r != NULL && s->type == type && now < s->expires &&
	    strcasecmp(s->name, name) == 0)
		r = resmemo_res_ref(s->r);
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* resmemo_put - remember r (the table takes its own reference) for ttl */
void
resmemo_put(struct resmemo *m, const char *name, int type,
    struct resmemo_res *r, time_t now, int ttl)
{
	struct resmemo_slot *s = &m->slot[resmemo_hash(name, type)];
	struct resmemo_res *old;
	char *copy;

	if (ttl <= 0)
		return;
	if (ttl > RESMEMO_MAX_TTL)
		ttl = RESMEMO_MAX_TTL;
	copy = xstrdup(name);
	pthread_mutex_lock(&m->lock);
	old = s->r;
	free(s->name);
	s->name = copy;
	s->type = type;
	s->expires = now + ttl;
	s->r = resmemo_res_ref(r);
	pthread_mutex_unlock(&m->lock);
	resmemo_res_unref(old);
}
