/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config - the libconfig file as an immutable, refcounted struct config
 *
 * STANDARDS   authmilter.conf(5): every key has a default, an empty
 *             file is valid, unknown keys are errors.
 * OWNERSHIP   config_load() returns a config with one reference;
 *             config_ref()/config_release() count users. A config is never
 *             changed after config_load() returns.
 * LOCKING     a struct config is read-only and shared by every thread; its
 *             refcount is atomic. pipeline.h publishes the one in force.
 * LIMITS      CONFIG_MAX_LIST entries in any list; CONFIG_MAX_REPLY bytes
 *             of dmarc.reject_text; CONFIG_MAX_OVERRIDES rules in
 *             policy.overrides (util/config_override.h).
 * ERRORS      config_load() returns NULL and puts "FILE:LINE: message" in
 *             *why: unknown key, wrong type, out-of-range value, bad syntax.
 *             config_check_files() returns -1 with "FILE:LINE: key: 'path':
 *             system error"; config_where() writes that "FILE:LINE: key: "
 *             prefix for others ("FILE: key: " for a key left at its
 *             default).
 */
#ifndef AUTHMILTER_CONFIG_H
#define AUTHMILTER_CONFIG_H

#include <stdatomic.h>
#include <stddef.h>

#include "util/cidr.h"

struct buf;

#define CONFIG_DEFAULT_FILE	"/etc/authmilter/authmilter.conf"
#define CONFIG_ROOT_ANCHOR	"/usr/share/dns/root.key"	/* dns-root-data */
#define CONFIG_MAX_LIST		4096
#define CONFIG_MAX_REPLY	200	/* bytes of a reply text template */
#define CONFIG_MAX_OVERRIDES	1024	/* policy.overrides rules */
#define CONFIG_MAX_REASON	200	/* bytes of an override's reason */

/*
 * The maxima of the limits.* keys and dkim.max_signatures: the compiled
 * limits of the modules above this layer. lib/core/limits.c asserts at
 * compile time that each equals its module's own macro.
 */
#define CONFIG_MAX_SIGNATURES	32		/* DKIM_MAX_SIGNATURES */
#define CONFIG_MAX_HEADERS	4096		/* HDR_MAX_FIELDS */
#define CONFIG_MAX_HEADER_SIZE	102400		/* HDR_MAX_FIELD */
#define CONFIG_MAX_HEADER_BYTES	(4 * 1024 * 1024)	/* HDR_MAX_BYTES */
#define CONFIG_MAX_ARC_SETS	50		/* ARC_MAX_INSTANCE */
#define CONFIG_MAX_SPF_LOOKUPS	10		/* SPF_MAX_TERMS */
#define CONFIG_MAX_INGEST_MESSAGE (1024 * 1024 * 1024)	/* bytes */
#define CONFIG_MAX_INGEST_REPORT (1024 * 1024 * 1024)	/* INGEST_MAX_REPORT */
#define CONFIG_MAX_INGEST_RECORDS 10000000	/* INGEST_MAX_RECORDS */

enum config_dmarc_mode { CONFIG_DMARC_RFC9989, CONFIG_DMARC_RFC7489 };
enum config_quarantine {
	CONFIG_QUARANTINE_HOLD, CONFIG_QUARANTINE_HEADER, CONFIG_QUARANTINE_NONE
};
enum config_multifrom { CONFIG_MULTIFROM_REJECT, CONFIG_MULTIFROM_PERMERROR };
enum config_dnserr { CONFIG_DNSERR_ACCEPT, CONFIG_DNSERR_TEMPFAIL };
enum config_logfmt { CONFIG_LOG_TEXT, CONFIG_LOG_JSON };
enum config_arcalg { CONFIG_ARC_RSA_SHA256, CONFIG_ARC_ED25519_SHA256 };
enum config_ruf_content {
	CONFIG_RUF_REDACTED, CONFIG_RUF_HEADERS, CONFIG_RUF_NONE
};

