/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_pipeline_log - the verdict as one JSON object (log.format "json"):
 * exact members for a full message (every field of the text line, in the
 * text line's order: upstream, the results, signed and unsigned, the
 * client, removed_ar, removed_mark, override, reason), the text line's
 * optional fields left
 * out when the text leaves them out, no message yet, escaping of odd
 * bytes, and the fallback object when the full one would not fit a log
 * line
 */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "core/pipeline_priv.h"
#include "unit.h"

#define T_PL_NSIG	40

static char t_pl_long[T_PL_NSIG][250];
static struct dkim_sig t_pl_sigs[T_PL_NSIG];

/* t_pl_json - the object for s, with the "ms" member cut off */
static void
t_pl_json(const struct session *s, struct buf *out)
{
	char *ms;

	pipeline_verdict_json(s, out);
	if ((ms = strstr(out->data, ",\"ms\":")) != NULL) {
		out->len = (size_t)(ms - out->data);
		buf_puts(out, "}");
	}
}

/* t_pl_ms_ok - the object ends in ,"ms":DIGITS} */
static int
t_pl_ms_ok(const char *json)
{
	const char *p = strstr(json, ",\"ms\":");
	size_t n;

	if (p == NULL)
		return 0;
	p += 6;
	n = strspn(p, "0123456789");
	return n > 0 && strcmp(p + n, "}") == 0;
}

