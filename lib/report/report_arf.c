/* SPDX-License-Identifier: BSD-2-Clause */
/* report_arf - a failure report's multipart/report message */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "report/report.h"
#include "report/report_arf.h"
#include "report/report_failure.h"

/* report_arf_date - RFC 5322 date of t, UTC */
static void
report_arf_date(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* report_arf_8bit - any byte over 127: the part is 8bit, not 7bit */
static int
report_arf_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* report_arf_text - the part for people (RFC 5965 2.b) */
static void
report_arf_text(const struct report_failure *r, struct buf *out)
{
	char date[64];
	time_t t = (time_t)strtoll(r->f[REPORT_F_TS], NULL, 10);

	report_arf_date(t, date, sizeof(date));
	buf_printf(out, "Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n"
	    "This is a DMARC failure report (RFC 9991) for a message from\n"
	    "%s received from IP %s on %s.\n", r->f[REPORT_F_AUTHOR],
	    r->f[REPORT_F_SOURCE_IP], date);
	if (r->incidents > 1)
		buf_printf(out, "It stands for %lld copies of the message "
		    "(Incidents).\n", r->incidents);
	buf_puts(out, "Parts of the copy below may have been left out or "
	    "replaced\nto protect the privacy of the sender and the "
	    "recipients.\n");
}

/* report_arf_build - the whole message, LF line ends (sendmail -i) */
void
report_arf_build(const struct report_arf *a, struct buf *out)
{
	const struct report_failure *r = a->r;
	char date[64], boundary[64], uid[40];

	report_arf_date(a->date, date, sizeof(date));
	report_uid(uid, sizeof(uid));
	snprintf(boundary, sizeof(boundary), "=_authmilter_arf_%s", uid);
	buf_printf(out, "From: %s\nTo: %s\nSubject: %s\nDate: %s\n"
	    "Message-ID: <%s.failure@%s>\nAuto-Submitted: auto-generated\n"
	    "MIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=feedback-report;\n\tboundary=\"%s\"\n\n"
	    "This is a MIME message: a DMARC failure report.\n\n--%s\n",
	    a->from, a->to, r->f[REPORT_F_SUBJECT], date, uid, a->submitter,
	    boundary, boundary);
	report_arf_text(r, out);
	buf_printf(out, "\n--%s\nContent-Type: message/feedback-report\n\n%s",
	    boundary, r->f[REPORT_F_FEEDBACK]);
	if (r->incidents > 1)
		buf_printf(out, "Incidents: %lld\n", r->incidents);
	buf_printf(out, "\n--%s\nContent-Type: %s\nContent-Transfer-Encoding: "
	    "%s\n\n%s", boundary, r->f[REPORT_F_ORIGINAL_TYPE],
	    report_arf_8bit(r->f[REPORT_F_ORIGINAL]) ? "8bit" : "7bit",
	    r->f[REPORT_F_ORIGINAL]);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	buf_printf(out, "\n--%s--\n", boundary);
}
