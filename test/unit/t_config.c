/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_config - config_load() on temporary files: the defaults of
 * authmilter.conf(5), every kind of error with its FILE:LINE, value
 * checkers, lists, references, the warning about secrets in a file
 * others may read
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/config_check.h"
#include "fixture.h"
#include "util/log.h"
#include "unit.h"

#define T_CONFIG_N(a)	(sizeof(a) / sizeof((a)[0]))
#define T_CONFIG_OFF(f)	offsetof(struct config, f)

/* t_config_int - an int field by offset */
static int
t_config_int(const struct config *cfg, size_t off)
{
	return *(const int *)((const char *)cfg + off);
}

/* t_config_str - a string field by offset */
static const char *
t_config_str(const struct config *cfg, size_t off)
{
	return *(const char *const *)((const char *)cfg + off);
}

/* t_config_defaults - an empty file is valid and the defaults apply */
static void
t_config_defaults(void)
{
	static const struct {
		const char	*label;	/* key */
		size_t		 off;	/* int field */
		int		 want;	/* authmilter.conf(5) default */
	} ints[] = {
		{ "milter.umask 0007", T_CONFIG_OFF(milter.umask), 07 },
		{ "milter.timeout", T_CONFIG_OFF(milter.timeout), 300 },
		{ "dns.timeout", T_CONFIG_OFF(dns.timeout), 5 },
		{ "spf.enabled", T_CONFIG_OFF(spf.enabled), 1 },
		{ "spf.helo", T_CONFIG_OFF(spf.helo), 1 },
		{ "dkim.enabled", T_CONFIG_OFF(dkim.enabled), 1 },
		{ "dkim.min_key_bits", T_CONFIG_OFF(dkim.min_key_bits), 1024 },
		{ "dkim.max_signatures", T_CONFIG_OFF(dkim.max_signatures), 8 },
		{ "dmarc.enabled", T_CONFIG_OFF(dmarc.enabled), 1 },
		{ "dmarc.mode rfc9989", T_CONFIG_OFF(dmarc.mode),
		    CONFIG_DMARC_RFC9989 },
		{ "dmarc.reject", T_CONFIG_OFF(dmarc.reject), 1 },
		{ "dmarc.quarantine", T_CONFIG_OFF(dmarc.quarantine),
		    CONFIG_QUARANTINE_HEADER },
		{ "dmarc.multiple_from", T_CONFIG_OFF(dmarc.multiple_from),
		    CONFIG_MULTIFROM_REJECT },
		{ "arc.verify", T_CONFIG_OFF(arc.verify), 1 },
		{ "arc.seal.enabled", T_CONFIG_OFF(arc.seal.enabled), 0 },
		{ "arc.seal.algorithm", T_CONFIG_OFF(arc.seal.algorithm),
		    CONFIG_ARC_RSA_SHA256 },
		{ "policy.skip_authenticated",
		    T_CONFIG_OFF(policy.skip_authenticated), 1 },
		{ "signing.sign_authenticated",
		    T_CONFIG_OFF(signing.sign_authenticated), 1 },
		{ "signing.sign_trusted", T_CONFIG_OFF(signing.sign_trusted),
		    1 },
		{ "signing.expire", T_CONFIG_OFF(signing.expire), 0 },
		{ "policy.dns_error_action",
		    T_CONFIG_OFF(policy.dns_error_action),
		    CONFIG_DNSERR_ACCEPT },
		{ "bimi.enabled", T_CONFIG_OFF(bimi.enabled), 0 },
		{ "bimi.fetch", T_CONFIG_OFF(bimi.fetch), 0 },
		{ "bimi.require_evidence", T_CONFIG_OFF(bimi.require_evidence),
		    1 },
		{ "bimi.timeout", T_CONFIG_OFF(bimi.timeout), 5 },
		{ "bimi.cache_entries", T_CONFIG_OFF(bimi.cache_entries), 256 },
		{ "reports.failure.enabled",
		    T_CONFIG_OFF(reports.failure.enabled), 0 },
		{ "reports.failure.content redacted",
		    T_CONFIG_OFF(reports.failure.content),
		    CONFIG_RUF_REDACTED },
		{ "reports.failure.body", T_CONFIG_OFF(reports.failure.body),
		    0 },
		{ "reports.failure.rate_destination",
		    T_CONFIG_OFF(reports.failure.rate_destination), 10 },
		{ "reports.failure.rate_global",
		    T_CONFIG_OFF(reports.failure.rate_global), 100 },
		{ "log.level info", T_CONFIG_OFF(log.level), LOG_LEVEL_INFO },
		{ "log.facility mail", T_CONFIG_OFF(log.facility), LOG_MAIL },
		{ "log.format", T_CONFIG_OFF(log.format), CONFIG_LOG_TEXT },
	};
	static const struct {
		const char	*label;	/* key */
		size_t		 off;	/* char * field */
		const char	*want;	/* authmilter.conf(5) default */
	} strs[] = {
		{ "authserv_id", T_CONFIG_OFF(authserv_id), "" },
		{ "milter.socket", T_CONFIG_OFF(milter.socket),
		    "unix:/run/authmilter/authmilter.sock" },
		{ "milter.user", T_CONFIG_OFF(milter.user), "authmilter" },
		{ "dmarc.public_suffix_file",
		    T_CONFIG_OFF(dmarc.public_suffix_file),
		    "/usr/share/publicsuffix/public_suffix_list.dat" },
		{ "arc.seal.domain", T_CONFIG_OFF(arc.seal.domain), "" },
		{ "arc.seal.selector", T_CONFIG_OFF(arc.seal.selector), "" },
		{ "arc.seal.key_file", T_CONFIG_OFF(arc.seal.key_file), "" },
		{ "reports.store", T_CONFIG_OFF(reports.store), "" },
		{ "reports.org_name", T_CONFIG_OFF(reports.org_name), "" },
		{ "reports.email", T_CONFIG_OFF(reports.email), "" },
		{ "metrics.listen", T_CONFIG_OFF(metrics.listen), "" },
		{ "dmarc.reject_text", T_CONFIG_OFF(dmarc.reject_text),
		    "DMARC policy of %d rejects this message" },
	};
	static const char *const texts[] = {
		"",
		"# only a comment\n// and another\n/* and a block */\n",
		"\n\n\n",
	};
	struct config *cfg;
	struct cidr_addr a;
	struct buf why;
	char *path;
	size_t i, t;

	buf_init(&why, 4096);
	for (t = 0; t < T_CONFIG_N(texts); t++) {
		cfg = fixture_load(texts[t], &path, &why);
		UNIT_CHECK(cfg != NULL, "empty file is valid", "file %zu: %s",
		    t, why.data);
		if (cfg == NULL) {
			free(path);
			continue;
		}
		UNIT_CHECK(why.len == 0, "no error text on success", "%s",
		    why.data);
		UNIT_STREQ(cfg->file, path, "config remembers its file");
		UNIT_CHECK(atomic_load(&cfg->refs) == 1, "one reference",
		    "refs %d", atomic_load(&cfg->refs));
		for (i = 0; i < T_CONFIG_N(ints); i++)
			UNIT_CHECK(t_config_int(cfg, ints[i].off) ==
			    ints[i].want, ints[i].label, "%d, want %d",
			    t_config_int(cfg, ints[i].off), ints[i].want);
		for (i = 0; i < T_CONFIG_N(strs); i++)
			UNIT_STREQ(t_config_str(cfg, strs[i].off),
			    strs[i].want, strs[i].label);
		UNIT_CHECK(cfg->dns.nameservers.n == 0 &&
		    cfg->dns.nameservers.v != NULL &&
		    cfg->dns.nameservers.v[0] == NULL, "dns.nameservers empty",
		    "n %zu", cfg->dns.nameservers.n);
		UNIT_CHECK(cfg->dns.local_data.n == 0, "dns.local_data empty",
		    "n %zu", cfg->dns.local_data.n);
		UNIT_CHECK(cfg->dns.local_zones.n == 0,
		    "dns.local_zones empty", "n %zu",
		    cfg->dns.local_zones.n);
		UNIT_CHECK(cfg->arc.trusted_sealers.n == 0,
		    "arc.trusted_sealers empty", "n %zu",
		    cfg->arc.trusted_sealers.n);
		UNIT_CHECK(cfg->policy.trusted_networks.n == 2,
		    "trusted_networks has 2 entries", "n %zu",
		    cfg->policy.trusted_networks.n);
		if (cfg->policy.trusted_networks.n == 2) {
			UNIT_STREQ(cfg->policy.trusted_networks.v[0],
			    "127.0.0.0/8", "trusted_networks[0]");
			UNIT_STREQ(cfg->policy.trusted_networks.v[1],
			    "::1/128", "trusted_networks[1]");
		}
		UNIT_CHECK(cfg->policy.ntrusted == 2, "trusted parsed",
		    "ntrusted %zu", cfg->policy.ntrusted);
		cidr_addr_parse("127.1.2.3", &a);
		UNIT_CHECK(cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "127.1.2.3 trusted",
		    "not matched");
		cidr_addr_parse("::1", &a);
		UNIT_CHECK(cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "::1 trusted", "not matched");
		cidr_addr_parse("::2", &a);
		UNIT_CHECK(!cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "::2 not trusted", "matched");
		cidr_addr_parse("128.0.0.1", &a);
		UNIT_CHECK(!cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "128.0.0.1 not trusted",
		    "matched");
		config_release(cfg);
		free(path);
	}
	buf_free(&why);
}

