/* SPDX-License-Identifier: BSD-2-Clause */
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

#include "util/buf.h"
#include "mail/canon.h"
#include "util/config.h"
#include "auth/dermemo.h"
#include "auth/dkim.h"
#include "dns/dnsbudget.h"
#include "util/log.h"
#include "dns/resolver.h"
#include "auth/dkim_keys.h"
#include "mail/tags.h"
#include "util/xalloc.h"


struct dkim_context {
	DKIM_LIB	*lib;		/* libopendkim, shared read-only */
	int		 min_key_bits;	/* dkim.min_key_bits */
};

enum dkim_state { DKIM_S_HEADERS, DKIM_S_BODY, DKIM_S_DONE };

/*
 * One DKIM-Signature field as we read it ourselves (RFC 6376 3.5). The
 * k-th field handed to libopendkim is its k-th signature: libopendkim
 * makes one signature per DKIM-Signature field it is given (with
 * DKIM_LIBFLAGS_BADSIGHANDLES also for fields it cannot parse), in
 * order, and dkim_sig_field() decides which fields those are exactly as
 * libopendkim does. Nothing is paired by content.
 */
struct dkim_field {
	char	*d, *s, *a, *i, *b;	/* tag values, NULL when absent */
	char	 bad[80];		/* why it is unusable, or "" */
};

struct dkim_verifier {
	struct dkim_context *dl;	/* library of this configuration */
	DKIM		*d;		/* libopendkim handle, NULL if none */
	enum dkim_state	 state;		/* where the message is */
	int		 max;		/* signatures to verify */
	int		 nosig;		/* no DKIM-Signature at all */
	char		 broken[96];	/* why verification stopped, or "" */
	struct buf	 field;		/* scratch: "Name:value" with CRLF */
	struct dkim_field *fields;	/* fields given to libopendkim */
	size_t		 nfields;	/* entries in fields, at most max */
	size_t		 unfed;		/* DKIM-Signature fields past max */
	int		 need_len;	/* some signature has l= */
	struct canon_body len[2];	/* canonical body length: simple, relaxed */
	struct dnsbudget *other;	/* budget of other key lookups */
	struct dnsbudget *aligned;	/* budget of keys under org */
	char		*org;		/* the author's org domain, or NULL */
	struct dkim_keys keys;		/* how each key lookup went */
};

/*
 * The verifier whose dkim_eoh()/dkim_eom() runs on this thread:
 * libopendkim's query callbacks get only the library-wide service handle
 * (the resolver), never the message, so this is how a key lookup learns
 * the budgets of its message. Set and cleared around those calls.
 */
static _Thread_local struct dkim_verifier *dkim_current;

/* one key lookup, done at start and handed over at waitreply */
struct dkim_query {
	enum resolver_status st;	/* lookup status */
	size_t		 len;		/* reply bytes in the library's buffer */
	int		 secure;	/* DNSSEC validated */
};

/* dkim_under - is name the domain d or a name below it (trailing dots) */
static int
dkim_under(const char *name, const char *d)
{
	size_t nl = strlen(name), dl = strlen(d);

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (dl > 0 && d[dl - 1] == '.')
		dl--;
	if (nl < dl || strncasecmp(name + nl - dl, d, dl) != 0)
		return 0;
	return nl == dl || name[nl - dl - 1] == '.';
}

/*
 * dkim_budget - a key under the author's organizational domain may make
 * DMARC pass: it is charged to the budget DMARC has; any other key to
 * the budget of everything else
 */
static struct dnsbudget *
dkim_budget(const struct dkim_verifier *v, const char *name)
{
	if (v == NULL)
		return NULL;
	if (v->org != NULL && dkim_under(name, v->org))
		return v->aligned;
	return v->other;
}

