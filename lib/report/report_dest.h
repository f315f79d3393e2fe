/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_dest - where a report may go: rua and ruf URIs, !size, and
 *               the external destination check
 *
 * STANDARDS   RFC 9990 sections 3 ("Report Delivery") and 4 ("Verifying
 *             External Destinations"), which RFC 9991 section 5 applies
 *             to ruf= (the override record's ruf= tag); RFC 9989
 *             section 4.7 (rua and ruf are comma-separated lists of
 *             URIs); RFC 7489 section 6.2 (the "!" size limit with k, m,
 *             g, t units of 1024); RFC 6068 (mailto:, percent-encoding).
 * OWNERSHIP   report_dest_parse() fills a caller-owned array of struct
 *             report_dest, released with report_dest_free().
 *             report_dest_verify() returns a new rua list or NULL.
 *             report_dest_check() keeps nothing.
 * LOCKING     none; the resolver is thread-safe.
 * LIMITS      REPORT_DEST_MAX destinations per rua (the rest are ignored,
 *             as RFC 9990 allows); REPORT_DEST_MAX_URI bytes per URI.
 * ERRORS      report_dest_parse() returns how many URIs it kept and puts
 *             what it ignored, and why, in why. report_dest_verify()
 *             returns enum report_verify, report_dest_check() enum
 *             report_dest_decision; both put the reason for anything but
 *             a report to send in why.
 */
#ifndef AUTHMILTER_REPORT_DEST_H
#define AUTHMILTER_REPORT_DEST_H

#include <stddef.h>

struct buf;
struct config;
struct resolver;

#define REPORT_DEST_MAX		8
#define REPORT_DEST_MAX_URI	512

struct report_dest {
	char		*addr;		/* local@domain, percent-decoded */
	char		*host;		/* its domain, lowercase */
	unsigned long long max_size;	/* bytes after "!", 0 none */
};

enum report_verify {
	REPORT_VERIFY_INTERNAL,		/* same organization: no check */
	REPORT_VERIFY_OK,		/* _report._dmarc says v=DMARC1 */
	REPORT_VERIFY_REFUSED,		/* no such record: do not send */
	REPORT_VERIFY_TEMPFAIL,		/* DNS failed: try another day */
	REPORT_VERIFY_LOOP		/* override to another host: never */
};

/* what becomes of a report for one destination */
enum report_dest_decision {
	REPORT_DEST_SEND,		/* internal, or the host authorized it */
	REPORT_DEST_SUPPRESSED,		/* our own address, reports.suppress */
	REPORT_DEST_REFUSED,		/* not authorized, or an override loop */
	REPORT_DEST_DEFER,		/* DNS failed: the next run tries again */
	REPORT_DEST_TOO_LARGE		/* over the destination's !size */
};

size_t	report_dest_parse(const char *rua, size_t len, struct report_dest *,
	    size_t max, struct buf *why);
void	report_dest_free(struct report_dest *, size_t n);
int	report_dest_record(const char *txt, size_t len, char **rua);
int	report_dest_record_tag(const char *txt, size_t len, const char *tag,
	    char **uri);
int	report_dest_internal(const char *org, const char *host);
enum report_verify report_dest_verify(struct resolver *, const char *domain,
	    const char *org, const struct report_dest *, char **rua,
	    struct buf *why);
enum report_verify report_dest_verify_tag(struct resolver *,
	    const char *domain, const char *org, const struct report_dest *,
	    const char *tag, char **uri, struct buf *why);
const char *report_verify_name(enum report_verify);
const char *report_dest_decision_name(enum report_dest_decision);
enum report_dest_decision report_dest_check(struct resolver *,
	    const struct config *, const char *domain, const char *org,
	    const struct report_dest *, size_t size, struct buf *why);
enum report_dest_decision report_dest_check_tag(struct resolver *,
	    const struct config *, const char *domain, const char *org,
	    const struct report_dest *, const char *tag, size_t size,
	    struct buf *why);

#endif
