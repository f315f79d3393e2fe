/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tags - DKIM-style tag=value lists (DKIM-Signature, key records, ARC)
 *
 * STANDARDS   RFC 6376 section 3.2 (tag-list: names ALPHA *ALNUMPUNC,
 *             FWS around names and "=", values without ";", a tag given
 *             twice makes the whole list invalid).
 * OWNERSHIP   a struct tags owns copies of the names and values (FWS folded
 *             out of values except where the caller keeps them raw);
 *             tags_free() releases them.
 * LOCKING     none.
 * LIMITS      TAGS_MAX tags, TAGS_MAX_VALUE bytes in one value.
 * ERRORS      tags_parse() returns -1 with the reason in why (also for
 *             a NUL or a control character other than FWS anywhere);
 *             tags_parse_lenient() reads what it can (first value of a
 *             repeated tag, broken specs skipped), for reporting only.
 */
#ifndef AUTHMILTER_TAGS_H
#define AUTHMILTER_TAGS_H

#include <stddef.h>

struct buf;

#define TAGS_MAX	64
#define TAGS_MAX_VALUE	16384

struct tags {
	char	*name[TAGS_MAX];	/* tag names as written */
	char	*value[TAGS_MAX];	/* values, white space removed */
	size_t	 n;			/* tags */
};

int		 tags_parse(const char *, size_t, struct tags *, struct buf *);
void		 tags_parse_lenient(const char *, size_t, struct tags *);
const char	*tags_get(const struct tags *, const char *);
void		 tags_free(struct tags *);
int		 tags_is_domain(const char *, size_t min_labels);

#endif
