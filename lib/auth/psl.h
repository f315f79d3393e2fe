/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * psl - the public suffix list, for dmarc.mode = "rfc7489"
 *
 * STANDARDS   RFC 7489 section 3.2 (organizational domain: the public
 *             suffix plus one label); the list's own rules: the longest
 *             matching rule wins, "*.x" rules cover any one label, "!"
 *             exceptions beat them, and with no match the default rule
 *             "*" applies. Rules in U-labels are stored as A-labels.
 * OWNERSHIP   psl_load() returns a table owned by the caller (one per
 *             configuration); psl_org() returns a pointer into its
 *             argument.
 * LOCKING     read-only after psl_load(): shared by all threads.
 * LIMITS      PSL_MAX_RULES rules.
 * ERRORS      psl_load() NULL with why.
 * BUGS        libopendmarc's own list code misses "*." wildcards and
 *             leaves its output unset when no rule matches, hence this.
 */
#ifndef AUTHMILTER_PSL_H
#define AUTHMILTER_PSL_H

struct buf;
struct psl;

#define PSL_MAX_RULES	100000

struct psl	*psl_load(const char *path, struct buf *why);
void		 psl_free(struct psl *);
const char	*psl_org(const struct psl *, const char *lowercase_domain);

#endif
