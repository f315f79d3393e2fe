/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi_record - the BIMI assertion record, the BIMI-Selector field and
 * whether a message may have BIMI at all (DMARC pass at enforcement)
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "mail/hdr.h"
#include "mail/tags.h"
#include "auth/bimi.h"
#include "auth/bimi_fetch.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"

/* bimi_status_name - the A-R result word */
const char *
bimi_status_name(enum bimi_status s)
{
	static const char *const names[] = {
		"none", "pass", "fail", "temperror", "declined"
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	    "fail";
}

/* bimi_authority_name - the policy.authority word */
const char *
bimi_authority_name(enum bimi_authority a)
{
	return a == BIMI_AUTHORITY_PASS ? "pass" : a == BIMI_AUTHORITY_FAIL ?
	    "fail" : "none";
}

/*
 * bimi_eligible - section 7.1 with RFC 9989's policy: DMARC passed and
 * the record applied asks for quarantine or reject, for subdomains too,
 * without t=y (and with pct=100 in rfc7489 mode); why not, in words
 */
int
bimi_eligible(const struct dmarc_result *d, int rfc7489, const char **why)
{
	const struct dmarc_record *r = &d->rec;

	*why = NULL;
	if (!d->checked || d->result != METHOD_PASS)
		*why = "DMARC did not pass";
	else if (!d->have_record || r->p < DMARC_P_QUARANTINE)
		*why = "DMARC policy p=none";
	else if (r->sp != DMARC_P_UNSPEC && r->sp < DMARC_P_QUARANTINE)
		*why = "DMARC policy sp=none";
	else if (r->t)
		*why = "DMARC policy in testing (t=y)";
	else if (rfc7489 && r->pct != 100)
		*why = "DMARC policy with pct under 100";
	return *why == NULL;
}

/* bimi_record_is - does a TXT record start with "v=BIMI1" (7.2 step 4) */
int
bimi_record_is(const char *p, size_t len)
{
	const char *end = p + len;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != 'v')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != '=')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 5 || memcmp(p, "BIMI1", 5) != 0)
		return 0;
	for (p += 5; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	return p == end || *p == ';';
}

/* bimi_record_uri - l= or a=: empty, or one https: URI with a host */
static int
bimi_record_uri(const char *tag, const char *v, struct buf *why)
{
	if (*v == '\0')
		return 0;
	if (strchr(v, ',') != NULL)
		return buf_printf(why, "%s= holds more than one URI", tag), -1;
	if (bimi_fetch_url_ok(v, why) != 0)
		return buf_printf(why, " in %s=", tag), -1;
	return 0;
}

/* bimi_record_parse - section 4.3; -1 with why for a broken record */
int
bimi_record_parse(const char *txt, size_t len, struct bimi_record *rec,
    struct buf *why)
{
	const char *l, *a;
	struct tags t;
	int rc = -1;

	memset(rec, 0, sizeof(rec[0]));
	if (len > BIMI_MAX_RECORD)
		return buf_puts(why, "record too long"), -1;
	/* "v=BIMI1" as written: folding white space inside is no version */
	if (!bimi_record_is(txt, len))
		return buf_puts(why, "v=BIMI1 is not the first tag"), -1;
	if (tags_parse(txt, len, &t, why) != 0)
		return -1;
	l = tags_get(&t, "l");
	a = tags_get(&t, "a");
	if (t.n == 0 || strcmp(t.name[0], "v") != 0 ||
	    strcmp(t.value[0], "BIMI1") != 0)
		buf_puts(why, "v=BIMI1 is not the first tag");
	else if (l == NULL)
		buf_puts(why, "no l= tag");
	else if (bimi_record_uri("l", l, why) == 0 &&
	    bimi_record_uri("a", a != NULL ? a : "", why) == 0) {
		rec->l = xstrdup(l);
		rec->a = xstrdup(a != NULL ? a : "");
		rc = 0;
	}
	tags_free(&t);
	return rc;
}

/* bimi_record_free - the record's strings */
void
bimi_record_free(struct bimi_record *rec)
{
	free(rec->l);
	free(rec->a);
	memset(rec, 0, sizeof(*rec));
}

/* bimi_selector_ok - selector = sub-domain *("." sub-domain) */
static int
bimi_selector_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > BIMI_MAX_SELECTOR)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) ||
		    (s[i] == '-' && label > 0))
			label++;
		else
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* bimi_selector_parse - a BIMI-Selector value (5.1); *sel lowercase */
int
bimi_selector_parse(const char *v, size_t len, char **sel)
{
	const char *s;
	struct tags t;
	struct buf why;
	char *c;
	int rc = -1;

	*sel = NULL;
	buf_init(&why, 256);
	rc = len > BIMI_MAX_RECORD ? -1 : tags_parse(v, len, &t, &why);
	buf_free(&why);
	if (rc != 0)
		return -1;
	rc = -1;
	s = tags_get(&t, "s");
	if (t.n > 0 && strcmp(t.name[0], "v") == 0 &&
	    strcmp(t.value[0], "BIMI1") == 0 && s != NULL &&
	    bimi_selector_ok(s)) {
		*sel = xstrdup(s);
		for (c = *sel; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		rc = 0;
	}
	tags_free(&t);
	return rc;
}

/* bimi_signs_selector - does a DKIM-Signature's h= name BIMI-Selector */
static int
bimi_signs_selector(const char *h)
{
	const char *p = h, *e;
	size_t n;

	while (p != NULL && *p != '\0') {
		e = strchr(p, ':');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 13 && strncasecmp(p, "bimi-selector", 13) == 0)
			return 1;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

/* bimi_sig_covers - the field is the passing sig's and signs the selector */
static int
bimi_sig_covers(const struct hdr_field *f, const struct dkim_sig *g)
{
	const char *d, *b, *h;
	struct tags t;
	struct buf why;
	int yes;

	if (!hdr_name_is(f->name, "DKIM-Signature"))
		return 0;
	buf_init(&why, 256);
	yes = tags_parse(f->value, f->vlen, &t, &why) == 0;
	buf_free(&why);
	if (!yes)
		return 0;
	d = tags_get(&t, "d");
	b = tags_get(&t, "b");
	h = tags_get(&t, "h");
	yes = d != NULL && b != NULL && h != NULL && g->b != NULL &&
	    strcasecmp(d, g->d) == 0 &&
	    strncmp(b, g->b, strlen(g->b)) == 0 && bimi_signs_selector(h);
	tags_free(&t);
	return yes;
}

/*
 * bimi_signed_selector - section 5.5: the selector of the one
 * BIMI-Selector field when a passing DKIM signature of the aligned
 * domain covers it; NULL (use "default") otherwise. Caller frees.
 */
char *
bimi_signed_selector(const struct hdr *h, const struct dkim_result *dk,
    const char *aligned_d)
{
	const struct hdr_field *sel;
	char *s = NULL;
	size_t i, k;

	if (aligned_d == NULL || hdr_count(h, "BIMI-Selector") != 1 ||
	    (sel = hdr_nth(h, "BIMI-Selector", 0)) == NULL)
		return NULL;
	for (i = 0; i < dk->n; i++) {
		const struct dkim_sig *g = &dk->sig[i];

		if (g->result != METHOD_PASS || g->d == NULL ||
		    strcasecmp(g->d, aligned_d) != 0)
			continue;
		for (k = 0; k < h->n; k++)
			if (bimi_sig_covers(&h->f[k], g)) {
				bimi_selector_parse(sel->value, sel->vlen, &s);
				return s;
			}
	}
	return NULL;
}