/* valid files: one int field afterwards */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*text;		/* file contents */
	size_t		 off;		/* int field */
	int		 want;		/* its value */
} t_config_int_cases[] = {
	{ "umask 0027 is octal 027 (23)", "milter = { umask = 0027; };",
	    T_CONFIG_OFF(milter.umask), 027 },
	{ "umask 0x17 is 23", "milter = { umask = 0x17; };",
	    T_CONFIG_OFF(milter.umask), 23 },
	{ "umask 0", "milter = { umask = 0; };", T_CONFIG_OFF(milter.umask),
	    0 },
	{ "umask 0777", "milter = { umask = 0777; };",
	    T_CONFIG_OFF(milter.umask), 0777 },
	{ "umask 077", "milter = { umask = 077; };",
	    T_CONFIG_OFF(milter.umask), 077 },
	{ "umask 7", "milter = { umask = 7; };", T_CONFIG_OFF(milter.umask),
	    7 },
	{ "umask 0002", "milter = { umask = 0002; };",
	    T_CONFIG_OFF(milter.umask), 02 },
	{ "dns.timeout 1 (min)", "dns = { timeout = 1; };",
	    T_CONFIG_OFF(dns.timeout), 1 },
	{ "dns.timeout 60 (max)", "dns = { timeout = 60; };",
	    T_CONFIG_OFF(dns.timeout), 60 },
	{ "milter.timeout 86400", "milter = { timeout = 86400; };",
	    T_CONFIG_OFF(milter.timeout), 86400 },
	{ "dkim.max_signatures 32", "dkim = { max_signatures = 32; };",
	    T_CONFIG_OFF(dkim.max_signatures), 32 },
	{ "dkim.min_key_bits 2048", "dkim = { min_key_bits = 2048; };",
	    T_CONFIG_OFF(dkim.min_key_bits), 2048 },
	{ "spf.helo false", "spf = { helo = false; };",
	    T_CONFIG_OFF(spf.helo), 0 },
	{ "spf.enabled false", "spf = { enabled = false; };",
	    T_CONFIG_OFF(spf.enabled), 0 },
	{ "bool FALSE upper case", "dmarc = { reject = FALSE; };",
	    T_CONFIG_OFF(dmarc.reject), 0 },
	{ "dmarc.mode rfc7489", "dmarc = { mode = \"rfc7489\"; };",
	    T_CONFIG_OFF(dmarc.mode), CONFIG_DMARC_RFC7489 },
	{ "dmarc.quarantine header", "dmarc = { quarantine = \"header\"; };",
	    T_CONFIG_OFF(dmarc.quarantine), CONFIG_QUARANTINE_HEADER },
	{ "dmarc.quarantine none", "dmarc = { quarantine = \"none\"; };",
	    T_CONFIG_OFF(dmarc.quarantine), CONFIG_QUARANTINE_NONE },
	{ "dmarc.multiple_from permerror",
	    "dmarc = { multiple_from = \"permerror\"; };",
	    T_CONFIG_OFF(dmarc.multiple_from), CONFIG_MULTIFROM_PERMERROR },
	{ "dns_error_action tempfail",
	    "policy = { dns_error_action = \"tempfail\"; };",
	    T_CONFIG_OFF(policy.dns_error_action), CONFIG_DNSERR_TEMPFAIL },
	{ "log.level debug", "log = { level = \"debug\"; };",
	    T_CONFIG_OFF(log.level), LOG_LEVEL_DEBUG },
	{ "log.level error", "log = { level = \"error\"; };",
	    T_CONFIG_OFF(log.level), LOG_LEVEL_ERR },
	{ "log.level warning", "log = { level = \"warning\"; };",
	    T_CONFIG_OFF(log.level), LOG_LEVEL_WARN },
	{ "log.facility local3", "log = { facility = \"local3\"; };",
	    T_CONFIG_OFF(log.facility), LOG_LOCAL3 },
	{ "log.facility daemon", "log = { facility = \"daemon\"; };",
	    T_CONFIG_OFF(log.facility), LOG_DAEMON },
	{ "log.format json", "log = { format = \"json\"; };",
	    T_CONFIG_OFF(log.format), CONFIG_LOG_JSON },
	{ "colon instead of =", "dns : { timeout : 7; };",
	    T_CONFIG_OFF(dns.timeout), 7 },
	{ "later group keeps earlier defaults", "dns = { };",
	    T_CONFIG_OFF(dns.timeout), 5 },
	{ "arc.seal complete",
	    "arc = { seal = { enabled = true; domain = \"example.org\";\n"
	    "  selector = \"s1\"; key_file = \"/etc/k.pem\";\n"
	    "  algorithm = \"ed25519-sha256\"; }; };",
	    T_CONFIG_OFF(arc.seal.algorithm), CONFIG_ARC_ED25519_SHA256 },
	{ "arc.seal enabled", "arc = { seal = { enabled = true;\n"
	    " domain = \"example.org\"; selector = \"s1\";\n"
	    " key_file = \"/etc/k.pem\"; }; };",
	    T_CONFIG_OFF(arc.seal.enabled), 1 },
	{ "bimi.fetch with roots", "bimi = { enabled = true; fetch = true;\n"
	    " trust_store = \"/etc/bimi/roots.pem\"; };",
	    T_CONFIG_OFF(bimi.fetch), 1 },
	{ "bimi.fetch without evidence", "bimi = { fetch = true;\n"
	    " require_evidence = false; };", T_CONFIG_OFF(bimi.fetch), 1 },
	{ "failure reports", "reports = { store = \"sqlite:/r.db\";\n"
	    " email = \"r@example.org\"; failure = { enabled = true;\n"
	    " content = \"headers\"; }; };",
	    T_CONFIG_OFF(reports.failure.content), CONFIG_RUF_HEADERS },
	{ "failure reports: none", "reports = { failure = { content = "
	    "\"none\"; }; };", T_CONFIG_OFF(reports.failure.content),
	    CONFIG_RUF_NONE },
};

