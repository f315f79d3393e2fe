/* SPDX-License-Identifier: BSD-2-Clause */
/* config - libconfig file to struct config, one table row per key */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/config_check.h"
#include "util/config_override.h"
#include "util/keyspec.h"
#include "util/log.h"
#include "util/xalloc.h"

enum config_type { CFG_BOOL, CFG_INT, CFG_OCTAL, CFG_STR, CFG_LIST, CFG_ENUM,
    CFG_RULES };


struct config_row {
	const char	*key;		/* dotted path */
	enum config_type type;		/* what libconfig must hold */
	size_t		 off;		/* field in struct config */
	long		 def;		/* default of bool, int, enum */
	const void	*sdef;		/* default string, or NULL-ended list */
	long		 min, max;	/* range of int */
	const char *const *names;	/* enum names in value order */
	config_check_fn	*check;		/* string or list element checker */
};


static const char *const config_modes[] = { "rfc9989", "rfc7489", NULL };
static const char *const config_quar[] = { "quarantine", "header", "none",
    NULL };
static const char *const config_mfrom[] = { "reject", "permerror", NULL };
static const char *const config_dnserr[] = { "accept", "tempfail", NULL };
static const char *const config_logfmt[] = { "text", "json", NULL };
static const char *const config_arcalg[] = { "rsa-sha256", "ed25519-sha256",
    NULL };
static const char *const config_ruf[] = { "redacted", "headers", "none",
    NULL };
static const char *const config_levels[] = { "error", "warning", "info",
    "debug", NULL };
static const char *const config_facil[] = { "mail", "daemon", "user",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6",
    "local7", NULL };
static const char *const config_trusted_def[] = { "127.0.0.0/8", "::1/128",
    NULL };
static const char *const config_empty_list[] = { NULL };
/* RFC 8617 4.1.2: what an AMS should cover; never A-R or ARC fields */
static const char *const config_seal_headers[] = { "from", "to", "cc",
    "subject", "date", "message-id", "reply-to", "in-reply-to",
    "references", "mime-version", "content-type",
    "content-transfer-encoding", "dkim-signature", NULL };
/* RFC 6376 5.4.1 and RFC 4871 5.5, List-Unsubscribe-Post (RFC 8058 3.3) */
static const char *const config_sign_headers[] = { "from", "sender",
    "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version",
    "content-type", "content-transfer-encoding", "content-id",
    "content-description", "resent-date", "resent-from", "resent-sender",
    "resent-to", "resent-cc", "resent-message-id", "in-reply-to",
    "references", "list-id", "list-help", "list-unsubscribe",
    "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner",
    "list-archive", NULL };
