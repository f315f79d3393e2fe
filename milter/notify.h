/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify - the daemon's state for systemd (Type=notify): ready once the
 *          socket listens, reloading and ready again around a reload,
 *          stopping, and a status line with the messages handled
 *
 * STANDARDS   sd_notify(3): READY=1, RELOADING=1, STOPPING=1, STATUS=.
 *             Without NOTIFY_SOCKET in the environment (not started by
 *             systemd) every call does nothing.
 * OWNERSHIP   none kept.
 * LOCKING     called from main() and the reload thread only; sd_notify()
 *             sends one datagram and keeps no state.
 * LIMITS      one status line of NOTIFY_MAX_STATUS bytes.
 * ERRORS      none: a message systemd does not get is not worth failing
 *             for (it is logged at debug level).
 */
#ifndef AUTHMILTER_NOTIFY_H
#define AUTHMILTER_NOTIFY_H

struct metrics;

#define NOTIFY_MAX_STATUS	512
#define NOTIFY_STATUS_SECS	5	/* refresh the status this often */

void	notify_ready(const char *socket, const struct metrics *);
void	notify_reloading(void);
void	notify_reloaded(int ok, const char *why, const struct metrics *);
void	notify_status(const struct metrics *);
void	notify_stopping(void);

#endif
