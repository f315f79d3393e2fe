/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_upstream - which A-R results of a trusted host stand in for our SPF
 * and DKIM checks: only fields with a listed authserv-id (compared as a
 * domain name), the newest first; the first spf= clause, its
 * smtp.mailfrom domain (smtp.helo for the null sender); every dkim=
 * clause with header.d, in order, up to dkim.max_signatures; unknown
 * result words, dmarc= and other methods, and fields that do not parse
 * are not used
 */
#include "autoconf.h"

#include <string.h>

#include "mail/hdr.h"
#include "util/config.h"
#include "core/results.h"
#include "core/upstream.h"
#include "fixture.h"
#include "unit.h"

#define T_UPSTREAM_N(a)	(sizeof(a) / sizeof((a)[0]))

/* t_upstream_hdr - a header from NULL-ended name, value pairs */
static void
t_upstream_hdr(struct hdr *h, const char *const *f)
{
	hdr_init(h);
	for (; f[0] != NULL; f += 2)
		if (hdr_add(h, f[0], f[1], strlen(f[1])) != 0)
			UNIT_CHECK(0, "hdr_add", "%s refused", f[0]);
}

/* t_upstream_main - a gateway's fields among others */
static void
t_upstream_main(void)
{
	static const char *const fields[] = {
		"Authentication-Results", " mx.elsewhere.example; spf=fail "
		    "smtp.mailfrom=x@evil.example; dkim=pass "
		    "header.d=evil.example",
		"Authentication-Results", " GW.Example.; spf=pass "
		    "smtp.mailfrom=User@Sender.EXAMPLE;\n\tdkim=pass "
		    "header.d=Sender.Example header.s=s1 header.b=AbCd1234;\n"
		    "\tdkim=fail (bad sig) header.d=other.example;\n\t"
		    "dkim=pass header.s=nod;\n\tdkim=bogus "
		    "header.d=x.example;\n"
		    "\tdmarc=pass header.from=sender.example",
		"Authentication-Results", " gw.example; this does not parse (",
		"Received", " from somewhere",
		"Authentication-Results", " gw2.example; spf=fail "
		    "smtp.mailfrom=old@older.example; dkim=policy "
		    "header.d=third.example",
		"From", " <user@sender.example>",
		NULL
	};
	struct config *cfg = fixture_config("policy = { "
	    "trusted_authserv_ids = [ \"gw.example\", \"gw2.example\" ]; };");
	struct results r;
	struct hdr h;
	const char *id;

	t_upstream_hdr(&h, fields);
	memset(&r, 0, sizeof(r));
	id = upstream_results(&h, cfg, 0, &r);
	UNIT_STREQ(id ? id : "(none)", "gw.example", "the newest listed id");
	UNIT_CHECK(r.spf.checked && r.spf.result == METHOD_PASS &&
	    !r.spf.null_sender && r.spf.mailfrom.checked &&
	    r.spf.mailfrom.result == METHOD_PASS, "first spf= clause",
	    "checked %d result %d", r.spf.checked, r.spf.result);
	UNIT_STREQ(r.spf.mailfrom.domain ? r.spf.mailfrom.domain : "-",
	    "sender.example", "smtp.mailfrom's domain, lowercase");
	UNIT_STREQ(r.spf.mailfrom.reason ? r.spf.mailfrom.reason : "-",
	    "from gw.example", "spf reason");
	UNIT_CHECK(r.dkim.checked && r.dkim.n == 3, "dkim= clauses with "
	    "header.d and a known result, both fields", "n %zu", r.dkim.n);
	if (r.dkim.n == 3) {
		UNIT_STREQ(r.dkim.sig[0].d, "sender.example", "sig 1 d");
		UNIT_STREQ(r.dkim.sig[0].s, "s1", "sig 1 s");
		UNIT_STREQ(r.dkim.sig[0].b, "AbCd1234", "sig 1 b");
		UNIT_CHECK(r.dkim.sig[0].result == METHOD_PASS &&
		    r.dkim.sig[0].aligned_use, "sig 1 pass, may align",
		    "%d", r.dkim.sig[0].aligned_use);
		UNIT_CHECK(r.dkim.sig[1].result == METHOD_FAIL &&
		    !r.dkim.sig[1].aligned_use, "sig 2 fail", "%d",
		    r.dkim.sig[1].result);
		UNIT_CHECK(r.dkim.sig[2].result == METHOD_POLICY &&
		    !r.dkim.sig[2].aligned_use, "sig 3 from the older field, "
		    "policy never aligns", "%d", r.dkim.sig[2].result);
		UNIT_STREQ(r.dkim.sig[2].reason, "from gw2.example",
		    "sig 3 reason names its host");
	}
	UNIT_CHECK(!r.dmarc.checked && !r.arc.checked, "dmarc= is not used",
	    "dmarc %d", r.dmarc.checked);
	results_free(&r);
	hdr_free(&h);
	config_release(cfg);
}

