/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_report - --now and --period values, report records (line form round
 * trip, hostile lines), rua destinations (mailto:, !size units,
 * percent-encoding, limits), the _report._dmarc record test, the
 * organizational-domain test, XML text escaping, gzip output, and the
 * SQLite store end to end (the first and last second of a report day,
 * submit, drain, spool when the store cannot be opened, replay)
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/config.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_dest.h"
#include "report/report_mail.h"
#include "report/report_period.h"
#include "report/report_spool.h"
#include "report/report_xml.h"
#include "unit.h"
#include "util/xalloc.h"

#define T_N(a)	(sizeof(a) / sizeof((a)[0]))

/* rua lists: how many kept, first address and size */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*rua;		/* rua= value */
	size_t		 n;		/* destinations kept */
	const char	*addr;		/* first address, or NULL */
	unsigned long long size;	/* its limit */
} t_rua[] = {
	{ "one", "mailto:a@example.com", 1, "a@example.com", 0 },
	{ "two with WSP", " mailto:a@x.example , mailto:b@y.example", 2,
	    "a@x.example", 0 },
	{ "size plain", "mailto:a@x.example!100", 1, "a@x.example", 100 },
	{ "size k", "mailto:a@x.example!10k", 1, "a@x.example", 10240 },
	{ "size M upper", "mailto:a@x.example!2M", 1, "a@x.example",
	    2097152 },
	{ "size g", "mailto:a@x.example!1g", 1, "a@x.example", 1073741824ULL },
	{ "size t", "mailto:a@x.example!1t", 1, "a@x.example",
	    1099511627776ULL },
	{ "bad size unit", "mailto:a@x.example!10x", 0, NULL, 0 },
	{ "empty size", "mailto:a@x.example!", 0, NULL, 0 },
	{ "size too long", "mailto:a@x.example!9999999999999", 0, NULL, 0 },
	{ "case of scheme", "MAILTO:a@x.example", 1, "a@x.example", 0 },
	{ "percent-encoded", "mailto:a%2Bb@x.example", 1, "a+b@x.example", 0 },
	{ "percent comma", "mailto:a%2Cb@x.example", 0, NULL, 0 },
	{ "truncated percent", "mailto:a@x.example%2", 0, NULL, 0 },
	{ "percent NUL", "mailto:a%00@x.example", 0, NULL, 0 },
	{ "hfields dropped", "mailto:a@x.example?subject=hi", 1,
	    "a@x.example", 0 },
	{ "https ignored", "https://x.example/r, mailto:b@y.example", 1,
	    "b@y.example", 0 },
	{ "no at", "mailto:nobody", 0, NULL, 0 },
	{ "empty local", "mailto:@x.example", 0, NULL, 0 },
	{ "header injection", "mailto:a@x.example%0ABcc:c@evil.example", 0,
	    NULL, 0 },
	{ "angle brackets", "mailto:<a@x.example>", 0, NULL, 0 },
	{ "bad domain", "mailto:a@x..example", 0, NULL, 0 },
	{ "empty list", "", 0, NULL, 0 },
	{ "only commas", ",,,", 0, NULL, 0 },
	{ "nine: max 8", "mailto:a@x.example,mailto:a@x.example,"
	    "mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,"
	    "mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,"
	    "mailto:a@x.example", 8, "a@x.example", 0 },
};

/* _report._dmarc records: accepted, and the override rua */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*txt;		/* TXT content */
	int		 ok;		/* a v=DMARC1 record */
	const char	*rua;		/* override, or NULL */
} t_rec[] = {
	{ "bare", "v=DMARC1", 1, NULL },
	{ "trailing semicolon", "v=DMARC1;", 1, NULL },
	{ "spaces", "v = DMARC1 ;", 1, NULL },
	{ "override", "v=DMARC1; rua=mailto:x@y.example", 1,
	    "mailto:x@y.example" },
	{ "override spaced", "v=DMARC1; rua = mailto:x@y.example ;", 1,
	    "mailto:x@y.example " },
	{ "other tags", "v=DMARC1; p=none", 1, NULL },
	{ "wrong version", "v=DMARC2", 0, NULL },
	{ "v not first", "p=none; v=DMARC1", 0, NULL },
	{ "lowercase value", "v=dmarc1", 0, NULL },
	{ "junk after", "v=DMARC1x", 0, NULL },
	{ "spf record", "v=spf1 -all", 0, NULL },
	{ "empty", "", 0, NULL },
};

