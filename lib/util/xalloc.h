/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xalloc - memory allocation that either succeeds or does not return
 *
 * OWNERSHIP   the caller frees what these return with free().
 * LOCKING     none; thread-safe as malloc(3) is.
 * ERRORS      out of memory logs through log_panic() and aborts: every size
 *             driven by the wire is capped by its module, so only a real
 *             shortage of memory reaches this.
 */
#ifndef AUTHMILTER_XALLOC_H
#define AUTHMILTER_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

#endif