/* t_upstream_edges - null sender, the signature limit, nothing listed */
static void
t_upstream_edges(void)
{
	static const char *const nullsender[] = {
		"Authentication-Results", " gw.example; spf=pass "
		    "smtp.helo=Mail.Sender.Example; dkim=pass "
		    "header.d=a.example; dkim=pass header.d=b.example; "
		    "dkim=pass header.d=c.example",
		NULL
	};
	static const char *const nothing[] = {
		"Authentication-Results", " mx.elsewhere.example; spf=pass "
		    "smtp.mailfrom=a@b.example",
		"Authentication-Results", " gw.example.evil.example; spf=pass "
		    "smtp.mailfrom=a@b.example",
		NULL
	};
	static const char *const bare[] = {
		"Authentication-Results", " gw.example; none",
		NULL
	};
	struct config *cfg = fixture_config("dkim = { max_signatures = 2; };\n"
	    "policy = { trusted_authserv_ids = [ \"gw.example\" ]; };");
	struct config *none = fixture_config("");
	struct results r;
	struct hdr h;
	const char *id;

	t_upstream_hdr(&h, nullsender);
	memset(&r, 0, sizeof(r));
	id = upstream_results(&h, cfg, 1, &r);
	UNIT_CHECK(id != NULL && r.spf.null_sender && r.spf.helo.checked &&
	    r.spf.helo.result == METHOD_PASS && !r.spf.mailfrom.checked,
	    "null sender: the HELO identity", "helo %d", r.spf.helo.checked);
	UNIT_STREQ(r.spf.helo.domain ? r.spf.helo.domain : "-",
	    "mail.sender.example", "smtp.helo as the identity");
	UNIT_CHECK(r.dkim.n == 2 && r.dkim.skipped == 1,
	    "dkim.max_signatures kept, the rest counted", "n %zu skipped %zu",
	    r.dkim.n, r.dkim.skipped);
	results_free(&r);
	memset(&r, 0, sizeof(r));
	id = upstream_results(&h, none, 1, &r);
	UNIT_CHECK(id == NULL && !r.spf.checked && !r.dkim.checked,
	    "no trusted_authserv_ids: nothing used", "%s", id ? id : "");
	hdr_free(&h);

	t_upstream_hdr(&h, nothing);
	memset(&r, 0, sizeof(r));
	id = upstream_results(&h, cfg, 0, &r);
	UNIT_CHECK(id == NULL && !r.spf.checked && !r.dkim.checked,
	    "unlisted ids (and a longer one ending in the listed name) are "
	    "not used", "%s", id ? id : "");
	results_free(&r);
	hdr_free(&h);

	t_upstream_hdr(&h, bare);
	memset(&r, 0, sizeof(r));
	id = upstream_results(&h, cfg, 0, &r);
	UNIT_CHECK(id != NULL && r.spf.checked && r.spf.result == METHOD_NONE
	    && r.dkim.checked && r.dkim.n == 0, "a listed field without "
	    "results: spf=none, dkim=none", "%s", id ? id : "(none)");
	results_free(&r);
	hdr_free(&h);
	config_release(cfg);
	config_release(none);
}

int
main(void)
{
	t_upstream_main();
	t_upstream_edges();
	return unit_done("t_upstream");
}
