/* SPDX-License-Identifier: BSD-2-Clause */
/* keytable - private keys by exact domain or *.domain, most specific wins */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/keyspec.h"
#include "auth/keytable.h"
#include "util/xalloc.h"

struct keytable {
	struct keytable_key *v;		/* keys in file order */
	size_t		 n;		/* entries in v */
	const struct keytable_key **sorted;	/* by pattern, then order */
};

/* keytable_uid - the service user's uid, or (uid_t)-1 when unknown */
static uid_t
keytable_uid(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (user == NULL || *user == '\0' ||
	    getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return (uid_t)-1;
	return pw.pw_uid;
}

/*
 * keytable_mode - a key only root or the service user may read: owned by
 * one of them (or by whoever runs us), no permission for group or others
 */
static int
keytable_mode(const char *path, const struct stat *st, uid_t user,
    struct buf *why)
{
	if (!S_ISREG(st->st_mode))
		buf_printf(why, "%s: not a regular file", path);
	else if (st->st_uid != 0 && st->st_uid != user &&
	    st->st_uid != geteuid())
		buf_printf(why, "%s: owned by uid %lu, neither root nor the "
		    "service user; chown it", path, (unsigned long)st->st_uid);
	else if (st->st_mode & (S_IRWXG | S_IRWXO))
		buf_printf(why, "%s: mode %04o lets others than its owner read "
		    "or change it; chmod 600 it", path,
		    (unsigned)(st->st_mode & 07777));
	else
		return 0;
	return -1;
}

/* keytable_read - the whole key file, checked on the open descriptor */
static int
keytable_read(const char *path, uid_t user, struct buf *data,
    struct buf *why)
{
	char chunk[4096];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0)
		buf_printf(why, "%s: %s", path, strerror(errno));
	else if (keytable_mode(path, &st, user, why) == 0) {
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			if (buf_append(data, chunk, (size_t)n) != 0)
				break;
		if (n < 0)
			buf_printf(why, "%s: %s", path, strerror(errno));
		else if (data->truncated)
			buf_printf(why, "%s: larger than %d bytes: not a key",
			    path, KEYTABLE_MAX_FILE);
		else
			rc = 0;
	}
	close(fd);
	return rc;
}

/* keytable_load - the key of one line: readable by us only, of its a= */
static int
keytable_load(struct keytable_key *k, uid_t user, struct buf *why)
{
	struct buf data, pem, reason;
	int rc = -1;

	buf_init(&data, KEYTABLE_MAX_FILE);
	buf_init(&pem, 2 * KEYTABLE_MAX_FILE);
	buf_init(&reason, 256);
	if (keytable_read(k->path, user, &data, why) != 0)
		goto done;
	if ((k->key = pkey_from_pem(data.data, data.len, &reason)) == NULL)
		buf_printf(why, "%s: %s", k->path, reason.data);
	else if (EVP_PKEY_is_a(k->key, "ED25519") !=
	    (k->alg == PKEY_ED25519_SHA256))
		buf_printf(why, "%s: an %s key, but the line says %s", k->path,
		    EVP_PKEY_is_a(k->key, "ED25519") ? "Ed25519" : "RSA",
		    pkey_alg_name(k->alg));
	else if (pkey_to_pem(k->key, &pem) != 0)
		buf_printf(why, "%s: cannot be written as PKCS#8", k->path);
	else {
		k->pem = buf_steal(&pem);
		rc = 0;
	}
done:
	/* the key's bytes do not outlive the load in our buffers */
	OPENSSL_cleanse(data.data, data.len);
	buf_free(&data);
	if (pem.data != NULL)
		OPENSSL_cleanse(pem.data, pem.len);
	buf_free(&pem);
	buf_free(&reason);
	return rc;
}

/* keytable_key_free - one entry's strings and key */
static void
keytable_key_free(struct keytable_key *k)
{
	free(k->line);
	free(k->pattern);
	free(k->domain);
	free(k->selector);
	free(k->path);
	EVP_PKEY_free(k->key);
	if (k->pem != NULL) {
		OPENSSL_cleanse(k->pem, strlen(k->pem));
		free(k->pem);
	}
}

/* keytable_free - every key; NULL is fine */
void
keytable_free(struct keytable *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		keytable_key_free(&t->v[i]);
	free(t->v);
	free(t->sorted);
	free(t);
}

/* keytable_cmp - by pattern, then file order (v is in file order) */
static int
keytable_cmp(const void *a, const void *b)
{
	const struct keytable_key *x = *(const struct keytable_key *const *)a;
	const struct keytable_key *y = *(const struct keytable_key *const *)b;
	int c = strcmp(x->pattern, y->pattern);

	return c != 0 ? c : x < y ? -1 : x > y;
}

/* keytable_entry - one line into k: parsed, then its key loaded */
static int
keytable_entry(struct keytable_key *k, const char *line, uid_t user,
    struct buf *why)
{
	struct keyspec ks;

	if (keyspec_parse(line, &ks, why) != 0)
		return -1;
	k->line = xstrdup(line);
	k->pattern = ks.pattern;
	k->domain = ks.domain;
	k->selector = ks.selector;
	k->path = ks.path;
	k->alg = pkey_alg_parse(ks.algorithm);
	free(ks.algorithm);
	return keytable_load(k, user, why);
}

