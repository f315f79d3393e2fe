/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_dmarc - a DMARC aggregate report (RFC 7489 appendix C, RFC 9990)
 * read with libxml2's streaming reader: one record at a time to a sink,
 * so a report of a million records needs no more memory than one
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "report/ingest.h"

/* namespaces a feedback element may have */
static const char *const ingest_dmarc_ns[] = {
	"", "http://dmarc.org/dmarc-xml/0.1",
	"urn:ietf:params:xml:ns:dmarc-2.0", NULL
};

/* where the value of an element path goes: an offset into a struct */
struct ingest_dmarc_map {
	const char	*path;		/* a/b/c below feedback */
	size_t		 off;		/* offsetof() the char * field */
};

struct ingest_dmarc {
	xmlTextReaderPtr r;		/* the reader */
	struct ingest_stream *in;	/* what it reads */
	const struct ingest_limits *lim;	/* caller's limits */
	const struct ingest_sink *sink;	/* where records go */
	struct ingest_meta meta;	/* report_metadata, policy_published */
	struct ingest_record rec;	/* the record being read */
	int		 meta_sent;	/* sink->meta called */
	size_t		 nrec;		/* records so far */
	size_t		 ndkim, nspf;	/* auth results of rec */
	size_t		 nreasons;	/* reasons of rec */
	char		 path[INGEST_MAX_DEPTH * 24];	/* a/b/c of elements */
	size_t		 plen[INGEST_MAX_DEPTH + 1];	/* path length by depth */
	struct buf	 val;		/* text of the current element */
	struct buf	 a_dom, a_sel, a_res, a_scope;	/* one auth result */
	struct buf	 r_type, r_comment;	/* one reason */
	struct buf	*why;		/* caller's */
	enum ingest_status st;		/* first error */
};

