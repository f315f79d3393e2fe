/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_arf - a DMARC failure report as a mail message: RFC 5965
 *              multipart/report with the RFC 9991 fields
 *
 * STANDARDS   RFC 5965 section 2 (multipart/report; report-type=
 *             feedback-report: a human-readable part, the
 *             message/feedback-report part, the copy as message/rfc822
 *             or text/rfc822-headers), 3.2 (Incidents); RFC 6591 (auth-
 *             failure), RFC 9991 section 4 (the DMARC fields); RFC 6522
 *             (multipart/report), RFC 5322 (Date, Message-ID), RFC 3834
 *             (Auto-Submitted: a report is no cause for another).
 * OWNERSHIP   report_arf_build() appends to a caller-owned buf.
 * LOCKING     none.
 * LIMITS      the caller's buf max; the parts were capped when the daemon
 *             recorded them (lib/report/report_failure.h).
 * ERRORS      none.
 */
#ifndef AUTHMILTER_REPORT_ARF_H
#define AUTHMILTER_REPORT_ARF_H

#include <time.h>

struct buf;
struct report_failure;

struct report_arf {
	const char	*from;		/* reports.email */
	const char	*to;		/* the destination address */
	const char	*submitter;	/* our domain, for the Message-ID */
	const struct report_failure *r;	/* what the daemon recorded */
	time_t		 date;		/* Date: */
};

void	report_arf_build(const struct report_arf *, struct buf *out);

#endif
