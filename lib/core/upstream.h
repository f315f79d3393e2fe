/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * upstream - SPF and DKIM results a trusted host in front of us (a
 *            gateway, a secondary MX) recorded in its Authentication-
 *            Results, for policy.trusted_authserv_ids
 *
 * STANDARDS   RFC 8601 (the fields read); authmilter.conf(5)
 *             policy.trusted_authserv_ids says which results count:
 *             every A-R field whose authserv-id is listed (compared as a
 *             domain name), top (newest) first; the first spf= clause of
 *             them, with smtp.mailfrom (its domain; smtp.helo for the
 *             null sender) as the identity; every dkim= clause that has
 *             header.d, in order, up to dkim.max_signatures. Other
 *             methods (dmarc=, arc=, ...) are not used: DMARC is
 *             evaluated here from these results.
 * OWNERSHIP   upstream_results() fills the caller's spf and dkim results
 *             (results_free() releases them); the id it returns is the
 *             config's string.
 * LOCKING     none; one message.
 * LIMITS      the header limits of the message's struct hdr; A-R fields
 *             past AUTHRES_MAX_RESULTS clauses are read up to there.
 * ERRORS      none: a field that does not parse is not used; no usable
 *             field at all is NULL.
 */
#ifndef AUTHMILTER_UPSTREAM_H
#define AUTHMILTER_UPSTREAM_H

struct config;
struct hdr;
struct results;

const char *upstream_results(const struct hdr *, const struct config *,
	    int null_sender, struct results *);

#endif
