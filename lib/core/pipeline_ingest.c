/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_ingest - a message to an ingest.recipients address is kept
 * (up to ingest.max_message_size) and queued for the report store at end
 * of message; with ingest.deliver = false the verdict removes those
 * recipients, or discards a message that has no other
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/ingest.h"
#include "core/metrics.h"
#include "core/pipeline_priv.h"

/* pipeline_ingest_rcpt - remember an ingest recipient; start keeping */
void
pipeline_ingest_rcpt(struct session *s, struct message *m, const char *rcpt)
{
	const struct config *cfg = s->env->cfg;

	if (s->env->ingest == NULL || !ingest_rcpt_match(cfg, rcpt) ||
	    m->ningest >= PIPELINE_MAX_INGEST_RCPT)
		return;
	m->ingest_rcpt = xreallocarray(m->ingest_rcpt, m->ningest + 1,
	    sizeof(char *));
	m->ingest_rcpt[m->ningest++] = xstrdup(rcpt);
	if (m->keep == NULL && !m->keep_over)
		m->keep = buf_new((size_t)cfg->ingest.max_message_size);
}

/* pipeline_ingest_put - append to the kept message, dropping it when full */
static void
pipeline_ingest_put(struct message *m, const void *p, size_t len)
{
	if (m->keep == NULL)
		return;
	if (buf_append(m->keep, p, len) != 0) {
		/* over the limit: keep nothing (the mail itself flows on) */
		buf_free(m->keep);
		free(m->keep);
		m->keep = NULL;
		m->keep_over = 1;
	}
}

/* pipeline_ingest_header - one header field into the kept message */
void
pipeline_ingest_header(struct session *s, struct message *m, const char *name,
    const char *value, size_t len)
{
	if (m->keep == NULL)
		return;
	pipeline_ingest_put(m, name, strlen(name));
	/* without SMFIP_HDR_LEADSPC the MTA took the space after the colon */
	pipeline_ingest_put(m, s->leadspc ? ":" : ": ", s->leadspc ? 1 : 2);
	pipeline_ingest_put(m, value, len);
	pipeline_ingest_put(m, "\r\n", 2);
}

/* pipeline_ingest_eoh - the blank line between header and body */
void
pipeline_ingest_eoh(struct message *m)
{
	pipeline_ingest_put(m, "\r\n", 2);
}

/* pipeline_ingest_body - one body chunk into the kept message */
void
pipeline_ingest_body(struct message *m, const unsigned char *p, size_t len)
{
	pipeline_ingest_put(m, p, len);
}

/*
 * pipeline_ingest_eom - queue the kept message of an accepted message;
 * with ingest.deliver = false, tell the front end to remove the ingest
 * recipients (or discard the message when there is no other), but only
 * once the message is safely queued
 */
void
pipeline_ingest_eom(struct session *s, struct message *m)
{
	const struct config *cfg = s->env->cfg;
	struct pipeline_verdict *v = &m->verdict;
	char *data;
	size_t len;

	if (m->ningest == 0)
		return;
	if (m->keep_over) {
		metrics_ingest(s->env->metrics, METRICS_INGEST_TOO_LARGE);
		log_warnx("%s: ingest: message over ingest.max_message_size "
		    "(%d bytes): not read, delivered", v->id,
		    cfg->ingest.max_message_size);
		return;
	}
	if (m->keep == NULL || (v->action != POLICY_ACCEPT &&
	    v->action != POLICY_QUARANTINE))
		return;		/* refused mail is not ours to read */
	len = m->keep->len;
	data = buf_steal(m->keep);
	free(m->keep);
	m->keep = NULL;
	if (ingest_queue_submit(s->env->ingest, data, len, v->id) != 0 ||
	    cfg->ingest.deliver)
		return;
	if (m->ningest >= m->nrcpt)
		v->discard = 1;
	else {
		v->delrcpt = (const char *const *)m->ingest_rcpt;
		v->ndelrcpt = m->ningest;
	}
}

/* pipeline_ingest_free - what the message kept for ingest */
void
pipeline_ingest_free(struct message *m)
{
	size_t i;

	for (i = 0; i < m->ningest; i++)
		free(m->ingest_rcpt[i]);
	free(m->ingest_rcpt);
	if (m->keep != NULL) {
		buf_free(m->keep);
		free(m->keep);
	}
	m->ingest_rcpt = NULL;
	m->ningest = 0;
	m->keep = NULL;
}
