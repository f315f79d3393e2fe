#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/ingest/run_postfix.sh - received reports through a real Postfix on
# 127.0.0.1, both ways README "Reading your reports" documents:
#
#   a-milter-store        a report mail (Mail.Ru's, gzip attachment) to
#                         ingest.recipients: 250, delivered (ingest.deliver
#                         true), stored once in the SQLite store with its
#                         total; its source IP named by PTR (local data)
#                         with the organizational domain
#   b-milter-duplicate    the same report mailed again: still one report
#                         row; the metric counts a duplicate
#   c-milter-malformed    a report mail whose gzip is cut short: delivered
#                         all the same, nothing stored, the message in the
#                         quarantine folder with a .why, counted
#   d-milter-too-large    a message over ingest.max_message_size: delivered,
#                         nothing stored, counted as too_large
#   e-milter-discard      ingest.deliver = false (SIGUSR1 reload): a report
#                         to the ingest address only is stored and never
#                         reaches the sink
#   f-milter-delrcpt      the same with a second, ordinary recipient: the
#                         sink gets it for that recipient alone
#   g-pipe-transport      a Postfix pipe transport running
#                         "authmilter-report ingest -" (master.cf and
#                         transport_maps lines as README gives them): the
#                         TLS report mail to its address is stored
#
#   AUTHMILTER, AUTHMILTER_REPORT   other binaries; KEEP=1 keeps the temp dir
#
# Needs root. Ends with "ingest-postfix: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$REPO/test/e2e/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
AUTHMILTER_REPORT=${AUTHMILTER_REPORT:-$REPO/report/authmilter-report}
DATA=$REPO/test/data/ingest
E2E_SUITE=ingest-postfix
E2E_MILTER_LOG=''
e2e_frame

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private Postfix instance)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }
command -v sqlite3 >/dev/null || { fail setup "sqlite3 is missing"; finish; }

TMP=$(mktemp -d /tmp/authmilter-ingest.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/milter" "$TMP/msg" "$TMP/state"
chown nobody "$TMP/state"
E2E_MILTER_LOG=$TMP/milter/authmilter.log

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 4; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
MILTER_PORT=${ports[0]} SMTP_PORT=${ports[1]} SINK_PORT=${ports[2]}
METRICS_PORT=${ports[3]}
DB=$TMP/state/reports.db
QDIR=$TMP/state/quarantine
CONF=$TMP/milter/authmilter.conf

# conf DELIVER: the daemon's (and the pipe's) configuration
conf() {
	cat >"$CONF" <<CONF
# written by test/ingest/run_postfix.sh
authserv_id = "mx.e2e.test";
milter = { socket = "inet:$MILTER_PORT@127.0.0.1"; user = "nobody"; };
dns = {
  local_data = [
    "194.129.223.50.in-addr.arpa. 300 IN PTR mail-x1.relay.mail.ru.",
    "_dmarc.mail.ru. 300 IN TXT \"v=DMARC1; p=none\""
  ];
  local_zones = [ "in-addr.arpa. static", "ru. static", "example. static",
    "e2e.test. static", "mx.e2e.test. static" ];
};
policy = { trusted_networks = [ ]; };
reports = { store = "sqlite:$DB"; spool_dir = "$TMP/state/spool"; };
ingest = {
  recipients = [ "dmarc-reports@mx.e2e.test" ];
  deliver = $1;
  max_message_size = 1048576;
  quarantine_dir = "$QDIR";
};
metrics = { listen = "127.0.0.1:$METRICS_PORT"; };
CONF
	chmod 644 "$CONF"
}
conf true

"$AUTHMILTER" -f -c "$CONF" >"$E2E_MILTER_LOG" 2>&1 &
MILTER_PID=$!
e2e_wait_listen "$MILTER_PORT" 20 || { fail setup "authmilter does not listen"; finish; }
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "capture sink did not start"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

# send FILE RCPT...: through Postfix from a documentation address
send() {
	local file=$1 a=()
	shift
	for r in "$@"; do a+=(--rcpt "$r"); done
	timeout 120 "$E2E_PY" "$REPO/test/e2e/smtpclient.py" --port "$SMTP_PORT" \
		--from dmarc-noreply@mail.ru "${a[@]}" --file "$file" \
		--client-ip 203.0.113.5 --helo relay.mail.ru
}

# sql QUERY: one value from the store (readable by root while nobody writes)
sql() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null
}