/* dkim_q_start - libopendkim asks for a key: look it up now */
static int
dkim_q_start(void *srv, int type, unsigned char *name, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct dkim_query *q = xcalloc(1, sizeof(*q));
	struct resolver_answer *a = NULL;

	q->st = dnsbudget_query(dkim_budget(dkim_current, (const char *)name),
	    srv, (const char *)name, type, NULL, &a);
	if (dkim_current != NULL)
		dkim_keys_note(&dkim_current->keys, (const char *)name, a,
		    q->st);
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

/* dkim_context_new - a libopendkim instance whose lookups use res */
struct dkim_context *
dkim_context_new(struct resolver *res, const struct config *cfg,
    struct buf *why)
{
	struct dkim_context *dl = xcalloc(1, sizeof(*dl));
	uint32_t flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	u_int bits = (u_int)cfg->dkim.min_key_bits;
	u_int timeout = (u_int)cfg->dns.timeout;

	dl->min_key_bits = cfg->dkim.min_key_bits;
	dermemo_link();
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
		dkim_context_free(dl);
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
		dkim_context_free(dl);
		return NULL;
	}
	return dl;
}

/* dkim_context_free - when the last session of its configuration is gone */
void
dkim_context_free(struct dkim_context *dl)
{
	if (dl == NULL)
		return;
	if (dl->lib != NULL)
		dkim_close(dl->lib);
	free(dl);
}

/* dkim_verifier_new - one message; id names it in libopendkim's logs */
struct dkim_verifier *
dkim_verifier_new(struct dkim_context *dl, const char *id, int max_signatures)
{
	struct dkim_verifier *v = xcalloc(1, sizeof(*v));
	DKIM_STAT st;

	v->dl = dl;
	v->max = max_signatures;
	buf_init(&v->field, DKIM_FIELD_MAX);
	v->d = dkim_verify(dl->lib, (const unsigned char *)id, NULL, &st);
	if (v->d == NULL)
		snprintf(v->broken, sizeof(v->broken), "libopendkim: %s",
		    dkim_getresultstr(st));
	else
		dkim_set_user_context(v->d, v);
	return v;
}

/* dkim_field_check - RFC 6376 3.5 tags libopendkim does not enforce */
static void
dkim_field_check(struct dkim_field *f, const struct tags *t)
{
	static const char *const required[] = { "v", "a", "b", "bh", "d", "h",
	    "s", NULL };
	const char *i = tags_get(t, "i"), *at;
	size_t k, dl;

	for (k = 0; required[k] != NULL; k++)
		if (tags_get(t, required[k]) == NULL) {
			snprintf(f->bad, sizeof(f->bad), "%s= missing",
			    required[k]);
			return;
		}
	if (strcmp(tags_get(t, "v"), "1") != 0)
		snprintf(f->bad, sizeof(f->bad), "unsupported v=");
	else if (!tags_is_domain(f->d, 2))
		snprintf(f->bad, sizeof(f->bad), "d= is not a domain name");
	else if (!tags_is_domain(f->s, 1))
		snprintf(f->bad, sizeof(f->bad), "s= is not a selector");
	else if (i != NULL && ((at = strrchr(i, '@')) == NULL ||
	    (dl = strlen(f->d), strcasecmp(at + 1, f->d) != 0 &&
	    (strlen(at + 1) <= dl || strcasecmp(at + 1 + strlen(at + 1) - dl,
	    f->d) != 0 || at[strlen(at + 1) - dl] != '.'))))
		snprintf(f->bad, sizeof(f->bad), "i= is not within d=");
}

/* dkim_field_add - remember one DKIM-Signature as written */
static void
dkim_field_add(struct dkim_verifier *v, const char *value, size_t len)
{
	struct dkim_field *f;
	struct buf why;
	struct tags t;
	const char *l;

	v->fields = xreallocarray(v->fields, v->nfields + 1, sizeof(*f));
	f = &v->fields[v->nfields++];
	memset(f, 0, sizeof(*f));
	buf_init(&why, 128);
	if (tags_parse(value, len, &t, &why) != 0) {
		snprintf(f->bad, sizeof(f->bad), "malformed tag list: %s",
		    why.data);
		tags_parse_lenient(value, len, &t);	/* for the report */
	}
	buf_free(&why);
#define DKIM_DUP(x) (tags_get(&t, #x) ? xstrdup(tags_get(&t, #x)) : NULL)
	f->d = DKIM_DUP(d);
	f->s = DKIM_DUP(s);
	f->a = DKIM_DUP(a);
	f->i = DKIM_DUP(i);
	f->b = DKIM_DUP(b);
#undef DKIM_DUP
	if ((l = tags_get(&t, "l")) != NULL)
		v->need_len = 1;
	if (f->bad[0] == '\0')
		dkim_field_check(f, &t);
	tags_free(&t);
}

