/* SPDX-License-Identifier: BSD-2-Clause */
/* ingest_db - the ingest tables and the store's side of one report */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "report/ingest_db.h"
#include "report/report_db.h"

/*
 * The ingest schema, one step per version, beside (not inside) the
 * outgoing tables' own version: the two evolve apart. Counts are BIGINT;
 * day is the report's date_range begin (epoch seconds), copied into each
 * row so that the dashboard's range queries need no join.
 */
/* policy_evaluated says DMARC passed */
#define INGEST_DB_PASS	"(dkim_eval = 'pass' OR spf_eval = 'pass')"

static const struct report_db_step ingest_db_steps[] = {
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_reports ("
	    "uid TEXT PRIMARY KEY, kind TEXT NOT NULL, reporter TEXT NOT NULL,"
	    " email TEXT NOT NULL, report_id TEXT NOT NULL,"
	    " domain TEXT NOT NULL, date_begin BIGINT NOT NULL,"
	    " date_end BIGINT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL,"
	    " np TEXT NOT NULL, adkim TEXT NOT NULL, aspf TEXT NOT NULL,"
	    " pct TEXT NOT NULL, testing TEXT NOT NULL, format TEXT NOT NULL,"
	    " received_at BIGINT NOT NULL, records BIGINT NOT NULL,"
	    " messages BIGINT NOT NULL)" },
	{ 1, "CREATE INDEX IF NOT EXISTS ingest_reports_domain ON "
	    "ingest_reports (domain, date_begin)" },
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_records ("
	    "report_uid TEXT NOT NULL, domain TEXT NOT NULL,"
	    " day BIGINT NOT NULL, source_ip TEXT NOT NULL,"
	    " count BIGINT NOT NULL, disposition TEXT NOT NULL,"
	    " dkim_eval TEXT NOT NULL, spf_eval TEXT NOT NULL,"
	    " reasons TEXT NOT NULL, header_from TEXT NOT NULL,"
	    " envelope_from TEXT NOT NULL, envelope_to TEXT NOT NULL,"
	    " dkim TEXT NOT NULL, spf TEXT NOT NULL)" },
	{ 1, "CREATE INDEX IF NOT EXISTS ingest_records_domain ON "
	    "ingest_records (domain, day)" },
	{ 1, "CREATE INDEX IF NOT EXISTS ingest_records_ip ON "
	    "ingest_records (source_ip)" },
	{ 1, "CREATE INDEX IF NOT EXISTS ingest_records_report ON "
	    "ingest_records (report_uid)" },
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_tls ("
	    "report_uid TEXT NOT NULL, domain TEXT NOT NULL,"
	    " day BIGINT NOT NULL, policy_type TEXT NOT NULL,"
	    " policy TEXT NOT NULL, mx_host TEXT NOT NULL,"
	    " success BIGINT NOT NULL, failure BIGINT NOT NULL)" },
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_tls_failures ("
	    "report_uid TEXT NOT NULL, domain TEXT NOT NULL,"
	    " day BIGINT NOT NULL, policy_type TEXT NOT NULL,"
	    " result_type TEXT NOT NULL, sending_ip TEXT NOT NULL,"
	    " receiving_mx TEXT NOT NULL, receiving_ip TEXT NOT NULL,"
	    " reason TEXT NOT NULL, count BIGINT NOT NULL)" },
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_sources ("
	    "ip TEXT PRIMARY KEY, ptr TEXT NOT NULL, org TEXT NOT NULL,"
	    " looked_up BIGINT NOT NULL)" },
	{ 1, "CREATE TABLE IF NOT EXISTS ingest_approved ("
	    "domain TEXT NOT NULL, source TEXT NOT NULL,"
	    " approved_at BIGINT NOT NULL, PRIMARY KEY (domain, source))" },
	/* 2: per domain and day, what the domains page sums (a scan of every
	   row took 20 s at ten million rows) */
	{ 2, "CREATE TABLE IF NOT EXISTS ingest_days ("
	    "domain TEXT NOT NULL, day BIGINT NOT NULL,"
	    " messages BIGINT NOT NULL, dmarc_pass BIGINT NOT NULL,"
	    " PRIMARY KEY (domain, day))" },
	{ 2, "INSERT INTO ingest_days (domain, day, messages, dmarc_pass) "
	    "SELECT domain, day, sum(count), sum(CASE WHEN " INGEST_DB_PASS
	    " THEN count ELSE 0 END) FROM ingest_records WHERE 1 = 1 "
	    "GROUP BY domain, day ON CONFLICT (domain, day) DO NOTHING" },
};
#define INGEST_DB_NSTEPS (sizeof(ingest_db_steps) / sizeof(ingest_db_steps[0]))

