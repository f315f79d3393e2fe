/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_results - one message's findings as RFC 8601 clauses (results_authres:
 * order, results, comments, properties, the trusted-sealer note), as the
 * verdict line (text and JSON members), as the "spf".."arc" JSON of
 * authmilter-check, and results_temperror()
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "mail/authres.h"
#include "util/buf.h"
#include "core/policy.h"
#include "core/results.h"
#include "unit.h"
#include "util/xalloc.h"

#define T_RESULTS_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_results_sig - one DKIM signature's result */
static void
t_results_sig(struct results *r, enum method_result res, const char *d,
    const char *reason)
{
	struct dkim_sig *g;

	r->dkim.checked = 1;
	r->dkim.sig = realloc(r->dkim.sig, (r->dkim.n + 1) * sizeof(*g));
	if (r->dkim.sig == NULL)
		abort();
	g = &r->dkim.sig[r->dkim.n++];
	memset(g, 0, sizeof(*g));
	g->result = res;
	g->d = d ? xstrdup(d) : NULL;
	g->s = xstrdup("sel1");
	g->a = xstrdup("rsa-sha256");
	g->b = xstrdup("AbCdEf12");
	g->reason = reason ? xstrdup(reason) : NULL;
	g->length = -1;
}

/* t_results_full - the example of SPEC.md "The header it writes" */
static void
t_results_full(struct results *r)
{
	memset(r, 0, sizeof(*r));
	r->spf.checked = 1;
	r->spf.result = METHOD_PASS;
	r->spf.mailfrom.checked = 1;
	r->spf.mailfrom.result = METHOD_PASS;
	r->spf.mailfrom.domain = xstrdup("sender.example");
	r->spf.mailfrom.reason = xstrdup("mechanism matched");
	r->spf.mailfrom.note = xstrdup("ip4:192.0.2.0/24 matched");
	r->spf.helo.checked = 1;
	r->spf.helo.result = METHOD_PASS;
	r->spf.helo.domain = xstrdup("mail.sender.example");
	t_results_sig(r, METHOD_PASS, "sender.example", NULL);
	r->dmarc.checked = 1;
	r->dmarc.result = METHOD_PASS;
	r->dmarc.author = xstrdup("sender.example");
	r->dmarc.have_record = 1;
	r->dmarc.rec.domain = xstrdup("sender.example");
	r->dmarc.rec.p = DMARC_P_REJECT;
	r->dmarc.rec.pct = 100;
	r->dmarc.policy = r->dmarc.requested = DMARC_P_REJECT;
	r->arc.checked = 1;
	r->arc.result = METHOD_PASS;
	r->arc.n = 2;
	r->arc.oldest_pass = 0;
	r->arc.sealers = xstrdup("sender.example,forwarder.example");
}

/* t_results_clauses - the clauses, one "m=r (c) p.n=v ..." each, "|" */
static void
t_results_clauses(const struct results *r, const struct decision *d,
    int remote_ip, struct buf *out)
{
	struct authres ar;
	size_t i, j;

	authres_init(&ar, "mx.example.org");
	results_authres(r, d, "192.0.2.1", remote_ip, &ar);
	buf_reset(out);
	for (i = 0; i < ar.n; i++) {
		const struct authres_result *c = &ar.r[i];

		buf_printf(out, "%s%s=%s", i ? "|" : "", c->method, c->result);
		if (c->comment != NULL)
			buf_printf(out, " (%s)", c->comment);
		for (j = 0; j < c->nprops; j++)
			buf_printf(out, " %s.%s=%s", c->props[j].ptype,
			    c->props[j].property, c->props[j].value);
	}
	authres_free(&ar);
}