/*
 * dkim_sig_field - does libopendkim take this field for a signature: a
 * name of printable ASCII that is "DKIM-Signature" (any case) once the
 * spaces before the colon are cut, as its dkim_header() decides
 */
static int
dkim_sig_field(const char *name)
{
	static const char sig[] = "DKIM-Signature";
	size_t len = strlen(name), i;

	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 32 || (unsigned char)name[i] > 126)
			return 0;
	while (len > 0 && name[len - 1] == ' ')
		len--;
	return len == sizeof(sig) - 1 && strncasecmp(name, sig, len) == 0;
}

/*
 * dkim_field_text - one field as libopendkim takes it: "Name:value" with
 * every fold's bare LF made CRLF and no line end; appended to out
 */
void
dkim_field_text(struct buf *out, const char *name, const char *value,
    size_t len, int leadspc)
{
	const char *p = value, *end = value + len, *nl;

	buf_puts(out, name);
	buf_puts(out, leadspc ? ":" : ": ");
	/* the runs between bare LFs at once; each LF gets its CR */
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		buf_append(out, p, (size_t)(nl - p));
		if (nl == value || nl[-1] != '\r')
			buf_putc(out, '\r');
		buf_putc(out, '\n');
		p = nl + 1;
	}
	buf_append(out, p, (size_t)(end - p));
}

/* dkim_verifier_header - "Name:value" with folds as CRLF, in order */
void
dkim_verifier_header(struct dkim_verifier *v, const char *name,
    const char *value, size_t len, int leadspc)
{
	int sig;

	if (v->state != DKIM_S_HEADERS || v->broken[0] != '\0')
		return;
	/*
	 * Signatures past dkim.max_signatures never reach libopendkim: it
	 * would hash the body once per distinct canonicalization and l=
	 * of every signature it is given, verified or not.
	 */
	if ((sig = dkim_sig_field(name)) && v->nfields >= (size_t)v->max) {
		v->unfed++;
		return;
	}
	buf_reset(&v->field);
	dkim_field_text(&v->field, name, value, len, leadspc);
	if (v->field.truncated) {
		dkim_verifier_overflow(v);
		return;
	}
	if (sig)
		dkim_field_add(v, value, len);
	/* a field libopendkim cannot take is skipped; its signer will fail */
	if (dkim_header(v->d, (unsigned char *)v->field.data,
	    v->field.len) != DKIM_STAT_OK)
		log_debug("dkim: header field '%s' refused by libopendkim",
		    name);
}

/*
 * dkim_verifier_budgets - keys under org (the author's organizational
 * domain, NULL for none) are charged to aligned, the others to other;
 * the caller keeps both alive
 */
