/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_report_dest - what authmilter-report reads from DNS and the spool:
 * rua URI lists with !size, _report._dmarc TXT records (and their ruf=),
 * spool lines of both kinds (records and failure reports), and the XML
 * text writer over the same bytes
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/report.h"
#include "report/report_dest.h"
#include "report/report_failure.h"
#include "report/report_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_report_failure - a failure line round-trips like a record's */
static void
fuzz_report_failure(const uint8_t *data, size_t size)
{
	struct report_failure f;
	struct buf line;
	char *ruf = NULL;

	if (report_dest_record_tag((const char *)data, size, "ruf", &ruf) ==
	    0 && ruf != NULL)
		__builtin_trap();
	free(ruf);
	if (report_failure_decode((const char *)data, size, &f) != 0)
		return;
	buf_init(&line, REPORT_FAILURE_MAX_LINE);
	report_failure_encode(&f, &line);
	report_failure_free(&f);
	if (!report_failure_line_is(line.data) || report_failure_decode(
	    line.data, line.len - 1, &f) != 0)
		__builtin_trap();
	report_failure_free(&f);
	buf_free(&line);
}

/* fuzz_report_xml - escaped text never holds markup or controls */
static void
fuzz_report_xml(const uint8_t *data, size_t size)
{
	struct buf out;
	char *s = strndup((const char *)data, size);
	size_t i;

	if (s == NULL)
		return;
	buf_init(&out, 1 << 22);
	report_xml_text(&out, s);
	for (i = 0; i < out.len; i++)
		if (out.data[i] == '<' || out.data[i] == '>' ||
		    ((unsigned char)out.data[i] < 0x20 && out.data[i] != '\t'))
			__builtin_trap();
	buf_free(&out);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_dest d[REPORT_DEST_MAX];
	struct report_record r;
	struct buf why, line;
	char *rua = NULL;
	size_t n, i;

	buf_init(&why, 1 << 16);
	n = report_dest_parse((const char *)data, size, d, REPORT_DEST_MAX,
	    &why);
	for (i = 0; i < n; i++)
		if (d[i].addr == NULL || strchr(d[i].addr, '\n') != NULL ||
		    strchr(d[i].host, '@') != NULL)
			__builtin_trap();
	report_dest_free(d, n);
	if (report_dest_record((const char *)data, size, &rua) == 0 &&
	    rua != NULL)
		__builtin_trap();
	free(rua);
	if (report_record_decode((const char *)data, size, &r) == 0) {
		/* what decodes encodes to one line that decodes the same */
		buf_init(&line, 1 << 20);
		report_record_encode(&r, &line);
		report_record_free(&r);
		if (report_record_decode(line.data, line.len - 1, &r) != 0)
			__builtin_trap();
		report_record_free(&r);
		buf_free(&line);
	}
	fuzz_report_failure(data, size);
	fuzz_report_xml(data, size);
	buf_free(&why);
	return 0;
}
