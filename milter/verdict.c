/* SPDX-License-Identifier: BSD-2-Clause */
/* verdict - the pipeline's verdict as milter actions */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "core/pipeline.h"
#include "verdict.h"

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

/* verdict_edit - one header edit; -1 when libmilter refuses it */
static int
verdict_edit(SMFICTX *ctx, const struct pipeline_edit *e, int leadspc)
{
	char *v;
	int rc;

	if (e->op == PIPELINE_EDIT_DELETE)
		return smfi_chgheader(ctx, (char *)e->name, (int)e->index,
		    NULL) == MI_SUCCESS ? 0 : -1;
	/* with SMFIP_HDR_LEADSPC the MTA takes the value byte for byte */
	v = xmalloc(strlen(e->value) + 2);
	strcpy(v, leadspc ? " " : "");
	strcat(v, e->value);
	rc = smfi_insheader(ctx, 0, (char *)e->name, v);
	free(v);
	return rc == MI_SUCCESS ? 0 : -1;
}

/* verdict_reply - set the SMTP reply for reject/tempfail */
static void
verdict_reply(SMFICTX *ctx, struct session *s,
    const struct pipeline_verdict *v)
{
	char *text = verdict_reply_text(v->text ? v->text : "");

	if (smfi_setreply(ctx, (char *)v->rcode, (char *)v->xcode, text) !=
	    MI_SUCCESS) {
		log_err("%s: smfi_setreply %s %s failed", v->id, v->rcode,
		    v->xcode);
		pipeline_fault(s, 1);
	}
	free(text);
}

/*
 * verdict_delrcpt - ingest.deliver = false: the report addresses are
 * taken out (their message is queued for the store); the others get it
 */
static void
verdict_delrcpt(SMFICTX *ctx, struct session *s,
    const struct pipeline_verdict *v)
{
	size_t i;

	for (i = 0; i < v->ndelrcpt; i++)
		if (smfi_delrcpt(ctx, (char *)v->delrcpt[i]) != MI_SUCCESS) {
			log_err("%s: smfi_delrcpt %s failed (is the DELRCPT "
			    "action offered?)", v->id, v->delrcpt[i]);
			pipeline_fault(s, 1);
		}
}

/* verdict_apply - header edits in order, the log line, then the action */
sfsistat
verdict_apply(SMFICTX *ctx, struct session *s,
    const struct pipeline_verdict *v, int leadspc)
{
	size_t i;

	for (i = 0; i < v->nedits; i++)
		if (verdict_edit(ctx, &v->edits[i], leadspc) != 0) {
			log_err("%s: cannot %s %s #%zu", v->id,
			    v->edits[i].op == PIPELINE_EDIT_DELETE ? "delete" :
			    "insert", v->edits[i].name, v->edits[i].index);
			pipeline_fault(s, 1);
			return verdict_on_error(ctx, s, "header edit failed");
		}
	log_info("%s", v->log);
	if (v->discard)
		return SMFIS_DISCARD;	/* a report for us only: it is stored */
	verdict_delrcpt(ctx, s, v);
	switch (v->action) {
	case POLICY_REJECT:
		verdict_reply(ctx, s, v);
		return SMFIS_REJECT;
	case POLICY_TEMPFAIL:
		verdict_reply(ctx, s, v);
		return SMFIS_TEMPFAIL;
	case POLICY_QUARANTINE:
		if (smfi_quarantine(ctx, (char *)v->text) != MI_SUCCESS) {
			log_err("%s: smfi_quarantine failed", v->id);
			pipeline_fault(s, 1);
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
	log_err("internal error: %s; message accepted", why);
	pipeline_fault(s, 0);
	return SMFIS_ACCEPT;
}
