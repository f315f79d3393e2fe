/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_mail - an aggregate report as a mail message
 *
 * STANDARDS   RFC 9990 section 3 "Email" (file name, Subject, Report-ID,
 *             application/gzip of RFC 6713), RFC 1952 (gzip), RFC 2045
 *             and 2046 (MIME multipart/mixed, base64), RFC 5322 (Date,
 *             Message-ID), RFC 3834 (Auto-Submitted: no auto-replies).
 * OWNERSHIP   both functions append to caller-owned bufs.
 * LOCKING     none.
 * LIMITS      the caller's buf max.
 * ERRORS      report_mail_gzip() returns -1 with zlib's reason in why.
 */
#ifndef AUTHMILTER_REPORT_MAIL_H
#define AUTHMILTER_REPORT_MAIL_H

#include <stddef.h>
#include <time.h>

struct buf;

struct report_mail {
	const char	*from;		/* reports.email */
	const char	*to;		/* the destination address */
	const char	*domain;	/* the policy domain */
	const char	*submitter;	/* our domain */
	const char	*report_id;	/* ridtxt, also the Message-ID */
	const char	*filename;	/* ...!begin!end.xml.gz */
	const char	*gz;		/* the compressed report */
	size_t		 gzlen;		/* its length */
	time_t		 date;		/* Date: */
};

int	report_mail_gzip(const char *, size_t, struct buf *out,
	    struct buf *why);
void	report_mail_build(const struct report_mail *, struct buf *out);

#endif
