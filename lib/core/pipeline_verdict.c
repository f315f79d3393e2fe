/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_verdict - a message's decision as the one verdict both front
 * ends walk: the header edits in the order to make them, the reply, the
 * log line; and the message counted into the metrics
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/metrics.h"
#include "core/pipeline_priv.h"

/*
 * pipeline_dels_seen - one more field of the list's name; doomed: delete
 * it. At most PIPELINE_MAX_AR_DELETE are deleted (the rest stay).
 */
void
pipeline_dels_seen(struct pipeline_dels *d, int doomed)
{
	d->seen++;
	if (!doomed || d->n >= PIPELINE_MAX_AR_DELETE)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->idx = xreallocarray(d->idx, d->cap, sizeof(*d->idx));
	}
	d->idx[d->n++] = d->seen;
}

/* pipeline_dels_free - release the list; it may be reused */
void
pipeline_dels_free(struct pipeline_dels *d)
{
	free(d->idx);
	memset(d, 0, sizeof(*d));
}

/* pipeline_verdict_delete - a list's fields, from the highest index down */
static void
pipeline_verdict_delete(struct message *m, const char *name,
    const struct pipeline_dels *d)
{
	struct pipeline_edit *e;
	size_t i;

	for (i = d->n; i > 0; i--) {
		e = &m->edits[m->verdict.nedits++];
		e->op = PIPELINE_EDIT_DELETE;
		e->name = name;
		e->index = d->idx[i - 1];
	}
}

/* pipeline_verdict_insert - one field to put at the top */
static void
pipeline_verdict_insert(struct message *m, const char *name,
    const char *value)
{
	struct pipeline_edit *e = &m->edits[m->verdict.nedits++];

	e->op = PIPELINE_EDIT_INSERT;
	e->name = name;
	e->value = value;
}

/*
 * pipeline_verdict_edits - forged A-R, marks and the BIMI fields that
 * came with the message (BIMI 7.8) deleted from the highest index down
 * (RFC 8601 section 5; an index counts the fields still there, so going
 * down keeps the others' numbers), then Received-SPF (RFC 7208 section
 * 9.1), BIMI-Indicator and BIMI-Location, the Junk mark, ours, our DKIM
 * signatures and the ARC set inserted, each at the top, so that ARC-Seal
 * ends up first (RFC 8617 section 5.1), the seal covers the signatures
 * where they are, the signatures sit above the fields of ours they do
 * not cover, the mark right below our A-R, the BIMI fields below them
 * (a message gets either: BIMI only when accepted) and the Received-SPF
 * at the bottom
 */
static void
pipeline_verdict_edits(struct message *m)
{
	const struct bimi_result *b = &m->results.bimi;
	struct buf mark;
	size_t i, n = m->ar.n + m->marks.n + 9 + m->nsig;

	for (i = 0; i < PIPELINE_BIMI_NAMES; i++)
		n += m->bimi[i].n;
	m->edits = xcalloc(n, sizeof(*m->edits));
	pipeline_verdict_delete(m, "Authentication-Results", &m->ar);
	pipeline_verdict_delete(m, PIPELINE_MARK_FIELD, &m->marks);
	for (i = 0; i < PIPELINE_BIMI_NAMES; i++)
		pipeline_verdict_delete(m, pipeline_bimi_names[i], &m->bimi[i]);
	m->verdict.removed = m->ar.n;
	m->verdict.removed_marks = m->marks.n;
	if (m->rspf.len > 0)
		pipeline_verdict_insert(m, "Received-SPF", m->rspf.data);
	if (b->indicator != NULL)
		pipeline_verdict_insert(m, "BIMI-Indicator", b->indicator);
	if (b->location != NULL)
		pipeline_verdict_insert(m, "BIMI-Location", b->location);
	if (m->decision.mark) {
		buf_init(&mark, PIPELINE_MARK_MAX);
		buf_printf(&mark, "dmarc %s", m->author != NULL ? m->author :
		    "");
		m->mark = buf_steal(&mark);
		pipeline_verdict_insert(m, PIPELINE_SPAM_FIELD, "YES");
		pipeline_verdict_insert(m, PIPELINE_MARK_FIELD, m->mark);
	}
	if (m->arheader.len > 0)
		pipeline_verdict_insert(m, "Authentication-Results",
		    m->arheader.data);
	for (i = 0; i < m->nsig; i++)
		if (m->sig[i].value != NULL)
			pipeline_verdict_insert(m, "DKIM-Signature",
			    m->sig[i].value);
	if (m->seal.aar != NULL) {
		pipeline_verdict_insert(m, "ARC-Authentication-Results",
		    m->seal.aar);
		pipeline_verdict_insert(m, "ARC-Message-Signature",
		    m->seal.ams);
		pipeline_verdict_insert(m, "ARC-Seal", m->seal.as);
	}
	m->verdict.edits = m->edits;
}

/* pipeline_verdict_count - the message and its results into the metrics */
static void
pipeline_verdict_count(const struct session *s, const struct message *m)
{
	struct metrics *mx = s->env->metrics;
	const struct results *r = &m->results;
	size_t i;

	if (mx == NULL)
		return;
	metrics_message(mx, m->decision.action, pipeline_elapsed_ms(m));
	if (r->spf.checked)
		metrics_result(mx, METRICS_SPF, r->spf.result);
	if (r->dkim.checked && r->dkim.n == 0)
		metrics_result(mx, METRICS_DKIM, METHOD_NONE);
	for (i = 0; r->dkim.checked && i < r->dkim.n; i++)
		metrics_result(mx, METRICS_DKIM, r->dkim.sig[i].result);
	if (r->dmarc.checked)
		metrics_result(mx, METRICS_DMARC, r->dmarc.result);
	if (r->arc.checked)
		metrics_result(mx, METRICS_ARC, r->arc.result);
	pipeline_sign_count(m, mx);
}

/* pipeline_verdict_make - fill m->verdict from what eom decided */
void
pipeline_verdict_make(struct session *s, struct message *m)
{
	struct pipeline_verdict *v = &m->verdict;

	v->action = m->decision.action;
	v->rcode = m->decision.rcode;
	v->xcode = m->decision.xcode;
	v->text = m->decision.text;
	v->authserv_id = s->authserv_id;
	pipeline_verdict_edits(m);
	snprintf(m->id, sizeof(m->id), "c=%lu", s->id);
	v->id = m->queue_id != NULL ? m->queue_id : m->id;
	buf_init(&m->logline, LOG_LINE_MAX);
	if (s->env->cfg->log.format == CONFIG_LOG_JSON)
		pipeline_verdict_json(s, &m->logline);
	else
		pipeline_verdict_line(s, &m->logline);
	v->log = m->logline.data;
	pipeline_verdict_count(s, m);
}

/* pipeline_verdict_free - what pipeline_verdict_make() allocated */
void
pipeline_verdict_free(struct message *m)
{
	free(m->edits);
	m->edits = NULL;
	free(m->mark);
	m->mark = NULL;
	buf_free(&m->logline);
	memset(&m->verdict, 0, sizeof(m->verdict));
}
