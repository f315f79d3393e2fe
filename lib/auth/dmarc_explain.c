/* SPDX-License-Identifier: BSD-2-Clause */
/* dmarc_explain - where the record was, what was tried, why it failed */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "auth/dmarc_explain.h"

/*
 * dmarc_explain_where - "_dmarc.example.com, the organizational domain,
 * query 2 of the tree walk" (no parentheses: it goes in A-R comments)
 */
void
dmarc_explain_where(struct dmarc_result *r, const char *name,
    enum dmarc_where kind, int step, int rfc7489)
{
	static const char *const kinds[] = { "the author domain",
	    "the organizational domain", "a public suffix domain" };
	struct buf w;

	buf_init(&w, 1024);
	buf_printf(&w, "_dmarc.%s, %s", name, kinds[kind]);
	if (kind != DMARC_WHERE_AUTHOR && rfc7489)
		buf_puts(&w, " by the public suffix list");
	else if (kind != DMARC_WHERE_AUTHOR)
		buf_printf(&w, ", query %d of the tree walk", step);
	free(r->where);
	r->where = buf_steal(&w);
	buf_free(&w);
}

/* dmarc_explain_tried - one identifier and what came of it */
void
dmarc_explain_tried(struct dmarc_result *r, char method, const char *domain,
    enum method_result res, int aligned, const char *why)
{
	struct dmarc_tried *t;

	if (domain == NULL || r->ntried >= DMARC_MAX_TRIED)
		return;
	if (r->tried == NULL)
		r->tried = xcalloc(DMARC_MAX_TRIED, sizeof(*r->tried));
	t = &r->tried[r->ntried++];
	t->method = method;
	t->domain = xstrdup(domain);
	t->result = res;
	t->aligned = aligned;
	t->why = why;
}

/* dmarc_explain_list - "spf=pass esp.example not aligned, dkim=..." */
static void
dmarc_explain_list(const struct dmarc_result *r, struct buf *out)
{
	size_t i;

	if (r->ntried == 0) {
		buf_puts(out, "no SPF or DKIM identifier");
		return;
	}
	for (i = 0; i < r->ntried; i++)
		buf_printf(out, "%s%s=%s %s%s%s", i > 0 ? ", " : "",
		    r->tried[i].method == 's' ? "spf" : "dkim",
		    method_result_name(r->tried[i].result), r->tried[i].domain,
		    r->tried[i].why != NULL ? " " : "",
		    r->tried[i].why != NULL ? r->tried[i].why : "");
}

/*
 * dmarc_explain_finish - the reason (why has the outcome so far: "no
 * aligned SPF or DKIM pass") gets the identifiers tried and where the
 * record was; the note (A-R comment) the outcome, the identifiers when
 * none aligned, and a DNSSEC-secure record
 */
void
dmarc_explain_finish(struct dmarc_result *r, struct buf *why)
{
	struct buf note;

	buf_init(&note, 1024);
	buf_append(&note, why->data, why->len);
	if (r->result == METHOD_FAIL || r->result == METHOD_TEMPERROR ||
	    r->result == METHOD_PASS) {
		buf_puts(why, ": ");
		dmarc_explain_list(r, why);
	}
	if (r->result == METHOD_FAIL) {
		buf_puts(&note, ": ");
		dmarc_explain_list(r, &note);
	}
	/* the note goes after "dis=..." in a comment that simple readers
	 * split on ";" and on white space: " - " keeps both intact */
	if (r->where != NULL) {
		buf_printf(why, "; record at %s", r->where);
		if (strstr(r->where, ", the author domain") == NULL)
			buf_printf(&note, " - record at %s", r->where);
	}
	if (r->secure) {
		buf_puts(why, "; DNSSEC-secure record");
		buf_puts(&note, " - DNSSEC-secure record");
	}
	free(r->note);
	r->note = buf_steal(&note);
	buf_free(&note);
}

/* dmarc_explain_free - the strings of the explanation */
void
dmarc_explain_free(struct dmarc_result *r)
{
	size_t i;

	for (i = 0; i < r->ntried; i++)
		free(r->tried[i].domain);
	free(r->tried);
	free(r->where);
	free(r->note);
}
