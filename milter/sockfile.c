/* SPDX-License-Identifier: BSD-2-Clause */
/* sockfile - bind in a private directory, hand over, rename into place */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "sockfile.h"
#include "util/xalloc.h"

#define SOCKFILE_NAME	"s"		/* the socket inside the directory */
#define SOCKFILE_TMPL	"/.authmilter-XXXXXX"	/* mkdtemp() template */

/* sockfile_dirname - PATH's directory, "." for a bare name */
static char *
sockfile_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	dir = xstrdup(path);
	dir[slash - path] = '\0';
	return dir;
}

/* sockfile_open_dir - the new directory, proven ours and closed to others */
static int
sockfile_open_dir(struct sockfile *sf, struct buf *why)
{
	struct stat st;

	sf->dirfd = open(sf->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sf->dirfd < 0) {
		buf_printf(why, "open %s: %s", sf->dir, strerror(errno));
		return -1;
	}
	if (fstat(sf->dirfd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		buf_printf(why, "%s: not a private directory of ours", sf->dir);
		return -1;
	}
	return 0;
}

/* sockfile_prepare - a private directory next to PATH to bind in */
int
sockfile_prepare(struct sockfile *sf, const char *path, struct buf *why)
{
	struct sockaddr_un sun;
	char *parent;
	size_t n;

	memset(sf, 0, sizeof(*sf));
	sf->dirfd = -1;
	sf->path = xstrdup(path);
	parent = sockfile_dirname(path);
	n = strlen(parent) + sizeof(SOCKFILE_TMPL);
	sf->dir = xmalloc(n);
	snprintf(sf->dir, n, "%s%s", parent, SOCKFILE_TMPL);
	free(parent);
	if (n + sizeof(SOCKFILE_NAME) > sizeof(sun.sun_path)) {
		buf_printf(why, "unix socket %s: its directory's name is too "
		    "long for the temporary name (%zu bytes at most)", path,
		    sizeof(sun.sun_path) - sizeof(SOCKFILE_TMPL) -
		    sizeof(SOCKFILE_NAME));
		free(sf->dir);
		sf->dir = NULL;
		return -1;
	}
	if (mkdtemp(sf->dir) == NULL) {
		buf_printf(why, "mkdtemp %s: %s", sf->dir, strerror(errno));
		free(sf->dir);
		sf->dir = NULL;
		return -1;
	}
	n = strlen(sf->dir) + sizeof("unix:/" SOCKFILE_NAME);
	sf->conn = xmalloc(n);
	snprintf(sf->conn, n, "unix:%s/%s", sf->dir, SOCKFILE_NAME);
	return sockfile_open_dir(sf, why);
}

/* sockfile_target_ok - PATH may be replaced: absent, a socket or a link */
static int
sockfile_target_ok(const char *path, struct buf *why)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		buf_printf(why, "lstat %s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode))
		return 0;
	buf_printf(why, "%s exists and is not a unix socket", path);
	return -1;
}

/*
 * sockfile_place - the bound socket to uid:gid, then renamed to its
 * final name; the directory goes. Only root can enter the directory, so
 * the entry handed over is the socket libmilter bound.
 */
int
sockfile_place(struct sockfile *sf, uid_t uid, gid_t gid, struct buf *why)
{
	struct stat st;

	if (fstatat(sf->dirfd, SOCKFILE_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode)) {
		buf_printf(why, "%s: the bound socket is missing", sf->dir);
		goto fail;
	}
	if (fchownat(sf->dirfd, SOCKFILE_NAME, uid, gid,
	    AT_SYMLINK_NOFOLLOW) != 0) {
		buf_printf(why, "chown %s: %s", sf->conn + 5, strerror(errno));
		goto fail;
	}
	if (sockfile_target_ok(sf->path, why) != 0)
		goto fail;
	if (renameat(sf->dirfd, SOCKFILE_NAME, AT_FDCWD, sf->path) != 0) {
		buf_printf(why, "rename %s to %s: %s", sf->conn + 5, sf->path,
		    strerror(errno));
		goto fail;
	}
	sf->dev = st.st_dev;
	sf->ino = st.st_ino;
	sf->placed = 1;
	sockfile_abandon(sf);
	return 0;
fail:
	sockfile_abandon(sf);
	return -1;
}

/* sockfile_abandon - remove the private directory and what is left in it */
void
sockfile_abandon(struct sockfile *sf)
{
	if (sf->dir == NULL)
		return;
	if (sf->dirfd >= 0) {
		/* ENOENT after the rename; nothing else can be in there */
		unlinkat(sf->dirfd, SOCKFILE_NAME, 0);
		close(sf->dirfd);
		sf->dirfd = -1;
	}
	/* XXX by name: fails harmlessly if it is not the empty one */
	rmdir(sf->dir);
	free(sf->dir);
	sf->dir = NULL;
}

/*
 * sockfile_remove - at exit, unlink the socket if its name is still ours
 * (libmilter would unlink the private name, which is gone)
 */
void
sockfile_remove(struct sockfile *sf)
{
	struct stat st;

	if (!sf->placed || lstat(sf->path, &st) != 0 ||
	    !S_ISSOCK(st.st_mode) || st.st_dev != sf->dev ||
	    st.st_ino != sf->ino)
		return;
	/* as milter.user the directory may not be ours to change */
	if (unlink(sf->path) != 0 && errno != ENOENT && errno != EACCES &&
	    errno != EPERM)
		log_warn("unlink %s", sf->path);
	sf->placed = 0;
}

/* sockfile_free - release what sockfile_prepare() allocated */
void
sockfile_free(struct sockfile *sf)
{
	sockfile_abandon(sf);
	free(sf->path);
	free(sf->conn);
	sf->path = sf->conn = NULL;
}
