/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest - parse the reports other receivers send about our domains:
 * DMARC aggregate reports (XML) and SMTP TLS reports (JSON), as bare
 * files, gzip or zip, or attached in any MIME structure
 *
 * STANDARDS   RFC 7489 appendix C and RFC 9990 (aggregate report XML, no
 *             namespace, http://dmarc.org/dmarc-xml/0.1 or
 *             urn:ietf:params:xml:ns:dmarc-2.0); RFC 8460 section 4
 *             (TLS-RPT JSON) and 5.3 (the report mail); RFC 2045/2046
 *             (MIME), RFC 1952 (gzip), PKWARE APPNOTE (zip).
 * OWNERSHIP   the parsers read a caller's buffer and never keep a pointer
 *             into it; a record handed to the sink lives until the sink
 *             returns; ingest_tls_free() releases a struct ingest_tls.
 * LOCKING     none: everything belongs to the one caller.
 * LIMITS      INGEST_MAX_* below; the caller's struct ingest_limits lowers
 *             the report size and record count. XML: no DTD (a document
 *             with one is refused), no entity expansion, no network, at
 *             most INGEST_MAX_DEPTH elements deep, INGEST_MAX_VALUE bytes
 *             per value. Decompression counts the bytes it produces and
 *             stops at the limit, whatever a header claims (zip bombs).
 * ERRORS      INGEST_OK, or INGEST_BAD (malformed: the reason in why),
 *             INGEST_BIG (over a limit), INGEST_SINK (the sink refused:
 *             its reason in why), INGEST_NONE (no report in a message).
 */
#ifndef AUTHMILTER_INGEST_H
#define AUTHMILTER_INGEST_H

#include <stddef.h>

struct buf;

#define INGEST_MAX_DEPTH	16		/* XML element nesting */
#define INGEST_MAX_VALUE	1024		/* bytes of one XML/JSON value */
#define INGEST_MAX_AUTH		32		/* DKIM or SPF results per record */
#define INGEST_MAX_REASONS	8		/* override reasons per record */
#define INGEST_MAX_REPORT	(1024UL * 1024 * 1024)	/* decompressed */
#define INGEST_MAX_JSON		(16UL * 1024 * 1024)	/* a TLS report */
#define INGEST_MAX_RECORDS	10000000UL	/* records of one report */
#define INGEST_MAX_POLICIES	1000		/* TLS-RPT policies */
#define INGEST_MAX_FAILURES	10000		/* TLS-RPT failure details */
#define INGEST_MAX_PARTS	64		/* MIME leaves looked at */
#define INGEST_MAX_MIME_DEPTH	8		/* nested multiparts */
#define INGEST_MAX_ZIP_ENTRIES	16		/* entries of one zip */

enum ingest_status {
	INGEST_OK,
	INGEST_BAD,		/* malformed */
	INGEST_BIG,		/* over a limit */
	INGEST_SINK,		/* the sink refused (e.g. the store failed) */
	INGEST_NONE		/* no report found */
};

enum ingest_kind { INGEST_KIND_DMARC, INGEST_KIND_TLSRPT };

struct ingest_limits {
	size_t	 max_report;	/* decompressed bytes of one report */
	size_t	 max_records;	/* records (or TLS failure details) */
};

/* report_metadata and policy_published of one aggregate report */
struct ingest_meta {
	char	*version;	/* "", "1.0", ... */
	char	*ns;		/* XML namespace of feedback, "" none */
	char	*org_name;	/* reporter */
	char	*email;		/* reporter's address */
	char	*report_id;	/* unique per reporter */
	long long begin, end;	/* date_range, epoch seconds */
	char	*generator;	/* RFC 9990 generator, or "" */
	char	*domain;	/* policy_published domain */
	char	*adkim, *aspf;	/* "r", "s" or "" */
	char	*p, *sp, *np;	/* policies */
	char	*pct;		/* RFC 7489 pct, or "" */
	char	*fo;		/* failure options, or "" */
	char	*testing;	/* RFC 9990 t=, or "" */
	char	*discovery;	/* RFC 9990 discovery_method, or "" */
};

