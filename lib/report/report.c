/* SPDX-License-Identifier: BSD-2-Clause */
/* report - report records, their line form, and the store's writer thread */
#include "autoconf.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_failure.h"
#include "report/report_spool.h"
#include "util/xalloc.h"

/* a store that is down is tried again this often */
#define REPORT_RETRY_SECS	2
/* the spool directory is looked at this often while the store is up */
#define REPORT_SCAN_SECS	1

const char *const report_columns[REPORT_NCOLS] = {
	"uid", "ts", "reporter", "source_ip", "header_from", "envelope_from",
	"envelope_to", "spf_domain", "spf_scope", "spf_result", "dkim",
	"policy_domain", "org_domain", "discovery", "p", "sp", "np", "adkim",
	"aspf", "psd", "testing", "pct", "fo", "rua", "dkim_eval", "spf_eval",
	"disposition", "reasons"
};

struct report_store {
	pthread_mutex_t	 lock;		/* guards everything below but db */
	pthread_cond_t	 cond;		/* records queued, or stop */
	char		**q;		/* ring of encoded lines */
	size_t		 cap;		/* reports.queue_size */
	size_t		 head;		/* oldest entry */
	size_t		 n;		/* entries queued */
	int		 started;	/* writer thread runs */
	int		 stop;		/* drain and end */
	pthread_t	 thread;	/* the writer */
	char		*uri;		/* reports.store */
	char		*spool_dir;	/* reports.spool_dir */
	char		 spool_name[300];	/* "<host>-<pid>" */
	char		 journal_name[320];	/* spool_name-<random> */
	struct report_journal *journal;	/* records before the reply */
	int		 journal_failed;	/* could not be made: said so */
	int		 journal_err;	/* an append failed: said so */
	char		**batch;	/* writer thread: the lines taken */
	struct report_db *db;		/* writer thread only */
	time_t		 retry_at;	/* next connect attempt */
	time_t		 scan_at;	/* next spool directory scan */
	int		 down;		/* the outage was logged */
};

/* report_record_init - every field "" */
void
report_record_init(struct report_record *r)
{
	int i;

	for (i = 0; i < REPORT_NCOLS; i++)
		r->f[i] = xstrdup("");
}

/* report_record_set - one field, capped at REPORT_MAX_FIELD bytes */
void
report_record_set(struct report_record *r, enum report_col c, const char *v)
{
	free(r->f[c]);
	r->f[c] = xstrndup(v != NULL ? v : "", REPORT_MAX_FIELD);
}

/* report_record_free - release the fields */
void
report_record_free(struct report_record *r)
{
	int i;

	for (i = 0; i < REPORT_NCOLS; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
}

/* report_line_encode - one line: n fields by tab, \\ \t \n \r escaped */
void
report_line_encode(char *const *f, int n, struct buf *out)
{
	const char *p;
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(out, '\t');
		for (p = f[i]; *p != '\0'; p++) {
			if (*p == '\\' || *p == '\t' || *p == '\n' ||
			    *p == '\r') {
				buf_putc(out, '\\');
				buf_putc(out, *p == '\t' ? 't' : *p == '\n' ?
				    'n' : *p == '\r' ? 'r' : '\\');
			} else
				buf_putc(out, *p);
		}
	}
	buf_putc(out, '\n');
}

/* report_record_encode - a record as one line */
void
report_record_encode(const struct report_record *r, struct buf *out)
{
	report_line_encode(r->f, REPORT_NCOLS, out);
}

/* report_record_unescape - one field of a line */
static int
report_record_unescape(const char *p, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\0')
			return -1;
		if (p[i] != '\\') {
			buf_putc(out, p[i]);
			continue;
		}
		if (++i == len)
			return -1;
		switch (p[i]) {
		case 't': buf_putc(out, '\t'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 'r': buf_putc(out, '\r'); break;
		case '\\': buf_putc(out, '\\'); break;
		default: return -1;
		}
	}
	return out->truncated ? -1 : 0;
}

/*
 * report_line_decode - exactly n fields of a line of report_line_encode()
 * (without its \n), each at most max bytes, into f (each xstrdup'ed;
 * on -1 nothing is left to free)
 */
