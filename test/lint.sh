#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test/lint.sh - the "lint" suite: static analysis of the sources
#
#  - cppcheck on the C of lib/ milter/ check/ report/ (and keygen/ when
#    there): its warning, portability and performance checks;
#  - shellcheck on every .sh, following sourced files (-x) from the
#    script's own folder;
#  - pyflakes3 on every .py.
#
# Each tool must find nothing; a finding fails its line and is shown. The
# files are git's list of tracked files, or, outside a git checkout, the
# same names found in the tree (test/data and build output left out).
# Fix what a tool finds; only where the code is right may a comment at
# the line silence it, with the reason beside it (for shellcheck a
# "disable=SCnnnn" directive, for cppcheck "cppcheck-suppress ID").
# Ends with "lint: N passed, N failed". The tools come from Debian's
# cppcheck, shellcheck and python3-pyflakes (test/setup.sh installs them).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0 fail=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# files PATTERN: the tracked files whose name matches PATTERN (*.sh, ...)
files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- "$1" ":!:test/data/*"
	else
		find . -name "$1" -type f ! -path './test/data/*' \
		    ! -path './build-sanitize/*' ! -path './test/fuzz/build/*' \
		    ! -path '*/.npm/*' ! -path '*/node_modules/*' |
		    sed 's|^\./||' | sort
	fi
}

# verdict NAME STATUS: PASS when the tool said nothing and exited 0
verdict() {
	if [ "$2" -eq 0 ] && [ ! -s "$out" ]; then
		pass=$((pass + 1))
		echo "PASS $1"
	else
		fail=$((fail + 1))
		echo "FAIL $1 (exit $2)"
		sed 's/^/  | /' "$out"
	fi
}

# need TOOL PACKAGE: the tool is there, or its line fails
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	fail=$((fail + 1))
	echo "FAIL $1: not installed (apt-get install -y $2)"
	return 1
}

if need cppcheck cppcheck; then
	dirs=""
	for d in lib milter check report keygen; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	# shellcheck disable=SC2086  # $dirs: a list of folder names
	cppcheck -q --std=c11 --enable=warning,portability,performance \
	    --error-exitcode=1 --inline-suppr -I lib -I . \
	    --suppress=missingIncludeSystem $dirs >"$out" 2>&1
	verdict "cppcheck on$dirs" $?
fi

if need shellcheck shellcheck; then
	rc=0 n=0
	: >"$out"
	files '*.sh' >"$tmp/list"
	while read -r f; do
		n=$((n + 1))
		shellcheck -x -P "$(dirname "$f")" "$f" </dev/null >>"$out" 2>&1 ||
		    rc=1
	done <"$tmp/list"
	verdict "shellcheck on $n scripts" $rc
fi

if need pyflakes3 python3-pyflakes; then
	files '*.py' >"$tmp/list"
	xargs -r pyflakes3 <"$tmp/list" >"$out" 2>&1
	verdict "pyflakes3 on $(wc -l <"$tmp/list") Python files" $?
fi

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
