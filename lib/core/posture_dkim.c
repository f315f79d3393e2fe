/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture_dkim - the DKIM key of each selector given: present, one
 * record, its type and size against RFC 8301, testing (t=y), revoked
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "util/buf.h"
#include "mail/tags.h"
#include "auth/pkey.h"
#include "core/posture_priv.h"

/* posture_dkim_size - RFC 8301 section 3.2 for one parsed key */
static void
posture_dkim_size(struct posture *p, const char *name, const char *k,
    EVP_PKEY *key, int secure)
{
	int bits = EVP_PKEY_get_bits(key);

	if (k != NULL && strcasecmp(k, "ed25519") == 0) {
		p->dkim_ok = 1;
		posture_add(p, "dkim", POSTURE_PASS, NULL, "%s: ed25519 key "
		    "(RFC 8463)%s; sign with an RSA key too, for receivers "
		    "without ed25519", name, secure ? ", DNSSEC-secure" : "");
	} else if (bits < 1024)
		posture_add(p, "dkim", POSTURE_FAIL, "publish a 2048-bit key",
		    "%s: %d-bit rsa key: receivers must not accept it "
		    "(RFC 8301)", name, bits);
	else if (bits < 2048) {
		p->dkim_ok = 1;
		posture_add(p, "dkim", POSTURE_WARN, "move to a 2048-bit key",
		    "%s: %d-bit rsa key: RFC 8301 asks signers for 2048 bits",
		    name, bits);
	} else {
		p->dkim_ok = 1;
		posture_add(p, "dkim", POSTURE_PASS, NULL, "%s: %d-bit rsa "
		    "key%s", name, bits, secure ? ", DNSSEC-secure" : "");
	}
}

/* posture_dkim_tags - t=, h= and the key itself */
static void
posture_dkim_tags(struct posture *p, const char *name, const char *rec,
    int secure)
{
	const char *k, *t, *h, *pk;
	struct buf why;
	struct tags tg;
	EVP_PKEY *key;

	buf_init(&why, 1024);
	if (tags_parse(rec, strlen(rec), &tg, &why) != 0) {
		posture_add(p, "dkim", POSTURE_FAIL, "correct the record "
		    "(RFC 6376 3.6.1)", "%s: %s", name, why.data);
		buf_free(&why);
		return;
	}
	k = tags_get(&tg, "k");
	t = tags_get(&tg, "t");
	h = tags_get(&tg, "h");
	pk = tags_get(&tg, "p");
	if (pk != NULL && *pk == '\0')
		posture_add(p, "dkim", POSTURE_WARN, "remove the selector from "
		    "your signers, or publish a key", "%s: key revoked "
		    "(empty p=): signatures with it fail", name);
	else if ((key = pkey_from_record(rec, k != NULL && strcasecmp(k,
	    "ed25519") == 0 ? PKEY_ED25519_SHA256 : PKEY_RSA_SHA256, 0,
	    &why)) == NULL)
		posture_add(p, "dkim", POSTURE_FAIL, "publish the key as "
		    "\"v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>\"",
		    "%s: %s", name, why.data);
	else {
		posture_dkim_size(p, name, k, key, secure);
		EVP_PKEY_free(key);
	}
	if (t != NULL && strchr(t, 'y') != NULL)
		posture_add(p, "dkim", POSTURE_WARN, "remove t=y when you are "
		    "done testing", "%s: t=y: the domain is testing DKIM, "
		    "receivers may treat its failures as unsigned", name);
	if (h != NULL && strstr(h, "sha256") == NULL)
		posture_add(p, "dkim", POSTURE_FAIL, "allow sha256 (h=sha256 "
		    "or no h=)", "%s: h=%s: rsa-sha1 only, which receivers "
		    "must not accept (RFC 8301)", name, h);
	tags_free(&tg);
	buf_free(&why);
}

/* posture_dkim - every selector of the request */
void
posture_dkim(struct posture *p)
{
	struct buf name, rec, why;
	struct posture_txt t;
	size_t i;

	if (p->req->nselector == 0) {
		posture_add(p, "dkim", POSTURE_WARN, "name your selectors with "
		    "--selector", "no selector given: keys not checked "
		    "(selectors cannot be listed from DNS)");
		return;
	}
	buf_init(&name, 600);
	buf_init(&rec, 65536);
	buf_init(&why, 1024);
	t.first = &rec;
	t.why = &why;
	for (i = 0; i < p->req->nselector; i++) {
		buf_reset(&name);
		buf_reset(&rec);
		buf_reset(&why);
		buf_printf(&name, "%s._domainkey.%s", p->req->selector[i],
		    p->domain);
		posture_txt(p, name.data, "", &t);
		if (t.st == RESOLVER_NXDOMAIN || t.st == RESOLVER_NODATA)
			posture_add(p, "dkim", POSTURE_FAIL, "publish the "
			    "selector's key record", "%s: no key record (%s)",
			    name.data, why.data);
		else if (t.st != RESOLVER_OK)
			posture_add(p, "dkim", POSTURE_FAIL, "fix the name "
			    "servers: receivers get temperror", "%s", why.data);
		else if (t.n != 1)
			posture_add(p, "dkim", POSTURE_FAIL, "keep one TXT "
			    "record per selector", "%s: %d TXT records",
			    name.data, t.n);
		else
			posture_dkim_tags(p, name.data, rec.data, t.secure);
	}
	buf_free(&name);
	buf_free(&rec);
	buf_free(&why);
}
