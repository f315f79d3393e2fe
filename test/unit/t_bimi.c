/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_bimi - BIMI without a network: the assertion record and the
 * BIMI-Selector field, when a message is eligible, which BIMI-Selector a
 * passing aligned signature covers, the SVG Tiny PS check, the logotype
 * extension's DER, data: URI and hash, and the cache lifetime of a
 * fetched document
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "mail/hdr.h"
#include "auth/bimi.h"
#include "auth/bimi_cert.h"
#include "auth/bimi_fetch.h"
#include "auth/bimi_svg.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "report/report_mail.h"
#include "unit.h"

#define T_BIMI_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_bimi_record - section 4.3: what is read, what is refused and why */
static void
t_bimi_record(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		const char	*txt;		/* the TXT record */
		int		 is;		/* bimi_record_is() */
		const char	*want;		/* "l|a", or "!reason part" */
	} cases[] = {
		{ "l and a", "v=BIMI1; l=https://l.example/a.svg; "
		    "a=https://l.example/a.pem", 1,
		    "https://l.example/a.svg|https://l.example/a.pem" },
		{ "l only", "v=BIMI1;l=https://l.example/a.svg;", 1,
		    "https://l.example/a.svg|" },
		{ "declination", "v=BIMI1; l=; a=;", 1, "|" },
		{ "spaces around =", "v = BIMI1 ; l = https://x.example/l.svg",
		    1, "https://x.example/l.svg|" },
		{ "unknown tags ignored", "v=BIMI1; l=; avp=brand; lps=true",
		    1, "|" },
		{ "no l=", "v=BIMI1; a=https://l.example/a.pem", 1,
		    "!no l= tag" },
		{ "http: refused", "v=BIMI1; l=http://l.example/a.svg", 1,
		    "!not an https: URI in l=" },
		{ "two URIs", "v=BIMI1; l=https://a.example/x,https://b.example/"
		    "y", 1, "!more than one URI" },
		{ "one slash, 8-bit host (fuzz)", "v=BIMI1; l=https:/\347l."
		    "example/a.svg", 1, "!not an https: URI" },
		{ "folded version (fuzz)", "v=B\r\rIMI1; l=;", 0,
		    "!v=BIMI1 is not the first" },
		{ "IP literal host", "v=BIMI1; l=https://192.0.2.1/a.svg", 1,
		    "!no fully qualified host" },
		{ "bad a=", "v=BIMI1; l=; a=ftp://l.example/a.pem", 1,
		    "!in a=" },
		{ "v not first", "l=; v=BIMI1", 0, "!v=BIMI1 is not the first" },
		{ "other version", "v=BIMI2; l=", 0, "!v=BIMI1 is not" },
		{ "v=BIMI1x", "v=BIMI1x; l=", 0, "!v=BIMI1 is not" },
		{ "tag twice", "v=BIMI1; l=; l=", 1, "!" },
	};
	struct bimi_record rec;
	struct buf why, got;
	size_t i;
	int rc;

	buf_init(&why, 1024);
	buf_init(&got, 1024);
	for (i = 0; i < T_BIMI_N(cases); i++) {
		buf_reset(&why);
		buf_reset(&got);
		UNIT_CHECK(bimi_record_is(cases[i].txt, strlen(cases[i].txt)) ==
		    cases[i].is, cases[i].label, "record_is");
		rc = bimi_record_parse(cases[i].txt, strlen(cases[i].txt), &rec,
		    &why);
		if (rc == 0)
			buf_printf(&got, "%s|%s", rec.l, rec.a);
		else
			buf_printf(&got, "!%s", why.data);
		if (cases[i].want[0] == '!')
			UNIT_CHECK(rc != 0 && strstr(got.data, cases[i].want +
			    1) != NULL, cases[i].label, "got %s", got.data);
		else
			UNIT_STREQ(got.data, cases[i].want, cases[i].label);
		bimi_record_free(&rec);
	}
	buf_free(&why);
	buf_free(&got);
}