/* signed once more than present: none of these can be added later */
static const char *const config_oversign[] = { "from", "to", "cc",
    "subject", "date", "reply-to", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", NULL };

#define OFF(f)	offsetof(struct config, f)
#define B(k, f, d)	{ k, CFG_BOOL, OFF(f), d, NULL, 0, 1, NULL, NULL }
#define I(k, f, d, lo, hi) { k, CFG_INT, OFF(f), d, NULL, lo, hi, NULL, NULL }
#define S(k, f, d, c)	{ k, CFG_STR, OFF(f), 0, d, 0, 0, NULL, c }
#define L(k, f, d, c)	{ k, CFG_LIST, OFF(f), 0, d, 0, 0, NULL, c }
#define E(k, f, d, n)	{ k, CFG_ENUM, OFF(f), d, NULL, 0, 0, n, NULL }

/* Every key of authmilter.conf(5); a new option is one row here. */
static const struct config_row config_rows[] = {
	S("authserv_id", authserv_id, "", config_chk_id),
	S("milter.socket", milter.socket,
	    "unix:/run/authmilter/authmilter.sock", config_chk_socket),
	{ "milter.umask", CFG_OCTAL, OFF(milter.umask), 07, NULL, 0, 0777,
	    NULL, NULL },
	I("milter.timeout", milter.timeout, 300, 1, 86400),
	S("milter.user", milter.user, "authmilter", NULL),
	L("dns.nameservers", dns.nameservers, config_empty_list,
	    config_chk_ns),
	I("dns.timeout", dns.timeout, 5, 1, 60),
	L("dns.local_data", dns.local_data, config_empty_list, NULL),
	L("dns.local_zones", dns.local_zones, config_empty_list,
	    config_chk_zone),
	B("dns.dnssec", dns.dnssec, 1),
	S("dns.trust_anchor", dns.trust_anchor, CONFIG_ROOT_ANCHOR,
	    config_chk_abspath),
	B("spf.enabled", spf.enabled, 1),
	B("spf.helo", spf.helo, 1),
	B("spf.received_spf", spf.received_spf, 0),
	B("iprev.enabled", iprev.enabled, 0),
	B("tls.enabled", tls.enabled, 1),
	B("dkim.enabled", dkim.enabled, 1),
	I("dkim.min_key_bits", dkim.min_key_bits, 1024, 1024, 16384),
	I("dkim.max_signatures", dkim.max_signatures, 8, 1,
	    CONFIG_MAX_SIGNATURES),
	B("dmarc.enabled", dmarc.enabled, 1),
	E("dmarc.mode", dmarc.mode, CONFIG_DMARC_RFC9989, config_modes),
	B("dmarc.reject", dmarc.reject, 1),
	S("dmarc.reject_text", dmarc.reject_text,
	    "DMARC policy of %d rejects this message", config_chk_reply),
	E("dmarc.quarantine", dmarc.quarantine, CONFIG_QUARANTINE_HEADER,
	    config_quar),
	E("dmarc.multiple_from", dmarc.multiple_from, CONFIG_MULTIFROM_REJECT,
	    config_mfrom),
	S("dmarc.public_suffix_file", dmarc.public_suffix_file,
	    "/usr/share/publicsuffix/public_suffix_list.dat", NULL),
	B("arc.verify", arc.verify, 1),
	L("arc.trusted_sealers", arc.trusted_sealers, config_empty_list,
	    config_chk_domain),
	B("arc.seal.enabled", arc.seal.enabled, 0),
	S("arc.seal.domain", arc.seal.domain, "", config_chk_domain),
	S("arc.seal.selector", arc.seal.selector, "", config_chk_domain),
	S("arc.seal.key_file", arc.seal.key_file, "", NULL),
	E("arc.seal.algorithm", arc.seal.algorithm, CONFIG_ARC_RSA_SHA256,
	    config_arcalg),
	L("arc.seal.headers", arc.seal.headers, config_seal_headers,
	    config_chk_sealhdr),
	L("arc.seal.keys", arc.seal.keys, config_empty_list,
	    config_chk_keyspec),
	B("arc.report_remote_ip", arc.report_remote_ip, 0),
	L("signing.keys", signing.keys, config_empty_list, config_chk_keyspec),
	S("signing.default_domain", signing.default_domain, "",
	    config_chk_domain),
	B("signing.sign_authenticated", signing.sign_authenticated, 1),
	B("signing.sign_trusted", signing.sign_trusted, 1),
	L("signing.networks", signing.networks, config_empty_list,
	    config_chk_cidr),
	L("signing.headers", signing.headers, config_sign_headers,
	    config_chk_signhdr),
	L("signing.oversign", signing.oversign, config_oversign,
	    config_chk_signhdr),
	I("signing.expire", signing.expire, 0, 0, 31536000),
	L("policy.trusted_networks", policy.trusted_networks,
	    config_trusted_def, config_chk_cidr),
	B("policy.skip_authenticated", policy.skip_authenticated, 1),
	L("policy.trusted_authserv_ids", policy.trusted_authserv_ids,
	    config_empty_list, config_chk_authserv),
	E("policy.dns_error_action", policy.dns_error_action,
	    CONFIG_DNSERR_ACCEPT, config_dnserr),
	/* a list of groups: config_override.c reads it (default: none) */
	{ "policy.overrides", CFG_RULES, OFF(policy.overrides), 0, NULL, 0, 0,
	    NULL, NULL },
	/* lower than the compiled maxima only (hdr.h, arc.h, spf.h) */
	I("limits.headers", limits.headers, CONFIG_MAX_HEADERS, 32,
	    CONFIG_MAX_HEADERS),
	I("limits.header_size", limits.header_size, CONFIG_MAX_HEADER_SIZE,
	    1024, CONFIG_MAX_HEADER_SIZE),
	I("limits.header_bytes", limits.header_bytes, CONFIG_MAX_HEADER_BYTES,
	    65536, CONFIG_MAX_HEADER_BYTES),
	I("limits.arc_sets", limits.arc_sets, CONFIG_MAX_ARC_SETS, 1,
	    CONFIG_MAX_ARC_SETS),
	I("limits.spf_lookups", limits.spf_lookups, CONFIG_MAX_SPF_LOOKUPS, 1,
	    CONFIG_MAX_SPF_LOOKUPS),
	I("limits.dns_time", limits.dns_time, 60, 1, 60),
	S("reports.store", reports.store, "", config_chk_store),
	S("reports.org_name", reports.org_name, "", NULL),
	S("reports.email", reports.email, "", config_chk_email),
	S("reports.spool_dir", reports.spool_dir,
	    "/var/lib/authmilter/spool", config_chk_abspath),
	I("reports.queue_size", reports.queue_size, 10000, 1, 1000000),
	I("reports.retention_days", reports.retention_days, 31, 1, 3650),
	L("reports.suppress", reports.suppress, config_empty_list,
	    config_chk_suppress),
	S("reports.sendmail", reports.sendmail, "/usr/sbin/sendmail -i",
	    config_chk_abspath),
	B("reports.failure.enabled", reports.failure.enabled, 0),
	E("reports.failure.content", reports.failure.content,
	    CONFIG_RUF_REDACTED, config_ruf),
	B("reports.failure.body", reports.failure.body, 0),
	I("reports.failure.rate_destination", reports.failure.rate_destination,
	    10, 1, 100000),
	I("reports.failure.rate_global", reports.failure.rate_global, 100, 1,
	    1000000),
	B("bimi.enabled", bimi.enabled, 0),
	B("bimi.fetch", bimi.fetch, 0),
	S("bimi.trust_store", bimi.trust_store, "", config_chk_optpath),
	S("bimi.https_ca_file", bimi.https_ca_file, "", config_chk_optpath),
	B("bimi.require_evidence", bimi.require_evidence, 1),
	I("bimi.timeout", bimi.timeout, 5, 1, 60),
	I("bimi.cache_entries", bimi.cache_entries, 256, 0, 4096),
	S("metrics.listen", metrics.listen, "", config_chk_listen),
	L("ingest.recipients", ingest.recipients, config_empty_list,
	    config_chk_email),
	B("ingest.deliver", ingest.deliver, 1),
	I("ingest.max_message_size", ingest.max_message_size,
	    32 * 1024 * 1024, 65536, CONFIG_MAX_INGEST_MESSAGE),
	I("ingest.max_report_size", ingest.max_report_size,
	    256 * 1024 * 1024, 65536, CONFIG_MAX_INGEST_REPORT),
	I("ingest.max_records", ingest.max_records, 2000000, 1,
	    CONFIG_MAX_INGEST_RECORDS),
	S("ingest.quarantine_dir", ingest.quarantine_dir,
	    "/var/lib/authmilter/ingest-quarantine", config_chk_abspath),
	B("ingest.annotate", ingest.annotate, 1),
	S("dashboard.listen", dashboard.listen, "", config_chk_listen),
	S("dashboard.auth_file", dashboard.auth_file, "", NULL),
	S("dashboard.assets_dir", dashboard.assets_dir,
	    "/usr/share/authmilter/dashboard", config_chk_abspath),
	I("dashboard.unapproved_min", dashboard.unapproved_min, 10, 1,
	    1000000000),
	E("log.level", log.level, 2, config_levels),
	E("log.facility", log.facility, 0, config_facil),
	E("log.format", log.format, CONFIG_LOG_TEXT, config_logfmt),
};
#define CONFIG_NROWS	(sizeof(config_rows) / sizeof(config_rows[0]))

/* parse state: where each key was seen, for cross-key errors */
struct config_parse {
	struct config	*cfg;		/* being filled */
	const char	*file;		/* for messages */
	int		 lines[CONFIG_NROWS];	/* 0 = default */
	struct buf	*why;		/* first error */
};

/* config_field - address of a row's field */
static void *
config_field(struct config *cfg, const struct config_row *row)
{
	return (char *)cfg + row->off;
}

/* config_list_set - copy a NULL-ended list */
static void
config_list_set(struct config_list *l, const char *const *v)
{
	size_t n = 0, i;

	while (v[n] != NULL)
		n++;
	l->v = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		l->v[i] = xstrdup(v[i]);
	l->n = n;
}

/* config_list_free - release a list; it is empty after */
void
config_list_free(struct config_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* config_defaults - every row to its default */
static void
config_defaults(struct config *cfg)
{
	size_t i;

	for (i = 0; i < CONFIG_NROWS; i++) {
		const struct config_row *r = &config_rows[i];
		void *f = config_field(cfg, r);

		switch (r->type) {
		case CFG_STR:
			*(char **)f = xstrdup(r->sdef);
			break;
		case CFG_LIST:
			config_list_set(f, r->sdef);
			break;
		case CFG_RULES:
			break;	/* none */
		default:
			*(int *)f = (int)r->def;
			break;
		}
	}
}

/* config_row_find - the row for a dotted key */
static const struct config_row *
config_row_find(const char *key)
{
	size_t i;

	for (i = 0; i < CONFIG_NROWS; i++)
		if (strcmp(config_rows[i].key, key) == 0)
			return &config_rows[i];
	return NULL;
}

/* config_is_group - does some key live under this dotted prefix */
static int
config_is_group(const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < CONFIG_NROWS; i++)
		if (strncmp(config_rows[i].key, prefix, n) == 0 &&
		    config_rows[i].key[n] == '.')
			return 1;
	return 0;
}

/* config_err - "FILE:LINE: key: message" into why, first error only */
static int
config_err(struct config_parse *cp, int line, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int
config_err(struct config_parse *cp, int line, const char *key,
    const char *fmt, ...)
{
	va_list ap;

	if (cp->why->len > 0)
		return -1;
	buf_printf(cp->why, "%s:%d: ", cp->file, line);
	if (key != NULL)
		buf_printf(cp->why, "%s: ", key);
	va_start(ap, fmt);
	buf_vprintf(cp->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* config_octal - libconfig reads 0027 as decimal 27: take the digits as octal */
static int
config_octal(const config_setting_t *s, long *out)
{
	long v = config_setting_get_int(s), o = 0, scale = 1;

	if (config_setting_get_format(s) == CONFIG_FORMAT_HEX) {
		*out = v;
		return 0;
	}
	if (v < 0)
		return -1;
	for (; v > 0; v /= 10, scale *= 8) {
		if (v % 10 > 7)
			return -1;
		o += (v % 10) * scale;
	}
	*out = o;
	return 0;
}

/* config_set_string - store one checked string */
static int
config_set_string(struct config_parse *cp, const struct config_row *r,
    const config_setting_t *s, const char *key, char **dst)
{
	const char *v = config_setting_get_string(s);
	struct buf why;
	int rc = 0;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || v == NULL)
		return config_err(cp, config_setting_source_line(s), key,
		    "expected a string");
	buf_init(&why, 512);
	if (r->check != NULL && r->check(cp->cfg, v, &why) != 0)
		rc = config_err(cp, config_setting_source_line(s), key,
		    "'%s': %s", v, why.data);
	buf_free(&why);
	if (rc == 0) {
		free(*dst);
		*dst = xstrdup(v);
	}
	return rc;
}

/* config_set_list - store a list or array of strings */
static int
config_set_list(struct config_parse *cp, const struct config_row *r,
    const config_setting_t *s, const char *key)
{
	struct config_list *l = config_field(cp->cfg, r);
	int type = config_setting_type(s), n, i;

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
		return config_err(cp, config_setting_source_line(s), key,
		    "expected a list of strings");
	n = config_setting_length(s);
	if (n > CONFIG_MAX_LIST)
		return config_err(cp, config_setting_source_line(s), key,
		    "more than %d entries", CONFIG_MAX_LIST);
	config_list_free(l);
	l->v = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_set_string(cp, r, e, key, &l->v[i]) != 0)
			return -1;
		l->n++;
	}
	return 0;
}

/* config_set_enum - a string that must be one of the row's names */
static int
config_set_enum(struct config_parse *cp, const struct config_row *r,
    const config_setting_t *s, const char *key)
{
	const char *v = config_setting_get_string(s);
	struct buf names;
	int i, rc;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || v == NULL)
		return config_err(cp, config_setting_source_line(s), key,
		    "expected a string");
	for (i = 0; r->names[i] != NULL; i++) {
		if (strcmp(v, r->names[i]) == 0) {
			*(int *)config_field(cp->cfg, r) = i;
			return 0;
		}
	}
	buf_init(&names, 512);
	for (i = 0; r->names[i] != NULL; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", r->names[i]);
	rc = config_err(cp, config_setting_source_line(s), key,
	    "'%s' is not one of %s", v, names.data);
	buf_free(&names);
	return rc;
}

/* config_set_number - bool, int or octal with range check */
static int
config_set_number(struct config_parse *cp, const struct config_row *r,
    const config_setting_t *s, const char *key)
{
	int line = config_setting_source_line(s), type = config_setting_type(s);
	long v;

	if (r->type == CFG_BOOL) {
		if (type != CONFIG_TYPE_BOOL)
			return config_err(cp, line, key,
			    "expected true or false");
		*(int *)config_field(cp->cfg, r) = config_setting_get_bool(s);
		return 0;
	}
	if (type != CONFIG_TYPE_INT)
		return config_err(cp, line, key, "expected an integer");
	if (r->type == CFG_OCTAL) {
		if (config_octal(s, &v) != 0)
			return config_err(cp, line, key,
			    "expected an octal number such as 0027");
	} else
		v = config_setting_get_int(s);
	if (v < r->min || v > r->max)
		return config_err(cp, line, key,
		    r->type == CFG_OCTAL ? "%lo is out of range %lo..%lo" :
		    "%ld is out of range %ld..%ld", v, r->min, r->max);
	*(int *)config_field(cp->cfg, r) = (int)v;
	return 0;
}

/* config_set_rules - policy.overrides through config_override.c */
static int
config_set_rules(struct config_parse *cp, const config_setting_t *s,
    const char *key)
{
	struct buf why;
	int line = config_setting_source_line(s), rc = 0;

	buf_init(&why, 1024);
	if (config_override_parse(s, &cp->cfg->policy.overrides,
	    &cp->cfg->policy.noverrides, &line, &why) != 0)
		rc = config_err(cp, line, key, "%s", why.data);
	buf_free(&why);
	return rc;
}

/* config_set - one setting onto its row */
static int
config_set(struct config_parse *cp, const config_setting_t *s, const char *key)
{
	const struct config_row *r = config_row_find(key);

	if (r == NULL)
		return config_err(cp, config_setting_source_line(s), NULL,
		    "unknown key '%s'", key);
	cp->lines[r - config_rows] = config_setting_source_line(s);
	switch (r->type) {
	case CFG_STR:
		return config_set_string(cp, r, s, key,
		    config_field(cp->cfg, r));
	case CFG_LIST:
		return config_set_list(cp, r, s, key);
	case CFG_ENUM:
		return config_set_enum(cp, r, s, key);
	case CFG_RULES:
		return config_set_rules(cp, s, key);
	default:
		return config_set_number(cp, r, s, key);
	}
}

/* config_walk - every child of a group, recursively */
static int
config_walk(struct config_parse *cp, const config_setting_t *group,
    const char *prefix)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group,
		    (unsigned)i);
		const char *name = config_setting_name(s);
		char key[256];

		if (name == NULL)
			return config_err(cp, config_setting_source_line(s),
			    NULL, "unnamed setting");
		snprintf(key, sizeof(key), "%s%s%s", prefix,
		    *prefix ? "." : "", name);
		if (config_setting_type(s) == CONFIG_TYPE_GROUP &&
		    config_row_find(key) == NULL) {
			if (!config_is_group(key))
				return config_err(cp,
				    config_setting_source_line(s), NULL,
				    "unknown group '%s'", key);
			if (config_walk(cp, s, key) != 0)
				return -1;
		} else if (config_set(cp, s, key) != 0)
			return -1;
	}
	return 0;
}

