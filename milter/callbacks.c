/* SPDX-License-Identifier: BSD-2-Clause */
/* callbacks - libmilter entry points; each hands its event to the pipeline */
#include "autoconf.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "callbacks.h"
#include "util/log.h"
#include "core/pipeline.h"
#include "verdict.h"
#include "util/xalloc.h"

#define CALLBACKS_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)

/*
 * Steps we never answer with anything but "continue": the MTA need not wait
 * for a reply, which saves one round trip per step (one per header field
 * and body chunk). Connect is not here: trusted clients are accepted there.
 * Only end of message carries a verdict. DATA and unknown commands have no
 * callback, so libmilter answers them itself: they are skipped instead.
 */
#define CALLBACKS_NOREPLY	(SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
	SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
/* steps we have no callback for: the MTA need not send them at all */
#define CALLBACKS_SKIPSTEPS	(SMFIP_NOUNKNOWN | SMFIP_NODATA)

/*
 * libmilter gives callbacks no user pointer, so the env slot and the
 * connection counter are the two process-wide values of milter/; both are
 * set before smfi_main() and are themselves thread-safe.
 */
static struct pipeline_slot *callbacks_slot;
static atomic_ulong callbacks_conns;

/* per connection, from negotiate to close */
struct milter_conn {
	int		 leadspc;	/* SMFIP_HDR_LEADSPC negotiated */
	unsigned long	 noreply;	/* SMFIP_NR_* negotiated */
	struct session	*s;		/* NULL before connect */
};

/* callbacks_conn - our private data, made on first use */
static struct milter_conn *
callbacks_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* callbacks_session - the session, or NULL when connect was refused */
static struct session *
callbacks_session(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	return c != NULL ? c->s : NULL;
}

/*
 * callbacks_continue - the "continue" answer of a step: libmilter's API
 * asks for SMFIS_NOREPLY exactly from the steps negotiated as no-reply.
 */
static sfsistat
callbacks_continue(SMFICTX *ctx, unsigned long step)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && (c->noreply & step) != 0)
		return SMFIS_NOREPLY;
	return SMFIS_CONTINUE;
}

/* mlfi_negotiate - actions we need, steps we skip, macros we want */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct milter_conn *c = callbacks_conn(ctx);

	(void)f2;	/* reserved by the protocol */
	(void)f3;
	if ((f0 & CALLBACKS_ACTIONS) != CALLBACKS_ACTIONS) {
		log_err("MTA offers actions %#lx, we need %#lx: not filtering",
		    f0, (unsigned long)CALLBACKS_ACTIONS);
		return SMFIS_REJECT;
	}
	/* DELRCPT only for ingest.deliver = false; asked for when offered */
	*pf0 = CALLBACKS_ACTIONS | (f0 & (SMFIF_SETSYMLIST | SMFIF_DELRCPT));
	*pf1 = f1 & (CALLBACKS_SKIPSTEPS | CALLBACKS_NOREPLY | SMFIP_HDR_LEADSPC);
	*pf2 = *pf3 = 0;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	c->noreply = *pf1 & CALLBACKS_NOREPLY;
	log_debug("negotiated actions %#lx, protocol %#lx (MTA offered %#lx)",
	    *pf0, *pf1, f1);
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, "j {daemon_name} _");
		/* x-tls: what Postfix and Sendmail send at HELO (after
		 * STARTTLS the client says EHLO again) */
		smfi_setsymlist(ctx, SMFIM_HELO, "{tls_version} {cipher} "
		    "{cipher_bits} {cert_subject}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_type} {auth_authen} {mail_addr}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

/* mlfi_connect - new session; trusted clients are let through unchecked */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct milter_conn *c = callbacks_conn(ctx);
	unsigned long id = atomic_fetch_add(&callbacks_conns, 1) + 1;
	enum pipeline_start start;

	(void)hostname;	/* not used for any check (RFC 7208 has no PTR use) */
	pipeline_close(c->s);
	c->s = pipeline_connect(pipeline_slot_acquire(callbacks_slot), id,
	    hostaddr, smfi_getsymval(ctx, "j"), c->leadspc, &start);
	return start == PIPELINE_SKIP ? SMFIS_ACCEPT : SMFIS_CONTINUE;
}

/* mlfi_helo - HELO/EHLO argument */
static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL) {
		pipeline_helo(s, helo);
		pipeline_tls(s, smfi_getsymval(ctx, "{tls_version}"),
		    smfi_getsymval(ctx, "{cipher}"),
		    smfi_getsymval(ctx, "{cipher_bits}"),
		    smfi_getsymval(ctx, "{cert_subject}"));
	}
	return callbacks_continue(ctx, SMFIP_NR_HELO);
}

/* mlfi_envfrom - new transaction */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = callbacks_session(ctx);

	if (s == NULL)
		return callbacks_continue(ctx, SMFIP_NR_MAIL);
	pipeline_mail(s, argv[0], smfi_getsymval(ctx, "{auth_authen}"));
	pipeline_queue_id(s, smfi_getsymval(ctx, "i"));
	return callbacks_continue(ctx, SMFIP_NR_MAIL);
}

/* mlfi_envrcpt - one recipient */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL)
		pipeline_rcpt(s, argv[0]);
	return callbacks_continue(ctx, SMFIP_NR_RCPT);
}

/* mlfi_header - one header field */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL)
		pipeline_header(s, name, value, strlen(value));
	return callbacks_continue(ctx, SMFIP_NR_HDR);
}

/* mlfi_eoh - end of headers; Postfix has a queue id by now */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL) {
		pipeline_queue_id(s, smfi_getsymval(ctx, "i"));
		pipeline_eoh(s);
	}
	return callbacks_continue(ctx, SMFIP_NR_EOH);
}

/* mlfi_body - one body chunk */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL)
		pipeline_body(s, data, len);
	return callbacks_continue(ctx, SMFIP_NR_BODY);
}

/* mlfi_eom - evaluate and carry out the verdict */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	sfsistat rc;

	if (c == NULL || c->s == NULL)
		return verdict_on_error(ctx, NULL, "end of message without a "
		    "connection");
	pipeline_queue_id(c->s, smfi_getsymval(ctx, "i"));
	rc = verdict_apply(ctx, c->s, pipeline_eom(c->s), c->leadspc);
	pipeline_end(c->s);
	return rc;
}

/* mlfi_abort - transaction ended early */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct session *s = callbacks_session(ctx);

	if (s != NULL)
		pipeline_end(s);
	return SMFIS_CONTINUE;
}

/* mlfi_close - connection gone; may be the only callback we get */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		pipeline_close(c->s);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc callbacks_table = {
	.xxfi_name = "authmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = CALLBACKS_ACTIONS | SMFIF_DELRCPT,
	.xxfi_connect = mlfi_connect,
	.xxfi_helo = mlfi_helo,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};

/* callbacks_init - the slot every connection takes its env from */
void
callbacks_init(struct pipeline_slot *slot)
{
	callbacks_slot = slot;
}

/* callbacks_desc - the table for smfi_register() */
struct smfiDesc *
callbacks_desc(void)
{
	return &callbacks_table;
}
