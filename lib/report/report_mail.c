/* SPDX-License-Identifier: BSD-2-Clause */
/* report_mail - gzip the XML, wrap it in a MIME message */
#include "autoconf.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "util/buf.h"
#include "report/report_mail.h"
#include "report/report.h"

/* report_mail_gzip - RFC 1952 member of data */
int
report_mail_gzip(const char *data, size_t len, struct buf *out,
    struct buf *why)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer instead of zlib's */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		buf_puts(why, "zlib: deflateInit2 failed");
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR || buf_append(out, chunk,
		    sizeof(chunk) - z.avail_out) != 0) {
			deflateEnd(&z);
			buf_puts(why, rc == Z_STREAM_ERROR ? "zlib: deflate "
			    "failed" : "compressed report too large");
			return -1;
		}
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return 0;
}

/* report_mail_base64 - 76-character lines (RFC 2045 section 6.8) */
static void
report_mail_base64(const char *data, size_t len, struct buf *out)
{
	unsigned char line[80];
	size_t n;
	int w;

	while (len > 0) {
		n = len > 57 ? 57 : len;
		w = EVP_EncodeBlock(line, (const unsigned char *)data, (int)n);
		buf_append(out, line, (size_t)w);
		buf_putc(out, '\n');
		data += n;
		len -= n;
	}
}

/* report_mail_build - the whole message, LF line ends (sendmail -i) */
void
report_mail_build(const struct report_mail *m, struct buf *out)
{
	char date[64], boundary[64], uid[40];
	struct tm tm;

	gmtime_r(&m->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	report_uid(uid, sizeof(uid));
	snprintf(boundary, sizeof(boundary), "=_authmilter_%s", uid);
	buf_printf(out, "From: %s\nTo: %s\n", m->from, m->to);
	/* RFC 9990: Report Domain: D Submitter: S Report-ID: <rid> */
	buf_printf(out, "Subject: Report Domain: %s\n Submitter: %s\n"
	    " Report-ID: <%s>\n", m->domain, m->submitter, m->report_id);
	buf_printf(out, "Date: %s\nMessage-ID: <%s>\n", date, m->report_id);
	buf_puts(out, "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n");
	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n",
	    boundary);
	buf_printf(out, "This is a MIME message.\n\n--%s\n", boundary);
	buf_puts(out, "Content-Type: text/plain; charset=us-ascii\n\n");
	buf_printf(out, "DMARC aggregate report (RFC 9990) for %s from %s.\n"
	    "The report is the attached file %s.\n\n--%s\n", m->domain,
	    m->submitter, m->filename, boundary);
	buf_printf(out, "Content-Type: application/gzip; name=\"%s\"\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", m->filename,
	    m->filename);
	report_mail_base64(m->gz, m->gzlen, out);
	buf_printf(out, "\n--%s--\n", boundary);
}
