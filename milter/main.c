/* SPDX-License-Identifier: BSD-2-Clause */
/* main - options, configuration, privileges, and the libmilter main loop */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <microhttpd.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "callbacks.h"
#include "util/config.h"
#include "util/config_check.h"
#include "util/log.h"
#include "core/metrics.h"
#include "dashboard_http.h"
#include "metrics_http.h"
#include "core/pipeline.h"
#include "auth/pkeycache.h"
#include "report/report.h"
#include "dns/resolver.h"
#include "notify.h"
#include "preflight.h"
#include "reload.h"
#include "sockfile.h"
#include "auth/bimi.h"
#include "auth/spf.h"
#include "core/versions.h"

#define MAIN_MAX_PACKET	(1024 * 1024 - 1)	/* largest milter packet */

struct main_user {
	const char	*name;		/* milter.user */
	uid_t		 uid;		/* its uid, never 0 */
	gid_t		 gid;		/* its primary group */
};

struct main_opts {
	const char	*file;		/* -c */
	const char	*socket;	/* -p, overrides milter.socket */
	int		 foreground;	/* -f */
	int		 check;		/* -n */
};

#define MAIN_SYNOPSIS	\
	"usage: authmilter [-c FILE] [-p SOCKET] [-f] [-n] [-V] [-h]\n"

/* main_usage - the synopsis of authmilter(8), on a usage error */
static void __attribute__((noreturn))
main_usage(void)
{
	fputs(MAIN_SYNOPSIS, stderr);
	exit(2);
}

/* main_help - -h, --help: the synopsis and what each option does */
static void __attribute__((noreturn))
main_help(void)
{
	printf(MAIN_SYNOPSIS "\n"
	    "The authmilter mail authentication milter (SPF, DKIM, DMARC, "
	    "ARC).\n\n"
	    "  -c FILE    configuration file (default %s)\n"
	    "  -p SOCKET  listen here instead of milter.socket: unix:/PATH,\n"
	    "             inet:PORT@HOST or inet6:PORT@HOST\n"
	    "  -f         stay in the foreground, log to stderr as well\n"
	    "  -n         check the configuration and exit: 0 valid, 1 not\n"
	    "             (FILE:LINE: message on stderr)\n"
	    "  -V, --version  the versions of authmilter and its libraries\n"
	    "  -h, --help     this text\n\n"
	    "SIGUSR1 reloads the configuration. See authmilter(8) and "
	    "authmilter.conf(5).\n", CONFIG_DEFAULT_FILE);
	exit(0);
}

/*
 * main_version - our version and every library's, in words, then what
 * DKIM signing uses
 */
static void __attribute__((noreturn))
main_version(void)
{
	unsigned int ma, mi, pl;
	struct buf more;

	versions_print(stdout, "authmilter");
	smfi_version(&ma, &mi, &pl);
	printf("libmilter %u.%u.%u\n", ma, mi, pl);
	printf("libmicrohttpd %s\n", MHD_get_version());
	/* sd_notify(3)'s library has no version call */
	buf_init(&more, 1024);
	versions_file("libsystemd", &more);
	versions_signing(&more);
	fputs(more.data, stdout);
	buf_free(&more);
	exit(0);
}

/*
 * main_load - the config and its env, or a "FILE:LINE: message"; -n
 * (socket_opt is -p) also checks the user and the socket's directory
 */
static struct pipeline_env *
main_load(const char *file, int check_only, const char *socket_opt)
{
	struct pipeline_env *env;
	struct config *cfg;
	struct buf why;

	buf_init(&why, 4096);
	if ((cfg = config_load(file, &why)) == NULL ||
	    config_check_files(cfg, &why) != 0 || (check_only &&
	    preflight_check(cfg, socket_opt, &why) != 0)) {
		config_release(cfg);
		if (check_only) {
			fprintf(stderr, "%s\n", why.data);
			exit(1);
		}
		log_fatal("%s", why.data);
	}
	/* building the resolver also proves dns.local_data parses */
	if ((env = pipeline_env_new(cfg, &why)) == NULL) {
		if (check_only) {
			fprintf(stderr, "%s\n", why.data);
			exit(1);
		}
		log_fatal("%s", why.data);
	}
	buf_reset(&why);
	if (config_check_secrets(pipeline_env_config(env), &why) != 0) {
		if (check_only)
			fprintf(stderr, "%s\n", why.data);
		else
			log_warnx("%s", why.data);
	}
	buf_free(&why);
	return env;
}

