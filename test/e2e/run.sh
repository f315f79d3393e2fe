#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/run.sh - end-to-end test of authmilter through a real Postfix on
# 127.0.0.1: Postfix (private instance) -> authmilter (inet milter) ->
# Postfix smtp client -> capture sink.  See test/e2e/README.
#
#   AUTHMILTER=/path/to/authmilter  the daemon (default <repo>/milter/authmilter)
#   KEEP=1                          keep the temp directory (logs, queue, mail)
#   E2E_SMTP_VERBOSE=1              print the SMTP dialogues on stderr
#
# Builds nothing.  Needs root (Postfix; the daemon drops to user nobody).
# Prints "PASS name" / "FAIL name: why" per case and ends with
# "e2e: N passed, N failed"; exits non-zero if anything failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
AUTHSERV_ID=mx.e2e.test
ID_RE=${AUTHSERV_ID//./\\.}   # for grep -E
E2E_SUITE=e2e
e2e_frame

# ---- setup ---------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private Postfix instance)"
	finish
fi
if [ ! -x "$AUTHMILTER" ]; then
	fail setup "no daemon at $AUTHMILTER (build it first, or set AUTHMILTER)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }

TMP=$(mktemp -d /tmp/authmilter-e2e.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/milter" "$TMP/msg"

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 3; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
MILTER_PORT=${ports[0]} SMTP_PORT=${ports[1]} SINK_PORT=${ports[2]}

CONF=$TMP/milter/authmilter.conf
MLOG=$TMP/milter/authmilter.log
cat >"$CONF" <<CONF
# written by test/e2e/run.sh
authserv_id = "$AUTHSERV_ID";
milter = {
  socket = "inet:$MILTER_PORT@127.0.0.1";
  user   = "nobody";
};
dns = {
  local_data = [
    "pass.e2e.example. 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"",
    "mail.pass.e2e.example. 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\""
  ];
  # "example." too: every name the pipeline may look up (_dmarc.*, a
  # DMARCbis tree walk up to "example.", DKIM keys) is answered locally,
  # so no query ever leaves the machine.
  local_zones = [ "e2e.example. static", "example. static" ];
};
policy = {
  trusted_networks = [ ];
};
CONF
chmod 644 "$CONF"

"$AUTHMILTER" -f -c "$CONF" >"$MLOG" 2>&1 &
MILTER_PID=$!
if ! e2e_wait_listen "$MILTER_PORT" 20; then
	if kill -0 "$MILTER_PID" 2>/dev/null; then
		fail setup "authmilter (pid $MILTER_PID) does not listen on 127.0.0.1:$MILTER_PORT after 20s"
	else
		wait "$MILTER_PID"
		fail setup "authmilter exited with status $? before listening on 127.0.0.1:$MILTER_PORT"
	fi
	finish
fi
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "capture sink did not start"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

# ---- helpers ---------------------------------------------------------------

# make_msg NAME [EXTRA_HEADER_LINE...]: a message file with extra headers on top
make_msg() {
	local name=$1
	shift
	{
		[ $# -gt 0 ] && printf '%s\n' "$@"
		printf '%s\n' "From: Sender <user@pass.e2e.example>" \
			"To: <rcpt@dest.e2e.example>" "Subject: e2e $name" \
			"Message-ID: <$name.$$@pass.e2e.example>" \
			"Date: $(LC_ALL=C date -R)" "" "e2e test message $name" \
			".a line with a leading dot"
	} >"$TMP/msg/$name.eml"
	echo "$TMP/msg/$name.eml"
}

declare -A QID IP
# deliver CASE IP HELO FILE: send and wait for the delivered copy; sets
# QID[CASE], IP[CASE] and DELIVERED (the sink file); returns 1 with WHY set.
deliver() {
	local c=$1 ip=$2 helo=$3 file=$4 reply
	DELIVERED='' WHY=''
	reply=$(e2e_send "$SMTP_PORT" user@pass.e2e.example rcpt@dest.e2e.example \
		"$file" "$ip" "$helo")
	IP[$c]=$ip
	QID[$c]=$(e2e_queue_id "$reply")
	if [ "${reply%% *}" != 250 ] || [ -z "${QID[$c]}" ]; then
		WHY="SMTP reply: ${reply:-none}"
		return 1
	fi
	if ! DELIVERED=$(e2e_find_msg "$TMP/sink" "${QID[$c]}" 30); then
		WHY="queued as ${QID[$c]} but not delivered to the sink within 30s"
		return 1
	fi
}

# ar_ours HEADERS: our A-R fields (authserv-id first token, any case), one a line
ar_ours() {
	grep -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*(;|$)" <<<"$1"
}

# check_top CASE HEADERS SPF: A-R on top, ours, above Postfix's Received
# for this queue id and client ip, with spf=SPF smtp.mailfrom=pass.e2e.example
check_top() {
	local c=$1 h=$2 spf=$3 first second
	first=$(sed -n 1p <<<"$h")
	second=$(sed -n 2p <<<"$h")
	if ! grep -q -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*;" <<<"$first"; then
		WHY="top header is not our Authentication-Results: ${first:0:160}"
	elif ! grep -q -E "(^|[;[:space:]])spf=$spf([;[:space:]]|$)" <<<"$first"; then
		WHY="no spf=$spf in: $first"
	elif ! grep -q -i -E "(^|[;[:space:]])smtp\.mailfrom=(user@)?pass\.e2e\.example([;[:space:]]|$)" <<<"$first"; then
		WHY="no smtp.mailfrom=pass.e2e.example in: $first"
	elif [[ $second != "Received: "*"[${IP[$c]}]"*" by mx.e2e.test (Postfix)"*" id ${QID[$c]}"* ]]; then
		WHY="A-R is not directly above Postfix's Received (second header: ${second:0:160})"
	else
		return 0
	fi
	return 1
}

# ---- cases -----------------------------------------------------------------

# a. SPF pass
if ! deliver a 192.0.2.10 mail.pass.e2e.example "$(make_msg a)"; then
	fail a-spf-pass "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if ! check_top a "$H" pass; then
		fail a-spf-pass "$WHY"
	elif [ "$(ar_ours "$H" | wc -l)" != 1 ]; then
		fail a-spf-pass "$(ar_ours "$H" | wc -l) Authentication-Results with our id"
	else
		pass a-spf-pass
	fi
fi

# b. SPF fail: delivered all the same
if ! deliver b 198.51.100.7 mail.pass.e2e.example "$(make_msg b)"; then
	fail b-spf-fail-delivered "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if ! check_top b "$H" fail; then
		fail b-spf-fail-delivered "$WHY"
	else
		pass b-spf-fail-delivered
	fi
fi

# c. forged A-R with our id removed, foreign one kept
F=$(make_msg c "Authentication-Results: $AUTHSERV_ID; spf=pass smtp.mailfrom=forged.example" \
	"Authentication-Results: other.example; spf=pass")
if ! deliver c 192.0.2.10 mail.pass.e2e.example "$F"; then
	fail c-forged-ar-removed "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	n=$(ar_ours "$H" | wc -l)
	if ! check_top c "$H" pass; then
		fail c-forged-ar-removed "$WHY"
	elif [ "$n" != 1 ]; then
		fail c-forged-ar-removed "$n Authentication-Results with our id (want 1, ours)"
	elif grep -q -i 'forged\.example' <<<"$H"; then
		fail c-forged-ar-removed "the forged A-R (forged.example) is still there"
	elif [ "$(grep -c -i -E '^Authentication-Results:[[:space:]]*other\.example[[:space:]]*;[[:space:]]*spf=pass$' <<<"$H")" != 1 ]; then
		fail c-forged-ar-removed "the foreign A-R (other.example) is gone or changed"
	else
		pass c-forged-ar-removed
	fi
fi

# d. daemon alive; one verdict line per message, with Postfix's queue id
want=0 why=
sleep 0.5
for c in a b c; do
	q=${QID[$c]:-}
	[ -n "$q" ] || { why+="case $c has no queue id; "; continue; }
	want=$((want + 1))
	if ! grep -q -E "smtpd\[[0-9]+\]: $q: client=[^ ]*\[${IP[$c]//./\\.}\]" "$TMP/pf/maillog"; then
		why+="Postfix did not log $q for client ${IP[$c]}; "
	fi
	lines=$(grep -E "(^|[^0-9A-Za-z])$q: spf=" "$MLOG")
	n=$(grep -c . <<<"$lines")
	if [ "$n" != 1 ]; then
		why+="$n verdict lines for $q (case $c); "
	elif ! grep -q -E "(^|[[:space:]])action=accept([[:space:]]|$)" <<<"$lines" ||
		! grep -q -E "(^|[[:space:]])ip=${IP[$c]//./\\.}([[:space:]]|$)" <<<"$lines"; then
		why+="verdict for $q lacks action=accept ip=${IP[$c]}: $lines; "
	fi
done
total=$(grep -c -E "(^|[^0-9A-Za-z])[0-9A-Za-z]+: spf=[a-z]+ .*action=" "$MLOG")
if ! kill -0 "$MILTER_PID" 2>/dev/null; then
	fail d-daemon-alive-verdict-log "authmilter (pid $MILTER_PID) is no longer running"
elif [ -n "$why" ]; then
	fail d-daemon-alive-verdict-log "${why%; }"
elif [ "$total" != "$want" ]; then
	fail d-daemon-alive-verdict-log "$total verdict lines in the log for $want messages"
else
	pass d-daemon-alive-verdict-log
fi

# e. graceful stop on SIGTERM (authmilter(8) SIGNALS), with Postfix idle
e2e_postfix_stop "$TMP/pf"
if kill -0 "$MILTER_PID" 2>/dev/null; then
	kill -TERM "$MILTER_PID"
	if e2e_wait_pid_gone "$MILTER_PID" 15; then
		wait "$MILTER_PID" 2>/dev/null
		rc=$?
		if [ "$rc" = 0 ]; then
			pass e-sigterm-stops
		else
			fail e-sigterm-stops "exit status $rc after SIGTERM"
		fi
	else
		fail e-sigterm-stops "still running 15s after SIGTERM"
	fi
else
	fail e-sigterm-stops "not running"
fi
finish
