/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf - bounded, growable, always NUL-terminated byte strings
 *
 * OWNERSHIP   a struct buf owns data; buf_free() releases it. buf_init() on a
 *             caller-provided struct, buf_new() for a heap one.
 *             buf_steal() hands data to the caller and leaves the buf
 *             empty: buf_free() is then a no-op, reuse needs buf_init().
 * LOCKING     none; a buf belongs to one thread at a time.
 * LIMITS      every buf has a hard maximum (max, in bytes without the NUL).
 *             Appending past it stores what fits, sets truncated and
 *             returns -1, so wire-driven data can never grow without bound.
 * ERRORS      0 on success, -1 when the maximum was reached.
 */
#ifndef AUTHMILTER_BUF_H
#define AUTHMILTER_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_MAX_DEFAULT	(1024 * 1024)	/* 1 MiB unless the owner says */

struct buf {
	char	*data;		/* NUL-terminated; never NULL after init */
	size_t	 len;		/* bytes used, without the NUL */
	size_t	 cap;		/* bytes allocated, with the NUL */
	size_t	 max;		/* hard limit on len */
	int	 truncated;	/* an append hit max */
};

void	 buf_init(struct buf *, size_t max);
struct buf *buf_new(size_t max);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, int);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
char	*buf_steal(struct buf *);

#endif
