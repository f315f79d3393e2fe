#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/hardening/run_crash.sh - kill -9 authmilter during traffic through a
# private Postfix on 127.0.0.1 (test/e2e/lib.sh), then start it again.
#
# For milter_default_action = accept and = tempfail in turn: a sender
# (several SMTP sessions at once) sends N messages, each with its own
# Subject; after the first ones arrived the daemon is killed with SIGKILL
# and restarted 2 s later. A message Postfix answers with 4xx is sent again
# (an MTA would retry), at most 60 times. Checked:
#   * every message got 250 in the end and arrived at the sink: the sink
#     holds each Subject (none lost);
#   * with "accept", messages went through while the daemon was down;
#     with "tempfail", some were refused with 4xx and retried;
#   * the restarted daemon serves again: 8 messages sent after the round
#     carry our Authentication-Results header;
#   * the DMARC report store (SQLite) survives: after a graceful stop at
#     the end, PRAGMA integrity_check is ok, no row lacks its fields, and
#     at least the messages after the restarts are recorded.
# Needs root. Ends with "crash: N passed, N failed". KEEP=1 keeps logs.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$REPO/test/e2e/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
N=${CRASH_MESSAGES:-120}
E2E_SUITE=crash
e2e_frame

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private Postfix instance)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }
TMP=$(mktemp -d /tmp/authmilter-crash.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/milter" "$TMP/store/spool"
chown -R nobody "$TMP/store"

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 3; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
MILTER_PORT=${ports[0]} SMTP_PORT=${ports[1]} SINK_PORT=${ports[2]}
CONF=$TMP/milter/authmilter.conf
E2E_MILTER_LOG=$TMP/milter/authmilter.log
cat >"$CONF" <<CONF
authserv_id = "mx.crash.test";
milter = { socket = "inet:$MILTER_PORT@127.0.0.1"; user = "nobody"; };
dns = {
  local_data = [ "crash.example. 300 IN TXT \"v=spf1 ip4:127.0.0.1 -all\"",
    "_dmarc.crash.example. 300 IN TXT \"v=DMARC1; p=none; rua=mailto:r@crash.example\"" ];
  local_zones = [ "example. static" ];
};
policy = { trusted_networks = [ ]; };
reports = {
  store = "sqlite:$TMP/store/reports.db";
  spool_dir = "$TMP/store/spool";
  org_name = "crash test"; email = "reports@mx.crash.test";
};
CONF
chmod 644 "$CONF"

# milter_start: the daemon in the background; MILTER_PID, 0 once it listens
milter_start() {
	"$AUTHMILTER" -f -c "$CONF" >>"$E2E_MILTER_LOG" 2>&1 &
	MILTER_PID=$!
	e2e_wait_listen "$MILTER_PORT" 20
}

# sender ROUND: N messages over 4 concurrent SMTP sessions, 4xx retried;
# writes "SUBJECT CODE TRIES" per message to $TMP/sent.ROUND
sender() {
	"$E2E_PY" - "$SMTP_PORT" "$N" "$1" "$TMP/sent.$1" <<'PY'
import smtplib, sys, threading, time
port, n, rnd, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
results, lock = [], threading.Lock()

def one(i):
    subj = "crash-%s-%04d" % (rnd, i)
    msg = ("From: <a@crash.example>\r\nTo: <b@dest.example>\r\n"
           "Subject: %s\r\nMessage-ID: <%s@crash.example>\r\n\r\nbody %d\r\n"
           % (subj, subj, i))
    for tries in range(1, 61):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
                s.sendmail("a@crash.example", ["b@dest.example"], msg)
            return subj, 250, tries
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        except (smtplib.SMTPException, OSError) as e:
            code = 0
        if code >= 500:
            return subj, code, tries
        time.sleep(0.5)
    return subj, code, 60

def worker(k):
    for i in range(k, n, 4):
        r = one(i)
        with lock:
            results.append(r)
        time.sleep(0.1)

ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join(600)
with open(out, "w") as f:
    for r in sorted(results):
        f.write("%s %d %d\n" % r)
PY
}

# sink_subjects: every Subject the sink holds, one a line
sink_subjects() {
	local f
	for f in "$TMP"/sink/mail/*.eml; do
		[ -e "$f" ] || continue
		e2e_headers "$f" | sed -n 's/^Subject: //p'
	done
}

e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "capture sink did not start"; finish; }
milter_start || { fail setup "authmilter did not start"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

for action in accept tempfail; do
	if ! postconf -c "$TMP/pf/etc" -e "milter_default_action = $action" ||
	    ! timeout 60 postfix -c "$TMP/pf/etc" reload >/dev/null 2>&1; then
		fail "$action: setup" "postconf/reload"
		continue
	fi
	sleep 1
	before=$(e2e_count_files "$TMP/sink")
	sender "$action" &
	spid=$!
	# kill once a tenth of the messages arrived
	e2e_wait_file "$TMP/sink" 60 $((before + N / 10)) >/dev/null ||
	    fail "$action: traffic" "messages do not arrive"
	kill -KILL "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	killed_at=$(e2e_count_files "$TMP/sink")
	sleep 2
	if milter_start; then pass "$action: daemon restarted after kill -9"
	else fail "$action: restart" "did not listen again"; fi
	e2e_wait_pid_gone "$spid" 600 || { fail "$action: sender" "still running after 600 s"; kill "$spid"; }
	wait "$spid" 2>/dev/null
	got250=$(awk '$2 == 250' "$TMP/sent.$action" | wc -l)
	retried=$(awk '$3 > 1' "$TMP/sent.$action" | wc -l)
	if [ "$got250" -eq "$N" ]; then pass "$action: all $N messages accepted by Postfix ($retried retried after 4xx)"
	else fail "$action: sent" "$got250 of $N got 250: $(awk '$2 != 250' "$TMP/sent.$action" | head -5 | tr '\n' ' ')"; fi
	# everything Postfix took must reach the sink
	for ((i = 0; i < 600; i++)); do
		[ "$(sink_subjects | grep -c "^crash-$action-")" -ge "$N" ] && break
		sleep 0.1
	done
	uniq=$(sink_subjects | grep "^crash-$action-" | sort -u | wc -l)
	dups=$(( $(sink_subjects | grep -c "^crash-$action-") - uniq ))
	if [ "$uniq" -eq "$N" ]; then pass "$action: all $N messages at the sink, none lost ($dups duplicates)"
	else fail "$action: lost" "$uniq of $N at the sink; missing: $(comm -23 <(awk '{print $1}' "$TMP/sent.$action" | sort) <(sink_subjects | sort -u) | head -5 | tr '\n' ' ')"; fi
	if [ "$action" = accept ]; then
		# accepted without a milter while it was down: no A-R of ours
		without=0
		for f in "$TMP"/sink/mail/*.eml; do
			h=$(e2e_headers "$f")
			grep -q "^Subject: crash-accept-" <<<"$h" || continue
			grep -q "^Authentication-Results: mx.crash.test" <<<"$h" || without=$((without + 1))
		done
		if [ "$without" -gt 0 ]; then pass "accept: $without messages passed unchecked while the daemon was down (milter_default_action)"
		else fail "accept: default action" "no message went through without the milter (was it down at all? killed after $killed_at)"; fi
	else
		if [ "$retried" -gt 0 ]; then pass "tempfail: $retried messages were refused with 4xx while it was down and retried"
		else fail "tempfail: default action" "no 4xx seen while the daemon was down"; fi
	fi
	# the restarted daemon checks mail again: a few more messages
	N_ALL=$N N=8
	sender "$action-after"
	N=$N_ALL
	checked=0
	for ((i = 0; i < 300 && checked < 8; i++)); do
		checked=0
		for f in "$TMP"/sink/mail/*.eml; do
			h=$(e2e_headers "$f")
			grep -q "^Subject: crash-$action-after-" <<<"$h" &&
			    grep -q "^Authentication-Results: mx.crash.test; spf=" <<<"$h" &&
			    checked=$((checked + 1))
		done
		[ "$checked" -ge 8 ] || sleep 0.1
	done
	if [ "$checked" -eq 8 ]
	then pass "$action: the restarted daemon serves (8 of 8 later messages carry our A-R)"
	else fail "$action: after restart" "$checked of 8 later messages carry our A-R"; fi
done

# the report store after a graceful stop (which drains the queue)
e2e_stop_pid "$MILTER_PID" 30
MILTER_PID=''
out=$("$E2E_PY" - "$TMP/store/reports.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA integrity_check").fetchone()[0]
rows = db.execute("SELECT count(*) FROM records").fetchone()[0]
bad = db.execute("SELECT count(*) FROM records WHERE uid = '' OR "
                 "header_from != 'crash.example' OR source_ip = '' OR "
                 "policy_domain = '' OR disposition = '' OR "
                 "spf_result = '' OR dkim_eval = '' OR ts <= 0").fetchone()[0]
print(ok, rows, bad)
PY
)
read -r integrity rows bad <<EOF
$out
EOF
if [ "$integrity" = ok ]; then pass "report store: integrity_check ok after two kill -9"
else fail "report store" "integrity_check: $out"; fi
checked=0
for f in "$TMP"/sink/mail/*.eml; do
	grep -q "^Authentication-Results: mx.crash.test" "$f" && checked=$((checked + 1))
done
# a record may be doubled when the MTA retries a message the daemon had
# evaluated before the kill: no equality here (report-crash counts exactly)
if [ "${rows:-0}" -ge 16 ] && [ "${bad:-1}" -eq 0 ]
then pass "report store: $rows records (for $checked delivered messages with our A-R), none partial"
else fail "report store" "records ${rows:-?}, partial ${bad:-?}"; fi
finish
