/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_keytable - keys chosen by domain (authmilter.conf(5) "KEY TABLES"):
 * an exact line, a "*.domain" line for the names below domain, the most
 * specific pattern wins and brings all its keys in file order, no match
 * is none; the refusals of keytable_new() (modes, owner, algorithm,
 * size, counts per pattern); the DNS record each selector publishes.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/keytable.h"
#include "unit.h"

#define T_KT_N(a)	(sizeof(a) / sizeof((a)[0]))

static char t_kt_dir[] = "/tmp/t_keytable.XXXXXX";

/* t_kt_path - a file in the test's directory, static storage */
static const char *
t_kt_path(const char *name)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, 256, "%s/%s", t_kt_dir, name);
	return p;
}

/* t_kt_write - a key as PEM, with a mode */
static void
t_kt_write(EVP_PKEY *k, const char *name, mode_t mode)
{
	const char *path = t_kt_path(name);
	FILE *fp = fopen(path, "w");

	if (fp == NULL || PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		fprintf(stderr, "t_keytable: cannot write %s\n", path);
		exit(99);
	}
	fclose(fp);
	chmod(path, mode);
}

/* t_kt_subst - a line with @D@ made the test directory, malloc'ed */
static char *
t_kt_subst(const char *line)
{
	const char *at = strstr(line, "@D@");
	char *out = malloc(strlen(line) + sizeof(t_kt_dir));

	if (out == NULL)
		exit(99);
	if (at == NULL)
		strcpy(out, line);
	else
		sprintf(out, "%.*s%s%s", (int)(at - line), line, t_kt_dir,
		    at + 3);
	return out;
}

/* t_kt_table - a table of lines whose @D@ is the test directory */
static struct keytable *
t_kt_table(const char *const *lines, size_t n, size_t max_per,
    struct buf *why)
{
	struct config_list l;
	struct keytable *t;
	size_t i;

	l.n = n;
	l.v = calloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		l.v[i] = t_kt_subst(lines[i]);
	t = keytable_new(&l, "signing.keys", "nobody", max_per, why);
	for (i = 0; i < n; i++)
		free(l.v[i]);
	free(l.v);
	return t;
}

static const char *const t_kt_lines[] = {
	"example.com s1 rsa-sha256 @D@/rsa.pem",
	"*.example.org w1 rsa-sha256 @D@/rsa.pem",
	"Example.COM s2 ed25519-sha256 @D@/ed.pem",
	"*.sub.example.org w2 ed25519-sha256 @D@/ed.pem",
	"mail.example.org m1 ed25519-sha256 @D@/ed.pem",
	"*.net n1 rsa-sha256 @D@/rsa.pem",
};

/* t_kt_lookups - exact, wildcard, most specific wins, none */
static void
t_kt_lookups(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		const char	*domain;	/* looked up */
		const char	*want;		/* selectors, "s1,s2", "" none */
		const char	*d;		/* d= of the first, or NULL */
	} c[] = {
		{ "exact: both keys, file order", "example.com", "s1,s2",
		    "example.com" },
		{ "exact: any case, trailing dot", "EXAMPLE.Com.", "s1,s2",
		    "example.com" },
		{ "exact line covers no subdomain", "a.example.com", "", NULL },
		{ "wildcard: a name below", "news.example.org", "w1",
		    "example.org" },
		{ "wildcard: not the domain itself", "example.org", "", NULL },
		{ "wildcard: deeper names too", "a.b.c.example.org", "w1",
		    "example.org" },
		{ "most specific wildcard wins", "x.sub.example.org", "w2",
		    "sub.example.org" },
		{ "*.sub covers not sub itself: *.example.org does",
		    "sub.example.org", "w1", "example.org" },
		{ "exact beats a wildcard", "mail.example.org", "m1",
		    "mail.example.org" },
		{ "a TLD wildcard", "host.example.net", "n1", "net" },
		{ "none", "example.edu", "", NULL },
		{ "none: empty", "", "", NULL },
		{ "none: a dot", ".", "", NULL },
		{ "none: a suffix that is no label", "xexample.com", "",
		    NULL },
	};
	const struct keytable_key *k[KEYTABLE_MAX_KEYS];
	struct keytable *t;
	struct buf why, got;
	size_t i, j, n;
	char longname[400];

	buf_init(&why, 1024);
	buf_init(&got, 256);
	t = t_kt_table(t_kt_lines, T_KT_N(t_kt_lines), 0, &why);
	UNIT_CHECK(t != NULL, "table loads", "%s", why.data);
	if (t == NULL)
		return;
	UNIT_CHECK(keytable_size(t) == 6 && strcmp(keytable_at(t,
	    2)->pattern, "example.com") == 0, "file order, lower case",
	    "size %zu", keytable_size(t));
	for (i = 0; i < T_KT_N(c); i++) {
		n = keytable_lookup(t, c[i].domain, k, KEYTABLE_MAX_KEYS);
		buf_reset(&got);
		for (j = 0; j < n; j++)
			buf_printf(&got, "%s%s", j ? "," : "", k[j]->selector);
		UNIT_STREQ(got.data, c[i].want, c[i].label);
		if (c[i].d != NULL && n > 0)
			UNIT_STREQ(k[0]->domain, c[i].d, c[i].label);
	}
	n = keytable_lookup(t, "example.com", k, 1);
	UNIT_CHECK(n == 1 && strcmp(k[0]->selector, "s1") == 0,
	    "at most max keys", "%zu", n);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname + sizeof(longname) - 13, ".example.net", 12);
	UNIT_CHECK(keytable_lookup(t, longname, k, KEYTABLE_MAX_KEYS) == 0,
	    "a name over 253 characters matches nothing", "matched");
	UNIT_CHECK(k[0]->alg == PKEY_RSA_SHA256 && keytable_lookup(t,
	    "example.com", k, 2) == 2 && k[1]->alg == PKEY_ED25519_SHA256 &&
	    k[1]->pem != NULL && strncmp(k[1]->pem, "-----BEGIN PRIVATE KEY",
	    22) == 0, "algorithms and PKCS#8 PEM for libopendkim", "%d",
	    k[1]->alg);
	keytable_free(t);
	buf_free(&why);
	buf_free(&got);
}

