/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_log - the verdict of a message as text: the log line
 * (log.format "text" or "json") and authmilter-check's --json object
 */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/config_override.h"
#include "util/json.h"
#include "util/log.h"
#include "core/pipeline_priv.h"
#include "core/results.h"

/* pipeline_mailfrom_domain - the envelope sender's domain, or NULL */
static const char *
pipeline_mailfrom_domain(const struct message *m)
{
	const char *at = m->mailfrom != NULL ? strrchr(m->mailfrom, '@') :
	    NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* pipeline_verdict_members - the members after "queue_id" and "conn" */
static void
pipeline_verdict_members(const struct session *s, const struct message *m,
    struct buf *out)
{
	const char *mf = pipeline_mailfrom_domain(m);

	if (m->results.upstream != NULL)
		json_kv(out, "upstream", m->results.upstream, 0);
	else if (m->authenticated || s->trusted)
		json_kv(out, "skipped", s->trusted ? "trusted" :
		    "authenticated", 0);
	results_log_json(&m->results, out);
	pipeline_sign_json(m, out);
	json_kv(out, "action", policy_action_name(m->decision.action), 0);
	json_kv(out, "ip", s->client_ip, 0);
	if (m->author != NULL)
		json_kv(out, "from", m->author, 0);
	if (s->helo != NULL && *s->helo != '\0')
		json_kv(out, "helo", s->helo, 0);
	if (mf != NULL)
		json_kv(out, "mailfrom", mf, 0);
	if (m->msgid != NULL)
		json_kv(out, "msgid", m->msgid, 0);
	if (m->ar.n > 0) {
		json_key(out, "removed_ar", 0);
		buf_printf(out, "%zu", m->ar.n);
	}
	if (m->marks.n > 0) {
		json_key(out, "removed_mark", 0);
		buf_printf(out, "%zu", m->marks.n);
	}
	if (m->decision.override != NULL)
		json_kv(out, "override", m->decision.override->name, 0);
	if (m->decision.why != NULL)
		json_kv(out, "reason", m->decision.why, 0);
	json_key(out, "ms", 0);
	buf_printf(out, "%ld", pipeline_elapsed_ms(m));
}

/*
 * pipeline_verdict_json - authmilter(8) LOGGING, log.format = "json": every
 * field of pipeline_verdict_line() under the same name, plus "conn" (the
 * connection number the text line shows only without a queue id). The
 * object always fits one log line: if the full one does not (many DKIM
 * signatures), the method results are left out and "truncated" is true.
 * OUT is reset first.
 */
void
pipeline_verdict_json(const struct session *s, struct buf *out)
{
	const struct message *m = s->msg;
	int full;

	for (full = 1; full >= 0; full--) {
		buf_reset(out);
		buf_putc(out, '{');
		json_key(out, "queue_id", 1);
		json_str(out, m != NULL ? m->queue_id : NULL);
		json_key(out, "conn", 0);
		buf_printf(out, "%lu", s->id);
		if (m != NULL && full)
			pipeline_verdict_members(s, m, out);
		else if (m != NULL)
			buf_puts(out, ",\"truncated\":true");
		buf_putc(out, '}');
		if (!out->truncated && out->len < LOG_LINE_MAX - 1)
			break;
	}
}

/* pipeline_verdict_line - authmilter(8) LOGGING: one line per message */
void
pipeline_verdict_line(const struct session *s, struct buf *out)
{
	const struct message *m = s->msg;
	const char *mf;

	if (m != NULL && m->queue_id != NULL) {
		log_safe(out, m->queue_id, strlen(m->queue_id));
		buf_putc(out, ':');
	} else
		buf_printf(out, "c=%lu:", s->id);
	if (m == NULL)
		return;
	if (m->results.upstream != NULL) {
		buf_puts(out, " upstream=");
		log_safe(out, m->results.upstream,
		    strlen(m->results.upstream));
	} else if (m->authenticated || s->trusted)
		buf_printf(out, " skipped=%s", s->trusted ? "trusted" :
		    "authenticated");
	results_log(&m->results, out);
	pipeline_sign_log(m, out);
	buf_printf(out, " action=%s ip=%s", policy_action_name(
	    m->decision.action), s->client_ip);
	if (m->author != NULL) {
		buf_puts(out, " from=");
		log_safe(out, m->author, strlen(m->author));
	}
	if (s->helo != NULL && *s->helo != '\0') {
		buf_puts(out, " helo=");
		log_safe(out, s->helo, strlen(s->helo));
	}
	if ((mf = pipeline_mailfrom_domain(m)) != NULL) {
		buf_puts(out, " mailfrom=");
		log_safe(out, mf, strlen(mf));
	}
	if (m->msgid != NULL) {
		buf_puts(out, " msgid=");
		log_safe(out, m->msgid, strlen(m->msgid));
	}
	if (m->ar.n > 0)
		buf_printf(out, " removed_ar=%zu", m->ar.n);
	if (m->marks.n > 0)
		buf_printf(out, " removed_mark=%zu", m->marks.n);
	if (m->decision.override != NULL)
		buf_printf(out, " override=%s", m->decision.override->name);
	if (m->decision.why != NULL)
		buf_printf(out, " reason=\"%s\"", m->decision.why);
	buf_printf(out, " ms=%ld", pipeline_elapsed_ms(m));
}

/* pipeline_check_override - "override": {name, action, reason} or null */
static void
pipeline_check_override(const struct config_override *o, struct buf *out)
{
	json_key(out, "override", 0);
	if (o == NULL) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '{');
	json_kv(out, "name", o->name, 1);
	json_kv(out, "action", config_override_action_name(o->action), 0);
	json_kv(out, "reason", o->reason, 0);
	buf_putc(out, '}');
}

