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
 * LIMITS      CONFIG_MAX_LIST entries in any list.
 * ERRORS      config_load() returns NULL and puts "FILE:LINE: message" in
 *             *why: unknown key, wrong type, out-of-range value, bad syntax.
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

struct config {
	atomic_int refs;		/* users; freed at zero */
	char	*file;			/* path it was read from */
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
		} seal;
		int	 report_remote_ip;	/* smtp.remote-ip in arc= */
	} arc;
	struct {
		struct config_list trusted_networks;	/* as written */
		struct cidr *trusted;	/* parsed trusted_networks */
		size_t	 ntrusted;	/* entries in trusted */
		int	 skip_authenticated;	/* no checks for SMTP AUTH */
		int	 dns_error_action;	/* enum config_dnserr */
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
		int	 level;		/* enum log_level */
		int	 facility;	/* syslog facility */
		int	 format;	/* enum config_logfmt */
	} log;
};

struct config	*config_load(const char *path, struct buf *why);
int		 config_check_files(const struct config *, struct buf *why);
struct config	*config_ref(struct config *);
void		 config_release(struct config *);
const char	*config_enum_name(const char *key, int value);

#endif
