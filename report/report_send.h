/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_send - hand one report message to the MTA, or write it to a file
 *
 * STANDARDS   the sendmail(1) command line that Postfix, Exim and Sendmail
 *             share: "-f SENDER -- RECIPIENT", message on standard input.
 * OWNERSHIP   nothing kept.
 * LOCKING     none (authmilter-report is single-threaded).
 * ERRORS      0 or -1 with the reason (exit status, errno) in why.
 */
#ifndef AUTHMILTER_REPORT_SEND_H
#define AUTHMILTER_REPORT_SEND_H

#include <stddef.h>

struct buf;

#define REPORT_SEND_MAX_ARGS	32

int	report_send_sendmail(const char *command, const char *from,
	    const char *to, const char *msg, size_t len, struct buf *why);
int	report_send_file(const char *dir, const char *name, const char *data,
	    size_t len, struct buf *why);

#endif
