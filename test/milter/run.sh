#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - run the miltertest regression scripts against the real daemon
#
# Usage: test/milter/run.sh [SCRIPT...]      (default: every NN-*.lua here)
#
# For each NN-topic-expectation.lua, with its NN-topic-expectation.conf:
#   1. pick a free TCP port on 127.0.0.1 and start
#        authmilter -f -c CONF -p inet:PORT@127.0.0.1
#      in the background (stderr/stdout to a log file), then wait (bounded)
#      until that daemon itself listens on the port;
#      a .conf containing the token @DNSPORT@ first gets a silent DNS
#      responder (a UDP socket on 127.0.0.1 that never answers) and the
#      token replaced by its port;
#   2. run  miltertest -s SCRIPT -D port=PORT -D srcdir=DIR -D tmpdir=DIR
#           -D logfile=LOG [-D dnsport=P -D dnsqueries=FILE];
#   3. fail if the daemon is no longer alive (a crash is a failure), then
#      stop it with SIGTERM (bounded wait, then SIGKILL, which is a failure
#      too, as is a non-zero exit status after SIGTERM).
# Prints PASS name / FAIL name (with the miltertest output and the daemon
# log tail) per script and ends with "milter: N passed, N failed".
# Exit status: 0 all passed, 1 a script failed, 2 setup error.
#
# Environment:
#   AUTHMILTER         daemon to test (default <repo>/milter/authmilter)
#   MILTERTEST         miltertest binary (default: miltertest in PATH)
#   MILTER_TEST_JOBS   scripts run at the same time (default 6): stopping
#                      a libmilter daemon takes up to 5 s (libmilter polls
#                      its stop flag), so the scripts overlap
#   MILTER_TEST_KEEP   1: keep the scratch directory (logs, configs)
#   MILTER_TEST_VERBOSE  1: show the miltertest output of passing scripts too

# test/run-all.sh runs this as "sh test/milter/run.sh": the rest needs bash
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
AUTHMILTER=${AUTHMILTER:-$repo/milter/authmilter}
MILTERTEST=${MILTERTEST:-miltertest}
JOBS=${MILTER_TEST_JOBS:-6}
START_WAIT=10		# seconds until the daemon must listen
STOP_WAIT=10		# seconds between SIGTERM and SIGKILL
SCRIPT_TIMEOUT=120	# seconds for one miltertest run
LOG_TAIL=40		# daemon log lines shown on failure

die() {
	echo "run.sh: $*" >&2
	exit 2
}

[ -x "$AUTHMILTER" ] || die "daemon $AUTHMILTER not built (make -j2)"
command -v "$MILTERTEST" >/dev/null 2>&1 ||
    die "$MILTERTEST not found (apt-get install -y miltertest)"
command -v python3 >/dev/null 2>&1 ||
    die "python3 not found (free ports, silent DNS responder, milterclient.py)"
case $JOBS in
'' | *[!0-9]* | 0) die "MILTER_TEST_JOBS must be a positive number" ;;
esac

