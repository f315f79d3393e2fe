/* SPDX-License-Identifier: BSD-2-Clause */
/* authmilter-report - DMARC aggregate reports from the report store */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "core/versions.h"
#include "util/log.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_dest.h"
#include "report/report_failure.h"
#include "report/report_mail.h"
#include "report/report_period.h"
#include "report_fail.h"
#include "report_ingest.h"
#include "report_send.h"
#include "report/report_spool.h"
#include "report/report_xml.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

#define REPORT_MAX_XML		(256 * 1024 * 1024)

struct report_opts {
	const char	*file;		/* -c */
	const char	*period;	/* --period, default "yesterday" */
	const char	*dry_run;	/* --dry-run DIR, or NULL */
	const char	*now;		/* --now, or NULL: the clock */
	int		 force;		/* --force */
	int		 failures;	/* --failures: RFC 9991 reports */
	int		 aggregate_only;	/* --period or --force given */
};

/* the run: what every domain's report needs */
struct report_run {
	struct report_opts o;		/* command line */
	struct config	*cfg;		/* the configuration */
	struct report_db *db;		/* the store */
	struct resolver	*res;		/* for external destinations */
	const char	*submitter;	/* domain of reports.email */
	time_t		 now;		/* --now or the clock: "yesterday",
					   retention, reports_sent.sent_at */
	long long	 begin, end;	/* the period, inclusive */
	int		 failed;	/* a report could not be built or sent */
	size_t		 retry;		/* destinations left for the next run */
};

#define REPORT_SYNOPSIS	"usage: authmilter-report [-c FILE] [--period " \
	"YYYY-MM-DD|yesterday] [--dry-run DIR] [--force]\n" \
	"                         [--now EPOCH|YYYY-MM-DD[THH:MM:SS[Z]]]\n" \
	"       authmilter-report --failures [-c FILE] [--dry-run DIR] " \
	"[--now TIME]\n" \
	"       authmilter-report ingest [-c FILE] [-q] [--now TIME] " \
	"[FILE|DIR|-]...\n" \
	"       authmilter-report -h | --help | -V | --version\n"

/* report_usage - and exit 2 */
static void __attribute__((noreturn))
report_usage(void)
{
	fputs(REPORT_SYNOPSIS, stderr);
	exit(2);
}

/* report_help - -h, --help: the synopsis and each option; exit 0 */
static void __attribute__((noreturn))
report_help(void)
{
	printf(REPORT_SYNOPSIS "\n"
	    "DMARC aggregate reports (RFC 9990) for one UTC day, from the "
	    "store authmilter\nrecords into (reports.store).\n\n"
	    "  -c FILE           configuration file (default %s)\n"
	    "  --period DAY      the day YYYY-MM-DD, or yesterday (the "
	    "default)\n"
	    "  --dry-run DIR     write the reports and mails to DIR, send "
	    "nothing\n"
	    "  --force           send a period again\n"
	    "  --now TIME        run as if it were TIME (tests, backfills)\n"
	    "  --failures        send the pending DMARC failure reports (RFC "
	    "9991)\n                    instead, within the rate limits\n"
	    "  -V, --version     the versions of authmilter-report and its "
	    "libraries\n"
	    "  -h, --help        this text\n\n"
	    "ingest reads received DMARC aggregate and TLS reports (a "
	    "message, an mbox,\na Maildir, a folder, or standard input) "
	    "into the store.\n\n"
	    "Exit status: 0 done, 1 something left for the next run (or an "
	    "unusable\nconfiguration or store), 2 a bad command line. See "
	    "authmilter-report(8).\n",
	    CONFIG_DEFAULT_FILE);
	exit(0);
}

/* report_version - our version and every library's, in words; exit 0 */
static void __attribute__((noreturn))
report_version(void)
{
	versions_print(stdout, "authmilter-report");
	exit(0);
}

