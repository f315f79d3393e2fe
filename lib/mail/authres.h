/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres - parse and format Authentication-Results header fields
 *
 * STANDARDS   RFC 8601 (A-R), RFC 8617 section 4.1.1 (ARC-Authentication-
 *             Results shares the resinfo grammar).
 * OWNERSHIP   a struct authres owns all of its strings; authres_free()
 *             releases them. authres_parse() fills a caller-owned struct;
 *             authres_format() appends to a caller buf.
 * LOCKING     none; a struct authres belongs to one message.
 * LIMITS      AUTHRES_MAX_RESULTS results, AUTHRES_MAX_PROPS properties per
 *             result, AUTHRES_MAX_VALUE bytes in one value.
 * ERRORS      AUTHRES_OK, AUTHRES_SYNTAX, AUTHRES_TOOMANY; the reason text
 *             goes to *why.
 * BUGS        comments in parsed input are skipped, not kept.
 */
#ifndef AUTHMILTER_AUTHRES_H
#define AUTHMILTER_AUTHRES_H

#include <stddef.h>

struct buf;

#define AUTHRES_MAX_RESULTS	64
#define AUTHRES_MAX_PROPS	16
#define AUTHRES_MAX_VALUE	1024
#define AUTHRES_FOLD		78	/* columns before a fold */

enum authres_status { AUTHRES_OK, AUTHRES_SYNTAX, AUTHRES_TOOMANY };

struct authres_prop {
	char	*ptype;		/* smtp, header, body, policy */
	char	*property;	/* mailfrom, d, from, ... */
	char	*value;		/* unquoted value */
};

struct authres_result {
	char	*method;	/* spf, dkim, dmarc, arc, ... */
	char	*result;	/* pass, fail, ... lowercase */
	char	*reason;	/* reason= value, or NULL */
	char	*comment;	/* written after the result, or NULL */
	struct authres_prop props[AUTHRES_MAX_PROPS];	/* nprops used */
	size_t	 nprops;	/* properties */
};

struct authres {
	char	*authserv_id;	/* the first token */
	int	 version;	/* 1 unless given */
	struct authres_result *r;	/* n results */
	size_t	 n;		/* results */
	size_t	 cap;		/* allocated */
};

void	authres_init(struct authres *, const char *authserv_id);
void	authres_free(struct authres *);
struct authres_result *authres_add(struct authres *, const char *method,
	    const char *result);
int	authres_prop(struct authres_result *, const char *ptype,
	    const char *property, const char *value);
void	authres_comment(struct authres_result *, const char *);
enum authres_status authres_parse(const char *, size_t, struct authres *,
	    struct buf *why);
int	authres_id(const char *, size_t, struct buf *);
int	authres_claims(const char *, size_t, const char *authserv_id);
void	authres_format(const struct authres *, struct buf *);

#endif