/* valid files: one string field afterwards */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*text;		/* file contents */
	size_t		 off;		/* char * field */
	const char	*want;		/* its value */
} t_config_str_cases[] = {
	{ "authserv_id", "authserv_id = \"mx.example.org\";",
	    T_CONFIG_OFF(authserv_id), "mx.example.org" },
	{ "socket inet", "milter = { socket = \"inet:8891@127.0.0.1\"; };",
	    T_CONFIG_OFF(milter.socket), "inet:8891@127.0.0.1" },
	{ "socket inet without host", "milter = { socket = \"inet:8891\"; };",
	    T_CONFIG_OFF(milter.socket), "inet:8891" },
	{ "socket inet6", "milter = { socket = \"inet6:8891@[::1]\"; };",
	    T_CONFIG_OFF(milter.socket), "inet6:8891@[::1]" },
	{ "socket local", "milter = { socket = \"local:/tmp/a.sock\"; };",
	    T_CONFIG_OFF(milter.socket), "local:/tmp/a.sock" },
	{ "socket unix", "milter = { socket = \"unix:/var/a.sock\"; };",
	    T_CONFIG_OFF(milter.socket), "unix:/var/a.sock" },
	{ "milter.user", "milter = { user = \"nobody\"; };",
	    T_CONFIG_OFF(milter.user), "nobody" },
	{ "reports.store sqlite",
	    "reports = { store = \"sqlite:/var/r.db\"; };",
	    T_CONFIG_OFF(reports.store), "sqlite:/var/r.db" },
	{ "reports.store postgresql",
	    "reports = { store = \"postgresql://u@h/db\"; };",
	    T_CONFIG_OFF(reports.store), "postgresql://u@h/db" },
	{ "metrics.listen", "metrics = { listen = \"127.0.0.1:9754\"; };",
	    T_CONFIG_OFF(metrics.listen), "127.0.0.1:9754" },
	{ "metrics.listen IPv6", "metrics = { listen = \"[::1]:9754\"; };",
	    T_CONFIG_OFF(metrics.listen), "[::1]:9754" },
	{ "string escapes", "reports = { org_name = \"A \\\"B\\\" C\"; };",
	    T_CONFIG_OFF(reports.org_name), "A \"B\" C" },
	{ "adjacent strings joined", "reports = { email = \"a@\" \"b.c\"; };",
	    T_CONFIG_OFF(reports.email), "a@b.c" },
	{ "arc.seal.domain", "arc = { seal = { domain = \"Ex-1.example_x\"; "
	    "}; };", T_CONFIG_OFF(arc.seal.domain), "Ex-1.example_x" },
	{ "signing.keys and default_domain", "signing = { keys = [\n"
	    " \"Example.com s1 RSA-SHA256 /k/a\",\n"
	    " \"*.example.org\ts2  ed25519-sha256  /k/b\" ];\n"
	    " default_domain = \"example.com\"; };",
	    T_CONFIG_OFF(signing.default_domain), "example.com" },
};

/* t_config_valid - every valid case, with the one field it sets */
static void
t_config_valid(void)
{
	struct config *cfg;
	struct buf why;
	char *path;
	size_t i;

	buf_init(&why, 4096);
	for (i = 0; i < T_CONFIG_N(t_config_int_cases); i++) {
		cfg = fixture_load(t_config_int_cases[i].text, &path, &why);
		UNIT_CHECK(cfg != NULL, t_config_int_cases[i].label,
		    "rejected: %s", why.data);
		if (cfg != NULL) {
			UNIT_CHECK(t_config_int(cfg, t_config_int_cases[i].off)
			    == t_config_int_cases[i].want,
			    t_config_int_cases[i].label, "%d, want %d",
			    t_config_int(cfg, t_config_int_cases[i].off),
			    t_config_int_cases[i].want);
			config_release(cfg);
		}
		free(path);
	}
	for (i = 0; i < T_CONFIG_N(t_config_str_cases); i++) {
		cfg = fixture_load(t_config_str_cases[i].text, &path, &why);
		UNIT_CHECK(cfg != NULL, t_config_str_cases[i].label,
		    "rejected: %s", why.data);
		if (cfg != NULL) {
			UNIT_STREQ(t_config_str(cfg, t_config_str_cases[i].off),
			    t_config_str_cases[i].want,
			    t_config_str_cases[i].label);
			config_release(cfg);
		}
		free(path);
	}
	buf_free(&why);
}

