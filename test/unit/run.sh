#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test/unit/run.sh - the "unit" suite of test/run-all.sh: "make check"
# without the suites it runs too (CHECK_SUITES=no: run-all.sh runs those
# itself), then each test's "name: N passed, N failed" line from its log
# and every FAIL line. Exit status: make's.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
make -j"$(nproc)" check CHECK_SUITES=no >/dev/null 2>&1
rc=$?
cat test/unit/*.log test/conf/*.log 2>/dev/null |
    grep -E ': [0-9]+ passed, [0-9]+ failed|^FAIL'
exit $rc