/* t_results_authres - results as clauses, case by case */
static void
t_results_authres(void)
{
	struct results r;
	struct decision d;
	struct buf out;

	buf_init(&out, 65536);
	t_results_full(&r);
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "spf=pass (ip4:192.0.2.0/24 matched) "
	    "smtp.mailfrom=sender.example|spf=pass "
	    "smtp.helo=mail.sender.example|dkim=pass header.d=sender.example "
	    "header.s=sel1 header.a=rsa-sha256 header.b=AbCdEf12|dmarc=pass "
	    "(p=reject sp=reject dis=none) header.from=sender.example "
	    "policy.dmarc=reject|arc=pass (i=2 sealers=sender.example,"
	    "forwarder.example) header.oldest-pass=0", "one clause per "
	    "identity, the note as comment");
	t_results_clauses(&r, NULL, 1, &out);
	UNIT_CHECK(strstr(out.data, "forwarder.example) "
	    "smtp.remote-ip=192.0.2.1 header.oldest-pass=0") != NULL,
	    "arc.report_remote_ip", "%s", out.data);
	/* a HELO identity that says otherwise: its own clause */
	r.spf.helo.result = METHOD_FAIL;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_CHECK(strstr(out.data, "smtp.mailfrom=sender.example|spf=fail "
	    "smtp.helo=mail.sender.example|") != NULL,
	    "helo differs: its own clause", "%s", out.data);
	/* the null sender: the HELO identity decides, no smtp.mailfrom */
	r.spf.null_sender = 1;
	r.spf.result = METHOD_FAIL;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_CHECK(strncmp(out.data, "spf=fail smtp.helo=mail.sender.example|",
	    39) == 0, "null sender", "%s", out.data);
	/* a DMARC failure overridden by a trusted sealer */
	r.dmarc.result = METHOD_FAIL;
	memset(&d, 0, sizeof(d));
	d.dmarc_dis = DMARC_P_NONE;
	d.arc_override = "forwarder.example";
	t_results_clauses(&r, &d, 0, &out);
	UNIT_CHECK(strstr(out.data, "|dmarc=fail (p=reject sp=reject "
	    "dis=none; overridden by trusted ARC sealer forwarder.example) "
	    "header.from=sender.example policy.dmarc=reject|") != NULL,
	    "override noted", "%s", out.data);
	d.arc_override = NULL;
	d.dmarc_dis = DMARC_P_REJECT;
	t_results_clauses(&r, &d, 0, &out);
	UNIT_CHECK(strstr(out.data, "(p=reject sp=reject dis=reject) ") !=
	    NULL && strstr(out.data, "overridden") == NULL, "dis=reject",
	    "%s", out.data);
	results_free(&r);
	buf_free(&out);
}

/* t_results_variants - nothing checked, no client, DKIM clauses */
static void
t_results_variants(void)
{
	struct results r;
	struct buf out;

	buf_init(&out, 65536);
	memset(&r, 0, sizeof(r));
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "", "nothing checked: no clause");
	/* SPF without a client address; DKIM without signatures */
	r.spf.checked = 1;
	r.spf.result = METHOD_NONE;
	r.spf.mailfrom.reason = xstrdup("no client IP address");
	r.spf.mailfrom.domain = xstrdup("sender.example");
	r.dkim.checked = 1;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "spf=none (no client IP address) "
	    "smtp.mailfrom=sender.example|dkim=none", "no client, no sig");
	/* DKIM: a failure says why; l= and t=y are noted; skipped ones */
	t_results_sig(&r, METHOD_FAIL, "a.example", "signature mismatch");
	t_results_sig(&r, METHOD_PASS, "b.example", NULL);
	r.dkim.sig[1].length = 120;
	r.dkim.sig[1].testkey = 1;
	t_results_sig(&r, METHOD_PERMERROR, NULL, "no d=");
	r.dkim.skipped = 2;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "spf=none (no client IP address) "
	    "smtp.mailfrom=sender.example|dkim=fail (signature mismatch) "
	    "header.d=a.example header.s=sel1 header.a=rsa-sha256 "
	    "header.b=AbCdEf12|dkim=pass (l=120; test key) header.d=b.example "
	    "header.s=sel1 header.a=rsa-sha256 header.b=AbCdEf12|"
	    "dkim=permerror (no d=; 2 more signatures not checked) "
	    "header.s=sel1 header.a=rsa-sha256 header.b=AbCdEf12",
	    "dkim clauses");
	results_free(&r);
	buf_free(&out);
}