if [ $# -gt 0 ]; then
	scripts=()
	for s in "$@"; do
		case $s in
		*/*) ;;
		*) s=$here/$s ;;
		esac
		[ -f "$s" ] || die "no such script: $s"
		# miltertest runs in $here: the path must not be relative
		s=$(cd "$(dirname "$s")" && pwd)/$(basename "$s")
		scripts+=("$s")
	done
else
	shopt -s nullglob
	scripts=("$here"/[0-9][0-9]-*.lua)
	shopt -u nullglob
fi
[ ${#scripts[@]} -gt 0 ] || die "no NN-*.lua scripts in $here"

linebuf=()
if command -v stdbuf >/dev/null 2>&1; then
	linebuf=(stdbuf -oL)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/authmilter-milter.XXXXXX") ||
    die "mktemp failed"

# --- process helpers -------------------------------------------------------

# alive PID - the process exists and is not a zombie
alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_pid PID SECONDS - SIGTERM, bounded wait, SIGKILL; 0 if it went on
# SIGTERM, 1 if SIGKILL was needed.  Only for processes this shell started.
stop_pid() {
	local pid=$1 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < $2 * 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 1
}

# free_port - a TCP port on 127.0.0.1 nobody listens on right now
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# listens PID PORT - PID itself holds the listening socket 127.0.0.1:PORT
# (so a foreign process that took the port cannot stand in for the daemon)
listens() {
	local hex inode fd
	[ -r /proc/net/tcp ] || return 0	# cannot tell: trust the probe
	# 127.0.0.1:PORT in LISTEN state (0A); the address is little-endian
	hex=$(printf '0100007F:%04X' "$2")
	inode=$(awk -v a="$hex" '$2 == a && $4 == "0A" { print $10 }' \
	    /proc/net/tcp | head -n1)
	[ -n "$inode" ] || return 1
	for fd in "/proc/$1/fd"/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] && return 0
	done
	return 1
}

# accepts PORT - a TCP connection to 127.0.0.1:PORT succeeds
accepts() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- one script --------------------------------------------------------------

# run_one SCRIPT DIR - runs in its own subshell; leaves DIR/result
run_one() {
	local script=$1 wd=$2 name conf port pid dnsport="" rc status
	local reason="" i
	local -a defs
	name=$(basename "$script" .lua)
	conf=${script%.lua}.conf
	daemon_pid="" dns_pid="" run_wd=$wd

	# shellcheck disable=SC2317  # called through the trap
	finish_one() {
		# only reached with processes still running on an early exit
		[ -n "$daemon_pid" ] && stop_pid "$daemon_pid" "$STOP_WAIT"
		[ -n "$dns_pid" ] && stop_pid "$dns_pid" 2
		rm -f "$run_wd"/*.pid
	}
	trap finish_one EXIT

	result() {	# result PASS|FAIL REASON
		printf '%s\n%s\n' "$1" "${2:-}" >"$wd/result.tmp"
		mv "$wd/result.tmp" "$wd/result"
	}

	if [ ! -f "$conf" ]; then
		result FAIL "no configuration $conf"
		return
	fi
	cp "$conf" "$wd/authmilter.conf"

	# a silent DNS server: answers nothing, counts the queries
	if grep -q '@DNSPORT@' "$conf"; then
		python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
with open(sys.argv[1], "a") as log:
    while True:
        s.recv(65535)
        log.write("query\n")
        log.flush()' "$wd/dns.queries" >"$wd/dns.port" 2>>"$wd/dns.err" &
		dns_pid=$!
		echo "$dns_pid" >"$wd/dns.pid"
		for ((i = 0; i < 50; i++)); do
			dnsport=$(cat "$wd/dns.port" 2>/dev/null)
			[ -n "$dnsport" ] && break
			sleep 0.1
		done
		if [ -z "$dnsport" ]; then
			result FAIL "silent DNS responder did not start"
			return
		fi
		: >>"$wd/dns.queries"
		sed "s/@DNSPORT@/$dnsport/g" "$conf" >"$wd/authmilter.conf"
	fi

	# start the daemon; ports are picked under a lock so that parallel
	# scripts never race for the same one, and retried if someone else
	# took it meanwhile
	for _ in 1 2 3; do
		exec 9>"$work/port.lock"
		flock 9 2>/dev/null
		port=$(free_port)
		: >"$wd/daemon.log"
		"$AUTHMILTER" -f -c "$wd/authmilter.conf" \
		    -p "inet:$port@127.0.0.1" >>"$wd/daemon.log" 2>&1 9>&- &
		pid=$!
		daemon_pid=$pid
		echo "$pid" >"$wd/daemon.pid"
		reason="daemon did not listen on 127.0.0.1:$port within ${START_WAIT}s"
		for ((i = 0; i < START_WAIT * 10; i++)); do
			if ! alive "$pid"; then
				wait "$pid"
				reason="daemon exited with status $? before listening"
				daemon_pid=""
				break
			fi
			if listens "$pid" "$port" && accepts "$port"; then
				reason=""
				break
			fi
			sleep 0.1
		done
		exec 9>&-
		[ -z "$reason" ] && break
		if [ -n "$daemon_pid" ]; then
			stop_pid "$daemon_pid" "$STOP_WAIT"
			wait "$daemon_pid" 2>/dev/null
			daemon_pid=""
		fi
		# only a lost port race is worth another try
		grep -qi 'in use\|bind' "$wd/daemon.log" || break
	done
	if [ -n "$reason" ]; then
		result FAIL "$reason"
		return
	fi

	defs=(-D "port=$port" -D "srcdir=$here" -D "tmpdir=$wd"
	    -D "logfile=$wd/daemon.log")
	if [ -n "$dnsport" ]; then
		defs+=(-D "dnsport=$dnsport" -D "dnsqueries=$wd/dns.queries")
	fi
	# line-buffered stdout keeps mt.echo lines and miltertest's own
	# stderr messages in order
	(cd "$here" && exec timeout -k 5 "$SCRIPT_TIMEOUT" "${linebuf[@]}" \
	    "$MILTERTEST" -s "$script" "${defs[@]}") >"$wd/miltertest.out" 2>&1 &
	echo $! >"$wd/miltertest.pid"
	wait $!
	rc=$?
	rm -f "$wd/miltertest.pid"

	reason=""
	if [ "$rc" -eq 124 ]; then
		reason="miltertest timed out after ${SCRIPT_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		reason="miltertest exited with status $rc"
	fi
	if ! alive "$daemon_pid"; then
		wait "$daemon_pid"
		status=$?
		daemon_pid=""
		reason="${reason:+$reason; }daemon died during the test (exit status $status)"
	else
		if ! stop_pid "$daemon_pid" "$STOP_WAIT"; then
			reason="${reason:+$reason; }daemon did not stop within ${STOP_WAIT}s of SIGTERM (killed)"
		fi
		wait "$daemon_pid"
		status=$?
		daemon_pid=""
		if [ "$status" -ne 0 ] && [ "$status" -ne 137 ]; then
			reason="${reason:+$reason; }daemon exited with status $status after SIGTERM"
		fi
	fi
	rm -f "$wd/daemon.pid"
	if [ -n "$dns_pid" ]; then
		stop_pid "$dns_pid" 2
		wait "$dns_pid" 2>/dev/null
		dns_pid=""
		rm -f "$wd/dns.pid"
	fi

	if [ -z "$reason" ]; then
		result PASS
	else
		result FAIL "$reason"
	fi
}

# --- the suite ---------------------------------------------------------------

cleanup() {
	local f pid i left
	local -a pids=()
	trap - EXIT INT TERM HUP
	# pid files exist only while their process may still run; all get
	# SIGTERM at once, then a bounded wait, then SIGKILL
	for f in "$work"/*/miltertest.pid "$work"/*/daemon.pid \
	    "$work"/*/dns.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && alive "$pid" && pids+=("$pid")
	done
	for pid in "${pids[@]}" "${runners[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < STOP_WAIT * 10; i++)); do
		left=0
		for pid in "${pids[@]}"; do
			alive "$pid" && left=1
		done
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		alive "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${MILTER_TEST_KEEP:-0}" = 1 ]; then
		echo "run.sh: scratch files kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
