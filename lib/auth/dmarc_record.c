/* SPDX-License-Identifier: BSD-2-Clause */
/* dmarc_record - one name's DMARC record: choose it, read its tags */
#include "autoconf.h"

#include <sys/types.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendmarc/dmarc.h>

#include "util/buf.h"
#include "auth/dmarc_record.h"
#include "dns/dnsbudget.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

/* the tags we read; value NULL when absent */
struct dmarc_tags {
	const char *v[12];	/* by enum dmarc_tag */
	size_t	    len[12];	/* value lengths */
};

enum dmarc_tag { T_P, T_SP, T_NP, T_ADKIM, T_ASPF, T_PSD, T_T, T_PCT,
	T_RUA, T_RUF, T_FO, T_NTAGS };

static const char *const dmarc_tag_names[T_NTAGS] = {
	"p", "sp", "np", "adkim", "aspf", "psd", "t", "pct", "rua", "ruf", "fo"
};

/* dmarc_is_wsp - WSP of RFC 5234 */
static int
dmarc_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* dmarc_valid_start - "v" *WSP "=" *WSP "DMARC1" then *WSP ";" or end */
static int
dmarc_valid_start(const char *s)
{
	if (*s != 'v' && *s != 'V')
		return 0;
	for (s++; dmarc_is_wsp(*s); s++)
		;
	if (*s++ != '=')
		return 0;
	while (dmarc_is_wsp(*s))
		s++;
	if (strncmp(s, "DMARC1", 6) != 0)	/* case-sensitive: %s"DMARC1" */
		return 0;
	for (s += 6; dmarc_is_wsp(*s); s++)
		;
	return *s == ';' || *s == '\0';
}

/* dmarc_record_fetch - the one valid record at _dmarc.<domain> */
enum dmarc_fetch
dmarc_record_fetch(struct resolver *res, struct dnsbudget *budget,
    const char *domain, const struct timespec *deadline, struct buf *out,
    struct dmarc_fetch_info *info)
{
	struct resolver_answer *a = NULL;
	enum resolver_status st;
	struct buf name, txt;
	int i, found = 0;

	buf_init(&name, 300);
	buf_printf(&name, "_dmarc.%s", domain);
	st = dnsbudget_query(budget, res, name.data, ns_t_txt, deadline, &a);
	if (info != NULL) {
		info->secure = st == RESOLVER_OK && a->secure;
		if (info->why != NULL && st != RESOLVER_OK)
			dnstext_why(a, name.data, ns_t_txt, info->why);
	}
	buf_free(&name);
	if (st == RESOLVER_RETRY || st == RESOLVER_FAIL) {
		resolver_answer_free(a);
		return DMARC_FETCH_TEMP;
	}
	buf_init(&txt, DMARC_MAX_RECORD);
	for (i = 0; st == RESOLVER_OK && i < a->n; i++) {
		buf_reset(&txt);
		if (resolver_txt(a, i, &txt) != 0 || txt.truncated ||
		    memchr(txt.data, '\0', txt.len) != NULL ||
		    !dmarc_valid_start(txt.data))
			continue;
		if (found++ == 0)
			buf_puts(out, txt.data);
	}
	buf_free(&txt);
	resolver_answer_free(a);
	/* RFC 9989 section 4.10 step 2: several records are all discarded */
	if (found != 1) {
		buf_reset(out);
		return DMARC_FETCH_NONE;
	}
	return DMARC_FETCH_FOUND;
}