/* t_bimi_selector - section 5.1: the BIMI-Selector field */
static void
t_bimi_selector(void)
{
	static const struct {
		const char	*in;		/* the field's value */
		const char	*want;		/* the selector, NULL refused */
	} cases[] = {
		{ " v=BIMI1; s=brand;", "brand" },
		{ "v=BIMI1; s=Spring.Sale", "spring.sale" },
		{ "v=BIMI1;\r\n\ts=b-2", "b-2" },
		{ "s=brand; v=BIMI1", NULL },
		{ "v=BIMI2; s=brand", NULL },
		{ "v=BIMI1", NULL },
		{ "v=BIMI1; s=-x", NULL },
		{ "v=BIMI1; s=a..b", NULL },
		{ "v=BIMI1; s=a_b", NULL },
		{ "v=BIMI1; s=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaa", NULL },
	};
	size_t i;
	char *s;

	for (i = 0; i < T_BIMI_N(cases); i++) {
		bimi_selector_parse(cases[i].in, strlen(cases[i].in), &s);
		if (cases[i].want == NULL)
			UNIT_CHECK(s == NULL, cases[i].in, "got %s", s);
		else
			UNIT_STREQ(s, cases[i].want, cases[i].in);
		free(s);
	}
}

/* t_bimi_eligible - section 7.1 under RFC 9989's policy */
static void
t_bimi_eligible(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		int		 result;	/* DMARC's */
		int		 p, sp, t, pct, rfc7489;	/* the record */
		int		 want;		/* eligible */
	} cases[] = {
		{ "reject", METHOD_PASS, DMARC_P_REJECT, 0, 0, 100, 0, 1 },
		{ "quarantine", METHOD_PASS, DMARC_P_QUARANTINE, 0, 0, 100, 0,
		    1 },
		{ "none", METHOD_PASS, DMARC_P_NONE, 0, 0, 100, 0, 0 },
		{ "sp=none", METHOD_PASS, DMARC_P_REJECT, DMARC_P_NONE, 0, 100,
		    0, 0 },
		{ "sp=quarantine", METHOD_PASS, DMARC_P_REJECT,
		    DMARC_P_QUARANTINE, 0, 100, 0, 1 },
		{ "t=y", METHOD_PASS, DMARC_P_REJECT, 0, 1, 100, 0, 0 },
		{ "DMARC fail", METHOD_FAIL, DMARC_P_REJECT, 0, 0, 100, 0, 0 },
		{ "pct ignored (rfc9989)", METHOD_PASS, DMARC_P_REJECT, 0, 0,
		    50, 0, 1 },
		{ "pct=50 (rfc7489)", METHOD_PASS, DMARC_P_QUARANTINE, 0, 0, 50,
		    1, 0 },
	};
	struct dmarc_result d;
	const char *why;
	size_t i;

	for (i = 0; i < T_BIMI_N(cases); i++) {
		memset(&d, 0, sizeof(d));
		d.checked = 1;
		d.have_record = 1;
		d.result = (enum method_result)cases[i].result;
		d.rec.p = (enum dmarc_policy)cases[i].p;
		d.rec.sp = (enum dmarc_policy)cases[i].sp;
		d.rec.t = cases[i].t;
		d.rec.pct = cases[i].pct;
		UNIT_CHECK(bimi_eligible(&d, cases[i].rfc7489, &why) ==
		    cases[i].want, cases[i].label, "why %s", why ? why : "-");
		UNIT_CHECK(cases[i].want || why != NULL, cases[i].label,
		    "no reason");
	}
}

/* t_bimi_signed - section 5.5: which BIMI-Selector a signature covers */
static void
t_bimi_signed(void)
{
	static const char sig_h[] = " v=1; a=rsa-sha256; d=b.example; "
	    "s=s1; h=from:to:BIMI-Selector; bh=xx; b=AbCdEf12345678;";
	static const char sig_no[] = " v=1; a=rsa-sha256; d=b.example; "
	    "s=s1; h=from:to; bh=xx; b=AbCdEf12345678;";
	struct dkim_sig g;
	struct dkim_result dk;
	struct hdr h;
	char *s;

	memset(&g, 0, sizeof(g));
	g.result = METHOD_PASS;
	g.d = "b.example";
	g.b = "AbCdEf12";
	dk.sig = &g;
	dk.n = 1;
	hdr_init(&h);
	hdr_add(&h, "DKIM-Signature", sig_h, strlen(sig_h));
	hdr_add(&h, "BIMI-Selector", " v=BIMI1; s=brand", 17);
	s = bimi_signed_selector(&h, &dk, "b.example");
	UNIT_STREQ(s, "brand", "covered by the aligned passing signature");
	free(s);
	UNIT_CHECK(bimi_signed_selector(&h, &dk, "other.example") == NULL,
	    "not the aligned domain", "selector used");
	g.result = METHOD_FAIL;
	UNIT_CHECK(bimi_signed_selector(&h, &dk, "b.example") == NULL,
	    "signature failed", "selector used");
	g.result = METHOD_PASS;
	g.b = "ZZZZZZZZ";
	UNIT_CHECK(bimi_signed_selector(&h, &dk, "b.example") == NULL,
	    "another signature's field", "selector used");
	g.b = "AbCdEf12";
	hdr_add(&h, "BIMI-Selector", " v=BIMI1; s=other", 17);
	UNIT_CHECK(bimi_signed_selector(&h, &dk, "b.example") == NULL,
	    "two BIMI-Selector fields", "selector used");
	hdr_free(&h);
	hdr_init(&h);
	hdr_add(&h, "DKIM-Signature", sig_no, strlen(sig_no));
	hdr_add(&h, "BIMI-Selector", " v=BIMI1; s=brand", 17);
	UNIT_CHECK(bimi_signed_selector(&h, &dk, "b.example") == NULL,
	    "h= without BIMI-Selector", "selector used");
	hdr_free(&h);
}