/* the columns of ingest_records, in insert order */
static const char *const ingest_db_cols[INGEST_DB_NCOLS] = {
	"report_uid", "domain", "day", "source_ip", "count", "disposition",
	"dkim_eval", "spf_eval", "reasons", "header_from", "envelope_from",
	"envelope_to", "dkim", "spf"
};

/* ingest_db_migrate - the ingest tables up to INGEST_DB_SCHEMA, locked */
int
ingest_db_migrate(struct report_db *db, struct buf *why)
{
	return report_db_migrate_steps(db, "ingest_schema_version",
	    ingest_db_steps, INGEST_DB_NSTEPS, INGEST_DB_SCHEMA, why);
}

/* ingest_db_uid - the key of a report: SHA-256 of its identity, 32 hex */
void
ingest_db_uid(const char *kind, const char *reporter, const char *report_id,
    char out[INGEST_DB_UID])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct buf b;

	buf_init(&b, 3 * INGEST_MAX_VALUE + 16);
	/* NUL separators: no two identities make the same bytes */
	buf_append(&b, kind, strlen(kind) + 1);
	buf_append(&b, reporter, strlen(reporter) + 1);
	buf_append(&b, report_id, strlen(report_id));
	EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 16 && i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[32] = '\0';
	buf_free(&b);
}

/* ingest_db_found - a RETURNING row came back */
static int
ingest_db_found(void *arg, int ncols, const char *const *vals)
{
	(void)ncols;
	(void)vals;
	*(int *)arg = 1;
	return 0;
}

/*
 * ingest_db_report - open the transaction and insert the report's row;
 * w->duplicate when it was there already (then nothing is open)
 */
static int
ingest_db_report(struct ingest_writer *w, const char *const *v,
    struct buf *why)
{
	int fresh = 0;

	if (report_db_begin(w->db, why) != 0)
		return -1;
	w->in_tx = 1;
	if (report_db_exec(w->db, "INSERT INTO ingest_reports (uid, kind, "
	    "reporter, email, report_id, domain, date_begin, date_end, p, sp, "
	    "np, adkim, aspf, pct, testing, format, received_at, records, "
	    "messages) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
	    "$12, $13, $14, $15, $16, $17, 0, 0) ON CONFLICT (uid) DO NOTHING "
	    "RETURNING uid", 17, v, ingest_db_found, &fresh, why) != 0)
		return -1;
	if (!fresh) {
		w->duplicate = 1;
		ingest_writer_abort(w);
		buf_puts(why, "already stored");
		return -1;
	}
	return 0;
}

/* ingest_db_meta - the sink's meta: the report row */
static int
ingest_db_meta(void *arg, const struct ingest_meta *m, struct buf *why)
{
	struct ingest_writer *w = arg;
	char b[24], e[24], now[24];
	const char *v[17];

	ingest_db_uid("dmarc", m->org_name, m->report_id, w->uid);
	snprintf(b, sizeof(b), "%lld", m->begin);
	snprintf(e, sizeof(e), "%lld", m->end);
	snprintf(now, sizeof(now), "%lld", (long long)w->now);
	v[0] = w->uid; v[1] = "dmarc"; v[2] = m->org_name; v[3] = m->email;
	v[4] = m->report_id; v[5] = m->domain; v[6] = b; v[7] = e;
	v[8] = m->p; v[9] = m->sp; v[10] = m->np; v[11] = m->adkim;
	v[12] = m->aspf; v[13] = m->pct; v[14] = m->testing;
	v[15] = *m->ns != '\0' ? m->ns : *m->version != '\0' ? m->version :
	    "rfc7489";
	v[16] = now;
	return ingest_db_report(w, v, why);
}

