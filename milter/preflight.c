/* SPDX-License-Identifier: BSD-2-Clause */
/* preflight - authmilter -n: milter.user exists, the socket can be made */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/xalloc.h"
#include "preflight.h"

#define PREFLIGHT_MAX_GROUPS	1024

/* who the daemon runs as: milter.user after a root start, else the caller */
struct preflight_user {
	const char	*name;		/* for messages */
	uid_t		 uid;		/* its uid */
	gid_t		 groups[PREFLIGHT_MAX_GROUPS];	/* its groups */
	int		 ngroups;	/* entries in groups */
	int		 self;		/* it is the user running -n */
};

/* preflight_fail - "FILE:LINE: key: " (or "-p: ") and the message; -1 */
static int
preflight_fail(const struct config *cfg, const char *socket_opt,
    const char *key, struct buf *why)
{
	if (socket_opt != NULL && strcmp(key, "milter.socket") == 0)
		buf_puts(why, "-p: ");
	else
		config_where(cfg, key, why);
	return -1;
}

/*
 * preflight_user - milter.user must exist and not be root; the service
 * user is milter.user for a root start, else whoever runs -n
 */
static int
preflight_user(const struct config *cfg, struct preflight_user *u,
    struct buf *why)
{
	const char *name = cfg->milter.user;
	struct passwd *pw = NULL;
	int root = geteuid() == 0;

	if (*name != '\0' && (pw = getpwnam(name)) == NULL) {
		preflight_fail(cfg, NULL, "milter.user", why);
		buf_printf(why, "'%s' is not a user on this system", name);
		return -1;
	}
	if (root && (pw == NULL || pw->pw_uid == 0)) {
		preflight_fail(cfg, NULL, "milter.user", why);
		buf_printf(why, "'%s': started as root, authmilter would "
		    "refuse to run as root", name);
		return -1;
	}
	u->self = !root;
	if (!root && (pw = getpwuid(geteuid())) == NULL)
		return 0;	/* an unnamed uid: checked as itself below */
	u->name = pw->pw_name;
	u->uid = pw->pw_uid;
	u->ngroups = PREFLIGHT_MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &u->ngroups) < 0)
		u->ngroups = 0;
	return 0;
}

/* preflight_may - the mode bits grant U all of WANT (R_OK W_OK X_OK) */
static int
preflight_may(const struct stat *st, const struct preflight_user *u,
    int want)
{
	int bits, i;

	if (st->st_uid == u->uid)
		bits = (st->st_mode >> 6) & 7;
	else {
		bits = st->st_mode & 7;
		for (i = 0; i < u->ngroups; i++)
			if (u->groups[i] == st->st_gid)
				bits = (st->st_mode >> 3) & 7;
	}
	return (bits & want) == want;
}

/* preflight_parent - the directory above PATH, or NULL for "/" or none */
static char *
preflight_parent(const char *path)
{
	char *up, *slash;

	if ((slash = strrchr(path, '/')) == NULL || strcmp(path, "/") == 0)
		return NULL;
	up = xstrdup(path);
	up[slash - path + (slash == path)] = '\0';
	return up;
}

/* preflight_dir - DIR exists and U may WANT in it (ancestors searched) */
static int
preflight_dir(const char *dir, const struct preflight_user *u, int want,
    struct buf *why)
{
	struct stat st;
	char *up;
	int rc = 0;

	if (stat(dir, &st) != 0)
		return buf_printf(why, "directory '%s': %s", dir,
		    strerror(errno)), -1;
	if (!S_ISDIR(st.st_mode))
		return buf_printf(why, "'%s' is not a directory", dir), -1;
	if (u->self ? access(dir, want) == 0 : preflight_may(&st, u, want)) {
		/* every directory above must let it through */
		if ((up = preflight_parent(dir)) != NULL)
			rc = preflight_dir(up, u, X_OK, why);
		free(up);
		return rc;
	}
	buf_printf(why, "user '%s' cannot %s directory '%s' (owner %lu:%lu, "
	    "mode %04o)", u->name != NULL ? u->name : "(this uid)",
	    want & W_OK ? "create the socket in" : "enter", dir,
	    (unsigned long)st.st_uid, (unsigned long)st.st_gid,
	    (unsigned)st.st_mode & 07777);
	return -1;
}

/* preflight_check - milter.user, then the unix socket's directory */
int
preflight_check(const struct config *cfg, const char *socket_opt,
    struct buf *why)
{
	const char *sock = socket_opt != NULL ? socket_opt : cfg->milter.socket;
	struct preflight_user u;
	struct buf reason;
	char *dir;
	int rc;

	memset(&u, 0, sizeof(u));
	if (preflight_user(cfg, &u, why) != 0)
		return -1;
	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0)
		sock = strchr(sock, ':') + 1;
	else if (sock[0] != '/')
		return 0;	/* inet: nothing on disk */
	if ((dir = preflight_parent(sock)) == NULL)
		return 0;	/* a relative -p: the daemon's working dir */
	buf_init(&reason, 1024);
	rc = preflight_dir(dir, &u, W_OK | X_OK, &reason);
	if (rc != 0) {
		preflight_fail(cfg, socket_opt, "milter.socket", why);
		buf_append(why, reason.data, reason.len);
	}
	buf_free(&reason);
	free(dir);
	return rc;
}
