/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_ingest - the report parsers: real reporters' samples (test/data/ingest)
 * with the totals their upstream parse gives, and hostile input refused
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "report/ingest.h"
#include "unit.h"

/* what the sink saw */
struct seen {
	int		 metas;		/* meta calls */
	size_t		 nrec;		/* record calls */
	long long	 total;		/* sum of counts */
	char		 org[128], id[128], domain[128], ns[64];
	char		 first_ip[64], first_dkim[256], first_spf[256];
	char		 first_reasons[256];
	size_t		 reports;	/* reports in a message */
	size_t		 tls_policies;	/* TLS: policies */
	long long	 tls_ok, tls_fail;	/* TLS: session sums */
	size_t		 tls_details;	/* TLS: failure details */
};

/* seen_meta - the sink's meta */
static int
seen_meta(void *arg, const struct ingest_meta *m, struct buf *why)
{
	struct seen *s = arg;

	(void)why;	/* never refuses */
	s->metas++;
	snprintf(s->org, sizeof(s->org), "%s", m->org_name);
	snprintf(s->id, sizeof(s->id), "%s", m->report_id);
	snprintf(s->domain, sizeof(s->domain), "%s", m->domain);
	snprintf(s->ns, sizeof(s->ns), "%s", m->ns);
	return 0;
}

/* seen_record - the sink's record */
static int
seen_record(void *arg, const struct ingest_meta *m,
    const struct ingest_record *r, struct buf *why)
{
	struct seen *s = arg;

	(void)m;	/* seen in seen_meta */
	(void)why;
	if (s->nrec++ == 0) {
		snprintf(s->first_ip, sizeof(s->first_ip), "%s", r->source_ip);
		snprintf(s->first_dkim, sizeof(s->first_dkim), "%s", r->dkim);
		snprintf(s->first_spf, sizeof(s->first_spf), "%s", r->spf);
		snprintf(s->first_reasons, sizeof(s->first_reasons), "%s",
		    r->reasons);
	}
	s->total += r->count;
	return 0;
}

/* seen_tls - the sink's TLS report */
static int
seen_tls(void *arg, const struct ingest_tls *t, struct buf *why)
{
	struct seen *s = arg;
	size_t i;

	(void)why;
	snprintf(s->org, sizeof(s->org), "%s", t->org_name);
	snprintf(s->id, sizeof(s->id), "%s", t->report_id);
	for (i = 0; i < t->np; i++) {
		s->tls_policies++;
		s->tls_ok += t->p[i].success;
		s->tls_fail += t->p[i].failure;
		s->tls_details += t->p[i].nf;
		if (i == 0)
			snprintf(s->domain, sizeof(s->domain), "%s",
			    t->p[i].domain);
	}
	return 0;
}

/* the handler of a message walk: each report through ingest_report */
struct walk {
	struct ingest_sink sink;	/* the seen sink */
	struct ingest_limits lim;	/* limits */
};

/* walk_report - the handler */
static int
walk_report(void *arg, const char *data, size_t len, const char *name,
    struct buf *why)
{
	struct walk *w = arg;
	struct seen *s = w->sink.arg;
	enum ingest_kind kind;

	(void)name;
	s->reports++;
	return ingest_report(data, len, &w->lim, &w->sink, &kind, why);
}