int
report_line_decode(const char *line, size_t len, char **f, int n,
    size_t max)
{
	struct buf field;
	const char *end = line + len, *tab;
	int i, rc = 0;

	/* a field that fails leaves its slot NULL for the cleanup below */
	for (i = 0; i < n; i++)
		f[i] = NULL;
	buf_init(&field, max);
	for (i = 0; i < n && rc == 0; i++) {
		tab = memchr(line, '\t', (size_t)(end - line));
		if ((tab == NULL) != (i == n - 1)) {
			rc = -1;
			break;
		}
		if (tab == NULL)
			tab = end;
		buf_reset(&field);
		if ((rc = report_record_unescape(line, (size_t)(tab - line),
		    &field)) == 0)
			f[i] = xstrdup(field.data);
		line = tab + 1;
	}
	buf_free(&field);
	for (i = 0; rc != 0 && i < n; i++) {
		free(f[i]);
		f[i] = NULL;
	}
	return rc;
}

/* report_record_decode - a line of report_record_encode(), without \n */
int
report_record_decode(const char *line, size_t len, struct report_record *r)
{
	memset(r, 0, sizeof(*r));
	if (report_line_decode(line, len, r->f, REPORT_NCOLS,
	    REPORT_MAX_FIELD) != 0)
		return -1;
	/* the database needs numbers where numbers go */
	if (*r->f[REPORT_TS] == '\0' ||
	    strspn(r->f[REPORT_TS], "0123456789") != strlen(r->f[REPORT_TS]) ||
	    *r->f[REPORT_PCT] == '\0' || strspn(r->f[REPORT_PCT],
	    "0123456789") != strlen(r->f[REPORT_PCT])) {
		report_record_free(r);
		return -1;
	}
	return 0;
}

/*
 * report_uid - 32 random hex digits: replays and retries stay idempotent.
 * OpenSSL's RNG is thread-safe and costs no system call per message.
 */
void
report_uid(char *out, size_t size)
{
	unsigned char rnd[16];
	size_t i;

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		log_panic("RAND_bytes failed: no report uid");
	for (i = 0; i < sizeof(rnd) && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

/* report_store_new - queue and settings; the thread starts on demand */
struct report_store *
report_store_new(const struct config *cfg)
{
	struct report_store *st;
	char host[256], uid[40];

	if (*cfg->reports.store == '\0')
		return NULL;
	st = xcalloc(1, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	st->cap = (size_t)cfg->reports.queue_size;
	st->q = xcalloc(st->cap, sizeof(char *));
	st->batch = xcalloc(st->cap, sizeof(char *));
	st->uri = xstrdup(cfg->reports.store);
	st->spool_dir = xstrdup(cfg->reports.spool_dir);
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(st->spool_name, sizeof(st->spool_name), "%s-%ld", host,
	    (long)getpid());
	/* a reload makes another store in this process: another journal */
	report_uid(uid, sizeof(uid));
	snprintf(st->journal_name, sizeof(st->journal_name), "%s-%.8s",
	    st->spool_name, uid);
	return st;
}

/* report_store_spool - lines the database cannot take right now; -1 lost */
static int
report_store_spool(struct report_store *st, char **lines, size_t n)
{
	struct buf why;
	size_t i;
	int rc = 0;

	buf_init(&why, 1024);
	if (n > 0 && (rc = report_spool_append(st->spool_dir, st->spool_name,
	    lines, n, &why)) != 0)
		log_err("report spool: %s: %zu record(s) lost", why.data, n);
	for (i = 0; i < n; i++)
		free(lines[i]);
	buf_free(&why);
	return rc;
}

/* report_store_connect - the database, or NULL while it is down */
static struct report_db *
report_store_connect(struct report_store *st)
{
	struct buf why;
	time_t now = time(NULL);

	if (st->db != NULL && !report_db_ok(st->db)) {
		report_db_close(st->db);
		st->db = NULL;
	}
	if (st->db != NULL || now < st->retry_at)
		return st->db;
	buf_init(&why, 1024);
	if ((st->db = report_db_open(st->uri, &why)) == NULL) {
		if (!st->down)
			log_err("report store unreachable, spooling to %s: %s",
			    st->spool_dir, why.data);
		st->down = 1;
		st->retry_at = now + REPORT_RETRY_SECS;
	} else if (st->down) {
		log_info("report store reachable again");
		st->down = 0;
	}
	buf_free(&why);
	return st->db;
}

/* report_store_decode - the queued aggregate lines as records */
static size_t
report_store_decode(char **lines, size_t n, struct report_record *recs)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!report_failure_line_is(lines[i]) && report_record_decode(
		    lines[i], strlen(lines[i]) - 1, &recs[k]) == 0)
			k++;
	return k;
}

/* report_store_failures - the queued failure-report lines, inserted */
static int
report_store_failures(struct report_store *st, char **lines, size_t n,
    struct buf *why)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		if (report_failure_line_is(lines[i]))
			rc = report_failure_insert_line(st->db, lines[i],
			    strlen(lines[i]) - 1, why);
	return rc;
}

