/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_policy - policy_decide() over every SPF result and both
 * policy.dns_error_action values: tempfail (451 4.7.0) only for an SPF
 * temperror under "tempfail", accept for everything else; DMARC results
 * against dmarc.reject, dmarc.quarantine, dmarc.multiple_from and the
 * DNS error action
 */
#include "autoconf.h"

#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "core/policy.h"
#include "core/results.h"
#include "unit.h"

#define T_POLICY_N(a)	(sizeof(a) / sizeof((a)[0]))

/* every SPF result against both DNS error actions */
static const struct {
	enum method_result spf;		/* results.spf.result */
	int		 dnserr;	/* policy.dns_error_action */
	enum policy_action want;	/* decision */
} t_policy_cases[] = {
	{ METHOD_NONE, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_PASS, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_FAIL, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_SOFTFAIL, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_NEUTRAL, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_TEMPERROR, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_PERMERROR, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_POLICY, CONFIG_DNSERR_ACCEPT, POLICY_ACCEPT },
	{ METHOD_NONE, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_PASS, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_FAIL, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_SOFTFAIL, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_NEUTRAL, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_TEMPERROR, CONFIG_DNSERR_TEMPFAIL, POLICY_TEMPFAIL },
	{ METHOD_PERMERROR, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
	{ METHOD_POLICY, CONFIG_DNSERR_TEMPFAIL, POLICY_ACCEPT },
};

/* t_policy_label - "spf=temperror dns_error_action=tempfail ..." */
static void
t_policy_label(struct buf *b, enum method_result spf, int dnserr,
    int checked, int null_sender, const char *variant)
{
	buf_reset(b);
	buf_printf(b, "spf=%s%s%s dns_error_action=%s %s",
	    method_result_name(spf), checked ? "" : " (not checked)",
	    null_sender ? " null sender" : "",
	    config_enum_name("policy.dns_error_action", dnserr), variant);
}

/* t_policy_check - one decision against the expected action */
static void
t_policy_check(const struct decision *d, enum policy_action want,
    const char *label)
{
	UNIT_CHECK(d->action == want, label, "action %s, want %s",
	    policy_action_name(d->action), policy_action_name(want));
	if (want == POLICY_TEMPFAIL) {
		UNIT_STREQ(d->rcode, "451", label);
		UNIT_STREQ(d->xcode, "4.7.0", label);
		UNIT_CHECK(d->text != NULL && *d->text != '\0', label,
		    "no reply text");
		UNIT_CHECK(d->why != NULL && strstr(d->why, "dns") != NULL,
		    label, "why %s", d->why ? d->why : "(null)");
	} else {
		UNIT_CHECK(d->rcode == NULL && d->xcode == NULL &&
		    d->text == NULL, label, "reply %s %s %s on accept",
		    d->rcode ? d->rcode : "-", d->xcode ? d->xcode : "-",
		    d->text ? d->text : "-");
	}
}

/*
 * t_policy_exhaustive - the table under several otherwise different
 * configs, with and without a null sender, checked and unchecked
 */
static void
t_policy_exhaustive(void)
{
	static const struct {
		const char	*name;	/* variant */
		const char	*head;	/* config outside the policy group */
		const char	*policy;	/* more of the policy group */
	} variants[] = {
		{ "(defaults)", "", "" },
		{ "(reject off, trusted empty)",
		    "dmarc = { reject = false; };\n",
		    "trusted_networks = [ ]; skip_authenticated = false;" },
		{ "(spf off, rfc7489)", "spf = { enabled = false; helo = "
		    "false; };\ndmarc = { mode = \"rfc7489\"; quarantine = "
		    "\"none\"; };\n", "" },
	};
	struct config *base[T_POLICY_N(variants)][2];
	struct buf label, text;
	size_t v, i;
	int a, checked, nulls;

	buf_init(&label, 1024);
	buf_init(&text, 4096);
	for (v = 0; v < T_POLICY_N(variants); v++)
		for (a = 0; a < 2; a++) {
			buf_reset(&text);
			buf_printf(&text, "%spolicy = { dns_error_action = "
			    "\"%s\"; %s };\n", variants[v].head,
			    a ? "tempfail" : "accept", variants[v].policy);
			base[v][a] = fixture_config(text.data);
			UNIT_CHECK(base[v][a]->policy.dns_error_action ==
			    (a ? CONFIG_DNSERR_TEMPFAIL : CONFIG_DNSERR_ACCEPT),
			    variants[v].name, "dns_error_action not set");
		}

	for (v = 0; v < T_POLICY_N(variants); v++)
		for (i = 0; i < T_POLICY_N(t_policy_cases); i++)
			for (checked = 0; checked < 2; checked++)
				for (nulls = 0; nulls < 2; nulls++) {
					struct results r;
					struct decision d;
					const struct config *cfg = base[v]
					    [t_policy_cases[i].dnserr ==
					    CONFIG_DNSERR_TEMPFAIL];

					memset(&r, 0, sizeof(r));
					r.spf.checked = checked;
					r.spf.null_sender = nulls;
					r.spf.result = t_policy_cases[i].spf;
					if (nulls) {
						r.spf.helo.checked = 1;
						r.spf.helo.result =
						    t_policy_cases[i].spf;
					} else {
						r.spf.mailfrom.checked = 1;
						r.spf.mailfrom.result =
						    t_policy_cases[i].spf;
					}
					t_policy_label(&label,
					    t_policy_cases[i].spf,
					    t_policy_cases[i].dnserr, checked,
					    nulls, variants[v].name);
					policy_decide(&r, cfg, &d);
					t_policy_check(&d, checked ?
					    t_policy_cases[i].want :
					    POLICY_ACCEPT, label.data);
					decision_free(&d);
					UNIT_CHECK(d.text == NULL &&
					    d.action == POLICY_ACCEPT,
					    label.data, "decision_free "
					    "does not reset");
				}

	for (v = 0; v < T_POLICY_N(variants); v++)
		for (a = 0; a < 2; a++)
			config_release(base[v][a]);
	buf_free(&text);
	buf_free(&label);
}

/*
 * t_policy_helo_only - only the overall SPF result counts: a temperror of
 * the HELO identity alone, with MAIL FROM pass, is no DNS failure
 */
static void
t_policy_helo_only(void)
{
	struct config *cfg = fixture_config(
	    "policy = { dns_error_action = \"tempfail\"; };");
	struct results r;
	struct decision d;

	memset(&r, 0, sizeof(r));
	r.spf.checked = 1;
	r.spf.result = METHOD_PASS;
	r.spf.mailfrom.checked = 1;
	r.spf.mailfrom.result = METHOD_PASS;
	r.spf.helo.checked = 1;
	r.spf.helo.result = METHOD_TEMPERROR;
	policy_decide(&r, cfg, &d);
	t_policy_check(&d, POLICY_ACCEPT, "helo temperror, mailfrom pass");
	decision_free(&d);

	/* the same inputs twice give the same decision: no hidden state */
	r.spf.result = METHOD_TEMPERROR;
	policy_decide(&r, cfg, &d);
	t_policy_check(&d, POLICY_TEMPFAIL, "temperror, first call");
	decision_free(&d);
	policy_decide(&r, cfg, &d);
	t_policy_check(&d, POLICY_TEMPFAIL, "temperror, second call");
	decision_free(&d);
	UNIT_CHECK(r.spf.result == METHOD_TEMPERROR && r.spf.checked == 1,
	    "results not changed", "result %d", r.spf.result);
	config_release(cfg);
}

/* DMARC results against the configuration */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*config;	/* config text */
	enum method_result dmarc;	/* results.dmarc.result */
	enum dmarc_policy policy;	/* results.dmarc.policy */
	int		 ambiguous;	/* results.dmarc.ambiguous */
	enum method_result spf;		/* results.spf.result, checked */
	enum method_result dkim;	/* the one signature's result */
	enum policy_action want;	/* action */
	enum dmarc_policy want_dis;	/* dmarc_dis */
	const char	*want_text;	/* in the text, or NULL for none */
} t_policy_dmarc_cases[] = {
	/* p=reject */
	{ "fail, reject: 550 naming the domain", "", METHOD_FAIL,
	    DMARC_P_REJECT, 0, METHOD_FAIL, METHOD_NONE, POLICY_REJECT,
	    DMARC_P_REJECT, "author.example" },
	{ "fail, reject, dmarc.reject_text: %d and %% expanded",
	    "dmarc = { reject_text = \"No: %d fails DMARC (100%%) %d\"; };",
	    METHOD_FAIL, DMARC_P_REJECT, 0, METHOD_FAIL, METHOD_NONE,
	    POLICY_REJECT, DMARC_P_REJECT,
	    "No: author.example fails DMARC (100%) author.example" },
	{ "fail, reject, dmarc.reject false: accept",
	    "dmarc = { reject = false; };", METHOD_FAIL, DMARC_P_REJECT, 0,
	    METHOD_FAIL, METHOD_NONE, POLICY_ACCEPT, DMARC_P_NONE, NULL },
	{ "fail, reject, quarantine off: still reject",
	    "dmarc = { quarantine = \"none\"; };", METHOD_FAIL,
	    DMARC_P_REJECT, 0, METHOD_NONE, METHOD_NONE, POLICY_REJECT,
	    DMARC_P_REJECT, "author.example" },
	{ "pass, reject: accept", "", METHOD_PASS, DMARC_P_REJECT, 0,
	    METHOD_PASS, METHOD_PASS, POLICY_ACCEPT, DMARC_P_NONE, NULL },
	/* p=quarantine */
	{ "fail, quarantine, default \"header\": accept, dis=quarantine",
	    "", METHOD_FAIL, DMARC_P_QUARANTINE, 0, METHOD_FAIL, METHOD_FAIL,
	    POLICY_ACCEPT, DMARC_P_QUARANTINE, NULL },
	{ "fail, quarantine, \"quarantine\" explicit",
	    "dmarc = { quarantine = \"quarantine\"; };", METHOD_FAIL,
	    DMARC_P_QUARANTINE, 0, METHOD_FAIL, METHOD_NONE,
	    POLICY_QUARANTINE, DMARC_P_QUARANTINE, "quarantine" },
	{ "fail, quarantine, \"header\": accept, dis=quarantine",
	    "dmarc = { quarantine = \"header\"; };", METHOD_FAIL,
	    DMARC_P_QUARANTINE, 0, METHOD_FAIL, METHOD_NONE, POLICY_ACCEPT,
	    DMARC_P_QUARANTINE, NULL },
	{ "fail, quarantine, \"none\": accept, dis=none",
	    "dmarc = { quarantine = \"none\"; };", METHOD_FAIL,
	    DMARC_P_QUARANTINE, 0, METHOD_FAIL, METHOD_NONE, POLICY_ACCEPT,
	    DMARC_P_NONE, NULL },
	{ "fail, quarantine, dmarc.reject false: quarantine",
	    "dmarc = { reject = false; quarantine = \"quarantine\"; };",
	    METHOD_FAIL, DMARC_P_QUARANTINE, 0, METHOD_FAIL, METHOD_NONE,
	    POLICY_QUARANTINE, DMARC_P_QUARANTINE, "author.example" },
	/* p=none and no verdict */
	{ "fail, none: accept", "", METHOD_FAIL, DMARC_P_NONE, 0, METHOD_FAIL,
	    METHOD_FAIL, POLICY_ACCEPT, DMARC_P_NONE, NULL },
	{ "none: accept", "", METHOD_NONE, DMARC_P_UNSPEC, 0, METHOD_FAIL,
	    METHOD_NONE, POLICY_ACCEPT, DMARC_P_NONE, NULL },
	{ "permerror: accept", "", METHOD_PERMERROR, DMARC_P_UNSPEC, 0,
	    METHOD_NONE, METHOD_NONE, POLICY_ACCEPT, DMARC_P_NONE, NULL },
	{ "fail, t=y lowered reject to quarantine: quarantine",
	    "dmarc = { quarantine = \"quarantine\"; };",
	    METHOD_FAIL, DMARC_P_QUARANTINE, 0, METHOD_NONE, METHOD_NONE,
	    POLICY_QUARANTINE, DMARC_P_QUARANTINE, NULL },
	/* several From domains */
	{ "ambiguous, multiple_from reject: 550", "", METHOD_PERMERROR,
	    DMARC_P_UNSPEC, 1, METHOD_PASS, METHOD_PASS, POLICY_REJECT,
	    DMARC_P_REJECT, "author domain" },
	{ "ambiguous, multiple_from reject, dmarc.reject false: 550",
	    "dmarc = { reject = false; };", METHOD_PERMERROR, DMARC_P_UNSPEC,
	    1, METHOD_NONE, METHOD_NONE, POLICY_REJECT, DMARC_P_REJECT,
	    "several From" },
	{ "ambiguous, multiple_from permerror: accept",
	    "dmarc = { multiple_from = \"permerror\"; };", METHOD_PERMERROR,
	    DMARC_P_UNSPEC, 1, METHOD_PASS, METHOD_PASS, POLICY_ACCEPT,
	    DMARC_P_NONE, NULL },
	{ "ambiguous, permerror, DNS temperror, tempfail: 451",
	    "dmarc = { multiple_from = \"permerror\"; };\n"
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_PERMERROR,
	    DMARC_P_UNSPEC, 1, METHOD_TEMPERROR, METHOD_NONE, POLICY_TEMPFAIL,
	    DMARC_P_NONE, "DNS" },
	/* DNS errors */
	{ "pass, SPF temperror, tempfail: no tempfail",
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_PASS,
	    DMARC_P_REJECT, 0, METHOD_TEMPERROR, METHOD_PASS, POLICY_ACCEPT,
	    DMARC_P_NONE, NULL },
	{ "pass, DKIM temperror, tempfail: no tempfail",
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_PASS,
	    DMARC_P_REJECT, 0, METHOD_PASS, METHOD_TEMPERROR, POLICY_ACCEPT,
	    DMARC_P_NONE, NULL },
	{ "temperror, tempfail: 451 4.7.0",
	    "policy = { dns_error_action = \"tempfail\"; };",
	    METHOD_TEMPERROR, DMARC_P_UNSPEC, 0, METHOD_PASS, METHOD_NONE,
	    POLICY_TEMPFAIL, DMARC_P_NONE, "DNS" },
	{ "temperror, accept: accept",
	    "policy = { dns_error_action = \"accept\"; };", METHOD_TEMPERROR,
	    DMARC_P_UNSPEC, 0, METHOD_PASS, METHOD_NONE, POLICY_ACCEPT,
	    DMARC_P_NONE, NULL },
	{ "none, DKIM temperror, tempfail: 451",
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_NONE,
	    DMARC_P_UNSPEC, 0, METHOD_NONE, METHOD_TEMPERROR, POLICY_TEMPFAIL,
	    DMARC_P_NONE, "DNS" },
	{ "fail p=none, SPF temperror, tempfail: 451",
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_FAIL,
	    DMARC_P_NONE, 0, METHOD_TEMPERROR, METHOD_NONE, POLICY_TEMPFAIL,
	    DMARC_P_NONE, "DNS" },
	/*
	 * a definite DMARC fail stands over an unrelated DNS error: whether
	 * a temperror could have aligned is dmarc.c's call (then the DMARC
	 * result is temperror itself, t_dmarc "aligned ... temperror")
	 */
	{ "fail reject, SPF temperror, tempfail: the reject stands",
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_FAIL,
	    DMARC_P_REJECT, 0, METHOD_TEMPERROR, METHOD_NONE, POLICY_REJECT,
	    DMARC_P_REJECT, "author.example" },
	{ "fail quarantine \"header\", DKIM temperror, tempfail: 451",
	    "dmarc = { quarantine = \"header\"; };\n"
	    "policy = { dns_error_action = \"tempfail\"; };", METHOD_FAIL,
	    DMARC_P_QUARANTINE, 0, METHOD_NONE, METHOD_TEMPERROR,
	    POLICY_TEMPFAIL, DMARC_P_QUARANTINE, "DNS" },
};