/* ingest_db_insert_sql - INSERT INTO ingest_records ... rows rows */
static char *
ingest_db_insert_sql(int rows)
{
	return report_db_values_sql("ingest_records", ingest_db_cols,
	    INGEST_DB_NCOLS, rows, "");
}

/* ingest_db_batch_free - the values of the batch */
static void
ingest_db_batch_free(struct ingest_writer *w)
{
	size_t i;

	for (i = 0; i < w->nbatch * INGEST_DB_NCOLS; i++) {
		free(w->batch[i]);
		w->batch[i] = NULL;
	}
	w->nbatch = 0;
}

/* ingest_db_flush - write the batch: full rows at once, the rest one by one */
static int
ingest_db_flush(struct ingest_writer *w, struct buf *why)
{
	size_t r;
	int rc = 0;

	if (w->nbatch == INGEST_DB_ROWS) {
		if (w->insert_many == NULL)
			w->insert_many = ingest_db_insert_sql(INGEST_DB_ROWS);
		rc = report_db_exec(w->db, w->insert_many, INGEST_DB_ROWS *
		    INGEST_DB_NCOLS, (const char *const *)w->batch, NULL, NULL,
		    why);
	} else {
		if (w->insert_one == NULL)
			w->insert_one = ingest_db_insert_sql(1);
		for (r = 0; r < w->nbatch && rc == 0; r++)
			rc = report_db_exec(w->db, w->insert_one,
			    INGEST_DB_NCOLS, (const char *const *)w->batch +
			    r * INGEST_DB_NCOLS, NULL, NULL, why);
	}
	ingest_db_batch_free(w);
	return rc;
}

/* ingest_db_record - the sink's record: into the batch */
static int
ingest_db_record(void *arg, const struct ingest_meta *m,
    const struct ingest_record *r, struct buf *why)
{
	struct ingest_writer *w = arg;
	char **row = w->batch + w->nbatch * INGEST_DB_NCOLS;
	char num[24];
	const char *v[INGEST_DB_NCOLS];
	size_t i;

	v[0] = w->uid; v[1] = m->domain;
	snprintf(num, sizeof(num), "%lld", m->begin);
	v[2] = num; v[3] = r->source_ip; v[4] = NULL;
	v[5] = r->disposition; v[6] = r->dkim_eval; v[7] = r->spf_eval;
	v[8] = r->reasons; v[9] = r->header_from; v[10] = r->envelope_from;
	v[11] = r->envelope_to; v[12] = r->dkim; v[13] = r->spf;
	for (i = 0; i < INGEST_DB_NCOLS; i++)
		row[i] = i == 4 ? NULL : xstrdup(v[i]);
	snprintf(num, sizeof(num), "%lld", r->count);
	row[4] = xstrdup(num);
	w->nrec++;
	w->messages += r->count;
	if (++w->nbatch == INGEST_DB_ROWS)
		return ingest_db_flush(w, why);
	return 0;
}

/* ingest_db_tls_policy - one policy and its failure details */
static int
ingest_db_tls_policy(struct ingest_writer *w, const struct ingest_tls *t,
    const struct ingest_tls_policy *p, struct buf *why)
{
	char day[24], ok[24], bad[24], n[24];
	const char *v[10];
	size_t i;

	snprintf(day, sizeof(day), "%lld", t->begin);
	snprintf(ok, sizeof(ok), "%lld", p->success);
	snprintf(bad, sizeof(bad), "%lld", p->failure);
	v[0] = w->uid; v[1] = p->domain; v[2] = day; v[3] = p->type;
	v[4] = p->policy; v[5] = p->mx_host; v[6] = ok; v[7] = bad;
	if (report_db_exec(w->db, "INSERT INTO ingest_tls (report_uid, domain,"
	    " day, policy_type, policy, mx_host, success, failure) VALUES ($1,"
	    " $2, $3, $4, $5, $6, $7, $8)", 8, v, NULL, NULL, why) != 0)
		return -1;
	for (i = 0; i < p->nf; i++) {
		snprintf(n, sizeof(n), "%lld", p->f[i].count);
		v[4] = p->f[i].result_type; v[5] = p->f[i].sending_ip;
		v[6] = p->f[i].receiving_mx; v[7] = p->f[i].receiving_ip;
		v[8] = p->f[i].reason; v[9] = n;
		if (report_db_exec(w->db, "INSERT INTO ingest_tls_failures "
		    "(report_uid, domain, day, policy_type, result_type, "
		    "sending_ip, receiving_mx, receiving_ip, reason, count) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10, v,
		    NULL, NULL, why) != 0)
			return -1;
	}
	return 0;
}