/* config_loopback - is the host of a HOST:PORT a loopback address */
static int
config_loopback(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon != NULL ? (size_t)(colon - listen) : 0;

	return (n == 9 && strncmp(listen, "localhost", 9) == 0) ||
	    (n >= 4 && strncmp(listen, "127.", 4) == 0) ||
	    (n == 5 && strncmp(listen, "[::1]", 5) == 0);
}

/* config_parse_line - where a key was set in the file read (0: default) */
static int
config_parse_line(const struct config_parse *cp, const char *key)
{
	return cp->lines[config_row_find(key) - config_rows];
}

/*
 * config_finish_reports - BIMI fetching needs the roots of mark
 * certificates; failure reports need the store and a sender address
 */
static int
config_finish_reports(struct config_parse *cp)
{
	const struct config *cfg = cp->cfg;

	if (cfg->bimi.fetch && cfg->bimi.require_evidence &&
	    *cfg->bimi.trust_store == '\0')
		return config_err(cp, config_parse_line(cp, "bimi.fetch"),
		    "bimi.fetch", "true needs bimi.trust_store (the roots of "
		    "mark certificates) unless bimi.require_evidence = false");
	if (cfg->reports.failure.enabled && (*cfg->reports.store == '\0' ||
	    *cfg->reports.email == '\0'))
		return config_err(cp, config_parse_line(cp,
		    "reports.failure.enabled"), "reports.failure.enabled",
		    "true needs reports.store and reports.email");
	return 0;
}

