/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_ingest - "authmilter-report ingest [FILE|DIR|-]": received
 * reports from a message, an mbox, a Maildir, a folder or a bare report
 * file into the store (a pipe transport's command, and backfills)
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "dns/resolver.h"
#include "core/ingest.h"
#include "report/report_period.h"
#include "report_ingest.h"

#define REPORT_INGEST_MAX_FILES	1000000	/* files of one folder */

/* the run */
struct report_ingest {
	struct config	*cfg;		/* the configuration */
	struct resolver	*res;		/* PTR lookups */
	struct ingest_ctx ctx;		/* the store */
	struct ingest_tally t;		/* summed over every input */
	size_t		 inputs;	/* messages and files read */
	size_t		 failed;	/* inputs refused */
	int		 quiet;		/* -q: no line per input */
};

/* report_ingest_usage - and exit 2 */
static void __attribute__((noreturn))
report_ingest_usage(void)
{
	fprintf(stderr, "usage: authmilter-report ingest [-c FILE] [-q] "
	    "[--now TIME] [FILE|DIR|-]...\n");
	exit(2);
}

/* report_ingest_one - one message or report file */
static void
report_ingest_one(struct report_ingest *ri, const char *data, size_t len,
    const char *name)
{
	struct ingest_tally t;
	struct buf why, safe;
	enum ingest_status st;

	memset(&t, 0, sizeof(t));
	buf_init(&why, 4096);
	ri->inputs++;
	st = ingest_input(&ri->ctx, data, len, &t, &why);
	ri->t.reports += t.reports;
	ri->t.stored += t.stored;
	ri->t.duplicates += t.duplicates;
	ri->t.refused += t.refused;
	ri->t.quarantined += t.quarantined;
	ri->t.annotated += t.annotated;
	buf_init(&safe, LOG_SAFE_MAX + 8);
	log_safe(&safe, why.data, why.len);
	if (st != INGEST_OK) {
		ri->failed++;
		log_warnx("%s: %s: %s", name, ingest_strstatus(st), safe.data);
	} else if (!ri->quiet)
		printf("%s: %zu report(s): %zu stored, %zu duplicate\n", name,
		    t.reports, t.stored, t.duplicates);
	buf_free(&safe);
	buf_free(&why);
}

/* report_ingest_too_big - an input over the limit, refused unread */
static void
report_ingest_too_big(struct report_ingest *ri, const char *name)
{
	ri->inputs++;
	ri->failed++;
	ri->t.refused++;
	log_warnx("%s: too large: over ingest.max_message_size (%d bytes)",
	    name, ri->cfg->ingest.max_message_size);
}

/*
 * report_ingest_mbox - split an mbox at its "From " lines, one message
 * at a time (an mbox may be larger than memory should hold); the first
 * "From " line was read already
 */
static void
report_ingest_mbox(struct report_ingest *ri, FILE *f, const char *name)
{
	size_t max = (size_t)ri->cfg->ingest.max_message_size, cap = 0, n = 1;
	char *line = NULL, label[1100];
	ssize_t got;
	struct buf msg;
	int over = 0;

	buf_init(&msg, max);
	while ((got = getline(&line, &cap, f)) >= 0) {
		if (strncmp(line, "From ", 5) == 0) {
			if (msg.len > 0 || over) {
				snprintf(label, sizeof(label), "%s#%zu", name, n);
				if (over)
					report_ingest_too_big(ri, label);
				else
					report_ingest_one(ri, msg.data, msg.len,
					    label);
			}
			n++;
			buf_reset(&msg);
			over = 0;
			continue;
		}
		if (!over && buf_append(&msg, line, (size_t)got) != 0)
			over = 1;
	}
	if (msg.len > 0 || over) {
		snprintf(label, sizeof(label), "%s#%zu", name, n);
		if (over)
			report_ingest_too_big(ri, label);
		else
			report_ingest_one(ri, msg.data, msg.len, label);
	}
	free(line);
	buf_free(&msg);
}

/* report_ingest_stream - a file or stdin: an mbox, a message or a report */
static void
report_ingest_stream(struct report_ingest *ri, FILE *f, const char *name)
{
	size_t max = (size_t)ri->cfg->ingest.max_message_size, got;
	char head[5], chunk[65536];
	struct buf b;
	int c, over = 0;

	if ((got = fread(head, 1, sizeof(head), f)) == sizeof(head) &&
	    memcmp(head, "From ", 5) == 0) {
		/* "From " must start the first line: put the rest back */
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
		report_ingest_mbox(ri, f, name);
		return;
	}
	buf_init(&b, max);
	buf_append(&b, head, got);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && !over)
		over = buf_append(&b, chunk, got) != 0;
	if (over)
		report_ingest_too_big(ri, name);
	else
		report_ingest_one(ri, b.data, b.len, name);
	buf_free(&b);
}

