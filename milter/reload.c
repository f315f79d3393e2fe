/* SPDX-License-Identifier: BSD-2-Clause */
/* reload - SIGUSR1 and the status for systemd, on their own thread */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "core/metrics.h"
#include "core/pipeline.h"
#include "notify.h"
#include "reload.h"

/* reload_once - read the file again; swap only a valid one in */
static void
reload_once(struct pipeline_slot *slot)
{
	struct pipeline_env *env, *cur = pipeline_slot_acquire(slot);
	struct metrics *m = pipeline_env_metrics(cur);
	const struct config *old = pipeline_env_config(cur);
	struct config *cfg;
	struct buf why;

	notify_reloading();
	buf_init(&why, 4096);
	cfg = config_load(old->file, &why);
	if (cfg != NULL && config_check_files(cfg, &why) != 0) {
		config_release(cfg);
		cfg = NULL;
	}
	env = cfg != NULL ? pipeline_env_new(cfg, &why) : NULL;
	if (env == NULL) {
		log_err("reload: %s; the old configuration stays", why.data);
		metrics_reload(m, 0);
	} else {
		if (strcmp(cfg->milter.socket, old->milter.socket) != 0 ||
		    strcmp(cfg->milter.user, old->milter.user) != 0 ||
		    strcmp(cfg->metrics.listen, old->metrics.listen) != 0)
			log_warnx("reload: milter.socket, milter.user and "
			    "metrics.listen take effect only after a restart");
		pipeline_env_attach(env, m);
		metrics_reload(m, 1);
		log_set_level(cfg->log.level);
		log_info("configuration reloaded from %s", cfg->file);
		pipeline_slot_swap(slot, env);
	}
	notify_reloaded(env != NULL, why.data, m);
	pipeline_env_release(cur);
	buf_free(&why);
}

/* reload_status - the messages handled so far, for systemctl status */
static void
reload_status(struct pipeline_slot *slot)
{
	struct pipeline_env *cur = pipeline_slot_acquire(slot);

	notify_status(pipeline_env_metrics(cur));
	pipeline_env_release(cur);
}

/*
 * reload_thread - wait for SIGUSR1 (blocked in every thread, so only
 * this one takes it); between signals refresh the status. sigtimedwait()
 * is a cancellation point: main() cancels the thread at the stop.
 */
void *
reload_thread(void *arg)
{
	struct pipeline_slot *slot = arg;
	struct timespec ts;
	sigset_t set;

	int sig, old;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		ts.tv_sec = NOTIFY_STATUS_SECS;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &ts);
		/* the work holds an env reference: never cancelled in it */
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (sig == SIGUSR1)
			reload_once(slot);
		else if (errno == EAGAIN)
			reload_status(slot);
		pthread_setcancelstate(old, NULL);
	}
	return NULL;
}
