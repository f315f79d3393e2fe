/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_ingest - the "ingest" command of authmilter-report
 *
 * OWNERSHIP   report_ingest_main() runs the whole command and returns its
 *             exit status (0 all stored or known, 1 one refused, and
 *             exits 2 on a usage or configuration error).
 * LOCKING     none: one thread.
 * LIMITS      as core/ingest.h; REPORT_INGEST_MAX_FILES files per folder.
 * ERRORS      one warning line per refused input, one summary line.
 */
#ifndef AUTHMILTER_REPORT_INGEST_H
#define AUTHMILTER_REPORT_INGEST_H

int	report_ingest_main(int argc, char **argv);

#endif