/* report_parse - the command line */
static void
report_parse(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "dry-run", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "failures", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->file = CONFIG_DEFAULT_FILE;
	o->period = "yesterday";
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->file = optarg;
			break;
		case 'p':
			o->period = optarg;
			o->aggregate_only = 1;
			break;
		case 'd':
			o->dry_run = optarg;
			break;
		case 'f':
			o->force = 1;
			o->aggregate_only = 1;
			break;
		case 'n':
			o->now = optarg;
			break;
		case 'F':
			o->failures = 1;
			break;
		case 'h':
			report_help();
		case 'V':
			report_version();
		default:
			report_usage();
		}
	}
	/* failure reports have no period: a --period would be ignored */
	if (optind != argc || (o->failures && o->aggregate_only))
		report_usage();
}

/* report_sent_row - a reports_sent row exists */
static int
report_sent_row(void *arg, int ncols, const char *const *v)
{
	(void)ncols;
	(void)v;
	*(int *)arg = 1;
	return 0;
}

/* report_sent - has this report already gone to this address */
static int
report_sent(struct report_run *run, const char *domain, const char *addr,
    int mark)
{
	char b[24], now[24];
	const char *p[4] = { b, domain, addr, now };
	struct buf why;
	int found = 0, rc;

	snprintf(b, sizeof(b), "%lld", run->begin);
	snprintf(now, sizeof(now), "%lld", (long long)run->now);
	buf_init(&why, 1024);
	if (mark)
		rc = report_db_exec(run->db, "INSERT INTO reports_sent "
		    "(period_begin, policy_domain, destination, sent_at) VALUES "
		    "($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, p, NULL, NULL,
		    &why);
	else
		rc = report_db_exec(run->db, "SELECT 1 FROM reports_sent WHERE "
		    "period_begin = $1 AND policy_domain = $2 AND destination "
		    "= $3", 3, p, report_sent_row, &found, &why);
	if (rc != 0) {
		/* a mark not written means a resend next run: say so in $? */
		log_err("reports_sent: %s", why.data);
		run->failed = 1;
	}
	buf_free(&why);
	return found;
}

/* the report of one policy domain, ready to go */
struct report_out {
	const char	*domain;	/* policy domain */
	const char	*org;		/* its organizational domain */
	char		 report_id[600];	/* ridtxt */
	char		 filename[800];	/* RFC 9990 file name */
	struct buf	 gz;		/* the compressed XML */
};

/* report_say - one line per decision on stdout */
static void
report_say(const struct report_out *out, const char *addr, const char *what,
    const char *why)
{
	printf("%s %s: %s%s%s\n", out->domain, addr, what, why && *why ?
	    ": " : "", why ? why : "");
}

/* report_check - may this destination get the report; why not */
static int
report_check(struct report_run *run, const struct report_out *out,
    const struct report_dest *d, struct buf *why)
{
	enum report_dest_decision dd;

	dd = report_dest_check(run->res, run->cfg, out->domain, out->org, d,
	    out->gz.len, why);
	if (dd != REPORT_DEST_SEND) {
		report_say(out, d->addr, report_dest_decision_name(dd),
		    why->data);
		if (dd == REPORT_DEST_DEFER) {
			run->failed = 1;
			run->retry++;
		}
		return 0;
	}
	if (!run->o.force && run->o.dry_run == NULL &&
	    report_sent(run, out->domain, d->addr, 0)) {
		report_say(out, d->addr, "already sent", "use --force");
		return 0;
	}
	return 1;
}

