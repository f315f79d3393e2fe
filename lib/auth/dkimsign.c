/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkimsign - DKIM signatures fed from the pipeline: libopendkim's signer
 * for rsa-sha256, our own for ed25519-sha256 (dkimsign.h says why)
 */
#include "autoconf.h"

#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "util/buf.h"
#include "util/config.h"
#include "mail/canon.h"
#include "mail/hdr.h"
#include "auth/dkim.h"
#include "auth/dkimsign.h"
#include "auth/keytable.h"
#include "util/xalloc.h"

/* "DKIM-Signature: ": the width of the first line libopendkim folds */
#define DKIMSIGN_INDENT	16

struct dkimsign_context {
	DKIM_LIB	*lib;		/* signing library, shared read-only */
	const struct config *cfg;	/* its lists; the env holds the config */
};

struct dkimsign {
	const struct keytable_key *key;	/* d=, s=, a= and the key */
	const struct config *cfg;	/* signing.* */
	time_t		 fixed;		/* t=, or 0: the clock */
	struct canon_body body;		/* ours: the relaxed body hash */
	DKIM		*d;		/* libopendkim's handle, or NULL: ours */
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
 * dkimsign_new - one signature with key k (kept alive by the caller
 * until dkimsign_free()); fixed: t= (0: now)
 */
struct dkimsign *
dkimsign_new(struct dkimsign_context *c, const char *id,
    const struct keytable_key *k, time_t fixed, struct buf *why)
{
	struct dkimsign *s = xcalloc(1, sizeof(*s));
	DKIM_LIB *lib = c->lib;
	DKIM_STAT st;

	s->key = k;
	s->cfg = c->cfg;
	s->fixed = fixed;
	buf_init(&s->field, DKIM_FIELD_MAX);
	if (k->alg == PKEY_ED25519_SHA256) {
		if (canon_body_init(&s->body, 1, 1, -1) == 0)
			return s;
		buf_puts(why, "cannot set up the body hash");
		dkimsign_free(s);
		return NULL;
	}
	if (fixed != 0 && (lib = s->own = dkimsign_lib(c->cfg, fixed,
	    why)) == NULL) {
		dkimsign_free(s);
		return NULL;
	}
	s->d = dkim_sign(lib, (const unsigned char *)id, NULL,
	    (dkim_sigkey_t)k->pem, (const unsigned char *)k->selector,
	    (const unsigned char *)k->domain, DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	if (s->d == NULL) {
		buf_printf(why, "libopendkim: %s", dkim_getresultstr(st));
		dkimsign_free(s);
		return NULL;
	}
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

/*
 * dkimsign_header - one field, in order, to libopendkim (ours reads the
 * header store at the end); -1 refused (do not sign)
 */
int
dkimsign_header(struct dkimsign *s, const char *name, const char *value,
    size_t len, int leadspc)
{
	if (s->d == NULL)
		return 0;
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
	if (s->d != NULL && !s->refused && dkim_eoh(s->d) != DKIM_STAT_OK)
		dkimsign_fail(s, "end of header refused");
}

/* dkimsign_body - one body chunk, CRLF line ends */
void
dkimsign_body(struct dkimsign *s, const unsigned char *p, size_t len)
{
	dkimsign_eoh(s);
	if (s->refused || len == 0)
		return;
	if (s->d == NULL)
		canon_body_update(&s->body, p, len);
	else if (dkim_body(s->d, (unsigned char *)p, len) != DKIM_STAT_OK)
		dkimsign_fail(s, "body chunk refused");
}

/* dkimsign_fold - libopendkim's value with its CRLF folds made LF */
static int
dkimsign_fold(const unsigned char *v, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] != '\r' || i + 1 >= len || v[i + 1] != '\n')
			buf_putc(out, v[i]);
	return out->truncated ? -1 : 0;
}

/* dkimsign_libopendkim - the rsa-sha256 signature libopendkim makes */
static int
dkimsign_libopendkim(struct dkimsign *s, struct buf *out, struct buf *why)
{
	unsigned char *v = NULL;
	size_t len = 0;
	const char *err;

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
	return dkimsign_fold(v, len, out);
}

/*
 * dkimsign_hlist - h=: every field of signing.headers present, top down
 * as libopendkim lists them, then each of signing.oversign once more
 */
static void
dkimsign_hlist(const struct config *cfg, const struct hdr *hdr,
    struct buf *h)
{
	const struct config_list *sh = &cfg->signing.headers;
	const struct config_list *ov = &cfg->signing.oversign;
	size_t i, j;

