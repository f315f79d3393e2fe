/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_prefetch - which lookups prefetch_mail() and prefetch_header() start:
 * the SPF records of the HELO name and the MAIL FROM domain, the DKIM keys
 * of at most PREFETCH_MAX_KEYS signatures and the author's DMARC record,
 * each only while its method (and spf.helo) is on. A started lookup shows
 * as an answer in the resolver's memo (resolver_remembered()); every name
 * is under a static local zone, the only nameserver a silent socket of
 * ours, so nothing leaves the machine. A name that must not be looked up
 * is checked after a lookup started later has landed: libunbound answers
 * local data in the order asked.
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "mail/hdr.h"
#include "dns/prefetch.h"
#include "dns/resolver.h"
#include "unit.h"

#define T_PREFETCH_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_PREFETCH_WAIT	500	/* times 10 ms */

/* t_prefetch_landed - wait until name's TXT answer is in the memo */
static int
t_prefetch_landed(struct resolver *r, const char *name)
{
	int i;

	for (i = 0; i < T_PREFETCH_WAIT; i++) {
		if (resolver_remembered(r, name, ns_t_txt))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* t_prefetch_sync - start a lookup and wait for it: earlier ones landed */
static void
t_prefetch_sync(struct resolver *r, const char *label)
{
	static int n;
	char name[64];

	snprintf(name, sizeof(name), "sync%d.example", ++n);
	resolver_prefetch(r, name, ns_t_txt);
	UNIT_CHECK(t_prefetch_landed(r, name), label, "sync lookup of %s "
	    "not answered in 5 s", name);
}

/* t_prefetch_config - the base configuration with one more section */
static struct config *
t_prefetch_config(int port, const char *more)
{
	struct buf text;
	struct config *cfg;

	buf_init(&text, 4096);
	buf_printf(&text, "dns = {\n  timeout = 2;\n  nameservers = [ "
	    "\"127.0.0.1@%d\" ];\n  local_zones = [ \"example. static\", "
	    "\"nodot. static\" ];\n  local_data = [ \"f1.example. TXT "
	    "\\\"v=spf1 -all\\\"\" ];\n};\n%s", port, more);
	cfg = fixture_config(text.data);
	buf_free(&text);
	return cfg;
}

/* the SMTP envelope, the configuration, and what is looked up */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*conf;		/* more configuration */
	const char	*helo;		/* HELO argument */
	const char	*from;		/* MAIL FROM */
	const char	*yes[2];	/* names looked up (TXT) */
	const char	*no[2];		/* names not looked up */
} t_prefetch_mail_cases[] = {
	{ "HELO and MAIL FROM", "", "mail.h1.example", "u@f1.example",
	    { "mail.h1.example", "f1.example" }, { NULL, NULL } },
	{ "HELO address literal", "", "[h2.example", "u@f2.example",
	    { "f2.example", NULL }, { "[h2.example", NULL } },
	{ "HELO without a dot", "", "nodot", "u@f3.example",
	    { "f3.example", NULL }, { "nodot", NULL } },
	{ "spf.helo off", "spf = { helo = false; };", "mail.h4.example",
	    "u@f4.example", { "f4.example", NULL }, { "mail.h4.example",
	    NULL } },
	{ "spf off", "spf = { enabled = false; };", "mail.h5.example",
	    "u@f5.example", { NULL, NULL }, { "mail.h5.example",
	    "f5.example" } },
	{ "MAIL FROM without @", "", NULL, "f6.example", { NULL, NULL },
	    { "f6.example", NULL } },
	{ "null sender, HELO checked", "", "mail.h8.example", "",
	    { "mail.h8.example", NULL }, { NULL, NULL } },
	{ "last @ decides", "", NULL, "\"a@b\"@f9.example",
	    { "f9.example", NULL }, { "b\"@f9.example", NULL } },
};

/* t_prefetch_mail - the envelope's lookups */
static void
t_prefetch_mail(struct resolver *r, int port)
{
	size_t i, k;

	for (i = 0; i < T_PREFETCH_N(t_prefetch_mail_cases); i++) {
		const char *label = t_prefetch_mail_cases[i].label;
		struct config *cfg = t_prefetch_config(port,
		    t_prefetch_mail_cases[i].conf);

		prefetch_mail(r, cfg, t_prefetch_mail_cases[i].helo,
		    t_prefetch_mail_cases[i].from);
		for (k = 0; k < 2; k++)
			if (t_prefetch_mail_cases[i].yes[k] != NULL)
				UNIT_CHECK(t_prefetch_landed(r,
				    t_prefetch_mail_cases[i].yes[k]), label,
				    "%s not looked up",
				    t_prefetch_mail_cases[i].yes[k]);
		t_prefetch_sync(r, label);
		for (k = 0; k < 2; k++)
			if (t_prefetch_mail_cases[i].no[k] != NULL)
				UNIT_CHECK(!resolver_remembered(r,
				    t_prefetch_mail_cases[i].no[k], ns_t_txt),
				    label, "%s looked up",
				    t_prefetch_mail_cases[i].no[k]);
		config_release(cfg);
	}
}

/* t_prefetch_add - one header field */
static void
t_prefetch_add(struct hdr *h, const char *name, const char *value)
{
	if (hdr_add(h, name, value, strlen(value)) != 0)
		abort();
}

/* t_prefetch_sig - a DKIM-Signature field for key s._domainkey.d */
static void
t_prefetch_sig(struct hdr *h, const char *d, const char *s)
{
	char v[256];

	snprintf(v, sizeof(v), " v=1; a=rsa-sha256; d=%s; s=%s; h=from; "
	    "bh=x; b=y", d, s);
	t_prefetch_add(h, "DKIM-Signature", v);
}

/* t_prefetch_keys - one key per signature, at most PREFETCH_MAX_KEYS */
static void
t_prefetch_keys(struct resolver *r, int port)
{
	struct config *cfg = t_prefetch_config(port, "");
	struct hdr h;
	char d[64], name[96];
	int i;

	hdr_init(&h);
	for (i = 1; i <= PREFETCH_MAX_KEYS + 1; i++) {
		snprintf(d, sizeof(d), "k%d.example", i);
		t_prefetch_sig(&h, d, "sel");
	}
	/* field names compare without case: this is the tenth */
	t_prefetch_add(&h, "Dkim-Signature", " d=late.example; s=sel");
	prefetch_header(r, cfg, &h, "author1.example");
	for (i = 1; i <= PREFETCH_MAX_KEYS; i++) {
		snprintf(name, sizeof(name), "sel._domainkey.k%d.example", i);
		UNIT_CHECK(t_prefetch_landed(r, name), "keys up to the limit",
		    "%s not looked up", name);
	}
	UNIT_CHECK(t_prefetch_landed(r, "_dmarc.author1.example"),
	    "author's DMARC record", "not looked up");
	t_prefetch_sync(r, "keys");
	snprintf(name, sizeof(name), "sel._domainkey.k%d.example",
	    PREFETCH_MAX_KEYS + 1);
	UNIT_CHECK(!resolver_remembered(r, name, ns_t_txt),
	    "no key past PREFETCH_MAX_KEYS", "%s looked up", name);
	UNIT_CHECK(!resolver_remembered(r, "sel._domainkey.late.example",
	    ns_t_txt), "no key past PREFETCH_MAX_KEYS, any case of name",
	    "looked up");
	hdr_free(&h);
	config_release(cfg);
}

/* t_prefetch_tags - a broken tag list read leniently, other fields */
static void
t_prefetch_tags(struct resolver *r, int port)
{
	struct config *cfg = t_prefetch_config(port, "");
	struct hdr h;

	hdr_init(&h);
	t_prefetch_add(&h, "DKIM-Signature", " d=t1.example; s=sel; "
	    "d=t1b.example; 9x=bad");
	t_prefetch_add(&h, "X-DKIM-Signature", " d=t3.example; s=sel");
	prefetch_header(r, cfg, &h, NULL);
	UNIT_CHECK(t_prefetch_landed(r, "sel._domainkey.t1.example"),
	    "broken list read leniently, first d= kept", "not looked up");
	t_prefetch_sync(r, "tags");
	UNIT_CHECK(!resolver_remembered(r, "sel._domainkey.t1b.example",
	    ns_t_txt), "second d= ignored", "looked up");
	UNIT_CHECK(!resolver_remembered(r, "sel._domainkey.t3.example",
	    ns_t_txt), "other field name: no key", "looked up");
	hdr_free(&h);
	config_release(cfg);
}

/* t_prefetch_off - dkim or dmarc off: their lookups are not started */
static void
t_prefetch_off(struct resolver *r, int port)
{
	static const struct {
		const char	*conf;	/* the method turned off */
		const char	*d;	/* d= of the one signature */
		const char	*author;	/* the author domain */
		const char	*yes, *no;	/* looked up, not looked up */
	} cases[] = {
		{ "dkim = { enabled = false; };", "o1.example",
		    "author2.example", "_dmarc.author2.example",
		    "sel._domainkey.o1.example" },
		{ "dmarc = { enabled = false; };", "o2.example",
		    "author3.example", "sel._domainkey.o2.example",
		    "_dmarc.author3.example" },
	};
	struct config *cfg;
	struct hdr h;
	size_t i;

	for (i = 0; i < T_PREFETCH_N(cases); i++) {
		hdr_init(&h);
		t_prefetch_sig(&h, cases[i].d, "sel");
		cfg = t_prefetch_config(port, cases[i].conf);
		prefetch_header(r, cfg, &h, cases[i].author);
		UNIT_CHECK(t_prefetch_landed(r, cases[i].yes), cases[i].conf,
		    "%s not looked up", cases[i].yes);
		t_prefetch_sync(r, cases[i].conf);
		UNIT_CHECK(!resolver_remembered(r, cases[i].no, ns_t_txt),
		    cases[i].conf, "%s looked up", cases[i].no);
		config_release(cfg);
		hdr_free(&h);
	}
}

int
main(void)
{
	struct config *cfg;
	struct resolver *r;
	int sock, port;

	if ((sock = fixture_silent(&port)) < 0) {
		perror("t_prefetch: UDP socket");
		return 99;
	}
	cfg = t_prefetch_config(port, "");
	r = fixture_resolver(cfg);
	t_prefetch_mail(r, port);
	t_prefetch_keys(r, port);
	t_prefetch_tags(r, port);
	t_prefetch_off(r, port);
	resolver_free(r);
	config_release(cfg);
	close(sock);
	return unit_done("t_prefetch");
}