/* t_kt_refuse - one table that must not load, and why */
static void
t_kt_refuse(const char *label, const char *line, size_t max_per,
    const char *want)
{
	const char *lines[3] = { line, line, line };
	struct keytable *t;
	struct buf why;
	size_t n = max_per == 0 ? 1 : max_per + 1;

	buf_init(&why, 1024);
	t = t_kt_table(lines, n, max_per, &why);
	UNIT_CHECK(t == NULL && strstr(why.data, want) != NULL &&
	    strncmp(why.data, "signing.keys: \"", 15) == 0, label,
	    "got \"%s\", want \"%s\"", why.data, want);
	keytable_free(t);
	buf_free(&why);
}

/* t_kt_errors - what keytable_new() refuses */
static void
t_kt_errors(void)
{
	static const char *const dup[] = {
		"example.com s1 rsa-sha256 @D@/rsa.pem",
		"example.com S1 ed25519-sha256 @D@/ed.pem",
		"a.example s1 rsa-sha256 @D@/rsa.pem",
		"a.example s2 ed25519-sha256 @D@/ed.pem",
	};
	struct keytable *t;
	struct buf why;

	t_kt_refuse("mode 0644", "a.example s rsa-sha256 @D@/open.pem", 0,
	    "mode 0644 lets others than its owner read or change it");
	t_kt_refuse("mode 0640", "a.example s rsa-sha256 @D@/group.pem", 0,
	    "mode 0640 lets others");
	t_kt_refuse("mode 0620", "a.example s rsa-sha256 @D@/gw.pem", 0,
	    "mode 0620");
	t_kt_refuse("no such file", "a.example s rsa-sha256 @D@/none.pem", 0,
	    "No such file");
	t_kt_refuse("a directory", "a.example s rsa-sha256 @D@", 0,
	    "not a regular file");
	t_kt_refuse("RSA key, ed25519 line",
	    "a.example s ed25519-sha256 @D@/rsa.pem", 0,
	    "an RSA key, but the line says ed25519-sha256");
	t_kt_refuse("ed25519 key, RSA line", "a.example s rsa-sha256 @D@/ed.pem",
	    0, "an Ed25519 key, but the line says rsa-sha256");
	t_kt_refuse("RSA 512", "a.example s rsa-sha256 @D@/small.pem", 0,
	    "a 512-bit RSA key");
	t_kt_refuse("not a key", "a.example s rsa-sha256 @D@/junk.pem", 0,
	    "not a PEM private key");
	t_kt_refuse("too large", "a.example s rsa-sha256 @D@/big.pem", 0,
	    "larger than 65536 bytes");
	buf_init(&why, 1024);
	t = t_kt_table(dup + 2, 2, 1, &why);
	UNIT_CHECK(t == NULL && strstr(why.data, "2 keys for a.example, at "
	    "most 1") != NULL, "more keys than max_per", "%s", why.data);
	keytable_free(t);
	buf_reset(&why);
	t = t_kt_table(dup, 2, 0, &why);
	UNIT_CHECK(t == NULL && strstr(why.data, "selector S1 twice for "
	    "example.com") != NULL, "a selector twice", "%s", why.data);
	keytable_free(t);
	buf_free(&why);
	if (geteuid() != 0) {
		printf("SKIP t_keytable: owner check needs root\n");
		return;
	}
	if (chown(t_kt_path("other.pem"), 4242, 0) != 0)
		exit(99);
	t_kt_refuse("owned by another user",
	    "a.example s rsa-sha256 @D@/other.pem", 0,
	    "owned by uid 4242, neither root nor the service user");
}

