/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preflight - what authmilter -n checks beyond the file itself: the user
 *             the daemon will run as, and the directory its unix socket
 *             goes into
 *
 * STANDARDS   authmilter(8) OPTIONS (-n).
 * OWNERSHIP   the reason goes into the caller's buf.
 * LOCKING     none; main() calls it before anything else runs.
 * ERRORS      preflight_check() returns 0, or -1 with "FILE:LINE: key:
 *             message" (or "-p: message" for the socket of -p) in why.
 * BUGS        a socket directory is judged by its mode bits when -n runs
 *             as root for milter.user; POSIX ACLs are not read then (run
 *             as milter.user, -n asks the kernel, ACLs included).
 */
#ifndef AUTHMILTER_PREFLIGHT_H
#define AUTHMILTER_PREFLIGHT_H

struct buf;
struct config;

int	preflight_check(const struct config *, const char *socket_opt,
	    struct buf *why);

#endif
