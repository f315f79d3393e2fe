#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/smoke.sh - self-test of the e2e harness, no milter involved:
# a private Postfix on 127.0.0.1 relays one message sent with XCLIENT to the
# capture sink; the delivered Received header must show the XCLIENT address
# and HELO name; then the instance must stop and leave no master behind.
# E2E_ROUNDS=N repeats the whole start/send/stop cycle N times (default 1).
# Needs root (Postfix).  KEEP=1 keeps the temp directory.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

PASSED=0 FAILED=0
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }

TMP=
cleanup() {
	[ -n "$TMP" ] && e2e_postfix_stop "$TMP/pf"
	e2e_sink_stop
	if [ -n "$TMP" ]; then
		if [ "${KEEP:-0}" = 1 ]; then e2e_log "kept $TMP"; else rm -rf "$TMP"; fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "FAIL setup: must run as root (Postfix)"; echo "e2e: 0 passed, 1 failed"; exit 1; }
e2e_install || { echo "FAIL setup: postfix is not installed"; echo "e2e: 0 passed, 1 failed"; exit 1; }

round() {
	local r=$1 smtp sink reply qid f hdr pid
	TMP=$(mktemp -d /tmp/authmilter-e2e-smoke.XXXXXX) && chmod 755 "$TMP" || return 1
	mkdir -p "$TMP/pf" "$TMP/sink"
	smtp=$(e2e_free_port) sink=$(e2e_free_port)
	while [ "$sink" = "$smtp" ]; do sink=$(e2e_free_port); done

	e2e_sink_start "$TMP/sink" "$sink" || { fail "round$r-start" "sink did not start"; return; }
	if ! e2e_postfix_start "$TMP/pf" "$smtp" "$sink" ""; then
		fail "round$r-start" "postfix did not start"
		return
	fi
	pid=$(e2e_postfix_master_pid "$TMP/pf") || { fail "round$r-start" "no master pid"; return; }
	pass "round$r-start"

	printf '%s\n' "From: <user@pass.e2e.example>" "To: <rcpt@dest.e2e.example>" \
		"Subject: smoke $r" "Message-ID: <smoke-$r-$$@e2e.test>" "" "body $r" \
		".line with a leading dot" >"$TMP/msg.eml"
	reply=$(e2e_send "$smtp" user@pass.e2e.example rcpt@dest.e2e.example \
		"$TMP/msg.eml" 192.0.2.10 mail.pass.e2e.example)
	qid=$(e2e_queue_id "$reply")
	if [ "${reply%% *}" != 250 ] || [ -z "$qid" ]; then
		fail "round$r-xclient" "reply: $reply"
	elif ! f=$(e2e_find_msg "$TMP/sink" "$qid" 30); then
		fail "round$r-xclient" "queued as $qid but not in the sink after 30s"
	else
		hdr=$(e2e_headers "$f" | head -n 1)
		if [[ $hdr != "Received: from mail.pass.e2e.example (unknown [192.0.2.10]) by mx.e2e.test (Postfix)"* ]]; then
			fail "round$r-xclient" "top header: $hdr"
		elif ! grep -q '^\.line with a leading dot' "$f"; then
			fail "round$r-xclient" "body damaged (dot stuffing)"
		else
			pass "round$r-xclient"
		fi
	fi

	e2e_postfix_stop "$TMP/pf"
	if kill -0 "$pid" 2>/dev/null; then
		fail "round$r-stop" "master $pid still running"
	elif e2e_wait_listen "$smtp" 0; then
		fail "round$r-stop" "127.0.0.1:$smtp still listening"
	else
		pass "round$r-stop"
	fi
	e2e_sink_stop
	if [ "${KEEP:-0}" = 1 ]; then e2e_log "kept $TMP"; else rm -rf "$TMP"; fi
	TMP=
}

for ((n = 1; n <= ${E2E_ROUNDS:-1} && n <= 20; n++)); do
	round "$n"
done
echo "e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