/* t_results_dmarc_arc - DMARC without a record, with every tag; ARC */
static void
t_results_dmarc_arc(void)
{
	struct results r;
	struct buf out;

	buf_init(&out, 65536);
	memset(&r, 0, sizeof(r));
	r.dmarc.checked = 1;
	r.dmarc.result = METHOD_PERMERROR;
	r.dmarc.reason = xstrdup("no valid p=");
	r.dmarc.author = xstrdup("author.example");
	r.arc.checked = 1;
	r.arc.result = METHOD_FAIL;
	snprintf(r.arc.reason, sizeof(r.arc.reason), "i=2 AS signature "
	    "mismatch");
	r.arc.oldest_pass = -1;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "dmarc=permerror (no valid p=) "
	    "header.from=author.example|arc=fail (i=2 AS signature mismatch)",
	    "permerror, arc fail");
	r.dmarc.result = METHOD_FAIL;
	r.dmarc.have_record = 1;
	r.dmarc.rec.p = DMARC_P_REJECT;
	r.dmarc.rec.sp = DMARC_P_QUARANTINE;
	r.dmarc.rec.np = DMARC_P_NONE;
	r.dmarc.rec.t = 1;
	r.dmarc.policy = DMARC_P_QUARANTINE;
	r.arc.result = METHOD_NONE;
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "dmarc=fail (p=reject sp=quarantine np=none t=y "
	    "dis=none) header.from=author.example policy.dmarc=quarantine|"
	    "arc=none", "every record tag, arc none");
	r.arc.result = METHOD_PASS;
	r.arc.n = 1;
	r.arc.sealers = xstrdup("a.example");
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_CHECK(strstr(out.data, "|arc=pass (i=1 sealers=a.example)") !=
	    NULL && strstr(out.data, "oldest-pass") == NULL,
	    "oldest-pass unknown: no property", "%s", out.data);
	results_free(&r);
	buf_free(&out);
}

/* t_results_logs - the verdict line's members, text and JSON */
static void
t_results_logs(void)
{
	struct results r;
	struct buf out;

	buf_init(&out, 65536);
	t_results_full(&r);
	results_log(&r, &out);
	UNIT_STREQ(out.data, " spf=pass dkim=pass:sender.example "
	    "dkim_selectors=sel1 dmarc=pass arc=pass", "log line");
	buf_reset(&out);
	results_log_json(&r, &out);
	/* members that follow the line's own: each after a "," */
	UNIT_STREQ(out.data, ",\"spf\":\"pass\",\"dkim\":[{\"result\":"
	    "\"pass\",\"domain\":\"sender.example\",\"selector\":\"sel1\"}],"
	    "\"dmarc\":\"pass\",\"arc\":\"pass\"", "log json");
	t_results_sig(&r, METHOD_FAIL, "bad domain\n.example", "x");
	r.dkim.skipped = 3;
	r.arc.checked = 0;
	buf_reset(&out);
	results_log(&r, &out);
	UNIT_STREQ(out.data, " spf=pass dkim=pass:sender.example,fail:"
	    "\"bad domain?.example\" dkim_selectors=sel1,sel1 dkim_unchecked=3 "
	    "dmarc=pass",
	    "log line: log_safe, skipped, no arc");
	buf_reset(&out);
	results_log_json(&r, &out);
	UNIT_CHECK(strstr(out.data, "{\"result\":\"fail\",\"domain\":"
	    "\"bad domain\\u000a.example\",\"selector\":\"sel1\"}],"
	    "\"dkim_unchecked\":3,\"dmarc\":"
	    "\"pass\"") != NULL && strstr(out.data, "\"arc\"") == NULL,
	    "log json: escaped, skipped, no arc", "%s", out.data);
	results_free(&r);
	memset(&r, 0, sizeof(r));
	r.dkim.checked = 1;
	buf_reset(&out);
	results_log(&r, &out);
	UNIT_STREQ(out.data, " dkim=none", "log: dkim none");
	buf_free(&out);
}

/* t_results_json - the members of authmilter-check --json */
static void
t_results_json(void)
{
	struct results r;
	struct buf out;

	buf_init(&out, 65536);
	memset(&r, 0, sizeof(r));
	results_json(&r, NULL, &out);
	UNIT_STREQ(out.data, "\"spf\":null,\"dkim\":null,\"dmarc\":null,"
	    "\"arc\":null,\"bimi\":null,\"iprev\":null,\"tls\":null",
	    "json: nothing checked");
	t_results_full(&r);
	buf_reset(&out);
	results_json(&r, NULL, &out);
	UNIT_CHECK(strstr(out.data, "\"spf\":{\"result\":\"pass\",\"reason\":"
	    "\"mechanism matched\",\"properties\":{\"smtp.mailfrom\":"
	    "\"sender.example\",\"smtp.helo\":\"mail.sender.example\"},"
	    "\"mailfrom\":{\"result\":\"pass\",\"reason\":\"mechanism "
	    "matched\",\"domain\":\"sender.example\",\"dns_lookups\":0,"
	    "\"void_lookups\":0},\"helo\":{\"result\":\"pass\",\"reason\":null,"
	    "\"domain\":\"mail.sender.example\",\"dns_lookups\":0,"
	    "\"void_lookups\":0}}") ==
	    out.data, "json spf", "%s", out.data);
	UNIT_CHECK(strstr(out.data, "\"arc\":{\"result\":\"pass\",\"reason\":"
	    "\"\",\"instances\":2,\"sealers\":[\"sender.example\","
	    "\"forwarder.example\"],\"properties\":{\"header.oldest-pass\":"
	    "\"0\"}}") != NULL, "json arc", "%s", out.data);
	UNIT_CHECK(strstr(out.data, "\"alignment\":{\"spf\":false,\"dkim\":"
	    "false}") != NULL && strstr(out.data, "\"p\":\"reject\"") != NULL,
	    "json dmarc", "%s", out.data);
	results_free(&r);
	buf_free(&out);
}

