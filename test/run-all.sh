#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test/run-all.sh - every test suite, or a selection, from one table
#
#   sh test/run-all.sh              test/setup.sh (install, build), then
#                                   every suite of the table below
#   sh test/run-all.sh SUITE...     setup, then only the suites named
#   sh test/run-all.sh --list       name, root or not, tags and command of
#                                   each suite (of the selection); runs
#                                   nothing, not even setup
# Selection options (with or without names; a suite is run when it is
# named or matches any of them):
#   --no-root    the suites that need neither root nor a network beyond
#                loopback ("make check" runs these)
#   --tag TAG    the suites with tag TAG
#   --no-setup   do not run test/setup.sh (the tree is built already);
#                AUTHMILTER_NO_APT=1 runs it without apt-get
#
# Each suite prints "<name>: N passed, N failed"; this script shows each
# suite's output, adds them up and ends with the plain line "N passed, N
# failed" (CI reads it). Exit status 0 when nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# The table, the one list of suites (test/sanitize.sh and make check read
# it through --list and --no-root): "suite NAME TAGS COMMAND...", in the
# order they run. TAGS, comma-separated, "-" for none:
#   root       needs root (Postfix, a privilege drop, dpkg, PostgreSQL)
#   net        needs a network beyond loopback (npm packages)
#   make       runs "make check" itself, so make check leaves it out
#   asan       test/sanitize.sh also runs it against its ASan/UBSan build
#   asan-only  only test/sanitize.sh runs it (a lighter variant)
# A suite without root, net, make or asan-only runs in "make check".
suites() {
	suite unit          make      sh test/unit/run.sh
	suite lint          -         sh test/lint.sh
	suite testdns       -         /usr/bin/python3 test/tools/test_testdns.py
	suite check-cli     asan      /usr/bin/python3 test/check/test_check.py
	suite explain       root,asan /usr/bin/python3 test/check/test_explain.py
	suite domain        root,asan /usr/bin/python3 test/check/test_domain.py
	suite daemon        root,asan /usr/bin/python3 test/daemon/test_daemon.py
	suite spf-suite     asan      /usr/bin/python3 test/spf/run_suite.py
	suite dkim-vectors  -         /usr/bin/python3 test/dkim/run_vectors.py
	suite dkim-interop  asan      /usr/bin/python3 test/dkim/run_interop.py
	suite dmarc-daemon  root,asan /usr/bin/python3 test/dmarc/run_daemon.py
	suite dmarc-interop net       /usr/bin/python3 test/dmarc/run_interop.py
	suite controls      root,asan /usr/bin/python3 test/controls/run_controls.py
	suite arc-valimail  asan      /usr/bin/python3 test/arc/run_valimail.py
	suite arc-roundtrip asan      /usr/bin/python3 test/arc/run_roundtrip.py
	suite arc-daemon    -         /usr/bin/python3 test/arc/run_daemon.py
	suite bimi          asan      /usr/bin/python3 test/bimi/run_bimi.py
	suite sign-daemon   root,asan /usr/bin/python3 test/sign/run_daemon.py
	suite milter        asan      sh test/milter/run.sh
	suite report-sqlite asan      /usr/bin/python3 test/report/run_sqlite.py
	suite report-pg     root,asan /usr/bin/python3 test/report/run_pg.py
	suite failure-reports asan    /usr/bin/python3 test/report/run_failure.py
	suite failure-pg    root,asan /usr/bin/python3 test/report/run_failure_pg.py
	suite report-postfix root     bash test/report/run_postfix.sh
	suite failure-postfix root    bash test/report/run_failure_postfix.sh
	suite ingest        root      /usr/bin/python3 test/ingest/run_ingest.py
	# under ASan no peak-memory check (its shadow memory counts)
	suite ingest-asan   asan-only /usr/bin/python3 test/ingest/run_ingest.py --no-rss
	suite ingest-postfix root,asan bash test/ingest/run_postfix.sh
	suite dashboard     root,asan /usr/bin/python3 test/ingest/run_dashboard.py
	suite e2e           root      bash test/e2e/run.sh
	suite e2e-dmarc     root      bash test/e2e/run_dmarc.sh
	suite e2e-arc       root      bash test/e2e/run_arc.sh
	suite e2e-sign      root      bash test/e2e/run_sign.sh
	suite e2e-sendmail  root      bash test/e2e/run_sendmail.sh
	suite privilege     root,asan sh test/hardening/test_privilege.sh
	suite regress       asan      /usr/bin/python3 test/hardening/test_regress.py
	suite limits        asan      /usr/bin/python3 test/hardening/test_limits.py
	suite dnsfaults     asan      /usr/bin/python3 test/hardening/run_dnsfaults.py
	suite dnsbudget     asan      /usr/bin/python3 test/hardening/run_budget.py
	suite load          -         /usr/bin/python3 test/hardening/run_load.py --conc 200 --messages 5000
	# under ASan no RSS check: its quarantine holds freed memory on purpose
	suite load-asan     asan-only /usr/bin/python3 test/hardening/run_load.py --conc 100 --messages 2000 --no-rss
	suite valgrind      -         /usr/bin/python3 test/hardening/run_load.py --valgrind
	suite crash         root,asan bash test/hardening/run_crash.sh
	suite report-crash  asan      /usr/bin/python3 test/hardening/run_report_crash.py
	suite json-log      asan      /usr/bin/python3 test/ops/run_json_log.py
	suite metrics       asan      /usr/bin/python3 test/ops/run_metrics.py
	suite package       root      bash test/package/run.sh
	suite package-clean-build root bash test/package/clean_build.sh
	suite docs          -         bash test/package/docs.sh
	suite fuzz          -         sh test/fuzz/run.sh "${FUZZ_SECONDS:-10}"
	suite sanitizers    root      sh test/sanitize.sh
}