/* ingest_dmarc_err - remember the first error and its reason */
static int
ingest_dmarc_err(struct ingest_dmarc *d, enum ingest_status st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
ingest_dmarc_err(struct ingest_dmarc *d, enum ingest_status st,
    const char *fmt, ...)
{
	va_list ap;

	if (d->st == INGEST_OK) {
		d->st = st;
		va_start(ap, fmt);
		buf_vprintf(d->why, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ingest_dmarc_read - libxml2's input callback */
static int
ingest_dmarc_read(void *ctx, char *out, int n)
{
	long got = ingest_stream_read(ctx, out, (size_t)n);

	return got < 0 ? -1 : (int)got;
}

/* ingest_dmarc_close - libxml2's close callback: the caller closes */
static int
ingest_dmarc_close(void *ctx)
{
	(void)ctx;	/* the stream belongs to the caller */
	return 0;
}

/* ingest_dmarc_quiet - libxml2's errors become our reason, not stderr */
static void
ingest_dmarc_quiet(void *arg, const char *msg, xmlParserSeverities sev,
    xmlTextReaderLocatorPtr loc)
{
	struct ingest_dmarc *d = arg;
	char line[32];
	size_t n;

	if (sev != XML_PARSER_SEVERITY_ERROR || d->st != INGEST_OK)
		return;
	snprintf(line, sizeof(line), "XML line %d: ",
	    xmlTextReaderLocatorLineNumber(loc));
	buf_puts(d->why, line);
	n = strcspn(msg, "\n");
	buf_append(d->why, msg, n > 200 ? 200 : n);
	d->st = INGEST_BAD;
}

/* ingest_dmarc_set - keep a value; "" when absent */
static void
ingest_dmarc_set(char **field, const struct buf *v)
{
	free(*field);
	*field = xstrndup(v->data, v->len);
}

/* ingest_dmarc_num - a non-negative decimal integer, or -1 */
static long long
ingest_dmarc_num(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end == '.')	/* "1337270400.0" from some reporters */
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return errno != 0 || *end != '\0' ? -1 : v;
}

/* ingest_dmarc_join - append "item" to a joined field */
static void
ingest_dmarc_join(char **field, const char *sep, const char *item)
{
	size_t a = *field ? strlen(*field) : 0, b = strlen(item);
	char *n = xmalloc(a + strlen(sep) + b + 1);

	snprintf(n, a + strlen(sep) + b + 1, "%s%s%s", *field ? *field : "",
	    a ? sep : "", item);
	free(*field);
	*field = n;
}

/* ingest_dmarc_meta_free - release a meta */
static void
ingest_dmarc_meta_free(struct ingest_meta *m)
{
	char **f[] = { &m->version, &m->ns, &m->org_name, &m->email,
	    &m->report_id, &m->generator, &m->domain, &m->adkim, &m->aspf,
	    &m->p, &m->sp, &m->np, &m->pct, &m->fo, &m->testing,
	    &m->discovery };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

/* ingest_dmarc_rec_free - release a record */
static void
ingest_dmarc_rec_free(struct ingest_record *r)
{
	char **f[] = { &r->source_ip, &r->disposition, &r->dkim_eval,
	    &r->spf_eval, &r->reasons, &r->header_from, &r->envelope_from,
	    &r->envelope_to, &r->dkim, &r->spf, &r->dkim_domains };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
	r->count = 0;
}

/* ingest_dmarc_fill - unset strings of a record become "" for the sink */
static void
ingest_dmarc_fill(struct ingest_record *r)
{
	char **f[] = { &r->source_ip, &r->disposition, &r->dkim_eval,
	    &r->spf_eval, &r->reasons, &r->header_from, &r->envelope_from,
	    &r->envelope_to, &r->dkim, &r->spf, &r->dkim_domains };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i] == NULL)
			*f[i] = xstrdup("");
}

/* ingest_dmarc_send_meta - check the metadata and hand it over once */
static int
ingest_dmarc_send_meta(struct ingest_dmarc *d)
{
	struct ingest_meta *m = &d->meta;
	char **f[] = { &m->version, &m->ns, &m->org_name, &m->email,
	    &m->report_id, &m->generator, &m->domain, &m->adkim, &m->aspf,
	    &m->p, &m->sp, &m->np, &m->pct, &m->fo, &m->testing,
	    &m->discovery };
	size_t i;

	if (d->meta_sent)
		return 0;
	d->meta_sent = 1;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i] == NULL)
			*f[i] = xstrdup("");
	if (*m->org_name == '\0' || *m->report_id == '\0')
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "report_metadata without org_name or report_id");
	if (*m->domain == '\0')
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "policy_published without a domain");
	if (m->begin < 0 || m->end < m->begin)
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "date_range missing or backwards");
	if (d->sink->meta(d->sink->arg, m, d->why) != 0)
		return ingest_dmarc_err(d, INGEST_SINK, "%s", "");
	return 0;
}

/* ingest_dmarc_send_record - check one record and hand it over */
static int
ingest_dmarc_send_record(struct ingest_dmarc *d)
{
	struct ingest_record *r = &d->rec;
	struct in6_addr a6;
	struct in_addr a4;
	int rc;

	if (ingest_dmarc_send_meta(d) != 0)
		return -1;
	if (++d->nrec > d->lim->max_records)
		return ingest_dmarc_err(d, INGEST_BIG, "%s",
		    "more records than the limit");
	ingest_dmarc_fill(r);
	if (inet_pton(AF_INET, r->source_ip, &a4) != 1 &&
	    inet_pton(AF_INET6, r->source_ip, &a6) != 1)
		return ingest_dmarc_err(d, INGEST_BAD,
		    "record with source_ip '%.64s', not an address",
		    r->source_ip);
	if (r->count < 0)
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "record without a valid count");
	if (*r->header_from == '\0')
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "record without header_from");
	rc = d->sink->record(d->sink->arg, &d->meta, r, d->why);
	ingest_dmarc_rec_free(r);
	d->ndkim = d->nspf = d->nreasons = 0;
	r->count = -1;
	return rc != 0 ? ingest_dmarc_err(d, INGEST_SINK, "%s", "") : 0;
}

/* ingest_dmarc_find - the entry of map for path, or NULL */
static const struct ingest_dmarc_map *
ingest_dmarc_find(const struct ingest_dmarc_map *map, size_t n,
    const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(path, map[i].path) == 0)
			return &map[i];
	return NULL;
}

