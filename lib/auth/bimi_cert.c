/* SPDX-License-Identifier: BSD-2-Clause */
/* bimi_cert - a mark certificate: its chain, key usage, names and logo */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/buf.h"
#include "auth/bimi_cert.h"

/* bimi_cert_read - the PEM certificates, the mark certificate first */
static int
bimi_cert_read(const char *pem, size_t len, X509 **leaf,
    STACK_OF(X509) *chain, struct buf *why)
{
	BIO *bio;
	X509 *x;
	int n = 0;

	if (len > BIMI_CERT_MAX)
		return buf_printf(why, "evidence document larger than %d bytes",
		    BIMI_CERT_MAX), -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return buf_puts(why, "out of memory"), -1;
	while (n <= BIMI_CERT_MAX_CHAIN &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (n++ == 0)
			*leaf = x;
		else if (n > BIMI_CERT_MAX_CHAIN || !sk_X509_push(chain, x))
			X509_free(x);
	}
	BIO_free(bio);
	/* the error queue holds the end of the PEM stream: not ours */
	ERR_clear_error();
	if (n == 0)
		return buf_puts(why, "the evidence document holds no PEM "
		    "certificate"), -1;
	if (n > BIMI_CERT_MAX_CHAIN)
		return buf_printf(why, "more than %d certificates",
		    BIMI_CERT_MAX_CHAIN), -1;
	return 0;
}

/* bimi_cert_verify - RFC 5280 path to a configured root, as of at */
static int
bimi_cert_verify(X509_STORE *roots, X509 *leaf, STACK_OF(X509) *chain,
    time_t at, struct buf *why)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok, err;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, roots, leaf, chain) != 1) {
		X509_STORE_CTX_free(ctx);
		return buf_puts(why, "cannot verify (OpenSSL)"), -1;
	}
	if (at != 0)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	ok = X509_verify_cert(ctx) == 1;
	err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		buf_printf(why, "mark certificate: %s",
		    X509_verify_cert_error_string(err));
	return ok ? 0 : -1;
}

/* bimi_cert_eku - the BIMI extended key usage is present */
static int
bimi_cert_eku(X509 *leaf)
{
	EXTENDED_KEY_USAGE *eku;
	ASN1_OBJECT *want = OBJ_txt2obj(BIMI_CERT_EKU, 1);
	int i, found = 0;

	eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
	for (i = 0; want != NULL && eku != NULL && i <
	    sk_ASN1_OBJECT_num(eku) && !found; i++)
		found = OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0;
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ASN1_OBJECT_free(want);
	return found;
}

/* bimi_cert_names - a subjectAltName dNSName is one of names */
static int
bimi_cert_names(X509 *leaf, const char *const *names)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	const unsigned char *d;
	size_t k, len;
	int i, found = 0;

	gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && !found;
	    i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = (size_t)ASN1_STRING_length(g->d.dNSName);
		for (k = 0; names[k] != NULL && !found; k++)
			found = strlen(names[k]) == len &&
			    strncasecmp((const char *)d, names[k], len) == 0;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/* bimi_cert_logo - the logotype extension's SVG and hash */
static int
bimi_cert_logo(X509 *leaf, struct bimi_evidence *ev, struct buf *why)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(BIMI_CERT_LOGOTYPE, 1);
	const ASN1_OCTET_STRING *v;
	X509_EXTENSION *ext;
	int i;

	i = oid != NULL ? X509_get_ext_by_OBJ(leaf, oid, -1) : -1;
	ASN1_OBJECT_free(oid);
	if (i < 0 || (ext = X509_get_ext(leaf, i)) == NULL ||
	    (v = X509_EXTENSION_get_data(ext)) == NULL)
		return buf_puts(why, "the mark certificate has no logotype "
		    "extension"), -1;
	return bimi_logotype_evidence(ASN1_STRING_get0_data(v),
	    (size_t)ASN1_STRING_length(v), ev, why);
}

/*
 * bimi_cert_check - the PEM at a=: a mark certificate valid at time at (0:
 * now) up to a root of roots, with the BIMI key usage, naming one of
 * names, with a logo whose hash holds; ev gets the logo
 */
int
bimi_cert_check(X509_STORE *roots, const char *pem, size_t len,
    const char *const *names, time_t at, struct bimi_evidence *ev,
    struct buf *why)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *leaf = NULL;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	if (chain == NULL || bimi_cert_read(pem, len, &leaf, chain, why) != 0)
		goto done;
	if (roots == NULL)
		buf_puts(why, "no bimi.trust_store to check it against");
	else if (bimi_cert_verify(roots, leaf, chain, at, why) != 0)
		;
	else if (!bimi_cert_eku(leaf))
		buf_puts(why, "the certificate lacks the BIMI extended key "
		    "usage (" BIMI_CERT_EKU ")");
	else if (!bimi_cert_names(leaf, names))
		buf_printf(why, "the certificate does not name %s", names[0]);
	else
		rc = bimi_cert_logo(leaf, ev, why);
done:
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	if (rc != 0)
		bimi_evidence_free(ev);
	return rc;
}