/* t_policy_dmarc - every DMARC case */
static void
t_policy_dmarc(void)
{
	struct dkim_sig sig;
	size_t i;

	for (i = 0; i < T_POLICY_N(t_policy_dmarc_cases); i++) {
		const char *label = t_policy_dmarc_cases[i].label;
		struct config *cfg;
		struct results r;
		struct decision d;
		enum policy_action want = t_policy_dmarc_cases[i].want;

		cfg = fixture_config(t_policy_dmarc_cases[i].config);
		memset(&r, 0, sizeof(r));
		r.spf.checked = 1;
		r.spf.result = t_policy_dmarc_cases[i].spf;
		r.spf.mailfrom.checked = 1;
		r.spf.mailfrom.result = t_policy_dmarc_cases[i].spf;
		r.dkim.checked = 1;
		memset(&sig, 0, sizeof(sig));
		if (t_policy_dmarc_cases[i].dkim != METHOD_NONE) {
			sig.result = t_policy_dmarc_cases[i].dkim;
			sig.d = (char *)"signer.example";
			r.dkim.sig = &sig;
			r.dkim.n = 1;
		}
		r.dmarc.checked = 1;
		r.dmarc.result = t_policy_dmarc_cases[i].dmarc;
		r.dmarc.policy = t_policy_dmarc_cases[i].policy;
		/* the disposition follows policy (after t= and pct) alone */
		r.dmarc.requested = r.dmarc.result == METHOD_FAIL ?
		    DMARC_P_REJECT : t_policy_dmarc_cases[i].policy;
		r.dmarc.have_record = t_policy_dmarc_cases[i].policy !=
		    DMARC_P_UNSPEC;
		r.dmarc.ambiguous = t_policy_dmarc_cases[i].ambiguous;
		if (r.dmarc.ambiguous)
			r.dmarc.reason = (char *)"several From domains";
		else
			r.dmarc.author = (char *)"author.example";
		policy_decide(&r, cfg, &d);
		UNIT_CHECK(d.action == want, label, "action %s, want %s",
		    policy_action_name(d.action), policy_action_name(want));
		UNIT_CHECK(d.dmarc_dis == t_policy_dmarc_cases[i].want_dis,
		    label, "dis %s, want %s", dmarc_policy_name(d.dmarc_dis),
		    dmarc_policy_name(t_policy_dmarc_cases[i].want_dis));
		if (want == POLICY_REJECT) {
			UNIT_STREQ(d.rcode, "550", label);
			UNIT_STREQ(d.xcode, "5.7.1", label);
		} else if (want == POLICY_TEMPFAIL) {
			UNIT_STREQ(d.rcode, "451", label);
			UNIT_STREQ(d.xcode, "4.7.0", label);
		} else
			UNIT_CHECK(d.rcode == NULL && d.xcode == NULL, label,
			    "reply code %s %s", d.rcode ? d.rcode : "-",
			    d.xcode ? d.xcode : "-");
		if (t_policy_dmarc_cases[i].want_text != NULL)
			UNIT_CHECK(d.text != NULL && strstr(d.text,
			    t_policy_dmarc_cases[i].want_text) != NULL, label,
			    "text \"%s\" lacks \"%s\"", d.text ? d.text :
			    "(null)", t_policy_dmarc_cases[i].want_text);
		else if (want == POLICY_ACCEPT)
			UNIT_CHECK(d.text == NULL, label, "text \"%s\"",
			    d.text);
		if (want != POLICY_ACCEPT)
			UNIT_CHECK(d.why != NULL && *d.why != '\0', label,
			    "no why");
		decision_free(&d);
		config_release(cfg);
	}
}

