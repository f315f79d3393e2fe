/* SPDX-License-Identifier: BSD-2-Clause */
/* check - authmilter-check: the daemon's pipeline fed from a message file */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "util/buf.h"
#include "util/config.h"
#include "dns/dnstext.h"
#include "dns/resolver.h"
#include "util/log.h"
#include "core/pipeline.h"
#include "core/versions.h"
#include "core/posture.h"
#include "check_domain.h"
#include "auth/bimi.h"
#include "auth/spf.h"
#include "util/xalloc.h"

#define CHECK_MAX_MESSAGE	(64 * 1024 * 1024)
#define CHECK_CHUNK		65536	/* what Postfix sends per body call */
#define CHECK_MAX_RCPT		1000
#define CHECK_MAX_TRACE		(4 * 1024 * 1024)	/* trace bytes kept */

/* the DNS lookups of one run, in order (--trace) */
struct check_trace {
	unsigned	 n;		/* lookups so far */
	struct buf	 text;		/* one line each */
	struct buf	 json;		/* one object each, comma-separated */
};

struct check_opts {
	const char	*file;		/* -c */
	const char	*client_ip;	/* --client-ip */
	const char	*helo;		/* --helo */
	const char	*mail_from;	/* --mail-from */
	const char	*tls[4];	/* --tls-version --tls-cipher
					   --tls-bits --tls-subject */
	const char	*auth;		/* --auth: SMTP AUTH user, or NULL */
	const char	*rcpt[CHECK_MAX_RCPT];	/* --rcpt */
	int		 nrcpt;		/* entries in rcpt */
	int		 json;		/* --json */
	int		 trace;		/* --trace */
	struct posture_request domain;	/* --domain, --selector, --fetch,
					   --ca-file */
	long long	 time;		/* --time: seal as of then, 0 now */
	const char	*message;	/* path or "-" */
};

#define CHECK_SYNOPSIS	\
	"usage: authmilter-check [-c FILE] --domain DOMAIN " \
	"[--selector S]... [--fetch]\n" \
	"                        [--ca-file FILE] [--json] [--trace]\n" \
	"       authmilter-check [-c FILE] [--client-ip IP] " \
	"[--helo NAME] [--mail-from ADDR]\n" \
	"                        [--rcpt ADDR]... [--auth USER] " \
	"[--time SECONDS]\n" \
	"                        [--tls-version V [--tls-cipher C]\n" \
	"                        [--tls-bits N] [--tls-subject S]] " \
	"[--json] [--trace] [MESSAGE | -]\n" \
	"       authmilter-check -h | --help | -V | --version\n"

/* check_usage - the synopsis of authmilter-check(1); exit 2 */
static void __attribute__((noreturn))
check_usage(void)
{
	fputs(CHECK_SYNOPSIS, stderr);
	exit(2);
}

/* check_help - -h, --help: the synopsis and each option; exit 0 */
static void __attribute__((noreturn))
check_help(void)
{
	printf(CHECK_SYNOPSIS "\n"
	    "One message through the authmilter daemon's pipeline: prints the "
	    "fields it\nwould add, the action and the SMTP reply.\n\n"
	    "  -c FILE           configuration file (default %s)\n"
	    "  --client-ip IP    SMTP client address (none: SPF gives none)\n"
	    "  --helo NAME       HELO/EHLO argument\n"
	    "  --mail-from ADDR  MAIL FROM address (default: the null "
	    "sender)\n"
	    "  --rcpt ADDR       a recipient; may be repeated\n"
	    "  --auth USER       the client authenticated as USER (SMTP "
	    "AUTH): signed, not\n"
	    "                    checked\n"
	    "  --time SECONDS    seal as of this Unix time\n"
	    "  --tls-version V, --tls-cipher C, --tls-bits N, "
	    "--tls-subject S\n"
	    "                    the MTA's TLS macros of the connection\n"
	    "  --json            one JSON object instead\n"
	    "  --trace           list every DNS lookup with its answer\n"
	    "  --domain DOMAIN   check what DOMAIN publishes (no message)\n"
	    "  --selector S      with --domain: a DKIM selector; may be "
	    "repeated\n"
	    "  --fetch           with --domain: fetch the MTA-STS policy "
	    "over HTTPS\n"
	    "  --ca-file FILE    with --fetch: the CA certificates to "
	    "trust\n"
	    "  -V, --version     the versions of authmilter-check and its "
	    "libraries\n"
	    "  -h, --help        this text\n\n"
	    "MESSAGE is a file, or - (the default) for standard input. Exit "
	    "status: 0 any\nverdict, 2 usage or configuration error, 3 an "
	    "unreadable message; with --domain:\n0 every check passed, 1 a "
	    "warning, 2 a failure. See authmilter-check(1).\n",
	    CONFIG_DEFAULT_FILE);
	exit(0);
}