/* invalid files: "FILE:LINE: " then text naming the problem */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*text;		/* file contents */
	int		 want_line;	/* LINE of the message */
	const char	*want1;		/* must appear in the message */
	const char	*want2;		/* and this, unless NULL */
} t_config_bad_cases[] = {
	{ "unknown key", "nosuch = 1;", 1, "unknown key", "nosuch" },
	{ "signing.keys: three fields",
	    "signing = {\n keys = [ \"example.com s1 /k\" ]; };", 2,
	    "signing.keys", "DOMAIN SELECTOR ALGORITHM KEYFILE" },
	{ "signing.keys: five fields", "signing = { keys = [ \"example.com "
	    "s1 rsa-sha256 /k x\" ]; };", 1, "signing.keys", "KEYFILE" },
	{ "signing.keys: rsa-sha1", "signing = { keys = [ \"example.com s1 "
	    "rsa-sha1 /k\" ]; };", 1, "rsa-sha1", "not rsa-sha256" },
	{ "signing.keys: relative path", "signing = { keys = [ \"example.com "
	    "s1 rsa-sha256 k.pem\" ]; };", 1, "k.pem", "absolute" },
	{ "signing.keys: a wildcard inside", "signing = { keys = [ \"a.*.com "
	    "s1 rsa-sha256 /k\" ]; };", 1, "a.*.com", "not a domain" },
	{ "signing.keys: bare *", "signing = { keys = [ \"* s1 rsa-sha256 "
	    "/k\" ]; };", 1, "'*'", "not a domain" },
	{ "signing.keys: bad selector", "signing = { keys = [ \"example.com "
	    "s..1 rsa-sha256 /k\" ]; };", 1, "s..1", "not a selector" },
	{ "arc.seal.keys: bad line", "arc = { seal = { keys = [ \"x\" ]; "
	    "}; };", 1, "arc.seal.keys", "DOMAIN SELECTOR" },
	{ "signing.headers without from",
	    "signing = {\n\n headers = [ \"to\" ]; oversign = [ ]; };", 3,
	    "signing.headers", "from" },
	{ "signing.oversign not signed", "signing = {\n oversign = "
	    "[ \"x-mailer\" ]; };", 2, "signing.oversign", "x-mailer" },
	{ "signing.headers: A-R", "signing = { headers = [ \"from\", "
	    "\"Authentication-Results\" ]; };", 1, "signing.headers",
	    "cannot be signed" },
	{ "signing.headers: ARC", "signing = { headers = [ \"from\", "
	    "\"arc-seal\" ]; };", 1, "arc-seal", "cannot be signed" },
	{ "signing.headers: Received-SPF", "signing = { headers = [ \"from\", "
	    "\"Received-SPF\" ]; };", 1, "Received-SPF", "cannot be signed" },
	{ "signing.headers: X-Spam-Flag (the Junk mark)", "signing = { "
	    "headers = [ \"from\", \"X-Spam-Flag\" ]; };", 1, "X-Spam-Flag",
	    "cannot be signed" },
	{ "signing.headers: X-Authmilter-Quarantine", "signing = {\n headers "
	    "= [ \"from\", \"x-authmilter-quarantine\" ]; };", 2,
	    "x-authmilter-quarantine", "cannot be signed" },
	{ "arc.seal.headers: X-Spam-Flag", "arc = { seal = { headers = "
	    "[ \"from\", \"x-spam-flag\" ]; }; };", 1, "arc.seal.headers",
	    "cannot be sealed" },
	{ "arc.seal.headers: X-Authmilter-Quarantine", "arc = { seal = { "
	    "headers = [ \"X-Authmilter-Quarantine\" ]; }; };", 1,
	    "X-Authmilter-Quarantine", "cannot be sealed" },
	{ "arc.seal.headers: Received-SPF", "arc = { seal = { headers = "
	    "[ \"from\", \"received-spf\" ]; }; };", 1, "received-spf",
	    "cannot be sealed" },
	{ "arc.seal.headers: BIMI-Location", "arc = { seal = { headers = "
	    "[ \"from\", \"BIMI-Location\" ]; }; };", 1, "BIMI-Location",
	    "cannot be sealed" },
	{ "signing.headers: BIMI-Indicator", "signing = { headers = "
	    "[ \"from\", \"bimi-indicator\" ]; };", 1, "bimi-indicator",
	    "cannot be signed" },
	{ "signing.headers: BIMI-Logo-Preference", "signing = { headers = "
	    "[ \"from\", \"BIMI-Logo-Preference\" ]; };", 1,
	    "BIMI-Logo-Preference", "cannot be signed" },
	{ "signing.headers: DKIM-Signature", "signing = { headers = "
	    "[ \"from\", \"dkim-signature\" ]; };", 1, "dkim-signature",
	    "cannot be signed" },
	{ "signing.headers: a dot", "signing = { headers = [ \"from\", "
	    "\"x.y\" ]; };", 1, "x.y", "not a field name" },
	{ "signing.default_domain without its line",
	    "signing = { keys = [ \"*.example.com s1 rsa-sha256 /k\" ];\n"
	    " default_domain = \"example.com\"; };", 2,
	    "signing.default_domain", "no line of its own" },
	{ "signing.networks", "signing = { networks = [ \"10.0.0.0/33\" ]; "
	    "};", 1, "signing.networks", "CIDR" },
	{ "signing.expire", "signing = { expire = -1; };", 1,
	    "signing.expire", "out of range" },
	{ "unknown key in a group", "\n\ndns = { timeot = 5; };", 3,
	    "unknown key", "dns.timeot" },
	{ "unknown key on its own line",
	    "dns = {\n  timeout = 5;\n  bogus = 1;\n};\n", 3, "unknown key",
	    "dns.bogus" },
	{ "unknown key in a nested group",
	    "arc = {\n seal = {\n  enabled = false;\n  colour = \"red\";\n"
	    " };\n};\n", 4, "unknown key", "arc.seal.colour" },
	{ "unknown group", "nosuch = { a = 1; };", 1, "unknown group",
	    "nosuch" },
	{ "unknown group inside a group", "\nmilter = { sub = { a = 1; }; };",
	    2, "unknown group", "milter.sub" },
	{ "group where a value belongs", "dns = { timeout = { a = 1; }; };",
	    1, "dns.timeout", NULL },
	{ "value where a group belongs", "dns = 5;", 1, "dns", NULL },
	{ "string for int", "dns = { timeout = \"5\"; };", 1, "dns.timeout",
	    "integer" },
	{ "bool for int", "dns = { timeout = true; };", 1, "dns.timeout",
	    "integer" },
	{ "float for int", "dns = { timeout = 5.0; };", 1, "dns.timeout",
	    "integer" },
	{ "int for bool", "spf = { enabled = 1; };", 1, "spf.enabled",
	    "true or false" },
	{ "string for bool", "spf = { helo = \"yes\"; };", 1, "spf.helo",
	    "true or false" },
	{ "int for string", "authserv_id = 5;", 1, "authserv_id", "string" },
	{ "string for list", "dns = { nameservers = \"127.0.0.1\"; };", 1,
	    "dns.nameservers", "list" },
	{ "int in a list", "dns = { local_data = [ 1 ]; };", 1,
	    "dns.local_data", "string" },
	{ "int for enum", "dmarc = { mode = 1; };", 1, "dmarc.mode",
	    "string" },
	{ "string for umask", "milter = { umask = \"0027\"; };", 1,
	    "milter.umask", "integer" },
	{ "dns.timeout 0", "dns = { timeout = 0; };", 1, "dns.timeout",
	    "out of range" },
	{ "dns.timeout 61", "dns = { timeout = 61; };", 1, "dns.timeout",
	    "out of range" },
	{ "dns.timeout negative", "dns = { timeout = -5; };", 1,
	    "dns.timeout", "out of range" },
	{ "dkim.max_signatures 1000", "dkim = { max_signatures = 1000; };",
	    1, "dkim.max_signatures", "out of range" },
	{ "dkim.max_signatures 0", "dkim = { max_signatures = 0; };", 1,
	    "dkim.max_signatures", "out of range" },
	{ "dkim.min_key_bits 512", "dkim = { min_key_bits = 512; };", 1,
	    "dkim.min_key_bits", "out of range" },
	{ "milter.timeout 0", "milter = { timeout = 0; };", 1,
	    "milter.timeout", "out of range" },
	{ "bad enum", "dmarc = { mode = \"x\"; };", 1, "dmarc.mode",
	    "'x' is not one of rfc9989, rfc7489" },
	{ "enum is case-sensitive", "dmarc = { mode = \"RFC9989\"; };", 1,
	    "dmarc.mode", "not one of" },
	{ "bad quarantine", "dmarc = { quarantine = \"hold\"; };", 1,
	    "dmarc.quarantine", "not one of" },
	{ "reject_text %s", "\ndmarc = { reject_text = \"no %s\"; };", 2,
	    "dmarc.reject_text", "followed by d" },
	{ "reject_text trailing %", "dmarc = { reject_text = \"no %\"; };",
	    1, "dmarc.reject_text", "followed by d" },
	{ "reject_text CRLF", "dmarc = { reject_text = \"a\\r\\nb\"; };",
	    1, "dmarc.reject_text", "printable ASCII" },
	{ "reject_text empty", "dmarc = { reject_text = \"\"; };", 1,
	    "dmarc.reject_text", "empty" },
	{ "reject_text 8-bit", "dmarc = { reject_text = \"na\xc3\xafve\"; };",
	    1, "dmarc.reject_text", "printable ASCII" },
	{ "bad dns_error_action", "policy = { dns_error_action = \"reject\"; "
	    "};", 1, "policy.dns_error_action", "accept, tempfail" },
	{ "bad log.level", "log = { level = \"warn\"; };", 1, "log.level",
	    "not one of" },
	{ "bad log.facility", "log = { facility = \"local8\"; };", 1,
	    "log.facility", "not one of" },
	{ "bad arc algorithm", "arc = { seal = { algorithm = \"rsa-sha1\"; "
	    "}; };", 1, "arc.seal.algorithm", "not one of" },
	{ "umask 0089", "milter = { umask = 0089; };", 1, "milter.umask",
	    "octal" },
	{ "umask 8", "milter = { umask = 8; };", 1, "milter.umask",
	    "octal" },
	{ "umask negative", "milter = { umask = -1; };", 1, "milter.umask",
	    "octal" },
	{ "umask 01000", "milter = { umask = 01000; };", 1, "milter.umask",
	    "out of range" },
	{ "umask 0x200", "milter = { umask = 0x200; };", 1, "milter.umask",
	    "out of range" },
	{ "socket tcp:1", "milter = { socket = \"tcp:1\"; };", 1,
	    "milter.socket", "'tcp:1'" },
	{ "socket port 0", "milter = { socket = \"inet:0@localhost\"; };", 1,
	    "milter.socket", "bad port" },
	{ "socket port 65536", "milter = { socket = \"inet:65536\"; };", 1,
	    "milter.socket", "bad port" },
	{ "socket no port", "milter = { socket = \"inet:@localhost\"; };", 1,
	    "milter.socket", "bad port" },
	{ "socket junk after port", "milter = { socket = \"inet:25x@h\"; };",
	    1, "milter.socket", "bad port" },
	{ "socket empty host", "milter = { socket = \"inet:25@\"; };", 1,
	    "milter.socket", "empty host" },
	{ "socket relative unix path",
	    "milter = { socket = \"unix:run/a.sock\"; };", 1, "milter.socket",
	    "absolute path" },
	{ "socket empty", "milter = { socket = \"\"; };", 1, "milter.socket",
	    NULL },
	{ "nameserver bad port", "dns = { nameservers = [ \"1.2.3.4@99999\" ]; "
	    "};", 1, "dns.nameservers", "'1.2.3.4@99999'" },
	{ "nameserver port 0", "dns = { nameservers = [ \"1.2.3.4@0\" ]; };",
	    1, "dns.nameservers", "port" },
	{ "nameserver empty port", "dns = { nameservers = [ \"1.2.3.4@\" ]; "
	    "};", 1, "dns.nameservers", "port" },
	{ "nameserver name", "dns = { nameservers = [ \"dns.example\" ]; };",
	    1, "dns.nameservers", "not an IP address" },
	{ "second nameserver bad",
	    "dns = {\n nameservers = [\n  \"127.0.0.1\",\n  \"::1@53x\",\n"
	    "  \"192.0.2.1\"\n ];\n};\n", 4, "dns.nameservers", "'::1@53x'" },
	{ "bad CIDR", "policy = { trusted_networks = [ \"10.0.0.0/33\" ]; };",
	    1, "policy.trusted_networks", "'10.0.0.0/33'" },
	{ "CIDR garbage", "policy = { trusted_networks = [ \"10.0.0.0/8\", "
	    "\"bogus\" ]; };", 1, "policy.trusted_networks", "'bogus'" },
	{ "local_zones bad type",
	    "dns = { local_zones = [ \"example. bogus\" ]; };", 1,
	    "dns.local_zones", "local-zone type" },
	{ "local_zones no type", "dns = { local_zones = [ \"example.\" ]; };",
	    1, "dns.local_zones", "NAME TYPE" },
	{ "local_zones no name", "dns = { local_zones = [ \" static\" ]; };",
	    1, "dns.local_zones", "NAME TYPE" },
	{ "local_zones not a list", "dns = { local_zones = 5; };", 1,
	    "dns.local_zones", "list" },
	{ "local_zones int element", "dns = { local_zones = [ 5 ]; };", 1,
	    "dns.local_zones", "string" },
	{ "authserv_id with space", "authserv_id = \"mx example\";", 1,
	    "authserv_id", "authserv-id" },
	{ "authserv_id with ;", "authserv_id = \"mx;x\";", 1, "authserv_id",
	    "authserv-id" },
	{ "seal domain not a domain", "arc = { seal = { domain = \"a b\"; "
	    "}; };", 1, "arc.seal.domain", "domain" },
	{ "trusted_sealers not a domain",
	    "arc = { trusted_sealers = [ \"x/y\" ]; };", 1,
	    "arc.trusted_sealers", "domain" },
	{ "reports.store unknown scheme",
	    "reports = { store = \"mysql://h/db\"; };", 1, "reports.store",
	    "sqlite" },
	{ "reports.store relative sqlite",
	    "reports = { store = \"sqlite:r.db\"; };", 1, "reports.store",
	    NULL },
	{ "metrics.listen port only", "metrics = { listen = \"9754\"; };", 1,
	    "metrics.listen", "HOST:PORT" },
	{ "metrics.listen port 0", "metrics = { listen = \"h:0\"; };", 1,
	    "metrics.listen", "bad port" },
	{ "arc.seal enabled without key_file",
	    "arc = {\n seal = {\n  enabled = true;\n"
	    "  domain = \"example.org\";\n  selector = \"s1\";\n };\n};\n", 3,
	    "arc.seal", "key_file" },
	{ "arc.seal enabled without anything",
	    "arc = { seal = { enabled = true; }; };", 1, "arc.seal",
	    "domain" },
	{ "bimi.fetch without trust_store",
	    "bimi = {\n enabled = true;\n fetch = true;\n};", 3,
	    "bimi.fetch", "trust_store" },
	{ "bimi.trust_store relative", "bimi = { trust_store = \"r.pem\"; };",
	    1, "bimi.trust_store", "absolute" },
	{ "bimi.timeout 0", "bimi = { timeout = 0; };", 1, "bimi.timeout",
	    "out of range" },
	{ "failure reports without a store",
	    "reports = {\n failure = {\n  enabled = true; }; };", 3,
	    "reports.failure.enabled", "reports.store" },
	{ "failure rate 0", "reports = { failure = { rate_destination = 0; "
	    "}; };", 1, "reports.failure.rate_destination", "out of range" },
	{ "failure report content", "reports = { failure = { content = "
	    "\"body\"; }; };", 1, "reports.failure.content", "not one of" },
	{ "syntax error", "\nmilter = { timeout = = 5; };", 2, NULL, NULL },
	{ "unterminated group", "dns = {\n timeout = 5;\n", 3, NULL, NULL },
	{ "unterminated string", "authserv_id = \"abc;", 1, NULL, NULL },
	{ "duplicate setting", "dns = { timeout = 5;\n timeout = 6; };", 2,
	    NULL, NULL },
	{ "first error wins",
	    "dns = { timeout = 0; };\nspf = { enabled = 1; };", 1,
	    "dns.timeout", NULL },
};