/* organizational-domain membership */
static const struct {
	const char *org, *host;		/* policy org domain, rua host */
	int	 internal;		/* no verification needed */
} t_internal[] = {
	{ "example.com", "example.com", 1 },
	{ "example.com", "reports.example.com", 1 },
	{ "example.com", "EXAMPLE.COM", 1 },
	{ "example.com", "badexample.com", 0 },
	{ "example.com", "example.net", 0 },
	{ "example.com", "com", 0 },
	{ "", "example.com", 0 },
};

/* --now values: accepted, and the time they name */
static const struct {
	const char	*text;		/* the argument */
	int		 ok;		/* accepted */
	long long	 t;		/* seconds since the epoch */
} t_time[] = {
	{ "1793664900", 1, 1793664900LL },
	{ "0", 1, 0 },
	{ "2026-11-03", 1, 1793664000LL },
	{ "2026-11-03T00:15:00", 1, 1793664900LL },
	{ "2026-11-03T00:15:00Z", 1, 1793664900LL },
	{ "2026-11-03 00:15:00", 1, 1793664900LL },
	{ "2026-11-03Z", 0, 0 },		/* a date has no zone */
	{ "2026-11-03T00:15:00+01:00", 0, 0 },	/* UTC only */
	{ "2026-02-30", 0, 0 },			/* no such day */
	{ "2026-13-01", 0, 0 },
	{ "1969-12-31", 0, 0 },
	{ "-5", 0, 0 },
	{ "1793664900x", 0, 0 },
	{ "9999999999999", 0, 0 },		/* over 12 digits */
	{ "", 0, 0 },
	{ "yesterday", 0, 0 },
};

/* --period values against a fixed now (2026-11-03T00:15:00Z) */
static const struct {
	const char	*text;		/* the argument */
	int		 ok;		/* accepted */
	long long	 begin;		/* first second of the day */
} t_period[] = {
	{ "yesterday", 1, 1793577600LL },	/* 2026-11-02 */
	{ "2026-11-01", 1, 1793491200LL },
	{ "2026-11-01T00:00:00", 0, 0 },	/* a day, not a time */
	{ "2026-11-31", 0, 0 },
	{ "today", 0, 0 },
	{ "", 0, 0 },
};

/* t_report_time - report_time_parse() and report_period_parse() */
static void
t_report_time(void)
{
	long long b, e;
	time_t t;
	size_t i;
	int ok;

	for (i = 0; i < T_N(t_time); i++) {
		t = -1;
		ok = report_time_parse(t_time[i].text, &t) == 0;
		UNIT_CHECK(ok == t_time[i].ok && (!ok || (long long)t ==
		    t_time[i].t), t_time[i].text, "ok %d t %lld", ok,
		    (long long)t);
	}
	for (i = 0; i < T_N(t_period); i++) {
		b = e = -1;
		ok = report_period_parse(t_period[i].text, 1793664900, &b,
		    &e) == 0;
		UNIT_CHECK(ok == t_period[i].ok && (!ok || (b ==
		    t_period[i].begin && e == b + 86399)), t_period[i].text,
		    "ok %d begin %lld end %lld", ok, b, e);
	}
	/* "yesterday" follows the given now, not the clock */
	UNIT_CHECK(report_period_parse("yesterday", 86400 * 3 + 5, &b, &e) ==
	    0 && b == 86400 * 2, "yesterday of day 3", "%lld", b);
	UNIT_CHECK(report_period_parse("yesterday", 100, &b, &e) != 0,
	    "no day before the epoch", "%lld", b);
}