/* one record (row) of an aggregate report */
struct ingest_record {
	char	*source_ip;	/* as written, checked to be an address */
	long long count;	/* messages */
	char	*disposition;	/* none, quarantine, reject, pass */
	char	*dkim_eval;	/* policy_evaluated dkim: pass or fail */
	char	*spf_eval;	/* policy_evaluated spf */
	char	*reasons;	/* "type[:comment]" joined by "; " */
	char	*header_from;	/* identifiers */
	char	*envelope_from;
	char	*envelope_to;
	char	*dkim;		/* "domain/selector:result" joined by " " */
	char	*spf;		/* "domain/scope:result" joined by " " */
	char	*dkim_domains;	/* internal: DKIM domains seen, " " joined */
};

struct ingest_tls;

/* where a parsed report goes, one record at a time */
struct ingest_sink {
	/* once, before the first record (or at the end if none) */
	int	(*meta)(void *arg, const struct ingest_meta *, struct buf *why);
	/* each record */
	int	(*record)(void *arg, const struct ingest_meta *,
		    const struct ingest_record *, struct buf *why);
	/* a whole TLS report */
	int	(*tls)(void *arg, const struct ingest_tls *, struct buf *why);
	void	*arg;		/* theirs */
};

/* one policy of a TLS report with its failure details */
struct ingest_tls_failure {
	char	*result_type;	/* starttls-not-supported, ... */
	char	*sending_ip;	/* sending-mta-ip */
	char	*receiving_mx;	/* receiving-mx-hostname */
	char	*receiving_ip;	/* receiving-ip */
	char	*reason;	/* failure-reason-code, additional-information */
	long long count;	/* failed-session-count */
};

struct ingest_tls_policy {
	char	*type;		/* sts, tlsa, no-policy-found, or unknown */
	char	*domain;	/* policy-domain ("" if absent) */
	char	*policy;	/* policy-string joined by " | " */
	char	*mx_host;	/* mx-host, joined by " " */
	long long success;	/* total-successful-session-count */
	long long failure;	/* total-failure-session-count */
	struct ingest_tls_failure *f;	/* failure details */
	size_t	 nf;		/* entries in f */
};

struct ingest_tls {
	char	*org_name;	/* organization-name */
	char	*contact;	/* contact-info */
	char	*report_id;	/* report-id */
	long long begin, end;	/* date-range, epoch seconds */
	struct ingest_tls_policy *p;	/* policies */
	size_t	 np;		/* entries in p */
};

/* the stream of one report: plain, gzip or the first report in a zip */
struct ingest_stream;

/* what a report in a message (or a file) is handed to */
struct ingest_handler {
	/* one report's bytes (compressed or not); returns ingest_status */
	int	(*report)(void *arg, const char *data, size_t len,
		    const char *name, struct buf *why);
	void	*arg;		/* theirs */
};

const char *ingest_strstatus(enum ingest_status);
int	ingest_is_report(const char *data, size_t len);

struct ingest_stream *ingest_stream_open(const char *data, size_t len,
	    size_t max, enum ingest_status *, struct buf *why);
long	ingest_stream_read(struct ingest_stream *, char *, size_t);
int	ingest_stream_peek(struct ingest_stream *, char *first);
int	ingest_stream_status(const struct ingest_stream *, struct buf *why);
void	ingest_stream_close(struct ingest_stream *);

enum ingest_status ingest_dmarc_parse(struct ingest_stream *,
	    const struct ingest_limits *, const struct ingest_sink *,
	    struct buf *why);
enum ingest_status ingest_tls_parse(struct ingest_stream *,
	    const struct ingest_limits *, struct ingest_tls *, struct buf *why);
void	ingest_tls_free(struct ingest_tls *);
enum ingest_status ingest_report(const char *data, size_t len,
	    const struct ingest_limits *, const struct ingest_sink *,
	    enum ingest_kind *, struct buf *why);

enum ingest_status ingest_mime_walk(const char *msg, size_t len,
	    const struct ingest_handler *, size_t *found, struct buf *why);

#endif