int
main(void)
{
	struct keytable_key keys[2];
	struct config_override rule;
	struct session s;
	struct message m;
	struct buf out;
	size_t i;

	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	buf_init(&out, LOG_LINE_MAX);
	s.id = 7;
	strcpy(s.client_ip, "192.0.2.1");
	pipeline_verdict_json(&s, &out);
	UNIT_STREQ(out.data, "{\"queue_id\":null,\"conn\":7}", "no message");

	s.msg = &m;
	clock_gettime(CLOCK_MONOTONIC, &m.start);
	m.queue_id = "4XbQ2k1Lz9";
	m.decision.action = POLICY_ACCEPT;
	t_pl_json(&s, &out);
	UNIT_STREQ(out.data, "{\"queue_id\":\"4XbQ2k1Lz9\",\"conn\":7,"
	    "\"action\":\"accept\",\"ip\":\"192.0.2.1\"}", "nothing checked");
	pipeline_verdict_json(&s, &out);
	UNIT_CHECK(t_pl_ms_ok(out.data), "ms is the last member, a number",
	    "%s", out.data);

	m.results.spf.checked = 1;
	m.results.spf.result = METHOD_PASS;
	m.results.dkim.checked = 1;
	m.results.dkim.n = 2;
	m.results.dkim.sig = t_pl_sigs;
	t_pl_sigs[0].result = METHOD_PASS;
	t_pl_sigs[0].d = "sender.example";
	t_pl_sigs[0].s = "s2026";
	t_pl_sigs[1].result = METHOD_FAIL;
	t_pl_sigs[1].d = "q\"uote\n.example";
	t_pl_sigs[1].s = "sel";
	m.results.dkim.skipped = 3;
	m.results.dmarc.checked = 1;
	m.results.dmarc.result = METHOD_FAIL;
	m.results.arc.checked = 1;
	m.results.arc.result = METHOD_NONE;
	m.author = "sender.example";
	s.helo = "mail.sender.example";
	m.mailfrom = "bounce@bounces.sender.example";
	m.msgid = "<abc@sender.example>";
	m.ar.n = 2;
	m.marks.n = 1;
	m.decision.action = POLICY_REJECT;
	m.decision.why = "DMARC p=reject";
	/* a trusted gateway's results, signed, under a local policy rule */
	memset(keys, 0, sizeof(keys));
	memset(&rule, 0, sizeof(rule));
	m.results.upstream = "gw.example";
	m.sign = 1;
	m.nsig = 2;
	keys[0].domain = keys[1].domain = "sender.example";
	keys[0].selector = "r1";
	keys[0].alg = PKEY_RSA_SHA256;
	keys[1].selector = "e1";
	keys[1].alg = PKEY_ED25519_SHA256;
	m.sig[0].key = &keys[0];
	m.sig[0].value = "v=1; a=rsa-sha256";
	m.sig[1].key = &keys[1];
	strcpy(m.sig[1].why, "key error");
	rule.name = "partner";
	m.decision.override = &rule;
	t_pl_json(&s, &out);
	UNIT_STREQ(out.data, "{\"queue_id\":\"4XbQ2k1Lz9\",\"conn\":7,"
	    "\"upstream\":\"gw.example\",\"spf\":\"pass\",\"dkim\":[{\"result\":\"pass\",\"domain\":"
	    "\"sender.example\",\"selector\":\"s2026\"},{\"result\":\"fail\","
	    "\"domain\":\"q\\\"uote\\u000a.example\",\"selector\":\"sel\"}],"
	    "\"dkim_unchecked\":3,"
	    "\"dmarc\":\"fail\",\"arc\":\"none\",\"signed\":[{\"d\":"
	    "\"sender.example\",\"s\":\"r1\",\"a\":\"rsa-sha256\"}],"
	    "\"unsigned\":\"s=e1: key error\",\"action\":\"reject\","
	    "\"ip\":\"192.0.2.1\",\"from\":\"sender.example\","
	    "\"helo\":\"mail.sender.example\",\"mailfrom\":"
	    "\"bounces.sender.example\",\"msgid\":\"<abc@sender.example>\","
	    "\"removed_ar\":2,\"removed_mark\":1,\"override\":\"partner\","
	    "\"reason\":\"DMARC p=reject\"}", "every field");
	buf_reset(&out);
	pipeline_verdict_line(&s, &out);
	UNIT_CHECK(strstr(out.data, "4XbQ2k1Lz9: upstream=gw.example spf=pass "
	    "dkim=pass:sender.example,fail:"
	    "\"q\\\"uote?.example\" dkim_selectors=s2026,sel dkim_unchecked=3 "
	    "dmarc=fail arc=none signed=d=sender.example,s=r1,a=rsa-sha256 "
	    "unsigned=\"s=e1: key error\" action=reject ip=192.0.2.1 "
	    "from=sender.example helo=mail.sender.example "
	    "mailfrom=bounces.sender.example msgid=<abc@sender.example> "
	    "removed_ar=2 removed_mark=1 override=partner reason=\"DMARC "
	    "p=reject\" ms=") == out.data, "every field, text", "%s",
	    out.data);
	m.results.upstream = NULL;
	m.sign = 0;
	m.nsig = 0;
	memset(m.sig, 0, sizeof(m.sig));
	m.decision.override = NULL;
	s.helo = NULL;
	m.mailfrom = NULL;
	m.msgid = NULL;

	m.authenticated = 1;
	m.results.dkim.n = 0;
	m.results.dkim.skipped = 0;
	m.results.spf.checked = m.results.dmarc.checked = 0;
	m.results.arc.checked = 0;
	m.author = NULL;
	m.ar.n = 0;
	m.marks.n = 0;
	m.queue_id = NULL;
	m.decision.action = POLICY_ACCEPT;
	m.decision.why = "authenticated client";
	t_pl_json(&s, &out);
	UNIT_STREQ(out.data, "{\"queue_id\":null,\"conn\":7,\"skipped\":"
	    "\"authenticated\",\"dkim\":[],\"action\":\"accept\",\"ip\":"
	    "\"192.0.2.1\",\"reason\":\"authenticated client\"}",
	    "skipped, empty dkim, no queue id");

	for (i = 0; i < T_PL_NSIG; i++) {
		memset(t_pl_long[i], 'a', sizeof(t_pl_long[i]) - 1);
		t_pl_sigs[i].d = t_pl_long[i];
		t_pl_sigs[i].result = METHOD_PASS;
	}
	m.results.dkim.n = T_PL_NSIG;
	m.queue_id = "Q1";
	pipeline_verdict_json(&s, &out);
	UNIT_STREQ(out.data, "{\"queue_id\":\"Q1\",\"conn\":7,"
	    "\"truncated\":true}", "too long for a log line");
	buf_free(&out);
	return unit_done("t_pipeline_log");
}