/* report_deliver - one destination: checks, then the mail */
static void
report_deliver(struct report_run *run, const struct report_out *out,
    const struct report_dest *d)
{
	struct report_mail m;
	struct buf msg, why, name;

	buf_init(&why, 4096);
	if (!report_check(run, out, d, &why)) {
		buf_free(&why);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.from = run->cfg->reports.email;
	m.to = d->addr;
	m.domain = out->domain;
	m.submitter = run->submitter;
	m.report_id = out->report_id;
	m.filename = out->filename;
	m.gz = out->gz.data;
	m.gzlen = out->gz.len;
	m.date = time(NULL);	/* sent now, whatever --now says */
	buf_init(&msg, (size_t)REPORT_MAX_XML * 2);
	report_mail_build(&m, &msg);
	buf_init(&name, 4096);
	buf_printf(&name, "%s.%s.eml", out->filename, d->addr);
	if (run->o.dry_run != NULL ? report_send_file(run->o.dry_run,
	    name.data, msg.data, msg.len, &why) : report_send_sendmail(
	    run->cfg->reports.sendmail, m.from, m.to, msg.data, msg.len,
	    &why)) {
		report_say(out, d->addr, "failed", why.data);
		run->failed = 1;
		run->retry++;
	} else {
		report_say(out, d->addr, run->o.dry_run ? "written" : "sent",
		    run->o.dry_run ? name.data : out->filename);
		if (run->o.dry_run == NULL)
			report_sent(run, out->domain, d->addr, 1);
	}
	buf_free(&name);
	buf_free(&msg);
	buf_free(&why);
}

/* report_build - XML and gzip for one domain */
static int
report_build(struct report_run *run, struct report_out *out,
    const struct report_record *policy, const struct report_rows *rows,
    struct buf *why)
{
	struct report_meta meta;
	struct buf xml;
	int rc;

	snprintf(out->report_id, sizeof(out->report_id), "%lld.%s@%s",
	    run->begin, out->domain, run->submitter);
	snprintf(out->filename, sizeof(out->filename), "%s!%s!%lld!%lld.xml.gz",
	    run->submitter, out->domain, run->begin, run->end);
	memset(&meta, 0, sizeof(meta));
	meta.org_name = *run->cfg->reports.org_name ?
	    run->cfg->reports.org_name : run->submitter;
	meta.email = run->cfg->reports.email;
	meta.report_id = out->report_id;
	meta.generator = "authmilter " PACKAGE_VERSION;
	meta.begin = run->begin;
	meta.end = run->end;
	buf_init(&xml, REPORT_MAX_XML);
	report_xml_write(&meta, policy, rows, &xml);
	rc = xml.truncated ? (buf_puts(why, "report too large"), -1) :
	    report_mail_gzip(xml.data, xml.len, &out->gz, why);
	if (rc == 0 && run->o.dry_run != NULL)
		rc = report_send_file(run->o.dry_run, out->filename,
		    out->gz.data, out->gz.len, why);
	buf_free(&xml);
	return rc;
}

/* report_domain - the report of one policy domain to each destination */
static void
report_domain(struct report_run *run, const char *domain)
{
	struct report_record policy;
	struct report_rows rows;
	struct report_dest d[REPORT_DEST_MAX];
	struct report_out out;
	struct buf why;
	size_t n = 0, i;

	memset(&rows, 0, sizeof(rows));
	memset(&out, 0, sizeof(out));
	report_record_init(&policy);
	buf_init(&why, 4096);
	buf_init(&out.gz, REPORT_MAX_XML);
	out.domain = domain;
	if (report_period_rows(run->db, domain, run->begin, run->end, &policy,
	    &rows, &why) != 0 ||
	    rows.n == 0 || report_build(run, &out, &policy, &rows, &why) != 0) {
		log_err("%s: %s", domain, rows.n ? why.data : "no rows");
		run->failed = 1;
		goto done;
	}
	out.org = policy.f[REPORT_ORG_DOMAIN];
	n = report_dest_parse(policy.f[REPORT_RUA],
	    strlen(policy.f[REPORT_RUA]), d, REPORT_DEST_MAX, &why);
	if (why.len > 0)
		report_say(&out, "rua", "ignored URIs", why.data);
	for (i = 0; i < n; i++)
		report_deliver(run, &out, &d[i]);
done:
	report_dest_free(d, n);
	report_rows_free(&rows);
	report_record_free(&policy);
	buf_free(&out.gz);
	buf_free(&why);
}

/* report_expire - RFC 9990 leaves retention to us: reports.retention_days */
static void
report_expire(struct report_run *run)
{
	char cut[24];
	const char *p[1] = { cut };
	struct buf why;

	snprintf(cut, sizeof(cut), "%lld", (long long)run->now -
	    (long long)run->cfg->reports.retention_days * REPORT_DAY);
	buf_init(&why, 1024);
	if (report_db_exec(run->db, "DELETE FROM records WHERE ts < $1", 1, p,
	    NULL, NULL, &why) != 0 || report_db_exec(run->db, "DELETE FROM "
	    "reports_sent WHERE period_begin < $1", 1, p, NULL, NULL,
	    &why) != 0 || report_failure_expire(run->db, (long long)run->now -
	    (long long)run->cfg->reports.retention_days * REPORT_DAY,
	    &why) != 0)
		log_err("expiring old rows: %s", why.data);
	buf_free(&why);
}

/* report_open - config, store, resolver; exit 1 when they are not usable */
static void
report_open(struct report_run *run)
{
	struct buf why;
	size_t n;

	buf_init(&why, 4096);
	if ((run->cfg = config_load(run->o.file, &why)) == NULL)
		log_fatal("%s", why.data);
	if (*run->cfg->reports.store == '\0') {
		/* the shipped default: the daily timer must not fail on it */
		log_info("%s: reports.store is empty: DMARC %s reports are "
		    "off, nothing to send", run->o.file, run->o.failures ?
		    "failure" : "aggregate");
		buf_free(&why);
		config_release(run->cfg);
		exit(0);
	}
	if (*run->cfg->reports.email == '\0')
		log_fatal("%s: reports.email must be set when reports.store is",
		    run->o.file);
	run->submitter = strrchr(run->cfg->reports.email, '@') + 1;
	if ((run->res = resolver_new(run->cfg, &why)) == NULL ||
	    (run->db = report_db_open(run->cfg->reports.store, &why)) == NULL)
		log_fatal("%s", why.data);
	/* records a local daemon spooled belong in this report too */
	if (report_spool_replay_dir(run->db, run->cfg->reports.spool_dir, &n,
	    &why) != 0)
		log_warnx("spool %s: %s", run->cfg->reports.spool_dir,
		    why.data);
	else if (n > 0)
		log_info("%zu spooled record(s) replayed", n);
	buf_free(&why);
}

/*
 * report_retry_say - one line for syslog when destinations were left out
 * for a DNS failure or a sendmail error: they are not marked sent, so the
 * next run for the period sends them and only them
 */
static void
report_retry_say(const struct report_run *run)
{
	char date[16];
	time_t t = (time_t)run->begin;
	struct tm tm;

	if (run->retry == 0 || run->o.dry_run != NULL)
		return;
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime_r(&t, &tm));
	log_warnx("%zu report destination(s) for %s deferred (DNS failure or "
	    "sendmail error) and not marked sent: the next run for --period "
	    "%s sends them", run->retry, date, date);
}

