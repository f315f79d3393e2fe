#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/report/run_failure_postfix.sh - DMARC failure reports (RFC 9991)
# end to end through a private Postfix on 127.0.0.1 (test/e2e/lib.sh):
# mail in through Postfix -> authmilter (records failure reports) ->
# authmilter-report --failures -> Postfix's sendmail -> capture sink.
#
#   fp-in            the test messages get the verdicts DMARC gives them
#   fp-sent          authmilter-report --failures sends, exit 0
#   fp-delivered     the sink receives the reports, envelope sender
#                    reports.email, each to a ruf address of its domain
#   fp-arf           every report parses with Python's email package as
#                    RFC 5965 multipart/report with the RFC 9991 fields
#   fp-redacted      the default content: no local part, Subject or body
#                    of the original anywhere in a report
#   fp-unauthorized  nothing for the external destination that did not
#                    authorize it (no _report._dmarc record)
#   fp-rate-restart  reports.failure.rate_destination = 1: of three
#                    failures of one domain, two before and one after a
#                    restart of the daemon, one report reaches the sink
#
# Needs root.  Ends with "failure-postfix: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$REPO/test/e2e/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
REPORT=${AUTHMILTER_REPORT:-$REPO/report/authmilter-report}
# shellcheck disable=SC2034  # read by finish() in lib.sh
E2E_SUITE=failure-postfix
e2e_frame

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private Postfix instance)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }

TMP=$(mktemp -d /tmp/authmilter-failure-pf.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/milter" "$TMP/msg" "$TMP/db" "$TMP/spool"
chmod 777 "$TMP/db" "$TMP/spool"
E2E_MILTER_LOG=$TMP/milter/authmilter.log

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 3; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
MILTER_PORT=${ports[0]} SMTP_PORT=${ports[1]} SINK_PORT=${ports[2]}
CONF=$TMP/authmilter.conf

# the failure-report domains of failurelib, a SQLite store, Postfix's
# sendmail for the reports, one report per destination and hour
"$E2E_PY" - "$HERE" "$CONF" "$MILTER_PORT" "$TMP" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[1])
import failurelib as fl
conf, port, tmp = sys.argv[2], int(sys.argv[3]), sys.argv[4]
fl.write_config(conf, port, "sqlite:%s/db/r.db" % tmp, tmp + "/spool",
                {"reports": {"failure": {"rate_destination": 1}}},
                sendmail="/usr/sbin/sendmail -C %s/pf/etc -i" % tmp)
# the messages: name, author, its file
for name, author in (("red", "alice.smith@red.example"),
                     ("ext", "alice.smith@ext.example"),
                     ("unauth", "alice.smith@unauth.example"),
                     ("rate1", "alice.smith@rate.example"),
                     ("rate2", "alice.smith@rate.example"),
                     ("rate3", "alice.smith@rate.example")):
    with open("%s/msg/%s.eml" % (tmp, name), "wb") as f:
        f.write(fl.message(author, name + ".fp", body=b"secret body\r\n"))
PY
	{ fail setup "config and messages"; finish; }

# start_milter: the daemon, as nobody, listening on MILTER_PORT
start_milter() {
	"$AUTHMILTER" -f -c "$CONF" >>"$E2E_MILTER_LOG" 2>&1 &
	MILTER_PID=$!
	e2e_wait_listen "$MILTER_PORT" 20
}

# stop_milter: a graceful stop, so the writer drains into the store
stop_milter() {
	e2e_stop_pid "$MILTER_PID" 15
	MILTER_PID=''
}

# send NAME AUTHOR: the message through Postfix from the failing IP
send() {
	e2e_send "$SMTP_PORT" "$2" "bob.jones@rcpt.example" \
		"$TMP/msg/$1.eml" 203.0.113.66 mail.sender.test
}

start_milter || { fail setup "authmilter did not listen"; finish; }
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "capture sink did not start"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

r1=$(send red alice.smith@red.example)
r2=$(send ext alice.smith@ext.example)
r3=$(send unauth alice.smith@unauth.example)
r4=$(send rate1 alice.smith@rate.example)
r5=$(send rate2 alice.smith@rate.example)
stop_milter
start_milter || { fail setup "authmilter did not listen again"; finish; }
r6=$(send rate3 alice.smith@rate.example)
stop_milter
if [[ $r1 == 550* && $r2 == 250* && $r3 == 250* && $r4 == 250* &&
	$r5 == 250* && $r6 == 250* ]]; then
	pass fp-in
else
	fail fp-in "replies: $r1 | $r2 | $r3 | $r4 | $r5 | $r6"
fi
# five messages were delivered; wait for them before the reports
e2e_wait_file "$TMP/sink" 60 5 >/dev/null

# as root, as report-postfix does: an unprivileged "sendmail -C" needs
# the directory in the system main.cf's alternate_config_directories
out=$(timeout 120 "$REPORT" -c "$CONF" --failures 2>&1)
rc=$?
if [ $rc = 0 ] && [ "$(grep -c ': sent' <<<"$out")" = 4 ]; then
	pass fp-sent
else
	fail fp-sent "exit $rc: $out"
fi
if ! e2e_wait_file "$TMP/sink" 60 9 >/dev/null; then
	fail fp-delivered "$(e2e_count_files "$TMP/sink") of 9 mails at the sink"
	finish
fi

# every check on the sink's mails in one Python run: one line per result
CHECKS=$(cat <<'PY'
import glob, json, os, sys
sys.path.insert(0, sys.argv[1])
import failurelib as fl
reports = []
for eml in sorted(glob.glob(os.path.join(sys.argv[2], "*.eml"))):
    m = fl.read(eml)
    if m["Auto-Submitted"] == "auto-generated":
        env = json.load(open(eml[:-4] + ".json"))
        reports.append((env, m, open(eml, "rb").read()))
def say(name, ok, why=""):
    print("%s %s %s" % ("PASS" if ok else "FAIL", name, why or "-"))
rcpts = sorted(r.strip("<>") for env, _, _ in reports for r in env["rcpt_to"])
senders = {env["mail_from"].strip("<>") for env, _, _ in reports}
say("fp-delivered", rcpts == ["r@collector.example", "ruf@rate.example",
                              "ruf@red.example", "ruf@unauth.example"]
    and senders == {fl.OWN}, "%s %s" % (rcpts, senders))
probs = [(env["rcpt_to"], fl.arf_problems(m)) for env, m, _ in reports]
say("fp-arf", reports and not any(p for _, p in probs), str(probs))
leaks = [(env["rcpt_to"], w) for env, _, raw in reports
         for w in (b"alice.smith", b"bob.jones", b"carol", b"Quarterly",
                   b"secret body") if w in raw]
say("fp-redacted", reports and not leaks, str(leaks))
say("fp-unauthorized", "r@nobody.example" not in rcpts, str(rcpts))
say("fp-rate-restart", rcpts.count("ruf@rate.example") == 1, str(rcpts))
PY
)
while read -r verdict name rest; do
	if [ "$verdict" = PASS ]; then pass "$name"; else fail "$name" "$rest"; fi
done < <("$E2E_PY" -c "$CHECKS" "$HERE" "$TMP/sink/mail" 2>&1)
finish