/* t_kt_dns - the TXT record a selector publishes, strings of 255 */
static void
t_kt_dns(void)
{
	static const char *const lines[] = {
		"example.com big rsa-sha256 @D@/big4096.pem",
		"*.example.com ed ed25519-sha256 @D@/ed.pem",
	};
	struct keytable *t;
	struct buf why, out, joined;
	const char *p, *q;
	int ok = 1;

	buf_init(&why, 1024);
	buf_init(&out, 8192);
	buf_init(&joined, 8192);
	t = t_kt_table(lines, 2, 0, &why);
	UNIT_CHECK(t != NULL, "dns: table", "%s", why.data);
	if (t == NULL)
		return;
	keytable_dns(keytable_at(t, 1), &out);
	p = "ed._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519; p=";
	UNIT_CHECK(strncmp(out.data, p, strlen(p)) == 0 &&
	    out.len == strlen(p) + 44 + 1,
	    "ed25519: one string, d= without *.", "%s", out.data);
	buf_reset(&out);
	keytable_dns(keytable_at(t, 0), &out);
	p = strchr(out.data, '"');
	while (p != NULL && (q = strchr(p + 1, '"')) != NULL) {
		ok &= q - p - 1 <= 255 && q - p - 1 > 0;
		buf_append(&joined, p + 1, (size_t)(q - p - 1));
		p = strchr(q + 1, '"');
	}
	UNIT_CHECK(ok && strncmp(out.data, "big._domainkey.example.com. IN "
	    "TXT \"", 32) == 0 && strncmp(joined.data,
	    "v=DKIM1; k=rsa; p=MIICIjAN", 26) == 0 && joined.len > 700,
	    "rsa-4096: strings of at most 255 bytes", "%s", out.data);
	keytable_free(t);
	buf_free(&why);
	buf_free(&out);
	buf_free(&joined);
}

int
main(void)
{
	EVP_PKEY *rsa, *ed, *small, *big;
	FILE *fp;
	int i;

	if (mkdtemp(t_kt_dir) == NULL)
		return 99;
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	big = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (rsa == NULL || ed == NULL || small == NULL || big == NULL)
		return 99;
	t_kt_write(rsa, "rsa.pem", 0600);
	t_kt_write(ed, "ed.pem", 0400);
	t_kt_write(rsa, "open.pem", 0644);
	t_kt_write(rsa, "group.pem", 0640);
	t_kt_write(rsa, "gw.pem", 0620);
	t_kt_write(rsa, "other.pem", 0600);
	t_kt_write(small, "small.pem", 0600);
	t_kt_write(big, "big4096.pem", 0600);
	if ((fp = fopen(t_kt_path("junk.pem"), "w")) == NULL)
		return 99;
	fputs("not a key\n", fp);
	fclose(fp);
	chmod(t_kt_path("junk.pem"), 0600);
	if ((fp = fopen(t_kt_path("big.pem"), "w")) == NULL)
		return 99;
	for (i = 0; i < 70000; i++)
		fputc('x', fp);
	fclose(fp);
	chmod(t_kt_path("big.pem"), 0600);
	t_kt_lookups();
	t_kt_errors();
	t_kt_dns();
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(small);
	EVP_PKEY_free(big);
	for (i = 0; i < 10; i++) {
		static const char *const f[] = { "rsa.pem", "ed.pem",
		    "open.pem", "group.pem", "gw.pem", "other.pem",
		    "small.pem", "big4096.pem", "junk.pem", "big.pem" };
		unlink(t_kt_path(f[i]));
	}
	rmdir(t_kt_dir);
	return unit_done("t_keytable");
}