struct config_list {
	char	**v;		/* n strings, owned */
	size_t	  n;		/* number of strings */
};

/* what a policy.overrides rule does (authmilter.conf(5) LOCAL POLICY) */
enum config_override_action {
	CONFIG_OVERRIDE_ACCEPT,		/* deliver whatever DMARC says */
	CONFIG_OVERRIDE_NO_DMARC,	/* do not evaluate DMARC */
	CONFIG_OVERRIDE_TEMPFAIL,	/* 451 4.7.1 with the reason */
	CONFIG_OVERRIDE_REJECT		/* 550 5.7.1 with the reason */
};

/*
 * one policy.overrides rule: it matches when every matcher it has
 * matches, a matcher when one of its values does
 */
struct config_override {
	char	*name;			/* name, else "#N" (from 1) */
	int	 action;		/* enum config_override_action */
	char	*reason;		/* for log, reply and report */
	struct config_list author;	/* From domains, "d" or "*.d" */
	struct config_list mail_from;	/* MAIL FROM domains, likewise */
	struct config_list client;	/* client networks, as written */
	struct cidr *nets;		/* client, parsed */
	int	 line;			/* where the rule starts */
};

struct config {
	atomic_int refs;		/* users; freed at zero */
	char	*file;			/* path it was read from */
	int	*lines;			/* line of each key (0:
					   default), config_line() */
	char	*authserv_id;		/* "" = the MTA's {j}, else hostname */
	struct {
		char	*socket;	/* libmilter connection spec */
		int	 umask;		/* for the unix socket */
		int	 timeout;	/* libmilter I/O timeout, seconds */
		char	*user;		/* run as this user when started as root */
	} milter;
	struct {
		struct config_list nameservers;	/* "ip" or "ip@port" */
		int	 timeout;		/* seconds for one lookup */
		struct config_list local_data;	/* unbound local-data lines */
		struct config_list local_zones;	/* "NAME TYPE" */
		int	 dnssec;		/* validate with trust_anchor */
		char	*trust_anchor;		/* DS/DNSKEY file of the anchor */
	} dns;
	struct {
		int	 enabled;	/* check SPF at all */
		int	 helo;		/* also check the HELO identity */
		int	 received_spf;	/* add a Received-SPF field */
	} spf;
	struct {
		int	 enabled;	/* the iprev method (RFC 8601 3) */
	} iprev;
	struct {
		int	 enabled;	/* x-tls from the MTA's TLS macros */
	} tls;
	struct {
		int	 enabled;	/* verify DKIM signatures */
		int	 min_key_bits;	/* RSA keys below: dkim=policy */
		int	 max_signatures;/* verified per message */
	} dkim;
	struct {
		int	 enabled;	/* evaluate DMARC */
		int	 mode;		/* enum config_dmarc_mode */
		int	 reject;	/* enforce p=reject */
		char	*reject_text;	/* its reply text, %d escapes */
		int	 quarantine;	/* enum config_quarantine */
		int	 multiple_from;	/* enum config_multifrom */
		char	*public_suffix_file;	/* rfc7489 mode */
	} dmarc;
	struct {
		int	 verify;	/* validate ARC chains */
		struct config_list trusted_sealers;	/* sealer domains */
		struct {
			int	 enabled;	/* add an ARC set */
			char	*domain;	/* d= */
			char	*selector;	/* s= */
			char	*key_file;	/* PEM private key */
			int	 algorithm;	/* enum config_arcalg */
			struct config_list headers;	/* AMS h= */
			struct config_list keys;	/* by recipient domain */
		} seal;
		int	 report_remote_ip;	/* smtp.remote-ip in arc= */
	} arc;
	struct {
		struct config_list keys;	/* "DOMAIN SELECTOR ALG FILE" */
		char	*default_domain;	/* keys for unlisted authors */
		int	 sign_authenticated;	/* sign SMTP AUTH clients */
		int	 sign_trusted;	/* sign policy.trusted_networks */
		struct config_list networks;	/* more clients, as written */
		struct cidr *nets;	/* parsed networks */
		size_t	 nnets;		/* entries in nets */
		struct config_list headers;	/* h=: signed when present */
		struct config_list oversign;	/* h=: once more than present */
		int	 expire;	/* x= seconds after t=, 0: none */
	} signing;
	struct {
		struct config_list trusted_networks;	/* as written */
		struct cidr *trusted;	/* parsed trusted_networks */
		size_t	 ntrusted;	/* entries in trusted */
		int	 skip_authenticated;	/* no checks for SMTP AUTH */
		struct config_list trusted_authserv_ids;	/* whose A-R
					   results a trusted client brings */
		int	 dns_error_action;	/* enum config_dnserr */
		struct config_override *overrides;	/* local policy */
		size_t	 noverrides;	/* rules in overrides */
	} policy;
	struct {
		int	 headers;	/* header fields kept per message */
		int	 header_size;	/* bytes of one header field */
		int	 header_bytes;	/* bytes of all header fields */
		int	 arc_sets;	/* ARC sets validated; more: fail */
		int	 spf_lookups;	/* DNS-querying SPF terms */
		int	 dns_time;	/* seconds of DNS per message */
	} limits;
	struct {
		char	*store;		/* "", sqlite:PATH, postgresql://... */
		char	*org_name;	/* report_metadata org_name */
		char	*email;		/* report_metadata email */
		char	*spool_dir;	/* records the store could not take */
		int	 queue_size;	/* records queued for the writer */
		int	 retention_days;	/* rows older than this expire */
		struct config_list suppress;	/* never send reports here */
		char	*sendmail;	/* sendmail-compatible command */
		struct {
			int	 enabled;	/* record RFC 9991 reports */
			int	 content;	/* enum config_ruf_content */
			int	 body;		/* the body too (never redacted
						   content's default) */
			int	 rate_destination;	/* per address, hour */
			int	 rate_global;	/* all addresses, per hour */
		} failure;
	} reports;
	struct {
		int	 enabled;	/* BIMI at the receiver */
		int	 fetch;		/* fetch and check logo, certificate */
		char	*trust_store;	/* PEM roots of mark certificates */
		char	*https_ca_file;	/* TLS roots ("": libcurl's) */
		int	 require_evidence;	/* no logo without a= */
		int	 timeout;	/* seconds of fetching per message */
		int	 cache_entries;	/* fetched documents kept */
	} bimi;
	struct {
		char	*listen;	/* "host:port" or "" */
	} metrics;
	struct {
		struct config_list recipients;	/* report addresses we read */
		int	 deliver;	/* still deliver those messages */
		int	 max_message_size;	/* bytes of a message kept */
		int	 max_report_size;	/* bytes of a report, unpacked */
		int	 max_records;	/* records of one report */
		char	*quarantine_dir;	/* refused reports go here */
		int	 annotate;	/* PTR names of source IPs */
	} ingest;
	struct {
		char	*listen;	/* "host:port" or "" (off) */
		char	*auth_file;	/* tokens and user:password lines */
		char	*assets_dir;	/* the dashboard's static files */
		int	 unapproved_min;	/* messages that flag a source */
	} dashboard;
	struct {
		int	 level;		/* enum log_level */
		int	 facility;	/* syslog facility */
		int	 format;	/* enum config_logfmt */
	} log;
};

struct config	*config_load(const char *path, struct buf *why);
int		 config_check_files(const struct config *, struct buf *why);
int		 config_line(const struct config *, const char *key);
void		 config_where(const struct config *, const char *key,
		    struct buf *);
void		 config_list_free(struct config_list *);
struct config	*config_ref(struct config *);
void		 config_release(struct config *);
const char	*config_enum_name(const char *key, int value);

#endif
