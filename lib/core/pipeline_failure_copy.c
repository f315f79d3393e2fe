/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_failure_copy - the copy of a message a failure report carries
 * (RFC 5965 third part), as reports.failure.content says: every header
 * field as received ("headers"), the same with the local parts of
 * addresses and the Subject redacted ("redacted", the default), or
 * nothing ("none"); the body only with reports.failure.body
 */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "mail/hdr.h"
#include "mail/redact.h"
#include "report/report_failure.h"
#include "core/pipeline_priv.h"

#define PIPELINE_REDACTED	" [redacted]"

/* pipeline_copy_text - bytes with CRLF and CR as LF (sendmail -i's form) */
static void
pipeline_copy_text(const char *p, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			continue;
		buf_putc(out, p[i] == '\r' ? '\n' : p[i]);
	}
}

/* pipeline_copy_msgid - a field of message identifiers: nobody's name */
static int
pipeline_copy_msgid(const char *name)
{
	return hdr_name_is(name, "Message-ID") || hdr_name_is(name,
	    "In-Reply-To") || hdr_name_is(name, "References");
}

/* pipeline_copy_field - one header field into the copy */
static void
pipeline_copy_field(const struct session *s, const struct hdr_field *f,
    int redact, struct buf *out)
{
	struct buf v;

	buf_printf(out, "%s:%s", f->name, s->leadspc ? "" : " ");
	if (!redact || pipeline_copy_msgid(f->name)) {
		pipeline_copy_text(f->value, f->vlen, out);
	} else if (hdr_name_is(f->name, "Subject")) {
		/* the leading space came with the value under leadspc */
		buf_puts(out, s->leadspc ? PIPELINE_REDACTED :
		    &PIPELINE_REDACTED[1]);
	} else {
		buf_init(&v, 2 * f->vlen + 64);
		redact_locals(f->value, f->vlen, s->env->redact_key, &v);
		pipeline_copy_text(v.data, v.len, out);
		buf_free(&v);
	}
	buf_putc(out, '\n');
}

/* pipeline_copy_headers - the fields, each whole, while they fit */
static void
pipeline_copy_headers(const struct session *s, const struct message *m,
    int redact, struct buf *out)
{
	struct buf one;
	size_t i;

	buf_init(&one, REPORT_FAILURE_MAX_PART);
	for (i = 0; i < m->hdr.n; i++) {
		buf_reset(&one);
		pipeline_copy_field(s, &m->hdr.f[i], redact, &one);
		if (one.truncated || out->len + one.len >
		    REPORT_FAILURE_MAX_PART)
			break;	/* a field cut in half would mislead */
		buf_append(out, one.data, one.len);
	}
	buf_free(&one);
}

/* pipeline_copy_body - the kept body; redacted: local parts, URLs */
static void
pipeline_copy_body(const struct session *s, const struct buf *body,
    int redact, struct buf *out)
{
	struct buf a, b;

	buf_putc(out, '\n');
	if (!redact) {
		pipeline_copy_text(body->data, body->len, out);
		return;
	}
	buf_init(&a, 2 * body->len + 64);
	buf_init(&b, 2 * body->len + 64);
	redact_locals(body->data, body->len, s->env->redact_key, &a);
	redact_defang(a.data, a.len, &b);
	pipeline_copy_text(b.data, b.len, out);
	buf_free(&a);
	buf_free(&b);
}

/*
 * pipeline_failure_copy - the copy into out; its media type: the header
 * block alone is text/rfc822-headers, with the body message/rfc822
 */
const char *
pipeline_failure_copy(const struct session *s, const struct message *m,
    struct buf *out)
{
	const struct config *cfg = s->env->cfg;
	int redact = cfg->reports.failure.content == CONFIG_RUF_REDACTED;

	if (cfg->reports.failure.content == CONFIG_RUF_NONE)
		return "text/rfc822-headers";
	pipeline_copy_headers(s, m, redact, out);
	if (m->fbody == NULL)
		return "text/rfc822-headers";
	pipeline_copy_body(s, m->fbody, redact, out);
	if (m->fbody->truncated)
		buf_puts(out, "\n[the rest of the body is left out]\n");
	return "message/rfc822";
}