/* report_ingest_file - one file by name */
static void
report_ingest_file(struct report_ingest *ri, const char *path)
{
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		ri->failed++;
		log_warnx("%s: %s", path, strerror(errno));
		return;
	}
	report_ingest_stream(ri, f, path);
	fclose(f);
}

/* report_ingest_cmp - qsort: names in order */
static int
report_ingest_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* report_ingest_dir - every regular file of a folder, in name order */
static void
report_ingest_dir(struct report_ingest *ri, const char *dir)
{
	struct config_list l = { NULL, 0 };
	struct dirent *e;
	struct stat st;
	char path[4096];
	size_t i, n;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		ri->failed++;
		log_warnx("%s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL && l.n < REPORT_INGEST_MAX_FILES) {
		n = strlen(e->d_name);
		/* dot files, and the reasons beside quarantined messages */
		if (e->d_name[0] == '.' || (n > 4 &&
		    strcmp(e->d_name + n - 4, ".why") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		l.v = xreallocarray(l.v, l.n + 1, sizeof(char *));
		l.v[l.n++] = xstrdup(path);
	}
	closedir(d);
	if (l.n > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(l.v, l.n, sizeof(char *), report_ingest_cmp);
	for (i = 0; i < l.n; i++) {
		report_ingest_file(ri, l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
}

/* report_ingest_path - "-", a Maildir, a folder or a file */
static void
report_ingest_path(struct report_ingest *ri, const char *path)
{
	struct stat st;
	char sub[4096];

	if (strcmp(path, "-") == 0) {
		report_ingest_stream(ri, stdin, "stdin");
		return;
	}
	if (stat(path, &st) != 0) {
		ri->failed++;
		log_warnx("%s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		report_ingest_file(ri, path);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/cur", path);
	if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* a Maildir: what was read and what is new */
		report_ingest_dir(ri, sub);
		snprintf(sub, sizeof(sub), "%s/new", path);
		report_ingest_dir(ri, sub);
		return;
	}
	report_ingest_dir(ri, path);
}

/* report_ingest_parse - options; returns the index of the first path */
static int
report_ingest_parse(int argc, char **argv, const char **file, int *quiet,
    time_t *now)
{
	static const struct option longopts[] = {
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*file = optarg;
			break;
		case 'q':
			*quiet = 1;
			break;
		case 'n':
			if (report_time_parse(optarg, now) != 0)
				report_ingest_usage();
			break;
		default:
			report_ingest_usage();
		}
	}
	return optind;
}

/*
 * report_ingest_main - the ingest command; exit 0 when every input was
 * stored or known, 1 when one was refused (it is in the quarantine)
 */
int
report_ingest_main(int argc, char **argv)
{
	struct report_ingest ri;
	const char *file = CONFIG_DEFAULT_FILE;
	struct buf why;
	time_t now = 0;
	int i, first;

	memset(&ri, 0, sizeof(ri));
	first = report_ingest_parse(argc, argv, &file, &ri.quiet, &now);
	log_open("authmilter-report", LOG_MAIL, 1);
	buf_init(&why, 4096);
	if ((ri.cfg = config_load(file, &why)) == NULL)
		log_fatal("%s", why.data);
	if (*ri.cfg->reports.store == '\0')
		log_fatal("%s: reports.store is empty: received reports are "
		    "kept there", file);
	if ((ri.cfg->ingest.annotate &&
	    (ri.res = resolver_new(ri.cfg, &why)) == NULL) ||
	    ingest_ctx_open(&ri.ctx, ri.cfg, ri.res, NULL, &why) != 0)
		log_fatal("%s", why.data);
	ri.ctx.now = now != 0 ? now : time(NULL);
	if (first >= argc)
		report_ingest_path(&ri, "-");
	for (i = first; i < argc; i++)
		report_ingest_path(&ri, argv[i]);
	printf("ingest: %zu input(s), %zu report(s): %zu stored, %zu "
	    "duplicate, %zu refused, %zu quarantined, %zu source(s) named\n",
	    ri.inputs, ri.t.reports, ri.t.stored, ri.t.duplicates,
	    ri.t.refused, ri.t.quarantined, ri.t.annotated);
	ingest_ctx_close(&ri.ctx);
	resolver_free(ri.res);
	config_release(ri.cfg);
	buf_free(&why);
	return ri.failed > 0 ? 1 : 0;
}