/*
 * report_store_batch - one transaction; on failure the batch is spooled.
 * 0 when the lines are in the store or the spool, -1 when lost.
 */
static int
report_store_batch(struct report_store *st, char **lines, size_t n)
{
	struct report_record *recs;
	struct buf why;
	size_t i, k;
	int rc;

	if (report_store_connect(st) == NULL)
		return report_store_spool(st, lines, n);
	buf_init(&why, 1024);
	recs = xcalloc(n, sizeof(*recs));
	k = report_store_decode(lines, n, recs);
	rc = report_db_begin(st->db, &why);
	if (rc == 0)
		rc = report_db_insert_many(st->db, recs, k, &why);
	if (rc == 0)
		rc = report_store_failures(st, lines, n, &why);
	if (rc == 0)
		rc = report_db_commit(st->db, &why);
	for (i = 0; i < k; i++)
		report_record_free(&recs[i]);
	free(recs);
	if (rc != 0) {
		report_db_rollback(st->db);
		log_err("report store: %s; spooling %zu record(s)", why.data,
		    n);
		st->down = 1;
		st->retry_at = time(NULL) + REPORT_RETRY_SECS;
		report_db_close(st->db);
		st->db = NULL;
		rc = report_store_spool(st, lines, n);
	} else
		for (i = 0; i < n; i++)
			free(lines[i]);
	buf_free(&why);
	return rc;
}

/* report_store_write - the lines taken, REPORT_BATCH per transaction */
static int
report_store_write(struct report_store *st, char **lines, size_t n)
{
	size_t k;
	int rc = 0;

	for (; n > 0; n -= k, lines += k) {
		k = n < REPORT_BATCH ? n : REPORT_BATCH;
		if (report_store_batch(st, lines, k) != 0)
			rc = -1;
	}
	return rc;
}

/* report_store_replay - spooled records back into a reachable store */
static void
report_store_replay(struct report_store *st)
{
	struct buf why;
	size_t n;
	time_t now = time(NULL);

	/* once a second at most: a scan opens and tries to lock journals */
	if (now < st->scan_at)
		return;
	st->scan_at = now + REPORT_SCAN_SECS;
	if (!report_spool_pending(st->spool_dir) ||
	    report_store_connect(st) == NULL)
		return;
	buf_init(&why, 1024);
	if (report_spool_replay_dir(st->db, st->spool_dir, &n, &why) != 0) {
		log_err("report spool replay: %s", why.data);
		report_db_close(st->db);
		st->db = NULL;
		st->retry_at = now + REPORT_RETRY_SECS;
	} else if (n > 0)
		log_info("report spool: %zu record(s) replayed into the store",
		    n);
	buf_free(&why);
}

/* report_store_take - every line off the queue (locked) */
static size_t
report_store_take(struct report_store *st, char **out)
{
	size_t n = 0;

	while (st->n > 0) {
		out[n++] = st->q[st->head];
		st->head = (st->head + 1) % st->cap;
		st->n--;
	}
	return n;
}

/*
 * report_store_main - the writer: drain, batch, replay; drain at stop.
 * What it takes off the queue is all that is in the current journal file:
 * appends go to the other file from then on, and this one is emptied once
 * its lines are committed (or spooled).
 */
