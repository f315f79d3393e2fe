/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_view - what the dashboard and its JSON API show, from the
 * ingest tables: domains, their sources, one source's rows, TLS reports,
 * unapproved senders, p=reject readiness; and source approval
 *
 * STANDARDS   RFC 7489 / RFC 9990 policy_evaluated: dkim or spf "pass"
 *             there means an aligned pass, so DMARC passed; auth_results
 *             hold the raw (possibly unaligned) results.
 * OWNERSHIP   every function appends one JSON document to the caller's
 *             buf; strings from the store are escaped (util/json.h).
 * LOCKING     none: the connection belongs to the caller's thread.
 * LIMITS      INGEST_VIEW_MAX_ROWS rows per answer (the rest are counted,
 *             not listed), INGEST_VIEW_MAX_IPS addresses per source.
 * ERRORS      0, or -1 with the store's text in why.
 */
#ifndef AUTHMILTER_INGEST_VIEW_H
#define AUTHMILTER_INGEST_VIEW_H

struct buf;
struct report_db;

#define INGEST_VIEW_MAX_ROWS	2000
#define INGEST_VIEW_MAX_IPS	50
#define INGEST_VIEW_DAY		86400

/* the question: a domain (and IP), over [from, until) */
struct ingest_view_q {
	long long	 from, until;	/* epoch seconds of report days */
	const char	*domain;	/* policy domain, or NULL */
	const char	*ip;		/* source IP, or NULL */
	long long	 min;		/* messages that flag an unapproved source */
};

int	ingest_view_domains(struct report_db *, const struct ingest_view_q *,
	    struct buf *out, struct buf *why);
int	ingest_view_sources(struct report_db *, const struct ingest_view_q *,
	    int unapproved_only, struct buf *out, struct buf *why);
int	ingest_view_source(struct report_db *, const struct ingest_view_q *,
	    struct buf *out, struct buf *why);
int	ingest_view_tls(struct report_db *, const struct ingest_view_q *,
	    struct buf *out, struct buf *why);
int	ingest_view_readiness(struct report_db *, const struct ingest_view_q *,
	    struct buf *out, struct buf *why);
int	ingest_view_approve(struct report_db *, const char *domain,
	    const char *source, int approve, long long now, struct buf *why);
long long ingest_view_unapproved_count(struct report_db *,
	    const struct ingest_view_q *, struct buf *why);

#endif