/* t_report_rua - report_dest_parse() */
static void
t_report_rua(void)
{
	struct report_dest d[REPORT_DEST_MAX];
	struct buf why;
	size_t i, n;

	for (i = 0; i < T_N(t_rua); i++) {
		buf_init(&why, 4096);
		n = report_dest_parse(t_rua[i].rua, strlen(t_rua[i].rua), d,
		    REPORT_DEST_MAX, &why);
		UNIT_CHECK(n == t_rua[i].n, t_rua[i].label, "kept %zu, want "
		    "%zu (%s)", n, t_rua[i].n, why.data);
		if (n > 0 && t_rua[i].addr != NULL) {
			UNIT_STREQ(d[0].addr, t_rua[i].addr, t_rua[i].label);
			UNIT_CHECK(d[0].max_size == t_rua[i].size,
			    t_rua[i].label, "size %llu", d[0].max_size);
		}
		report_dest_free(d, n);
		buf_free(&why);
	}
}

/* t_report_rec - report_dest_record() and report_dest_internal() */
static void
t_report_rec(void)
{
	char *rua;
	size_t i;
	int ok;

	for (i = 0; i < T_N(t_rec); i++) {
		ok = report_dest_record(t_rec[i].txt, strlen(t_rec[i].txt),
		    &rua);
		UNIT_CHECK(ok == t_rec[i].ok, t_rec[i].label, "got %d", ok);
		if (t_rec[i].rua != NULL)
			UNIT_STREQ(rua, t_rec[i].rua, t_rec[i].label);
		else
			UNIT_CHECK(rua == NULL, t_rec[i].label, "rua %s", rua);
		free(rua);
	}
	for (i = 0; i < T_N(t_internal); i++)
		UNIT_CHECK(report_dest_internal(t_internal[i].org,
		    t_internal[i].host) == t_internal[i].internal,
		    t_internal[i].host, "org %s", t_internal[i].org);
}

/* t_report_line - encode/decode round trip and hostile lines */
static void
t_report_line(void)
{
	static const char *const bad[] = {
		"", "a\tb", "x\\q\t1\t", "\\",
	};
	struct report_record r, back;
	struct buf line;
	int i;

	report_record_init(&r);
	report_record_set(&r, REPORT_TS, "1795392000");
	report_record_set(&r, REPORT_PCT, "100");
	report_record_set(&r, REPORT_REASONS, "tab\there\nnl\\bs\rcr");
	report_record_set(&r, REPORT_DKIM, "a.example/sel/pass");
	buf_init(&line, 65536);
	report_record_encode(&r, &line);
	UNIT_CHECK(strchr(line.data, '\n') == line.data + line.len - 1,
	    "one line", "%s", line.data);
	UNIT_CHECK(report_record_decode(line.data, line.len - 1, &back) == 0,
	    "decode", "%s", line.data);
	for (i = 0; i < REPORT_NCOLS && back.f[0] != NULL; i++)
		UNIT_STREQ(back.f[i], r.f[i], report_columns[i]);
	report_record_free(&back);
	for (i = 0; i < (int)T_N(bad); i++)
		UNIT_CHECK(report_record_decode(bad[i], strlen(bad[i]),
		    &back) != 0, "hostile line", "%s", bad[i]);
	/* a non-numeric timestamp would break the database insert */
	report_record_set(&r, REPORT_TS, "12x");
	buf_reset(&line);
	report_record_encode(&r, &line);
	UNIT_CHECK(report_record_decode(line.data, line.len - 1, &back) != 0,
	    "ts must be digits", "%s", line.data);
	report_record_free(&r);
	buf_free(&line);
}

