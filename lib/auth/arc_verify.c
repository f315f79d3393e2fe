/* SPDX-License-Identifier: BSD-2-Clause */
/* arc_verify - RFC 8617 section 5.2 chain validation */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/arc_priv.h"
#include "dns/dnsbudget.h"
#include "util/buf.h"
#include "mail/hdr.h"
#include "auth/pkeycache.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

#define ARC_AAR	"ARC-Authentication-Results"
#define ARC_AMS	"ARC-Message-Signature"
#define ARC_AS	"ARC-Seal"

#define ARC_BUDGET_MS	20000	/* all key lookups of one validation */

/* keys of one validation, looked up once each, within one deadline */
struct arc_keys {
	struct timespec	 deadline;			/* ARC_BUDGET_MS */
	struct dnsbudget *budget;		/* the message's, or NULL */
	char		*name[2 * ARC_MAX_INSTANCE];	/* s._domainkey.d */
	EVP_PKEY	*key[2 * ARC_MAX_INSTANCE];	/* NULL: unusable */
	char		*why[2 * ARC_MAX_INSTANCE];	/* why unusable */
	int		 n;				/* entries */
	struct pkeycache *cache;		/* parsed keys, or NULL */
};

/* arc_verifier_new - seal: also hash the body for a new AMS */
struct arc_verifier *
arc_verifier_new(int seal)
{
	struct arc_verifier *v = xcalloc(1, sizeof(*v));

	v->seal = seal;
	v->seal_bh = -1;
	v->max_sets = ARC_MAX_INSTANCE;
	return v;
}

/* arc_verifier_limits - fewer sets; a budget the caller keeps alive */
void
arc_verifier_limits(struct arc_verifier *v, int max_sets,
    struct dnsbudget *budget)
{
	if (max_sets > 0 && max_sets < ARC_MAX_INSTANCE)
		v->max_sets = max_sets;
	v->budget = budget;
}

/* arc_verifier_keycache - parse key records through cache (NULL: none) */
void
arc_verifier_keycache(struct arc_verifier *v, struct pkeycache *cache)
{
	v->keycache = cache;
}

/* arc_body_slot - the hash slot for (canonicalization, l=), made once */
int
arc_body_slot(struct arc_verifier *v, int relaxed, long l)
{
	int i;

	for (i = 0; i < v->nbh; i++)
		if (v->bh[i].relaxed == relaxed && v->bh[i].l == l)
			return i;
	if (v->nbh == ARC_MAX_BODY_HASHES ||
	    canon_body_init(&v->bh[v->nbh].cb, relaxed, 1, l) != 0)
		return -1;
	v->bh[v->nbh].relaxed = relaxed;
	v->bh[v->nbh].l = l;
	return v->nbh++;
}

/* arc_instance - "i=N" of an AAR ("i=N; payload"), 0 if unreadable */
static int
arc_aar_instance(const char *v, size_t len)
{
	size_t i = 0;
	int n = 0;

	while (i < len && isspace((unsigned char)v[i]))
		i++;
	if (i + 1 >= len || v[i] != 'i')
		return 0;
	for (i++; i < len && isspace((unsigned char)v[i]); i++)
		;
	if (i >= len || v[i++] != '=')
		return 0;
	while (i < len && isspace((unsigned char)v[i]))
		i++;
	if (i >= len || !isdigit((unsigned char)v[i]))
		return 0;
	for (; i < len && isdigit((unsigned char)v[i]) && n <= 1000; i++)
		n = n * 10 + (v[i] - '0');
	while (i < len && isspace((unsigned char)v[i]))
		i++;
	return i < len && v[i] == ';' ? n : 0;
}

/* arc_tag_instance - i= of a parsed AMS or AS, 0 if missing or bad */
static int
arc_tag_instance(const struct tags *t)
{
	const char *i = tags_get(t, "i");
	int n = 0;

	if (i == NULL || *i == '\0' || strlen(i) > 4)
		return 0;
	for (; *i != '\0'; i++) {
		if (!isdigit((unsigned char)*i))
			return 0;
		n = n * 10 + (*i - '0');
	}
	return n;
}

