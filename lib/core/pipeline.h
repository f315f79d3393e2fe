/*
 * pipeline - the per-message work, fed by the daemon and by the check CLI
 *
 * STANDARDS   authmilter(8) and authmilter-check(1), whose front ends feed
 *             it the same events; RFC 8601 section 5
 *             (forged A-R removal), RFC 7208 (SPF at end of message),
 *             RFC 6376 (headers and body streamed into DKIM as they come),
 *             RFC 9989 section 5.3.1 (exactly one author domain).
 * OWNERSHIP   a struct pipeline_env (config + resolver + parsed-key cache)
 *             is refcounted and shared; a struct session is one connection
 *             and owns its struct message; pipeline_close() frees both. What
 *             pipeline_eom() returns lives until the next pipeline_mail(),
 *             pipeline_abort() or pipeline_close().
 * LOCKING     struct pipeline_slot's mutex guards only the env pointer. A
 *             session is used by one thread at a time (libmilter never runs
 *             two callbacks of one connection at once) and needs no lock.
 * LIMITS      header limits of hdr.h, lowered by limits.headers,
 *             limits.header_size and limits.header_bytes;
 *             PIPELINE_MAX_AR_DELETE forged A-R fields removed per message;
 *             limits.dns_time seconds of DNS waiting for what DMARC needs
 *             (its discovery at end of headers, then the lookups of
 *             identifiers under the author's organizational domain) and
 *             as much again for every other lookup of the message.
 * ERRORS      pipeline_env_new() returns NULL with why; the event functions
 *             cannot fail (results carry every outcome).
 */
#ifndef AUTHMILTER_PIPELINE_H
#define AUTHMILTER_PIPELINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/arc.h"
#include "util/buf.h"
#include "util/cidr.h"
#include "dns/dnsbudget.h"
#include "mail/hdr.h"
#include "core/policy.h"
#include "core/results.h"

struct config;
struct dkim_lib;
struct dkim_verifier;
struct metrics;
struct pkeycache;
struct psl;
struct report_store;
struct resolver;
struct sockaddr;

#define PIPELINE_MAX_AR_DELETE	100000

struct pipeline_env {
	atomic_int	 refs;		/* sessions + slot */
	struct config	*cfg;		/* one reference */
	struct resolver	*res;		/* built from cfg->dns */
	struct dkim_lib	*dkim;		/* libopendkim using res */
	struct psl	*psl;		/* rfc7489 mode: public suffix list */
	EVP_PKEY	*seal_key;	/* arc.seal.key_file, or NULL */
	char		*hostname;	/* fallback authserv-id, %{r} */
	struct metrics	*metrics;	/* main()'s, not owned; NULL: none */
	struct report_store *reports;	/* reports.store, or NULL */
	struct pkeycache *keys;		/* parsed ARC keys of this env */
};

struct pipeline_slot {
	pthread_mutex_t	 lock;		/* guards cur */
	struct pipeline_env *cur;	/* env in force, one reference */
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
	struct dkim_verifier *dkim;	/* streaming DKIM verifier, or NULL */
	struct arc_verifier *arc;	/* ARC sets and body hashes, or NULL */
	struct arc_seal_out seal;	/* ARC set to add (aar NULL: none) */
	size_t		 nfrom;		/* From fields seen */
	char		*author;	/* the one author domain, or NULL */
	char		 author_why[192];	/* why there is no author */
	int		 ambiguous;	/* several From fields or domains */
	struct results	 results;	/* what the checks found */
	struct decision	 decision;	/* what to do */
	struct buf	 arheader;	/* A-R value to insert ("" none) */
	struct timespec	 start;		/* MAIL FROM time, for ms= */
	struct dnsbudget dns_dmarc;	/* limits.dns_time for what DMARC
					   needs: discovery, aligned ids */
	struct dnsbudget dns_other;	/* limits.dns_time for the rest */
	int		 eoh;		/* end of headers handled */
	int		 discovered;	/* DMARC discovery ran (at eoh) */
	int		 evaluated;	/* eom ran */
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
	struct message	*msg;		/* current transaction */
};

struct pipeline_env *pipeline_env_new(struct config *, struct buf *why);
struct pipeline_env *pipeline_env_ref(struct pipeline_env *);
void	pipeline_env_release(struct pipeline_env *);
void	pipeline_slot_init(struct pipeline_slot *, struct pipeline_env *);
struct pipeline_env *pipeline_slot_acquire(struct pipeline_slot *);
void	pipeline_slot_swap(struct pipeline_slot *, struct pipeline_env *);
void	pipeline_slot_destroy(struct pipeline_slot *);

struct session *pipeline_connect(struct pipeline_env *, unsigned long id,
	    const struct sockaddr *, const char *mta_name);
void	pipeline_helo(struct session *, const char *);
void	pipeline_mail(struct session *, const char *, const char *auth);
void	pipeline_rcpt(struct session *, const char *);
void	pipeline_queue_id(struct session *, const char *);
void	pipeline_header(struct session *, const char *, const char *, size_t);
void	pipeline_eoh(struct session *);
void	pipeline_body(struct session *, const unsigned char *, size_t);
struct message *pipeline_eom(struct session *);
void	pipeline_abort(struct session *);
void	pipeline_close(struct session *);
void	pipeline_verdict_line(const struct session *, struct buf *);
void	pipeline_json(const struct session *, struct buf *);
void	pipeline_verdict_json(const struct session *, struct buf *);
long	pipeline_elapsed_ms(const struct message *);
void	pipeline_report(const struct session *, const struct message *);

#endif
