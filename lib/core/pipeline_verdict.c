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

/* pipeline_verdict_delete - field name #index (1-based) goes */
static void
pipeline_verdict_delete(struct message *m, const char *name, size_t index)
{
	struct pipeline_edit *e = &m->edits[m->verdict.nedits++];

	e->op = PIPELINE_EDIT_DELETE;
	e->name = name;
	e->index = index;
}

/*
 * pipeline_verdict_edits - forged A-R deleted from the highest index down
 * (RFC 8601 section 5; an index counts the fields still there, so going
 * down keeps the others' numbers), and every BIMI field that came with
 * the message (BIMI 7.8), then ours inserted at the top (a Received-SPF
 * first, RFC 7208 section 9.1, so the A-R ends above it; BIMI-Indicator
 * and BIMI-Location between them),
 * then the ARC set, each at the top, so that ARC-Seal ends up first (RFC
 * 8617 section 5.1)
 */
static void
pipeline_verdict_edits(struct message *m)
{
	const struct bimi_result *b = &m->results.bimi;
	size_t i, k, n = m->nar_delete + 7;

	for (k = 0; k < PIPELINE_BIMI_NAMES; k++)
		n += m->bimi_seen[k];
	m->edits = xcalloc(n, sizeof(*m->edits));
	for (i = m->nar_delete; i > 0; i--)
		pipeline_verdict_delete(m, "Authentication-Results",
		    m->ar_delete[i - 1]);
	m->verdict.removed = m->nar_delete;
	/* every BIMI field from outside goes: all of them, from the last */
	for (k = 0; k < PIPELINE_BIMI_NAMES; k++)
		for (i = m->bimi_seen[k]; i > 0; i--)
			pipeline_verdict_delete(m, pipeline_bimi_names[k], i);
	if (m->rspf.len > 0)
		pipeline_verdict_insert(m, "Received-SPF", m->rspf.data);
	if (b->indicator != NULL)
		pipeline_verdict_insert(m, "BIMI-Indicator", b->indicator);
	if (b->location != NULL)
		pipeline_verdict_insert(m, "BIMI-Location", b->location);
	if (m->arheader.len > 0)
		pipeline_verdict_insert(m, "Authentication-Results",
		    m->arheader.data);
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
	buf_free(&m->logline);
	memset(&m->verdict, 0, sizeof(m->verdict));
}