/* slurp - a file of test/data */
static char *
slurp(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/test/data/ingest/%s",
	    top != NULL ? top : ".", rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b, 64 * 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* run - parse data (a report, or a message when msg) into s */
static int
run(const char *data, size_t len, int msg, size_t max, struct seen *s,
    struct buf *why)
{
	struct walk w;
	enum ingest_kind kind;
	size_t found;

	memset(s, 0, sizeof(*s));
	memset(&w, 0, sizeof(w));
	w.sink.meta = seen_meta;
	w.sink.record = seen_record;
	w.sink.tls = seen_tls;
	w.sink.arg = s;
	w.lim.max_report = max;
	w.lim.max_records = 1000;
	if (!msg)
		return ingest_report(data, len, &w.lim, &w.sink, &kind, why);
	{
		struct ingest_handler h = { walk_report, &w };

		return ingest_mime_walk(data, len, &h, &found, why);
	}
}

/* expected totals, from each sample's upstream parse (the .json files) */
static const struct {
	const char *file;
	int msg;
	const char *org, *id, *domain;
	size_t nrec;
	long long total;
} good[] = {
	{ "dmarc-stalwart/001.xml", 0, "Sample Reporter",
	    "3v98abbp8ya9n3va8yr8oa3ya", "example.com", 1, 123 },
	{ "dmarc-stalwart/002.xml", 0, "google.com", "2122885654478337555",
	    "example.org", 1, 2 },
	{ "dmarc-stalwart/003.xml", 0, "Fastmail Pty Ltd", "758848224",
	    "stalw.art", 4, 9 },
	{ "dmarc-stalwart/004.xml", 0, "Sample Reporter",
	    "3v98abbp8ya9n3va8yr8oa3ya", "example.com", 1, 123 },
	{ "dmarc-stalwart/005.xml", 0, "Legacy Reporter", "legacy-1",
	    "example.com", 1, 1 },
	{ "dmarc-stalwart/100.eml", 1, "google.com", "5264580628977113351",
	    "stalw.art", 1, 1 },
	{ "dmarc-stalwart/101.eml", 1, "\"backschues.NET",
	    "stalw.art.1667948400.1668034800", "stalw.art", 1, 1 },
	{ "dmarc-stalwart/102.eml", 1, "Mail.Ru",
	    "28551467700969547611667865600", "stalw.art", 1, 1 },
	{ "dmarc-stalwart/103.eml", 1, "Outlook.com",
	    "725cbfbe133940149987cfc528387235", "stalw.art", 1, 1 },
	{ "dmarc-stalwart/104.eml", 1, "AMAZON-SES",
	    "6b06c366-0631-4ca0-8337-f5aecf137918", "stalw.art", 1, 1 },
	{ "dmarc-opendmarc/good.com_example.com_1337270400_1337356799.xml", 0,
	    "126.com", "aggr_report_example.com_20120518_126.com",
	    "example.com", 754, 183934 },
	{ "dmarc-opendmarc/163.com_example.com_1337270400_1337356799."
	    "20120518163.xml", 0, "163.com", NULL, "example.com", 50, 92 },
	{ "dmarc-opendmarc/yeah.net_example.com_1337270400_1337356799."
	    "20120518.xml", 0, "yeah.net", NULL, "example.com", 254, 21679 },
};

/* test_samples - every sample parses to its upstream totals */
static void
test_samples(void)
{
	struct seen s;
	struct buf why;
	size_t i, len;
	char *data;
	int st;

	buf_init(&why, 4096);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		buf_reset(&why);
		data = slurp(good[i].file, &len);
		UNIT_CHECK(data != NULL, good[i].file, "cannot read");
		if (data == NULL)
			continue;
		st = run(data, len, good[i].msg, INGEST_MAX_REPORT, &s, &why);
		UNIT_CHECK(st == INGEST_OK, good[i].file, "status %d: %s", st,
		    why.data);
		UNIT_STREQ(s.org, good[i].org, good[i].file);
		if (good[i].id != NULL)
			UNIT_STREQ(s.id, good[i].id, good[i].file);
		UNIT_STREQ(s.domain, good[i].domain, good[i].file);
		UNIT_CHECK(s.nrec == good[i].nrec && s.total == good[i].total,
		    good[i].file, "%zu records, %lld messages; want %zu, %lld",
		    s.nrec, s.total, good[i].nrec, good[i].total);
		UNIT_CHECK(s.metas == 1, good[i].file, "%d metas", s.metas);
		free(data);
	}
	/* malformed on purpose: "108r.166.27.220", an empty disposition */
	data = slurp("dmarc-opendmarc/bad.com_example.com_1337140800_"
	    "1337227200.xml", &len);
	buf_reset(&why);
	st = run(data, len, 0, INGEST_MAX_REPORT, &s, &why);
	UNIT_CHECK(st == INGEST_BAD && s.nrec < 3, "bad.com", "status %d: %s", st, why.data);
	free(data);
	buf_free(&why);
}

