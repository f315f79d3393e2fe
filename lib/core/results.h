/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * results - what the checks of one message found
 *
 * STANDARDS   written once per method, read by the A-R writer, the policy
 *             and the report store; RFC 8601 (the A-R clauses),
 *             authmilter(8) LOGGING (the verdict line, text or JSON),
 *             draft-brand-indicators-for-message-identification-10
 *             section 7.7 (the bimi= clause).
 * OWNERSHIP   a struct results owns its method results; results_free().
 *             results_authres() fills a caller-initialized struct authres.
 * LOCKING     none; one message.
 * ERRORS      none.
 */
#ifndef AUTHMILTER_RESULTS_H
#define AUTHMILTER_RESULTS_H

#include "auth/arc.h"
#include "auth/bimi.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/iprev.h"
#include "auth/spf.h"

struct authres;
struct buf;
struct config_override;
struct decision;

/* the MTA's TLS macros for the connection (all NULL: no TLS) */
struct results_tls {
	char	*version;		/* {tls_version} */
	char	*cipher;		/* {cipher} */
	char	*bits;			/* {cipher_bits} */
	char	*subject;		/* {cert_subject}, or NULL */
};

struct results {
	struct spf_result spf;		/* SPF (checked = 0 when not run) */
	struct dkim_result dkim;	/* DKIM, every signature */
	struct dmarc_result dmarc;	/* DMARC */
	struct arc_result arc;		/* ARC chain validation */
	struct bimi_result bimi;	/* BIMI (reason alone: skipped) */
	struct iprev_result iprev;	/* iprev (RFC 8601 section 3) */
	struct results_tls tls;		/* x-tls, when the MTA said TLS */
	const struct config_override *override;	/* the policy.overrides
					   rule that matches (the config's),
					   or NULL */
	const char	*upstream;	/* trusted authserv-id whose SPF and
					   DKIM results these are (the
					   config's), or NULL: our own */
};

void	results_free(struct results *);
void	results_tls_set(struct results_tls *, const char *, const char *,
	    const char *, const char *);
int	results_temperror(const struct results *);
void	results_authres(const struct results *, const struct decision *,
	    const char *client_ip, int remote_ip, struct authres *);
void	results_log(const struct results *, struct buf *);
void	results_log_json(const struct results *, struct buf *);
void	results_json(const struct results *, const struct decision *,
	    struct buf *);
void	results_received_spf(const struct spf_result *, const char *client_ip,
	    const char *helo, const char *mailfrom, const char *receiver,
	    struct buf *);

#endif
