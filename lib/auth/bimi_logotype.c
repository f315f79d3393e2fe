/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi_logotype - the RFC 3709 logotype extension of a mark certificate:
 * its DER walked by hand (OpenSSL has no type for it), the SVG of its
 * data: URI, and the RFC 6170 hash over that SVG
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "util/buf.h"
#include "auth/bimi_cert.h"
#include "auth/bimi_svg.h"

/* DER tags the walk meets */
#define BIMI_DER_SEQ		0x30
#define BIMI_DER_OID		0x06
#define BIMI_DER_OCTETS		0x04
#define BIMI_DER_IA5		0x16
#define BIMI_DER_CTX(n)		(0xa0 | (n))	/* [n] constructed */

/* one TLV */
struct bimi_der {
	int		 tag;		/* the identifier octet */
	const unsigned char *v;		/* the contents */
	size_t		 len;		/* their length */
	const unsigned char *tlv;	/* where the TLV starts */
	size_t		 tlvlen;	/* its whole length */
};

/*
 * bimi_der_next - the TLV at *p (below end); *p moves past it. Only
 * one-octet tags and definite lengths of at most four octets (DER).
 */
static int
bimi_der_next(const unsigned char **p, const unsigned char *end,
    struct bimi_der *d)
{
	const unsigned char *q = *p;
	size_t len = 0, n, i;

	if (end - q < 2 || (q[0] & 0x1f) == 0x1f)
		return -1;
	d->tlv = q;
	d->tag = q[0];
	if (q[1] < 0x80) {
		len = q[1];
		q += 2;
	} else {
		n = q[1] & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - q - 2) < n)
			return -1;
		for (i = 0; i < n; i++)
			len = (len << 8) | q[2 + i];
		q += 2 + n;
	}
	if ((size_t)(end - q) < len)
		return -1;
	d->v = q;
	d->len = len;
	d->tlvlen = (size_t)(q + len - d->tlv);
	*p = q + len;
	return 0;
}

/* bimi_der_into - the first TLV inside d, which must have tag */
static int
bimi_der_into(const struct bimi_der *d, int tag, struct bimi_der *out)
{
	const unsigned char *p = d->v;

	return bimi_der_next(&p, d->v + d->len, out) == 0 &&
	    out->tag == tag ? 0 : -1;
}

/* bimi_der_find - the element of d tagged tag, or -1 */
static int
bimi_der_find(const struct bimi_der *d, int tag, struct bimi_der *out)
{
	const unsigned char *p = d->v, *end = d->v + d->len;

	while (p < end)
		if (bimi_der_next(&p, end, out) != 0)
			return -1;
		else if (out->tag == tag)
			return 0;
	return -1;
}

/* bimi_logotype_details - LogotypeDetails: media type, hash, URI */
static int
bimi_logotype_details(const struct bimi_der *det, struct bimi_logotype *lt)
{
	const unsigned char *p = det->v, *end = det->v + det->len;
	struct bimi_der media, hashes, one, alg, val, uris, uri;

	if (bimi_der_next(&p, end, &media) != 0 || media.tag != BIMI_DER_IA5 ||
	    bimi_der_next(&p, end, &hashes) != 0 ||
	    hashes.tag != BIMI_DER_SEQ ||
	    bimi_der_next(&p, end, &uris) != 0 || uris.tag != BIMI_DER_SEQ)
		return -1;
	/* HashAlgAndValue: AlgorithmIdentifier, OCTET STRING */
	if (bimi_der_into(&hashes, BIMI_DER_SEQ, &one) != 0 ||
	    bimi_der_into(&one, BIMI_DER_SEQ, &alg) != 0 ||
	    bimi_der_find(&one, BIMI_DER_OCTETS, &val) != 0 ||
	    bimi_der_into(&alg, BIMI_DER_OID, &alg) != 0 ||
	    bimi_der_into(&uris, BIMI_DER_IA5, &uri) != 0)
		return -1;
	lt->media = media.v;
	lt->medialen = media.len;
	lt->alg = alg.tlv;
	lt->alglen = alg.tlvlen;
	lt->hash = val.v;
	lt->hashlen = val.len;
	lt->uri = uri.v;
	lt->urilen = uri.len;
	return 0;
}

/*
 * bimi_logotype_parse - LogotypeExtn: subjectLogo [2] EXPLICIT, direct
 * [0] (IMPLICIT LogotypeData), its first image's LogotypeDetails
 */
int
bimi_logotype_parse(const unsigned char *der, size_t len,
    struct bimi_logotype *lt, struct buf *why)
{
	const unsigned char *p = der;
	struct bimi_der ext, subj, direct, images, image, details;

	memset(lt, 0, sizeof(*lt));
	if (bimi_der_next(&p, der + len, &ext) != 0 || ext.tag != BIMI_DER_SEQ)
		return buf_puts(why, "logotype extension: not a SEQUENCE"), -1;
	if (bimi_der_find(&ext, BIMI_DER_CTX(2), &subj) != 0)
		return buf_puts(why, "logotype extension: no subject logo"), -1;
	if (bimi_der_into(&subj, BIMI_DER_CTX(0), &direct) != 0)
		return buf_puts(why, "logotype extension: the subject logo is "
		    "not given directly"), -1;
	if (bimi_der_into(&direct, BIMI_DER_SEQ, &images) != 0 ||
	    bimi_der_into(&images, BIMI_DER_SEQ, &image) != 0 ||
	    bimi_der_into(&image, BIMI_DER_SEQ, &details) != 0 ||
	    bimi_logotype_details(&details, lt) != 0)
		return buf_puts(why, "logotype extension: no readable image "
		    "details"), -1;
	return 0;
}

