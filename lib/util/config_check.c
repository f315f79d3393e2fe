/* SPDX-License-Identifier: BSD-2-Clause */
/* config_check - is a configuration value well-formed, its files there */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "util/config_check.h"
#include "util/keyspec.h"


/* config_chk_socket - unix:/path, local:/path, inet:PORT@HOST, inet6:... */
int
config_chk_socket(struct config *cfg, const char *v, struct buf *why)
{
	const char *at, *p;
	long port;
	char *end;

	(void)cfg;	/* checkers share one signature */
	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0) {
		p = strchr(v, ':') + 1;
		if (*p != '/')
			return buf_puts(why, "needs an absolute path"), -1;
		return 0;
	}
	if (strncmp(v, "inet:", 5) == 0)
		p = v + 5;
	else if (strncmp(v, "inet6:", 6) == 0)
		p = v + 6;
	else
		return buf_puts(why, "expected unix:/path, inet:PORT@HOST or "
		    "inet6:PORT@HOST"), -1;
	port = strtol(p, &end, 10);
	if (end == p || port < 1 || port > 65535 ||
	    (*end != '\0' && *end != '@'))
		return buf_puts(why, "bad port"), -1;
	at = strchr(p, '@');
	if (at != NULL && at[1] == '\0')
		return buf_puts(why, "empty host after @"), -1;
	return 0;
}

/* config_chk_ns - "ip" or "ip@port" */
int
config_chk_ns(struct config *cfg, const char *v, struct buf *why)
{
	char host[CIDR_ADDRSTRLEN + 1];
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);
	struct cidr_addr a;
	char *end;
	long port;

	(void)cfg;
	if (n >= sizeof(host))
		return buf_puts(why, "not an IP address"), -1;
	memcpy(host, v, n);
	host[n] = '\0';
	if (cidr_addr_parse(host, &a) != 0)
		return buf_puts(why, "not an IP address"), -1;
	if (at != NULL) {
		port = strtol(at + 1, &end, 10);
		if (end == at + 1 || *end != '\0' || port < 1 || port > 65535)
			return buf_puts(why, "bad port after @"), -1;
	}
	return 0;
}

/* config_chk_cidr - an address or network */
int
config_chk_cidr(struct config *cfg, const char *v, struct buf *why)
{
	struct cidr c;

	(void)cfg;
	if (cidr_parse(v, &c) != 0)
		return buf_puts(why, "not an address or CIDR network"), -1;
	return 0;
}

/* config_chk_zone - "NAME TYPE" with an unbound local-zone type */
int
config_chk_zone(struct config *cfg, const char *v, struct buf *why)
{
	static const char *const types[] = { "deny", "refuse", "static",
	    "transparent", "typetransparent", "redirect", "nodefault",
	    "inform", "inform_deny", "inform_redirect", "always_transparent",
	    "always_refuse", "always_nxdomain", "always_nodata", "noview",
	    NULL };
	const char *sp = strchr(v, ' ');
	int i;

	(void)cfg;
	if (sp == NULL || sp == v)
		return buf_puts(why, "expected \"NAME TYPE\""), -1;
	while (*sp == ' ')
		sp++;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(sp, types[i]) == 0)
			return 0;
	buf_puts(why, "unknown local-zone type");
	return -1;
}

/* config_chk_domain - a plausible domain name (or empty) */
int
config_chk_domain(struct config *cfg, const char *v, struct buf *why)
{
	const unsigned char *p;

	(void)cfg;
	if (strlen(v) > 253)
		return buf_puts(why, "longer than 253 characters"), -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (!isalnum(*p) && *p != '-' && *p != '.' && *p != '_')
			return buf_puts(why, "not a domain name"), -1;
	return 0;
}

/* config_chk_id - an authserv-id must be a dot-atom-ish token */
int
config_chk_id(struct config *cfg, const char *v, struct buf *why)
{
	const unsigned char *p;

	(void)cfg;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("()<>@,;:\\\"[]?=", *p))
			return buf_puts(why, "not a valid authserv-id token "
			    "(RFC 8601 section 2.2)"), -1;
	return 0;
}

/* config_chk_authserv - a non-empty authserv-id token */
int
config_chk_authserv(struct config *cfg, const char *v, struct buf *why)
{
	if (*v == '\0')
		return buf_puts(why, "empty authserv-id"), -1;
	return config_chk_id(cfg, v, why);
}

/* config_chk_store - "", sqlite:PATH or postgresql://... */
int
config_chk_store(struct config *cfg, const char *v, struct buf *why)
{
	(void)cfg;
	if (*v == '\0' || (strncmp(v, "sqlite:", 7) == 0 && v[7] == '/') ||
	    strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0)
		return 0;
	buf_puts(why, "expected sqlite:/path or postgresql://...");
	return -1;
}