/* t_report_xml - text escaping and gzip */
static void
t_report_xml(void)
{
	struct buf b, gz, why;
	unsigned char out[256];
	uLongf outlen = sizeof(out);
	z_stream z;

	buf_init(&b, 4096);
	report_xml_text(&b, "a<b>&\"c\x01\xff\xc3\xa9");
	UNIT_STREQ(b.data, "a&lt;b&gt;&amp;&quot;c??\xc3\xa9", "xml text");
	buf_init(&gz, 1 << 20);
	buf_init(&why, 256);
	UNIT_CHECK(report_mail_gzip("hello report", 12, &gz, &why) == 0,
	    "gzip", "%s", why.data);
	UNIT_CHECK(gz.len > 18 && (unsigned char)gz.data[0] == 0x1f &&
	    (unsigned char)gz.data[1] == 0x8b, "gzip magic", "%zu", gz.len);
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 15 + 16);
	z.next_in = (unsigned char *)gz.data;
	z.avail_in = (uInt)gz.len;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	UNIT_CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == 12 &&
	    memcmp(out, "hello report", 12) == 0, "gunzip", "%lu",
	    z.total_out);
	inflateEnd(&z);
	buf_free(&b);
	buf_free(&gz);
	buf_free(&why);
}

/* t_report_count - SELECT count(*) row */
static int
t_report_count(void *arg, int ncols, const char *const *v)
{
	if (ncols == 1 && v[0] != NULL)
		*(long *)arg = atol(v[0]);
	return 0;
}

/* t_report_records - rows in the database at path */
static long
t_report_records(const char *uri)
{
	struct report_db *db;
	struct buf why;
	long n = -1;

	buf_init(&why, 1024);
	if ((db = report_db_open(uri, &why)) != NULL) {
		if (report_db_exec(db, "SELECT count(*) FROM records", 0, NULL,
		    t_report_count, &n, &why) != 0)
			n = -1;
		report_db_close(db);
	}
	buf_free(&why);
	return n;
}

/* t_report_submit - n records through a store with this uri */
static void
t_report_submit(const char *uri, const char *spool, int n)
{
	struct config cfg;
	struct report_store *st;
	struct report_record r;
	char uid[40];
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.reports.store = (char *)uri;
	cfg.reports.spool_dir = (char *)spool;
	cfg.reports.queue_size = 4;	/* small: most go through the spool */
	st = report_store_new(&cfg);
	for (i = 0; i < n; i++) {
		report_record_init(&r);
		report_uid(uid, sizeof(uid));
		report_record_set(&r, REPORT_UID, uid);
		report_record_set(&r, REPORT_TS, "1795392000");
		report_record_set(&r, REPORT_PCT, "100");
		report_submit(st, &r);
		report_record_free(&r);
	}
	report_store_free(st);	/* drains */
}

/* records around one UTC day (T_DAY, 2026-11-01): where each one lands */
#define T_DAY	1793491200LL
static const struct {
	const char	*ip;		/* source_ip: names the record's row */
	long long	 off;		/* ts - T_DAY */
	const char	*domain;	/* policy domain */
	const char	*p;		/* published p= */
} t_edge[] = {
	{ "192.0.2.1", -1, "edge.example", "none" },	/* day before, last */
	{ "192.0.2.2", 0, "edge.example", "none" },	/* first second */
	{ "192.0.2.3", 86399, "edge.example", "quarantine" },	/* last */
	{ "192.0.2.4", 86400, "edge.example", "reject" },	/* next day */
	{ "192.0.2.5", 86399, "late.example", "none" },	/* only at the end */
	{ "192.0.2.6", 0, "early.example", "none" },	/* only at the start */
};

/* the reports of three days over those records */
static const struct {
	const char	*label;		/* the day */
	long long	 begin;		/* its first second */
	const char	*domains;	/* policy domains reported, by "," */
	const char	*ips;		/* rows of edge.example, by "," */
	const char	*p;		/* edge.example's policy_published p */
} t_days[] = {
	{ "day before", T_DAY - 86400, "edge.example", "192.0.2.1", "none" },
	{ "the day", T_DAY, "early.example,edge.example,late.example",
	    "192.0.2.2,192.0.2.3", "quarantine" },
	{ "day after", T_DAY + 86400, "edge.example", "192.0.2.4", "reject" },
};

