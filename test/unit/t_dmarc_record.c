/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_dmarc_record - dmarc_record_parse() in both modes (every tag, case,
 * whitespace, duplicates, unknown tags, the RFC 9989 section 4.10.1 rua
 * rule, defaults for bad values, pct and np per mode), dmarc_record_psd(),
 * and dmarc_record_fetch() through the real resolver path with a zone from
 * dns.local_data (no network: the only nameserver is a silent socket)
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "auth/dmarc_record.h"
#include "fixture.h"
#include "dns/resolver.h"
#include "unit.h"

#define T_DR_N(a)	(sizeof(a) / sizeof((a)[0]))

#define NA	(-1)		/* field not checked */
#define UNS	DMARC_P_UNSPEC
#define NONE	DMARC_P_NONE
#define QUAR	DMARC_P_QUARANTINE
#define REJ	DMARC_P_REJECT

/* dmarc_record_parse(): the fields it must fill */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*text;		/* record as fetched */
	int		 rfc7489;	/* mode */
	int		 want_rc;	/* 0 or -1 */
	int		 p, sp, np;	/* enum dmarc_policy, NA unchecked */
	int		 adkim, aspf;	/* 'r' or 's', NA unchecked */
	int		 psd;		/* 'y' 'n' 'u', NA unchecked */
	int		 t;		/* 0 or 1, NA unchecked */
	int		 pct;		/* NA unchecked */
	const char	*rua;		/* "" = must be NULL, NULL unchecked */
	const char	*ruf;		/* the same */
	const char	*fo;		/* the same */
} t_dr_parse_cases[] = {
	/* the smallest records */
	{ "p=none", "v=DMARC1; p=none", 0, 0, NONE, UNS, UNS, 'r', 'r', 'u',
	    0, 100, "", "", "" },
	{ "p=quarantine", "v=DMARC1; p=quarantine", 0, 0, QUAR, UNS, UNS,
	    'r', 'r', 'u', 0, 100, "", "", "" },
	{ "p=reject", "v=DMARC1; p=reject", 0, 0, REJ, UNS, UNS, 'r', 'r',
	    'u', 0, 100, "", "", "" },
	{ "p=reject, rfc7489", "v=DMARC1; p=reject", 1, 0, REJ, UNS, UNS, 'r',
	    'r', 'u', 0, 100, "", "", "" },
	/* every tag */
	{ "every tag", "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; "
	    "aspf=s; psd=n; t=y; pct=50; rua=mailto:agg@x.example; "
	    "ruf=mailto:fail@x.example; fo=1:d", 0, 0, REJ, QUAR, NONE, 's',
	    's', 'n', 1, 100, "mailto:agg@x.example", "mailto:fail@x.example",
	    "1:d" },
	{ "every tag, rfc7489", "v=DMARC1; p=reject; sp=quarantine; np=none; "
	    "adkim=s; aspf=s; psd=n; t=y; pct=50; rua=mailto:agg@x.example; "
	    "ruf=mailto:fail@x.example; fo=1:d", 1, 0, REJ, QUAR, UNS, 's',
	    's', 'u', 0, 50, "mailto:agg@x.example", "mailto:fail@x.example",
	    "1:d" },
	{ "sp alone", "v=DMARC1; p=none; sp=reject", 0, 0, NONE, REJ, UNS, NA,
	    NA, NA, NA, NA, NULL, NULL, NULL },
	{ "np alone", "v=DMARC1; p=none; np=reject", 0, 0, NONE, UNS, REJ, NA,
	    NA, NA, NA, NA, NULL, NULL, NULL },
	{ "adkim=r aspf=s", "v=DMARC1; p=none; adkim=r; aspf=s", 0, 0, NONE,
	    NA, NA, 'r', 's', NA, NA, NA, NULL, NULL, NULL },
	{ "adkim=s aspf=r", "v=DMARC1; p=none; adkim=s; aspf=r", 0, 0, NONE,
	    NA, NA, 's', 'r', NA, NA, NA, NULL, NULL, NULL },
	{ "psd=y", "v=DMARC1; p=none; psd=y", 0, 0, NONE, NA, NA, NA, NA, 'y',
	    NA, NA, NULL, NULL, NULL },
	{ "psd=u", "v=DMARC1; p=none; psd=u", 0, 0, NONE, NA, NA, NA, NA, 'u',
	    NA, NA, NULL, NULL, NULL },
	{ "t=n", "v=DMARC1; p=reject; t=n", 0, 0, REJ, NA, NA, NA, NA, NA, 0,
	    NA, NULL, NULL, NULL },
	{ "two rua URIs as published", "v=DMARC1; p=none; rua=mailto:a@x."
	    "example, mailto:b@y.example", 0, 0, NONE, NA, NA, NA, NA, NA, NA,
	    NA, "mailto:a@x.example, mailto:b@y.example", "", "" },
	/* case-insensitive tag names and values */
	{ "upper-case tag names", "v=DMARC1; P=reject; SP=none; NP=quarantine; "
	    "ADKIM=s; ASPF=s; PSD=y; T=y; RUA=mailto:a@x.example", 0, 0, REJ,
	    NONE, QUAR, 's', 's', 'y', 1, NA, "mailto:a@x.example", NULL,
	    NULL },
	{ "upper-case values", "v=DMARC1; p=REJECT; sp=Quarantine; np=NONE; "
	    "adkim=S; aspf=S; psd=N; t=Y", 0, 0, REJ, QUAR, NONE, 's', 's',
	    'n', 1, NA, NULL, NULL, NULL },
	{ "V=DMARC1: the tag name is case-insensitive", "V=DMARC1; p=reject",
	    0, 0, REJ, NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	/* whitespace and separators */
	{ "no spaces", "v=DMARC1;p=reject;sp=none;adkim=s", 0, 0, REJ, NONE,
	    UNS, 's', 'r', NA, NA, NA, NULL, NULL, NULL },
	{ "spaces around = and ;", "v = DMARC1 ;  p = reject ;\tsp\t=\tnone "
	    "; adkim =s", 0, 0, REJ, NONE, UNS, 's', NA, NA, NA, NA, NULL,
	    NULL, NULL },
	{ "trailing ;", "v=DMARC1; p=reject;", 0, 0, REJ, UNS, UNS, NA, NA,
	    NA, NA, NA, NULL, NULL, NULL },
	{ "trailing ; and spaces", "v=DMARC1; p=quarantine ; ;  ", 0, 0, QUAR,
	    NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "empty tags between ;;", "v=DMARC1;;; p=reject;;", 0, 0, REJ, NA,
	    NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	/* unknown tags are ignored */
	{ "unknown tags ignored", "v=DMARC1; foo=bar; p=reject; x-y=z; "
	    "rf=afrf; ri=86400; zz9=1", 0, 0, REJ, UNS, UNS, 'r', 'r', 'u', 0,
	    100, "", "", "" },
	{ "a tag that starts like p", "v=DMARC1; p=none; px=reject; "
	    "pp=reject; p2=reject", 0, 0, NONE, NA, NA, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	{ "garbage without =", "v=DMARC1; p=reject; garbage; =x", 0, 0, REJ,
	    NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	/* duplicate tags: the last one wins */
	{ "duplicate p, last wins", "v=DMARC1; p=none; p=reject", 0, 0, REJ,
	    NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "duplicate p, last wins (other order)", "v=DMARC1; p=reject; p=none",
	    0, 0, NONE, NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "duplicate adkim", "v=DMARC1; p=none; adkim=s; adkim=r", 0, 0, NONE,
	    NA, NA, 'r', NA, NA, NA, NA, NULL, NULL, NULL },
	{ "duplicate rua", "v=DMARC1; p=none; rua=mailto:a@x.example; "
	    "rua=mailto:b@x.example", 0, 0, NONE, NA, NA, NA, NA, NA, NA, NA,
	    "mailto:b@x.example", NULL, NULL },
	/* RFC 9989 section 4.10.1: invalid p, sp or np */
	{ "p absent, no rua", "v=DMARC1; sp=reject", 0, -1, NA, NA, NA, NA,
	    NA, NA, NA, NA, NULL, NULL, NULL },
	{ "p absent, valid rua: p=none", "v=DMARC1; rua=mailto:a@x.example", 0,
	    0, NONE, UNS, UNS, NA, NA, NA, NA, NA, "mailto:a@x.example", NULL,
	    NULL },
	{ "only v=DMARC1", "v=DMARC1", 0, -1, NA, NA, NA, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	{ "invalid p, no rua", "v=DMARC1; p=bogus", 0, -1, NA, NA, NA, NA, NA,
	    NA, NA, NA, NULL, NULL, NULL },
	{ "empty p, no rua", "v=DMARC1; p=; sp=reject", 0, -1, NA, NA, NA, NA,
	    NA, NA, NA, NA, NULL, NULL, NULL },
	{ "p=rejected is not reject", "v=DMARC1; p=rejected", 0, -1, NA, NA,
	    NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "p=re ject is not reject", "v=DMARC1; p=re ject", 0, -1, NA, NA, NA,
	    NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid p, valid rua: p=none", "v=DMARC1; p=bogus; sp=reject; "
	    "rua=mailto:a@x.example", 0, 0, NONE, UNS, UNS, NA, NA, NA, NA,
	    NA, "mailto:a@x.example", NULL, NULL },
	{ "invalid p, rua without a scheme", "v=DMARC1; p=bogus; "
	    "rua=a@x.example", 0, -1, NA, NA, NA, NA, NA, NA, NA, NA, NULL,
	    NULL, NULL },
	{ "invalid p, rua scheme only", "v=DMARC1; p=bogus; rua=mailto:", 0,
	    -1, NA, NA, NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid p, empty rua", "v=DMARC1; p=bogus; rua=", 0, -1, NA, NA,
	    NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid p, second rua URI valid", "v=DMARC1; p=bogus; rua=nothing, "
	    "mailto:a@x.example", 0, 0, NONE, NA, NA, NA, NA, NA, NA, NA, NULL,
	    NULL, NULL },
	{ "invalid p, https rua", "v=DMARC1; p=bogus; "
	    "rua=https://r.example/dmarc", 0, 0, NONE, NA, NA, NA, NA, NA, NA,
	    NA, NULL, NULL, NULL },
	{ "invalid p, only ruf valid", "v=DMARC1; p=bogus; "
	    "ruf=mailto:a@x.example", 0, -1, NA, NA, NA, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	{ "invalid sp, no rua", "v=DMARC1; p=reject; sp=bogus", 0, -1, NA, NA,
	    NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid sp, valid rua: p=none", "v=DMARC1; p=reject; sp=bogus; "
	    "rua=mailto:a@x.example", 0, 0, NONE, UNS, UNS, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	{ "invalid np, no rua", "v=DMARC1; p=reject; np=bogus", 0, -1, NA, NA,
	    NA, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid np, valid rua: p=none", "v=DMARC1; p=reject; np=bogus; "
	    "rua=mailto:a@x.example", 0, 0, NONE, UNS, UNS, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	{ "invalid p, rfc7489, no rua", "v=DMARC1; p=bogus", 1, -1, NA, NA, NA,
	    NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid sp, rfc7489, valid rua", "v=DMARC1; p=reject; sp=bogus; "
	    "rua=mailto:a@x.example", 1, 0, NONE, UNS, UNS, NA, NA, NA, NA, NA,
	    NULL, NULL, NULL },
	/* invalid adkim, aspf, psd, t: the default */
	{ "invalid adkim: r", "v=DMARC1; p=reject; adkim=x", 0, 0, REJ, NA, NA,
	    'r', 'r', NA, NA, NA, NULL, NULL, NULL },
	{ "invalid aspf: r", "v=DMARC1; p=reject; aspf=q", 0, 0, REJ, NA, NA,
	    'r', 'r', NA, NA, NA, NULL, NULL, NULL },
	{ "empty adkim: r", "v=DMARC1; p=reject; adkim=", 0, 0, REJ, NA, NA,
	    'r', NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid adkim does not void aspf", "v=DMARC1; p=reject; adkim=x; "
	    "aspf=s", 0, 0, REJ, NA, NA, 'r', 's', NA, NA, NA, NULL, NULL,
	    NULL },
	/*
	 * Regression (lib/auth/dmarc_record.c dmarc_opendmarc(), fixed):
	 * libopendmarc 1.4.2 reads only the first character of adkim/aspf,
	 * so "adkim=strict" (not "r" / "s" in RFC 9989 section 4.7, a syntax
	 * error whose value must default to "r") gave strict alignment.
	 */
	{ "regression: adkim=strict is invalid: r",
	    "v=DMARC1; p=reject; adkim=strict", 0, 0, REJ, NA, NA, 'r', NA, NA,
	    NA, NA, NULL, NULL, NULL },
	{ "invalid psd: u", "v=DMARC1; p=reject; psd=x", 0, 0, REJ, NA, NA, NA,
	    NA, 'u', NA, NA, NULL, NULL, NULL },
	{ "psd=yes is invalid: u", "v=DMARC1; p=reject; psd=yes", 0, 0, REJ,
	    NA, NA, NA, NA, 'u', NA, NA, NULL, NULL, NULL },
	{ "empty psd: u", "v=DMARC1; p=reject; psd=", 0, 0, REJ, NA, NA, NA,
	    NA, 'u', NA, NA, NULL, NULL, NULL },
	{ "invalid t: n", "v=DMARC1; p=reject; t=x", 0, 0, REJ, NA, NA, NA, NA,
	    NA, 0, NA, NULL, NULL, NULL },
	{ "t=yes is invalid: n", "v=DMARC1; p=reject; t=yes", 0, 0, REJ, NA,
	    NA, NA, NA, NA, 0, NA, NULL, NULL, NULL },
	{ "t=u is invalid for t: n", "v=DMARC1; p=reject; t=u", 0, 0, REJ, NA,
	    NA, NA, NA, NA, 0, NA, NULL, NULL, NULL },
	/* pct: ignored in rfc9989, applied in rfc7489 */
	{ "pct=0, rfc9989: ignored", "v=DMARC1; p=reject; pct=0", 0, 0, REJ,
	    NA, NA, NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "pct=50, rfc9989: ignored", "v=DMARC1; p=reject; pct=50", 0, 0, REJ,
	    NA, NA, NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "pct=0, rfc7489", "v=DMARC1; p=reject; pct=0", 1, 0, REJ, NA, NA, NA,
	    NA, NA, NA, 0, NULL, NULL, NULL },
	{ "pct=50, rfc7489", "v=DMARC1; p=reject; pct=50", 1, 0, REJ, NA, NA,
	    NA, NA, NA, NA, 50, NULL, NULL, NULL },
	{ "pct=100, rfc7489", "v=DMARC1; p=reject; pct=100", 1, 0, REJ, NA, NA,
	    NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "pct absent, rfc7489", "v=DMARC1; p=reject", 1, 0, REJ, NA, NA, NA,
	    NA, NA, NA, 100, NULL, NULL, NULL },
	{ "pct=101, rfc7489: default", "v=DMARC1; p=reject; pct=101", 1, 0,
	    REJ, NA, NA, NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "pct=-1, rfc7489: default", "v=DMARC1; p=reject; pct=-1", 1, 0, REJ,
	    NA, NA, NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "empty pct, rfc7489: default", "v=DMARC1; p=reject; pct=", 1, 0, REJ,
	    NA, NA, NA, NA, NA, NA, 100, NULL, NULL, NULL },
	{ "bad pct does not void adkim, rfc7489", "v=DMARC1; p=reject; "
	    "pct=101; adkim=s", 1, 0, REJ, NA, NA, 's', NA, NA, NA, 100, NULL,
	    NULL, NULL },
	/*
	 * Regression (lib/auth/dmarc_record.c dmarc_opendmarc(), fixed):
	 * libopendmarc 1.4.2 reads pct with atoi(), so a non-numeric pct was
	 * 0 (every failing message sampled out: reject lowered to
	 * quarantine) and "5x" was 5. RFC 7489 section 6.3: pct is 1*3DIGIT;
	 * an invalid value gives the default 100.
	 */
	{ "regression: pct=abc, rfc7489: default 100",
	    "v=DMARC1; p=reject; pct=abc", 1, 0, REJ, NA, NA, NA, NA, NA, NA,
	    100, NULL, NULL, NULL },
	{ "regression: pct=5x, rfc7489: default 100",
	    "v=DMARC1; p=reject; pct=5x", 1, 0, REJ, NA, NA, NA, NA, NA, NA,
	    100, NULL, NULL, NULL },
	/* np, psd and t do not exist in rfc7489 */
	{ "np ignored, rfc7489", "v=DMARC1; p=reject; np=none", 1, 0, REJ, UNS,
	    UNS, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "invalid np ignored, rfc7489", "v=DMARC1; p=reject; np=bogus", 1, 0,
	    REJ, UNS, UNS, NA, NA, NA, NA, NA, NULL, NULL, NULL },
	{ "psd ignored, rfc7489", "v=DMARC1; p=reject; psd=y", 1, 0, REJ, NA,
	    NA, NA, NA, 'u', NA, NA, NULL, NULL, NULL },
	{ "t ignored, rfc7489", "v=DMARC1; p=reject; t=y", 1, 0, REJ, NA, NA,
	    NA, NA, NA, 0, NA, NULL, NULL, NULL },
};

/* t_dr_opt - an optional string field: "" = NULL, NULL = unchecked */
static void
t_dr_opt(const char *label, const char *name, const char *got,
    const char *want)
{
	if (want == NULL)
		return;
	if (*want == '\0')
		UNIT_CHECK(got == NULL, label, "%s \"%s\", want none", name,
		    got ? got : "");
	else
		UNIT_CHECK(got != NULL && strcmp(got, want) == 0, label,
		    "%s \"%s\", want \"%s\"", name, got ? got : "(null)", want);
}

/* t_dr_parse - every parse case */
static void
t_dr_parse(void)
{
	size_t i;

	for (i = 0; i < T_DR_N(t_dr_parse_cases); i++) {
		const char *label = t_dr_parse_cases[i].label;
		struct dmarc_record r;
		struct buf why;
		int rc;

		buf_init(&why, 1024);
		rc = dmarc_record_parse("rec.example", t_dr_parse_cases[i].text,
		    t_dr_parse_cases[i].rfc7489, &r, &why);
		UNIT_CHECK(rc == t_dr_parse_cases[i].want_rc, label,
		    "rc %d, want %d (%s)", rc, t_dr_parse_cases[i].want_rc,
		    why.data);
		if (rc != 0) {
			UNIT_CHECK(strstr(why.data, "_dmarc.rec.example") !=
			    NULL, label, "why \"%s\"", why.data);
			dmarc_record_free(&r);
			buf_free(&why);
			continue;
		}
		UNIT_STREQ(r.domain, "rec.example", label);
#define T_DR_INT(f, fmt)						\
		if (t_dr_parse_cases[i].f != NA)			\
			UNIT_CHECK((int)r.f == t_dr_parse_cases[i].f,	\
			    label,					\
			    #f " " fmt ", want " fmt, r.f,		\
			    t_dr_parse_cases[i].f)
		T_DR_INT(p, "%d");
		T_DR_INT(sp, "%d");
		T_DR_INT(np, "%d");
		T_DR_INT(adkim, "%c");
		T_DR_INT(aspf, "%c");
		T_DR_INT(psd, "%c");
		T_DR_INT(t, "%d");
		T_DR_INT(pct, "%d");
#undef T_DR_INT
		t_dr_opt(label, "rua", r.rua, t_dr_parse_cases[i].rua);
		t_dr_opt(label, "ruf", r.ruf, t_dr_parse_cases[i].ruf);
		t_dr_opt(label, "fo", r.fo, t_dr_parse_cases[i].fo);
		dmarc_record_free(&r);
		UNIT_CHECK(r.domain == NULL && r.rua == NULL, label,
		    "dmarc_record_free does not reset");
		buf_free(&why);
	}
}

/* t_dr_psd_cases - dmarc_record_psd() on record texts */
static void
t_dr_psd(void)
{
	static const struct {
		const char	*text;	/* record */
		char		 want;	/* flag */
	} cases[] = {
		{ "v=DMARC1; p=none; psd=y", 'y' },
		{ "v=DMARC1; p=none; psd=n", 'n' },
		{ "v=DMARC1; p=none; psd=u", 'u' },
		{ "v=DMARC1; p=none", 'u' },
		{ "v=DMARC1", 'u' },
		{ "v=DMARC1;psd=Y", 'y' },
		{ "v=DMARC1; PSD = N ;", 'n' },
		{ "v=DMARC1; psd=yes", 'u' },
		{ "v=DMARC1; psd=", 'u' },
		{ "v=DMARC1; psd=x", 'u' },
		{ "v=DMARC1; psd=n; psd=y", 'y' },
		{ "v=DMARC1; p=bogus; psd=y", 'y' },
		{ "v=DMARC1; xpsd=y", 'u' },
	};
	size_t i;

	for (i = 0; i < T_DR_N(cases); i++) {
		char got = dmarc_record_psd(cases[i].text);

		UNIT_CHECK(got == cases[i].want, cases[i].text,
		    "psd '%c', want '%c'", got, cases[i].want);
	}
}

/* the zone of the fetch cases: everything under example. */
static const char *const t_dr_zone[] = {
	"_dmarc.one.example. TXT \"v=DMARC1; p=reject\"",
	"_dmarc.two.example. TXT \"v=DMARC1; p=reject\"",
	"_dmarc.two.example. TXT \"v=DMARC1; p=none\"",
	"_dmarc.mixed.example. TXT \"google-site-verification=abc\"",
	"_dmarc.mixed.example. TXT \"v=DMARC1; p=quarantine\"",
	"_dmarc.lower.example. TXT \"v=dmarc1; p=reject\"",
	"_dmarc.lowerplus.example. TXT \"v=dmarc1; p=none\"",
	"_dmarc.lowerplus.example. TXT \"v=DMARC1; p=reject\"",
	"_dmarc.notfirst.example. TXT \"p=reject; v=DMARC1\"",
	"_dmarc.leading.example. TXT \" v=DMARC1; p=reject\"",
	"_dmarc.spaces.example. TXT \"v = DMARC1 ; p=reject\"",
	"_dmarc.upperv.example. TXT \"V=DMARC1; p=reject\"",
	"_dmarc.dmarc10.example. TXT \"v=DMARC10; p=reject\"",
	"_dmarc.dmarc1x.example. TXT \"v=DMARC1x; p=reject\"",
	"_dmarc.nosep.example. TXT \"v=DMARC1 p=reject\"",
	"_dmarc.bare.example. TXT \"v=DMARC1\"",
	"_dmarc.split.example. TXT \"v=DMARC1; \" \"p=reject\"",
	"_dmarc.spf.example. TXT \"v=spf1 -all\"",
	"_dmarc.nodata.example. A 192.0.2.1",
	"_dmarc.nul.example. TXT \"v=DMARC1; p=reject\\000x\"",
	"_dmarc.bad.example. TXT \"v=DMARC1; p=bogus\"",
};

/* dmarc_record_fetch(): status and the text */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*domain;	/* author */
	enum dmarc_fetch want;		/* status */
	const char	*want_text;	/* on FOUND */
} t_dr_fetch_cases[] = {
	{ "exactly one valid record", "one.example", DMARC_FETCH_FOUND,
	    "v=DMARC1; p=reject" },
	{ "two valid records: none", "two.example", DMARC_FETCH_NONE, NULL },
	{ "other TXT plus one valid record", "mixed.example",
	    DMARC_FETCH_FOUND, "v=DMARC1; p=quarantine" },
	{ "v=dmarc1 is not valid", "lower.example", DMARC_FETCH_NONE, NULL },
	{ "v=dmarc1 plus one valid record", "lowerplus.example",
	    DMARC_FETCH_FOUND, "v=DMARC1; p=reject" },
	{ "v= not first", "notfirst.example", DMARC_FETCH_NONE, NULL },
	{ "space before v=", "leading.example", DMARC_FETCH_NONE, NULL },
	{ "spaces around = (ABNF *WSP)", "spaces.example", DMARC_FETCH_FOUND,
	    "v = DMARC1 ; p=reject" },
	{ "V=DMARC1", "upperv.example", DMARC_FETCH_FOUND,
	    "V=DMARC1; p=reject" },
	{ "v=DMARC10", "dmarc10.example", DMARC_FETCH_NONE, NULL },
	{ "v=DMARC1x", "dmarc1x.example", DMARC_FETCH_NONE, NULL },
	{ "no ; after the version", "nosep.example", DMARC_FETCH_NONE, NULL },
	{ "v=DMARC1 alone", "bare.example", DMARC_FETCH_FOUND, "v=DMARC1" },
	{ "record in two strings", "split.example", DMARC_FETCH_FOUND,
	    "v=DMARC1; p=reject" },
	{ "only an SPF record", "spf.example", DMARC_FETCH_NONE, NULL },
	{ "NODATA", "nodata.example", DMARC_FETCH_NONE, NULL },
	{ "NXDOMAIN", "nosuch.example", DMARC_FETCH_NONE, NULL },
	{ "NUL byte in the record", "nul.example", DMARC_FETCH_NONE, NULL },
	{ "invalid tags still fetched", "bad.example", DMARC_FETCH_FOUND,
	    "v=DMARC1; p=bogus" },
	{ "long record fetched", "long.example", DMARC_FETCH_FOUND, NULL },
	{ "record over DMARC_MAX_RECORD", "toolong.example", DMARC_FETCH_NONE,
	    NULL },
	{ "refused zone: temporary", "x.tf.example", DMARC_FETCH_TEMP, NULL },
};

/* t_dr_long_txt - a TXT line of n bytes in strings of at most 250 */
static void
t_dr_long_txt(struct buf *line, const char *name, size_t n)
{
	size_t k;

	buf_reset(line);
	buf_printf(line, "%s TXT \"v=DMARC1; p=reject; rua=mailto:a@x.example",
	    name);
	for (k = strlen("v=DMARC1; p=reject; rua=mailto:a@x.example"); k < n;
	    k++) {
		if (k % 250 == 0)
			buf_puts(line, "\" \"");
		buf_putc(line, k + 1 == n ? 'z' : ',');
	}
	buf_putc(line, '"');
}

/*
 * t_dr_resolver - the zone as dns.local_data of a static zone, a refusing
 * zone inside it, and a silent nameserver for everything else
 */
static struct resolver *
t_dr_resolver(int *sockp)
{
	struct resolver *r;
	struct config *cfg;
	struct buf text, line;
	size_t i;
	int port;

	if ((*sockp = fixture_silent(&port)) < 0) {
		perror("t_dmarc_record: UDP socket");
		exit(99);
	}
	buf_init(&text, 1024 * 1024);
	buf_init(&line, 64 * 1024);
	buf_printf(&text, "dns = {\n  timeout = 1;\n"
	    "  nameservers = [ \"127.0.0.1@%d\" ];\n  local_zones = [ "
	    "\"tf.example. refuse\", \"example. static\" ];\n"
	    "  local_data = [\n", port);
	for (i = 0; i < T_DR_N(t_dr_zone); i++) {
		buf_puts(&text, "    ");
		fixture_quote(&text, t_dr_zone[i]);
		buf_puts(&text, ",\n");
	}
	t_dr_long_txt(&line, "_dmarc.long.example.", DMARC_MAX_RECORD);
	buf_puts(&text, "    ");
	fixture_quote(&text, line.data);
	buf_puts(&text, ",\n    ");
	t_dr_long_txt(&line, "_dmarc.toolong.example.", DMARC_MAX_RECORD + 1);
	fixture_quote(&text, line.data);
	buf_puts(&text, "\n  ];\n};\n");
	cfg = fixture_config(text.data);
	r = fixture_resolver(cfg);
	config_release(cfg);
	buf_free(&line);
	buf_free(&text);
	return r;
}

/* t_dr_fetch - every fetch case, then a lookup that times out */
static void
t_dr_fetch(struct resolver *res)
{
	struct timespec dl, t0, t1;
	struct buf out;
	enum dmarc_fetch f;
	size_t i;
	long ms;

	buf_init(&out, DMARC_MAX_RECORD);
	for (i = 0; i < T_DR_N(t_dr_fetch_cases); i++) {
		const char *label = t_dr_fetch_cases[i].label;

		buf_reset(&out);
		resolver_deadline(&dl, 5000);
		f = dmarc_record_fetch(res, NULL, t_dr_fetch_cases[i].domain, &dl,
		    &out, NULL);
		UNIT_CHECK(f == t_dr_fetch_cases[i].want, label,
		    "status %d, want %d (text \"%s\")", (int)f,
		    (int)t_dr_fetch_cases[i].want, out.data);
		if (f == DMARC_FETCH_NONE)
			UNIT_CHECK(out.len == 0, label, "text \"%s\" on none",
			    out.data);
		if (f == DMARC_FETCH_FOUND &&
		    t_dr_fetch_cases[i].want_text != NULL)
			UNIT_STREQ(out.data, t_dr_fetch_cases[i].want_text,
			    label);
	}
	/* the fixture of the NUL case is there: only the NUL discards it */
	{
		struct resolver_answer *a = NULL;
		struct buf txt;

		buf_init(&txt, DMARC_MAX_RECORD);
		UNIT_CHECK(resolver_query(res, "_dmarc.nul.example", ns_t_txt,
		    NULL, &a) == RESOLVER_OK && resolver_txt(a, 0, &txt) == 0 &&
		    txt.len == 20 && memchr(txt.data, '\0', txt.len) != NULL,
		    "NUL fixture", "len %zu", txt.len);
		resolver_answer_free(a);
		buf_free(&txt);
	}
	/* the long record: exactly DMARC_MAX_RECORD bytes */
	buf_reset(&out);
	f = dmarc_record_fetch(res, NULL, "long.example", NULL, &out, NULL);
	UNIT_CHECK(f == DMARC_FETCH_FOUND && out.len == DMARC_MAX_RECORD &&
	    out.data[out.len - 1] == 'z', "long record is whole", "status %d "
	    "len %zu", (int)f, out.len);

	/* the silent nameserver and a deadline shorter than dns.timeout */
	buf_reset(&out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	resolver_deadline(&dl, 300);
	f = dmarc_record_fetch(res, NULL, "slow.example.net", &dl, &out, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	UNIT_CHECK(f == DMARC_FETCH_TEMP, "silent nameserver: temporary",
	    "status %d", (int)f);
	UNIT_CHECK(ms >= 250 && ms < 900, "silent nameserver: the deadline "
	    "bounds the wait", "%ld ms", ms);
	/* without a deadline, dns.timeout (1 s) */
	f = dmarc_record_fetch(res, NULL, "slow2.example.net", NULL, &out, NULL);
	UNIT_CHECK(f == DMARC_FETCH_TEMP, "silent nameserver, no deadline",
	    "status %d", (int)f);
	buf_free(&out);
}

int
main(void)
{
	struct resolver *res;
	int sock;

	t_dr_parse();
	t_dr_psd();
	res = t_dr_resolver(&sock);
	t_dr_fetch(res);
	resolver_free(res);
	close(sock);
	return unit_done("t_dmarc_record");
}