/* t_results_bimi - BIMI 7.7: the bimi= clause, log and JSON member */
static void
t_results_bimi(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		int		 result;	/* enum bimi_status */
		int		 authority;	/* enum bimi_authority */
		const char	*reason;	/* why */
		const char	*domain;	/* header.d, or NULL */
		const char	*uri;		/* a=, or NULL */
		const char	*want;		/* the clause */
	} cases[] = {
		{ "pass with evidence", BIMI_PASS, BIMI_AUTHORITY_PASS, NULL,
		    "b.example", "https://l.example/vmc.pem", "bimi=pass "
		    "header.d=b.example header.selector=default "
		    "policy.authority=pass "
		    "policy.authority-uri=https://l.example/vmc.pem" },
		{ "fail says why", BIMI_FAIL, BIMI_AUTHORITY_FAIL,
		    "certificate expired", "b.example", "https://l.example/v",
		    "bimi=fail (certificate expired) header.d=b.example "
		    "header.selector=default policy.authority=fail "
		    "policy.authority-uri=https://l.example/v" },
		{ "none: no record, no properties", BIMI_NONE,
		    BIMI_AUTHORITY_NONE, "no BIMI record", NULL, NULL,
		    "bimi=none (no BIMI record)" },
		{ "declined", BIMI_DECLINED, BIMI_AUTHORITY_NONE,
		    "declination to publish", "b.example", NULL,
		    "bimi=declined (declination to publish) header.d=b.example "
		    "header.selector=default" },
		{ "temperror", BIMI_TEMPERROR, BIMI_AUTHORITY_NONE,
		    "indicator https://l.example/x.svg: timed out", "b.example",
		    NULL, "bimi=temperror (indicator https://l.example/x.svg: "
		    "timed out) header.d=b.example header.selector=default "
		    "policy.authority=none" },
	};
	struct results r;
	struct buf out;
	size_t i;

	buf_init(&out, 65536);
	for (i = 0; i < T_RESULTS_N(cases); i++) {
		memset(&r, 0, sizeof(r));
		r.bimi.checked = 1;
		r.bimi.result = (enum bimi_status)cases[i].result;
		r.bimi.authority = (enum bimi_authority)cases[i].authority;
		r.bimi.reason = cases[i].reason ? xstrdup(cases[i].reason) :
		    NULL;
		r.bimi.domain = cases[i].domain ? xstrdup(cases[i].domain) :
		    NULL;
		r.bimi.selector = xstrdup("default");
		r.bimi.authority_uri = cases[i].uri ? xstrdup(cases[i].uri) :
		    NULL;
		t_results_clauses(&r, NULL, 0, &out);
		UNIT_STREQ(out.data, cases[i].want, cases[i].label);
		buf_reset(&out);
		results_log(&r, &out);
		UNIT_CHECK(strncmp(out.data, " bimi=", 6) == 0, cases[i].label,
		    "log: %s", out.data);
		results_free(&r);
		buf_reset(&out);
	}
	/* not eligible: no clause, but --json says why it was skipped */
	memset(&r, 0, sizeof(r));
	r.bimi.reason = xstrdup("DMARC policy p=none");
	t_results_clauses(&r, NULL, 0, &out);
	UNIT_STREQ(out.data, "", "skipped: no clause");
	results_json(&r, NULL, &out);
	UNIT_CHECK(strstr(out.data, "\"bimi\":{\"result\":\"skipped\","
	    "\"reason\":\"DMARC policy p=none\"") != NULL, "skipped: json",
	    "%s", out.data);
	results_free(&r);
	buf_free(&out);
}