/* t_report_edge_insert - the t_edge records into db */
static int
t_report_edge_insert(struct report_db *db, struct buf *why)
{
	struct report_record r;
	char ts[24];
	size_t i;
	int rc = 0;

	for (i = 0; i < T_N(t_edge) && rc == 0; i++) {
		report_record_init(&r);
		report_record_set(&r, REPORT_UID, t_edge[i].ip);
		snprintf(ts, sizeof(ts), "%lld", T_DAY + t_edge[i].off);
		report_record_set(&r, REPORT_TS, ts);
		report_record_set(&r, REPORT_SOURCE_IP, t_edge[i].ip);
		report_record_set(&r, REPORT_POLICY_DOMAIN, t_edge[i].domain);
		report_record_set(&r, REPORT_P, t_edge[i].p);
		report_record_set(&r, REPORT_PCT, "100");
		report_record_set(&r, REPORT_RUA, "mailto:r@edge.example");
		rc = report_db_insert(db, &r, why);
		report_record_free(&r);
	}
	return rc;
}

/* t_report_day - one day's domains, edge.example's rows and policy */
static void
t_report_day(struct report_db *db, size_t k, struct buf *why)
{
	struct config_list doms = { NULL, 0 };
	struct report_record pol;
	struct report_rows rows;
	struct buf got;
	long long b = t_days[k].begin, e = b + 86399;
	size_t i;

	memset(&rows, 0, sizeof(rows));
	report_record_init(&pol);
	buf_init(&got, 4096);
	UNIT_CHECK(report_period_domains(db, b, e, &doms, why) == 0 &&
	    report_period_rows(db, "edge.example", b, e, &pol, &rows,
	    why) == 0, t_days[k].label, "%s", why->data);
	for (i = 0; i < doms.n; i++) {
		buf_printf(&got, "%s%s", i ? "," : "", doms.v[i]);
		free(doms.v[i]);
	}
	free(doms.v);
	UNIT_STREQ(got.data, t_days[k].domains, t_days[k].label);
	buf_reset(&got);
	for (i = 0; i < rows.n; i++)
		buf_printf(&got, "%s%s", i ? "," : "",
		    rows.rec[i].f[REPORT_SOURCE_IP]);
	UNIT_STREQ(got.data, t_days[k].ips, t_days[k].label);
	UNIT_STREQ(pol.f[REPORT_P], t_days[k].p, t_days[k].label);
	buf_free(&got);
	report_rows_free(&rows);
	report_record_free(&pol);
}

/*
 * t_report_period - the first and the last second of a day are in its
 * report, the second after is in the next day's
 */
static void
t_report_period(const char *dir)
{
	struct report_db *db;
	struct buf why;
	char uri[160];
	size_t k;

	snprintf(uri, sizeof(uri), "sqlite:%s/period.db", dir);
	buf_init(&why, 1024);
	if ((db = report_db_open(uri, &why)) == NULL ||
	    t_report_edge_insert(db, &why) != 0) {
		UNIT_CHECK(0, "period store", "%s", why.data);
		report_db_close(db);
		buf_free(&why);
		return;
	}
	for (k = 0; k < T_N(t_days); k++)
		t_report_day(db, k, &why);
	report_db_close(db);
	buf_free(&why);
}

/* t_report_jline - an encoded record with this uid, for a journal */
static void
t_report_jline(const char *uid, struct buf *line)
{
	struct report_record r;

	report_record_init(&r);
	report_record_set(&r, REPORT_UID, uid);
	report_record_set(&r, REPORT_TS, "1793491200");
	report_record_set(&r, REPORT_PCT, "100");
	buf_reset(line);
	report_record_encode(&r, line);
	report_record_free(&r);
}

/* t_report_jwrite - a record per uid into the journal; 0 or -1 */
static int
t_report_jwrite(struct report_journal *j, const char *const *uids)
{
	struct buf line, why;
	int rc = 0;

	buf_init(&line, REPORT_MAX_LINE);
	buf_init(&why, 1024);
	for (; *uids != NULL && rc == 0; uids++) {
		t_report_jline(*uids, &line);
		rc = report_journal_append(j, line.data, line.len, &why);
	}
	buf_free(&line);
	buf_free(&why);
	return rc;
}

