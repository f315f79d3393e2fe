/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_queue - the daemon's received reports, parsed and stored by one
 * worker thread so that a milter thread never waits for the store or DNS
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/ingest.h"
#include "core/metrics.h"

/* one queued message */
struct ingest_item {
	char		*data;		/* the whole message, owned */
	size_t		 len;		/* its length */
	char		 id[64];	/* queue id, for the log */
	struct ingest_item *next;	/* FIFO */
};

struct ingest_queue {
	pthread_mutex_t	 lock;		/* guards everything below */
	pthread_cond_t	 more;		/* an item came, or stop */
	struct ingest_item *head, *tail;	/* the FIFO */
	size_t		 n, bytes;	/* its size */
	int		 started;	/* the worker runs */
	int		 stop;		/* drain, then end */
	pthread_t	 worker;	/* the thread */
	struct config	*cfg;		/* one reference */
	struct resolver	*res;		/* the env's, for PTR lookups */
	struct metrics	*metrics;	/* main()'s, or NULL */
	struct ingest_ctx ctx;		/* the worker's store */
	int		 open;		/* ctx is open */
};

/* ingest_queue_new - a queue for this configuration; nothing started */
struct ingest_queue *
ingest_queue_new(const struct config *cfg, struct resolver *res)
{
	struct ingest_queue *q;

	if (cfg->ingest.recipients.n == 0)
		return NULL;
	q = xcalloc(1, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	q->cfg = config_ref((struct config *)(uintptr_t)cfg);
	q->res = res;
	return q;
}

/* ingest_queue_attach - count into these metrics */
void
ingest_queue_attach(struct ingest_queue *q, struct metrics *m)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->metrics = m;
	pthread_mutex_unlock(&q->lock);
}

/* ingest_queue_log - one line per message: what became of its reports */
static void
ingest_queue_log(const struct ingest_item *it, enum ingest_status st,
    const struct ingest_tally *t, const struct buf *why)
{
	struct buf safe;

	if (st == INGEST_OK) {
		log_info("%s: ingest: %zu report(s): %zu stored, %zu duplicate, "
		    "%zu source(s) named", it->id, t->reports, t->stored,
		    t->duplicates, t->annotated);
		return;
	}
	buf_init(&safe, LOG_SAFE_MAX + 8);
	log_safe(&safe, why->data, why->len);
	log_warnx("%s: ingest: %s: %s", it->id, ingest_strstatus(st),
	    safe.data);
	buf_free(&safe);
}

/* ingest_queue_one - parse and store one message (worker thread) */
static void
ingest_queue_one(struct ingest_queue *q, struct ingest_item *it)
{
	struct ingest_tally t;
	struct buf why;
	enum ingest_status st;

	memset(&t, 0, sizeof(t));
	buf_init(&why, 4096);
	if (!q->open && ingest_ctx_open(&q->ctx, q->cfg, q->res, q->metrics,
	    &why) == 0)
		q->open = 1;
	if (!q->open) {
		/* the store is down: keep the message for a later ingest */
		q->ctx.cfg = q->cfg;
		q->ctx.metrics = q->metrics;
		buf_puts(&why, " (store not available)");
		ingest_quarantine(&q->ctx, it->data, it->len, why.data, &why);
		metrics_ingest(q->metrics, METRICS_INGEST_STORE_ERROR);
		st = INGEST_SINK;
	} else {
		q->ctx.now = time(NULL);
		q->ctx.metrics = q->metrics;
		st = ingest_input(&q->ctx, it->data, it->len, &t, &why);
		if (t.stored > 0)
			ingest_unapproved(&q->ctx);
		if (st == INGEST_SINK) {
			/* reconnect before the next message */
			ingest_ctx_close(&q->ctx);
			q->open = 0;
		}
	}
	ingest_queue_log(it, st, &t, &why);
	buf_free(&why);
}

/* ingest_queue_main - the worker: take, ingest, until stopped and empty */
static void *
ingest_queue_main(void *arg)
{
	struct ingest_queue *q = arg;
	struct ingest_item *it;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->head == NULL && !q->stop)
			pthread_cond_wait(&q->more, &q->lock);
		if ((it = q->head) == NULL)
			break;
		q->head = it->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
		q->bytes -= it->len;
		pthread_mutex_unlock(&q->lock);
		ingest_queue_one(q, it);
		free(it->data);
		free(it);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	if (q->open)
		ingest_ctx_close(&q->ctx);
	return NULL;
}

/*
 * ingest_queue_submit - queue a message (the queue takes data); -1 when
 * the queue is full or the worker cannot start: data is then kept in the
 * quarantine directory, or freed when even that fails
 */
int
ingest_queue_submit(struct ingest_queue *q, char *data, size_t len,
    const char *id)
{
	struct ingest_item *it = xcalloc(1, sizeof(*it));
	struct ingest_ctx tmp;
	struct buf path;
	int rc = 0;

	it->data = data;
	it->len = len;
	snprintf(it->id, sizeof(it->id), "%s", id);
	pthread_mutex_lock(&q->lock);
	if (q->n >= INGEST_QUEUE_MAX || q->bytes + len > INGEST_QUEUE_BYTES ||
	    (!q->started && pthread_create(&q->worker, NULL,
	    ingest_queue_main, q) != 0))
		rc = -1;
	else {
		q->started = 1;
		if (q->tail != NULL)
			q->tail->next = it;
		else
			q->head = it;
		q->tail = it;
		q->n++;
		q->bytes += len;
		pthread_cond_signal(&q->more);
	}
	pthread_mutex_unlock(&q->lock);
	if (rc == 0)
		return 0;
	memset(&tmp, 0, sizeof(tmp));
	tmp.cfg = q->cfg;
	tmp.metrics = q->metrics;
	buf_init(&path, 4096);
	if (ingest_quarantine(&tmp, data, len, "ingest queue full", &path) == 0)
		log_warnx("%s: ingest queue full: message kept as %s", id,
		    path.data);
	else
		log_err("%s: ingest queue full, and %s", id, path.data);
	buf_free(&path);
	free(data);
	free(it);
	return -1;
}

/* ingest_queue_free - drain the queue, stop the worker; NULL is fine */
void
ingest_queue_free(struct ingest_queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	if (q->started)
		pthread_join(q->worker, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->more);
	config_release(q->cfg);
	free(q);
}
