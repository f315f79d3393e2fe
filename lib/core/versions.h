/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * versions - the version of each library lib/ links, in words, for -V
 *
 * STANDARDS   none; each library's own version call where it has one
 *             (dkim_libversion(), ub_version(), OpenSSL_version(),
 *             sqlite3_libversion(), PQlibVersion(), idn2_check_version(),
 *             zlibVersion()), its header's numbers where it has only
 *             those (libspf2, libconfig), and the file the dynamic loader
 *             mapped where it has neither (libopendmarc).
 * OWNERSHIP   versions_libraries(), versions_file() and versions_signing()
 *             append to a caller buf; versions_print() writes to a caller
 *             stream.
 * LOCKING     none; called from main() before threads start.
 * ERRORS      none: what cannot be known is said so.
 */
#ifndef AUTHMILTER_VERSIONS_H
#define AUTHMILTER_VERSIONS_H

#include <stdio.h>

struct buf;

void	versions_print(FILE *, const char *program);
void	versions_libraries(struct buf *);
void	versions_file(const char *stem, struct buf *);
void	versions_signing(struct buf *);

#endif