/* t_config_bad - every invalid case: NULL, FILE:LINE:, the key */
static void
t_config_bad(void)
{
	struct config *cfg;
	struct buf why;
	char *path, prefix[256];
	size_t i;

	buf_init(&why, 4096);
	for (i = 0; i < T_CONFIG_N(t_config_bad_cases); i++) {
		const char *label = t_config_bad_cases[i].label;

		cfg = fixture_load(t_config_bad_cases[i].text, &path, &why);
		UNIT_CHECK(cfg == NULL, label, "accepted");
		config_release(cfg);
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path,
		    t_config_bad_cases[i].want_line);
		UNIT_CHECK(strncmp(why.data, prefix, strlen(prefix)) == 0,
		    label, "\"%s\" does not start with \"%s\"", why.data,
		    prefix);
		UNIT_CHECK(why.len > strlen(prefix), label,
		    "no message after FILE:LINE: \"%s\"", why.data);
		if (t_config_bad_cases[i].want1 != NULL)
			UNIT_CHECK(strstr(why.data,
			    t_config_bad_cases[i].want1) != NULL, label,
			    "\"%s\" lacks \"%s\"", why.data,
			    t_config_bad_cases[i].want1);
		if (t_config_bad_cases[i].want2 != NULL)
			UNIT_CHECK(strstr(why.data,
			    t_config_bad_cases[i].want2) != NULL, label,
			    "\"%s\" lacks \"%s\"", why.data,
			    t_config_bad_cases[i].want2);
		free(path);
	}

	/* a file that cannot be read */
	buf_reset(&why);
	cfg = config_load("/nonexistent/t_config.conf", &why);
	UNIT_CHECK(cfg == NULL, "missing file", "accepted");
	UNIT_CHECK(strncmp(why.data, "/nonexistent/t_config.conf:0: ", 30) ==
	    0, "missing file", "\"%s\"", why.data);
	buf_free(&why);
}