/* test_fields - the values of one record, the namespace of RFC 9990 */
static void
test_fields(void)
{
	struct seen s;
	struct buf why;
	size_t len;
	char *data;

	buf_init(&why, 4096);
	data = slurp("dmarc-stalwart/004.xml", &len);
	run(data, len, 0, INGEST_MAX_REPORT, &s, &why);
	UNIT_STREQ(s.ns, "urn:ietf:params:xml:ns:dmarc-2.0", "9990 ns");
	UNIT_STREQ(s.first_ip, "192.0.2.123", "9990 source_ip");
	UNIT_STREQ(s.first_dkim, "example.com/abc123:pass", "9990 dkim");
	UNIT_STREQ(s.first_spf, "example.com/mfrom:fail", "9990 spf");
	free(data);
	data = slurp("dmarc-stalwart/005.xml", &len);
	run(data, len, 0, INGEST_MAX_REPORT, &s, &why);
	UNIT_STREQ(s.ns, "", "7489 no ns");
	UNIT_CHECK(strstr(s.first_reasons, "sampled_out") != NULL,
	    "7489 reason", "%s", s.first_reasons);
	UNIT_CHECK(strstr(s.first_spf, "/helo:") != NULL, "7489 scope", "%s",
	    s.first_spf);
	free(data);
	buf_free(&why);
}

/* test_tls - the TLS-RPT samples, JSON and mail */
static void
test_tls(void)
{
	static const struct {
		const char *file;
		int msg;
		const char *org, *domain;
		size_t np, nd;
		long long ok, fail;
	} t[] = {
		{ "tlsrpt-stalwart/rpt01.json", 0, "Company-X",
		    "company-y.example", 1, 3, 5326, 303 },
		{ "tlsrpt-stalwart/rpt01.eml", 1, "Company-X",
		    "company-y.example", 1, 3, 5326, 303 },
		{ "tlsrpt-stalwart/rpt02.json", 0, "Google Inc.",
		    "example.com", 1, 1, 23, 1 },
		{ "tlsrpt-stalwart/rpt02.eml", 1, "Google Inc.",
		    "example.com", 1, 1, 23, 1 },
		{ "tlsrpt-stalwart/rpt03.json", 0, "Google Inc.", "", 2, 0,
		    2, 0 },
	};
	struct seen s;
	struct buf why;
	size_t i, len;
	char *data;
	int st;

	buf_init(&why, 4096);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&why);
		data = slurp(t[i].file, &len);
		UNIT_CHECK(data != NULL, t[i].file, "cannot read");
		if (data == NULL)
			continue;
		st = run(data, len, t[i].msg, INGEST_MAX_REPORT, &s, &why);
		UNIT_CHECK(st == INGEST_OK, t[i].file, "status %d: %s", st,
		    why.data);
		UNIT_STREQ(s.org, t[i].org, t[i].file);
		UNIT_STREQ(s.domain, t[i].domain, t[i].file);
		UNIT_CHECK(s.tls_policies == t[i].np && s.tls_details ==
		    t[i].nd && s.tls_ok == t[i].ok && s.tls_fail == t[i].fail,
		    t[i].file, "%zu policies %zu details %lld ok %lld failed",
		    s.tls_policies, s.tls_details, s.tls_ok, s.tls_fail);
		free(data);
	}
	buf_free(&why);
}

#define FEED_HEAD "<feedback><report_metadata><org_name>x</org_name>" \
	"<report_id>1</report_id><date_range><begin>1</begin><end>2</end>" \
	"</date_range></report_metadata><policy_published><domain>a.example" \
	"</domain><p>none</p></policy_published>"
#define REC(ip) "<record><row><source_ip>" ip "</source_ip><count>1</count>" \
	"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>" \
	"<spf>pass</spf></policy_evaluated></row><identifiers><header_from>" \
	"a.example</header_from></identifiers></record>"

