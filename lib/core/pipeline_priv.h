/* SPDX-License-Identifier: BSD-2-Clause */
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
#include "auth/keytable.h"
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
struct ingest_queue;
struct dkim_verifier;
struct dkimsign;
struct dkimsign_context;
struct metrics;
struct pkeycache;
struct psl;
struct report_store;
struct resolver;

#define PIPELINE_MAX_AR_DELETE	100000
#define PIPELINE_MAX_MSGID	998	/* bytes of Message-ID kept (log) */
#define PIPELINE_BIMI_NAMES	3	/* fields only we may add */
#define PIPELINE_MAX_EDITS	((2 + PIPELINE_BIMI_NAMES) * \
				    PIPELINE_MAX_AR_DELETE + 9 + \
				    KEYTABLE_MAX_KEYS)
#define PIPELINE_MAX_INGEST_RCPT	100	/* ingest recipients kept */
#define PIPELINE_MARK_MAX	512	/* bytes of the mark's value */

/*
 * the header fields of one name to delete, each by its 1-based index
 * among the fields of that name (smfi_chgheader's numbering)
 */
struct pipeline_dels {
	size_t		 seen;		/* fields of that name so far */
	size_t		*idx;		/* to delete, ascending */
	size_t		 n;		/* entries in idx */
	size_t		 cap;		/* allocated entries */
};

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
	struct ingest_queue *ingest;	/* ingest.recipients, or NULL */
	struct dkimsign_context *signer;	/* with signing.keys, or NULL */
	struct keytable	*sign_keys;	/* signing.keys, or NULL */
	struct keytable	*seal_keys;	/* arc.seal.keys, or NULL */
};

/* one DKIM signature a message gets */
struct pipeline_sig {
	const struct keytable_key *key;	/* the env's key */
	struct dkimsign	*ds;		/* being made, until end of message */
	char		*value;		/* the DKIM-Signature value, or NULL */
	char		 why[160];	/* why it failed, or "" */
};

struct message {
	char		*mailfrom;	/* MAIL FROM without <>, "" null */
	char		*queue_id;	/* MTA queue id, or NULL */
	size_t		 nrcpt;		/* recipients accepted */
	char		*rcpt_domain;	/* domain of the first one, or NULL */
	int		 rcpt_mixed;	/* another recipient, another domain */
	int		 authenticated;	/* SMTP AUTH: no checks */
	struct hdr	 hdr;		/* header fields */
	struct pipeline_dels ar;	/* forged A-R to delete */
	struct pipeline_dels marks;	/* forged PIPELINE_MARK_FIELD */
	struct pipeline_dels bimi[PIPELINE_BIMI_NAMES];	/* BIMI fields
					   that came with it: all deleted
					   unless our site's (BIMI 5.6) */
	char		*mark;		/* its value to insert or NULL */
	struct dkim_verifier *dkim;	/* streaming DKIM verifier, or NULL */
	struct arc_verifier *arc;	/* ARC sets and body hashes, or NULL */
	struct arc_seal_out seal;	/* ARC set to add (aar NULL: none) */
	int		 sign;		/* outbound: signed at end of message */
	int		 sign_ready;	/* keys chosen, header fed */
	struct pipeline_sig sig[KEYTABLE_MAX_KEYS];	/* one per key */
	size_t		 nsig;		/* entries in sig */
	char		 unsigned_why[192];	/* no key, refused...: or "" */
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
	char		**ingest_rcpt;	/* ingest recipients, as given */
	size_t		 ningest;	/* entries in ingest_rcpt */
	struct buf	*keep;		/* the message, for ingest, or NULL */
	int		 keep_over;	/* it was over ingest.max_message_size */
};

struct session {
	struct pipeline_env *env;	/* reference held for the connection */
	unsigned long	 id;		/* connection number */
	struct cidr_addr client;	/* client address (family 0 unknown) */
	char		 client_ip[CIDR_ADDRSTRLEN];	/* text form */
	char		*helo;		/* HELO/EHLO argument */
	char		*authserv_id;	/* ours for this connection */
	int		 trusted;	/* in policy.trusted_networks */
	int		 sign_client;	/* its mail is signed (trusted or
					   signing.networks) */
	int		 leadspc;	/* values keep their leading space */
	time_t		 fixed_time;	/* seal as of this time (0: now) */
	struct results_tls tls;		/* the MTA's TLS macros, if any */
	struct message	*msg;		/* current transaction */
};

void	pipeline_report(const struct session *, const struct message *);
void	pipeline_bimi(struct session *, struct message *);
void	pipeline_bimi_header(struct message *, const char *);
void	pipeline_bimi_keep(struct message *);
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
void	pipeline_dels_seen(struct pipeline_dels *, int doomed);
void	pipeline_dels_free(struct pipeline_dels *);
void	pipeline_ingest_rcpt(struct session *, struct message *, const char *);
void	pipeline_ingest_header(struct session *, struct message *,
	    const char *, const char *, size_t);
void	pipeline_ingest_eoh(struct message *);
void	pipeline_ingest_body(struct message *, const unsigned char *, size_t);
void	pipeline_ingest_eom(struct session *, struct message *);
void	pipeline_ingest_free(struct message *);
int	pipeline_sign_client(const struct session *);
void	pipeline_sign_init(struct session *, struct message *, const char *);
void	pipeline_sign_start(struct session *, struct message *);
void	pipeline_sign_body(struct message *, const unsigned char *, size_t);
void	pipeline_sign_finish(struct session *, struct message *);
void	pipeline_sign_free(struct message *);
void	pipeline_sign_log(const struct message *, struct buf *);
void	pipeline_sign_json(const struct message *, struct buf *);
void	pipeline_sign_count(const struct message *, struct metrics *);
void	pipeline_seal_key(const struct session *, const struct message *,
	    struct arc_key *);

#endif