runners=()
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

passed=0
failed=0
printed=0

# print_ready - print, in script order, every result that is complete
print_ready() {
	local s wd name verdict reason
	while [ "$printed" -lt "${#runners[@]}" ]; do
		s=${scripts[$printed]}
		name=$(basename "$s" .lua)
		wd=$work/$name
		[ -f "$wd/result" ] || return 0
		verdict=$(sed -n 1p "$wd/result")
		reason=$(sed -n 2p "$wd/result")
		if [ "$verdict" = PASS ]; then
			echo "PASS $name"
			if [ "${MILTER_TEST_VERBOSE:-0}" = 1 ]; then
				sed 's/^/  | /' "$wd/miltertest.out"
			fi
			passed=$((passed + 1))
		else
			echo "FAIL $name"
			echo "---- why: $reason"
			if [ -s "$wd/miltertest.out" ]; then
				echo "---- miltertest output ($name)"
				sed 's/^/  | /' "$wd/miltertest.out"
			fi
			if [ -s "$wd/runner.err" ]; then
				echo "---- run.sh messages ($name)"
				sed 's/^/  | /' "$wd/runner.err"
			fi
			if [ -f "$wd/daemon.log" ]; then
				echo "---- daemon log, last $LOG_TAIL lines ($name)"
				tail -n "$LOG_TAIL" "$wd/daemon.log" | sed 's/^/  | /'
			fi
			echo "----"
			failed=$((failed + 1))
		fi
		printed=$((printed + 1))
	done
}

for s in "${scripts[@]}"; do
	name=$(basename "$s" .lua)
	mkdir -p "$work/$name"
	while [ "$(jobs -pr | wc -l)" -ge "$JOBS" ]; do
		wait -n 2>/dev/null
		print_ready
	done
	# the runner's own stderr (e.g. bash's "Killed" job notices) is shown
	# with a failure
	(run_one "$s" "$work/$name") </dev/null 2>"$work/$name/runner.err" &
	runners+=($!)
	print_ready
done
for i in "${!runners[@]}"; do
	wait "${runners[$i]}" 2>/dev/null
	name=$(basename "${scripts[$i]}" .lua)
	if [ ! -f "$work/$name/result" ]; then
		printf 'FAIL\nrunner ended without a result\n' >"$work/$name/result"
	fi
	print_ready
done

echo "milter: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