/*
 * check_version - our version and every library's, in words, then what
 * DKIM signing uses; exit 0
 */
static void __attribute__((noreturn))
check_version(void)
{
	struct buf sign;

	versions_print(stdout, "authmilter-check");
	buf_init(&sign, 512);
	versions_signing(&sign);
	fputs(sign.data, stdout);
	buf_free(&sign);
	exit(0);
}

/* check_parse - argv into opts */
static void
check_parse(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "client-ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "tls-version", required_argument, NULL, '1' },
		{ "tls-cipher", required_argument, NULL, '2' },
		{ "tls-bits", required_argument, NULL, '3' },
		{ "tls-subject", required_argument, NULL, '4' },
		{ "auth", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "trace", no_argument, NULL, 'T' },
		{ "domain", required_argument, NULL, 'D' },
		{ "selector", required_argument, NULL, 'S' },
		{ "fetch", no_argument, NULL, 'F' },
		{ "ca-file", required_argument, NULL, 'A' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->file = CONFIG_DEFAULT_FILE;
	o->mail_from = "";
	o->message = "-";
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->file = optarg; break;
		case 'i': o->client_ip = optarg; break;
		case 'H': o->helo = optarg; break;
		case 'm': o->mail_from = optarg; break;
		case '1': case '2': case '3': case '4':
			o->tls[ch - '1'] = optarg;
			break;
		case 'a': o->auth = optarg; break;
		case 'j': o->json = 1; break;
		case 'T': o->trace = 1; break;
		case 'D': o->domain.domain = optarg; break;
		case 'F': o->domain.fetch = 1; break;
		case 'A': o->domain.ca_file = optarg; break;
		case 'S':
			if (o->domain.nselector >= POSTURE_MAX_SELECTORS)
				check_usage();
			o->domain.selector[o->domain.nselector++] = optarg;
			break;
		case 't': o->time = atoll(optarg); break;
		case 'h': check_help();
		case 'V': check_version();
		case 'r':
			if (o->nrcpt >= CHECK_MAX_RCPT)
				check_usage();
			o->rcpt[o->nrcpt++] = optarg;
			break;
		default: check_usage();
		}
	}
	if (argc - optind > 1 || (o->domain.domain != NULL && optind < argc))
		check_usage();
	if (optind < argc)
		o->message = argv[optind];
}

/* check_read - the whole message, or exit 3 */
static void
check_read(const char *path, struct buf *msg)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "authmilter-check: %s: %s\n", path,
		    strerror(errno));
		exit(3);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(msg, chunk, n) != 0) {
			fprintf(stderr, "authmilter-check: %s: larger than "
			    "%d bytes\n", path, CHECK_MAX_MESSAGE);
			exit(3);
		}
	if (ferror(fp)) {
		fprintf(stderr, "authmilter-check: %s: read error\n", path);
		exit(3);
	}
	if (fp != stdin)
		fclose(fp);
}

/* check_line - next line without its CRLF or LF; -1 at the end */
static int
check_line(const struct buf *msg, size_t *off, const char **line, size_t *len)
{
	const char *p = msg->data + *off, *nl;

	if (*off >= msg->len)
		return -1;
	nl = memchr(p, '\n', msg->len - *off);
	*line = p;
	*len = nl ? (size_t)(nl - p) : msg->len - *off;
	*off += *len + (nl ? 1 : 0);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return 0;
}

