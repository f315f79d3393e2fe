/* results - one message's findings as A-R clauses, log and JSON */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "authres.h"
#include "buf.h"
#include "json.h"
#include "log.h"
#include "results.h"

/* results_free - release every method's result */
void
results_free(struct results *r)
{
	spf_result_free(&r->spf);
}

/* results_temperror - did any method fail for a temporary DNS reason */
int
results_temperror(const struct results *r)
{
	return r->spf.checked && r->spf.result == METHOD_TEMPERROR;
}

/* results_spf_authres - the spf= clause (RFC 8601 section 2.7.2) */
static void
results_spf_authres(const struct spf_result *s, struct authres *ar)
{
	struct authres_result *c;
	char note[64];

	c = authres_add(ar, "spf", method_result_name(s->result));
	if (c == NULL)
		return;
	if (!s->null_sender && s->mailfrom.domain != NULL)
		authres_prop(c, "smtp", "mailfrom", s->mailfrom.domain);
	if (s->helo.domain != NULL)
		authres_prop(c, "smtp", "helo", s->helo.domain);
	/* the HELO identity's own verdict, when it tells something else */
	if (!s->null_sender && s->helo.checked &&
	    s->helo.result != s->result) {
		snprintf(note, sizeof(note), "helo=%s",
		    method_result_name(s->helo.result));
		authres_comment(c, note);
	} else if (s->mailfrom.reason != NULL && !s->mailfrom.checked)
		authres_comment(c, s->mailfrom.reason);
}

/* results_authres - every checked method, in SPEC order */
void
results_authres(const struct results *r, struct authres *ar)
{
	if (r->spf.checked)
		results_spf_authres(&r->spf, ar);
}

/* results_log - key=value part of the verdict line */
void
results_log(const struct results *r, struct buf *out)
{
	if (r->spf.checked)
		buf_printf(out, " spf=%s", method_result_name(r->spf.result));
}

/* results_json_identity - {"result":..,"reason":..,"domain":..} */
static void
results_json_identity(struct buf *out, const char *key,
    const struct spf_identity *id)
{
	json_key(out, key, 0);
	if (!id->checked) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(id->result), 1);
	json_kv(out, "reason", id->reason, 0);
	json_kv(out, "domain", id->domain, 0);
	buf_putc(out, '}');
}

/* results_json_spf - the "spf" member */
static void
results_json_spf(const struct spf_result *s, struct buf *out)
{
	const struct spf_identity *main = s->null_sender ? &s->helo :
	    &s->mailfrom;

	buf_putc(out, '{');
	json_kv(out, "result", method_result_name(s->result), 1);
	json_kv(out, "reason", main->reason, 0);
	json_key(out, "properties", 0);
	buf_putc(out, '{');
	if (!s->null_sender && s->mailfrom.domain != NULL)
		json_kv(out, "smtp.mailfrom", s->mailfrom.domain, 1);
	if (s->helo.domain != NULL)
		json_kv(out, "smtp.helo", s->helo.domain,
		    s->null_sender || s->mailfrom.domain == NULL);
	buf_putc(out, '}');
	results_json_identity(out, "mailfrom", &s->mailfrom);
	results_json_identity(out, "helo", &s->helo);
	buf_putc(out, '}');
}

/* results_json - members "spf", "dkim", "dmarc", "arc" (no braces) */
void
results_json(const struct results *r, struct buf *out)
{
	json_key(out, "spf", 1);
	if (r->spf.checked)
		results_json_spf(&r->spf, out);
	else
		buf_puts(out, "null");
	json_key(out, "dkim", 0);
	buf_puts(out, "[]");
	json_key(out, "dmarc", 0);
	buf_puts(out, "null");
	json_key(out, "arc", 0);
	buf_puts(out, "null");
}
