/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline - the per-message work, fed by the daemon and by the check CLI
 *
 * STANDARDS   doc/architecture.md "One message"; RFC 8601 section 5
 *             (forged A-R removal), RFC 7208 (SPF at end of message),
 *             RFC 6376 (headers and body streamed into DKIM as they come),
 *             RFC 9989 section 5.3.1 (exactly one author domain).
 * OWNERSHIP   a struct pipeline_env (config + resolver + parsed-key cache)
 *             is refcounted and shared; a struct session is one connection
 *             and owns its message; pipeline_close() frees both. Both are
 *             opaque: a front end feeds events in and walks the verdict
 *             pipeline_eom() returns, which lives until pipeline_end().
 * LOCKING     struct pipeline_slot's mutex guards only the env pointer. A
 *             session is used by one thread at a time (libmilter never runs
 *             two callbacks of one connection at once) and needs no lock.
 * LIMITS      header limits of mail/hdr.h, lowered by limits.headers,
 *             limits.header_size and limits.header_bytes; at most
 *             100,000 forged A-R fields removed per message;
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
#include <stddef.h>
#include <time.h>

#include "core/decision.h"

struct buf;
struct config;
struct metrics;
struct pipeline_env;
struct resolver_event;
struct session;
struct sockaddr;

/*
 * dmarc.quarantine "header": the fields a delivered p=quarantine failure
 * gets (authmilter(8) ACTIONS); copies of PIPELINE_MARK_FIELD that arrive
 * from an untrusted client are deleted
 */
#define PIPELINE_MARK_FIELD	"X-Authmilter-Quarantine"
#define PIPELINE_SPAM_FIELD	"X-Spam-Flag"

struct pipeline_slot {
	pthread_mutex_t	 lock;		/* guards cur */
	struct pipeline_env *cur;	/* env in force, one reference */
};

/* what a new connection needs, decided once, at connect */
enum pipeline_start {
	PIPELINE_CHECK,		/* check every message */
	PIPELINE_SEAL,		/* trusted: not checked, but signed,
				   ARC-sealed or read for
				   ingest.recipients */
	PIPELINE_SKIP		/* trusted: nothing to do, accept it all */
};

enum pipeline_edit_op {
	PIPELINE_EDIT_DELETE,	/* delete field name #index */
	PIPELINE_EDIT_INSERT	/* insert name: value at the top */
};

/* one header edit; a front end carries them out in order */
struct pipeline_edit {
	enum pipeline_edit_op op;	/* delete or insert */
	const char	*name;		/* field name */
	size_t		 index;		/* delete: 1-based among fields of name */
	const char	*value;		/* insert: the value, no leading space */
};

/* what to do with one message */
struct pipeline_verdict {
	enum policy_action action;	/* accept reject quarantine tempfail */
	const char	*rcode;		/* reject, tempfail: SMTP reply code */
	const char	*xcode;		/* its enhanced status code */
	const char	*text;		/* reply text or quarantine reason */
	const struct pipeline_edit *edits;	/* header edits, in order */
	size_t		 nedits;	/* entries in edits */
	size_t		 removed;	/* forged A-R among the edits */
	size_t		 removed_marks;	/* forged marks among them */
	const char	*authserv_id;	/* ours, as the A-R names it */
	const char	*id;		/* queue id, or "c=N", for logs */
	const char	*log;		/* the verdict line, log.format */
	int		 discard;	/* drop it: every recipient was an
					   ingest one (ingest.deliver false) */
	const char *const *delrcpt;	/* recipients to remove, as given at
					   RCPT (ingest.deliver false) */
	size_t		 ndelrcpt;	/* entries in delrcpt */
};

struct pipeline_env *pipeline_env_new(struct config *, struct buf *why);
struct pipeline_env *pipeline_env_ref(struct pipeline_env *);
void	pipeline_env_release(struct pipeline_env *);
const struct config *pipeline_env_config(const struct pipeline_env *);
void	pipeline_env_attach(struct pipeline_env *, struct metrics *);
struct metrics *pipeline_env_metrics(const struct pipeline_env *);
void	pipeline_env_dry_run(struct pipeline_env *);
void	pipeline_env_trace(struct pipeline_env *,
	    void (*)(void *, const struct resolver_event *), void *);
void	pipeline_env_records(const struct pipeline_env *, struct buf *);
void	pipeline_slot_init(struct pipeline_slot *, struct pipeline_env *);
struct pipeline_env *pipeline_slot_acquire(struct pipeline_slot *);
void	pipeline_slot_swap(struct pipeline_slot *, struct pipeline_env *);
void	pipeline_slot_destroy(struct pipeline_slot *);

struct session *pipeline_connect(struct pipeline_env *, unsigned long id,
	    const struct sockaddr *, const char *mta_name, int leadspc,
	    enum pipeline_start *);
void	pipeline_fixed_time(struct session *, time_t);
void	pipeline_helo(struct session *, const char *);
void	pipeline_tls(struct session *, const char *version, const char *cipher,
	    const char *bits, const char *subject);
void	pipeline_mail(struct session *, const char *, const char *auth);
void	pipeline_rcpt(struct session *, const char *);
void	pipeline_queue_id(struct session *, const char *);
void	pipeline_header(struct session *, const char *, const char *, size_t);
void	pipeline_eoh(struct session *);
void	pipeline_body(struct session *, const unsigned char *, size_t);
const struct pipeline_verdict *pipeline_eom(struct session *);
void	pipeline_end(struct session *);
void	pipeline_close(struct session *);
void	pipeline_fault(struct session *, int milter);
void	pipeline_check_json(const struct session *, struct buf *);

#endif