usage() {
	echo "usage: sh test/run-all.sh [--list] [--no-setup] [--no-root]" \
	    "[--tag TAG]... [SUITE...]" >&2
	exit 2
}

list=0 setup=1 noroot=0 tags="" names=""
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=1 ;;
	--no-setup) setup=0 ;;
	--no-root) noroot=1 ;;
	--tag) [ $# -gt 1 ] || usage; tags="$tags $2"; shift ;;
	-h | --help) usage ;;
	-*) echo "run-all.sh: unknown option $1" >&2; usage ;;
	*) names="$names $1" ;;
	esac
	shift
done
everything=0
[ -z "$names$tags" ] && [ "$noroot" = 0 ] && everything=1

# has TAGS TAG: the comma-separated TAGS hold TAG
has() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# chosen NAME TAGS: the selection takes this suite
chosen() {
	case " $names " in *" $1 "*) return 0 ;; esac
	if [ "$everything" = 1 ]; then
		has "$2" asan-only && return 1
		return 0
	fi
	for t in $tags; do
		has "$2" "$t" && return 0
	done
	if [ "$noroot" = 1 ]; then
		for t in root net make asan-only; do
			has "$2" "$t" && return 1
		done
		return 0
	fi
	return 1
}

# a name that is no suite is a mistake, not an empty selection
known=" "
# shellcheck disable=SC2317  # called through suites
suite() { known="$known$1 "; }
suites
for n in $names; do
	case $known in *" $n "*) ;; *)
		echo "run-all.sh: no suite named $n (sh test/run-all.sh --list)" >&2
		[ "$list" = 1 ] && exit 2
		echo "0 passed, 1 failed"
		exit 1 ;;
	esac
done

if [ "$list" = 1 ]; then
	# shellcheck disable=SC2317  # called through suites
	suite() {
		chosen "$1" "$2" || return 0
		n=$1 r=no o=""
		for t in $(echo "$2" | tr , ' '); do
			case $t in
			root) r=yes ;;
			-) ;;
			*) o="$o,$t" ;;
			esac
		done
		o=${o#,}
		shift 2
		printf '%-15s %-4s %-9s %s\n' "$n" "$r" "${o:--}" "$*"
	}
	printf '%-15s %-4s %-9s %s\n' "# suite" root tags command
	suites
	exit 0
fi

if [ "$setup" = 1 ]; then
	"$top/test/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }
fi

total_pass=0 total_fail=0
logdir=$(mktemp -d) || { echo "0 passed, 1 failed"; exit 1; }

# suite NAME TAGS COMMAND...: when selected, run it, show its output and
# add up its summary lines
# shellcheck disable=SC2317  # called through suites
suite() {
	chosen "$1" "$2" || return 0
	name=$1
	shift 2
	echo "=== $name"
	"$@" </dev/null >"$logdir/$name.out" 2>&1
	rc=$?
	cat "$logdir/$name.out"
	sums=$(grep -E '^[A-Za-z0-9_. -]+: [0-9]+ passed, [0-9]+ failed' \
	    "$logdir/$name.out" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
	if [ -z "$sums" ]; then
		echo "$name: no summary line (exit $rc): counted as 1 failure"
		total_fail=$((total_fail + 1))
		return
	fi
	# shellcheck disable=SC2046  # two numbers, split on purpose
	set -- $(echo "$sums" | awk '{p += $1; f += $2} END {print p, f}')
	p=$1 f=$2
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exit $rc with no failure counted: counted as 1"
		f=1
	fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}
suites

rm -rf "$logdir"
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