static void *
report_store_main(void *arg)
{
	struct report_store *st = arg;
	struct timespec until;
	size_t n;
	int k, rc;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		if (st->n == 0 && st->stop)
			break;
		if (st->n == 0) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += REPORT_SCAN_SECS;
			pthread_cond_timedwait(&st->cond, &st->lock, &until);
		}
		n = report_store_take(st, st->batch);
		k = n > 0 && st->journal != NULL ?
		    report_journal_switch(st->journal) : -1;
		pthread_mutex_unlock(&st->lock);
		rc = report_store_write(st, st->batch, n);
		if (k >= 0)
			report_journal_clear(st->journal, k, rc == 0);
		report_store_replay(st);
		pthread_mutex_lock(&st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	/* what overflowed the queue goes in now, while the store is here */
	if (st->db != NULL) {
		st->scan_at = 0;
		report_store_replay(st);
	}
	report_db_close(st->db);
	st->db = NULL;
	return NULL;
}

/*
 * report_store_journal - the line into the journal (locked): on disk before
 * the milter answers, so that a crash of the process loses no record.
 * Without a usable journal the record waits in memory only: said once.
 */
static void
report_store_journal(struct report_store *st, const char *line, size_t len,
    struct buf *why)
{
	if (st->journal == NULL && st->journal_failed)
		return;
	if (st->journal == NULL && (st->journal = report_journal_open(
	    st->spool_dir, st->journal_name, why)) == NULL) {
		log_err("report journal: %s: records wait in memory only",
		    why->data);
		st->journal_failed = 1;
	} else if (st->journal != NULL && report_journal_append(st->journal,
	    line, len, why) != 0) {
		if (!st->journal_err)
			log_err("report journal: %s: records wait in memory "
			    "only", why->data);
		st->journal_err = 1;
	} else if (st->journal_err) {
		log_info("report journal: written again");
		st->journal_err = 0;
	}
}

/* report_store_start - the writer thread, on the first record (locked) */
static void
report_store_start(struct report_store *st)
{
	int rc;

	if (st->started || st->stop)
		return;
	if ((rc = pthread_create(&st->thread, NULL, report_store_main,
	    st)) != 0)
		log_err("report writer thread: %s", strerror(rc));
	else
		st->started = 1;
}

/*
 * report_submit_line - journal and queue one encoded line (ending in \n;
 * line is left empty), or spool it; never waits for the database, and
 * costs one write(2) (no fsync) on the milter thread
 */
void
report_submit_line(struct report_store *st, struct buf *line)
{
	struct buf why;
	char *l;

	if (st == NULL)
		return;
	buf_init(&why, 1024);
	pthread_mutex_lock(&st->lock);
	report_store_start(st);
	report_store_journal(st, line->data, line->len, &why);
	l = buf_steal(line);
	if (st->started && st->n < st->cap) {
		st->q[(st->head + st->n) % st->cap] = l;
		st->n++;
		l = NULL;
		pthread_cond_signal(&st->cond);
	}
	pthread_mutex_unlock(&st->lock);
	buf_free(&why);
	/* queue full (or no writer): straight to the spool file; a record
	 * it cannot take is logged as lost there, nothing else to do */
	if (l != NULL)
		(void)report_store_spool(st, &l, 1);
}

/* report_submit - one aggregate-report record, as report_submit_line() */
void
report_submit(struct report_store *st, struct report_record *r)
{
	struct buf line;

	if (st == NULL)
		return;
	buf_init(&line, REPORT_MAX_LINE);
	report_record_encode(r, &line);
	report_submit_line(st, &line);
	buf_free(&line);
}

/* report_queue_depth - records waiting for the writer (for metrics) */
size_t
report_queue_depth(struct report_store *st)
{
	size_t n;

	if (st == NULL)
		return 0;
	pthread_mutex_lock(&st->lock);
	n = st->n;
	pthread_mutex_unlock(&st->lock);
	return n;
}

/* report_store_free - drain the queue into the store (or spool), stop */
void
report_store_free(struct report_store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	st->stop = 1;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	if (st->started)
		pthread_join(st->thread, NULL);
	/* every journaled line is in the store or the spool now */
	report_journal_close(st->journal);
	free(st->q);
	free(st->batch);
	free(st->uri);
	free(st->spool_dir);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	free(st);
}