/* check_flush - hand one gathered field to the pipeline as the MTA would */
static void
check_flush(struct session *s, struct buf *field)
{
	char *colon;

	if (field->len == 0)
		return;
	colon = memchr(field->data, ':', field->len);
	*colon = '\0';
	/* folds reach milters as bare LF; the value keeps its leading space */
	pipeline_header(s, field->data, colon + 1,
	    field->len - (size_t)(colon + 1 - field->data));
	buf_reset(field);
}

/* check_headers - feed fields; returns the offset where the body starts */
static size_t
check_headers(struct session *s, const struct buf *msg)
{
	struct buf field;
	size_t off = 0, start, len;
	const char *line;

	buf_init(&field, CHECK_MAX_MESSAGE);
	for (start = off; check_line(msg, &off, &line, &len) == 0;
	    start = off) {
		if (len == 0)
			break;
		if ((line[0] == ' ' || line[0] == '\t') && field.len > 0) {
			buf_putc(&field, '\n');
			buf_append(&field, line, len);
			continue;
		}
		/* not a header field: like Postfix, the body starts here */
		if (memchr(line, ':', len) == NULL) {
			off = start;
			break;
		}
		check_flush(s, &field);
		buf_append(&field, line, len);
	}
	check_flush(s, &field);
	buf_free(&field);
	return off;
}

/* check_body - body with CRLF line ends, in MTA-sized chunks */
static void
check_body(struct session *s, const struct buf *msg, size_t off)
{
	struct buf chunk;
	const char *line;
	size_t len;

	buf_init(&chunk, CHECK_CHUNK + 2);
	while (check_line(msg, &off, &line, &len) == 0) {
		if (chunk.len + len + 2 > CHECK_CHUNK) {
			pipeline_body(s, (const unsigned char *)chunk.data,
			    chunk.len);
			buf_reset(&chunk);
		}
		while (len + 2 > CHECK_CHUNK) {
			pipeline_body(s, (const unsigned char *)line,
			    CHECK_CHUNK);
			line += CHECK_CHUNK;
			len -= CHECK_CHUNK;
		}
		buf_append(&chunk, line, len);
		buf_puts(&chunk, "\r\n");
	}
	if (chunk.len > 0)
		pipeline_body(s, (const unsigned char *)chunk.data, chunk.len);
	buf_free(&chunk);
}

/* check_client - --client-ip as a sockaddr; NULL when not given */
static const struct sockaddr *
check_client(const char *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ip == NULL)
		return NULL;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else {
		fprintf(stderr, "authmilter-check: --client-ip %s: not an "
		    "address\n", ip);
		exit(2);
	}
	return (const struct sockaddr *)ss;
}

/* check_trace_event - the resolver tells of one lookup: note it */
static void
check_trace_event(void *arg, const struct resolver_event *ev)
{
	struct check_trace *t = arg;

	t->n++;
	buf_printf(&t->text, "trace: %u ", t->n);
	dnstext_event(ev, &t->text);
	buf_putc(&t->text, '\n');
	if (t->n > 1)
		buf_putc(&t->json, ',');
	dnstext_event_json(ev, &t->json);
}

/*
 * check_print - what the daemon would add, top field first (the edits
 * insert each at the top, so the last inserted is printed first), then
 * the action
 */