/* arc_bad - the first unreadable field decides the reason */
static void
arc_bad(struct arc_verifier *v, const char *why)
{
	if (v->bad[0] == '\0')
		snprintf(v->bad, sizeof(v->bad), "%s", why);
}

/* arc_place - put one field into its set */
static void
arc_place(struct arc_verifier *v, int inst, struct arc_field *f,
    const struct hdr_field *h)
{
	char why[64];

	if (inst < 1 || inst > v->max_sets) {
		snprintf(why, sizeof(why), "more than %d ARC sets",
		    v->max_sets);
		arc_bad(v, inst > v->max_sets ? why :
		    "ARC field without a valid instance");
		return;
	}
	if (inst > v->max)
		v->max = inst;
	if (f->count++ == 0) {
		f->name = h->name;
		f->value = h->value;
		f->len = h->vlen;
	}
}

/* arc_read_tags - an AMS or AS field: parse its tags once */
static void
arc_read_tags(struct arc_verifier *v, const struct hdr_field *h, int is_as)
{
	struct tags t;
	struct buf why;
	struct arc_set *s;
	int inst;

	buf_init(&why, 128);
	if (tags_parse(h->value, h->vlen, &t, &why) != 0) {
		arc_bad(v, is_as ? "unreadable ARC-Seal" :
		    "unreadable ARC-Message-Signature");
		buf_free(&why);
		return;
	}
	buf_free(&why);
	inst = arc_tag_instance(&t);
	if (inst < 1 || inst > ARC_MAX_INSTANCE) {
		tags_free(&t);
		arc_place(v, inst == 0 ? -1 : inst, NULL, h);
		return;
	}
	s = &v->set[inst];
	arc_place(v, inst, is_as ? &s->as : &s->ams, h);
	if (is_as ? s->as.count == 1 : s->ams.count == 1) {
		*(is_as ? &s->as_tags : &s->ams_tags) = t;
		*(is_as ? &s->as_ok : &s->ams_ok) = 1;
	} else
		tags_free(&t);
}

/* arc_body_needs - one body hash slot per distinct AMS c= and l= */
static void
arc_body_needs(struct arc_verifier *v)
{
	int i;

	for (i = 1; i <= v->max; i++) {
		const char *c, *l;
		struct arc_set *s = &v->set[i];

		s->bh = -1;
		if (!s->ams_ok)
			continue;
		c = tags_get(&s->ams_tags, "c");
		l = tags_get(&s->ams_tags, "l");
		c = c != NULL && strchr(c, '/') != NULL ? strchr(c, '/') + 1 :
		    "simple";
		s->bh = arc_body_slot(v, strcasecmp(c, "relaxed") == 0,
		    l != NULL ? atol(l) : -1);
	}
	if (v->seal)
		v->seal_bh = arc_body_slot(v, 1, -1);
}

/* arc_verifier_eoh - find the sets in the header, start body hashes */
void
arc_verifier_eoh(struct arc_verifier *v, const struct hdr *hdr)
{
	size_t i;

	for (i = 0; i < hdr->n; i++) {
		const struct hdr_field *h = &hdr->f[i];

		if (!hdr_name_is(h->name, ARC_AAR) &&
		    !hdr_name_is(h->name, ARC_AMS) &&
		    !hdr_name_is(h->name, ARC_AS))
			continue;
		if (++v->nfields > ARC_MAX_FIELDS) {
			arc_bad(v, "too many ARC fields");
			break;
		}
		if (hdr_name_is(h->name, ARC_AAR)) {
			int inst = arc_aar_instance(h->value, h->vlen);

			arc_place(v, inst > 0 ? inst : -1, inst >= 1 &&
			    inst <= ARC_MAX_INSTANCE ? &v->set[inst].aar : NULL,
			    h);
		} else
			arc_read_tags(v, h, hdr_name_is(h->name, ARC_AS));
	}
	if (hdr->overflow)
		arc_bad(v, "message header over the size limits");
	arc_body_needs(v);
}

/* arc_verifier_body - one body chunk into every needed hash */
void
arc_verifier_body(struct arc_verifier *v, const unsigned char *p, size_t len)
{
	int i;

	for (i = 0; i < v->nbh; i++)
		canon_body_update(&v->bh[i].cb, p, len);
}

