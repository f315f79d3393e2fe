/* SPDX-License-Identifier: BSD-2-Clause */
/* log - syslog and stderr output, wire-data sanitizing */
#include "autoconf.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "util/buf.h"
#include "util/log.h"

/*
 * Process-wide log settings. syslog(3) is process state anyway; these are
 * written by main() before threads start, and level also by the reload
 * thread, hence atomic.
 */
static atomic_int log_cur_level = LOG_LEVEL_INFO;
static atomic_int log_to_stderr;

static const struct {
	const char *name;
	int	 value;
} log_facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const char *const log_level_names[] = {
	"err", "warning", "info", "debug"
};

/* log_open - start logging under ident to facility */
void
log_open(const char *ident, int facility, int to_stderr)
{
	atomic_store(&log_to_stderr, to_stderr);
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/* log_set_level - messages above this level are dropped */
void
log_set_level(enum log_level level)
{
	atomic_store(&log_cur_level, (int)level);
}

/* log_level_parse - "err" "warning" "info" "debug" to enum */
int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]);
	    i++) {
		if (strcasecmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warn") == 0 || strcasecmp(s, "error") == 0) {
		*out = s[0] == 'w' || s[0] == 'W' ? LOG_LEVEL_WARN :
		    LOG_LEVEL_ERR;
		return 0;
	}
	return -1;
}

/* log_facility_parse - syslog facility name to value */
int
log_facility_parse(const char *s, int *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]);
	    i++) {
		if (strcasecmp(s, log_facilities[i].name) == 0) {
			*out = log_facilities[i].value;
			return 0;
		}
	}
	return -1;
}

/* log_emit - format once, send to syslog and maybe stderr */
static void
log_emit(enum log_level level, int prio, const char *errstr,
    const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n;

	if ((int)level > atomic_load(&log_cur_level))
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n >= 0 && errstr != NULL && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", errstr);
	syslog(prio, "%s", line);
	if (atomic_load(&log_to_stderr))
		fprintf(stderr, "authmilter: %s: %s\n",
		    log_level_names[level], line);
}

#define LOG_BODY(level, prio, errstr) do {			\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_emit(level, prio, errstr, fmt, ap);			\
	va_end(ap);						\
} while (0)

/* log_debug - traces, off unless log.level = debug */
void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_DEBUG, LOG_DEBUG, NULL);
}

/* log_info - verdicts and lifecycle */
void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO, LOG_INFO, NULL);
}

/* log_warn - warning with strerror(errno) */
void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, e);
}

/* log_warnx - warning, e.g. bad remote data */
void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, NULL);
}

/* log_err - local failure: DNS, key files, store I/O */
void
log_err(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERR, LOG_ERR, NULL);
}

/* log_fatal - environment or configuration error at startup: exit 1 */
void
log_fatal(const char *fmt, ...)
{
	atomic_store(&log_to_stderr, 1);
	LOG_BODY(LOG_LEVEL_ERR, LOG_ERR, NULL);
	exit(1);
}

/* log_panic - a bug: log and abort */
void
log_panic(const char *fmt, ...)
{
	atomic_store(&log_to_stderr, 1);
	LOG_BODY(LOG_LEVEL_ERR, LOG_CRIT, NULL);
	abort();
}

/* log_safe - append a wire value printable, capped, quoted if spaced */
void
log_safe(struct buf *out, const char *s, size_t len)
{
	size_t i, n = len > LOG_SAFE_MAX ? LOG_SAFE_MAX : len;
	int quote = 0;

	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '=')
			quote = 1;
	if (len == 0)
		quote = 1;
	if (quote)
		buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_putc(out, '\\');
		buf_putc(out, c >= 0x20 && c < 0x7f ? c : '?');
	}
	if (len > n)
		buf_puts(out, "...");
	if (quote)
		buf_putc(out, '"');
}