static void
check_print(const struct session *s, const struct pipeline_verdict *v,
    int json, const struct check_trace *t)
{
	struct buf out;
	size_t i;

	if (json) {
		buf_init(&out, CHECK_MAX_MESSAGE);
		pipeline_check_json(s, &out);
		if (t != NULL && out.len > 0) {
			/* the trace goes in as the object's last member */
			out.data[--out.len] = '\0';
			buf_printf(&out, ",\"trace\":[%s]}", t->json.data);
		}
		printf("%s\n", out.data);
		buf_free(&out);
		return;
	}
	for (i = v->nedits; i > 0; i--)
		if (v->edits[i - 1].op == PIPELINE_EDIT_INSERT)
			printf("%s: %s\n", v->edits[i - 1].name,
			    v->edits[i - 1].value);
	if (v->removed > 0)
		printf("# would remove %zu Authentication-Results field(s) "
		    "claiming %s\n", v->removed, v->authserv_id);
	if (v->removed_marks > 0)
		printf("# would remove %zu forged %s field(s)\n",
		    v->removed_marks, PIPELINE_MARK_FIELD);
	/* the rest: BIMI fields from outside, each by its index */
	for (i = 0; i < v->nedits; i++)
		if (v->edits[i].op == PIPELINE_EDIT_DELETE &&
		    strcmp(v->edits[i].name, "Authentication-Results") != 0 &&
		    strcmp(v->edits[i].name, PIPELINE_MARK_FIELD) != 0)
			printf("# would remove %s #%zu (only we add it)\n",
			    v->edits[i].name, v->edits[i].index);
	printf("action: %s\n", policy_action_name(v->action));
	if (v->rcode != NULL)
		printf("reply: %s %s %s\n", v->rcode, v->xcode, v->text);
	if (t != NULL)
		fputs(t->text.data, stdout);
}

/* check_message - one message through the pipeline; the exit status */
static int
check_message(struct pipeline_env *env, const struct check_opts *o,
    const struct check_trace *trace)
{
	struct sockaddr_storage ss;
	enum pipeline_start start;
	struct session *s;
	struct buf msg;
	size_t body;
	int i;

	buf_init(&msg, CHECK_MAX_MESSAGE);
	check_read(o->message, &msg);
	/* the file's folds are read as the MTA hands them: leading space */
	s = pipeline_connect(env, 1, check_client(o->client_ip, &ss), NULL, 1,
	    &start);
	pipeline_fixed_time(s, (time_t)o->time);
	if (o->helo != NULL)
		pipeline_helo(s, o->helo);
	pipeline_tls(s, o->tls[0], o->tls[1], o->tls[2], o->tls[3]);
	pipeline_mail(s, o->mail_from, o->auth);
	for (i = 0; i < o->nrcpt; i++)
		pipeline_rcpt(s, o->rcpt[i]);
	if (start != PIPELINE_CHECK)
		fprintf(stderr, "authmilter-check: %s is in "
		    "policy.trusted_networks: not checked\n", o->client_ip);
	body = check_headers(s, &msg);
	pipeline_eoh(s);
	check_body(s, &msg, body);
	check_print(s, pipeline_eom(s), o->json, trace);
	pipeline_close(s);	/* and with the session, the env reference */
	buf_free(&msg);
	return 0;
}

int
main(int argc, char **argv)
{
	struct pipeline_env *env;
	struct check_trace trace;
	struct check_opts o;
	struct config *cfg;
	struct buf why;
	int rc;

	check_parse(argc, argv, &o);
	log_open("authmilter-check", LOG_MAIL, 0);
	log_set_level(LOG_LEVEL_ERR);
	spf_init();
	bimi_init();
	buf_init(&why, 4096);
	if ((cfg = config_load(o.file, &why)) == NULL ||
	    config_check_files(cfg, &why) != 0 ||
	    (env = pipeline_env_new(cfg, &why)) == NULL) {
		fprintf(stderr, "%s\n", why.data);
		buf_free(&why);
		return 2;
	}
	buf_free(&why);
	/* a dry run of one message: it never adds to the report store */
	pipeline_env_dry_run(env);
	memset(&trace, 0, sizeof(trace));
	buf_init(&trace.text, CHECK_MAX_TRACE);
	buf_init(&trace.json, CHECK_MAX_TRACE);
	if (o.trace)
		pipeline_env_trace(env, check_trace_event, &trace);
	if (o.domain.domain != NULL) {
		rc = check_domain(env, &o.domain, o.json, o.trace ?
		    &trace.json : NULL);
		if (o.trace && !o.json)
			fputs(trace.text.data, stdout);
		pipeline_env_release(env);
	} else
		rc = check_message(env, &o, o.trace ? &trace : NULL);
	buf_free(&trace.text);
	buf_free(&trace.json);
	return rc;
}