/*
 * report_failures - --failures: the RFC 9991 reports the daemons
 * recorded (reports.failure.enabled), each to its verified ruf
 * destinations within the rate limits; the exit status
 */
static int
report_failures(struct report_run *run)
{
	struct report_fail_run fr;
	int rc;

	memset(&fr, 0, sizeof(fr));
	fr.cfg = run->cfg;
	fr.db = run->db;
	fr.res = run->res;
	fr.submitter = run->submitter;
	fr.dry_run = run->o.dry_run;
	fr.now = run->now;
	rc = report_fail_run(&fr);
	if (fr.retry > 0 && run->o.dry_run == NULL)
		log_warnx("%zu failure report destination(s) deferred (DNS "
		    "failure or sendmail error): the next run sends them",
		    fr.retry);
	report_db_close(run->db);
	resolver_free(run->res);
	config_release(run->cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct report_run run;
	struct config_list domains = { NULL, 0 };
	struct buf why;
	size_t i;

	if (argc > 1 && strcmp(argv[1], "ingest") == 0)
		return report_ingest_main(argc - 1, argv + 1);
	memset(&run, 0, sizeof(run));
	report_parse(argc, argv, &run.o);
	log_open("authmilter-report", LOG_MAIL, 1);
	run.now = time(NULL);
	if ((run.o.now != NULL && report_time_parse(run.o.now, &run.now) != 0)
	    || report_period_parse(run.o.period, run.now, &run.begin,
	    &run.end) != 0)
		report_usage();
	report_open(&run);
	report_expire(&run);
	if (run.o.failures)
		return report_failures(&run);
	buf_init(&why, 4096);
	if (report_period_domains(run.db, run.begin, run.end, &domains,
	    &why) != 0)
		log_fatal("%s", why.data);
	for (i = 0; i < domains.n; i++) {
		report_domain(&run, domains.v[i]);
		free(domains.v[i]);
	}
	free(domains.v);
	buf_free(&why);
	report_retry_say(&run);
	report_db_close(run.db);
	resolver_free(run.res);
	config_release(run.cfg);
	return run.failed ? 1 : 0;
}
