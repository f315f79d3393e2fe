/* SPDX-License-Identifier: BSD-2-Clause */
/* report_fail - send the recorded failure reports, within the limits */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "report/report.h"
#include "report/report_arf.h"
#include "report/report_db.h"
#include "report/report_dest.h"
#include "report/report_failure.h"
#include "report_fail.h"
#include "report_send.h"

#define REPORT_FAIL_MAX_MAIL	(4 * REPORT_FAILURE_MAX_LINE)

/* report_fail_say - one line per decision */
static void
report_fail_say(const struct report_failure *r, const char *addr,
    const char *what, const char *why)
{
	printf("failure %s %s: %s%s%s\n", r->f[REPORT_F_POLICY_DOMAIN], addr,
	    what, why != NULL && *why != '\0' ? ": " : "", why != NULL ? why :
	    "");
}

/* report_fail_deliver - the message to the MTA, or a file (--dry-run) */
static int
report_fail_deliver(struct report_fail_run *run,
    const struct report_failure *r, const char *to, const struct buf *msg,
    struct buf *why)
{
	struct buf name;
	int rc;

	if (run->dry_run == NULL)
		return report_send_sendmail(run->cfg->reports.sendmail,
		    run->cfg->reports.email, to, msg->data, msg->len, why);
	buf_init(&name, 4096);
	buf_printf(&name, "failure-%.16s.%s.eml", r->f[REPORT_F_DEDUP], to);
	rc = report_send_file(run->dry_run, name.data, msg->data, msg->len,
	    why);
	buf_free(&name);
	return rc;
}

/* report_fail_limited - over a limit in the hour before now (locked) */
static int
report_fail_limited(struct report_fail_run *run, const char *to,
    struct buf *why)
{
	struct report_failure_rate rate;

	if (report_failure_rate(run->db, to, (long long)run->now, &rate,
	    why) != 0)
		return -1;
	if (rate.destination >= run->cfg->reports.failure.rate_destination) {
		buf_printf(why, "%lld sent to it in the last hour",
		    rate.destination);
		return 1;
	}
	if (rate.global >= run->cfg->reports.failure.rate_global) {
		buf_printf(why, "%lld sent in the last hour", rate.global);
		return 1;
	}
	return 0;
}

/*
 * report_fail_send - one destination in one transaction under the
 * store's lock: over a limit, marked "limited" (discarded, RFC 9991
 * 8.1); else marked "sent" and handed to sendmail, the mark undone when
 * that fails. 1 decided, 0 left for the next run.
 */
static int
report_fail_send(struct report_fail_run *run, const struct report_failure *r,
    const char *to, const struct buf *msg)
{
	const char *dedup = r->f[REPORT_F_DEDUP];
	char before[32] = "";
	struct buf why;
	int lim, rc = 0;

	buf_init(&why, 4096);
	if (run->dry_run != NULL) {
		rc = report_fail_deliver(run, r, to, msg, &why) == 0;
		report_fail_say(r, to, rc ? "written" : "failed", why.data);
	} else if (report_db_begin(run->db, &why) != 0 ||
	    report_db_lock(run->db, &why) != 0 ||
	    report_failure_outcome(run->db, dedup, to, before, sizeof(before),
	    &why) != 0 || (lim = before[0] != '\0' ? 0 :
	    report_fail_limited(run, to, &why)) < 0) {
		report_db_rollback(run->db);
		report_fail_say(r, to, "store failed", why.data);
	} else if (before[0] != '\0') {
		/* another sender decided it while we waited for the lock */
		report_db_rollback(run->db);
		rc = 1;
	} else if (report_failure_mark(run->db, dedup, to, lim ? "limited" :
	    "sent", (long long)run->now, &why) != 0) {
		report_db_rollback(run->db);
		report_fail_say(r, to, "store failed", why.data);
	} else if (lim) {
		rc = report_db_commit(run->db, &why) == 0;
		report_fail_say(r, to, "rate limited", why.data);
	} else if (report_fail_deliver(run, r, to, msg, &why) != 0) {
		report_db_rollback(run->db);
		report_fail_say(r, to, "failed", why.data);
	} else {
		run->sent++;
		rc = report_db_commit(run->db, &why) == 0;
		report_fail_say(r, to, rc ? "sent" : "sent, but not marked",
		    why.data);
	}
	if (!rc) {
		run->failed = 1;
		run->retry++;
	}
	buf_free(&why);
	return rc;
}

