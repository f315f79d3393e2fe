/* SPDX-License-Identifier: BSD-2-Clause */
/* resolver - libunbound behind every DNS lookup, with deadlines */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "dns/resmemo.h"
#include "dns/resolver.h"
#include "dns/resolver_setup.h"
#include "util/xalloc.h"

struct resolver {
	struct ub_ctx	*ctx;		/* shared by all threads */
	pthread_t	 thread;	/* runs ub_process() */
	int		 wake[2];	/* write a byte to stop the thread */
	int		 timeout_ms;	/* dns.timeout */
	struct resmemo	*memo;		/* answers reused for their TTL */
	/* told of every lookup (metrics); set before the first query */
	void		(*observe)(void *, int, enum resolver_status, long);
	void		*observe_arg;	/* its first argument */
	/* shown every lookup with its answer (--trace); set before use */
	void		(*trace)(void *, const struct resolver_event *);
	void		*trace_arg;	/* its first argument */
	int		 validating;	/* DNSSEC answers are validated */
};

/* one lookup in flight: shared by the asking thread and the callback */
struct resolver_wait {
	pthread_mutex_t	 lock;		/* guards everything below */
	pthread_cond_t	 cond;		/* signalled when done */
	int		 done;		/* callback has run */
	int		 refs;		/* asker + callback */
	int		 err;		/* ub error code */
	struct ub_result *result;	/* the answer, if any */
};

