/* pipeline_log - the verdict line as one JSON object (log.format "json") */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "core/pipeline.h"
#include "core/policy.h"
#include "core/results.h"

/* pipeline_verdict_members - the members after "queue_id" and "conn" */
static void
pipeline_verdict_members(const struct session *s, const struct message *m,
    struct buf *out)
{
	if (m->authenticated || s->trusted)
		json_kv(out, "skipped", s->trusted ? "trusted" :
		    "authenticated", 0);
	results_log_json(&m->results, out);
	json_kv(out, "action", policy_action_name(m->decision.action), 0);
	json_kv(out, "ip", s->client_ip, 0);
	if (m->author != NULL)
		json_kv(out, "from", m->author, 0);
	if (m->nar_delete > 0) {
		json_key(out, "removed_ar", 0);
		buf_printf(out, "%zu", m->nar_delete);
	}
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