/* config_chk_listen - "" or HOST:PORT */
int
config_chk_listen(struct config *cfg, const char *v, struct buf *why)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	(void)cfg;
	if (*v == '\0')
		return 0;
	if (colon == NULL || colon == v)
		return buf_puts(why, "expected HOST:PORT"), -1;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return buf_puts(why, "bad port"), -1;
	return 0;
}

/*
 * config_chk_added - does authmilter add (Received-SPF, the Junk mark of
 * dmarc.quarantine "header", BIMI-Location and BIMI-Indicator) or delete
 * (forged marks, BIMI fields from outside) fields of this name after it
 * signs and seals: a signature naming it would not verify (and BIMI's
 * must never be signed, BIMI section 5.5)
 */
static int
config_chk_added(const char *v)
{
	return strcasecmp(v, "received-spf") == 0 ||
	    strcasecmp(v, "x-spam-flag") == 0 ||
	    strcasecmp(v, "x-authmilter-quarantine") == 0 ||
	    strcasecmp(v, "bimi-location") == 0 ||
	    strcasecmp(v, "bimi-indicator") == 0 ||
	    strcasecmp(v, "bimi-logo-preference") == 0;
}

/*
 * config_chk_sealhdr - a field name an AMS may sign (RFC 8617 4.1.2),
 * none that authmilter adds or deletes after sealing (the AMS names each
 * listed field, present or not)
 */
int
config_chk_sealhdr(struct config *cfg, const char *v, struct buf *why)
{
	const unsigned char *p;

	(void)cfg;
	if (*v == '\0')
		return buf_puts(why, "empty field name"), -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':')
			return buf_puts(why, "not a field name"), -1;
	if (strcasecmp(v, "authentication-results") == 0 ||
	    strncasecmp(v, "arc-", 4) == 0)
		return buf_puts(why, "an AMS must not sign Authentication-"
		    "Results or ARC fields (RFC 8617 section 4.1.2)"), -1;
	if (config_chk_added(v))
		return buf_puts(why, "authmilter adds or removes such fields "
		    "after sealing: they cannot be sealed"), -1;
	return 0;
}

/* config_chk_keyspec - "DOMAIN SELECTOR ALGORITHM KEYFILE" (keyspec.h) */
int
config_chk_keyspec(struct config *cfg, const char *v, struct buf *why)
{
	struct keyspec k;

	(void)cfg;
	if (keyspec_parse(v, &k, why) != 0)
		return -1;
	keyspec_free(&k);
	return 0;
}

/*
 * config_chk_signhdr - a field name a DKIM signature may cover: letters,
 * digits, "-" and "_" (libopendkim matches the list as patterns); never
 * the fields authmilter adds or changes after signing (A-R, ARC-*,
 * Received-SPF, X-Spam-Flag, X-Authmilter-Quarantine, BIMI-*), nor
 * DKIM-Signature (the signatures it adds are made side by side)
 */
int
config_chk_signhdr(struct config *cfg, const char *v, struct buf *why)
{
	const unsigned char *p;

	(void)cfg;
	if (*v == '\0')
		return buf_puts(why, "empty field name"), -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_')
			return buf_puts(why, "not a field name (letters, "
			    "digits, - and _)"), -1;
	if (strcasecmp(v, "authentication-results") == 0 ||
	    strncasecmp(v, "arc-", 4) == 0 ||
	    strcasecmp(v, "dkim-signature") == 0 || config_chk_added(v))
		return buf_puts(why, "authmilter adds or removes such fields "
		    "after signing: they cannot be signed"), -1;
	return 0;
}

/* config_chk_email - "" or local@domain, no spaces or controls */
int
config_chk_email(struct config *cfg, const char *v, struct buf *why)
{
	const char *at = strrchr(v, '@');
	const unsigned char *p;

	if (*v == '\0')
		return 0;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>' ||
		    *p == ',' || *p == '"')
			return buf_puts(why, "not a plain mail address"), -1;
	if (at == NULL || at == v || at[1] == '\0')
		return buf_puts(why, "expected local@domain"), -1;
	return config_chk_domain(cfg, at + 1, why);
}

/* config_chk_abspath - an absolute path (a command may have arguments) */
int
config_chk_abspath(struct config *cfg, const char *v, struct buf *why)
{
	(void)cfg;
	if (v[0] != '/')
		return buf_puts(why, "expected an absolute path"), -1;
	return 0;
}

/* config_chk_optpath - "" (none) or an absolute path */
int
config_chk_optpath(struct config *cfg, const char *v, struct buf *why)
{
	return *v == '\0' ? 0 : config_chk_abspath(cfg, v, why);
}

/* config_chk_suppress - a mail address or a domain */
int
config_chk_suppress(struct config *cfg, const char *v, struct buf *why)
{
	if (*v == '\0')
		return buf_puts(why, "empty entry"), -1;
	if (strchr(v, '@') != NULL)
		return config_chk_email(cfg, v, why);
	return config_chk_domain(cfg, v, why);
}

/*
 * config_chk_reply - an SMTP reply text: printable ASCII, at most
 * CONFIG_MAX_REPLY bytes, % only as %d (the domain) or %%
 */
