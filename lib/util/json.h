/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json - the few JSON writing primitives authmilter needs
 *
 * STANDARDS   RFC 8259; strings are escaped, bytes that are not valid UTF-8
 *             are replaced by U+FFFD so the output always parses.
 * OWNERSHIP   appends to a caller buf.
 * LOCKING     none.
 * ERRORS      none.
 */
#ifndef AUTHMILTER_JSON_H
#define AUTHMILTER_JSON_H

struct buf;

void	json_str(struct buf *, const char *);
void	json_key(struct buf *, const char *, int first);
void	json_kv(struct buf *, const char *, const char *, int first);

#endif