/* keytable_runs - no pattern with more than max_per keys or a selector twice */
static int
keytable_runs(const struct keytable *t, const char *what, size_t max_per,
    struct buf *why)
{
	size_t i, j, run = 1;

	for (i = 1; i <= t->n; i++) {
		if (i < t->n && strcmp(t->sorted[i]->pattern,
		    t->sorted[i - 1]->pattern) == 0) {
			for (j = i - run; j < i; j++)
				if (strcasecmp(t->sorted[j]->selector,
				    t->sorted[i]->selector) == 0) {
					buf_printf(why, "%s: selector %s twice "
					    "for %s", what, t->sorted[i]->selector,
					    t->sorted[i]->pattern);
					return -1;
				}
			run++;
			continue;
		}
		if (run > max_per) {
			buf_printf(why, "%s: %zu keys for %s, at most %zu", what,
			    run, t->sorted[i - 1]->pattern, max_per);
			return -1;
		}
		run = 1;
	}
	return 0;
}

/*
 * keytable_new - every line of list with its key loaded; what names the
 * list in messages, user is the service user (milter.user) who may own
 * the key files besides root and whoever runs us
 */
struct keytable *
keytable_new(const struct config_list *list, const char *what,
    const char *user, size_t max_per, struct buf *why)
{
	struct keytable *t = xcalloc(1, sizeof(*t));
	uid_t uid = keytable_uid(user);
	struct buf reason;
	size_t i;

	if (max_per == 0 || max_per > KEYTABLE_MAX_KEYS)
		max_per = KEYTABLE_MAX_KEYS;
	t->v = xcalloc(list->n + 1, sizeof(*t->v));
	buf_init(&reason, 1024);
	for (i = 0; i < list->n; i++) {
		buf_reset(&reason);
		if (keytable_entry(&t->v[t->n++], list->v[i], uid,
		    &reason) != 0) {
			buf_printf(why, "%s: \"%s\": %s", what, list->v[i],
			    reason.data);
			goto fail;
		}
	}
	t->sorted = xcalloc(t->n + 1, sizeof(*t->sorted));
	for (i = 0; i < t->n; i++)
		t->sorted[i] = &t->v[i];
	qsort(t->sorted, t->n, sizeof(*t->sorted), keytable_cmp);
	if (keytable_runs(t, what, max_per, why) != 0)
		goto fail;
	buf_free(&reason);
	return t;
fail:
	buf_free(&reason);
	keytable_free(t);
	return NULL;
}

/* keytable_run - the keys of exactly this pattern, up to max */
static size_t
keytable_run(const struct keytable *t, const char *pattern,
    const struct keytable_key **out, size_t max)
{
	size_t lo = 0, hi = t->n, n = 0;

	/* the first entry not below pattern */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->sorted[mid]->pattern, pattern) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->n && n < max &&
	    strcmp(t->sorted[lo]->pattern, pattern) == 0; lo++)
		out[n++] = t->sorted[lo];
	return n;
}

/*
 * keytable_lookup - the keys for domain (any case, a trailing dot
 * ignored): its exact line, else the closest "*.parent" line; 0 none
 */
size_t
keytable_lookup(const struct keytable *t, const char *domain,
    const struct keytable_key **out, size_t max)
{
	char name[KEYSPEC_MAX_DOMAIN + 1], cand[KEYSPEC_MAX_DOMAIN + 3];
	size_t len, i, n;
	const char *p;

	if (t == NULL || domain == NULL || t->n == 0)
		return 0;
	len = strlen(domain);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > KEYSPEC_MAX_DOMAIN)
		return 0;
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)domain[i]);
	name[len] = '\0';
	if ((n = keytable_run(t, name, out, max)) > 0)
		return n;
	for (p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.')) {
		snprintf(cand, sizeof(cand), "*.%s", p + 1);
		if ((n = keytable_run(t, cand, out, max)) > 0)
			return n;
	}
	return 0;
}

/* keytable_size - lines in the table */
size_t
keytable_size(const struct keytable *t)
{
	return t != NULL ? t->n : 0;
}

/* keytable_at - the i-th line, in file order */
const struct keytable_key *
keytable_at(const struct keytable *t, size_t i)
{
	return t != NULL && i < t->n ? &t->v[i] : NULL;
}

/*
 * keytable_dns_line - the zone-file line of the record a selector of
 * domain publishes for key: "s._domainkey.d. IN TXT "..." ...", appended
 */
void
keytable_dns_line(const char *selector, const char *domain, EVP_PKEY *key,
    struct buf *out)
{
	struct buf rec;

	buf_init(&rec, 8192);
	pkey_record(key, &rec);
	buf_printf(out, "%s._domainkey.%s. IN TXT ", selector, domain);
	pkey_txt_strings(rec.data, out);
	buf_free(&rec);
}

/* keytable_dns - keytable_dns_line() of one line's key */
void
keytable_dns(const struct keytable_key *k, struct buf *out)
{
	keytable_dns_line(k->selector, k->domain, k->key, out);
}