/* ingest_dmarc_meta_field - a leaf of report_metadata or policy_published */
static int
ingest_dmarc_meta_field(struct ingest_dmarc *d, const char *p)
{
	static const struct ingest_dmarc_map map[] = {
#define M(p, f)	{ p, offsetof(struct ingest_meta, f) }
		M("version", version),
		M("report_metadata/org_name", org_name),
		M("report_metadata/email", email),
		M("report_metadata/report_id", report_id),
		M("report_metadata/generator", generator),
		M("policy_published/domain", domain),
		M("policy_published/adkim", adkim),
		M("policy_published/aspf", aspf),
		M("policy_published/p", p),
		M("policy_published/sp", sp),
		M("policy_published/np", np),
		M("policy_published/pct", pct),
		M("policy_published/fo", fo),
		M("policy_published/testing", testing),
		M("policy_published/discovery_method", discovery),
#undef M
	};
	const struct ingest_dmarc_map *e;

	if ((e = ingest_dmarc_find(map, sizeof(map) / sizeof(map[0]), p))) {
		ingest_dmarc_set((char **)((char *)&d->meta + e->off), &d->val);
		return 1;
	}
	if (strcmp(p, "report_metadata/date_range/begin") == 0)
		d->meta.begin = ingest_dmarc_num(d->val.data);
	else if (strcmp(p, "report_metadata/date_range/end") == 0)
		d->meta.end = ingest_dmarc_num(d->val.data);
	else
		return 0;
	return 1;
}

/* ingest_dmarc_rec_field - a leaf of record/row or record/identifiers */
static int
ingest_dmarc_rec_field(struct ingest_dmarc *d, const char *p)
{
	static const struct ingest_dmarc_map map[] = {
#define R(p, f)	{ p, offsetof(struct ingest_record, f) }
		R("record/row/source_ip", source_ip),
		R("record/row/policy_evaluated/disposition", disposition),
		R("record/row/policy_evaluated/dkim", dkim_eval),
		R("record/row/policy_evaluated/spf", spf_eval),
		R("record/identifiers/header_from", header_from),
		R("record/identifiers/envelope_from", envelope_from),
		R("record/identifiers/envelope_to", envelope_to),
#undef R
	};
	const struct ingest_dmarc_map *e;

	if ((e = ingest_dmarc_find(map, sizeof(map) / sizeof(map[0]), p))) {
		ingest_dmarc_set((char **)((char *)&d->rec + e->off), &d->val);
		return 1;
	}
	if (strcmp(p, "record/row/count") == 0)
		d->rec.count = ingest_dmarc_num(d->val.data);
	else
		return 0;
	return 1;
}

/* ingest_dmarc_auth_leaf - a leaf of an auth result or a reason */
static void
ingest_dmarc_auth_leaf(struct ingest_dmarc *d, const char *p)
{
	static const struct ingest_dmarc_map map[] = {
#define A(p, f)	{ p, offsetof(struct ingest_dmarc, f) }
		A("record/auth_results/dkim/domain", a_dom),
		A("record/auth_results/dkim/selector", a_sel),
		A("record/auth_results/dkim/result", a_res),
		A("record/auth_results/spf/domain", a_dom),
		A("record/auth_results/spf/scope", a_scope),
		A("record/auth_results/spf/result", a_res),
		A("record/row/policy_evaluated/reason/type", r_type),
		A("record/row/policy_evaluated/reason/comment", r_comment),
#undef A
	};
	const struct ingest_dmarc_map *e;
	struct buf *b;

	if ((e = ingest_dmarc_find(map, sizeof(map) / sizeof(map[0]), p))) {
		b = (struct buf *)((char *)d + e->off);
		buf_reset(b);
		buf_append(b, d->val.data, d->val.len);
	}
}