/* report_fail_mail - the report as sent to one address */
static void
report_fail_mail(const struct report_fail_run *run,
    const struct report_failure *r, const char *to, struct buf *msg)
{
	struct report_arf a;

	memset(&a, 0, sizeof(a));
	a.from = run->cfg->reports.email;
	a.to = to;
	a.submitter = run->submitter;
	a.r = r;
	a.date = time(NULL);	/* sent now, whatever --now says */
	report_arf_build(&a, msg);
}

/*
 * report_fail_dest - one destination of a report: decided before, not
 * authorized or suppressed (marked so), or sent; 0 when left for later
 */
static int
report_fail_dest(struct report_fail_run *run, const struct report_failure *r,
    const struct report_dest *d)
{
	enum report_dest_decision dd;
	struct buf msg, why;
	char before[32] = "";
	int rc = 1;

	buf_init(&why, 4096);
	if (run->dry_run == NULL && report_failure_outcome(run->db,
	    r->f[REPORT_F_DEDUP], d->addr, before, sizeof(before), &why) != 0)
		before[0] = '\0';
	if (before[0] != '\0') {
		buf_free(&why);
		return 1;	/* a run before decided it */
	}
	buf_init(&msg, REPORT_FAIL_MAX_MAIL);
	report_fail_mail(run, r, d->addr, &msg);
	dd = report_dest_check_tag(run->res, run->cfg,
	    r->f[REPORT_F_POLICY_DOMAIN], r->f[REPORT_F_ORG_DOMAIN], d, "ruf",
	    msg.len, &why);
	if (dd == REPORT_DEST_SEND)
		rc = report_fail_send(run, r, d->addr, &msg);
	else {
		report_fail_say(r, d->addr, report_dest_decision_name(dd),
		    why.data);
		if (dd == REPORT_DEST_DEFER) {
			run->failed = 1;
			run->retry++;
			rc = 0;
		} else if (run->dry_run == NULL)
			report_failure_mark(run->db, r->f[REPORT_F_DEDUP],
			    d->addr, report_dest_decision_name(dd),
			    (long long)run->now, &why);
	}
	buf_free(&msg);
	buf_free(&why);
	return rc;
}

/* report_fail_one - every ruf destination of one report */
static void
report_fail_one(struct report_fail_run *run, const struct report_failure *r)
{
	struct report_dest d[REPORT_DEST_MAX];
	struct buf why;
	size_t n, i;
	int all = 1;

	buf_init(&why, 4096);
	n = report_dest_parse(r->f[REPORT_F_RUF], strlen(r->f[REPORT_F_RUF]),
	    d, REPORT_DEST_MAX, &why);
	if (why.len > 0)
		report_fail_say(r, "ruf", "ignored URIs", why.data);
	for (i = 0; i < n; i++)
		if (!report_fail_dest(run, r, &d[i]))
			all = 0;
	buf_reset(&why);
	if (all && run->dry_run == NULL && report_failure_done(run->db,
	    r->f[REPORT_F_DEDUP], &why) != 0) {
		log_err("failure report %s: %s", r->f[REPORT_F_DEDUP],
		    why.data);
		run->failed = 1;
	}
	report_dest_free(d, n);
	buf_free(&why);
}

/* report_fail_run - the pending reports, oldest first */
int
report_fail_run(struct report_fail_run *run)
{
	struct report_failure *batch;
	struct buf why;
	size_t n = 0, i;

	batch = xcalloc(REPORT_FAILURE_BATCH, sizeof(*batch));
	buf_init(&why, 4096);
	if (report_failure_pending(run->db, (long long)run->now, batch,
	    REPORT_FAILURE_BATCH, &n, &why) != 0) {
		log_err("failure reports: %s", why.data);
		run->failed = 1;
	}
	for (i = 0; i < n; i++) {
		report_fail_one(run, &batch[i]);
		report_failure_free(&batch[i]);
	}
	free(batch);
	buf_free(&why);
	return run->failed ? 1 : 0;
}
