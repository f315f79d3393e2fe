/* dkimsign - libopendkim's signer fed from the pipeline */
#include "autoconf.h"

#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dkim.h"
#include "auth/dkimsign.h"
#include "util/xalloc.h"

/* "DKIM-Signature: ": the width of the first line libopendkim folds */
#define DKIMSIGN_INDENT	16

struct dkimsign_context {
	DKIM_LIB	*lib;		/* signing library, shared read-only */
	const struct config *cfg;	/* its lists; the env holds the config */
};

struct dkimsign {
	DKIM		*d;		/* libopendkim signing handle */
	DKIM_LIB	*own;		/* a fixed-time library, or NULL */
	struct buf	 field;		/* scratch: one field as fed */
	int		 refused;	/* a field was refused */
	int		 eoh;		/* end of headers given */
	char		 err[128];	/* why it cannot sign, or "" */
};

/*
 * dkimsign_lib - a DKIM_LIB with the signed-header lists and x= of cfg;
 * fixed: t= is that time instead of the clock (authmilter-check --time)
 */
static DKIM_LIB *
dkimsign_lib(const struct config *cfg, time_t fixed, struct buf *why)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	uint64_t ttl = (uint64_t)cfg->signing.expire, t = (uint64_t)fixed;
	const char **hdrs = (const char **)cfg->signing.headers.v;
	const char **over = (const char **)cfg->signing.oversign.v;

	if (lib == NULL) {
		buf_puts(why, "libopendkim: dkim_init failed");
		return NULL;
	}
	/* option sizes must match libopendkim's own fields exactly */
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, hdrs,
	    sizeof(hdrs)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, over,
	    sizeof(over)) != DKIM_STAT_OK ||
	    (ttl > 0 && dkim_options(lib, DKIM_OP_SETOPT,
	    DKIM_OPTS_SIGNATURETTL, &ttl, sizeof(ttl)) != DKIM_STAT_OK) ||
	    (t > 0 && dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME,
	    &t, sizeof(t)) != DKIM_STAT_OK)) {
		buf_puts(why, "libopendkim: signing option rejected");
		dkim_close(lib);
		return NULL;
	}
	return lib;
}

/* dkimsign_context_new - the signing library of one configuration */
struct dkimsign_context *
dkimsign_context_new(const struct config *cfg, struct buf *why)
{
	struct dkimsign_context *c = xcalloc(1, sizeof(*c));

	c->cfg = cfg;
	if ((c->lib = dkimsign_lib(cfg, 0, why)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

/* dkimsign_context_free - with its configuration's env */
void
dkimsign_context_free(struct dkimsign_context *c)
{
	if (c == NULL)
		return;
	dkim_close(c->lib);
	free(c);
}

/*
 * dkimsign_new - one signature, d=domain s=selector with the PEM key pem
 * (kept alive by the caller until dkimsign_free()); fixed: t= (0: now)
 */
struct dkimsign *
dkimsign_new(struct dkimsign_context *c, const char *id, const char *domain,
    const char *selector, enum pkey_alg alg, const char *pem, time_t fixed,
    struct buf *why)
{
	struct dkimsign *s = xcalloc(1, sizeof(*s));
	DKIM_LIB *lib = c->lib;
	DKIM_STAT st;

	if (fixed != 0 && (lib = s->own = dkimsign_lib(c->cfg, fixed,
	    why)) == NULL) {
		free(s);
		return NULL;
	}
	s->d = dkim_sign(lib, (const unsigned char *)id, NULL,
	    (dkim_sigkey_t)pem, (const unsigned char *)selector,
	    (const unsigned char *)domain, DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, alg == PKEY_ED25519_SHA256 ?
	    DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256, -1, &st);
	if (s->d == NULL) {
		buf_printf(why, "libopendkim: %s", dkim_getresultstr(st));
		dkimsign_free(s);
		return NULL;
	}
	buf_init(&s->field, DKIM_FIELD_MAX);
	return s;
}

/* dkimsign_fail - remember the first reason; nothing more is fed */
static void
dkimsign_fail(struct dkimsign *s, const char *what)
{
	const char *e = dkim_geterror(s->d);

	if (s->err[0] == '\0')
		snprintf(s->err, sizeof(s->err), "libopendkim: %s%s%s", what,
		    e != NULL && *e != '\0' ? ": " : "", e != NULL ? e : "");
	s->refused = 1;
}

/* dkimsign_header - one field, in order; -1 refused (do not sign) */
int
dkimsign_header(struct dkimsign *s, const char *name, const char *value,
    size_t len, int leadspc)
{
	buf_reset(&s->field);
	dkim_field_text(&s->field, name, value, len, leadspc);
	if (s->refused || s->eoh)
		return -1;
	if (s->field.truncated)
		snprintf(s->err, sizeof(s->err), "a header field is too long");
	else if (dkim_header(s->d, (unsigned char *)s->field.data,
	    s->field.len) == DKIM_STAT_OK)
		return 0;
	else
		dkimsign_fail(s, "header field refused");
	s->refused = 1;
	return -1;
}

/* dkimsign_eoh - the header is complete: the body may come */
void
dkimsign_eoh(struct dkimsign *s)
{
	if (s->eoh)
		return;
	s->eoh = 1;
	if (!s->refused && dkim_eoh(s->d) != DKIM_STAT_OK)
		dkimsign_fail(s, "end of header refused");
}

/* dkimsign_body - one body chunk, CRLF line ends */
void
dkimsign_body(struct dkimsign *s, const unsigned char *p, size_t len)
{
	dkimsign_eoh(s);
	if (s->refused || len == 0)
		return;
	if (dkim_body(s->d, (unsigned char *)p, len) != DKIM_STAT_OK)
		dkimsign_fail(s, "body chunk refused");
}

/* dkimsign_finish - the DKIM-Signature value appended to out; -1 why */
int
dkimsign_finish(struct dkimsign *s, struct buf *out, struct buf *why)
{
	unsigned char *v = NULL;
	size_t len = 0, i;
	const char *err;

	dkimsign_eoh(s);
	if (s->refused) {
		buf_puts(why, s->err);
		return -1;
	}
	if (dkim_eom(s->d, NULL) != DKIM_STAT_OK ||
	    dkim_getsighdr_d(s->d, DKIMSIGN_INDENT, &v, &len) !=
	    DKIM_STAT_OK || v == NULL) {
		err = dkim_geterror(s->d);
		buf_printf(why, "libopendkim: %s", err != NULL && *err != '\0' ?
		    err : "no signature made");
		return -1;
	}
	if (len > DKIMSIGN_MAX_VALUE) {
		buf_puts(why, "signature larger than expected");
		return -1;
	}
	/* folds as the milter API takes them: LF, as in the ARC set */
	for (i = 0; i < len; i++)
		if (v[i] != '\r' || i + 1 >= len || v[i + 1] != '\n')
			buf_putc(out, v[i]);
	return out->truncated ? -1 : 0;
}

/* dkimsign_free - the handle, and a fixed-time library; NULL is fine */
void
dkimsign_free(struct dkimsign *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		dkim_free(s->d);
	if (s->own != NULL)
		dkim_close(s->own);
	buf_free(&s->field);
	free(s);
}