/* ingest_dmarc_auth_end - one dkim, spf or reason element complete */
static void
ingest_dmarc_auth_end(struct ingest_dmarc *d, const char *p)
{
	char item[3 * INGEST_MAX_VALUE + 8];

	if (strcmp(p, "record/auth_results/dkim") == 0 &&
	    d->ndkim++ < INGEST_MAX_AUTH) {
		snprintf(item, sizeof(item), "%s/%s:%s", d->a_dom.data,
		    d->a_sel.data, d->a_res.data);
		ingest_dmarc_join(&d->rec.dkim, " ", item);
		ingest_dmarc_join(&d->rec.dkim_domains, " ", d->a_dom.data);
	} else if (strcmp(p, "record/auth_results/spf") == 0 &&
	    d->nspf++ < INGEST_MAX_AUTH) {
		snprintf(item, sizeof(item), "%s/%s:%s", d->a_dom.data,
		    d->a_scope.len ? d->a_scope.data : "mfrom", d->a_res.data);
		ingest_dmarc_join(&d->rec.spf, " ", item);
	} else if (strcmp(p, "record/row/policy_evaluated/reason") == 0 &&
	    d->nreasons++ < INGEST_MAX_REASONS) {
		snprintf(item, sizeof(item), "%s%s%s", d->r_type.data,
		    d->r_comment.len ? ":" : "", d->r_comment.data);
		ingest_dmarc_join(&d->rec.reasons, "; ", item);
	} else
		return;
	buf_reset(&d->a_dom);
	buf_reset(&d->a_sel);
	buf_reset(&d->a_res);
	buf_reset(&d->a_scope);
	buf_reset(&d->r_type);
	buf_reset(&d->r_comment);
}

/* ingest_dmarc_root - the document element must be a feedback we know */
static int
ingest_dmarc_root(struct ingest_dmarc *d, const char *name)
{
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(d->r);
	size_t i;

	if (strcmp(name, "feedback") != 0)
		return ingest_dmarc_err(d, INGEST_BAD,
		    "root element <%.64s>, not <feedback>", name);
	for (i = 0; ingest_dmarc_ns[i] != NULL; i++)
		if (strcmp(ns != NULL ? ns : "", ingest_dmarc_ns[i]) == 0) {
			d->meta.ns = xstrdup(ingest_dmarc_ns[i]);
			return 0;
		}
	return ingest_dmarc_err(d, INGEST_BAD, "unknown namespace '%.80s'",
	    ns);
}

/* ingest_dmarc_start - an element opens: extend the path */
static int
ingest_dmarc_start(struct ingest_dmarc *d, int depth)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(d->r);
	size_t len = strlen(name != NULL ? name : "");

	if (depth >= INGEST_MAX_DEPTH)
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "elements nested too deep");
	if (depth == 0)
		return ingest_dmarc_root(d, name);
	if (d->plen[depth - 1] + len + 2 > sizeof(d->path))
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "element names too long");
	d->plen[depth] = d->plen[depth - 1];
	if (depth > 1)
		d->path[d->plen[depth]++] = '/';
	memcpy(d->path + d->plen[depth], name, len);
	d->plen[depth] += len;
	d->path[d->plen[depth]] = '\0';
	buf_reset(&d->val);
	if (strcmp(d->path, "record") == 0) {
		ingest_dmarc_rec_free(&d->rec);
		d->rec.count = -1;
		d->ndkim = d->nspf = d->nreasons = 0;
	}
	return 0;
}

/* ingest_dmarc_end - an element closes: a value is complete */
static int
ingest_dmarc_end(struct ingest_dmarc *d, int depth)
{
	if (depth == 0)
		return 0;
	d->path[d->plen[depth]] = '\0';
	if (strcmp(d->path, "record") == 0) {
		if (ingest_dmarc_send_record(d) != 0)
			return -1;
	} else if (strncmp(d->path, "record/", 7) != 0)
		ingest_dmarc_meta_field(d, d->path);
	else if (!ingest_dmarc_rec_field(d, d->path)) {
		ingest_dmarc_auth_leaf(d, d->path);
		ingest_dmarc_auth_end(d, d->path);
	}
	buf_reset(&d->val);
	d->path[d->plen[depth - 1]] = '\0';
	return 0;
}

/* ingest_dmarc_text - character data of the current element */
static int
ingest_dmarc_text(struct ingest_dmarc *d)
{
	const char *v = (const char *)xmlTextReaderConstValue(d->r);
	size_t n = v != NULL ? strlen(v) : 0;

	if (d->val.len + n > INGEST_MAX_VALUE)
		return ingest_dmarc_err(d, INGEST_BAD, "value over %d bytes",
		    INGEST_MAX_VALUE);
	buf_append(&d->val, v, n);
	return 0;
}