/*
 * t_policy_mark - the Junk mark: only a p=quarantine failure under
 * dmarc.quarantine "header" (the default) gets it
 */
static void
t_policy_mark(void)
{
	static const struct {
		const char	*label;		/* the case */
		const char	*config;	/* config text */
		enum method_result dmarc;	/* result */
		enum dmarc_policy policy;	/* evaluated policy */
		int		 want;		/* decision.mark */
	} cases[] = {
		{ "quarantine, default: marked", "", METHOD_FAIL,
		    DMARC_P_QUARANTINE, 1 },
		{ "quarantine, \"header\": marked",
		    "dmarc = { quarantine = \"header\"; };", METHOD_FAIL,
		    DMARC_P_QUARANTINE, 1 },
		{ "quarantine, \"quarantine\": held, not marked",
		    "dmarc = { quarantine = \"quarantine\"; };", METHOD_FAIL,
		    DMARC_P_QUARANTINE, 0 },
		{ "quarantine, \"none\": not marked",
		    "dmarc = { quarantine = \"none\"; };", METHOD_FAIL,
		    DMARC_P_QUARANTINE, 0 },
		{ "reject: refused, not marked", "", METHOD_FAIL,
		    DMARC_P_REJECT, 0 },
		{ "reject, dmarc.reject false: not marked",
		    "dmarc = { reject = false; };", METHOD_FAIL, DMARC_P_REJECT,
		    0 },
		{ "none: not marked", "", METHOD_FAIL, DMARC_P_NONE, 0 },
		{ "pass, p=quarantine: not marked", "", METHOD_PASS,
		    DMARC_P_QUARANTINE, 0 },
	};
	size_t i;

	for (i = 0; i < T_POLICY_N(cases); i++) {
		struct config *cfg = fixture_config(cases[i].config);
		struct results r;
		struct decision d;

		memset(&r, 0, sizeof(r));
		r.dmarc.checked = 1;
		r.dmarc.have_record = 1;
		r.dmarc.result = cases[i].dmarc;
		r.dmarc.policy = cases[i].policy;
		r.dmarc.author = (char *)"author.example";
		policy_decide(&r, cfg, &d);
		UNIT_CHECK(d.mark == cases[i].want, cases[i].label,
		    "mark %d, action %s", d.mark, policy_action_name(d.action));
		if (d.mark)
			UNIT_CHECK(d.action == POLICY_ACCEPT && d.text == NULL,
			    cases[i].label, "marked yet %s",
			    policy_action_name(d.action));
		decision_free(&d);
		config_release(cfg);
	}
}

