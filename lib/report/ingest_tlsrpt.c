/* SPDX-License-Identifier: BSD-2-Clause */
/* ingest_tlsrpt - an SMTP TLS report (RFC 8460 section 4) read with json-c */
#include "autoconf.h"

#define _DEFAULT_SOURCE	1	/* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "report/ingest.h"

#define INGEST_TLS_DEPTH	16	/* JSON nesting the tokenizer allows */

/* ingest_tls_get - a member, or NULL */
static struct json_object *
ingest_tls_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* ingest_tls_str - a string member, bounded, "" when absent */
static char *
ingest_tls_str(struct json_object *o, const char *key)
{
	struct json_object *v = ingest_tls_get(o, key);
	const char *s;
	size_t n;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return xstrdup("");
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	return xstrndup(s, n > INGEST_MAX_VALUE ? INGEST_MAX_VALUE : n);
}

/* ingest_tls_int - a non-negative integer member, 0 when absent */
static long long
ingest_tls_int(struct json_object *o, const char *key)
{
	struct json_object *v = ingest_tls_get(o, key);
	int64_t n;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return 0;
	n = json_object_get_int64(v);
	return n < 0 ? 0 : (long long)n;
}

/* ingest_tls_strings - a string or an array of strings, joined */
static char *
ingest_tls_strings(struct json_object *o, const char *key, const char *sep)
{
	struct json_object *v = ingest_tls_get(o, key), *e;
	struct buf b;
	size_t i, n;

	if (v == NULL || !json_object_is_type(v, json_type_array))
		return ingest_tls_str(o, key);
	buf_init(&b, 16 * INGEST_MAX_VALUE);
	n = json_object_array_length(v);
	for (i = 0; i < n && !b.truncated; i++) {
		e = json_object_array_get_idx(v, i);
		if (e == NULL || !json_object_is_type(e, json_type_string))
			continue;
		if (b.len > 0)
			buf_puts(&b, sep);
		buf_puts(&b, json_object_get_string(e));
	}
	return buf_steal(&b);
}

/* ingest_tls_time - RFC 3339 date-time to epoch seconds, -1 if not */
static long long
ingest_tls_time(struct json_object *o, const char *key)
{
	char *s = ingest_tls_str(o, key), *end;
	struct tm tm;
	long long t = -1;
	int sign, hh, mm;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		goto out;
	if (*end == '.')	/* fractions of a second */
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	t = (long long)timegm(&tm);
	if (*end == 'Z' || *end == 'z')
		end++;
	else if ((*end == '+' || *end == '-') &&
	    sscanf(end + 1, "%2d:%2d", &hh, &mm) == 2) {
		sign = *end == '+' ? 1 : -1;
		t -= sign * (hh * 3600LL + mm * 60LL);
		end += 6;
	} else
		t = -1;
	if (*end != '\0')
		t = -1;
out:
	free(s);
	return t;
}

/* ingest_tls_failure - one failure-details entry */
static void
ingest_tls_failure(struct json_object *o, struct ingest_tls_failure *f)
{
	char *code = ingest_tls_str(o, "failure-reason-code");
	char *info = ingest_tls_str(o, "additional-information");
	size_t n = strlen(code) + strlen(info) + 4;

	f->result_type = ingest_tls_str(o, "result-type");
	f->sending_ip = ingest_tls_str(o, "sending-mta-ip");
	f->receiving_mx = ingest_tls_str(o, "receiving-mx-hostname");
	f->receiving_ip = ingest_tls_str(o, "receiving-ip");
	f->count = ingest_tls_int(o, "failed-session-count");
	f->reason = xmalloc(n);
	snprintf(f->reason, n, "%s%s%s", code, *code && *info ? " " : "",
	    info);
	free(code);
	free(info);
}

/* ingest_tls_policy - one policies entry; -1 over the failure limit */
static int
ingest_tls_policy(struct json_object *o, struct ingest_tls_policy *p,
    size_t *budget)
{
	struct json_object *pol = ingest_tls_get(o, "policy");
	struct json_object *sum = ingest_tls_get(o, "summary");
	struct json_object *fd = ingest_tls_get(o, "failure-details");
	size_t i, n;

	p->type = ingest_tls_str(pol, "policy-type");
	p->domain = ingest_tls_str(pol, "policy-domain");
	p->policy = ingest_tls_strings(pol, "policy-string", " | ");
	p->mx_host = ingest_tls_strings(pol, "mx-host", " ");
	p->success = ingest_tls_int(sum, "total-successful-session-count");
	p->failure = ingest_tls_int(sum, "total-failure-session-count");
	if (fd == NULL || !json_object_is_type(fd, json_type_array))
		return 0;
	n = json_object_array_length(fd);
	if (n > *budget)
		return -1;
	*budget -= n;
	p->f = xcalloc(n + 1, sizeof(*p->f));
	for (i = 0; i < n; i++)
		ingest_tls_failure(json_object_array_get_idx(fd, i),
		    &p->f[p->nf++]);
	return 0;
}

