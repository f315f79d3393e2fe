/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_mtasts - MTA-STS (RFC 8461): the _mta-sts record's id and, with
 * --fetch, the policy file over HTTPS: its mode, max_age, and that every
 * MX host matches one of its mx patterns
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "mail/tags.h"
#include "core/posture_priv.h"

#define POSTURE_STS_MAX_MX	32	/* mx: lines read */

/* the policy file */
struct posture_sts {
	char		 version[16];	/* version: */
	char		 mode[16];	/* mode: */
	long		 max_age;	/* max_age:, -1 absent */
	char		*mx[POSTURE_STS_MAX_MX];	/* mx: patterns */
	int		 nmx;		/* entries in mx */
};

/* posture_sts_line - one "key: value" line of the policy */
static void
posture_sts_line(struct posture_sts *s, const char *k, size_t kl,
    const char *v, size_t vl)
{
	if (kl == 7 && strncmp(k, "version", 7) == 0)
		snprintf(s->version, sizeof(s->version), "%.*s", (int)vl, v);
	else if (kl == 4 && strncmp(k, "mode", 4) == 0)
		snprintf(s->mode, sizeof(s->mode), "%.*s", (int)vl, v);
	else if (kl == 7 && strncmp(k, "max_age", 7) == 0)
		s->max_age = vl > 0 && vl < 11 ? strtol(v, NULL, 10) : -1;
	else if (kl == 2 && strncmp(k, "mx", 2) == 0 &&
	    s->nmx < POSTURE_STS_MAX_MX && vl > 0 && vl < 256)
		s->mx[s->nmx++] = strndup(v, vl);
}

/* posture_sts_parse - RFC 8461 3.2: lines of "key: value" */
static void
posture_sts_parse(const char *text, struct posture_sts *s)
{
	const char *l = text, *e, *c, *v;
	size_t vl;

	memset(s, 0, sizeof(*s));
	s->max_age = -1;
	for (; *l != '\0'; l = *e ? e + 1 : e) {
		e = l + strcspn(l, "\n");
		if ((c = memchr(l, ':', (size_t)(e - l))) == NULL)
			continue;
		for (v = c + 1; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		for (vl = (size_t)(e - v); vl > 0 && isspace((unsigned char)
		    v[vl - 1]); vl--)
			;
		posture_sts_line(s, l, (size_t)(c - l), v, vl);
	}
}

/* posture_sts_match - RFC 8461 4.1: exact, or "*." and one more label */
static int
posture_sts_match(const char *pattern, const char *host)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return strcasecmp(pattern, host) == 0;
	dot = strchr(host, '.');
	return dot != NULL && dot != host && strcasecmp(dot + 1,
	    pattern + 2) == 0;
}

/* posture_sts_check - mode, max_age, and the MX hosts it covers */
static void
posture_sts_check(struct posture *p, const struct posture_sts *s)
{
	size_t i;
	int j, ok;

	if (strcmp(s->version, "STSv1") != 0)
		posture_add(p, "mta-sts", POSTURE_FAIL, "start the file with "
		    "\"version: STSv1\"", "policy: no version: STSv1");
	if (strcmp(s->mode, "enforce") == 0)
		posture_add(p, "mta-sts", POSTURE_PASS, NULL, "policy: mode "
		    "enforce, max_age %ld, %d mx pattern%s", s->max_age,
		    s->nmx, s->nmx == 1 ? "" : "s");
	else if (strcmp(s->mode, "testing") == 0 ||
	    strcmp(s->mode, "none") == 0)
		posture_add(p, "mta-sts", POSTURE_WARN, "go to mode: enforce "
		    "once TLS-RPT reports show no failures", "policy: mode "
		    "%s: senders still deliver without TLS", s->mode);
	else
		posture_add(p, "mta-sts", POSTURE_FAIL, "mode: enforce, testing "
		    "or none", "policy: bad mode '%s'", s->mode);
	if (s->max_age < 86400)
		posture_add(p, "mta-sts", POSTURE_WARN, "use max_age of weeks "
		    "(e.g. 604800 or more)", "policy: max_age %ld: senders "
		    "forget the policy within a day", s->max_age);
	for (i = 0; i < p->nmx; i++) {
		for (j = 0, ok = 0; j < s->nmx && !ok; j++)
			ok = posture_sts_match(s->mx[j], p->mx[i]);
		if (!ok)
			posture_add(p, "mta-sts", POSTURE_FAIL, "add an mx: line "
			    "for it", "policy: MX host %s matches no mx: "
			    "pattern: senders in enforce mode will not deliver "
			    "to it", p->mx[i]);
	}
}