#define T_SVG_OK(body) "<svg xmlns=\"http://www.w3.org/2000/svg\" " \
	"xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.2\" " \
	"baseProfile=\"tiny-ps\" viewBox=\"0 0 100 100\"><title>Brand" \
	"</title>" body "</svg>"

/* t_bimi_svg - the SVG Tiny PS profile, and what it refuses */
static void
t_bimi_svg(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		const char	*svg;		/* the document */
		const char	*why;		/* NULL accepted, else a part */
	} cases[] = {
		{ "plain logo", T_SVG_OK("<rect width=\"100\" height=\"100\" "
		    "fill=\"#f00\"/>"), NULL },
		{ "gradient by local url()", T_SVG_OK("<defs><linearGradient "
		    "id=\"g\"><stop offset=\"0\"/></linearGradient></defs>"
		    "<circle r=\"5\" fill=\"url(#g)\"/>"), NULL },
		{ "local use", T_SVG_OK("<g id=\"a\"/><use xlink:href=\"#a\"/>"),
		    NULL },
		{ "metadata may hold RDF", T_SVG_OK("<metadata><rdf:RDF "
		    "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"
		    "</metadata>"), NULL },
		{ "script", T_SVG_OK("<script>alert(1)</script>"), "script" },
		{ "external use", T_SVG_OK("<use xlink:href=\"https://evil."
		    "example/x.svg#a\"/>"), "outside the document" },
		{ "raster image", T_SVG_OK("<image xlink:href=\"#x\"/>"),
		    "not allowed in SVG Tiny PS: image" },
		{ "link", T_SVG_OK("<a><rect/></a>"), "not allowed" },
		{ "animation", T_SVG_OK("<rect><animate/></rect>"), "animate" },
		{ "foreignObject", T_SVG_OK("<foreignObject/>"), "foreignObject"
		    },
		{ "event handler", T_SVG_OK("<rect onclick=\"x()\"/>"),
		    "event handler" },
		{ "external url()", T_SVG_OK("<rect fill=\"url(https://evil."
		    "example/p)\"/>"), "url()" },
		{ "element of another namespace", T_SVG_OK("<x:y xmlns:x=\"urn:"
		    "x\"/>"), "outside SVG" },
		{ "entity declaration", "<!DOCTYPE svg [<!ENTITY a \"aaaa\">]>"
		    T_SVG_OK("<title>&a;</title>"), "entity" },
		{ "style sheet PI", "<?xml-stylesheet href=\"https://evil."
		    "example/s.css\"?>" T_SVG_OK(""), "processing instruction" },
		{ "PI inside", T_SVG_OK("<?php x ?>"), "processing instruction" },
		{ "no title", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "version=\"1.2\" baseProfile=\"tiny-ps\"/>", "no title" },
		{ "empty title", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "version=\"1.2\" baseProfile=\"tiny-ps\"><title> </title>"
		    "</svg>", "no title" },
		{ "profile tiny", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "version=\"1.2\" baseProfile=\"tiny\"><title>B</title></svg>",
		    "baseProfile" },
		{ "version 1.1", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "version=\"1.1\" baseProfile=\"tiny-ps\"><title>B</title>"
		    "</svg>", "version" },
		{ "x= on the root", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "version=\"1.2\" baseProfile=\"tiny-ps\" x=\"0\"><title>B"
		    "</title></svg>", "on the root" },
		{ "no SVG namespace", "<svg version=\"1.2\" baseProfile=\""
		    "tiny-ps\"><title>B</title></svg>", "not an SVG" },
		{ "not XML", "<svg", "well-formed" },
	};
	struct buf why;
	size_t i;
	int rc;

	buf_init(&why, 1024);
	for (i = 0; i < T_BIMI_N(cases); i++) {
		buf_reset(&why);
		rc = bimi_svg_check(cases[i].svg, strlen(cases[i].svg), &why);
		if (cases[i].why == NULL)
			UNIT_CHECK(rc == 0, cases[i].label, "refused: %s",
			    why.data);
		else
			UNIT_CHECK(rc != 0 && strstr(why.data, cases[i].why) !=
			    NULL, cases[i].label, "got %d: %s", rc, why.data);
	}
	buf_free(&why);
}

