#!/bin/sh
# Quick start, part 2: install what is needed, build, and run every test
# suite. Each suite prints "<name>: N passed, N failed"; this script adds
# them up and ends with the plain line "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/test/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }

total_pass=0 total_fail=0
logdir=$(mktemp -d)

# suite NAME COMMAND...: run it, show its output, add up its summary line
suite() {
	name=$1; shift
	echo "=== $name"
	"$@" > "$logdir/$name.out" 2>&1
	rc=$?
	cat "$logdir/$name.out"
	sums=$(grep -E '^[A-Za-z0-9_. -]+: [0-9]+ passed, [0-9]+ failed' \
	    "$logdir/$name.out" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
	if [ -z "$sums" ]; then
		echo "$name: no summary line (exit $rc): counted as 1 failure"
		total_fail=$((total_fail + 1))
		return
	fi
	# shellcheck disable=SC2046
	set -- $(echo "$sums" | awk '{p += $1; f += $2} END {print p, f}')
	p=$1 f=$2
	if [ $rc -ne 0 ] && [ $f -eq 0 ]; then
		echo "$name: exit $rc with no failure counted: counted as 1"
		f=1
	fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

unit_tests() {
	make -j"$(nproc)" check >/dev/null 2>&1
	rc=$?
	cat test/unit/*.log test/conf/*.log 2>/dev/null |
	    grep -E ': [0-9]+ passed, [0-9]+ failed|^FAIL'
	return $rc
}

suite unit unit_tests
suite testdns /usr/bin/python3 test/tools/test_testdns.py
suite check-cli /usr/bin/python3 test/check/test_check.py
suite daemon /usr/bin/python3 test/daemon/test_daemon.py
suite spf-suite /usr/bin/python3 test/spf/run_suite.py
suite dkim-vectors /usr/bin/python3 test/dkim/run_vectors.py
suite dkim-interop /usr/bin/python3 test/dkim/run_interop.py
suite dmarc-daemon /usr/bin/python3 test/dmarc/run_daemon.py
suite dmarc-interop /usr/bin/python3 test/dmarc/run_interop.py
suite arc-valimail /usr/bin/python3 test/arc/run_valimail.py
suite arc-roundtrip /usr/bin/python3 test/arc/run_roundtrip.py
suite arc-daemon /usr/bin/python3 test/arc/run_daemon.py
suite milter sh test/milter/run.sh
suite report-sqlite /usr/bin/python3 test/report/run_sqlite.py
suite report-pg /usr/bin/python3 test/report/run_pg.py
suite report-postfix bash test/report/run_postfix.sh
suite ingest /usr/bin/python3 test/ingest/run_ingest.py
suite ingest-postfix bash test/ingest/run_postfix.sh
suite dashboard /usr/bin/python3 test/ingest/run_dashboard.py
suite e2e bash test/e2e/run.sh
suite e2e-dmarc bash test/e2e/run_dmarc.sh
suite e2e-arc bash test/e2e/run_arc.sh
suite e2e-sendmail bash test/e2e/run_sendmail.sh
suite privilege sh test/hardening/test_privilege.sh
suite regress /usr/bin/python3 test/hardening/test_regress.py
suite limits /usr/bin/python3 test/hardening/test_limits.py
suite dnsfaults /usr/bin/python3 test/hardening/run_dnsfaults.py
suite dnsbudget /usr/bin/python3 test/hardening/run_budget.py
suite load /usr/bin/python3 test/hardening/run_load.py --conc 200 --messages 5000
suite valgrind /usr/bin/python3 test/hardening/run_load.py --valgrind
suite crash bash test/hardening/run_crash.sh
suite report-crash /usr/bin/python3 test/hardening/run_report_crash.py
suite json-log /usr/bin/python3 test/ops/run_json_log.py
suite metrics /usr/bin/python3 test/ops/run_metrics.py
suite package bash test/package/run.sh
suite package-clean-build bash test/package/clean_build.sh
suite docs bash test/package/docs.sh
suite fuzz sh test/fuzz/run.sh "${FUZZ_SECONDS:-10}"
suite sanitizers sh test/sanitize.sh

rm -rf "$logdir"
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