/* arc_body_final - close the hashes once */
void
arc_body_final(struct arc_verifier *v)
{
	unsigned char d[64];
	size_t n;
	struct buf b;
	int i;

	if (v->hashed)
		return;
	v->hashed = 1;
	for (i = 0; i < v->nbh; i++) {
		canon_body_final(&v->bh[i].cb, d, &n);
		buf_init(&b, sizeof(v->bh[i].b64) - 1);
		pkey_b64(d, n, &b);
		snprintf(v->bh[i].b64, sizeof(v->bh[i].b64), "%s", b.data);
		buf_free(&b);
	}
}

/* arc_key - the public key at s._domainkey.d, looked up once */
static EVP_PKEY *
arc_key(struct arc_keys *ks, struct resolver *res, const char *d,
    const char *s, enum pkey_alg alg, int min_bits, const char **why)
{
	struct resolver_answer *a = NULL;
	struct buf name, rec, w;
	int i;

	buf_init(&name, 300);
	buf_printf(&name, "%s._domainkey.%s", s, d);
	for (i = 0; i < ks->n; i++)
		if (strcasecmp(ks->name[i], name.data) == 0) {
			buf_free(&name);
			*why = ks->why[i];
			return ks->key[i];
		}
	buf_init(&rec, 16384);
	buf_init(&w, 1024);
	if (dnsbudget_query(ks->budget, res, name.data, ns_t_txt,
	    &ks->deadline, &a) != RESOLVER_OK) {
		/* which lookup, and how it failed (no parentheses: the
		 * reason is an A-R comment) */
		buf_puts(&w, "no key, ");
		dnstext_why(a, name.data, ns_t_txt, &w);
	}
	else if (a->n != 1 || resolver_txt(a, 0, &rec) != 0)
		buf_puts(&w, "unusable key record");
	resolver_answer_free(a);
	if (ks->n == 2 * ARC_MAX_INSTANCE) {
		buf_free(&name);
		buf_free(&rec);
		buf_free(&w);
		*why = "too many keys";
		return NULL;
	}
	ks->name[ks->n] = buf_steal(&name);
	/* the cache hands out a reference of our own: arc_keys_free drops it */
	ks->key[ks->n] = w.len == 0 ? pkeycache_get(ks->cache, rec.data, alg,
	    min_bits, &w) : NULL;
	ks->why[ks->n] = buf_steal(&w);
	*why = ks->why[ks->n];
	buf_free(&rec);
	return ks->key[ks->n++];
}

/* arc_keys_free - release the keys of one validation */
static void
arc_keys_free(struct arc_keys *ks)
{
	int i;

	for (i = 0; i < ks->n; i++) {
		free(ks->name[i]);
		free(ks->why[i]);
		EVP_PKEY_free(ks->key[i]);
	}
}

/* arc_check_sig - one AMS or AS over data; NULL when it verifies */
static const char *
arc_check_sig(struct arc_keys *ks, struct resolver *res, const struct tags *t,
    const struct buf *data, int min_bits, int is_as)
{
	const char *a = tags_get(t, "a"), *d = tags_get(t, "d"),
	    *s = tags_get(t, "s"), *b = tags_get(t, "b"), *why = NULL;
	enum pkey_alg alg;
	EVP_PKEY *key;

	if (a == NULL || d == NULL || s == NULL || b == NULL)
		return "a required tag is missing";
	if ((alg = pkey_alg_parse(a)) == PKEY_UNKNOWN)
		return "unknown algorithm";
	if ((key = arc_key(ks, res, d, s, alg, min_bits, &why)) == NULL)
		return why != NULL && *why != '\0' ? why : "no usable key";
	if (pkey_verify(key, alg, data->data, data->len, b))
		return NULL;
	return is_as ? "AS signature mismatch" : "AMS signature mismatch";
}