/* t_der - one DER TLV of tag around content into out */
static void
t_der(struct buf *out, int tag, const void *v, size_t len)
{
	buf_putc(out, tag);
	if (len < 0x80)
		buf_putc(out, (int)len);
	else {
		buf_putc(out, 0x82);
		buf_putc(out, (int)(len >> 8));
		buf_putc(out, (int)(len & 0xff));
	}
	buf_append(out, v, len);
}

/* t_logotype - LogotypeExtn of svg (gzipped data: URI), hash hashed */
static void
t_logotype(struct buf *der, const char *svg, const char *hashed, int gz,
    const unsigned char *oid, size_t oidlen)
{
	static const char prefix[] = "data:image/svg+xml;base64,";
	unsigned char h[EVP_MAX_MD_SIZE], *b64;
	unsigned int hl;
	struct buf z, why, uri, a, b, c;

	buf_init(&z, 65536);
	buf_init(&why, 256);
	buf_init(&uri, 131072);
	buf_init(&a, 131072);
	buf_init(&b, 131072);
	buf_init(&c, 131072);
	if (gz)
		report_mail_gzip(svg, strlen(svg), &z, &why);
	else
		buf_puts(&z, svg);
	b64 = xmalloc(z.len * 2 + 4);
	EVP_EncodeBlock(b64, (unsigned char *)z.data, (int)z.len);
	buf_printf(&uri, "%s%s", prefix, b64);
	bimi_cert_hash(EVP_sha256(), hashed, strlen(hashed), h, &hl);
	/* HashAlgAndValue: SEQUENCE { SEQUENCE { OID }, OCTET STRING } */
	t_der(&a, 0x06, oid, oidlen);
	t_der(&b, 0x30, a.data, a.len);
	t_der(&b, 0x04, h, hl);
	buf_reset(&a);
	t_der(&a, 0x30, b.data, b.len);		/* the one HashAlgAndValue */
	buf_reset(&b);
	t_der(&b, 0x16, "image/svg+xml", 13);	/* LogotypeDetails */
	t_der(&b, 0x30, a.data, a.len);
	buf_reset(&a);
	t_der(&a, 0x16, uri.data, uri.len);
	t_der(&b, 0x30, a.data, a.len);
	buf_reset(&a);
	t_der(&a, 0x30, b.data, b.len);		/* details */
	buf_reset(&b);
	t_der(&b, 0x30, a.data, a.len);		/* LogotypeImage */
	buf_reset(&a);
	t_der(&a, 0x30, b.data, b.len);		/* image SEQUENCE OF */
	buf_reset(&b);
	t_der(&b, 0xa0, a.data, a.len);		/* direct [0] */
	buf_reset(&a);
	t_der(&a, 0xa2, b.data, b.len);		/* subjectLogo [2] */
	t_der(der, 0x30, a.data, a.len);
	free(b64);
	buf_free(&z);
	buf_free(&why);
	buf_free(&uri);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

/* t_bimi_logotype - the extension's SVG and its RFC 6170 hash */
static void
t_bimi_logotype(void)
{
	static const unsigned char sha256[] = { 0x60, 0x86, 0x48, 0x01, 0x65,
	    0x03, 0x04, 0x02, 0x01 };
	static const unsigned char sha1[] = { 0x2b, 0x0e, 0x03, 0x02, 0x1a };
	const char *svg = T_SVG_OK("<rect/>\r\n");
	struct bimi_evidence ev;
	struct buf der, why;
	size_t n;

	buf_init(&der, 262144);
	buf_init(&why, 1024);
	memset(&ev, 0, sizeof(ev));
	t_logotype(&der, svg, svg, 1, sha256, sizeof(sha256));
	UNIT_CHECK(bimi_logotype_evidence((unsigned char *)der.data, der.len,
	    &ev, &why) == 0 && ev.svglen == strlen(svg) &&
	    memcmp(ev.svg, svg, ev.svglen) == 0, "gzipped logo, SHA-256",
	    "%s", why.data);
	/* the same logo with LF line ends hashes the same (RFC 6170) */
	UNIT_CHECK(bimi_cert_matches(&ev, T_SVG_OK("<rect/>\n"),
	    strlen(T_SVG_OK("<rect/>\n")), &why) == 0, "CRLF as LF",
	    "%s", why.data);
	UNIT_CHECK(bimi_cert_matches(&ev, T_SVG_OK("<rect />\n"),
	    strlen(T_SVG_OK("<rect />\n")), &why) != 0, "another logo",
	    "matched");
	bimi_evidence_free(&ev);
	/* a hash of another logo, an unknown algorithm, a plain data: URI */
	buf_reset(&der);
	t_logotype(&der, svg, "<svg/>", 1, sha256, sizeof(sha256));
	UNIT_CHECK(bimi_logotype_evidence((unsigned char *)der.data, der.len,
	    &ev, &why) != 0, "wrong hash", "accepted");
	buf_reset(&der);
	t_logotype(&der, svg, svg, 1, sha1, sizeof(sha1));
	UNIT_CHECK(bimi_logotype_evidence((unsigned char *)der.data, der.len,
	    &ev, &why) != 0, "SHA-1", "accepted");
	buf_reset(&der);
	t_logotype(&der, svg, svg, 0, sha256, sizeof(sha256));
	UNIT_CHECK(bimi_logotype_evidence((unsigned char *)der.data, der.len,
	    &ev, &why) == 0, "plain SVG in the data: URI", "%s", why.data);
	bimi_evidence_free(&ev);
	/* every cut of the DER is refused, never read past */
	for (n = 0; n < der.len; n += 7)
		UNIT_CHECK(bimi_logotype_evidence((unsigned char *)der.data, n,
		    &ev, &why) != 0, "truncated DER", "accepted %zu", n);
	buf_free(&der);
	buf_free(&why);
}

/* t_bimi_lifetime - RFC 9111 4.2.1 freshness of a fetched document */
static void
t_bimi_lifetime(void)
{
	static const struct {
		const char	*cc, *expires, *date;	/* the fields */
		long		 want;		/* seconds */
	} cases[] = {
		{ "max-age=300", NULL, NULL, 300 },
		{ "public, max-age=\"60\"", NULL, NULL, 60 },
		{ "max-age=999999999", NULL, NULL, BIMI_CACHE_MAX_TTL },
		{ "no-store", NULL, NULL, 0 },
		{ "max-age=60, no-cache", NULL, NULL, 0 },
		{ "max-age", NULL, NULL, 0 },
		{ "s-maxage=100", NULL, NULL, 0 },
		{ NULL, "Thu, 01 Jan 2037 01:00:00 GMT",
		    "Thu, 01 Jan 2037 00:00:00 GMT", 3600 },
		{ "private", "Thu, 01 Jan 2037 00:10:00 GMT",
		    "Thu, 01 Jan 2037 00:00:00 GMT", 600 },
		{ NULL, "0", "Thu, 01 Jan 2037 00:00:00 GMT", 0 },
		{ NULL, "Thu, 01 Jan 2037 00:00:00 GMT",
		    "Thu, 01 Jan 2037 01:00:00 GMT", 0 },
		{ NULL, NULL, NULL, 0 },
	};
	size_t i;
	long got;

	for (i = 0; i < T_BIMI_N(cases); i++) {
		got = bimi_fetch_lifetime(cases[i].cc, cases[i].expires,
		    cases[i].date);
		UNIT_CHECK(got == cases[i].want, cases[i].cc ? cases[i].cc :
		    "Expires", "case %zu: got %ld, want %ld", i, got,
		    cases[i].want);
	}
}

int
main(void)
{
	bimi_init();
	t_bimi_record();
	t_bimi_selector();
	t_bimi_eligible();
	t_bimi_signed();
	t_bimi_svg();
	t_bimi_logotype();
	t_bimi_lifetime();
	return unit_done("t_bimi");
}