void
dkim_verifier_budgets(struct dkim_verifier *v, struct dnsbudget *other,
    struct dnsbudget *aligned, const char *org)
{
	v->other = other;
	v->aligned = aligned;
	free(v->org);
	v->org = org != NULL ? xstrdup(org) : NULL;
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
	/* only an l= signature needs the whole canonical body length */
	if (v->need_len) {
		canon_body_init(&v->len[0], 0, 0, -1);
		canon_body_init(&v->len[1], 1, 0, -1);
	}
	dkim_current = v;
	st = dkim_eoh(v->d);
	dkim_current = NULL;
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
	if (v->need_len) {
		canon_body_update(&v->len[0], p, len);
		canon_body_update(&v->len[1], p, len);
	}
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
		*why = "signature mismatch";
		return METHOD_FAIL;
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

/* dkim_sig_props - what the report names: libopendkim's own reading */
static void
dkim_sig_props(DKIM_SIGINFO *sig, struct dkim_sig *s)
{
	char *v;

	s->d = (v = dkim_tag(sig, "d")) != NULL ? v : xstrdup("");
	s->s = (v = dkim_tag(sig, "s")) != NULL ? v : xstrdup("");
	s->a = (v = dkim_tag(sig, "a")) != NULL ? v : xstrdup("");
	s->i = dkim_tag(sig, "i");
	s->b = (v = dkim_tag(sig, "b")) != NULL ? v : xstrdup("");
}

/* dkim_field_props - what the report names, from our reading (broken) */
static void
dkim_field_props(const struct dkim_field *f, struct dkim_sig *s)
{
	s->d = xstrdup(f->d != NULL ? f->d : "");
	s->s = xstrdup(f->s != NULL ? f->s : "");
	s->a = xstrdup(f->a != NULL ? f->a : "");
	s->i = f->i != NULL ? xstrdup(f->i) : NULL;
	s->b = xstrdup(f->b != NULL ? f->b : "");
}

/* dkim_same - one tag as we and libopendkim read it (case: d= only) */
static int
dkim_same(const char *ours, const char *theirs, int icase)
{
	if (ours == NULL || theirs == NULL)
		return ours == NULL && (theirs == NULL || *theirs == '\0');
	return icase ? strcasecmp(ours, theirs) == 0 :
	    strcmp(ours, theirs) == 0;
}

/*
 * dkim_field_agrees - a strictly valid field reads the same to us and
 * to libopendkim; anything else is a bug somewhere, and no pass
 */
static int
dkim_field_agrees(const struct dkim_field *f, const struct dkim_sig *s)
{
	return dkim_same(f->d, s->d, 1) && dkim_same(f->s, s->s, 1) &&
	    dkim_same(f->a, s->a, 0) && dkim_same(f->i, s->i, 0) &&
	    dkim_same(f->b, s->b, 0);
}

/*
 * dkim_sig_length - RFC 6376 8.2: content after the l= bytes of the
 * canonical body is unsigned; compared with the canonical length, since
 * canonicalization itself may shorten the raw body
 */
static void
dkim_sig_length(struct dkim_verifier *v, DKIM_SIGINFO *sig, struct dkim_sig *s,
    const char **why, char *note, size_t notelen)
{
	ssize_t msglen = 0, canonlen = 0, signlen = -1;
	dkim_canon_t hc, bc;
	uint64_t total;

	if (dkim_sig_getcanonlen(v->d, sig, &msglen, &canonlen, &signlen) !=
	    DKIM_STAT_OK || signlen == (ssize_t)-1)
		return;
	s->length = (long)signlen;
	if (s->result != METHOD_PASS || !v->need_len ||
	    dkim_sig_getcanons(sig, &hc, &bc) != DKIM_STAT_OK)
		return;
	total = v->len[bc == DKIM_CANON_RELAXED ? 1 : 0].len;
	if (total > (uint64_t)signlen) {
		snprintf(note, notelen, "l= leaves %llu body bytes unsigned",
		    (unsigned long long)(total - (uint64_t)signlen));
		s->result = METHOD_POLICY;
		*why = note;
	}
}

/* dkim_sig_reason - the step that decided and the key it concerned */
static void
dkim_sig_reason(struct dkim_verifier *v, DKIM_SIGINFO *sig,
    struct dkim_sig *s, const char *why)
{
	const struct dkim_key_note *n = dkim_keys_find(&v->keys, s->d, s->s);
	struct dkim_keys_sig ks;
	struct buf r;

	memset(&ks, 0, sizeof(ks));
	ks.d = s->d;
	ks.s = s->s;
	ks.a = s->a;
	ks.bits = s->keybits;
	ks.err = s->result == METHOD_PASS ? DKIM_SIGERROR_OK :
	    dkim_sig_geterror(sig);
	ks.step = why;
	ks.result = s->result;
	buf_init(&r, 1024);
	dkim_keys_reason(&v->keys, &ks, &r);
	s->reason = buf_steal(&r);
	buf_free(&r);
	s->secure = n != NULL && n->secure;
}

/* dkim_sig_fill - signature k: the k-th field we gave libopendkim */
static void
dkim_sig_fill(struct dkim_verifier *v, DKIM_SIGINFO *sig,
    struct dkim_field *f, struct dkim_sig *s)
{
	unsigned flags = dkim_sig_getflags(sig);
	unsigned int bits = 0;
	const char *why = NULL;
	char note[96];

