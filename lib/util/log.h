/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log - the one sink for diagnostics: syslog, and stderr in the foreground
 *
 * OWNERSHIP   log_safe() appends to a caller buf.
 * LOCKING     log_open()/log_set_level() are called from main() and the
 *             reload thread; level is an atomic int read by every logger.
 *             syslog(3) itself is thread-safe in glibc.
 * LIMITS      one line is at most LOG_LINE_MAX bytes; log_safe() caps a wire
 *             value at LOG_SAFE_MAX bytes.
 * ERRORS      log_fatal() exits 1 (configuration, environment); log_panic()
 *             aborts (a bug or exhausted memory).
 */
#ifndef AUTHMILTER_LOG_H
#define AUTHMILTER_LOG_H

#include <stdarg.h>
#include <stddef.h>

struct buf;

#define LOG_LINE_MAX	4096
#define LOG_SAFE_MAX	256

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

void	log_open(const char *ident, int facility, int to_stderr);
void	log_set_level(enum log_level);
int	log_level_parse(const char *, enum log_level *);
int	log_facility_parse(const char *, int *);
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	log_panic(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	log_safe(struct buf *, const char *, size_t);

#endif