/* pipeline_check_sigs - the DKIM-Signature values added, or null */
static void
pipeline_check_sigs(const struct message *m, struct buf *out)
{
	size_t i;
	int first = 1;

	if (!m->sign) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '[');
	for (i = 0; i < m->nsig; i++)
		if (m->sig[i].value != NULL) {
			if (!first)
				buf_putc(out, ',');
			json_str(out, m->sig[i].value);
			first = 0;
		}
	buf_putc(out, ']');
}

/* pipeline_check_json - authmilter-check --json: one object */
void
pipeline_check_json(const struct session *s, struct buf *out)
{
	const struct message *m = s->msg;

	buf_putc(out, '{');
	results_json(&m->results, &m->decision, out);
	json_kv(out, "action", policy_action_name(m->decision.action), 0);
	if (m->decision.rcode != NULL) {
		json_key(out, "reply", 0);
		buf_putc(out, '{');
		json_kv(out, "code", m->decision.rcode, 1);
		json_kv(out, "xcode", m->decision.xcode, 0);
		json_kv(out, "text", m->decision.text, 0);
		buf_putc(out, '}');
	}
	json_kv(out, "authserv_id", s->authserv_id, 0);
	json_key(out, "upstream", 0);
	json_str(out, m->results.upstream);
	json_key(out, "authentication_results", 0);
	json_str(out, m->arheader.len > 0 ? m->arheader.data : NULL);
	json_key(out, "removed_ar", 0);
	buf_printf(out, "%zu", m->ar.n);
	json_key(out, "quarantine_mark", 0);
	json_str(out, m->mark);
	pipeline_check_override(m->decision.override, out);
	pipeline_sign_json(m, out);
	json_key(out, "dkim_signatures", 0);
	pipeline_check_sigs(m, out);
	json_key(out, "arc_seal", 0);
	if (m->seal.aar != NULL) {
		buf_putc(out, '{');
		json_kv(out, "ARC-Seal", m->seal.as, 1);
		json_kv(out, "ARC-Message-Signature", m->seal.ams, 0);
		json_kv(out, "ARC-Authentication-Results", m->seal.aar, 0);
		buf_putc(out, '}');
	} else
		buf_puts(out, "null");
	buf_puts(out, "}");
}