/* t_config_lists - lists of strings, arrays and lists, the maximum */
static void
t_config_lists(void)
{
	struct config *cfg;
	struct cidr_addr a;
	struct buf why, text;
	char *path;
	size_t i;

	buf_init(&why, 4096);
	cfg = fixture_load("dns = {\n"
	    "  nameservers = [ \"127.0.0.1@5353\", \"::1\", \"192.0.2.53\" ];\n"
	    "  local_zones = [ \"example. static\",\n"
	    "    \"test.   transparent\" ];\n"
	    "  local_data = [ \"a.example. 300 IN A 192.0.2.1\",\n"
	    "    \"example. IN TXT \\\"v=spf1 -all\\\"\" ];\n"
	    "};\n"
	    "arc = { trusted_sealers = ( \"lists.example.org\" ); };\n"
	    "policy = { trusted_networks = [ \"10.0.0.0/8\" ]; };\n",
	    &path, &why);
	UNIT_CHECK(cfg != NULL, "lists load", "%s", why.data);
	if (cfg != NULL) {
		UNIT_CHECK(cfg->dns.nameservers.n == 3, "three nameservers",
		    "n %zu", cfg->dns.nameservers.n);
		if (cfg->dns.nameservers.n == 3) {
			UNIT_STREQ(cfg->dns.nameservers.v[0],
			    "127.0.0.1@5353", "nameserver 0");
			UNIT_STREQ(cfg->dns.nameservers.v[1], "::1",
			    "nameserver 1");
			UNIT_STREQ(cfg->dns.nameservers.v[2], "192.0.2.53",
			    "nameserver 2");
			UNIT_CHECK(cfg->dns.nameservers.v[3] == NULL,
			    "list NULL-ended", "v[3] set");
		}
		UNIT_CHECK(cfg->dns.local_zones.n == 2, "two local zones",
		    "n %zu", cfg->dns.local_zones.n);
		if (cfg->dns.local_zones.n == 2)
			UNIT_STREQ(cfg->dns.local_zones.v[1],
			    "test.   transparent", "zone kept as written");
		UNIT_CHECK(cfg->dns.local_data.n == 2, "two local data",
		    "n %zu", cfg->dns.local_data.n);
		if (cfg->dns.local_data.n == 2)
			UNIT_STREQ(cfg->dns.local_data.v[1],
			    "example. IN TXT \"v=spf1 -all\"",
			    "local data unescaped");
		UNIT_CHECK(cfg->arc.trusted_sealers.n == 1,
		    "libconfig ( ) list", "n %zu",
		    cfg->arc.trusted_sealers.n);
		UNIT_CHECK(cfg->policy.trusted_networks.n == 1 &&
		    cfg->policy.ntrusted == 1, "trusted_networks replaced",
		    "n %zu ntrusted %zu", cfg->policy.trusted_networks.n,
		    cfg->policy.ntrusted);
		cidr_addr_parse("10.9.8.7", &a);
		UNIT_CHECK(cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "10.9.8.7 trusted",
		    "not matched");
		cidr_addr_parse("127.0.0.1", &a);
		UNIT_CHECK(!cidr_match_any(cfg->policy.trusted,
		    cfg->policy.ntrusted, &a), "default replaced, not added",
		    "127.0.0.1 still trusted");
		config_release(cfg);
	}
	free(path);

	/* an empty list trusts nobody */
	cfg = fixture_load("policy = { trusted_networks = [ ]; };", &path,
	    &why);
	UNIT_CHECK(cfg != NULL && cfg->policy.ntrusted == 0 &&
	    cfg->policy.trusted_networks.n == 0, "empty trusted_networks",
	    "%s", why.data);
	config_release(cfg);
	free(path);

	/* CONFIG_MAX_LIST entries pass, one more does not */
	for (i = CONFIG_MAX_LIST; i <= CONFIG_MAX_LIST + 1; i++) {
		size_t j;

		buf_init(&text, 1024 * 1024);
		buf_puts(&text, "arc = { trusted_sealers = [");
		for (j = 0; j < i; j++)
			buf_printf(&text, "%s\"s%zu.example\"", j ? "," : "",
			    j);
		buf_puts(&text, "]; };\n");
		cfg = fixture_load(text.data, &path, &why);
		if (i == CONFIG_MAX_LIST)
			UNIT_CHECK(cfg != NULL && cfg->arc.trusted_sealers.n ==
			    CONFIG_MAX_LIST, "CONFIG_MAX_LIST entries", "%s",
			    why.data);
		else
			UNIT_CHECK(cfg == NULL && strstr(why.data,
			    "more than") != NULL, "CONFIG_MAX_LIST + 1 entries",
			    "%s", why.data);
		config_release(cfg);
		free(path);
		buf_free(&text);
	}
	buf_free(&why);
}

