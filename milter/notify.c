/* SPDX-License-Identifier: BSD-2-Clause */
/* notify - sd_notify(3) for systemd's Type=notify */
#include "autoconf.h"

#include <stdatomic.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "util/buf.h"
#include "util/log.h"
#include "core/metrics.h"
#include "notify.h"

/* notify_send - one datagram; systemd's absence is no error */
static void
notify_send(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		log_debug("sd_notify: %s", strerror(-rc));
}

/* notify_counts - "N messages: A accepted, R rejected, ..." */
static void
notify_counts(const struct metrics *m, struct buf *out)
{
	unsigned long long a, r, q, t;

	if (m == NULL) {
		buf_puts(out, "no counts");
		return;
	}
	a = atomic_load(&m->messages[POLICY_ACCEPT]);
	r = atomic_load(&m->messages[POLICY_REJECT]);
	q = atomic_load(&m->messages[POLICY_QUARANTINE]);
	t = atomic_load(&m->messages[POLICY_TEMPFAIL]);
	buf_printf(out, "%llu message%s: %llu accepted, %llu rejected, %llu "
	    "quarantined, %llu tempfailed", a + r + q + t, a + r + q + t == 1 ?
	    "" : "s", a, r, q, t);
}

/* notify_ready - the socket listens: systemd may start what needs us */
void
notify_ready(const char *socket, const struct metrics *m)
{
	struct buf b;

	buf_init(&b, NOTIFY_MAX_STATUS);
	buf_printf(&b, "READY=1\nSTATUS=listening on %s; ", socket);
	notify_counts(m, &b);
	notify_send(b.data);
	buf_free(&b);
}

/* notify_reloading - SIGUSR1 taken: the configuration is being read */
void
notify_reloading(void)
{
	notify_send("RELOADING=1\nSTATUS=reloading the configuration");
}

/* notify_reloaded - ready again, with the new or the old configuration */
void
notify_reloaded(int ok, const char *why, const struct metrics *m)
{
	struct buf b;

	buf_init(&b, NOTIFY_MAX_STATUS);
	if (ok)
		buf_puts(&b, "READY=1\nSTATUS=configuration reloaded; ");
	else {
		buf_puts(&b, "READY=1\nSTATUS=reload refused, the old "
		    "configuration stays: ");
		/* one line: the protocol separates assignments by newlines */
		for (; why != NULL && *why != '\0' && *why != '\n'; why++)
			buf_putc(&b, *why);
		buf_puts(&b, "; ");
	}
	notify_counts(m, &b);
	notify_send(b.data);
	buf_free(&b);
}

/* notify_status - the status line alone, refreshed now and then */
void
notify_status(const struct metrics *m)
{
	struct buf b;

	buf_init(&b, NOTIFY_MAX_STATUS);
	buf_puts(&b, "STATUS=");
	notify_counts(m, &b);
	notify_send(b.data);
	buf_free(&b);
}

/* notify_stopping - libmilter is shutting down */
void
notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping");
}