/* config_finish_ingest - ingest and the dashboard need the store */
static int
config_finish_ingest(struct config_parse *cp)
{
	const struct config *cfg = cp->cfg;

	if (cfg->ingest.recipients.n > 0 && *cfg->reports.store == '\0')
		return config_err(cp,
		    config_parse_line(cp, "ingest.recipients"),
		    "ingest.recipients", "needs reports.store (the reports "
		    "are kept there)");
	if (*cfg->dashboard.listen == '\0')
		return 0;
	if (*cfg->reports.store == '\0')
		return config_err(cp, config_parse_line(cp, "dashboard.listen"),
		    "dashboard.listen", "needs reports.store (what it shows "
		    "is kept there)");
	if (*cfg->dashboard.auth_file == '\0' &&
	    !config_loopback(cfg->dashboard.listen))
		return config_err(cp, config_parse_line(cp, "dashboard.listen"),
		    "dashboard.listen", "'%s' is not a loopback address: "
		    "dashboard.auth_file must be set", cfg->dashboard.listen);
	if (*cfg->dashboard.auth_file != '\0' &&
	    *cfg->dashboard.auth_file != '/')
		return config_err(cp,
		    config_parse_line(cp, "dashboard.auth_file"),
		    "dashboard.auth_file", "expected an absolute path");
	return 0;
}