/* ingest_dmarc_node - one node of the reader */
static int
ingest_dmarc_node(struct ingest_dmarc *d)
{
	int type = xmlTextReaderNodeType(d->r);
	int depth = xmlTextReaderDepth(d->r);
	int empty;

	switch (type) {
	case XML_READER_TYPE_DOCUMENT_TYPE:
	case XML_READER_TYPE_ENTITY_REFERENCE:
	case XML_READER_TYPE_ENTITY:
		/* no report needs a DTD; entities are how bombs are made */
		return ingest_dmarc_err(d, INGEST_BAD, "%s",
		    "document type declaration or entity: refused");
	case XML_READER_TYPE_ELEMENT:
		empty = xmlTextReaderIsEmptyElement(d->r);
		if (ingest_dmarc_start(d, depth) != 0)
			return -1;
		return empty ? ingest_dmarc_end(d, depth) : 0;
	case XML_READER_TYPE_END_ELEMENT:
		return ingest_dmarc_end(d, depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
		return ingest_dmarc_text(d);
	default:
		return 0;
	}
}

/* ingest_dmarc_free - the parse state */
static void
ingest_dmarc_free(struct ingest_dmarc *d)
{
	if (d->r != NULL)
		xmlFreeTextReader(d->r);
	ingest_dmarc_meta_free(&d->meta);
	ingest_dmarc_rec_free(&d->rec);
	buf_free(&d->val);
	buf_free(&d->a_dom);
	buf_free(&d->a_sel);
	buf_free(&d->a_res);
	buf_free(&d->a_scope);
	buf_free(&d->r_type);
	buf_free(&d->r_comment);
}

/* ingest_dmarc_init - the parse state for one report */
static void
ingest_dmarc_init(struct ingest_dmarc *d, struct ingest_stream *in,
    const struct ingest_limits *lim, const struct ingest_sink *sink,
    struct buf *why)
{
	memset(d, 0, sizeof(*d));
	d->in = in;
	d->lim = lim;
	d->sink = sink;
	d->why = why;
	d->meta.begin = d->meta.end = -1;
	d->rec.count = -1;
	buf_init(&d->val, INGEST_MAX_VALUE + 1);
	buf_init(&d->a_dom, INGEST_MAX_VALUE + 1);
	buf_init(&d->a_sel, INGEST_MAX_VALUE + 1);
	buf_init(&d->a_res, INGEST_MAX_VALUE + 1);
	buf_init(&d->a_scope, INGEST_MAX_VALUE + 1);
	buf_init(&d->r_type, INGEST_MAX_VALUE + 1);
	buf_init(&d->r_comment, INGEST_MAX_VALUE + 1);
}

/*
 * ingest_dmarc_parse - read one aggregate report from in and hand its
 * metadata and each record to sink; INGEST_OK only when the whole
 * document was read (a sink that stores in a transaction commits then)
 */
enum ingest_status
ingest_dmarc_parse(struct ingest_stream *in, const struct ingest_limits *lim,
    const struct ingest_sink *sink, struct buf *why)
{
	struct ingest_dmarc d;
	int rc;

	ingest_dmarc_init(&d, in, lim, sink, why);
	/* no NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: none of it is needed */
	d.r = xmlReaderForIO(ingest_dmarc_read, ingest_dmarc_close, in, NULL,
	    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d.r == NULL) {
		buf_puts(why, "libxml2: cannot create a reader");
		ingest_dmarc_free(&d);
		return INGEST_BAD;
	}
	xmlTextReaderSetErrorHandler(d.r, ingest_dmarc_quiet, &d);
	while (d.st == INGEST_OK && (rc = xmlTextReaderRead(d.r)) == 1)
		if (ingest_dmarc_node(&d) != 0)
			break;
	if (d.st == INGEST_OK && rc != 0)
		ingest_dmarc_err(&d, INGEST_BAD, "%s", "XML is not well-formed");
	if (ingest_stream_status(in, NULL) != INGEST_OK) {
		/* the stream's own reason (too large, corrupt) comes first */
		buf_reset(why);
		d.st = ingest_stream_status(in, why);
	}
	if (d.st == INGEST_OK && d.meta.ns == NULL)
		ingest_dmarc_err(&d, INGEST_BAD, "%s", "no feedback element");
	if (d.st == INGEST_OK)
		ingest_dmarc_send_meta(&d);
	ingest_dmarc_free(&d);
	return d.st;
}