# wait_sql QUERY WANT SECONDS: until QUERY gives WANT
wait_sql() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sql "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# metric NAME: a sample's value from /metrics
metric() {
	curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}

# wait_metric NAME WANT SECONDS
wait_metric() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# sink_rcpts QUEUE_ID: the envelope recipients the sink got for it
sink_rcpts() {
	local f
	f=$(e2e_find_msg "$TMP/sink" "$1" 30) || return 1
	"$E2E_PY" -c 'import json, sys; print(" ".join(r.strip("<>") for r in json.load(open(sys.argv[1]))["rcpt_to"]))' \
		"${f%.eml}.json"
}

REPORTS="SELECT count(*) FROM ingest_reports"
MAILRU="SELECT count(*) || ':' || coalesce(sum(messages), 0) FROM ingest_reports WHERE reporter = 'Mail.Ru'"

# a. the report is stored, the mail delivered
reply=$(send "$DATA/dmarc-stalwart/102.eml" dmarc-reports@mx.e2e.test)
qid=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ]; then
	fail a-milter-store "SMTP reply: ${reply:-none}"
elif ! wait_sql "$MAILRU" "1:1" 30; then
	fail a-milter-store "store has '$(sql "$MAILRU")' for Mail.Ru, want 1:1"
elif ! e2e_find_msg "$TMP/sink" "$qid" 30 >/dev/null; then
	fail a-milter-store "the report mail $qid was not delivered"
elif ! wait_sql "SELECT ptr || ' ' || org FROM ingest_sources WHERE ip = '50.223.129.194'" \
	"mail-x1.relay.mail.ru mail.ru" 30; then
	fail a-milter-store "source 50.223.129.194 named '$(sql "SELECT ptr, org FROM ingest_sources")'"
else
	pass a-milter-store
fi

# b. the same report again: stored once
reply=$(send "$DATA/dmarc-stalwart/102.eml" dmarc-reports@mx.e2e.test)
if [ "${reply%% *}" != 250 ]; then
	fail b-milter-duplicate "SMTP reply: ${reply:-none}"
elif ! wait_metric 'authmilter_ingest_reports_total{result="duplicate"}' 1 30; then
	fail b-milter-duplicate "duplicate metric $(metric 'authmilter_ingest_reports_total{result="duplicate"}')"
elif [ "$(sql "$MAILRU")" != "1:1" ] || [ "$(sql "$REPORTS")" != 1 ]; then
	fail b-milter-duplicate "store has $(sql "$REPORTS") reports, Mail.Ru $(sql "$MAILRU")"
else
	pass b-milter-duplicate
fi

# c. a cut gzip: delivered, quarantined, nothing stored
"$E2E_PY" - "$DATA/dmarc-stalwart/101.eml" "$TMP/msg/cut.eml" <<'PY'
import base64, email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for part in m.walk():
    if part.get_content_type() == "application/gzip":
        data = part.get_payload(decode=True)
        part.set_content(data[: len(data) // 2], maintype="application",
                         subtype="gzip", filename="cut.xml.gz")
del m["Message-ID"]
m["Message-ID"] = "<cut@e2e.test>"
open(sys.argv[2], "wb").write(m.as_bytes())
PY
reply=$(send "$TMP/msg/cut.eml" dmarc-reports@mx.e2e.test)
qid=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ]; then
	fail c-milter-malformed "SMTP reply: ${reply:-none}"
elif ! wait_metric 'authmilter_ingest_reports_total{result="malformed"}' 1 30; then
	fail c-milter-malformed "malformed metric $(metric 'authmilter_ingest_reports_total{result="malformed"}')"
elif ! e2e_find_msg "$TMP/sink" "$qid" 30 >/dev/null; then
	fail c-milter-malformed "the mail $qid was not delivered"
elif [ "$(sql "$REPORTS")" != 1 ]; then
	fail c-milter-malformed "$(sql "$REPORTS") reports stored, want 1"
