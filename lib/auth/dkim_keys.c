/* SPDX-License-Identifier: BSD-2-Clause */
/* dkim_keys - key lookups of a message and the reasons they explain */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "dns/dnstext.h"
#include "auth/dkim_keys.h"

/* dkim_keys_note - remember how the lookup of one key name went */
void
dkim_keys_note(struct dkim_keys *k, const char *name,
    const struct resolver_answer *a, enum resolver_status st)
{
	struct dkim_key_note *n;
	struct buf why;

	if (k == NULL || k->n >= DKIM_KEYS_MAX)
		return;
	n = &k->note[k->n++];
	n->name = xstrdup(name);
	n->st = st;
	n->secure = a != NULL && st == RESOLVER_OK && a->secure;
	if (st != RESOLVER_OK) {
		buf_init(&why, 1024);
		dnstext_why(a, name, 16 /* TXT */, &why);
		n->why = buf_steal(&why);
		buf_free(&why);
	}
}

/* dkim_keys_find - the lookup of s._domainkey.d, or NULL */
const struct dkim_key_note *
dkim_keys_find(const struct dkim_keys *k, const char *d, const char *s)
{
	size_t sl, dl, nl;
	int i;

	if (k == NULL || d == NULL || s == NULL)
		return NULL;
	sl = strlen(s);
	dl = strlen(d);
	for (i = k->n; i-- > 0;) {
		const char *n = k->note[i].name;

		nl = strlen(n);
		if (nl > 0 && n[nl - 1] == '.')
			nl--;
		if (nl == sl + 12 + dl && strncasecmp(n, s, sl) == 0 &&
		    strncasecmp(n + sl, "._domainkey.", 12) == 0 &&
		    strncasecmp(n + sl + 12, d, dl) == 0)
			return &k->note[i];
	}
	return NULL;
}

/* dkim_keys_kind - "rsa" or "ed25519", from a= */
static const char *
dkim_keys_kind(const char *a)
{
	if (a != NULL && strncasecmp(a, "ed25519", 7) == 0)
		return "ed25519";
	return "rsa";
}

/* dkim_keys_key - "2048-bit rsa key", DNSSEC-secure when it was */
static void
dkim_keys_key(const struct dkim_keys_sig *g, const struct dkim_key_note *n,
    struct buf *out)
{
	if (g->bits > 0)
		buf_printf(out, "%d-bit ", g->bits);
	buf_printf(out, "%s key", dkim_keys_kind(g->a));
	if (n != NULL && n->secure)
		buf_puts(out, ", DNSSEC-secure");
}

/*
 * dkim_keys_reason - the failing step and what it concerned: "key not
 * found: TXT s._domainkey.d: NXDOMAIN", "key lookup failed: TXT ...:
 * timed out", "body hash mismatch, 2048-bit rsa key" (no parentheses
 * or semicolons: the reason is an A-R comment)
 */
void
dkim_keys_reason(const struct dkim_keys *k, const struct dkim_keys_sig *g,
    struct buf *out)
{
	const struct dkim_key_note *n = dkim_keys_find(k, g->d, g->s);

	switch (g->err) {
	case DKIM_SIGERROR_NOKEY:
	case DKIM_SIGERROR_KEYFAIL:
		buf_puts(out, g->err == DKIM_SIGERROR_NOKEY ? "key not found" :
		    "key lookup failed");
		if (n != NULL && n->why != NULL)
			buf_printf(out, ": %s", n->why);
		else
			buf_printf(out, ": TXT %s._domainkey.%s", g->s, g->d);
		return;
	case DKIM_SIGERROR_KEYREVOKED:
		buf_printf(out, "key revoked: empty p= at %s._domainkey.%s",
		    g->s, g->d);
		return;
	}
	buf_puts(out, g->step);
	/* no key was read (a broken signature, expired); ed25519 keys are
	 * all 256 bits and libopendkim gives no size */
	if (g->bits == 0 && (g->result != METHOD_PASS ||
	    strcmp(dkim_keys_kind(g->a), "ed25519") != 0))
		return;
	buf_puts(out, ", ");
	dkim_keys_key(g, n, out);
}

/* dkim_keys_free - the notes' strings */
void
dkim_keys_free(struct dkim_keys *k)
{
	int i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		free(k->note[i].name);
		free(k->note[i].why);
	}
	k->n = 0;
}
