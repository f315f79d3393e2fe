/* dkim - libopendkim verifier fed from the pipeline, keys via lib/resolver */
#include "autoconf.h"

#include <sys/types.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>

#include "buf.h"
#include "config.h"
#include "dkim.h"
#include "log.h"
#include "resolver.h"
#include "xalloc.h"

#define DKIM_MAX_HEADER	(128 * 1024)	/* one field as fed to libopendkim */

struct dkim_lib {
	DKIM_LIB	*lib;		/* libopendkim, shared read-only */
	int		 min_key_bits;	/* dkim.min_key_bits */
};

enum dkim_state { DKIM_S_HEADERS, DKIM_S_BODY, DKIM_S_DONE };

struct dkim_verifier {
	struct dkim_lib	*dl;		/* library of this configuration */
	DKIM		*d;		/* libopendkim handle, NULL if none */
	enum dkim_state	 state;		/* where the message is */
	int		 max;		/* signatures to verify */
	int		 nosig;		/* no DKIM-Signature at all */
	char		 broken[96];	/* why verification stopped, or "" */
	struct buf	 field;		/* scratch: "Name:value" with CRLF */
};

/* one key lookup, done at start and handed over at waitreply */
struct dkim_query {
	enum resolver_status st;	/* lookup status */
	size_t		 len;		/* reply bytes in the library's buffer */
	int		 secure;	/* DNSSEC validated */
};

/* dkim_q_start - libopendkim asks for a key: look it up now */
static int
dkim_q_start(void *srv, int type, unsigned char *name, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct dkim_query *q = xcalloc(1, sizeof(*q));
	struct resolver_answer *a = NULL;

	q->st = resolver_query(srv, (const char *)name, type, NULL, &a);
	if (q->st == RESOLVER_OK || q->st == RESOLVER_NXDOMAIN ||
	    q->st == RESOLVER_NODATA) {
		/* libopendkim parses the whole wire reply itself */
		if (a->packet == NULL || (size_t)a->packet_len > buflen)
			q->st = RESOLVER_FAIL;
		else {
			memcpy(buf, a->packet, (size_t)a->packet_len);
			q->len = (size_t)a->packet_len;
			q->secure = a->secure;
		}
	}
	resolver_answer_free(a);
	*qh = q;
	return 0;
}

/* dkim_q_wait - the answer is already there; errors become KEYFAIL */
static int
dkim_q_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *err,
    int *dnssec)
{
	struct dkim_query *q = qh;

	(void)srv;	/* the lookup ran in dkim_q_start */
	(void)to;
	if (q->st != RESOLVER_OK && q->st != RESOLVER_NXDOMAIN &&
	    q->st != RESOLVER_NODATA) {
		if (err != NULL)
			*err = (int)q->st;
		return DKIM_DNS_ERROR;
	}
	*bytes = q->len;
	if (dnssec != NULL)
		*dnssec = q->secure ? DKIM_DNSSEC_SECURE : DKIM_DNSSEC_INSECURE;
	return DKIM_DNS_SUCCESS;
}

/* dkim_q_cancel - called once per query: release it */
static int
dkim_q_cancel(void *srv, void *qh)
{
	(void)srv;
	free(qh);
	return 0;
}