/* main_records - -n: the DNS record each key's selector must publish */
static void
main_records(const struct pipeline_env *env)
{
	struct buf out;

	buf_init(&out, 16 * 1024 * 1024);
	pipeline_env_records(env, &out);
	if (out.len > 0)
		printf("; the TXT records the keys' selectors must publish:\n"
		    "%s", out.data);
	buf_free(&out);
}

/*
 * main_signals - blocked in every thread to come: SIGUSR1 is the reload
 * thread's; libmilter waits for HUP, TERM and INT itself
 */
static void
main_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * main_journal - stderr is systemd's journal (JOURNAL_STREAM names its
 * device and inode): -f then logs to syslog only, which reaches the
 * journal too, so that no line is there twice
 */
static int
main_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* main_socket_path - the file of a unix: or local: socket, else NULL */
static const char *
main_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

/* main_user - as root: milter.user, never root; 0 when not started as root */
static int
main_user(const struct config *cfg, struct main_user *u)
{
	struct passwd *pw;

	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (cfg->milter.user[0] == '\0')
		log_fatal("started as root with milter.user empty: refusing to "
		    "run as root; set milter.user to an unprivileged user");
	if ((pw = getpwnam(cfg->milter.user)) == NULL)
		log_fatal("milter.user '%s' does not exist", cfg->milter.user);
	if (pw->pw_uid == 0)
		log_fatal("milter.user '%s' is root: refusing to run as root",
		    cfg->milter.user);
	u->name = cfg->milter.user;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 1;
}

/* main_drop - become milter.user with its groups only, for good */
static void
main_drop(const struct main_user *u)
{
	if (setgroups(0, NULL) != 0 || initgroups(u->name, u->gid) != 0 ||
	    setgid(u->gid) != 0 || setuid(u->uid) != 0)
		log_fatal("cannot switch to user %s: %s", u->name,
		    strerror(errno));
	if (setuid(0) == 0)
		log_fatal("still able to regain root after the switch");
}

/* main_parse - parse argv */
static void
main_parse(int argc, char **argv, struct main_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->file = CONFIG_DEFAULT_FILE;
	while ((ch = getopt_long(argc, argv, "c:p:fnVh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			o->file = optarg;
			break;
		case 'p':
			o->socket = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'V':
			main_version();
		case 'h':
			main_help();
		default:
			main_usage();
		}
	}
	if (optind != argc)
		main_usage();
}

/*
 * main_nodelay - TCP_NODELAY on our listening TCP socket. libmilter sets
 * none and offers no handle; without it Nagle plus delayed ACK cost the
 * MTA ~40 ms per macro packet. Accepted sockets inherit it on Linux.
 */
static void
main_nodelay(void)
{
	int fd, on = 1, listening, type;
	socklen_t len;
	struct sockaddr_storage ss;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_STREAM)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on)) != 0)
			log_warn("TCP_NODELAY on the milter socket");
	}
}

/*
 * main_milter - register, open the socket, drop privileges. Started as
 * root, a unix socket is bound in a private directory and appears at its
 * name only once milter.user owns it (sockfile.h).
 */
static void
main_milter(const struct config *cfg, const char *sock, struct sockfile *sf)
{
	const char *path = main_socket_path(sock), *conn = sock;
	struct main_user u;
	struct buf why;
	int root;

	memset(&u, 0, sizeof(u));
	root = main_user(cfg, &u);
	if (smfi_settimeout(cfg->milter.timeout) != MI_SUCCESS)
		log_fatal("smfi_settimeout failed");
	if (smfi_register(*callbacks_desc()) != MI_SUCCESS)
		log_fatal("smfi_register failed");
	/*
	 * Postfix sends each header field in one packet, up to its
	 * header_size_limit (100 KiB): libmilter's 64 KiB default would drop
	 * the connection and the MTA would apply milter_default_action.
	 */
	smfi_setmaxdatasize(MAIN_MAX_PACKET);
	umask((mode_t)cfg->milter.umask);
	buf_init(&why, 1024);
	if (root && path != NULL) {
		if (sockfile_prepare(sf, path, &why) != 0) {
			sockfile_abandon(sf);
			log_fatal("%s", why.data);
		}
		conn = sf->conn;
	}
	/* a fresh private directory has nothing to remove */
	if (smfi_setconn((char *)conn) != MI_SUCCESS ||
	    smfi_opensocket(conn == sock) != MI_SUCCESS) {
		sockfile_abandon(sf);
		log_fatal("cannot open milter socket %s", sock);
	}
	main_nodelay();
	if (root && path != NULL && sockfile_place(sf, u.uid, u.gid, &why) != 0)
		log_fatal("%s", why.data);
	if (root)
		main_drop(&u);
	buf_free(&why);
}

