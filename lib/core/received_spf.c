/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * received_spf - the Received-SPF field of RFC 7208 section 9.1, for
 * sites whose filters read it (spf.received_spf)
 */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>

#include "util/buf.h"
#include "core/results.h"

/* received_spf_atext - RFC 5322 atext (dot-atom without the dots) */
static int
received_spf_atext(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c)
	    != NULL);
}

/* received_spf_value - a dot-atom as it is, anything else quoted */
static void
received_spf_value(struct buf *out, const char *v)
{
	const unsigned char *p;
	int atom = *v != '\0' && *v != '.' && v[strlen(v) - 1] != '.';

	for (p = (const unsigned char *)v; atom && *p != '\0'; p++)
		if (!received_spf_atext(*p) && (*p != '.' || p[1] == '.'))
			atom = 0;
	if (atom) {
		buf_puts(out, v);
		return;
	}
	buf_putc(out, '"');
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(out, '\\');
		if (*p >= 0x20 && *p < 0x7f)
			buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

/* received_spf_comment - comment text: parentheses and \ escaped */
static void
received_spf_comment(struct buf *out, const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '(' || *p == ')' || *p == '\\')
			buf_putc(out, '\\');
		if (*p >= 0x20 && *p < 0x7f)
			buf_putc(out, *p);
	}
}

/*
 * results_received_spf - "pass (receiver: why) client-ip=...;
 * envelope-from=...; helo=...; receiver=...; identity=mailfrom" for the
 * identity that gave the SPF result (MAIL FROM, or HELO for <>); OUT
 * stays empty when SPF did not run
 */
void
results_received_spf(const struct spf_result *s, const char *client_ip,
    const char *helo, const char *mailfrom, const char *receiver,
    struct buf *out)
{
	const struct spf_identity *id = s->null_sender ? &s->helo :
	    &s->mailfrom;
	const char *why = id->note != NULL ? id->note : id->reason;

	if (!s->checked)
		return;
	buf_printf(out, "%s (", method_result_name(s->result));
	received_spf_comment(out, receiver);
	if (why != NULL) {
		buf_puts(out, ": ");
		received_spf_comment(out, why);
	}
	buf_puts(out, ")");
	if (client_ip != NULL && *client_ip != '\0') {
		buf_puts(out, " client-ip=");
		received_spf_value(out, client_ip);
		buf_putc(out, ';');
	}
	buf_puts(out, " envelope-from=");
	received_spf_value(out, mailfrom);
	if (helo != NULL && *helo != '\0') {
		buf_puts(out, "; helo=");
		received_spf_value(out, helo);
	}
	buf_puts(out, "; receiver=");
	received_spf_value(out, receiver);
	buf_printf(out, "; identity=%s", s->null_sender ? "helo" :
	    "mailfrom");
}
