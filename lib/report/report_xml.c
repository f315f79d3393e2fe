/* SPDX-License-Identifier: BSD-2-Clause */
/* report_xml - aggregate report XML (RFC 9990 schema 0.2) */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "report/report_xml.h"
#include "util/utf8.h"

/* report_xml_text - character data, escaped; what XML cannot hold is '?' */
void
report_xml_text(struct buf *out, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), n;

	while (len > 0) {
		if (*p >= 0x80) {
			if ((n = utf8_seqlen(p, len)) == 0)
				n = 1, buf_putc(out, '?');
			else
				buf_append(out, p, n);
			p += n;
			len -= n;
			continue;
		}
		if (*p == '&')
			buf_puts(out, "&amp;");
		else if (*p == '<')
			buf_puts(out, "&lt;");
		else if (*p == '>')
			buf_puts(out, "&gt;");
		else if (*p == '"')
			buf_puts(out, "&quot;");
		else if (*p < 0x20 && *p != '\t')
			buf_putc(out, '?');
		else
			buf_putc(out, *p);
		p++;
		len--;
	}
}

/* report_xml_el - <name>value</name> at an indent */
static void
report_xml_el(struct buf *out, int ind, const char *name, const char *v)
{
	buf_printf(out, "%*s<%s>", ind, "", name);
	report_xml_text(out, v);
	buf_printf(out, "</%s>\n", name);
}

/* report_xml_opt - the element only when the value is known */
static void
report_xml_opt(struct buf *out, int ind, const char *name, const char *v)
{
	if (*v != '\0')
		report_xml_el(out, ind, name, v);
}

/* report_xml_meta - report_metadata */
static void
report_xml_meta(struct buf *out, const struct report_meta *m)
{
	buf_puts(out, "  <report_metadata>\n");
	report_xml_el(out, 4, "org_name", m->org_name);
	report_xml_el(out, 4, "email", m->email);
	report_xml_el(out, 4, "report_id", m->report_id);
	buf_printf(out, "    <date_range>\n      <begin>%lld</begin>\n"
	    "      <end>%lld</end>\n    </date_range>\n", m->begin, m->end);
	report_xml_el(out, 4, "generator", m->generator);
	buf_puts(out, "  </report_metadata>\n");
}

/* report_xml_policy - policy_published, from the newest record */
static void
report_xml_policy(struct buf *out, const struct report_record *p)
{
	buf_puts(out, "  <policy_published>\n");
	report_xml_el(out, 4, "domain", p->f[REPORT_POLICY_DOMAIN]);
	report_xml_el(out, 4, "p", *p->f[REPORT_P] ? p->f[REPORT_P] : "none");
	report_xml_opt(out, 4, "sp", p->f[REPORT_SP]);
	report_xml_opt(out, 4, "np", p->f[REPORT_NP]);
	report_xml_opt(out, 4, "adkim", p->f[REPORT_ADKIM]);
	report_xml_opt(out, 4, "aspf", p->f[REPORT_ASPF]);
	report_xml_opt(out, 4, "discovery_method", p->f[REPORT_DISCOVERY]);
	report_xml_opt(out, 4, "fo", p->f[REPORT_FO]);
	report_xml_opt(out, 4, "testing", p->f[REPORT_TESTING]);
	buf_puts(out, "  </policy_published>\n");
}

/* report_xml_reasons - "type:comment;..." as reason elements */
static void
report_xml_reasons(struct buf *out, const char *r)
{
	const char *semi, *colon;
	char tmp[REPORT_MAX_FIELD + 1];
	size_t len;

	while (*r != '\0') {
		len = (semi = strchr(r, ';')) ? (size_t)(semi - r) : strlen(r);
		if (len > REPORT_MAX_FIELD)
			break;
		memcpy(tmp, r, len);
		tmp[len] = '\0';
		colon = strchr(tmp, ':');
		if (colon != NULL)
			tmp[colon - tmp] = '\0';
		buf_puts(out, "        <reason>\n");
		report_xml_el(out, 10, "type", tmp);
		if (colon != NULL && colon[1] != '\0')
			report_xml_el(out, 10, "comment", colon + 1);
		buf_puts(out, "        </reason>\n");
		r += len + (semi != NULL);
	}
}

/* report_xml_dkim - "d/s/result ..." as auth_results dkim elements */
static void
report_xml_dkim(struct buf *out, const char *list)
{
	char tmp[REPORT_MAX_FIELD + 1], *sp, *d, *s, *res;
	size_t len;

	while (*list != '\0') {
		len = strcspn(list, " ");
		if (len > REPORT_MAX_FIELD)
			break;
		memcpy(tmp, list, len);
		tmp[len] = '\0';
		list += len + (list[len] == ' ');
		d = tmp;
		if ((sp = strchr(d, '/')) == NULL)
			continue;
		*sp = '\0';
		s = sp + 1;
		if ((res = strchr(s, '/')) == NULL)
			continue;
		*res++ = '\0';
		buf_puts(out, "      <dkim>\n");
		report_xml_el(out, 8, "domain", d);
		report_xml_el(out, 8, "selector", s);
		report_xml_el(out, 8, "result", res);
		buf_puts(out, "      </dkim>\n");
	}
}

/* report_xml_record - one grouped row */
static void
report_xml_record(struct buf *out, const struct report_record *r,
    long long count)
{
	buf_puts(out, "  <record>\n    <row>\n");
	report_xml_el(out, 6, "source_ip", r->f[REPORT_SOURCE_IP]);
	buf_printf(out, "      <count>%lld</count>\n", count);
	buf_puts(out, "      <policy_evaluated>\n");
	report_xml_el(out, 8, "disposition", r->f[REPORT_DISPOSITION]);
	report_xml_el(out, 8, "dkim", r->f[REPORT_DKIM_EVAL]);
	report_xml_el(out, 8, "spf", r->f[REPORT_SPF_EVAL]);
	report_xml_reasons(out, r->f[REPORT_REASONS]);
	buf_puts(out, "      </policy_evaluated>\n    </row>\n");
	buf_puts(out, "    <identifiers>\n");
	report_xml_el(out, 6, "header_from", r->f[REPORT_HEADER_FROM]);
	report_xml_opt(out, 6, "envelope_from", r->f[REPORT_ENVELOPE_FROM]);
	report_xml_opt(out, 6, "envelope_to", r->f[REPORT_ENVELOPE_TO]);
	buf_puts(out, "    </identifiers>\n    <auth_results>\n");
	report_xml_dkim(out, r->f[REPORT_DKIM]);
	if (*r->f[REPORT_SPF_DOMAIN] != '\0') {
		buf_puts(out, "      <spf>\n");
		report_xml_el(out, 8, "domain", r->f[REPORT_SPF_DOMAIN]);
		if (strcmp(r->f[REPORT_SPF_SCOPE], "mfrom") == 0)
			report_xml_el(out, 8, "scope", "mfrom");
		report_xml_el(out, 8, "result", r->f[REPORT_SPF_RESULT]);
		buf_puts(out, "      </spf>\n");
	}
	buf_puts(out, "    </auth_results>\n  </record>\n");
}

/* report_xml_write - the whole document */
void
report_xml_write(const struct report_meta *m,
    const struct report_record *policy, const struct report_rows *rows,
    struct buf *out)
{
	size_t i;

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"
	    "  <version>1.0</version>\n");
	report_xml_meta(out, m);
	report_xml_policy(out, policy);
	for (i = 0; i < rows->n; i++)
		report_xml_record(out, &rows->rec[i], rows->count[i]);
	buf_puts(out, "</feedback>\n");
}