/* arc_ams - RFC 8617 5.2 step 4/5: one AMS; NULL when it verifies */
static const char *
arc_ams(struct arc_verifier *v, struct arc_keys *ks, struct resolver *res,
    const struct hdr *hdr, int leadspc, int min_bits, int i)
{
	const struct arc_set *s = &v->set[i];
	const char *h = tags_get(&s->ams_tags, "h"), *bh, *c, *why;
	struct buf data, strip;

	bh = tags_get(&s->ams_tags, "bh");
	c = tags_get(&s->ams_tags, "c");
	if (h == NULL || bh == NULL)
		return "AMS without h= or bh=";
	if (strcasestr(h, "arc-seal") != NULL)
		return "AMS signs ARC-Seal";
	if (s->bh < 0 || strcmp(v->bh[s->bh].b64, bh) != 0)
		return "AMS body hash mismatch";
	buf_init(&data, 4 * 1024 * 1024);
	buf_init(&strip, 65536);
	canon_headers(&data, hdr, h, c != NULL &&
	    strncasecmp(c, "relaxed", 7) == 0, leadspc);
	canon_strip_b(s->ams.value, s->ams.len, &strip);
	canon_header(&data, s->ams.name, strip.data, strip.len, c != NULL &&
	    strncasecmp(c, "relaxed", 7) == 0, leadspc, 0);
	why = data.truncated ? "AMS input too large" :
	    arc_check_sig(ks, res, &s->ams_tags, &data, min_bits, 0);
	buf_free(&data);
	buf_free(&strip);
	return why;
}

/* arc_seal_input - AS input for instance i (RFC 8617 5.1.1), into data */
static void
arc_seal_input(const struct arc_verifier *v, int i, struct buf *data)
{
	struct buf strip;
	int j;

	buf_init(&strip, 65536);
	for (j = 1; j <= i; j++) {
		const struct arc_set *s = &v->set[j];

		canon_header(data, s->aar.name, s->aar.value, s->aar.len, 1, 1,
		    1);
		canon_header(data, s->ams.name, s->ams.value, s->ams.len, 1, 1,
		    1);
		if (j < i)
			canon_header(data, s->as.name, s->as.value, s->as.len,
			    1, 1, 1);
	}
	canon_strip_b(v->set[i].as.value, v->set[i].as.len, &strip);
	canon_header(data, v->set[i].as.name, strip.data, strip.len, 1, 1, 0);
	buf_free(&strip);
}

/* arc_structure - RFC 8617 5.2 step 3; NULL when sound */
static const char *
arc_structure(const struct arc_verifier *v, int *at)
{
	int i;

	for (i = 1; i <= v->max; i++) {
		const struct arc_set *s = &v->set[i];
		const char *cv;

		*at = i;
		if (s->aar.count != 1 || s->ams.count != 1 || s->as.count != 1)
			return s->aar.count + s->ams.count + s->as.count == 0 ?
			    "missing instance" : "not exactly one AAR, AMS and "
			    "AS";
		if (!s->ams_ok || !s->as_ok)
			return "unreadable AMS or AS";
		if (tags_get(&s->as_tags, "h") != NULL)
			return "AS with h=";
		cv = tags_get(&s->as_tags, "cv");
		if (cv == NULL || strcasecmp(cv, i == 1 ? "none" : "pass") != 0)
			return i == 1 ? "cv is not none at i=1" :
			    "cv is not pass";
	}
	return NULL;
}

/* arc_fail - the chain fails at instance i for a reason */
static void
arc_fail(struct arc_result *r, int i, const char *why)
{
	r->result = METHOD_FAIL;
	if (i > 0)
		snprintf(r->reason, sizeof(r->reason), "i=%d %s", i, why);
	else
		snprintf(r->reason, sizeof(r->reason), "%s", why);
}

/* arc_describe - sealers oldest first, the newest set's AAR payload */
static void
arc_describe(const struct arc_verifier *v, struct arc_result *r)
{
	struct buf b;
	const struct arc_set *top = &v->set[v->max];
	const char *p, *end;
	int i;

	buf_init(&b, 16384);
	for (i = 1; i <= v->max; i++) {
		const char *d = v->set[i].as_ok ?
		    tags_get(&v->set[i].as_tags, "d") : NULL;

		buf_printf(&b, "%s%s", i > 1 ? "," : "", d != NULL ? d : "?");
	}
	r->sealers = buf_steal(&b);
	buf_free(&b);
	if (top->as_ok && tags_get(&top->as_tags, "d") != NULL)
		r->newest_sealer = xstrdup(tags_get(&top->as_tags, "d"));
	if (top->aar.count == 1 && (p = memchr(top->aar.value, ';',
	    top->aar.len)) != NULL) {
		end = top->aar.value + top->aar.len;
		r->newest_aar = xstrndup(p + 1, (size_t)(end - p - 1));
	}
}