/* posture_sts_fetch - https://mta-sts.<domain>/.well-known/mta-sts.txt */
static void
posture_sts_fetch(struct posture *p)
{
	struct posture_sts s;
	struct buf url, body, why, host;
	int i;

	buf_init(&host, 600);
	buf_printf(&host, "mta-sts.%s", p->domain);
	buf_init(&url, 600);
	buf_init(&body, POSTURE_FETCH_MAX);
	buf_init(&why, 2048);
	buf_printf(&url, "https://mta-sts.%s/.well-known/mta-sts.txt",
	    p->domain);
	if (posture_fetch(p, host.data, url.data, &body, &why) != 0)
		posture_add(p, "mta-sts", POSTURE_FAIL, "serve the policy over "
		    "HTTPS with a valid certificate for mta-sts.<domain>",
		    "%s: %s", url.data, why.data);
	else {
		posture_sts_parse(body.data, &s);
		posture_sts_check(p, &s);
		for (i = 0; i < s.nmx; i++)
			free(s.mx[i]);
	}
	buf_free(&url);
	buf_free(&body);
	buf_free(&why);
	buf_free(&host);
}

/* posture_mtasts - the record's id, then the policy when asked */
void
posture_mtasts(struct posture *p)
{
	struct buf rec, name, why;
	struct posture_txt t;
	struct tags tg;
	const char *id;
	size_t i;

	buf_init(&rec, 65536);
	buf_init(&name, 600);
	buf_init(&why, 1024);
	buf_printf(&name, "_mta-sts.%s", p->domain);
	t.first = &rec;
	t.why = &why;
	posture_txt(p, name.data, "v=STSv1", &t);
	if (t.n != 1) {
		posture_add(p, "mta-sts", t.n > 1 || (t.st != RESOLVER_OK &&
		    t.st != RESOLVER_NXDOMAIN && t.st != RESOLVER_NODATA) ?
		    POSTURE_FAIL : POSTURE_WARN, t.n > 1 ? "keep one record" :
		    "publish _mta-sts TXT \"v=STSv1; id=...\" and a policy "
		    "(RFC 8461), so senders require TLS", "%s", t.n > 1 ?
		    "several v=STSv1 records: senders ignore MTA-STS" :
		    why.len > 0 ? why.data : "no v=STSv1 record at _mta-sts");
		goto done;
	}
	tags_parse_lenient(rec.data, rec.len, &tg);
	id = tags_get(&tg, "id");
	for (i = 0; id != NULL && isalnum((unsigned char)id[i]); i++)
		;
	if (id == NULL || i == 0 || i > 32 || id[i] != '\0')
		posture_add(p, "mta-sts", POSTURE_FAIL, "id= of 1 to 32 letters "
		    "and digits, changed with each policy", "record at %s: bad "
		    "or missing id=", name.data);
	else
		posture_add(p, "mta-sts", POSTURE_PASS, NULL, "record at %s: "
		    "id=%s", name.data, id);
	tags_free(&tg);
	if (p->req->fetch)
		posture_sts_fetch(p);
	else
		posture_add(p, "mta-sts", POSTURE_PASS, NULL, "policy file not "
		    "fetched (--fetch checks it)");
done:
	buf_free(&rec);
	buf_free(&name);
	buf_free(&why);
}
