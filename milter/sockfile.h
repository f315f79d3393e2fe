/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockfile - a root start's unix socket, owned by milter.user before
 *            anyone can reach it
 *
 * STANDARDS   none; POSIX *at() calls with AT_SYMLINK_NOFOLLOW.
 * OWNERSHIP   the caller owns the struct sockfile (all zero: empty, every
 *             call a no-op); sockfile_prepare() fills it, sockfile_place() or sockfile_abandon() empties
 *             the private directory, sockfile_free() releases it.
 * LOCKING     none; main() uses it before smfi_main() and after it.
 * LIMITS      the private name must fit sockaddr_un.sun_path.
 * ERRORS      0 or -1 with the reason in why.
 * BUGS        chown() on the socket's final name would follow a symlink
 *             or a hard link a milter.user process puts there between
 *             bind() and chown(), handing it any root-owned file. So
 *             libmilter binds in a fresh directory only root can enter;
 *             the socket is handed over there, then renamed into place
 *             (rename() replaces a planted link without following it).
 */
#ifndef AUTHMILTER_SOCKFILE_H
#define AUTHMILTER_SOCKFILE_H

#include <sys/types.h>

struct buf;

struct sockfile {
	char	*path;		/* the socket's final name */
	char	*dir;		/* the private directory, NULL once gone */
	char	*conn;		/* "unix:DIR/s", what libmilter binds */
	int	 dirfd;		/* dir, opened once it is checked; or -1 */
	dev_t	 dev;		/* the socket's device, once in place */
	ino_t	 ino;		/* the socket's inode, once in place */
	int	 placed;	/* renamed to path by sockfile_place() */
};

int	sockfile_prepare(struct sockfile *, const char *path, struct buf *why);
int	sockfile_place(struct sockfile *, uid_t, gid_t, struct buf *why);
void	sockfile_abandon(struct sockfile *);
void	sockfile_remove(struct sockfile *);
void	sockfile_free(struct sockfile *);

#endif