/* config_cidrs - a checked list of networks, parsed */
static struct cidr *
config_cidrs(const struct config_list *l)
{
	struct cidr *c = xcalloc(l->n + 1, sizeof(*c));
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cidr_parse(l->v[i], &c[i]) != 0)
			log_panic("checked CIDR did not parse");
	return c;
}

/* config_list_has - does the list hold name, any case */
static int
config_list_has(const struct config_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], name) == 0)
			return 1;
	return 0;
}

/* config_default_key - signing.default_domain has an exact signing.keys line */
static int
config_default_key(const struct config *cfg)
{
	struct keyspec k;
	struct buf why;
	size_t i;
	int found = 0;

	buf_init(&why, 512);
	for (i = 0; !found && i < cfg->signing.keys.n; i++)
		if (keyspec_parse(cfg->signing.keys.v[i], &k, &why) == 0) {
			found = strcasecmp(k.pattern,
			    cfg->signing.default_domain) == 0;
			keyspec_free(&k);
		}
	buf_free(&why);
	return found;
}

/* config_finish_signing - the signing group, as a whole */
static int
config_finish_signing(struct config_parse *cp)
{
	struct config *cfg = cp->cfg;
	size_t i;

	cfg->signing.nnets = cfg->signing.networks.n;
	cfg->signing.nets = config_cidrs(&cfg->signing.networks);
	if (!config_list_has(&cfg->signing.headers, "from"))
		return config_err(cp, config_parse_line(cp, "signing.headers"),
		    "signing.headers", "must include from (RFC 6376 5.4)");
	for (i = 0; i < cfg->signing.oversign.n; i++)
		if (!config_list_has(&cfg->signing.headers,
		    cfg->signing.oversign.v[i]))
			return config_err(cp, config_parse_line(cp,
			    "signing.oversign"), "signing.oversign",
			    "'%s' is not in signing.headers",
			    cfg->signing.oversign.v[i]);
	if (*cfg->signing.default_domain != '\0' && !config_default_key(cfg))
		return config_err(cp, config_parse_line(cp,
		    "signing.default_domain"), "signing.default_domain",
		    "'%s' has no line of its own in signing.keys",
		    cfg->signing.default_domain);
	return 0;
}