/* test_bad - hostile and broken input: refused with a reason */
static void
test_bad(void)
{
	static const struct {
		const char *label, *doc;
		int want;
	} t[] = {
		{ "minimal", FEED_HEAD REC("192.0.2.1") "</feedback>", INGEST_OK },
		{ "truncated", FEED_HEAD REC("192.0.2.1") "<record><row>",
		    INGEST_BAD },
		{ "bad ip", FEED_HEAD REC("108r.166.27.220") "</feedback>",
		    INGEST_BAD },
		{ "billion laughs", "<?xml version=\"1.0\"?><!DOCTYPE feedback ["
		    "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;"
		    "&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \""
		    "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;"
		    "&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"
		    "\">]><feedback><report_metadata><org_name>&g;</org_name>"
		    "</report_metadata></feedback>", INGEST_BAD },
		{ "external entity", "<?xml version=\"1.0\"?><!DOCTYPE feedback"
		    " [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feedback>"
		    "<report_metadata><org_name>&x;</org_name></report_metadata>"
		    "</feedback>", INGEST_BAD },
		{ "external dtd", "<?xml version=\"1.0\"?><!DOCTYPE feedback "
		    "SYSTEM \"http://192.0.2.1/x.dtd\"><feedback/>", INGEST_BAD },
		{ "deep", FEED_HEAD "<a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
		    "<a><a><a></a></a></a></a></a></a></a></a></a></a></a></a></a>"
		    "</a></a></a></a></feedback>", INGEST_BAD },
		{ "root", "<html><body/></html>", INGEST_BAD },
		{ "namespace", "<feedback xmlns=\"urn:x\"/>", INGEST_BAD },
		{ "no domain", "<feedback><report_metadata><org_name>x"
		    "</org_name><report_id>1</report_id><date_range><begin>1"
		    "</begin><end>2</end></date_range></report_metadata>"
		    "</feedback>", INGEST_BAD },
		{ "json truncated", "{\"organization-name\": \"x\"",
		    INGEST_BAD },
		{ "json no policies", "{\"organization-name\": \"x\", "
		    "\"report-id\": \"1\", \"date-range\": {\"start-datetime\": "
		    "\"2020-01-01T00:00:00Z\", \"end-datetime\": "
		    "\"2020-01-01T23:59:59Z\"}}", INGEST_BAD },
		{ "json deep", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"
		    "]]]]]]]]]}", INGEST_BAD },
		{ "neither", "hello", INGEST_BAD },
	};
	struct seen s;
	struct buf why;
	size_t i;
	int st;

	buf_init(&why, 4096);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&why);
		st = run(t[i].doc, strlen(t[i].doc), 0, INGEST_MAX_REPORT, &s,
		    &why);
		UNIT_CHECK(st == t[i].want, t[i].label, "status %d (%s), want "
		    "%d", st, why.data, t[i].want);
		UNIT_CHECK(st == INGEST_OK || why.len > 0, t[i].label,
		    "refused without a reason");
	}
	buf_free(&why);
}

/* gzip_of - n bytes: the prefix, then spaces, gzip-compressed */
static char *
gzip_of(const char *prefix, size_t n, size_t *outlen)
{
	z_stream z;
	size_t cap = n / 100 + 65536, plen = strlen(prefix), done = 0;
	char *out = xmalloc(cap), chunk[65536];

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	memset(chunk, ' ', sizeof(chunk));
	memcpy(chunk, prefix, plen);
	while (done < n) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);

		z.next_in = (unsigned char *)chunk;
		z.avail_in = (uInt)k;
		deflate(&z, done + k == n ? Z_FINISH : Z_NO_FLUSH);
		memset(chunk, ' ', plen);
		done += k;
	}
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* test_limits - decompression and record counts stop at the limits */
static void
test_limits(void)
{
	struct seen s;
	struct buf why;
	size_t len, i;
	char *gz, *doc;
	int st;

	buf_init(&why, 4096);
	/* 64 MB of spaces after a root element: a gzip bomb of 64 KB */
	gz = gzip_of("<feedback>", 64 * 1024 * 1024, &len);
	UNIT_CHECK(len < 256 * 1024, "bomb size", "%zu bytes", len);
	st = run(gz, len, 0, 1024 * 1024, &s, &why);
	UNIT_CHECK(st == INGEST_BIG, "gzip bomb", "status %d: %s", st,
	    why.data);
	UNIT_CHECK(s.nrec == 0, "gzip bomb", "%zu records", s.nrec);
	buf_reset(&why);
	gz[len / 2] ^= 0x55;
	st = run(gz, len / 2, 0, INGEST_MAX_REPORT, &s, &why);
	UNIT_CHECK(st == INGEST_BAD, "gzip cut and corrupt", "status %d: %s",
	    st, why.data);
	free(gz);
	/* 1001 records with max_records 1000 */
	doc = xmalloc(1002 * sizeof(REC("192.0.2.1")) + sizeof(FEED_HEAD) + 16);
	strcpy(doc, FEED_HEAD);
	for (i = 0; i < 1001; i++)
		strcat(doc, REC("192.0.2.1"));
	strcat(doc, "</feedback>");
	buf_reset(&why);
	st = run(doc, strlen(doc), 0, INGEST_MAX_REPORT, &s, &why);
	UNIT_CHECK(st == INGEST_BIG, "records limit", "status %d: %s", st,
	    why.data);
	free(doc);
	buf_free(&why);
}

int
main(void)
{
	test_samples();
	test_fields();
	test_tls();
	test_bad();
	test_limits();
	return unit_done("t_ingest");
}
