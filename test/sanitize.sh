#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Build a second tree with ASan + UBSan (+ LeakSanitizer) and run the unit
# tests and the suites that drive the binaries (those tagged asan or
# asan-only in test/run-all.sh's table) against it. Any sanitizer
# report fails the suite it appears in. Ends with "sanitizers: N passed,
# N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${SANITIZE_DIR:-$top/build-sanitize}
# every report also goes to a file under $dir/reports (the daemon's stderr
# may be a log nobody reads; leaks are reported at exit, after the test
# looked): a suite that leaves one there fails. World-writable: the daemon
# runs as nobody.
reports=$dir/reports
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

rm -rf "$dir" && mkdir -p "$dir/src" "$reports" || exit 1
chmod 1777 "$reports"
# found REPORTS: print and clear the sanitizer reports; 0 when there were any
found() {
	set -- "$reports"/*
	[ -e "$1" ] || return 1
	head -60 "$@"
	mkdir -p "$dir/seen" && mv "$@" "$dir/seen/"
	return 0
}
# an out-of-tree build needs a clean source: copy the tracked files
(cd "$top" && git ls-files -z | xargs -0 tar -cf -) | tar -xf - -C "$dir/src"
cd "$dir/src" || exit 1
if autoreconf -fi >/dev/null 2>&1 && ./configure -q --enable-sanitizers \
    --enable-werror >/dev/null && make -j"$(nproc)" >/dev/null 2>&1; then
	ok "sanitizer build"
else
	no "sanitizer build"
	echo "sanitizers: $pass passed, $fail failed"
	exit 1
fi
if make -j"$(nproc)" check CHECK_SUITES=no >/dev/null 2>&1 && ! found; then
	ok "unit tests under ASan/UBSan"
else
	no "unit tests under ASan/UBSan"
	grep -h -A20 "ERROR\|runtime error\|^FAIL" test/unit/*.log | head -60
fi
run() {
	name=$1; shift
	if "$@" > "$dir/$name.out" 2>&1 && ! found; then
		ok "$name under ASan/UBSan"
	else
		no "$name under ASan/UBSan"
		# the failing checks first: a long suite's tail may not hold them
		grep -m 20 '^FAIL' "$dir/$name.out"
		tail -30 "$dir/$name.out"
	fi
}
export AUTHMILTER="$dir/src/milter/authmilter"
export AUTHMILTER_CHECK="$dir/src/check/authmilter-check"
export AUTHMILTER_REPORT="$dir/src/report/authmilter-report"
export AUTHMILTER_KEYGEN="$dir/src/keygen/authmilter-keygen"
cd "$top" || exit 1
# the suites: those tagged asan or asan-only in test/run-all.sh's table
sh "$top/test/run-all.sh" --list --tag asan --tag asan-only >"$dir/suites" ||
    no "the list of suites (test/run-all.sh --list)"
while read -r name _ _ cmd; do
	case $name in '#'*) continue ;; esac
	eval "run \"\$name\" $cmd" </dev/null
done <"$dir/suites"
echo "sanitizers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