elif ! grep -q -i 'gzip' "$QDIR"/*.why 2>/dev/null; then
	fail c-milter-malformed "no .why naming the gzip error in $QDIR: $(cat "$QDIR"/*.why 2>&1)"
elif [ "$(metric authmilter_ingest_quarantined_total)" != 1 ]; then
	fail c-milter-malformed "quarantined metric $(metric authmilter_ingest_quarantined_total)"
else
	pass c-milter-malformed
fi

# d. over ingest.max_message_size (1 MB): delivered, not read
{
	printf 'From: <x@mail.ru>\nTo: <dmarc-reports@mx.e2e.test>\nSubject: big\n'
	printf 'Message-ID: <big@e2e.test>\n\n'
	head -c 1500000 /dev/zero | tr '\0' 'a' | fold -w 76
	echo
} >"$TMP/msg/big.eml"
reply=$(send "$TMP/msg/big.eml" dmarc-reports@mx.e2e.test)
qid=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ]; then
	fail d-milter-too-large "SMTP reply: ${reply:-none}"
elif ! wait_metric 'authmilter_ingest_reports_total{result="too_large"}' 1 30; then
	fail d-milter-too-large "too_large metric $(metric 'authmilter_ingest_reports_total{result="too_large"}')"
elif ! e2e_find_msg "$TMP/sink" "$qid" 30 >/dev/null; then
	fail d-milter-too-large "the mail $qid was not delivered"
else
	pass d-milter-too-large
fi

# e, f. ingest.deliver = false, applied by a reload
conf false
kill -USR1 "$MILTER_PID"
for ((i = 0; i < 100; i++)); do
	grep -q 'configuration reloaded' "$E2E_MILTER_LOG" && break
	sleep 0.1
done
reply=$(send "$DATA/dmarc-stalwart/103.eml" dmarc-reports@mx.e2e.test)
qid=$(e2e_queue_id "$reply")
OUTLOOK="SELECT count(*) FROM ingest_reports WHERE reporter = 'Outlook.com'"
if [ "${reply%% *}" != 250 ]; then
	fail e-milter-discard "SMTP reply: ${reply:-none}"
elif ! wait_sql "$OUTLOOK" 1 30; then
	fail e-milter-discard "Outlook.com report not stored"
elif e2e_find_msg "$TMP/sink" "$qid" 3 >/dev/null; then
	fail e-milter-discard "the report mail $qid reached the sink"
else
	pass e-milter-discard
fi

reply=$(send "$DATA/dmarc-stalwart/104.eml" dmarc-reports@mx.e2e.test postmaster@dest.e2e.test)
qid=$(e2e_queue_id "$reply")
SES="SELECT count(*) FROM ingest_reports WHERE reporter = 'AMAZON-SES'"
if [ "${reply%% *}" != 250 ]; then
	fail f-milter-delrcpt "SMTP reply: ${reply:-none}"
elif ! wait_sql "$SES" 1 30; then
	fail f-milter-delrcpt "AMAZON-SES report not stored"
elif ! rcpts=$(sink_rcpts "$qid"); then
	fail f-milter-delrcpt "the mail $qid never reached the sink"
elif [ "$rcpts" != "postmaster@dest.e2e.test" ]; then
	fail f-milter-delrcpt "sink recipients '$rcpts', want postmaster@dest.e2e.test only"
else
	pass f-milter-delrcpt
fi

# g. the pipe transport (README): master.cf service and transport_maps
cat >>"$TMP/pf/etc/master.cf" <<MASTER
authmilter-ingest unix - n n - - pipe
  flags=q user=nobody argv=$AUTHMILTER_REPORT ingest -q -c $CONF -
MASTER
postconf -c "$TMP/pf/etc" -e \
	"transport_maps = inline:{ tls-reports@mx.e2e.test=authmilter-ingest: }" \
	"authmilter-ingest_destination_recipient_limit = 1"
timeout 60 postfix -c "$TMP/pf/etc" reload >>"$TMP/pf/postfix-ctl.log" 2>&1
chmod 755 "$REPO" 2>/dev/null
reply=$(send "$DATA/tlsrpt-stalwart/rpt01.eml" tls-reports@mx.e2e.test)
TLS="SELECT count(*) || ':' || coalesce(sum(messages), 0) FROM ingest_reports WHERE kind = 'tlsrpt'"
if [ "${reply%% *}" != 250 ]; then
	fail g-pipe-transport "SMTP reply: ${reply:-none}"
elif ! wait_sql "$TLS" "1:5629" 60; then
	fail g-pipe-transport "store has '$(sql "$TLS")' TLS reports, want 1:5629; maillog: $(grep -i pipe "$TMP/pf/maillog" | tail -n 3)"
else
	pass g-pipe-transport
fi

finish