/* arc_validate - steps 2 to 7 of RFC 8617 section 5.2 */
static void
arc_validate(struct arc_verifier *v, struct arc_keys *ks, struct resolver *res,
    const struct hdr *hdr, int leadspc, int min_bits, struct arc_result *r)
{
	const struct arc_set *top = &v->set[v->max];
	const char *why, *cv;
	struct buf data;
	int i, at = 0;

	cv = top->as_ok ? tags_get(&top->as_tags, "cv") : NULL;
	if (cv != NULL && strcasecmp(cv, "fail") == 0) {
		r->sealable = 0;	/* 5.1 step 2: nobody seals further */
		arc_fail(r, v->max, "sealed with cv=fail");
		return;
	}
	if ((why = arc_structure(v, &at)) != NULL) {
		arc_fail(r, at, why);
		return;
	}
	if ((why = arc_ams(v, ks, res, hdr, leadspc, min_bits, v->max))) {
		arc_fail(r, v->max, why);
		return;
	}
	r->oldest_pass = 0;
	for (i = v->max - 1; i >= 1; i--)
		if (arc_ams(v, ks, res, hdr, leadspc, min_bits, i) != NULL) {
			r->oldest_pass = i + 1;
			break;
		}
	for (i = v->max; i >= 1; i--) {
		buf_init(&data, 4 * 1024 * 1024);
		arc_seal_input(v, i, &data);
		why = arc_check_sig(ks, res, &v->set[i].as_tags, &data,
		    min_bits, 1);
		buf_free(&data);
		if (why != NULL) {
			arc_fail(r, i, why);
			return;
		}
	}
	r->result = METHOD_PASS;
	snprintf(r->reason, sizeof(r->reason), "chain of %d valid", v->max);
}

/* arc_verifier_finish - the chain validation status of the message */
void
arc_verifier_finish(struct arc_verifier *v, struct resolver *res,
    const struct hdr *hdr, int leadspc, int min_key_bits,
    struct arc_result *r)
{
	struct arc_keys ks;

	memset(r, 0, sizeof(*r));
	r->checked = 1;
	r->oldest_pass = -1;
	arc_body_final(v);
	if (v->nfields == 0) {
		r->result = METHOD_NONE;
		r->sealable = 1;
		snprintf(r->reason, sizeof(r->reason), "no ARC sets");
		return;
	}
	r->n = v->max;
	r->sealable = v->max < ARC_MAX_INSTANCE;
	if (v->bad[0] != '\0' || v->max == 0) {
		arc_fail(r, 0, v->bad[0] ? v->bad : "unreadable ARC fields");
		if (v->max > 0)
			arc_describe(v, r);
		return;
	}
	arc_describe(v, r);
	memset(&ks, 0, sizeof(ks));
	ks.cache = v->keycache;
	/* one budget for every key: 50 sets of slow domains cannot stall us */
	resolver_deadline(&ks.deadline, ARC_BUDGET_MS);
	ks.budget = v->budget;
	arc_validate(v, &ks, res, hdr, leadspc, min_key_bits, r);
	arc_keys_free(&ks);
}

/* arc_verifier_free - safe at any point */
void
arc_verifier_free(struct arc_verifier *v)
{
	int i;

	if (v == NULL)
		return;
	for (i = 0; i <= ARC_MAX_INSTANCE; i++) {
		tags_free(&v->set[i].ams_tags);
		tags_free(&v->set[i].as_tags);
	}
	for (i = 0; i < v->nbh; i++)
		if (!v->hashed)
			canon_body_final(&v->bh[i].cb, NULL, NULL);
	free(v);
}

/* arc_result_free - release the strings */
void
arc_result_free(struct arc_result *r)
{
	free(r->sealers);
	free(r->newest_sealer);
	free(r->newest_aar);
	memset(r, 0, sizeof(*r));
}
