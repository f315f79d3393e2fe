/* main - options, configuration, privileges, and the libmilter main loop */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <openssl/crypto.h>
#include <opendkim/dkim.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unbound.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <spf2/spf.h>

#include "util/buf.h"
#include "callbacks.h"
#include "util/config.h"
#include "util/config_check.h"
#include "util/log.h"
#include "core/metrics.h"
#include "metrics_http.h"
#include "core/pipeline.h"
#include "auth/pkeycache.h"
#include "report/report.h"
#include "dns/resolver.h"
#include "sockfile.h"
#include "auth/bimi.h"
#include "auth/spf.h"

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

/* main_usage - the synopsis of authmilter(8) */
static void __attribute__((noreturn))
main_usage(void)
{
	fprintf(stderr, "usage: authmilter [-c FILE] [-p SOCKET] [-f] [-n] "
	    "[-V]\n");
	exit(2);
}

/* main_version - our version and what we are linked with */
static void __attribute__((noreturn))
main_version(void)
{
	unsigned int ma, mi, pl;

	printf("authmilter %s\n", PACKAGE_VERSION);
	smfi_version(&ma, &mi, &pl);
	printf("libmilter %u.%u.%u\n", ma, mi, pl);
	printf("libspf2 %d.%d.%d\n", SPF_LIB_VERSION_MAJOR,
	    SPF_LIB_VERSION_MINOR, SPF_LIB_VERSION_PATCH);
	printf("libopendkim %#lx\n", (unsigned long)dkim_libversion());
	printf("libunbound %s\n", ub_version());
	printf("libconfig %d.%d.%d\n", LIBCONFIG_VER_MAJOR,
	    LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	exit(0);
}

/* main_load - the config and its env, or a "FILE:LINE: message" */
static struct pipeline_env *
main_load(const char *file, int check_only)
{
	struct pipeline_env *env;
	struct config *cfg;
	struct buf why;

	buf_init(&why, 4096);
	if ((cfg = config_load(file, &why)) == NULL ||
	    config_check_files(cfg, &why) != 0) {
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
			fprintf(stderr, "%s:0: %s\n", file, why.data);
			exit(1);
		}
		log_fatal("%s: %s", file, why.data);
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

/* main_reload - SIGUSR1: a valid new file replaces the old one */
static void *
main_reload(void *arg)
{
	struct pipeline_slot *slot = arg;
	struct metrics *m;
	struct pipeline_env *env, *cur;
	const struct config *old;
	struct config *cfg;
	struct buf why;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		cur = pipeline_slot_acquire(slot);
		m = pipeline_env_metrics(cur);
		old = pipeline_env_config(cur);
		buf_init(&why, 4096);
		cfg = config_load(old->file, &why);
		if (cfg != NULL && config_check_files(cfg, &why) != 0) {
			config_release(cfg);
			cfg = NULL;
		}
		env = cfg != NULL ? pipeline_env_new(cfg, &why) : NULL;
		if (env == NULL) {
			log_err("reload: %s; the old configuration stays",
			    why.data);
			metrics_reload(m, 0);
		} else {
			if (strcmp(cfg->milter.socket, old->milter.socket) != 0 ||
			    strcmp(cfg->milter.user, old->milter.user) != 0 ||
			    strcmp(cfg->metrics.listen, old->metrics.listen) != 0)
				log_warnx("reload: milter.socket, milter.user and "
				    "metrics.listen take effect only after a "
				    "restart");
			pipeline_env_attach(env, m);
			metrics_reload(m, 1);
			log_set_level(cfg->log.level);
			log_info("configuration reloaded from %s", cfg->file);
			pipeline_slot_swap(slot, env);
		}
		pipeline_env_release(cur);
		buf_free(&why);
	}
	return NULL;
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

/* main_opts - parse argv */
static void
main_parse(int argc, char **argv, struct main_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->file = CONFIG_DEFAULT_FILE;
	while ((ch = getopt(argc, argv, "c:p:fnVh")) != -1) {
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

int
main(int argc, char **argv)
{
	struct pipeline_slot slot;
	struct pipeline_env *env;
	const struct config *cfg;
	struct metrics *metrics;
	struct metrics_http *http;
	struct main_opts o;
	struct sockfile sf;
	pthread_t reload;
	sigset_t set;
	const char *sock;
	int rc;

	main_parse(argc, argv, &o);
	log_open("authmilter", LOG_MAIL, o.foreground || o.check);
	spf_init();
	bimi_init();
	if (o.check) {
		env = main_load(o.file, 1);
		printf("%s: configuration OK\n", o.file);
		pipeline_env_release(env);
		return 0;
	}
	/* daemonize before any thread exists; the resolver starts one */
	if (!o.foreground && daemon(0, 0) != 0)
		log_fatal("daemon: %s", strerror(errno));
	/* SIGUSR1 is ours; libmilter waits for HUP, TERM and INT itself */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	env = main_load(o.file, 0);
	cfg = pipeline_env_config(env);
	metrics = metrics_new();
	pipeline_env_attach(env, metrics);
	closelog();
	log_open("authmilter", cfg->log.facility, o.foreground);
	log_set_level(cfg->log.level);
	sock = o.socket != NULL ? o.socket : cfg->milter.socket;
	memset(&sf, 0, sizeof(sf));
	main_milter(cfg, sock, &sf);
	http = main_metrics_http(cfg, metrics);
	pipeline_slot_init(&slot, env);
	callbacks_init(&slot);
	if ((rc = pthread_create(&reload, NULL, main_reload, &slot)) != 0)
		log_fatal("reload thread: %s", strerror(rc));
	log_info("authmilter %s listening on %s", PACKAGE_VERSION, sock);
	rc = smfi_main();
	log_info("authmilter stopping");
	sockfile_remove(&sf);
	sockfile_free(&sf);
	/* the reload thread waits in sigwait(), a cancellation point */
	pthread_cancel(reload);
	pthread_join(reload, NULL);
	pipeline_slot_destroy(&slot);
	metrics_http_stop(http);
	metrics_free(metrics);
	return rc == MI_SUCCESS ? 0 : 1;
}