/*
 * t_policy_override - a policy.overrides rule decides alone, whatever
 * DMARC, the quarantine mode, the From or DNS errors would have done
 */
static void
t_policy_override(void)
{
	static const struct {
		const char	*label;		/* the case */
		int		 rule;		/* of the config below */
		enum method_result dmarc;	/* result, or NONE unchecked */
		enum dmarc_policy policy;	/* evaluated policy */
		int		 ambiguous;	/* several From domains */
		enum method_result spf;		/* SPF result */
		enum policy_action want;	/* action */
		const char	*rcode;		/* reply code or NULL */
		enum dmarc_policy want_dis;	/* dmarc_dis */
	} cases[] = {
		{ "accept over p=reject fail", 0, METHOD_FAIL, DMARC_P_REJECT,
		    0, METHOD_FAIL, POLICY_ACCEPT, NULL, DMARC_P_NONE },
		{ "accept over p=quarantine (no mark)", 0, METHOD_FAIL,
		    DMARC_P_QUARANTINE, 0, METHOD_FAIL, POLICY_ACCEPT, NULL,
		    DMARC_P_NONE },
		{ "accept over a DNS temperror under tempfail", 0,
		    METHOD_TEMPERROR, DMARC_P_UNSPEC, 0, METHOD_TEMPERROR,
		    POLICY_ACCEPT, NULL, DMARC_P_NONE },
		{ "accept over several From domains", 0, METHOD_PERMERROR,
		    DMARC_P_UNSPEC, 1, METHOD_PASS, POLICY_ACCEPT, NULL,
		    DMARC_P_NONE },
		{ "no-dmarc, DMARC not evaluated", 1, METHOD_NONE,
		    DMARC_P_UNSPEC, 0, METHOD_TEMPERROR, POLICY_ACCEPT, NULL,
		    DMARC_P_NONE },
		{ "tempfail: 451 4.7.1 with the reason", 2, METHOD_PASS,
		    DMARC_P_REJECT, 0, METHOD_PASS, POLICY_TEMPFAIL, "451",
		    DMARC_P_NONE },
		{ "reject over a DMARC pass: 550, dis=reject", 3, METHOD_PASS,
		    DMARC_P_REJECT, 0, METHOD_PASS, POLICY_REJECT, "550",
		    DMARC_P_REJECT },
		{ "reject, no DMARC record: dis none", 3, METHOD_NONE,
		    DMARC_P_UNSPEC, 0, METHOD_PASS, POLICY_REJECT, "550",
		    DMARC_P_NONE },
	};
	struct config *cfg = fixture_config(
	    "dmarc = { quarantine = \"header\"; };\n"
	    "policy = { dns_error_action = \"tempfail\"; overrides = (\n"
	    " { name = \"ok\"; author = \"a.example\"; action = \"accept\";"
	    " reason = \"partner\"; },\n"
	    " { name = \"nd\"; author = \"b.example\"; action = \"no-dmarc\";"
	    " reason = \"no dmarc\"; },\n"
	    " { name = \"tf\"; author = \"c.example\"; action = \"tempfail\";"
	    " reason = \"later, 100% sure\"; },\n"
	    " { name = \"rj\"; author = \"d.example\"; action = \"reject\";"
	    " reason = \"go away\"; }\n); };\n");
	size_t i;

	for (i = 0; i < T_POLICY_N(cases); i++) {
		const struct config_override *o =
		    &cfg->policy.overrides[cases[i].rule];
		struct results r;
		struct decision d;

		memset(&r, 0, sizeof(r));
		r.override = o;
		r.spf.checked = 1;
		r.spf.result = cases[i].spf;
		r.dmarc.checked = cases[i].dmarc != METHOD_NONE;
		r.dmarc.result = cases[i].dmarc;
		r.dmarc.policy = cases[i].policy;
		r.dmarc.have_record = cases[i].policy != DMARC_P_UNSPEC;
		r.dmarc.ambiguous = cases[i].ambiguous;
		r.dmarc.author = (char *)"author.example";
		policy_decide(&r, cfg, &d);
		UNIT_CHECK(d.action == cases[i].want && d.override == o &&
		    !d.mark && d.dmarc_dis == cases[i].want_dis &&
		    d.why == o->reason, cases[i].label,
		    "action %s override %s mark %d dis %s why %s",
		    policy_action_name(d.action), d.override ? d.override->name
		    : "-", d.mark, dmarc_policy_name(d.dmarc_dis),
		    d.why ? d.why : "-");
		if (cases[i].rcode != NULL) {
			UNIT_STREQ(d.rcode ? d.rcode : "-", cases[i].rcode,
			    cases[i].label);
			UNIT_STREQ(d.text ? d.text : "-", o->reason,
			    cases[i].label);
		} else
			UNIT_CHECK(d.rcode == NULL && d.text == NULL,
			    cases[i].label, "reply %s", d.rcode);
		decision_free(&d);
	}
	config_release(cfg);
}

/* t_policy_names - policy_action_name() */
static void
t_policy_names(void)
{
	static const struct {
		enum policy_action a;	/* action */
		const char	*want;	/* name */
	} cases[] = {
		{ POLICY_ACCEPT, "accept" },
		{ POLICY_REJECT, "reject" },
		{ POLICY_QUARANTINE, "quarantine" },
		{ POLICY_TEMPFAIL, "tempfail" },
		{ (enum policy_action)99, "accept" },
		{ (enum policy_action)-1, "accept" },
	};
	size_t i;

	for (i = 0; i < T_POLICY_N(cases); i++)
		UNIT_STREQ(policy_action_name(cases[i].a), cases[i].want,
		    cases[i].want);
}

int
main(void)
{
	t_policy_exhaustive();
	t_policy_helo_only();
	t_policy_dmarc();
	t_policy_mark();
	t_policy_override();
	t_policy_names();
	return unit_done("t_policy");
}
