/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_xml - one RFC 9990 aggregate report as XML
 *
 * STANDARDS   RFC 9990 section 2 and its XML schema (dmarc-xml-0.2.xsd,
 *             namespace urn:ietf:params:xml:ns:dmarc-2.0); XML 1.0
 *             section 2.2 (characters allowed in a document).
 * OWNERSHIP   report_xml_write() appends to a caller-owned buf; it keeps
 *             no pointer to its arguments.
 * LOCKING     none.
 * LIMITS      the caller's buf max; the rows are grouped already.
 * ERRORS      none: every value is escaped, and bytes that XML cannot
 *             carry (controls, invalid UTF-8) become '?'.
 */
#ifndef AUTHMILTER_REPORT_XML_H
#define AUTHMILTER_REPORT_XML_H

#include <stddef.h>

#include "report/report.h"

struct buf;

struct report_meta {
	const char	*org_name;	/* reports.org_name */
	const char	*email;		/* reports.email */
	const char	*report_id;	/* unique per policy domain and period */
	const char	*generator;	/* "authmilter VERSION" */
	long long	 begin, end;	/* date_range, seconds since epoch */
};

/* n grouped rows: the row columns of each record, and how many messages */
struct report_rows {
	struct report_record *rec;	/* row columns filled, others "" */
	long long	*count;		/* messages per row */
	size_t		 n;		/* rows */
	size_t		 cap;		/* allocated */
};

void	report_xml_write(const struct report_meta *,
	    const struct report_record *policy, const struct report_rows *,
	    struct buf *);
void	report_xml_text(struct buf *, const char *);

#endif