/* dmarc_tags_scan - tag=value pairs after the version; last one wins */
static void
dmarc_tags_scan(const char *s, struct dmarc_tags *t)
{
	memset(t, 0, sizeof(*t));
	while (*s != '\0') {
		const char *name, *val, *end;
		size_t nlen;
		int i;

		while (dmarc_is_wsp(*s) || *s == ';')
			s++;
		name = s;
		while (isalpha((unsigned char)*s))
			s++;
		nlen = (size_t)(s - name);
		while (dmarc_is_wsp(*s))
			s++;
		end = strchr(s, ';');
		if (end == NULL)
			end = s + strlen(s);
		if (*s == '=' && nlen > 0) {
			for (val = s + 1; dmarc_is_wsp(*val); val++)
				;
			for (i = 0; i < T_NTAGS; i++)
				if (strlen(dmarc_tag_names[i]) == nlen &&
				    strncasecmp(name, dmarc_tag_names[i],
				    nlen) == 0) {
					t->v[i] = val;
					t->len[i] = (size_t)(end - val);
					while (t->len[i] > 0 &&
					    dmarc_is_wsp(val[t->len[i] - 1]))
						t->len[i]--;
				}
		}
		s = end;
	}
}

/* dmarc_word - is the tag value exactly w (case-insensitive) */
static int
dmarc_word(const struct dmarc_tags *t, enum dmarc_tag tag, const char *w)
{
	return t->v[tag] != NULL && t->len[tag] == strlen(w) &&
	    strncasecmp(t->v[tag], w, t->len[tag]) == 0;
}

/* dmarc_request - none, quarantine or reject; -1 when present but bad */
static int
dmarc_request(const struct dmarc_tags *t, enum dmarc_tag tag,
    enum dmarc_policy *out)
{
	*out = DMARC_P_UNSPEC;
	if (t->v[tag] == NULL)
		return 0;
	if (dmarc_word(t, tag, "none"))
		*out = DMARC_P_NONE;
	else if (dmarc_word(t, tag, "quarantine"))
		*out = DMARC_P_QUARANTINE;
	else if (dmarc_word(t, tag, "reject"))
		*out = DMARC_P_REJECT;
	else
		return -1;
	return 0;
}

/* dmarc_rua_valid - at least one URI with a scheme (RFC 3986) */
static int
dmarc_rua_valid(const struct dmarc_tags *t)
{
	const char *p = t->v[T_RUA], *end;

	if (p == NULL)
		return 0;
	end = p + t->len[T_RUA];
	while (p < end) {
		const char *s = p;

		while (s < end && dmarc_is_wsp(*s))
			s++;
		if (s < end && isalpha((unsigned char)*s)) {
			while (s < end && (isalnum((unsigned char)*s) ||
			    strchr("+-.", *s) != NULL))
				s++;
			if (s < end && *s == ':' && s + 1 < end && s[1] != ',')
				return 1;
		}
		while (p < end && *p != ',')
			p++;
		if (p < end)
			p++;
	}
	return 0;
}

/* dmarc_dup - a tag value as a string, or NULL */
static char *
dmarc_dup(const struct dmarc_tags *t, enum dmarc_tag tag)
{
	return t->v[tag] != NULL ? xstrndup(t->v[tag], t->len[tag]) : NULL;
}

/* dmarc_flag - y/n (t) or y/n/u (psd); the default when absent or bad */
static char
dmarc_flag(const struct dmarc_tags *t, enum dmarc_tag tag, const char *ok,
    char def)
{
	if (t->v[tag] == NULL || t->len[tag] != 1 ||
	    strchr(ok, tolower((unsigned char)*t->v[tag])) == NULL)
		return def;
	return (char)tolower((unsigned char)*t->v[tag]);
}

/* dmarc_record_psd - the psd flag of a record text, for the tree walk */
char
dmarc_record_psd(const char *text)
{
	struct dmarc_tags t;

	dmarc_tags_scan(text + strcspn(text, ";"), &t);
	return dmarc_flag(&t, T_PSD, "ynu", 'u');
}

/*
 * dmarc_value_ok - the ABNF of RFC 9989 4.8 for adkim/aspf ("r" / "s")
 * and of RFC 7489 for pct (1*3DIGIT, 0..100): libopendmarc takes
 * "strict" as s and "5x" as 5, and a bad value must fall back to the
 * default instead
 */