int
config_chk_reply(struct config *cfg, const char *v, struct buf *why)
{
	const unsigned char *p;

	(void)cfg;
	if (*v == '\0')
		return buf_puts(why, "empty reply text"), -1;
	if (strlen(v) > CONFIG_MAX_REPLY)
		return buf_printf(why, "longer than %d characters",
		    CONFIG_MAX_REPLY), -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p < ' ' || *p >= 0x7f)
			return buf_puts(why, "only printable ASCII may go into "
			    "an SMTP reply"), -1;
		if (*p == '%' && p[1] != 'd' && p[1] != '%')
			return buf_puts(why, "% must be followed by d (the "
			    "domain) or % (a percent sign)"), -1;
		if (*p == '%')
			p++;
	}
	return 0;
}

/*
 * config_store_password - does a postgresql:// URI carry a password, as
 * user:password@ or as a password= parameter (libpq conninfo URI)?
 */
static int
config_store_password(const char *uri)
{
	const char *p, *q;
	size_t n;

	if (strncmp(uri, "postgresql://", 13) == 0)
		p = uri + 13;
	else if (strncmp(uri, "postgres://", 11) == 0)
		p = uri + 11;
	else
		return 0;
	/* userinfo: up to the last "@" of the authority; host:port follows */
	n = strcspn(p, "/?");
	while (n > 0 && p[n - 1] != '@')
		n--;
	if (n > 0 && memchr(p, ':', n - 1) != NULL)
		return 1;
	for (q = strchr(p, '?'); q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, "password=", 9) == 0)
			return 1;
	return 0;
}

/*
 * config_check_secrets - the config file holds a password (reports.store)
 * or names a private key (arc.seal.key_file) and others may read it: 1
 * with the warning in why, else 0. Only a warning: the file stays valid.
 */
int
config_check_secrets(const struct config *cfg, struct buf *why)
{
	int pw = config_store_password(cfg->reports.store);
	int key = *cfg->arc.seal.key_file != '\0';
	struct stat st;

	if ((!pw && !key) || stat(cfg->file, &st) != 0 ||
	    (st.st_mode & S_IROTH) == 0)
		return 0;
	buf_printf(why, "%s: warning: readable by others, yet it holds %s%s%s;"
	    " chmod o-rwx it (the package ships it 0640 root:authmilter)%s",
	    cfg->file, pw ? "a password (reports.store)" : "",
	    pw && key ? " and " : "",
	    key ? "the private key's path (arc.seal.key_file)" : "",
	    pw ? "; a password file (passfile=) keeps the password out of it"
	    : "");
	return 1;
}

/*
 * config_check_file - a file a key names can be read: 0, or -1 with
 * "FILE:LINE: key: 'path': system error" (the line of key, else of the
 * key that made the file needed)
 */
static int
config_check_file(const struct config *cfg, const char *key,
    const char *because, const char *path, const char *hint, struct buf *why)
{
	int e;

	if (access(path, R_OK) == 0)
		return 0;
	e = errno;
	config_where(cfg, config_line(cfg, key) > 0 || because == NULL ? key :
	    because, why);
	if (config_line(cfg, key) == 0 && because != NULL)
		buf_printf(why, "needs %s, and ", key);
	buf_printf(why, "'%s': %s%s", path, strerror(e), hint);
	return -1;
}

/* config_check_files - the files a config names exist and are readable */
int
config_check_files(const struct config *cfg, struct buf *why)
{
	if (cfg->arc.seal.enabled && config_check_file(cfg,
	    "arc.seal.key_file", NULL, cfg->arc.seal.key_file, "", why) != 0)
		return -1;
	if (cfg->dmarc.enabled && cfg->dmarc.mode == CONFIG_DMARC_RFC7489 &&
	    config_check_file(cfg, "dmarc.public_suffix_file", "dmarc.mode",
	    cfg->dmarc.public_suffix_file, " (apt-get install publicsuffix)",
	    why) != 0)
		return -1;
	/* BIMI's roots are read only when it fetches; "" names none */
	if (cfg->bimi.enabled && cfg->bimi.fetch &&
	    ((*cfg->bimi.trust_store != '\0' && config_check_file(cfg,
	    "bimi.trust_store", "bimi.fetch", cfg->bimi.trust_store, "",
	    why) != 0) || (*cfg->bimi.https_ca_file != '\0' &&
	    config_check_file(cfg, "bimi.https_ca_file", "bimi.fetch",
	    cfg->bimi.https_ca_file, "", why) != 0)))
		return -1;
	/* the root anchor may be absent (no validation); a chosen one not */
	if (cfg->dns.dnssec && strcmp(cfg->dns.trust_anchor,
	    CONFIG_ROOT_ANCHOR) != 0 && config_check_file(cfg,
	    "dns.trust_anchor", NULL, cfg->dns.trust_anchor, "", why) != 0)
		return -1;
	return 0;
}