/* config_finish - derived fields and checks that span several keys */
static int
config_finish(struct config_parse *cp)
{
	struct config *cfg = cp->cfg;
	int fac;

	cfg->policy.ntrusted = cfg->policy.trusted_networks.n;
	cfg->policy.trusted = config_cidrs(&cfg->policy.trusted_networks);
	if (config_finish_signing(cp) != 0)
		return -1;
	if (log_facility_parse(config_facil[cfg->log.facility], &fac) != 0)
		log_panic("facility table out of step");
	cfg->log.facility = fac;
	if (config_finish_ingest(cp) != 0)
		return -1;
	if (cfg->arc.seal.enabled && (*cfg->arc.seal.domain == '\0' ||
	    *cfg->arc.seal.selector == '\0' || *cfg->arc.seal.key_file == '\0'))
		return config_err(cp, config_parse_line(cp,
		    "arc.seal.enabled"), "arc.seal",
		    "enabled = true needs domain, selector and key_file");
	return config_finish_reports(cp);
}

/* config_load - read and check a file; NULL with "FILE:LINE: ..." in why */
struct config *
config_load(const char *path, struct buf *why)
{
	struct config_parse cp;
	struct config *cfg;
	config_t lc;

	cfg = xcalloc(1, sizeof(*cfg));
	atomic_init(&cfg->refs, 1);
	cfg->file = xstrdup(path);
	config_defaults(cfg);
	memset(&cp, 0, sizeof(cp));
	cp.cfg = cfg;
	cp.file = path;
	cp.why = why;
	config_init(&lc);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			buf_printf(why, "%s:0: cannot read the file", path);
		else
			buf_printf(why, "%s:%d: %s", config_error_file(&lc) ?
			    config_error_file(&lc) : path,
			    config_error_line(&lc), config_error_text(&lc));
		goto fail;
	}
	if (config_walk(&cp, config_root_setting(&lc), "") != 0 ||
	    config_finish(&cp) != 0)
		goto fail;
	config_destroy(&lc);
	cfg->lines = xcalloc(CONFIG_NROWS, sizeof(*cfg->lines));
	memcpy(cfg->lines, cp.lines, sizeof(cp.lines));
	return cfg;