/* bimi_logotype_b64 - base64 of a data: URI (white space skipped) */
static int
bimi_logotype_b64(const unsigned char *p, size_t len, struct buf *out)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char chunk[1024];
	size_t off;
	int n, rc = 0;

	if (ctx == NULL)
		return -1;
	EVP_DecodeInit(ctx);
	for (off = 0; rc == 0 && off < len; off += 512) {
		n = 0;
		if (EVP_DecodeUpdate(ctx, chunk, &n, p + off, (int)(len - off >
		    512 ? 512 : len - off)) < 0 || buf_append(out, chunk,
		    (size_t)n) != 0)
			rc = -1;
	}
	n = 0;
	if (rc == 0 && (EVP_DecodeFinal(ctx, chunk, &n) < 0 ||
	    buf_append(out, chunk, (size_t)n) != 0))
		rc = -1;
	EVP_ENCODE_CTX_free(ctx);
	return rc;
}

/*
 * bimi_logotype_svg - the SVG of the data: URI, gunzipped when it is
 * gzipped (the guidelines want it gzipped; plain SVG is taken too)
 */
int
bimi_logotype_svg(const struct bimi_logotype *lt, struct buf *svg,
    struct buf *why)
{
	static const char media[] = "image/svg+xml";
	static const char prefix[] = "data:image/svg+xml;base64,";
	const size_t plen = sizeof(prefix) - 1;
	struct buf raw;
	int rc = -1;

	if (lt->medialen != sizeof(media) - 1 || strncasecmp(
	    (const char *)lt->media, media, sizeof(media) - 1) != 0)
		return buf_puts(why, "the logotype is not image/svg+xml"), -1;
	if (lt->urilen <= plen || strncasecmp((const char *)lt->uri, prefix,
	    plen) != 0)
		return buf_puts(why, "the logotype URI is not a base64 "
		    "data:image/svg+xml URI"), -1;
	buf_init(&raw, BIMI_CERT_MAX);
	if (bimi_logotype_b64(lt->uri + plen, lt->urilen - plen, &raw) != 0)
		buf_puts(why, "the logotype URI is not valid base64");
	else if (!bimi_svg_is_gzip(raw.data, raw.len)) {
		if (raw.len > BIMI_SVG_MAX)
			buf_puts(why, "the logotype's SVG is too large");
		else
			rc = buf_append(svg, raw.data, raw.len);
	} else
		rc = bimi_svg_gunzip(raw.data, raw.len, BIMI_SVG_MAX, svg, why);
	buf_free(&raw);
	return rc;
}

/* bimi_cert_hash - RFC 6170 5.2: md over the SVG with CRLF and CR as LF */
int
bimi_cert_hash(const EVP_MD *md, const char *svg, size_t len,
    unsigned char *out, unsigned int *outlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i, from = 0;
	int ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;
	for (i = 0; ok && i < len; i++) {
		if (svg[i] != '\r')
			continue;
		ok = EVP_DigestUpdate(ctx, svg + from, i - from) == 1 &&
		    EVP_DigestUpdate(ctx, "\n", 1) == 1;
		if (i + 1 < len && svg[i + 1] == '\n')
			i++;
		from = i + 1;
	}
	ok = ok && EVP_DigestUpdate(ctx, svg + from, len - from) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, outlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* bimi_cert_matches - is svg the logo the certificate's hash names */
int
bimi_cert_matches(const struct bimi_evidence *ev, const char *svg,
    size_t len, struct buf *why)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;

	if (ev->md == NULL || bimi_cert_hash(ev->md, svg, len, h, &hl) != 0 ||
	    hl != ev->hashlen || memcmp(h, ev->hash, hl) != 0) {
		buf_puts(why, "the indicator's hash differs from the "
		    "certificate's logotype hash");
		return -1;
	}
	return 0;
}

/* bimi_evidence_free - the logo's copy */
void
bimi_evidence_free(struct bimi_evidence *ev)
{
	free(ev->svg);
	memset(ev, 0, sizeof(*ev));
}

/* bimi_logotype_md - the hash's algorithm: SHA-256, -384 or -512 only */
static const EVP_MD *
bimi_logotype_md(const struct bimi_logotype *lt)
{
	const unsigned char *p = lt->alg;
	ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &p, (long)lt->alglen);
	int nid = o != NULL ? OBJ_obj2nid(o) : NID_undef;

	ASN1_OBJECT_free(o);
	return nid == NID_sha256 ? EVP_sha256() : nid == NID_sha384 ?
	    EVP_sha384() : nid == NID_sha512 ? EVP_sha512() : NULL;
}

/*
 * bimi_logotype_evidence - from the extension's DER: the SVG, which must
 * hash to the logotype hash the certificate carries
 */
int
bimi_logotype_evidence(const unsigned char *der, size_t len,
    struct bimi_evidence *ev, struct buf *why)
{
	struct bimi_logotype lt;
	struct buf svg;

	if (bimi_logotype_parse(der, len, &lt, why) != 0)
		return -1;
	if ((ev->md = bimi_logotype_md(&lt)) == NULL ||
	    lt.hashlen != (size_t)EVP_MD_get_size(ev->md))
		return buf_puts(why, "the logotype hash is not SHA-256, "
		    "SHA-384 or SHA-512"), -1;
	memcpy(ev->hash, lt.hash, lt.hashlen);
	ev->hashlen = (unsigned int)lt.hashlen;
	buf_init(&svg, BIMI_SVG_MAX + 1);
	if (bimi_logotype_svg(&lt, &svg, why) != 0 ||
	    bimi_cert_matches(ev, svg.data, svg.len, why) != 0) {
		buf_free(&svg);
		return -1;
	}
	ev->svglen = svg.len;
	ev->svg = buf_steal(&svg);
	return 0;
}