/* resolver_loop - deliver answers as libunbound's fd becomes readable */
static void *
resolver_loop(void *arg)
{
	struct resolver *r = arg;
	struct pollfd pfd[2];

	pfd[0].fd = ub_fd(r->ctx);
	pfd[0].events = POLLIN;
	pfd[1].fd = r->wake[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("resolver: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents != 0 && ub_process(r->ctx) != 0)
			log_err("resolver: ub_process failed");
	}
	return NULL;
}

/* resolver_new - one context for the process; NULL with why on error */
struct resolver *
resolver_new(const struct config *cfg, struct buf *why)
{
	struct resolver *r = xcalloc(1, sizeof(*r));
	sigset_t all, old;
	int rc;

	r->timeout_ms = cfg->dns.timeout * 1000;
	r->wake[0] = r->wake[1] = -1;
	r->memo = resmemo_new();
	if ((r->ctx = ub_ctx_create()) == NULL) {
		buf_puts(why, "libunbound: cannot create a context");
		goto fail;
	}
	if ((r->validating = resolver_setup_ctx(r->ctx, cfg, why)) < 0)
		goto fail;
	if (pipe(r->wake) != 0) {
		buf_printf(why, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* our thread must not take the signals libmilter and main wait for */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&r->thread, NULL, resolver_loop, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		buf_printf(why, "resolver thread: %s", strerror(rc));
		goto fail;
	}
	return r;
fail:
	if (r->wake[0] >= 0) {
		close(r->wake[0]);
		close(r->wake[1]);
	}
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	resmemo_free(r->memo);
	free(r);
	return NULL;
}

/* resolver_free - stop the thread and the context */
void
resolver_free(struct resolver *r)
{
	char c = 0;

	if (r == NULL)
		return;
	if (write(r->wake[1], &c, 1) != 1)
		log_err("resolver: cannot wake the thread: %s",
		    strerror(errno));
	pthread_join(r->thread, NULL);
	close(r->wake[0]);
	close(r->wake[1]);
	ub_ctx_delete(r->ctx);
	resmemo_free(r->memo);
	free(r);
}

/* resolver_wait_unref - drop one reference; the last one frees */
static void
resolver_wait_unref(struct resolver_wait *w)
{
	int last;

	pthread_mutex_lock(&w->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	if (w->result != NULL)
		ub_resolve_free(w->result);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

/* resolver_cb - libunbound delivers an answer (resolver thread) */
static void
resolver_cb(void *arg, int err, struct ub_result *result)
{
	struct resolver_wait *w = arg;

	pthread_mutex_lock(&w->lock);
	w->err = err;
	w->result = result;
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	resolver_wait_unref(w);
}

/* resolver_name_ok - length limits of RFC 1035 section 2.3.4 */
static int
resolver_name_ok(const char *name)
{
	size_t len = strlen(name), label = 0, i;

	if (len == 0 || len > RESOLVER_MAX_NAME + 1)
		return 0;
	if (len > RESOLVER_MAX_NAME && name[len - 1] != '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0 && !(i == 0 && len == 1))
				return 0;
			label = 0;
		} else if (++label > 63)
			return 0;
	}
	return 1;
}

/* resolver_deadline - now + ms on the monotonic clock */
void
resolver_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* resolver_deadline_cap - the earlier of *ts and *cap (NULL: no cap) */
void
resolver_deadline_cap(struct timespec *ts, const struct timespec *cap)
{
	if (cap != NULL && (cap->tv_sec < ts->tv_sec ||
	    (cap->tv_sec == ts->tv_sec && cap->tv_nsec < ts->tv_nsec)))
		*ts = *cap;
}

/* resolver_past - the deadline is now or earlier */
static int
resolver_past(const struct timespec *dl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > dl->tv_sec || (now.tv_sec == dl->tv_sec &&
	    now.tv_nsec >= dl->tv_nsec);
}

/* resolver_classify - unbound's result to our status */
static enum resolver_status
resolver_classify(int err, const struct ub_result *res)
{
	if (err != 0 || res == NULL)
		return RESOLVER_RETRY;
	if (res->bogus)
		return RESOLVER_RETRY;
	if (res->rcode == 3 || res->nxdomain)
		return RESOLVER_NXDOMAIN;
	if (res->rcode != 0)
		return RESOLVER_RETRY;
	return res->havedata ? RESOLVER_OK : RESOLVER_NODATA;
}

/* resolver_wait_for - sleep until answered or the deadline passes */
static int
resolver_wait_for(struct resolver_wait *w, const struct timespec *deadline)
{
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->cond, &w->lock, deadline);
	rc = w->done;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* resolver_wait_new - a wait object with the monotonic clock */
static struct resolver_wait *
resolver_wait_new(void)
{
	struct resolver_wait *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;

	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	w->refs = 2;
	return w;
}

/* resolver_answer_make - wrap unbound's result (one reference) */
static struct resolver_answer *
resolver_answer_make(enum resolver_status st, struct resmemo_res *rr)
{
	struct resolver_answer *a = xcalloc(1, sizeof(*a));
	struct ub_result *res = rr != NULL ? rr->res : NULL;

	a->status = st;
	a->impl = rr;
	if (res == NULL)
		return a;
	a->rcode = res->rcode;
	a->secure = res->secure;
	a->bogus = res->bogus;
	a->why_bogus = res->why_bogus;
	a->ttl = res->ttl;
	a->packet = res->answer_packet;
	a->packet_len = res->answer_len;
	if (st == RESOLVER_OK) {
		while (res->data[a->n] != NULL)
			a->n++;
		a->rdata = res->data;
		a->rdlen = res->len;
	}
	return a;
}

/*
 * resolver_memo_get - a remembered answer, or NULL. Only answers that are
 * facts about the zone (data, NXDOMAIN, no data) are remembered: a
 * temporary failure is always asked again.
 */
static struct resolver_answer *
resolver_memo_get(struct resolver *r, const char *name, int rrtype,
    time_t now)
{
	struct resmemo_res *rr = resmemo_get(r->memo, name, rrtype, now);
	struct resolver_answer *a;

	if (rr == NULL)
		return NULL;
	a = resolver_answer_make(resolver_classify(rr->err, rr->res), rr);
	a->remembered = 1;
	log_debug("resolver: %s type %d: %s (remembered)", name, rrtype,
	    resolver_strstatus(a->status));
	return a;
}

/* resolver_now - monotonic seconds, the clock of the memo */
static time_t
resolver_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* resolver_lookup - look up name/type by the deadline; always sets *out */
static enum resolver_status
resolver_lookup(struct resolver *r, const char *name, int rrtype,
    const struct timespec *deadline, struct resolver_answer **out)
{
	struct resolver_wait *w;
	struct timespec dl;
	struct ub_result *res;
	struct resmemo_res *rr;
	enum resolver_status st;
	time_t now;
	int id, got;

	*out = NULL;
	if (!resolver_name_ok(name)) {
		*out = resolver_answer_make(RESOLVER_INVAL, NULL);
		return RESOLVER_INVAL;
	}
	now = resolver_now();
	if ((*out = resolver_memo_get(r, name, rrtype, now)) != NULL)
		return (*out)->status;
	resolver_deadline(&dl, r->timeout_ms);
	resolver_deadline_cap(&dl, deadline);
	if (resolver_past(&dl)) {
		/* the budget is spent: no new lookup (a remembered answer
		 * above costs nothing and is still used) */
		*out = resolver_answer_make(RESOLVER_RETRY, NULL);
		(*out)->spent = 1;
		return RESOLVER_RETRY;
	}
	w = resolver_wait_new();
	if (ub_resolve_async(r->ctx, name, rrtype, 1 /* IN */, w,
	    resolver_cb, &id) != 0) {
		w->refs = 1;
		resolver_wait_unref(w);
		*out = resolver_answer_make(RESOLVER_FAIL, NULL);
		return RESOLVER_FAIL;
	}
	got = resolver_wait_for(w, &dl);
	if (!got && ub_cancel(r->ctx, id) == 0) {
		/* cancelled before delivery: the callback will never run */
		pthread_mutex_lock(&w->lock);
		w->refs--;
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	res = got ? w->result : NULL;
	if (got)
		w->result = NULL;
	pthread_mutex_unlock(&w->lock);
	st = got ? resolver_classify(w->err, res) : RESOLVER_RETRY;
	rr = resmemo_res_new(got ? w->err : 0, res);
	resolver_wait_unref(w);
	log_debug("resolver: %s type %d: %s", name, rrtype,
	    got ? resolver_strstatus(st) : "timed out");
	if (res != NULL && (st == RESOLVER_OK || st == RESOLVER_NXDOMAIN ||
	    st == RESOLVER_NODATA))
		resmemo_put(r->memo, name, rrtype, rr, now, res->ttl);
	*out = resolver_answer_make(st, rr);
	(*out)->timedout = !got;
	return st;
}

/* resolver_prefetch_cb - a started lookup is answered: remember it */
static void
resolver_prefetch_cb(void *arg, int err, struct ub_result *res)
{
	struct resolver *r = arg;
	struct resmemo_res *rr;
	enum resolver_status st = resolver_classify(err, res);

	if (res == NULL)
		return;
	rr = resmemo_res_new(err, res);
	if (res->qname != NULL && (st == RESOLVER_OK ||
	    st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA))
		resmemo_put(r->memo, res->qname, res->qtype, rr, resolver_now(),
		    res->ttl);
	resmemo_res_unref(rr);
}

/*
 * resolver_prefetch - start a lookup whose answer a check will ask for
 * later, unless the memo already has it; returns at once. The answer goes
 * into the memo; a resolver_query() made before it arrives asks libunbound
 * again (its cache or the query in flight).
 */
void
resolver_prefetch(struct resolver *r, const char *name, int rrtype)
{
	struct resmemo_res *rr;
	int id;

	if (!resolver_name_ok(name))
		return;
	if ((rr = resmemo_get(r->memo, name, rrtype, resolver_now())) != NULL) {
		resmemo_res_unref(rr);
		return;
	}
	if (ub_resolve_async(r->ctx, name, rrtype, 1 /* IN */, r,
	    resolver_prefetch_cb, &id) != 0)
		log_debug("resolver: cannot start a lookup of %s", name);
}

/* resolver_remembered - whether the memo holds a live answer (tests, logs) */
int
resolver_remembered(struct resolver *r, const char *name, int rrtype)
{
	struct resmemo_res *rr = resmemo_get(r->memo, name, rrtype,
	    resolver_now());

	resmemo_res_unref(rr);
	return rr != NULL;
}

/* resolver_query - resolver_lookup(), timed and shown to the observer */
enum resolver_status
resolver_query(struct resolver *r, const char *name, int rrtype,
    const struct timespec *deadline, struct resolver_answer **out)
{
	struct timespec t0, t1;
	struct resolver_event ev;
	enum resolver_status st;
	long us;

	if (r->observe == NULL && r->trace == NULL)
		return resolver_lookup(r, name, rrtype, deadline, out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = resolver_lookup(r, name, rrtype, deadline, out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) /
	    1000;
	if (r->observe != NULL)
		r->observe(r->observe_arg, rrtype, st, us);
	if (r->trace != NULL) {
		ev.name = name;
		ev.rrtype = rrtype;
		ev.status = st;
		ev.usecs = us;
		ev.answer = *out;
		r->trace(r->trace_arg, &ev);
	}
	return st;
}

/*
 * resolver_set_tracer - fn(arg, event) after each lookup, with its
 * answer; call before the resolver is shared (not locked)
 */
void
resolver_set_tracer(struct resolver *r,
    void (*fn)(void *, const struct resolver_event *), void *arg)
{
	r->trace = fn;
	r->trace_arg = arg;
}

/* resolver_validating - whether answers are DNSSEC-validated */
int
resolver_validating(const struct resolver *r)
{
	return r->validating;
}

/*
 * resolver_set_observer - fn(arg, rrtype, status, microseconds) after
 * each lookup; call before the resolver is shared (not locked)
 */
void
resolver_set_observer(struct resolver *r,
    void (*fn)(void *, int, enum resolver_status, long), void *arg)
{
	r->observe = fn;
	r->observe_arg = arg;
}

/* resolver_answer_free - release an answer and unbound's result */
void
resolver_answer_free(struct resolver_answer *a)
{
	if (a == NULL)
		return;
	resmemo_res_unref(a->impl);
	free(a);
}

/* resolver_txt - record i as one string: character-strings joined */
int
resolver_txt(const struct resolver_answer *a, int i, struct buf *out)
{
	const unsigned char *p;
	int len, off = 0;

	if (i < 0 || i >= a->n)
		return -1;
	p = (const unsigned char *)a->rdata[i];
	len = a->rdlen[i];
	while (off < len) {
		int n = p[off++];

		if (off + n > len)
			return -1;
		if (buf_append(out, p + off, (size_t)n) != 0)
			return -1;
		off += n;
	}
	return 0;
}

/* resolver_wire_name - uncompressed wire name at off to text, no final dot */
int
resolver_wire_name(const char *rdata, size_t len, size_t off, char *out,
    size_t outlen)
{
	const unsigned char *p = (const unsigned char *)rdata;
	size_t o = 0;

	while (off < len) {
		size_t n = p[off++];

		if (n == 0) {
			if (o == 0) {
				if (outlen < 2)
					return -1;
				out[o++] = '.';
			}
			out[o] = '\0';
			return 0;
		}
		if (n > 63 || off + n > len || o + n + 2 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, p + off, n);
		o += n;
		off += n;
	}
	return -1;
}

/* resolver_strstatus - for logs and A-R comments */
const char *
resolver_strstatus(enum resolver_status st)
{
	switch (st) {
	case RESOLVER_OK:
		return "ok";
	case RESOLVER_NXDOMAIN:
		return "NXDOMAIN";
	case RESOLVER_NODATA:
		return "no data";
	case RESOLVER_RETRY:
		return "temporary DNS failure";
	case RESOLVER_FAIL:
		return "resolver failure";
	case RESOLVER_INVAL:
		return "invalid name";
	}
	return "?";
}