/* main_metrics_http - metrics.listen, after the privilege drop */
static struct metrics_http *
main_metrics_http(const struct config *cfg, struct metrics *m)
{
	struct metrics_http *h;
	struct buf why;

	if (*cfg->metrics.listen == '\0')
		return NULL;
	buf_init(&why, 1024);
	if ((h = metrics_http_start(cfg->metrics.listen, m, &why)) == NULL)
		log_fatal("%s: %s", cfg->file, why.data);
	buf_free(&why);
	log_info("metrics on http://%s/metrics", cfg->metrics.listen);
	return h;
}

/* main_dashboard - dashboard.listen, after the privilege drop */
static struct dashboard_http *
main_dashboard(struct config *cfg, struct metrics *m)
{
	struct dashboard_http *h;
	struct buf why;

	if (*cfg->dashboard.listen == '\0')
		return NULL;
	buf_init(&why, 1024);
	if ((h = dashboard_http_start(cfg, m, &why)) == NULL)
		log_fatal("%s: %s", cfg->file, why.data);
	buf_free(&why);
	log_info("dashboard on http://%s/", cfg->dashboard.listen);
	return h;
}

int
main(int argc, char **argv)
{
	struct pipeline_slot slot;
	struct pipeline_env *env;
	const struct config *cfg;
	struct metrics *metrics;
	struct metrics_http *http;
	struct dashboard_http *dash;
	struct main_opts o;
	struct sockfile sf;
	pthread_t reload;
	const char *sock;
	int rc;

	main_parse(argc, argv, &o);
	log_open("authmilter", LOG_MAIL, o.check || (o.foreground &&
	    !main_journal()));
	spf_init();
	bimi_init();
	if (o.check) {
		env = main_load(o.file, 1, o.socket);
		printf("%s: configuration OK\n", o.file);
		main_records(env);
		pipeline_env_release(env);
		return 0;
	}
	/* daemonize before any thread exists; the resolver starts one */
	if (!o.foreground && daemon(0, 0) != 0)
		log_fatal("daemon: %s", strerror(errno));
	main_signals();
	env = main_load(o.file, 0, NULL);
	cfg = pipeline_env_config(env);
	metrics = metrics_new();
	pipeline_env_attach(env, metrics);
	closelog();
	log_open("authmilter", cfg->log.facility, o.foreground &&
	    !main_journal());
	log_set_level(cfg->log.level);
	sock = o.socket != NULL ? o.socket : cfg->milter.socket;
	memset(&sf, 0, sizeof(sf));
	main_milter(cfg, sock, &sf);
	http = main_metrics_http(cfg, metrics);
	dash = main_dashboard((struct config *)(uintptr_t)cfg, metrics);
	pipeline_slot_init(&slot, env);
	callbacks_init(&slot);
	if ((rc = pthread_create(&reload, NULL, reload_thread, &slot)) != 0)
		log_fatal("reload thread: %s", strerror(rc));
	log_info("authmilter %s listening on %s", PACKAGE_VERSION, sock);
	notify_ready(sock, metrics);
	rc = smfi_main();
	notify_stopping();
	log_info("authmilter stopping");
	sockfile_remove(&sf);
	sockfile_free(&sf);
	/* the reload thread waits in sigtimedwait(), a cancellation point */
	pthread_cancel(reload);
	pthread_join(reload, NULL);
	pipeline_slot_destroy(&slot);
	metrics_http_stop(http);
	dashboard_http_stop(dash);
	metrics_free(metrics);
	return rc == MI_SUCCESS ? 0 : 1;
}
