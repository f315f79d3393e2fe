/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rfc5322 - the one lexer for structured header field values
 *
 * STANDARDS   RFC 5322 section 3.2 (CFWS with nested comments, quoted-string,
 *             atom, dot-atom), RFC 2045 section 5.1 (token), RFC 8601
 *             section 2.2 (value = token / quoted-string).
 * OWNERSHIP   a struct rfc5322 is a cursor over caller memory; it never
 *             writes to its input. Functions that return text append the
 *             unescaped form to a caller buf.
 * LOCKING     none.
 * LIMITS      comments nest at most RFC5322_MAX_DEPTH deep.
 * ERRORS      0 on success, -1 on a syntax error (the cursor then stays
 *             where the construct began, except after a broken comment).
 *             rfc5322_from() never fails: a From it cannot read exactly
 *             has error set and a reason, and DMARC treats it as ambiguous.
 */
#ifndef AUTHMILTER_RFC5322_H
#define AUTHMILTER_RFC5322_H

#include <stddef.h>

struct buf;

#define RFC5322_MAX_DEPTH	16
#define RFC5322_MAX_DOMAINS	16	/* distinct author domains kept */
#define RFC5322_MAX_MAILBOXES	1000	/* mailboxes read in one field */
#define RFC5322_MAX_DOMAIN	253	/* octets of an A-label domain */

struct rfc5322 {
	const char	*p;	/* next byte */
	const char	*end;	/* one past the last byte */
};

void	rfc5322_init(struct rfc5322 *, const char *, size_t);
int	rfc5322_cfws(struct rfc5322 *);
int	rfc5322_peek(const struct rfc5322 *);
int	rfc5322_eat(struct rfc5322 *, int);
int	rfc5322_atend(struct rfc5322 *);
int	rfc5322_token(struct rfc5322 *, struct buf *);
int	rfc5322_keyword(struct rfc5322 *, struct buf *);
int	rfc5322_dot_atom(struct rfc5322 *, struct buf *);
int	rfc5322_quoted(struct rfc5322 *, struct buf *);
int	rfc5322_value(struct rfc5322 *, struct buf *);

/* the author domains of one From field (RFC 5322 section 3.6.2) */
struct rfc5322_from {
	size_t	 nmailboxes;	/* mailboxes in the field, groups included */
	char	*domains[RFC5322_MAX_DOMAINS];	/* distinct, lowercase A-label */
	size_t	 ndomains;	/* entries in domains */
	int	 error;		/* not exactly readable: see why */
	char	 why[128];	/* what was wrong, for logs */
};

void	rfc5322_from(const char *, size_t, struct rfc5322_from *);
void	rfc5322_from_free(struct rfc5322_from *);

#endif
