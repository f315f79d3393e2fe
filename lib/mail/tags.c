/* SPDX-License-Identifier: BSD-2-Clause */
/* tags - tag=value list parsing with duplicate detection */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "mail/tags.h"
#include "util/xalloc.h"

/* tags_fws - folding white space as RFC 6376 allows it in tag lists */
static int
tags_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * tags_control - a control character other than FWS: RFC 6376 3.2 allows
 * none, and libraries that take \v or \f for white space would read
 * such a list differently from us
 */
static int
tags_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 || s[i] == 0x7f) &&
		    !tags_fws((unsigned char)s[i]))
			return 1;
	return 0;
}

/* tags_fail - free what was read and give the reason */
static int
tags_fail(struct tags *t, struct buf *why, const char *reason)
{
	tags_free(t);
	buf_puts(why, reason);
	return -1;
}

/* tags_one - one tag-spec in [p, end): name into t, value without FWS */
static int
tags_one(struct tags *t, const char *p, const char *end, int lenient,
    struct buf *why)
{
	const char *name, *eq, *run;
	size_t i, nlen;
	struct buf v;

	while (p < end && tags_fws((unsigned char)*p))
		p++;
	if (p == end)
		return 0;	/* empty: allowed only last, see tags_scan() */
	name = p;
	if (!isalpha((unsigned char)*p))
		return lenient ? -1 : tags_fail(t, why, "bad tag name");
	while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	nlen = (size_t)(p - name);
	while (p < end && tags_fws((unsigned char)*p))
		p++;
	if (p == end || *p != '=')
		return lenient ? -1 : tags_fail(t, why, "tag without \"=\"");
	eq = p;
	for (i = 0; i < t->n; i++)
		if (strlen(t->name[i]) == nlen &&
		    strncmp(t->name[i], name, nlen) == 0)
			return lenient ? 0 : tags_fail(t, why,
			    "tag given twice");
	if (t->n == TAGS_MAX)
		return lenient ? -1 : tags_fail(t, why, "too many tags");
	buf_init(&v, TAGS_MAX_VALUE);
	/* runs between folds at once: a b= value is hundreds of bytes */
	for (p = eq + 1; p < end; p = run) {
		for (run = p; run < end && !tags_fws((unsigned char)*run); run++)
			;
		buf_append(&v, p, (size_t)(run - p));
		while (run < end && tags_fws((unsigned char)*run))
			run++;
	}
	if (v.truncated) {
		buf_free(&v);
		return lenient ? -1 : tags_fail(t, why, "tag value too long");
	}
	t->name[t->n] = xstrndup(name, nlen);
	t->value[t->n++] = buf_steal(&v);
	buf_free(&v);
	return 0;
}

/* tags_blank - only folding white space in [p, end) */
static int
tags_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!tags_fws((unsigned char)*p))
			return 0;
	return 1;
}

/* tags_scan - a whole tag-list; lenient keeps first values, skips junk */
static int
tags_scan(const char *s, size_t len, struct tags *t, int lenient,
    struct buf *why)
{
	const char *p = s, *end = s + len, *semi;

	memset(t, 0, sizeof(*t));
	if (!lenient && memchr(s, '\0', len) != NULL)
		return tags_fail(t, why, "NUL byte in tag list");
	if (!lenient && tags_control(s, len))
		return tags_fail(t, why, "control character in tag list");
	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		/* RFC 6376 3.2: one trailing ";" is fine, an empty spec is not */
		if (!lenient && semi < end && tags_blank(p, semi))
			return tags_fail(t, why, "empty tag-spec");
		if (tags_one(t, p, semi, lenient, why) != 0) {
			if (!lenient)
				return -1;
			buf_reset(why);
		}
		p = semi < end ? semi + 1 : end;
	}
	return 0;
}

/* tags_parse - a whole tag-list, strictly */
int
tags_parse(const char *s, size_t len, struct tags *t, struct buf *why)
{
	return tags_scan(s, len, t, 0, why);
}

/* tags_parse_lenient - what can be read of a broken list, for reports */
void
tags_parse_lenient(const char *s, size_t len, struct tags *t)
{
	struct buf why;

	buf_init(&why, 128);
	tags_scan(s, len, t, 1, &why);
	buf_free(&why);
}

/* tags_get - a tag's value, or NULL */
const char *
tags_get(const struct tags *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return t->value[i];
	return NULL;
}

/* tags_free - release names and values */
void
tags_free(struct tags *t)
{
	size_t i;

	/* only the slots in use: an ARC verifier frees a hundred of these */
	for (i = 0; i < t->n; i++) {
		free(t->name[i]);
		free(t->value[i]);
		t->name[i] = t->value[i] = NULL;
	}
	t->n = 0;
}

/* tags_is_domain - RFC 6376 domain-name: LDH labels, at least min_labels */
int
tags_is_domain(const char *d, size_t min_labels)
{
	size_t label = 0, labels = 0;
	const char *p;

	if (*d == '\0' || strlen(d) > 253)
		return 0;
	for (p = d; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
		if (label == 0 && *p == '-')
			return 0;
		if (++label == 1)
			labels++;
		if (label > 63)
			return 0;
	}
	return label > 0 && p[-1] != '-' && labels >= min_labels;
}