/* t_config_refs - config_ref/config_release count users */
static void
t_config_refs(void)
{
	struct config *cfg, *r;
	struct buf why;
	char *path;

	buf_init(&why, 4096);
	cfg = fixture_load("dns = { timeout = 9; };", &path, &why);
	UNIT_CHECK(cfg != NULL, "refs: load", "%s", why.data);
	if (cfg != NULL) {
		r = config_ref(cfg);
		UNIT_CHECK(r == cfg && atomic_load(&cfg->refs) == 2,
		    "config_ref", "refs %d", atomic_load(&cfg->refs));
		config_release(cfg);
		UNIT_CHECK(atomic_load(&cfg->refs) == 1 &&
		    cfg->dns.timeout == 9, "release of one of two",
		    "refs %d", atomic_load(&cfg->refs));
		config_release(cfg);	/* frees: ASan watches */
	}
	config_release(NULL);
	free(path);
	buf_free(&why);
}

/* t_config_enum_names - config_enum_name() for messages */
static void
t_config_enum_names(void)
{
	static const struct {
		const char	*key;	/* dotted key */
		int		 value;	/* enum value */
		const char	*want;	/* word */
	} cases[] = {
		{ "dmarc.mode", CONFIG_DMARC_RFC9989, "rfc9989" },
		{ "dmarc.mode", CONFIG_DMARC_RFC7489, "rfc7489" },
		{ "dmarc.mode", 2, "?" },
		{ "dmarc.mode", -1, "?" },
		{ "policy.dns_error_action", CONFIG_DNSERR_TEMPFAIL,
		    "tempfail" },
		{ "dmarc.quarantine", CONFIG_QUARANTINE_HEADER, "header" },
		{ "log.level", LOG_LEVEL_INFO, "info" },
		{ "dns.timeout", 0, "?" },
		{ "nosuch", 0, "?" },
	};
	size_t i;

	for (i = 0; i < T_CONFIG_N(cases); i++)
		UNIT_STREQ(config_enum_name(cases[i].key, cases[i].value),
		    cases[i].want, cases[i].key);
}

