#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/report/run_postfix.sh - authmilter-report sends a DMARC aggregate
# report through a private Postfix on 127.0.0.1 (test/e2e/lib.sh frame):
# authmilter-report -> Postfix's sendmail (-C the private instance) ->
# pickup -> smtp -> capture sink.
#
#   r-dry-run-valid     the dry run's report validates against the XSD
#   r-sent              authmilter-report says sent, exit 0
#   r-delivered         the sink receives the report mail for the rua
#                       address, envelope sender reports.email
#   r-mail-format       Subject, application/gzip attachment named as
#                       RFC 9990 says, Auto-Submitted
#   r-attachment-xml    the attachment decompresses to exactly the XML that
#                       was validated, and it validates again
#
# Needs root.  Ends with "report-postfix: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$REPO/test/e2e/lib.sh"

REPORT=${AUTHMILTER_REPORT:-$REPO/report/authmilter-report}
XSD=${DMARC_XSD:-$REPO/test/data/report/dmarc-xml-0.2.xsd}
E2E_SUITE=report-postfix
e2e_frame

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private Postfix instance)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }

TMP=$(mktemp -d /tmp/authmilter-report-pf.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/spool" "$TMP/db" "$TMP/dry"

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 2; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
SMTP_PORT=${ports[0]} SINK_PORT=${ports[1]}

e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "capture sink did not start"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" ||
	{ fail setup "postfix did not start"; finish; }

CONF=$TMP/authmilter.conf
cat >"$CONF" <<CONF
dns = { local_zones = [ "example. static" ]; };
reports = {
  store     = "sqlite:$TMP/db/reports.db";
  spool_dir = "$TMP/spool";
  org_name  = "Our Org";
  email     = "dmarc-reports@ourorg.example";
  sendmail  = "/usr/sbin/sendmail -C $TMP/pf/etc -i";
};
CONF

# the fixture day's records, replayed from a spool file by
# authmilter-report itself; --now (the timer's run the next day) keeps
# the period and retention independent of today's date
eval "$("$E2E_PY" -c '
import sys
sys.path.insert(0, sys.argv[1])
import reportlib as rl
print("DAY=%s FIXDAY=%d NOW=%d" % (rl.date_of(rl.DAY1), rl.DAY1, rl.DAY1 + 86400 + 900))
' "$HERE")" || { fail setup "fixture day"; finish; }
"$E2E_PY" -c '
import sys
sys.path.insert(0, sys.argv[3])
import reportlib as rl
day = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    for i in range(4):
        f.write(rl.spool_line("pf%d" % i, day + 3600 + i, "a.example", rl.GOOD_IP, "pass"))
    for i in range(2):
        f.write(rl.spool_line("pfb%d" % i, day + 7200 + i, "a.example", rl.BAD_IP,
                              "reject", spf_eval="fail"))
' "$TMP/spool/fixture.spool" "$FIXDAY" "$HERE" || { fail setup "fixture"; finish; }

out=$(timeout 120 "$REPORT" -c "$CONF" --period "$DAY" --now "$NOW" --dry-run "$TMP/dry" 2>&1)
GZ=''
for f in "$TMP"/dry/*.xml.gz; do
	[ -f "$f" ] && GZ=$f && break
done
if [ -z "$GZ" ]; then
	fail r-dry-run-valid "no report written: $out"
	finish
fi
gzip -dc "$GZ" >"$TMP/dry/report.xml"
if err=$(xmllint --noout --schema "$XSD" "$TMP/dry/report.xml" 2>&1); then
	pass r-dry-run-valid
else
	fail r-dry-run-valid "$err"
fi

out=$(timeout 120 "$REPORT" -c "$CONF" --period "$DAY" --now "$NOW" 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q '^a.example dmarc@a.example: sent' <<<"$out"; then
	pass r-sent
else
	fail r-sent "exit $rc: $out"
fi

if ! M=$(e2e_wait_file "$TMP/sink" 60 1); then
	fail r-delivered "no mail reached the sink in 60s"
	finish
fi
J=${M%.eml}.json
if "$E2E_PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
rcpts = [r.strip("<>") for r in e["rcpt_to"]]
ok = rcpts == ["dmarc@a.example"] and \
    e["mail_from"].strip("<>") == "dmarc-reports@ourorg.example"
sys.exit(0 if ok else 1)' "$J"; then
	pass r-delivered
else
	fail r-delivered "envelope: $(cat "$J")"
fi

if res=$("$E2E_PY" -c '
import email, gzip, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
subj = " ".join(msg["Subject"].split())
want = "Report Domain: a.example Submitter: ourorg.example Report-ID: <"
if not subj.startswith(want):
    sys.exit("subject: " + subj)
if msg["Auto-Submitted"] != "auto-generated":
    sys.exit("no Auto-Submitted")
parts = [p for p in msg.walk() if p.get_content_type() == "application/gzip"]
if len(parts) != 1:
    sys.exit("%d gzip parts" % len(parts))
name = parts[0].get_filename()
if name != sys.argv[2]:
    sys.exit("file name %s, want %s" % (name, sys.argv[2]))
open(sys.argv[3], "wb").write(gzip.decompress(parts[0].get_payload(decode=True)))
' "$M" "$(basename "$GZ")" "$TMP/sink/report.xml" 2>&1); then
	pass r-mail-format
else
	fail r-mail-format "$res"
fi

if [ -s "$TMP/sink/report.xml" ] && cmp -s "$TMP/sink/report.xml" "$TMP/dry/report.xml" &&
	xmllint --noout --schema "$XSD" "$TMP/sink/report.xml" 2>/dev/null; then
	pass r-attachment-xml
else
	fail r-attachment-xml "attachment differs from the validated XML or is invalid"
fi

e2e_postfix_stop "$TMP/pf"
e2e_sink_stop
finish