	for (i = 0; i < hdr->n + ov->n; i++) {
		const char *name = NULL;

		if (i >= hdr->n)
			name = ov->v[i - hdr->n];
		else
			for (j = 0; name == NULL && j < sh->n; j++)
				if (hdr_name_is(hdr->f[i].name, sh->v[j]))
					name = sh->v[j];
		if (name != NULL)
			buf_printf(h, "%s%s", h->len > 0 ? ":" : "", name);
	}
}

/* dkimsign_hfold - h= into the value, folded after a colon now and then */
static void
dkimsign_hfold(const struct buf *h, struct buf *value)
{
	size_t i, line = 0;

	for (i = 0; i < h->len; i++, line++) {
		buf_putc(value, h->data[i]);
		if (h->data[i] == ':' && line > 60) {
			buf_puts(value, "\n\t ");
			line = 0;
		}
	}
}

/*
 * dkimsign_ours - the ed25519-sha256 signature (RFC 8463): the relaxed
 * body hash, the signed fields of hdr bottom-up (RFC 6376 5.4.2) and the
 * field itself with b= empty, signed with the parsed key
 */
static int
dkimsign_ours(struct dkimsign *s, const struct hdr *hdr, int leadspc,
    struct buf *out, struct buf *why)
{
	unsigned char bh[EVP_MAX_MD_SIZE];
	struct buf h, value, data;
	size_t bhlen = 0;
	time_t t = s->fixed != 0 ? s->fixed : time(NULL);
	int rc;

	canon_body_final(&s->body, bh, &bhlen);
	buf_init(&h, 8192);
	buf_init(&value, DKIMSIGN_MAX_VALUE);
	buf_init(&data, 2 * HDR_MAX_BYTES);
	dkimsign_hlist(s->cfg, hdr, &h);
	buf_printf(&value, "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=%s;"
	    "\n\ts=%s; t=%lld;", s->key->domain, s->key->selector,
	    (long long)t);
	if (s->cfg->signing.expire > 0)
		buf_printf(&value, " x=%lld;", (long long)t +
		    s->cfg->signing.expire);
	buf_puts(&value, "\n\th=");
	dkimsign_hfold(&h, &value);
	buf_puts(&value, ";\n\tbh=");
	pkey_b64(bh, bhlen, &value);
	buf_puts(&value, ";\n\tb=");
	canon_headers(&data, hdr, h.data, 1, leadspc);
	canon_header(&data, "DKIM-Signature", value.data, value.len, 1, 1, 0);
	rc = data.truncated || value.truncated ? -1 : pkey_sign(s->key->key,
	    PKEY_ED25519_SHA256, data.data, data.len, &value);
	if (rc == 0)
		rc = buf_append(out, value.data, value.len);
	else
		buf_puts(why, "ed25519 signing failed");
	buf_free(&h);
	buf_free(&value);
	buf_free(&data);
	return rc;
}

/*
 * dkimsign_finish - the DKIM-Signature value appended to out; hdr is the
 * header as it will be delivered (its signed fields); -1 with why
 */
int
dkimsign_finish(struct dkimsign *s, const struct hdr *hdr, int leadspc,
    struct buf *out, struct buf *why)
{
	dkimsign_eoh(s);
	if (s->refused) {
		buf_puts(why, s->err);
		return -1;
	}
	if (s->d == NULL)
		return dkimsign_ours(s, hdr, leadspc, out, why);
	return dkimsign_libopendkim(s, out, why);
}

/* dkimsign_free - the handle, and a fixed-time library; NULL is fine */
void
dkimsign_free(struct dkimsign *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		dkim_free(s->d);
	else if (s->body.md != NULL)
		canon_body_final(&s->body, NULL, NULL);
	if (s->own != NULL)
		dkim_close(s->own);
	buf_free(&s->field);
	free(s);
}