/* ingest_tls_report - the top-level object into t */
static enum ingest_status
ingest_tls_report(struct json_object *root, const struct ingest_limits *lim,
    struct ingest_tls *t, struct buf *why)
{
	struct json_object *dr = ingest_tls_get(root, "date-range");
	struct json_object *pols = ingest_tls_get(root, "policies");
	size_t i, n, budget = lim->max_records < INGEST_MAX_FAILURES ?
	    lim->max_records : INGEST_MAX_FAILURES;

	t->org_name = ingest_tls_str(root, "organization-name");
	t->contact = ingest_tls_str(root, "contact-info");
	t->report_id = ingest_tls_str(root, "report-id");
	t->begin = ingest_tls_time(dr, "start-datetime");
	t->end = ingest_tls_time(dr, "end-datetime");
	if (*t->org_name == '\0' || *t->report_id == '\0') {
		buf_puts(why, "TLS report without organization-name or "
		    "report-id");
		return INGEST_BAD;
	}
	if (t->begin < 0 || t->end < t->begin) {
		buf_puts(why, "TLS report without a valid date-range");
		return INGEST_BAD;
	}
	if (pols == NULL || !json_object_is_type(pols, json_type_array)) {
		buf_puts(why, "TLS report without policies");
		return INGEST_BAD;
	}
	if ((n = json_object_array_length(pols)) > INGEST_MAX_POLICIES) {
		buf_printf(why, "TLS report with %zu policies", n);
		return INGEST_BIG;
	}
	t->p = xcalloc(n + 1, sizeof(*t->p));
	for (i = 0; i < n; i++)
		if (ingest_tls_policy(json_object_array_get_idx(pols, i),
		    &t->p[t->np++], &budget) != 0) {
			buf_puts(why, "TLS report with more failure details "
			    "than the limit");
			return INGEST_BIG;
		}
	return INGEST_OK;
}

/* ingest_tls_slurp - the whole (small) JSON document into b */
static enum ingest_status
ingest_tls_slurp(struct ingest_stream *in, size_t max, struct buf *b,
    struct buf *why)
{
	char chunk[8192];
	long got;

	buf_init(b, max);
	while ((got = ingest_stream_read(in, chunk, sizeof(chunk))) > 0)
		if (buf_append(b, chunk, (size_t)got) != 0) {
			buf_printf(why, "TLS report over %zu bytes", max);
			return INGEST_BIG;
		}
	if (got < 0)
		return ingest_stream_status(in, why);
	return INGEST_OK;
}

/*
 * ingest_tls_parse - one TLS report from in into t (release it with
 * ingest_tls_free() whatever the result)
 */
enum ingest_status
ingest_tls_parse(struct ingest_stream *in, const struct ingest_limits *lim,
    struct ingest_tls *t, struct buf *why)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum ingest_status st;
	struct buf b;
	size_t end, max = lim->max_report < INGEST_MAX_JSON ? lim->max_report :
	    INGEST_MAX_JSON;

	memset(t, 0, sizeof(*t));
	if ((st = ingest_tls_slurp(in, max, &b, why)) != INGEST_OK) {
		buf_free(&b);
		return st;
	}
	tok = json_tokener_new_ex(INGEST_TLS_DEPTH);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, b.data, (int)b.len);
	end = root != NULL ? json_tokener_get_parse_end(tok) : b.len;
	while (end < b.len && strchr(" \t\r\n", b.data[end]) != NULL)
		end++;
	if (root == NULL || end != b.len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		buf_printf(why, "JSON: %s", root != NULL ? "bytes after the "
		    "report" : e == json_tokener_continue ? "ends early" :
		    json_tokener_error_desc(e));
		st = INGEST_BAD;
	} else if (!json_object_is_type(root, json_type_object)) {
		buf_puts(why, "JSON: the report is not an object");
		st = INGEST_BAD;
	} else
		st = ingest_tls_report(root, lim, t, why);
	json_object_put(root);
	json_tokener_free(tok);
	buf_free(&b);
	return st;
}

/* ingest_tls_free - what ingest_tls_parse() allocated */
void
ingest_tls_free(struct ingest_tls *t)
{
	size_t i, k;

	for (i = 0; i < t->np; i++) {
		struct ingest_tls_policy *p = &t->p[i];

		for (k = 0; k < p->nf; k++) {
			free(p->f[k].result_type);
			free(p->f[k].sending_ip);
			free(p->f[k].receiving_mx);
			free(p->f[k].receiving_ip);
			free(p->f[k].reason);
		}
		free(p->f);
		free(p->type);
		free(p->domain);
		free(p->policy);
		free(p->mx_host);
	}
	free(t->p);
	free(t->org_name);
	free(t->contact);
	free(t->report_id);
	memset(t, 0, sizeof(*t));
}