/* t_report_dead - a process that journals two records and dies */
static int
t_report_dead(const char *spool)
{
	static const char *const uids[] = { "dead1", "dead2", NULL };
	struct report_journal *j;
	struct buf why;
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		buf_init(&why, 1024);
		j = report_journal_open(spool, "dead", &why);
		/* no close: gone as after kill -9, the files stay */
		_exit(j != NULL && t_report_jwrite(j, uids) == 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* t_report_uids - records with this uid */
static long
t_report_uids(struct report_db *db, const char *uid)
{
	const char *p[1] = { uid };
	struct buf why;
	long n = -1;

	buf_init(&why, 256);
	if (report_db_exec(db, "SELECT count(*) FROM records WHERE uid = $1",
	    1, p, t_report_count, &n, &why) != 0)
		n = -1;
	buf_free(&why);
	return n;
}

/* t_report_jsize - bytes in spool/name.K.journal, or -1 */
static long
t_report_jsize(const char *spool, const char *name, int k)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s.%d.journal", spool, name, k);
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/*
 * t_report_jclear - the writer's side: a file whose records are committed
 * is kept while small and emptied once grown; one whose records could not
 * be saved is kept at close and replayed. Closes j.
 */
static void
t_report_jclear(struct report_journal *j, const char *spool,
    struct report_db *db)
{
	static const char *const unsafe[] = { "unsafe1", NULL };
	const char *many[2] = { "many", NULL };
	struct buf why;
	size_t n = 0, i;
	int k;

	buf_init(&why, REPORT_MAX_LINE);
	t_report_jline(many[0], &why);	/* its length */
	n = REPORT_JOURNAL_KEEP / why.len + 1;
	buf_reset(&why);
	k = report_journal_switch(j);	/* live1, live2 taken: file 0 */
	report_journal_clear(j, k, 1);
	UNIT_CHECK(k == 0 && t_report_jsize(spool, "live", 0) > 0,
	    "a small file is kept", "%d %ld", k, t_report_jsize(spool,
	    "live", 0));
	for (i = 0; i < n; i++)
		t_report_jwrite(j, many);
	n = 0;
	k = report_journal_switch(j);
	report_journal_clear(j, k, 1);
	UNIT_CHECK(k == 1 && t_report_jsize(spool, "live", 1) == 0,
	    "a grown file is emptied", "%d %ld", k, t_report_jsize(spool,
	    "live", 1));
	t_report_jwrite(j, unsafe);	/* file 0: live1, live2, unsafe1 */
	report_journal_clear(j, report_journal_switch(j), 0);
	report_journal_close(j);
	UNIT_CHECK(t_report_jsize(spool, "live", 0) > 0 &&
	    t_report_jsize(spool, "live", 1) < 0, "close keeps only the file "
	    "with records not saved", "%ld %ld", t_report_jsize(spool, "live",
	    0), t_report_jsize(spool, "live", 1));
	UNIT_CHECK(report_spool_replay_dir(db, spool, &n, &why) == 0 &&
	    n == 3 && t_report_uids(db, "unsafe1") == 1 &&
	    !report_spool_pending(spool), "and a replay takes it in",
	    "%zu %s", n, why.data);
	buf_free(&why);
}

/*
 * t_report_journal - a live journal (ours) is never replayed; a dead one
 * is, once, also when the writer had committed a record of it; what the
 * writer does with the files (t_report_jclear)
 */
static void
t_report_journal(const char *dir)
{
	static const char *const live[] = { "live1", "live2", NULL };
	char spool[160], uri[160];
	struct report_journal *j;
	struct report_record rec;
	struct report_db *db;
	struct buf why, line;
	size_t n = 9;

	snprintf(spool, sizeof(spool), "%s/jspool", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s/journal.db", dir);
	buf_init(&why, 1024);
	buf_init(&line, REPORT_MAX_LINE);
	j = report_journal_open(spool, "live", &why);
	db = report_db_open(uri, &why);
	if (j == NULL || db == NULL || t_report_jwrite(j, live) != 0) {
		UNIT_CHECK(0, "journal set-up", "%s", why.data);
		goto done;
	}
	UNIT_CHECK(!report_spool_pending(spool), "a live journal is not "
	    "pending", "%s", spool);
	UNIT_CHECK(report_spool_replay_dir(db, spool, &n, &why) == 0 &&
	    n == 0 && t_report_uids(db, "live1") == 0, "a live journal is "
	    "not replayed", "%zu %s", n, why.data);
	/* the writer committed dead1 before the process died */
	t_report_jline("dead1", &line);
	if (report_record_decode(line.data, line.len - 1, &rec) == 0) {
		UNIT_CHECK(report_db_insert(db, &rec, &why) == 0,
		    "dead1 committed", "%s", why.data);
		report_record_free(&rec);
	}
	UNIT_CHECK(t_report_dead(spool) == 0, "dead journal written", "%s",
	    spool);
	UNIT_CHECK(report_spool_pending(spool), "a dead journal is pending",
	    "%s", spool);
	UNIT_CHECK(report_spool_replay_dir(db, spool, &n, &why) == 0 &&
	    n == 2 && t_report_uids(db, "dead1") == 1 &&
	    t_report_uids(db, "dead2") == 1, "a dead journal replayed once",
	    "%zu %s", n, why.data);
	UNIT_CHECK(t_report_jsize(spool, "dead", 0) < 0 &&
	    t_report_jsize(spool, "dead", 1) < 0, "and removed", "%s", spool);
	UNIT_CHECK(report_spool_replay_dir(db, spool, &n, &why) == 0 &&
	    n == 0 && t_report_uids(db, "dead1") == 1, "nothing twice",
	    "%zu", n);
	t_report_jclear(j, spool, db);
	j = NULL;
done:
	report_journal_close(j);
	report_db_close(db);
	buf_free(&line);
	buf_free(&why);
}

/* t_report_store - submit, drain, spool on a store that cannot open, replay */
static void
t_report_store(void)
{
	char dir[] = "/tmp/t_report.XXXXXX", uri[128], bad[160], spool[128];
	struct report_db *db;
	struct buf why;
	size_t n = 0;

	if (mkdtemp(dir) == NULL) {
		UNIT_CHECK(0, "mkdtemp", "%s", dir);
		return;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/r.db", dir);
	snprintf(bad, sizeof(bad), "sqlite:%s/missing/dir/r.db", dir);
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	t_report_period(dir);
	t_report_journal(dir);
	t_report_submit(uri, spool, 50);
	UNIT_CHECK(t_report_records(uri) == 50, "50 records stored", "%ld",
	    t_report_records(uri));
	t_report_submit(bad, spool, 30);
	UNIT_CHECK(report_spool_pending(spool), "spooled while unreachable",
	    "%s", spool);
	buf_init(&why, 1024);
	db = report_db_open(uri, &why);
	UNIT_CHECK(db != NULL && report_spool_replay_dir(db, spool, &n,
	    &why) == 0 && n == 30, "replayed 30", "%zu %s", n, why.data);
	/* a second replay of the same lines would be ignored by uid */
	report_db_close(db);
	UNIT_CHECK(t_report_records(uri) == 80, "80 records after replay",
	    "%ld", t_report_records(uri));
	UNIT_CHECK(!report_spool_pending(spool), "spool empty", "%s", spool);
	/* a schema newer than the program is refused, not written into */
	db = report_db_open(uri, &why);
	UNIT_CHECK(db != NULL && report_db_exec(db, "INSERT INTO "
	    "schema_version (version) VALUES (99)", 0, NULL, NULL, NULL,
	    &why) == 0, "newer schema", "%s", why.data);
	report_db_close(db);
	buf_reset(&why);
	UNIT_CHECK(report_db_open(uri, &why) == NULL && strstr(why.data,
	    "schema version 99 is newer") != NULL, "newer schema refused",
	    "%s", why.data);
	buf_free(&why);
	snprintf(bad, sizeof(bad), "rm -rf '%s'", dir);
	UNIT_CHECK(system(bad) == 0, "cleanup", "%s", dir);
}

int
main(void)
{
	t_report_time();
	t_report_rua();
	t_report_rec();
	t_report_line();
	t_report_xml();
	t_report_store();
	return unit_done("t_report");
}