/* ingest_db_tls - the sink's TLS report: every row of it */
static int
ingest_db_tls(void *arg, const struct ingest_tls *t, struct buf *why)
{
	struct ingest_writer *w = arg;
	char b[24], e[24], now[24];
	const char *v[17];
	size_t i;

	ingest_db_uid("tlsrpt", t->org_name, t->report_id, w->uid);
	snprintf(b, sizeof(b), "%lld", t->begin);
	snprintf(e, sizeof(e), "%lld", t->end);
	snprintf(now, sizeof(now), "%lld", (long long)w->now);
	v[0] = w->uid; v[1] = "tlsrpt"; v[2] = t->org_name; v[3] = t->contact;
	v[4] = t->report_id; v[5] = t->np > 0 ? t->p[0].domain : "";
	v[6] = b; v[7] = e;
	for (i = 8; i < 15; i++)
		v[i] = "";
	v[15] = "rfc8460";
	v[16] = now;
	if (ingest_db_report(w, v, why) != 0)
		return -1;
	for (i = 0; i < t->np; i++) {
		if (ingest_db_tls_policy(w, t, &t->p[i], why) != 0)
			return -1;
		w->nrec++;
		w->messages += t->p[i].success + t->p[i].failure;
	}
	return 0;
}

/* ingest_writer_init - a writer for reports into db */
void
ingest_writer_init(struct ingest_writer *w, struct report_db *db, time_t now)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->now = now;
}

/* ingest_db_sink - the sink that stores through w */
void
ingest_db_sink(struct ingest_writer *w, struct ingest_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->meta = ingest_db_meta;
	sink->record = ingest_db_record;
	sink->tls = ingest_db_tls;
	sink->arg = w;
}

/* ingest_writer_finish - the parse succeeded: the rest, counts, commit */
int
ingest_writer_finish(struct ingest_writer *w, struct buf *why)
{
	char n[24], m[24];
	const char *v[3] = { n, m, w->uid };

	if (!w->in_tx)
		return 0;
	snprintf(n, sizeof(n), "%zu", w->nrec);
	snprintf(m, sizeof(m), "%lld", w->messages);
	if (ingest_db_flush(w, why) != 0 || report_db_exec(w->db, "UPDATE "
	    "ingest_reports SET records = $1, messages = $2 WHERE uid = $3", 3,
	    v, NULL, NULL, why) != 0 || report_db_exec(w->db, "INSERT INTO "
	    "ingest_days (domain, day, messages, dmarc_pass) SELECT domain, "
	    "day, sum(count), sum(CASE WHEN " INGEST_DB_PASS " THEN count ELSE "
	    "0 END) FROM ingest_records WHERE report_uid = $1 GROUP BY domain, "
	    "day ON CONFLICT (domain, day) DO UPDATE SET messages = "
	    "ingest_days.messages + excluded.messages, dmarc_pass = "
	    "ingest_days.dmarc_pass + excluded.dmarc_pass", 1, v + 2, NULL,
	    NULL, why) != 0 || report_db_commit(w->db, why) != 0) {
		ingest_writer_abort(w);
		return -1;
	}
	w->in_tx = 0;
	return 0;
}

/* ingest_writer_abort - nothing of this report stays */
void
ingest_writer_abort(struct ingest_writer *w)
{
	ingest_db_batch_free(w);
	if (w->in_tx)
		report_db_rollback(w->db);
	w->in_tx = 0;
}

/* ingest_writer_free - the statements it built; rolls back what is open */
void
ingest_writer_free(struct ingest_writer *w)
{
	ingest_writer_abort(w);
	free(w->insert_many);
	free(w->insert_one);
	w->insert_many = w->insert_one = NULL;
}
