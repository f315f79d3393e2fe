/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posture - what a domain publishes for mail authentication, checked:
 * authmilter-check --domain
 *
 * STANDARDS   RFC 7208 (SPF: one record, syntax, 10 DNS-querying terms and
 *             2 void lookups across includes, section 4.6.4), RFC 6376 and
 *             RFC 8301 (DKIM keys), RFC 9989 and RFC 9990 section 4 (DMARC
 *             record by the tree walk, external report destinations),
 *             draft-brand-indicators-for-message-identification (BIMI,
 *             default._bimi), RFC 8461 (MTA-STS), RFC 8460 (TLS-RPT), RFC
 *             5321 section 5.1 and RFC 7505 (MX, null MX), RFC 7672 and
 *             RFC 6698 (DANE TLSA for SMTP), RFC 4035 (DNSSEC status).
 * OWNERSHIP   posture_run() fills a caller-owned struct posture_report,
 *             released with posture_free(). The front end (check/) only
 *             prints it.
 * LOCKING     none; one run on one thread, through the env's resolver.
 * LIMITS      POSTURE_MAX_ITEMS findings, POSTURE_MAX_SELECTORS selectors,
 *             POSTURE_MAX_SPF_RECORDS SPF records followed, POSTURE_MAX_MX
 *             MX hosts; the MTA-STS policy is fetched (--fetch) within
 *             POSTURE_FETCH_SECONDS and POSTURE_FETCH_MAX bytes.
 * ERRORS      none: every problem, DNS failures included, is a finding
 *             with a level and, for warnings and failures, a fix.
 */
#ifndef AUTHMILTER_POSTURE_H
#define AUTHMILTER_POSTURE_H

#include <stddef.h>

struct pipeline_env;

#define POSTURE_MAX_ITEMS	512
#define POSTURE_MAX_SELECTORS	16
#define POSTURE_MAX_SPF_RECORDS	32
#define POSTURE_MAX_MX		10
#define POSTURE_FETCH_SECONDS	10
#define POSTURE_FETCH_MAX	65536	/* RFC 8461 3.3: 64 KB policy */

enum posture_level {
	POSTURE_PASS,		/* as it should be (or a fact) */
	POSTURE_WARN,		/* works, but should be fixed */
	POSTURE_FAIL		/* broken: receivers will fail or ignore it */
};

/* one finding */
struct posture_item {
	char		 area[16];	/* spf dkim dmarc bimi mta-sts tls-rpt
					   mx dane dnssec */
	enum posture_level level;	/* how bad */
	char		*text;		/* what was found */
	char		*fix;		/* what to do, or NULL */
};

struct posture_request {
	const char	*domain;	/* the domain to check */
	const char	*selector[POSTURE_MAX_SELECTORS];	/* DKIM */
	size_t		 nselector;	/* entries in selector */
	int		 fetch;		/* fetch the MTA-STS policy (HTTPS) */
	const char	*ca_file;	/* CA certificates for it, or NULL */
};

struct posture_report {
	char		*domain;	/* as checked, lowercase */
	int		 validating;	/* answers were DNSSEC-validated */
	struct posture_item *item;	/* findings, in check order */
	size_t		 n;		/* entries in item */
};

void	posture_run(struct pipeline_env *, const struct posture_request *,
	    struct posture_report *);
int	posture_exit(const struct posture_report *);
const char *posture_level_name(enum posture_level);
void	posture_free(struct posture_report *);

#endif
