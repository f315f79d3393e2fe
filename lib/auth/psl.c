/* SPDX-License-Identifier: BSD-2-Clause */
/* psl - public suffix rules in a hash set, organizational domains */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "auth/psl.h"
#include "util/xalloc.h"

struct psl {
	char	**slot;		/* open addressing: rule text or NULL */
	size_t	  nslots;	/* a power of two */
	size_t	  n;		/* rules stored */
};

/* psl_hash - FNV-1a */
static size_t
psl_hash(const char *s, size_t len)
{
	size_t h = 2166136261u, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* psl_has - is this exact rule text in the set */
static int
psl_has(const struct psl *p, const char *s, size_t len)
{
	size_t i = psl_hash(s, len) & (p->nslots - 1);

	while (p->slot[i] != NULL) {
		if (strlen(p->slot[i]) == len && memcmp(p->slot[i], s, len) == 0)
			return 1;
		i = (i + 1) & (p->nslots - 1);
	}
	return 0;
}

/* psl_add - one rule (the table has room: it is sized from the file) */
static void
psl_add(struct psl *p, const char *rule)
{
	size_t len = strlen(rule), i;

	if (psl_has(p, rule, len))
		return;
	i = psl_hash(rule, len) & (p->nslots - 1);
	while (p->slot[i] != NULL)
		i = (i + 1) & (p->nslots - 1);
	p->slot[i] = xstrdup(rule);
	p->n++;
}

/* psl_rule - a line of the file as a stored rule: lowercase A-labels */
static char *
psl_rule(char *line)
{
	char *end, *alabel = NULL, *out, prefix[3] = "";
	const char *body;

	/* a rule is the first word; comments start with "//" */
	line += strspn(line, " \t");
	end = line + strcspn(line, " \t\r\n");
	*end = '\0';
	if (*line == '\0' || (line[0] == '/' && line[1] == '/'))
		return NULL;
	body = line;
	if (*body == '!' || (body[0] == '*' && body[1] == '.')) {
		size_t n = *body == '!' ? 1 : 2;

		memcpy(prefix, body, n);
		prefix[n] = '\0';
		body += n;
	}
	if (idn2_to_ascii_8z(body, &alabel, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL) != IDN2_OK)
		return NULL;	/* a rule we cannot look up anyway */
	out = xmalloc(strlen(prefix) + strlen(alabel) + 1);
	strcpy(out, prefix);
	strcat(out, alabel);
	idn2_free(alabel);
	for (end = out; *end != '\0'; end++)
		*end = (char)tolower((unsigned char)*end);
	return out;
}

/* psl_load - read the list once per configuration */
struct psl *
psl_load(const char *path, struct buf *why)
{
	FILE *fp = fopen(path, "r");
	struct psl *p;
	char line[512], *rule;
	size_t lines = 0;

	if (fp == NULL) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), fp) != NULL)
		lines++;
	if (lines > PSL_MAX_RULES) {
		fclose(fp);
		buf_printf(why, "%s: more than %d lines", path, PSL_MAX_RULES);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	for (p->nslots = 64; p->nslots < 2 * lines + 2; p->nslots *= 2)
		;
	p->slot = xcalloc(p->nslots, sizeof(char *));
	rewind(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if ((rule = psl_rule(line)) != NULL) {
			psl_add(p, rule);
			free(rule);
		}
	fclose(fp);
	if (p->n == 0) {
		psl_free(p);
		buf_printf(why, "%s: no public suffix rules", path);
		return NULL;
	}
	return p;
}

/* psl_free - release the table */
void
psl_free(struct psl *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nslots; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p);
}

/* psl_suffix_labels - labels of the public suffix (>= 1) */
static size_t
psl_suffix_labels(const struct psl *p, const char **lab, size_t n)
{
	size_t k, best = 1;
	char key[300];

	/* lab[n - k] is where the suffix of k labels starts */
	for (k = 1; k <= n; k++) {
		const char *s = lab[n - k];
		size_t len = strlen(s);

		if (len + 3 > sizeof(key))
			break;
		snprintf(key, sizeof(key), "!%s", s);
		if (psl_has(p, key, len + 1))
			return k - 1;	/* an exception: one label less */
		if (psl_has(p, s, len))
			best = k;
		else if (k >= 2) {
			/* "*.x": any one label followed by the k-1 labels */
			snprintf(key, sizeof(key), "*.%s", lab[n - k + 1]);
			if (psl_has(p, key, strlen(key)))
				best = k;
		}
	}
	return best;
}

/* psl_org - the organizational domain: suffix plus one label */
const char *
psl_org(const struct psl *p, const char *d)
{
	const char *lab[128], *q = d;
	size_t n = 0, k;

	while (*q != '\0' && n < 128) {
		lab[n++] = q;
		q = strchr(q, '.');
		if (q == NULL)
			break;
		q++;
	}
	if (n == 0)
		return d;
	k = psl_suffix_labels(p, lab, n);
	/* a domain that is itself a public suffix is its own org domain */
	return k >= n ? d : lab[n - k - 1];
}
