/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_policy - the policy records beside the mail path: BIMI
 * (default._bimi), MTA-STS (_mta-sts and, with --fetch, the policy file)
 * and TLS-RPT (_smtp._tls)
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "mail/tags.h"
#include "core/posture_priv.h"

/* posture_https - a value that is an https: URL */
static int
posture_https(const char *v)
{
	return v != NULL && strncasecmp(v, "https://", 8) == 0 && v[8] != '\0';
}

/* posture_record - the one record at prefix.domain; 0 none or trouble */
static int
posture_record(struct posture *p, const char *area, const char *label,
    const char *version, const char *absent_fix, struct buf *rec)
{
	struct posture_txt t;
	struct buf name, why;
	int ok = 0;

	buf_init(&name, 600);
	buf_init(&why, 1024);
	buf_printf(&name, "%s.%s", label, p->domain);
	t.first = rec;
	t.why = &why;
	posture_txt(p, name.data, version, &t);
	if (t.st != RESOLVER_OK && t.st != RESOLVER_NXDOMAIN &&
	    t.st != RESOLVER_NODATA)
		posture_add(p, area, POSTURE_FAIL, "fix the name servers",
		    "%s", why.data);
	else if (t.n == 0)
		posture_add(p, area, absent_fix != NULL ? POSTURE_WARN :
		    POSTURE_PASS, absent_fix, "no %s record at %s%s", version,
		    name.data, absent_fix != NULL ? "" : " (optional)");
	else if (t.n > 1)
		posture_add(p, area, POSTURE_FAIL, "keep one record", "%d %s "
		    "records at %s: receivers ignore them all", t.n, version,
		    name.data);
	else {
		posture_add(p, area, POSTURE_PASS, NULL, "record at %s: %s%s",
		    name.data, rec->data, t.secure ? " (DNSSEC-secure)" : "");
		ok = 1;
	}
	buf_free(&name);
	buf_free(&why);
	return ok;
}

/* posture_bimi - default._bimi: l= and a= URLs, DMARC at enforcement */
void
posture_bimi(struct posture *p)
{
	const char *l, *a;
	struct buf rec;
	struct tags t;

	buf_init(&rec, 65536);
	if (!posture_record(p, "bimi", "default._bimi", "v=BIMI1", NULL,
	    &rec)) {
		buf_free(&rec);
		return;
	}
	tags_parse_lenient(rec.data, rec.len, &t);
	l = tags_get(&t, "l");
	a = tags_get(&t, "a");
	if ((l == NULL || *l == '\0') && (a == NULL || *a == '\0'))
		posture_add(p, "bimi", POSTURE_PASS, NULL, "a declination "
		    "record: no logo");
	else {
		if (!posture_https(l))
			posture_add(p, "bimi", POSTURE_FAIL, "point l= at an "
			    "https: URL of an SVG Tiny PS file", "l= is not an "
			    "https: URL");
		if (a == NULL || *a == '\0')
			posture_add(p, "bimi", POSTURE_WARN, "add a= with the "
			    "https: URL of your mark certificate", "no a= "
			    "(evidence): most mailbox providers show no logo "
			    "without a certificate");
		else if (!posture_https(a))
			posture_add(p, "bimi", POSTURE_FAIL, "point a= at an "
			    "https: URL", "a= is not an https: URL");
		if (!p->dmarc_enforcing)
			posture_add(p, "bimi", POSTURE_FAIL, "move DMARC to "
			    "p=quarantine or p=reject, for subdomains too, "
			    "without t=y", "BIMI needs DMARC at enforcement");
	}
	tags_free(&t);
	buf_free(&rec);
}

/* posture_tlsrpt - _smtp._tls: where TLS failure reports go (RFC 8460) */
void
posture_tlsrpt(struct posture *p)
{
	const char *rua, *q, *e;
	struct buf rec;
	struct tags t;

	buf_init(&rec, 65536);
	if (!posture_record(p, "tls-rpt", "_smtp._tls", "v=TLSRPTv1",
	    "publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:...\" to hear "
	    "of TLS failures (RFC 8460)", &rec)) {
		buf_free(&rec);
		return;
	}
	tags_parse_lenient(rec.data, rec.len, &t);
	if ((rua = tags_get(&t, "rua")) == NULL || *rua == '\0')
		posture_add(p, "tls-rpt", POSTURE_FAIL, "add rua=mailto:... or "
		    "rua=https://...", "no rua=: no report can be sent");
	for (q = rua; q != NULL && *q != '\0'; q = *e ? e + 1 : e) {
		e = q + strcspn(q, ",");
		if (strncasecmp(q, "mailto:", 7) != 0 &&
		    strncasecmp(q, "https:", 6) != 0)
			posture_add(p, "tls-rpt", POSTURE_FAIL, "use mailto: or "
			    "https: URIs", "rua %.*s: not mailto: or https:",
			    (int)(e - q), q);
	}
	tags_free(&t);
	buf_free(&rec);
}