/* dkim_prescreen - verify the first max signatures, ignore the rest */
static DKIM_CBSTAT
dkim_prescreen(DKIM *d, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkim_verifier *v = dkim_get_user_context(d);
	int i;

	for (i = v != NULL ? v->max : DKIM_MAX_SIGNATURES; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* dkim_lib_new - a libopendkim instance whose lookups use res */
struct dkim_lib *
dkim_lib_new(struct resolver *res, const struct config *cfg, struct buf *why)
{
	struct dkim_lib *dl = xcalloc(1, sizeof(*dl));
	uint32_t flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	u_int bits = (u_int)cfg->dkim.min_key_bits;
	u_int timeout = (u_int)cfg->dns.timeout;

	dl->min_key_bits = cfg->dkim.min_key_bits;
	if ((dl->lib = dkim_init(NULL, NULL)) == NULL) {
		buf_puts(why, "libopendkim: dkim_init failed");
		free(dl);
		return NULL;
	}
	/* option sizes must match libopendkim's own fields exactly */
	if (dkim_options(dl->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_options(dl->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &bits,
	    sizeof(bits)) != DKIM_STAT_OK ||
	    dkim_options(dl->lib, DKIM_OP_SETOPT, DKIM_OPTS_TIMEOUT, &timeout,
	    sizeof(timeout)) != DKIM_STAT_OK) {
		buf_puts(why, "libopendkim: option rejected");
		dkim_lib_free(dl);
		return NULL;
	}
	dkim_dns_set_query_service(dl->lib, res);
	dkim_dns_set_query_start(dl->lib, dkim_q_start);
	dkim_dns_set_query_waitreply(dl->lib, dkim_q_wait);
	dkim_dns_set_query_cancel(dl->lib, dkim_q_cancel);
	/* the default hooks would res_nclose() and free our resolver */
	dkim_dns_set_init(dl->lib, NULL);
	dkim_dns_set_close(dl->lib, NULL);
	if (dkim_set_prescreen(dl->lib, dkim_prescreen) != DKIM_STAT_OK) {
		buf_puts(why, "libopendkim: prescreen rejected");
		dkim_lib_free(dl);
		return NULL;
	}
	return dl;
}

/* dkim_lib_free - when the last session of its configuration is gone */
void
dkim_lib_free(struct dkim_lib *dl)
{
	if (dl == NULL)
		return;
	if (dl->lib != NULL)
		dkim_close(dl->lib);
	free(dl);
}

/* dkim_verifier_new - one message; id names it in libopendkim's logs */
struct dkim_verifier *
dkim_verifier_new(struct dkim_lib *dl, const char *id, int max_signatures)
{
	struct dkim_verifier *v = xcalloc(1, sizeof(*v));
	DKIM_STAT st;

	v->dl = dl;
	v->max = max_signatures;
	buf_init(&v->field, DKIM_MAX_HEADER);
	v->d = dkim_verify(dl->lib, (const unsigned char *)id, NULL, &st);
	if (v->d == NULL)
		snprintf(v->broken, sizeof(v->broken), "libopendkim: %s",
		    dkim_getresultstr(st));
	else
		dkim_set_user_context(v->d, v);
	return v;
}

/* dkim_verifier_header - "Name:value" with folds as CRLF, in order */
void
dkim_verifier_header(struct dkim_verifier *v, const char *name,
    const char *value, size_t len, int leadspc)
{
	size_t i;

	if (v->state != DKIM_S_HEADERS || v->broken[0] != '\0')
		return;
	buf_reset(&v->field);
	buf_printf(&v->field, "%s:%s", name, leadspc ? "" : " ");
	for (i = 0; i < len; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			buf_putc(&v->field, '\r');
		buf_putc(&v->field, value[i]);
	}
	if (v->field.truncated) {
		dkim_verifier_overflow(v);
		return;
	}
	/* a field libopendkim cannot take is skipped; its signer will fail */
	if (dkim_header(v->d, (unsigned char *)v->field.data,
	    v->field.len) != DKIM_STAT_OK)
		log_debug("dkim: header field '%s' refused by libopendkim",
		    name);
}

/* dkim_verifier_overflow - the message is past our header limits */
void
dkim_verifier_overflow(struct dkim_verifier *v)
{
	if (v->broken[0] == '\0')
		snprintf(v->broken, sizeof(v->broken),
		    "message header over the size limits");
}

/* dkim_verifier_eoh - key lookups happen here */
void
dkim_verifier_eoh(struct dkim_verifier *v)
{
	DKIM_STAT st;

	if (v->state != DKIM_S_HEADERS)
		return;
	v->state = DKIM_S_BODY;
	if (v->broken[0] != '\0')
		return;
	st = dkim_eoh(v->d);
	if (st == DKIM_STAT_NOSIG)
		v->nosig = 1;
	else if (st == DKIM_STAT_SYNTAX)
		snprintf(v->broken, sizeof(v->broken), "message header "
		    "unusable: %s", dkim_geterror(v->d) ? dkim_geterror(v->d) :
		    "syntax error");
}

/* dkim_verifier_body - one body chunk, CRLF line ends */
void
dkim_verifier_body(struct dkim_verifier *v, const unsigned char *p,
    size_t len)
{
	if (v->state == DKIM_S_HEADERS)
		dkim_verifier_eoh(v);
	if (v->state != DKIM_S_BODY || v->nosig || v->broken[0] != '\0' ||
	    len == 0)
		return;
	if (dkim_body(v->d, (unsigned char *)p, len) != DKIM_STAT_OK)
		log_debug("dkim: body chunk refused");
}

/* dkim_tag - a tag value of the signature, whitespace removed */
static char *
dkim_tag(DKIM_SIGINFO *sig, const char *tag)
{
	unsigned char *v = dkim_sig_gettagvalue(sig, 0, (unsigned char *)tag);
	char *out, *o;

	if (v == NULL)
		return NULL;
	out = o = xstrdup((const char *)v);
	for (; *v != '\0'; v++)
		if (!isspace(*v))
			*o++ = (char)*v;
	*o = '\0';
	return out;
}

/* dkim_map_error - a libopendkim signature error as a result */
static enum method_result
dkim_map_error(int err, int bh, unsigned flags, const char **why)
{
	if (bh == DKIM_SIGBH_MISMATCH && (flags & DKIM_SIGFLAG_PASSED)) {
		*why = "body hash mismatch";
		return METHOD_FAIL;
	}
	switch (err) {
	case DKIM_SIGERROR_OK:
		if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) {
			*why = "not processed";
			return METHOD_NEUTRAL;
		}
		*why = bh == DKIM_SIGBH_MISMATCH ? "body hash mismatch" :
		    "signature mismatch";
		return METHOD_FAIL;
	case DKIM_SIGERROR_KEYFAIL:
		*why = "key lookup failed";
		return METHOD_TEMPERROR;
	case DKIM_SIGERROR_KEYTOOSMALL:
		*why = "key too small";
		return METHOD_POLICY;
	case DKIM_SIGERROR_BADSIG:
	case DKIM_SIGERROR_EXPIRED:
	case DKIM_SIGERROR_FUTURE:
		*why = dkim_sig_geterrorstr(err);
		return METHOD_FAIL;
	default:
		*why = dkim_sig_geterrorstr(err);
		if (*why == NULL)
			*why = "unusable signature";
		return METHOD_PERMERROR;
	}
}

/* dkim_sig_fill - one signature's fields and result */
static void
dkim_sig_fill(struct dkim_verifier *v, DKIM_SIGINFO *sig, struct dkim_sig *s)
{
	unsigned flags = dkim_sig_getflags(sig);
	unsigned char *p;
	unsigned int bits = 0;
	ssize_t msglen = 0, canonlen = 0, signlen = -1;
	const char *why = NULL;
	char note[96];

	s->d = xstrdup((p = dkim_sig_getdomain(sig)) ? (char *)p : "");
	s->s = xstrdup((p = dkim_sig_getselector(sig)) ? (char *)p : "");
	s->a = xstrdup((p = dkim_sig_getalgorithm(sig)) ? (char *)p : "");
	s->i = dkim_tag(sig, "i");
	s->b = dkim_tag(sig, "b");
	if (s->b == NULL)
		s->b = xstrdup("");
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		s->keybits = (int)bits;
	s->testkey = (flags & DKIM_SIGFLAG_TESTKEY) != 0;
	s->length = -1;
	if (v->broken[0] != '\0') {
		s->result = METHOD_PERMERROR;
		s->reason = xstrdup(v->broken);
		return;
	}
	if (DKIM_SIG_CHECK(sig)) {
		s->result = METHOD_PASS;
		why = "good signature";
	} else
		s->result = dkim_map_error(dkim_sig_geterror(sig),
		    dkim_sig_getbh(sig), flags, &why);
	if (dkim_sig_getcanonlen(v->d, sig, &msglen, &canonlen, &signlen) ==
	    DKIM_STAT_OK && signlen != (ssize_t)-1) {
		s->length = (long)signlen;
		/* RFC 6376 section 8.2: anyone may append after l= */
		if (s->result == METHOD_PASS && msglen > canonlen) {
			snprintf(note, sizeof(note), "l= leaves %ld body bytes "
			    "unsigned", (long)(msglen - canonlen));
			s->result = METHOD_POLICY;
			why = note;
		}
	}
	if (s->result == METHOD_PASS && strcasecmp(s->a, "rsa-sha1") == 0) {
		s->result = METHOD_POLICY;
		why = "rsa-sha1 is not acceptable (RFC 8301)";
	} else if (s->result == METHOD_PASS && s->keybits > 0 &&
	    s->keybits < v->dl->min_key_bits) {
		s->result = METHOD_POLICY;
		why = "key too small";
	}
	s->reason = xstrdup(why);
	s->aligned_use = s->result == METHOD_PASS;
}

/* dkim_unique_b - header.b: the shortest prefix (>= 8) that is unique */
static void
dkim_unique_b(struct dkim_result *r)
{
	size_t i, j, n;

	for (i = 0; i < r->n; i++) {
		for (n = DKIM_B_PREFIX; n < strlen(r->sig[i].b); n++) {
			for (j = 0; j < r->n; j++)
				if (j != i && strncmp(r->sig[i].b, r->sig[j].b,
				    n) == 0)
					break;
			if (j == r->n)
				break;
		}
		r->sig[i].b[n < strlen(r->sig[i].b) ? n : strlen(r->sig[i].b)] =
		    '\0';
	}
}

/* dkim_verifier_finish - end of message: every signature's result */
void
dkim_verifier_finish(struct dkim_verifier *v, struct dkim_result *r)
{
	DKIM_SIGINFO **sigs = NULL;
	_Bool testkey = 0;
	int nsigs = 0, i;

	memset(r, 0, sizeof(*r));
	r->checked = 1;
	if (v->state == DKIM_S_HEADERS)
		dkim_verifier_eoh(v);
	if (v->state == DKIM_S_DONE || v->d == NULL || v->nosig)
		return;
	v->state = DKIM_S_DONE;
	if (v->broken[0] == '\0')
		(void)dkim_eom(v->d, &testkey);	/* per-signature results below */
	if (dkim_getsiglist(v->d, &sigs, &nsigs) != DKIM_STAT_OK || nsigs <= 0)
		return;
	r->sig = xcalloc((size_t)nsigs, sizeof(*r->sig));
	for (i = 0; i < nsigs; i++) {
		if (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) {
			r->skipped++;
			continue;
		}
		dkim_sig_fill(v, sigs[i], &r->sig[r->n++]);
	}
	dkim_unique_b(r);
}

/* dkim_verifier_free - safe at any point of the message */
void
dkim_verifier_free(struct dkim_verifier *v)
{
	if (v == NULL)
		return;
	if (v->d != NULL)
		dkim_free(v->d);
	buf_free(&v->field);
	free(v);
}

/* dkim_result_free - release every signature's strings */
void
dkim_result_free(struct dkim_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->sig[i].reason);
		free(r->sig[i].d);
		free(r->sig[i].i);
		free(r->sig[i].s);
		free(r->sig[i].a);
		free(r->sig[i].b);
	}
	free(r->sig);
	memset(r, 0, sizeof(*r));
}