	s->length = -1;
	/*
	 * A field our strict reading refuses is permerror whatever
	 * libopendkim made of it; its properties are our reading of the
	 * same field (libopendkim stops at the first syntax error). Every
	 * other result names what libopendkim read and verified.
	 */
	if (f->bad[0] != '\0') {
		dkim_field_props(f, s);
		s->result = METHOD_PERMERROR;
		s->reason = xstrdup(f->bad);
		return;
	}
	dkim_sig_props(sig, s);
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		s->keybits = (int)bits;
	s->testkey = (flags & DKIM_SIGFLAG_TESTKEY) != 0;
	if (!dkim_field_agrees(f, s)) {
		s->result = METHOD_PERMERROR;
		s->reason = xstrdup("signature field read two ways");
		return;
	}
	if (DKIM_SIG_CHECK(sig)) {
		s->result = METHOD_PASS;
		why = "good signature";
	} else
		s->result = dkim_map_error(dkim_sig_geterror(sig),
		    dkim_sig_getbh(sig), flags, &why);
	dkim_sig_length(v, sig, s, &why, note, sizeof(note));
	if (s->result == METHOD_PASS && strcasecmp(s->a, "rsa-sha1") == 0) {
		s->result = METHOD_POLICY;
		why = "rsa-sha1 is not acceptable (RFC 8301)";
	} else if ((s->result == METHOD_PASS && s->keybits > 0 &&
	    s->keybits < v->dl->min_key_bits) ||
	    dkim_sig_geterror(sig) == DKIM_SIGERROR_KEYTOOSMALL) {
		/* RFC 8301 section 3.2, with our dkim.min_key_bits */
		s->result = METHOD_POLICY;
		snprintf(note, sizeof(note), "key too small for "
		    "dkim.min_key_bits %d", v->dl->min_key_bits);
		why = note;
	}
	dkim_sig_reason(v, sig, s, why);
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

/* dkim_finish_broken - verification stopped: report what was seen */
static void
dkim_finish_broken(struct dkim_verifier *v, struct dkim_result *r,
    const char *why)
{
	size_t k;

	r->sig = xcalloc(v->nfields + 1, sizeof(*r->sig));
	r->skipped = v->unfed;
	for (k = 0; k < v->nfields; k++) {
		struct dkim_sig *s = &r->sig[r->n++];

		dkim_field_props(&v->fields[k], s);
		s->length = -1;
		s->result = METHOD_PERMERROR;
		s->reason = xstrdup(why);
	}
	dkim_unique_b(r);
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
	if (v->state == DKIM_S_DONE)
		return;
	v->state = DKIM_S_DONE;
	if (v->broken[0] != '\0' || v->d == NULL) {
		dkim_finish_broken(v, r, v->broken);
		return;
	}
	if (v->nosig) {
		r->skipped = v->unfed;
		return;
	}
	if (v->need_len) {
		canon_body_final(&v->len[0], NULL, NULL);
		canon_body_final(&v->len[1], NULL, NULL);
	}
	dkim_current = v;
	(void)dkim_eom(v->d, &testkey);	/* per-signature results below */
	dkim_current = NULL;
	if (dkim_getsiglist(v->d, &sigs, &nsigs) != DKIM_STAT_OK || nsigs < 0)
		nsigs = 0;
	/* one signature per field given, in order, or no pass at all */
	if ((size_t)nsigs != v->nfields) {
		log_warn("dkim: %d signatures for %zu fields", nsigs,
		    v->nfields);
		dkim_finish_broken(v, r, "signature fields could not be "
		    "matched");
		return;
	}
	r->sig = xcalloc((size_t)nsigs + 1, sizeof(*r->sig));
	r->skipped = v->unfed;
	for (i = 0; i < nsigs; i++) {
		if (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) {
			r->skipped++;
			continue;
		}
		dkim_sig_fill(v, sigs[i], &v->fields[i], &r->sig[r->n++]);
	}
	dkim_unique_b(r);
}

/* dkim_verifier_free - safe at any point of the message */
void
dkim_verifier_free(struct dkim_verifier *v)
{
	if (v == NULL)
		return;
	size_t k;

	if (v->d != NULL)
		dkim_free(v->d);
	for (k = 0; k < v->nfields; k++) {
		free(v->fields[k].d);
		free(v->fields[k].s);
		free(v->fields[k].a);
		free(v->fields[k].i);
		free(v->fields[k].b);
	}
	free(v->fields);
	free(v->org);
	dkim_keys_free(&v->keys);
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
