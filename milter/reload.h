/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reload - the daemon's signal thread: SIGUSR1 reloads the configuration
 *          (a valid new file replaces the one in force, an invalid one is
 *          logged and changes nothing), and systemd hears of it and of
 *          the messages handled (notify.h)
 *
 * STANDARDS   authmilter(8) SIGNALS; sd_notify(3) RELOADING=1, READY=1,
 *             STATUS= every NOTIFY_STATUS_SECS seconds.
 * OWNERSHIP   the thread takes and releases its own env references.
 * LOCKING     the slot's mutex guards the swap (core/pipeline.h).
 * ERRORS      none: a refused file is logged, counted and reported.
 */
#ifndef AUTHMILTER_RELOAD_H
#define AUTHMILTER_RELOAD_H

void	*reload_thread(void *slot);

#endif
