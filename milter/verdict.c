/* verdict - the decision as milter actions */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "core/metrics.h"
#include "core/pipeline.h"
#include "verdict.h"
#include "util/xalloc.h"

/* verdict_log - the one line per message of authmilter(8) LOGGING */
static void
verdict_log(const struct session *s)
{
	struct buf line;

	buf_init(&line, LOG_LINE_MAX);
	if (s->env->cfg->log.format == CONFIG_LOG_JSON)
		pipeline_verdict_json(s, &line);
	else
		pipeline_verdict_line(s, &line);
	log_info("%s", line.data);
	buf_free(&line);
}

/* verdict_reply_text - % must be doubled for smfi_setreply */
static char *
verdict_reply_text(const char *text)
{
	struct buf b;

	buf_init(&b, 980);
	for (; *text != '\0'; text++) {
		if (*text == '%')
			buf_putc(&b, '%');
		if (*text != '\r' && *text != '\n')
			buf_putc(&b, *text);
	}
	return buf_steal(&b);
}

/* verdict_insert - one field at index 0 */
static int
verdict_insert(SMFICTX *ctx, const struct session *s, const char *name,
    const char *value)
{
	char *v = xmalloc(strlen(value) + 2);
	int rc;

	/* with SMFIP_HDR_LEADSPC the MTA takes the value byte for byte */
	strcpy(v, s->leadspc ? " " : "");
	strcat(v, value);
	rc = smfi_insheader(ctx, 0, (char *)name, v);
	free(v);
	if (rc != MI_SUCCESS) {
		log_err("%s: cannot insert %s", s->msg->queue_id ?
		    s->msg->queue_id : "-", name);
		metrics_error(s->env->metrics, METRICS_ERR_MILTER);
		return -1;
	}
	return 0;
}

/* verdict_headers - delete forged A-R (descending), insert ours at 0 */
static int
verdict_headers(SMFICTX *ctx, const struct session *s, const struct message *m)
{
	size_t i;

	for (i = m->nar_delete; i > 0; i--) {
		if (smfi_chgheader(ctx, "Authentication-Results",
		    (int)m->ar_delete[i - 1], NULL) != MI_SUCCESS) {
			log_err("%s: cannot delete Authentication-Results #%zu",
			    m->queue_id ? m->queue_id : "-", m->ar_delete[i - 1]);
			metrics_error(s->env->metrics, METRICS_ERR_MILTER);
			return -1;
		}
	}
	if (m->arheader.len > 0 && verdict_insert(ctx, s,
	    "Authentication-Results", m->arheader.data) != 0)
		return -1;
	/* RFC 8617 5.1: each at the top, so ARC-Seal ends up first */
	if (m->seal.aar != NULL && (verdict_insert(ctx, s,
	    "ARC-Authentication-Results", m->seal.aar) != 0 ||
	    verdict_insert(ctx, s, "ARC-Message-Signature", m->seal.ams) != 0 ||
	    verdict_insert(ctx, s, "ARC-Seal", m->seal.as) != 0))
		return -1;
	return 0;
}

/* verdict_reply - set the SMTP reply for reject/tempfail */
static void
verdict_reply(SMFICTX *ctx, const struct session *s, const struct decision *d)
{
	char *text = verdict_reply_text(d->text ? d->text : "");

	if (smfi_setreply(ctx, (char *)d->rcode, (char *)d->xcode, text) !=
	    MI_SUCCESS) {
		log_err("smfi_setreply %s %s failed", d->rcode, d->xcode);
		metrics_error(s->env->metrics, METRICS_ERR_MILTER);
	}
	free(text);
}

/* verdict_count - the message and its method results into the metrics */
static void
verdict_count(const struct session *s, const struct message *m)
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

/* verdict_apply - header edits, then the action */
sfsistat
verdict_apply(SMFICTX *ctx, struct session *s)
{
	const struct message *m = s->msg;
	const struct decision *d = &m->decision;

	if (verdict_headers(ctx, s, m) != 0)
		return verdict_on_error(ctx, s, "header edit failed");
	verdict_log(s);
	verdict_count(s, m);
	switch (d->action) {
	case POLICY_REJECT:
		verdict_reply(ctx, s, d);
		return SMFIS_REJECT;
	case POLICY_TEMPFAIL:
		verdict_reply(ctx, s, d);
		return SMFIS_TEMPFAIL;
	case POLICY_QUARANTINE:
		if (smfi_quarantine(ctx, d->text) != MI_SUCCESS) {
			log_err("%s: smfi_quarantine failed",
			    m->queue_id ? m->queue_id : "-");
			metrics_error(s->env->metrics, METRICS_ERR_MILTER);
		}
		return SMFIS_CONTINUE;
	case POLICY_ACCEPT:
		break;
	}
	return SMFIS_CONTINUE;
}

/* verdict_on_error - internal fault: log once, never lose the mail */
sfsistat
verdict_on_error(SMFICTX *ctx, struct session *s, const char *why)
{
	(void)ctx;	/* accepting needs no further milter call */
	log_err("c=%lu: internal error: %s; message accepted",
	    s ? s->id : 0UL, why);
	if (s != NULL)
		metrics_error(s->env->metrics, METRICS_ERR_INTERNAL);
	return SMFIS_ACCEPT;
}