static int
dmarc_value_ok(const struct dmarc_tags *t, enum dmarc_tag tag)
{
	size_t i;

	if (tag != T_PCT)
		return dmarc_flag(t, tag, "rs", 0) != 0;
	if (t->len[tag] == 0 || t->len[tag] > 3)
		return 0;
	for (i = 0; i < t->len[tag]; i++)
		if (!isdigit((unsigned char)t->v[tag][i]))
			return 0;
	return atoi(t->v[tag]) <= 100;
}

/* dmarc_opendmarc - libopendmarc reads adkim, aspf and pct for us */
static void
dmarc_opendmarc(const char *domain, const struct dmarc_tags *t, int rfc7489,
    struct dmarc_record *r)
{
	static const enum dmarc_tag pass[] = { T_ADKIM, T_ASPF, T_PCT };
	DMARC_POLICY_T *ctx;
	struct buf norm;
	int v;
	size_t i;

	/* only values that are valid alone: a bad one must not void the rest */
	buf_init(&norm, DMARC_MAX_RECORD);
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		if (t->v[pass[i]] == NULL || (pass[i] == T_PCT && !rfc7489) ||
		    !dmarc_value_ok(t, pass[i]))
			continue;
		buf_reset(&norm);
		buf_printf(&norm, "v=DMARC1; p=none; %s=%.*s",
		    dmarc_tag_names[pass[i]], (int)t->len[pass[i]], t->v[pass[i]]);
		ctx = opendmarc_policy_connect_init((u_char *)"0.0.0.0", 0);
		if (ctx == NULL)
			continue;
		if (opendmarc_policy_parse_dmarc(ctx, (u_char *)domain,
		    (u_char *)norm.data) == DMARC_PARSE_OKAY) {
			if (pass[i] == T_ADKIM &&
			    opendmarc_policy_fetch_adkim(ctx, &v) == 0 && v)
				r->adkim = (char)v;
			if (pass[i] == T_ASPF &&
			    opendmarc_policy_fetch_aspf(ctx, &v) == 0 && v)
				r->aspf = (char)v;
			if (pass[i] == T_PCT &&
			    opendmarc_policy_fetch_pct(ctx, &v) == 0 &&
			    v >= 0 && v <= 100)
				r->pct = v;
		}
		opendmarc_policy_connect_shutdown(ctx);
	}
	buf_free(&norm);
}

/* dmarc_record_parse - the record's tags; -1: no DMARC processing */
int
dmarc_record_parse(const char *domain, const char *text, int rfc7489,
    struct dmarc_record *r, struct buf *why)
{
	struct dmarc_tags t;
	int bad = 0;

	memset(r, 0, sizeof(*r));
	r->domain = xstrdup(domain);
	r->adkim = r->aspf = 'r';
	r->pct = 100;
	dmarc_tags_scan(text + strcspn(text, ";"), &t);
	bad |= dmarc_request(&t, T_P, &r->p) != 0 || r->p == DMARC_P_UNSPEC;
	bad |= dmarc_request(&t, T_SP, &r->sp) != 0;
	if (!rfc7489)
		bad |= dmarc_request(&t, T_NP, &r->np) != 0;
	r->psd = rfc7489 ? 'u' : dmarc_flag(&t, T_PSD, "ynu", 'u');
	r->t = !rfc7489 && dmarc_flag(&t, T_T, "yn", 'n') == 'y';
	r->rua = dmarc_dup(&t, T_RUA);
	r->ruf = dmarc_dup(&t, T_RUF);
	r->fo = dmarc_dup(&t, T_FO);
	dmarc_opendmarc(domain, &t, rfc7489, r);
	if (!bad)
		return 0;
	/* RFC 9989 section 4.10.1: a valid rua makes it p=none */
	if (dmarc_rua_valid(&t)) {
		r->p = DMARC_P_NONE;
		r->sp = r->np = DMARC_P_UNSPEC;
		return 0;
	}
	buf_printf(why, "invalid DMARC record at _dmarc.%s", domain);
	return -1;
}

/* dmarc_record_free - release the strings */
void
dmarc_record_free(struct dmarc_record *r)
{
	free(r->domain);
	free(r->rua);
	free(r->ruf);
	free(r->fo);
	memset(r, 0, sizeof(*r));
}