fail:
	config_destroy(&lc);
	config_release(cfg);
	return NULL;
}

/* config_line - the line that set key, 0 when it has its default */
int
config_line(const struct config *cfg, const char *key)
{
	const struct config_row *r = config_row_find(key);

	return r != NULL && cfg->lines != NULL ? cfg->lines[r - config_rows] :
	    0;
}

/* config_where - "FILE:LINE: key: ", or "FILE: key: " for a default */
void
config_where(const struct config *cfg, const char *key, struct buf *out)
{
	int line = config_line(cfg, key);

	if (line > 0)
		buf_printf(out, "%s:%d: %s: ", cfg->file, line, key);
	else
		buf_printf(out, "%s: %s: ", cfg->file, key);
}

/* config_ref - one more user */
struct config *
config_ref(struct config *cfg)
{
	atomic_fetch_add(&cfg->refs, 1);
	return cfg;
}

/* config_release - one user less; free at zero */
void
config_release(struct config *cfg)
{
	size_t i;

	if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
		return;
	for (i = 0; i < CONFIG_NROWS; i++) {
		void *f = config_field(cfg, &config_rows[i]);

		if (config_rows[i].type == CFG_STR)
			free(*(char **)f);
		else if (config_rows[i].type == CFG_LIST)
			config_list_free(f);
	}
	config_override_free(cfg->policy.overrides, cfg->policy.noverrides);
	free(cfg->policy.trusted);
	free(cfg->lines);
	free(cfg->signing.nets);
	free(cfg->file);
	free(cfg);
}

/* config_enum_name - the config word for an enum value, for messages */
const char *
config_enum_name(const char *key, int value)
{
	const struct config_row *r = config_row_find(key);
	int i;

	if (r == NULL || r->type != CFG_ENUM)
		return "?";
	for (i = 0; r->names[i] != NULL; i++)
		if (i == value)
			return r->names[i];
	return "?";
}