/* t_results_temperror - which temperrors may change the verdict */
static void
t_results_temperror(void)
{
	static const struct {
		const char	*label;		/* what the case shows */
		int		 dmarc;		/* result, -1: unchecked */
		int		 spf;		/* result, -1: unchecked */
		int		 dkim;		/* -1: no signature */
		int		 want;		/* results_temperror() */
	} cases[] = {
		{ "nothing", -1, -1, -1, 0 },
		{ "dmarc temperror", METHOD_TEMPERROR, METHOD_PASS, -1, 1 },
		{ "dmarc pass hides spf temperror", METHOD_PASS,
		    METHOD_TEMPERROR, -1, 0 },
		{ "dmarc pass hides dkim temperror", METHOD_PASS, METHOD_PASS,
		    METHOD_TEMPERROR, 0 },
		{ "dmarc fail, spf temperror", METHOD_FAIL, METHOD_TEMPERROR,
		    -1, 1 },
		{ "dmarc fail, dkim temperror", METHOD_FAIL, METHOD_FAIL,
		    METHOD_TEMPERROR, 1 },
		{ "no dmarc, spf temperror", -1, METHOD_TEMPERROR, -1, 1 },
		{ "no dmarc, dkim temperror", -1, -1, METHOD_TEMPERROR, 1 },
		{ "permerrors are no temperror", METHOD_PERMERROR,
		    METHOD_PERMERROR, METHOD_PERMERROR, 0 },
	};
	struct results r;
	size_t i;

	for (i = 0; i < T_RESULTS_N(cases); i++) {
		memset(&r, 0, sizeof(r));
		r.dmarc.checked = cases[i].dmarc >= 0;
		r.dmarc.result = cases[i].dmarc >= 0 ?
		    (enum method_result)cases[i].dmarc : METHOD_NONE;
		r.spf.checked = cases[i].spf >= 0;
		r.spf.result = cases[i].spf >= 0 ?
		    (enum method_result)cases[i].spf : METHOD_NONE;
		if (cases[i].dkim >= 0) {
			t_results_sig(&r, METHOD_PASS, "a.example", NULL);
			t_results_sig(&r, (enum method_result)cases[i].dkim,
			    "b.example", NULL);
		}
		UNIT_CHECK(results_temperror(&r) == cases[i].want,
		    cases[i].label, "got %d", !cases[i].want);
		results_free(&r);
	}
}

/* t_results_received_spf - RFC 7208 9.1: the deciding identity's field */
static void
t_results_received_spf(void)
{
	struct results r;
	struct buf out;

	buf_init(&out, 4096);
	t_results_full(&r);
	results_received_spf(&r.spf, "192.0.2.1", "mail.sender.example",
	    "bob@sender.example", "mx.example.org", &out);
	UNIT_STREQ(out.data, "pass (mx.example.org: ip4:192.0.2.0/24 "
	    "matched) client-ip=192.0.2.1; envelope-from=\"bob@sender.example\"; "
	    "helo=mail.sender.example; receiver=mx.example.org; "
	    "identity=mailfrom", "Received-SPF, MAIL FROM");
	buf_reset(&out);
	r.spf.null_sender = 1;
	r.spf.result = METHOD_FAIL;
	r.spf.helo.note = xstrdup("-all matched (in a \\ comment)");
	results_received_spf(&r.spf, "2001:db8::1", "bad helo", "<>",
	    "mx.example.org", &out);
	UNIT_STREQ(out.data, "fail (mx.example.org: -all matched \\(in a "
	    "\\\\ comment\\)) client-ip=\"2001:db8::1\"; envelope-from=\"<>\"; "
	    "helo=\"bad helo\"; receiver=mx.example.org; identity=helo",
	    "Received-SPF, null sender: the HELO identity, values quoted");
	buf_reset(&out);
	r.spf.checked = 0;
	results_received_spf(&r.spf, "192.0.2.1", NULL, "<>", "mx", &out);
	UNIT_STREQ(out.data, "", "no SPF, no Received-SPF");
	results_free(&r);
	buf_free(&out);
}

int
main(void)
{
	t_results_bimi();
	t_results_received_spf();
	t_results_authres();
	t_results_variants();
	t_results_dmarc_arc();
	t_results_logs();
	t_results_json();
	t_results_temperror();
	return unit_done("t_results");
}
