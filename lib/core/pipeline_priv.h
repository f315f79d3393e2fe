/*
 * pipeline_priv - the pipeline's own structs, for lib/core (and the unit
 * and fuzz tests of lib/core) only: the front ends (milter/, check/) see
 * them only through core/pipeline.h
 *
 * OWNERSHIP   as core/pipeline.h.
 * LOCKING     as core/pipeline.h.
 */
#ifndef AUTHMILTER_PIPELINE_PRIV_H
#define AUTHMILTER_PIPELINE_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/arc.h"
#include "util/buf.h"
#include "util/cidr.h"
#include "mail/redact.h"
#include "dns/dnsbudget.h"
#include "mail/hdr.h"
#include "core/decision.h"
#include "core/pipeline.h"
#include "core/results.h"

struct bimi_context;
struct config;
struct dkim_context;
struct dkim_verifier;
struct metrics;
struct pkeycache;
struct psl;
struct report_store;
struct resolver;

#define PIPELINE_MAX_AR_DELETE	100000
#define PIPELINE_MAX_MSGID	998	/* bytes of Message-ID kept (log) */
#define PIPELINE_BIMI_NAMES	3	/* fields only we may add */
#define PIPELINE_MAX_EDITS	(PIPELINE_MAX_AR_DELETE + 7 + \
				 PIPELINE_BIMI_NAMES * PIPELINE_MAX_AR_DELETE)

/* BIMI-Location, BIMI-Indicator, BIMI-Logo-Preference (BIMI 7.8) */
extern const char *const pipeline_bimi_names[PIPELINE_BIMI_NAMES];

struct pipeline_env {
	atomic_int	 refs;		/* sessions + slot */
	struct config	*cfg;		/* one reference */
	struct resolver	*res;		/* built from cfg->dns */
	struct dkim_context	*dkim;		/* libopendkim using res */
	struct psl	*psl;		/* rfc7489 mode: public suffix list */
	EVP_PKEY	*seal_key;	/* arc.seal.key_file, or NULL */
	char		*hostname;	/* fallback authserv-id, %{r} */
	struct metrics	*metrics;	/* main()'s, not owned; NULL: none */
	struct report_store *reports;	/* reports.store, or NULL */
	struct pkeycache *keys;		/* parsed ARC keys of this env */
	struct bimi_context *bimi;	/* mark roots, fetch cache */
	unsigned char	 redact_key[REDACT_KEY];	/* failure reports'
					   pseudonyms, random per env */
};

struct message {
	char		*mailfrom;	/* MAIL FROM without <>, "" null */
	char		*queue_id;	/* MTA queue id, or NULL */
	size_t		 nrcpt;		/* recipients accepted */
	char		*rcpt_domain;	/* domain of the first one, or NULL */
	int		 authenticated;	/* SMTP AUTH: no checks */
	struct hdr	 hdr;		/* header fields */
	size_t		 ar_seen;	/* A-R fields so far */
	size_t		*ar_delete;	/* 1-based A-R indices to delete */
	size_t		 nar_delete;	/* entries in ar_delete */
	size_t		 ar_cap;	/* allocated entries */
	size_t		 bimi_seen[PIPELINE_BIMI_NAMES];	/* BIMI fields
					   that came with it: all deleted */
	struct dkim_verifier *dkim;	/* streaming DKIM verifier, or NULL */
	struct arc_verifier *arc;	/* ARC sets and body hashes, or NULL */
	struct arc_seal_out seal;	/* ARC set to add (aar NULL: none) */
	size_t		 nfrom;		/* From fields seen */
	char		*author;	/* the one author domain, or NULL */
	char		*msgid;		/* the first Message-ID, trimmed */
	char		 author_why[192];	/* why there is no author */
	int		 ambiguous;	/* several From fields or domains */
	struct results	 results;	/* what the checks found */
	struct decision	 decision;	/* what to do */
	struct buf	 arheader;	/* A-R value to insert ("" none) */
	struct buf	 rspf;		/* Received-SPF value ("" none) */
	struct buf	*fbody;		/* body kept for a failure report */
	struct timespec	 start;		/* MAIL FROM time, for ms= */
	struct dnsbudget dns_dmarc;	/* limits.dns_time for what DMARC
					   needs: discovery, aligned ids */
	struct dnsbudget dns_other;	/* limits.dns_time for the rest */
	int		 eoh;		/* end of headers handled */
	int		 discovered;	/* DMARC discovery ran (at eoh) */
	int		 evaluated;	/* eom ran */
	struct pipeline_verdict verdict;	/* what eom returned */
	struct pipeline_edit *edits;	/* verdict.edits, owned */
	struct buf	 logline;	/* verdict.log */
	char		 id[32];	/* verdict.id when there is no queue id */
};

struct session {
	struct pipeline_env *env;	/* reference held for the connection */
	unsigned long	 id;		/* connection number */
	struct cidr_addr client;	/* client address (family 0 unknown) */
	char		 client_ip[CIDR_ADDRSTRLEN];	/* text form */
	char		*helo;		/* HELO/EHLO argument */
	char		*authserv_id;	/* ours for this connection */
	int		 trusted;	/* in policy.trusted_networks */
	int		 leadspc;	/* values keep their leading space */
	time_t		 fixed_time;	/* seal as of this time (0: now) */
	struct results_tls tls;		/* the MTA's TLS macros, if any */
	struct message	*msg;		/* current transaction */
};

void	pipeline_report(const struct session *, const struct message *);
void	pipeline_bimi(struct session *, struct message *);
void	pipeline_bimi_header(const struct session *, struct message *,
	    const char *);
void	pipeline_failure_eoh(const struct session *, struct message *);
void	pipeline_failure_body(struct message *, const unsigned char *,
	    size_t);
void	pipeline_failure(const struct session *, struct message *);
const char *pipeline_failure_copy(const struct session *,
	    const struct message *, struct buf *);
void	pipeline_verdict_line(const struct session *, struct buf *);
void	pipeline_verdict_json(const struct session *, struct buf *);
long	pipeline_elapsed_ms(const struct message *);
void	pipeline_verdict_make(struct session *, struct message *);
void	pipeline_verdict_free(struct message *);

#endif
