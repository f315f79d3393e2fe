/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi_cert - a BIMI evidence document: a Verified or Common Mark
 *             Certificate (VMC, CMC) and the logo it carries
 *
 * STANDARDS   the AuthIndicators "Guidelines for the Issuance and
 *             Management of Mark Certificates" as of version 1.7 (the
 *             PEM at a= holds the mark certificate first, then its
 *             intermediates; extended key usage
 *             id-kp-BrandIndicatorforMessageIdentification,
 *             1.3.6.1.5.5.7.3.31; the domain in a subjectAltName
 *             dNSName; the logo as an RFC 3709 logotype extension,
 *             1.3.6.1.5.5.7.1.12, subjectLogo direct, one image of type
 *             image/svg+xml whose URI is a data: URI of the gzipped SVG);
 *             RFC 3709 appendix A (the ASN.1, IMPLICIT TAGS); RFC 6170
 *             section 5.2 (the logotype hash is over the uncompressed SVG
 *             with its line ends as LF); RFC 5280 section 6 (the path to
 *             a configured root, validity dates).
 * OWNERSHIP   bimi_cert_check() fills a caller-owned struct
 *             bimi_evidence, released with bimi_evidence_free(). The
 *             X509_STORE is the caller's (one per configuration).
 * LOCKING     none of ours: OpenSSL locks the X509_STORE's lookups; each
 *             call has its own X509_STORE_CTX and certificates.
 * LIMITS      BIMI_CERT_MAX bytes of PEM, BIMI_CERT_MAX_CHAIN
 *             certificates; the logotype's SVG at most BIMI_SVG_MAX bytes
 *             uncompressed. Revocation (CRL, OCSP) is not checked.
 * ERRORS      0 valid, -1 with the reason in why (the first check that
 *             failed: chain, key usage, name, logotype, hash).
 */
#ifndef AUTHMILTER_BIMI_CERT_H
#define AUTHMILTER_BIMI_CERT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct buf;

#define BIMI_CERT_MAX		65536
#define BIMI_CERT_MAX_CHAIN	8
#define BIMI_CERT_EKU		"1.3.6.1.5.5.7.3.31"
#define BIMI_CERT_LOGOTYPE	"1.3.6.1.5.5.7.1.12"

/* the logo a mark certificate carries */
struct bimi_evidence {
	char		*svg;		/* the logotype's SVG, uncompressed */
	size_t		 svglen;	/* its length */
	const EVP_MD	*md;		/* the logotype hash's algorithm */
	unsigned char	 hash[EVP_MAX_MD_SIZE];	/* the logotype hash */
	unsigned int	 hashlen;	/* its length */
};

/* what the DER of one logotype extension says */
struct bimi_logotype {
	const unsigned char *media;	/* mediaType, not NUL-terminated */
	size_t		 medialen;	/* its length */
	const unsigned char *alg;	/* the hash's OID TLV */
	size_t		 alglen;	/* its length */
	const unsigned char *hash;	/* the hash value */
	size_t		 hashlen;	/* its length */
	const unsigned char *uri;	/* the first logotypeURI */
	size_t		 urilen;	/* its length */
};

int	bimi_cert_check(X509_STORE *, const char *pem, size_t len,
	    const char *const *names, time_t at, struct bimi_evidence *,
	    struct buf *why);
int	bimi_cert_matches(const struct bimi_evidence *, const char *svg,
	    size_t len, struct buf *why);
void	bimi_evidence_free(struct bimi_evidence *);
int	bimi_logotype_parse(const unsigned char *der, size_t len,
	    struct bimi_logotype *, struct buf *why);
int	bimi_logotype_svg(const struct bimi_logotype *, struct buf *svg,
	    struct buf *why);
int	bimi_logotype_evidence(const unsigned char *der, size_t len,
	    struct bimi_evidence *, struct buf *why);
int	bimi_cert_hash(const EVP_MD *, const char *svg, size_t len,
	    unsigned char *out, unsigned int *outlen);

#endif