/* t_config_files - config_check_files(): key file and suffix list */
static void
t_config_files(void)
{
	struct config *cfg;
	struct buf why, text;
	char *path, *key;
	int rc;

	buf_init(&why, 4096);
	buf_init(&text, 4096);

	cfg = fixture_load("", &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : -1;
	UNIT_CHECK(rc == 0, "defaults need no files", "%s", why.data);
	config_release(cfg);
	free(path);

	cfg = fixture_load("arc = { seal = {\n enabled = true; domain = "
	    "\"example.org\"; selector = \"s\";\n key_file = "
	    "\"/nonexistent/key.pem\"; }; };", &path, &why);
	buf_reset(&why);
	buf_printf(&text, "%s:3: arc.seal.key_file: '/nonexistent/key.pem': No "
	    "such file or directory", path);
	rc = cfg != NULL ? config_check_files(cfg, &why) : 0;
	UNIT_CHECK(rc == -1 && strcmp(why.data, text.data) == 0,
	    "unreadable key_file: its line and the system's reason",
	    "rc %d \"%s\", want \"%s\"", rc, why.data, text.data);
	config_release(cfg);
	free(path);
	buf_reset(&text);

	key = fixture_write("not really a key\n");
	buf_printf(&text, "arc = { seal = { enabled = true; domain = "
	    "\"example.org\"; selector = \"s\"; key_file = \"%s\"; }; };", key);
	cfg = fixture_load(text.data, &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : -1;
	UNIT_CHECK(rc == 0, "readable key_file", "rc %d \"%s\"", rc,
	    why.data);
	config_release(cfg);
	free(path);
	unlink(key);
	free(key);

	cfg = fixture_load("dmarc = { mode = \"rfc7489\";\n public_suffix_file "
	    "= \"/nonexistent/psl.dat\"; };", &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : 0;
	buf_reset(&text);
	buf_printf(&text, "%s:2: dmarc.public_suffix_file: "
	    "'/nonexistent/psl.dat': No such file or directory", path);
	UNIT_CHECK(rc == -1 && strncmp(why.data, text.data, text.len) == 0,
	    "unreadable public_suffix_file: its line and the reason",
	    "rc %d \"%s\"", rc, why.data);
	config_release(cfg);
	free(path);
	buf_reset(&text);

	cfg = fixture_load("bimi = { enabled = true; fetch = true; "
	    "trust_store = \"/nonexistent/roots.pem\"; };", &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : 0;
	UNIT_CHECK(rc == -1 && strstr(why.data, "bimi.trust_store") != NULL,
	    "unreadable bimi.trust_store", "rc %d \"%s\"", rc, why.data);
	config_release(cfg);
	free(path);

	cfg = fixture_load("bimi = { trust_store = \"/nonexistent/r.pem\"; };",
	    &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : -1;
	UNIT_CHECK(rc == 0, "roots unused without bimi.fetch", "\"%s\"",
	    why.data);
	config_release(cfg);
	free(path);

	cfg = fixture_load("dmarc = { public_suffix_file = "
	    "\"/nonexistent/psl.dat\"; };", &path, &why);
	buf_reset(&why);
	rc = cfg != NULL ? config_check_files(cfg, &why) : -1;
	UNIT_CHECK(rc == 0, "suffix list unused in rfc9989 mode", "\"%s\"",
	    why.data);
	config_release(cfg);
	free(path);

	buf_free(&text);
	buf_free(&why);
}

/* config_check_secrets(): a secret in a file others may read */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*text;		/* the config file */
	int		 mode;		/* its permissions */
	int		 want;		/* 1 warns */
	const char	*says;		/* in the warning, or NULL */
} t_config_secret_cases[] = {
	{ "user:password@, world-readable", "reports = { store = "
	    "\"postgresql://am:s3cret@db.example/reports\"; };", 0644, 1,
	    "a password (reports.store)" },
	{ "user:password@, 0640", "reports = { store = "
	    "\"postgresql://am:s3cret@db.example/reports\"; };", 0640, 0,
	    NULL },
	{ "postgres:// with a password", "reports = { store = "
	    "\"postgres://am:x@db.example/r\"; };", 0604, 1, "passfile=" },
	{ "password= parameter", "reports = { store = "
	    "\"postgresql://am@db.example/r?sslmode=require&password=x\"; };",
	    0644, 1, "reports.store" },
	{ "password= first parameter", "reports = { store = "
	    "\"postgresql://db.example/r?password=x\"; };", 0644, 1, NULL },
	{ "several hosts with ports, a password", "reports = { store = "
	    "\"postgresql://am:x@h1:5432,h2:5433/r\"; };", 0644, 1, NULL },
	{ "user, no password", "reports = { store = "
	    "\"postgresql://am@db.example:5432/r\"; };", 0644, 0, NULL },
	{ "host:port only", "reports = { store = "
	    "\"postgresql://db.example:5432/r\"; };", 0644, 0, NULL },
	{ "a passfile instead", "reports = { store = "
	    "\"postgresql://am@db.example/r?passfile=/etc/authmilter/pgpass\";"
	    " };", 0644, 0, NULL },
	{ "a parameter that only ends in password=", "reports = { store = "
	    "\"postgresql://am@db.example/r?application_name=no_password=x\";"
	    " };", 0644, 0, NULL },
	{ "\":\" and \"@\" only in the path", "reports = { store = "
	    "\"postgresql://db.example/r:x@y\"; };", 0644, 0, NULL },
	{ "sqlite", "reports = { store = \"sqlite:/var/lib/a:b@c.db\"; };",
	    0644, 0, NULL },
	{ "sealing key path, world-readable", "arc = { seal = { key_file = "
	    "\"/etc/authmilter/seal.pem\"; }; };", 0644, 1,
	    "arc.seal.key_file" },
	{ "sealing key path, 0640", "arc = { seal = { key_file = "
	    "\"/etc/authmilter/seal.pem\"; }; };", 0640, 0, NULL },
	{ "both", "arc = { seal = { key_file = \"/k.pem\"; }; };\nreports = "
	    "{ store = \"postgresql://a:b@c/d\"; };", 0644, 1,
	    "reports.store) and the private key" },
	{ "nothing secret, world-readable", "", 0644, 0, NULL },
};

/* t_config_secrets - every secrets case, the file at its mode */
static void
t_config_secrets(void)
{
	struct config *cfg;
	struct buf why;
	char *path;
	size_t i;
	int got;

	buf_init(&why, 4096);
	for (i = 0; i < T_CONFIG_N(t_config_secret_cases); i++) {
		path = fixture_write(t_config_secret_cases[i].text);
		buf_reset(&why);
		if (chmod(path, (mode_t)t_config_secret_cases[i].mode) != 0 ||
		    (cfg = config_load(path, &why)) == NULL) {
			UNIT_CHECK(0, t_config_secret_cases[i].label, "%s",
			    why.data);
			unlink(path);
			free(path);
			continue;
		}
		got = config_check_secrets(cfg, &why);
		UNIT_CHECK(got == t_config_secret_cases[i].want,
		    t_config_secret_cases[i].label, "%d, want %d: \"%s\"", got,
		    t_config_secret_cases[i].want, why.data);
		if (got == 1 && t_config_secret_cases[i].says != NULL)
			UNIT_CHECK(strstr(why.data,
			    t_config_secret_cases[i].says) != NULL &&
			    strstr(why.data, path) != NULL,
			    t_config_secret_cases[i].label, "\"%s\"", why.data);
		config_release(cfg);
		unlink(path);
		free(path);
	}
	buf_free(&why);
}

/* t_config_shipped - conf/authmilter.conf loads and equals the defaults */
static void
t_config_shipped(void)
{
	const char *top = getenv("top_srcdir");
	struct config *cfg;
	struct buf why, path;

	buf_init(&why, 4096);
	buf_init(&path, 4096);
	buf_printf(&path, "%s/conf/authmilter.conf", top ? top : ".");
	if (access(path.data, R_OK) != 0) {
		/* run by hand from elsewhere: nothing to check */
		buf_free(&path);
		buf_free(&why);
		return;
	}
	cfg = config_load(path.data, &why);
	UNIT_CHECK(cfg != NULL, "shipped config loads", "%s", why.data);
	if (cfg != NULL) {
		UNIT_CHECK(cfg->dns.timeout == 5 && cfg->milter.umask == 07 &&
		    cfg->policy.ntrusted == 2 &&
		    cfg->dmarc.mode == CONFIG_DMARC_RFC9989 &&
		    cfg->log.level == LOG_LEVEL_INFO,
		    "shipped config shows the defaults", "timeout %d umask %o",
		    cfg->dns.timeout, (unsigned)cfg->milter.umask);
		config_release(cfg);
	}
	buf_free(&path);
	buf_free(&why);
}

int
main(void)
{
	t_config_defaults();
	t_config_valid();
	t_config_bad();
	t_config_lists();
	t_config_refs();
	t_config_enum_names();
	t_config_files();
	t_config_secrets();
	t_config_shipped();
	return unit_done("t_config");
}
