#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/run_dmarc.sh - DMARC enforcement through a real Postfix on
# 127.0.0.1: Postfix (private instance) -> authmilter (inet milter) ->
# Postfix smtp client -> capture sink.  Reuses test/e2e/lib.sh.
#
#   f-dmarc-reject-550     From bank.e2e.example (p=reject), sent by a host
#                          that has SPF/DKIM for another domain only:
#                          refused at end of DATA with 550 5.7.1 naming the
#                          author domain; nothing reaches the sink
#   g-dmarc-quarantine-hold  From quar.e2e.example (p=quarantine), unaligned:
#                          accepted (250), then in Postfix's hold queue
#                          (postqueue -j: queue_name "hold"); the sink
#                          never receives it
#   h-dmarc-pass-spf       aligned SPF pass: delivered, our A-R on top says
#                          dmarc=pass header.from=pass.e2e.example
#   i-dmarc-pass-dkim      DKIM-signed (python3-dkim) by the author domain,
#                          sent by a third party: the signature survives
#                          Postfix, dmarc=pass by DKIM alone
#   j-dmarc-obs-from       two From fields, the second written "From :"
#                          (RFC 5322 obs-from): never dmarc=pass for the
#                          first one's domain; refused with 550 5.7.1
#                          (multiple_from = "reject")
#   k-daemon-alive         the daemon still runs; one verdict line with
#                          dmarc= per accepted or refused message
#
#   AUTHMILTER=/path/to/authmilter  the daemon (default <repo>/milter/authmilter)
#   KEEP=1                          keep the temp directory
#   E2E_SMTP_VERBOSE=1              SMTP dialogues on stderr
#
# Needs root.  Prints "PASS name" / "FAIL name: why" and ends with
# "e2e-dmarc: N passed, N failed"; exit status non-zero if anything failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
AUTHSERV_ID=mx.e2e.test
ID_RE=${AUTHSERV_ID//./\\.}
E2E_SUITE=e2e-dmarc
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
if ! "$E2E_PY" -c 'import dkim' 2>/dev/null; then
	fail setup "python3-dkim is missing for $E2E_PY (apt-get install python3-dkim)"
	finish
fi
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }

TMP=$(mktemp -d /tmp/authmilter-e2e-dmarc.XXXXXX) || { fail setup "mktemp"; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/milter" "$TMP/msg"

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 3; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
MILTER_PORT=${ports[0]} SMTP_PORT=${ports[1]} SINK_PORT=${ports[2]}

# DKIM key for dkim.e2e.example, published below as sel._domainkey
KEY=$TMP/msg/dkim.pem
if ! timeout 120 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out "$KEY" 2>/dev/null; then
	fail setup "openssl genpkey"
	finish
fi
PUB=$(openssl pkey -in "$KEY" -pubout -outform DER 2>/dev/null | base64 -w0)
# split the key record into character-strings of at most 255 octets
KEYTXT="\\\"v=DKIM1; k=rsa; p=${PUB:0:200}\\\" \\\"${PUB:200}\\\""

GOOD_IP=192.0.2.10       # the e2e domains' own outbound host
OTHER_IP=198.51.100.7    # a third party: SPF passes for other.e2e.example only

CONF=$TMP/milter/authmilter.conf
MLOG=$TMP/milter/authmilter.log
cat >"$CONF" <<CONF
# written by test/e2e/run_dmarc.sh
authserv_id = "$AUTHSERV_ID";
milter = {
  socket = "inet:$MILTER_PORT@127.0.0.1";
  user   = "nobody";
};
dns = {
  local_data = [
    "pass.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
    "_dmarc.pass.e2e.example. 300 IN TXT \"v=DMARC1; p=reject\"",
    "bank.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
    "_dmarc.bank.e2e.example. 300 IN TXT \"v=DMARC1; p=reject\"",
    "quar.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
    "_dmarc.quar.e2e.example. 300 IN TXT \"v=DMARC1; p=quarantine\"",
    "dkim.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
    "_dmarc.dkim.e2e.example. 300 IN TXT \"v=DMARC1; p=reject\"",
    "sel._domainkey.dkim.e2e.example. 300 IN TXT $KEYTXT",
    "other.e2e.example. 300 IN TXT \"v=spf1 ip4:$OTHER_IP -all\"",
    "_dmarc.other.e2e.example. 300 IN TXT \"v=DMARC1; p=none\""
  ];
  local_zones = [ "e2e.example. static", "example. static" ];
};
dmarc = {
  enabled = true;
  mode = "rfc9989";
  reject = true;
  quarantine = "quarantine";
  multiple_from = "reject";
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

# msg NAME FROM_LINE...: a message file whose header starts with the given
# From line(s)
msg() {
	local name=$1
	shift
	{
		printf '%s\n' "$@"
		printf '%s\n' "To: <rcpt@dest.e2e.example>" "Subject: e2e dmarc $name" \
			"Message-ID: <$name.$$@e2e.example>" \
			"Date: $(LC_ALL=C date -R)" "" "e2e DMARC test message $name" \
			".a line with a leading dot"
	} >"$TMP/msg/$name.eml"
	echo "$TMP/msg/$name.eml"
}

# ar_ours HEADERS: our A-R fields, one a line
ar_ours() {
	grep -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*(;|$)" <<<"$1"
}

# in_hold QUEUE_ID: the message is in this instance's hold queue
in_hold() {
	timeout 30 postqueue -c "$TMP/pf/etc" -j 2>/dev/null |
		"$E2E_PY" -c 'import json, sys
qid = sys.argv[1]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    m = json.loads(line)
    if m.get("queue_id") == qid:
        print(m.get("queue_name"))
        sys.exit(0)
print("absent")' "$1"
}

# sink_has QUEUE_ID: the sink holds a message Postfix queued as QUEUE_ID
sink_has() {
	grep -l -E "[[:space:]]id $1([;[:space:]]|\$)" "$TMP"/sink/mail/*.eml 2>/dev/null | head -n 1
}

declare -A QID

# ---- cases -----------------------------------------------------------------

# f. p=reject, nothing aligned: 550 5.7.1 at the end of DATA
F=$(msg f "From: Bank <ceo@bank.e2e.example>")
reply=$(e2e_send "$SMTP_PORT" bounce@other.e2e.example rcpt@dest.e2e.example \
	"$F" "$OTHER_IP" mail.other.e2e.example)
if [[ $reply != "550 5.7.1 "* ]]; then
	fail f-dmarc-reject-550 "SMTP reply: ${reply:-none} (want 550 5.7.1 ...)"
elif ! grep -q -i 'bank\.e2e\.example' <<<"$reply"; then
	fail f-dmarc-reject-550 "reply does not name the author domain: $reply"
else
	pass f-dmarc-reject-550
fi

# g. p=quarantine, nothing aligned: accepted, held, never delivered
G=$(msg g "From: Quar <news@quar.e2e.example>")
reply=$(e2e_send "$SMTP_PORT" bounce@other.e2e.example rcpt@dest.e2e.example \
	"$G" "$OTHER_IP" mail.other.e2e.example)
QID[g]=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ] || [ -z "${QID[g]}" ]; then
	fail g-dmarc-quarantine-hold "SMTP reply: ${reply:-none} (want 250 queued)"
else
	where=absent
	for ((i = 0; i < 50; i++)); do
		where=$(in_hold "${QID[g]}")
		[ "$where" = hold ] && break
		sleep 0.1
	done
	# give the queue manager a chance to (wrongly) deliver it
	sleep 3
	if [ "$where" != hold ]; then
		fail g-dmarc-quarantine-hold "queue ${QID[g]} is in '$where', not 'hold' (postqueue -j)"
	elif [ -n "$(sink_has "${QID[g]}")" ]; then
		fail g-dmarc-quarantine-hold "the sink received ${QID[g]}"
	elif [ "$(in_hold "${QID[g]}")" != hold ]; then
		fail g-dmarc-quarantine-hold "${QID[g]} left the hold queue"
	elif ! grep -q -E "${QID[g]}: .*(hold|quarantine)" "$TMP/pf/maillog"; then
		fail g-dmarc-quarantine-hold "Postfix logged no hold for ${QID[g]}"
	else
		pass g-dmarc-quarantine-hold
	fi
fi

# h. aligned SPF pass: delivered with dmarc=pass
H=$(msg h "From: Pass <user@pass.e2e.example>")
reply=$(e2e_send "$SMTP_PORT" user@pass.e2e.example rcpt@dest.e2e.example \
	"$H" "$GOOD_IP" mail.pass.e2e.example)
QID[h]=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ] || [ -z "${QID[h]}" ]; then
	fail h-dmarc-pass-spf "SMTP reply: ${reply:-none}"
elif ! D=$(e2e_find_msg "$TMP/sink" "${QID[h]}" 30); then
	fail h-dmarc-pass-spf "queued as ${QID[h]} but not delivered within 30s"
else
	HDR=$(e2e_headers "$D")
	top=$(sed -n 1p <<<"$HDR")
	if [ "$(ar_ours "$HDR" | wc -l)" != 1 ]; then
		fail h-dmarc-pass-spf "$(ar_ours "$HDR" | wc -l) A-R fields with our id"
	elif ! grep -q -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*;" <<<"$top"; then
		fail h-dmarc-pass-spf "top header is not our A-R: ${top:0:160}"
	elif ! grep -q -E "(^|[;[:space:]])dmarc=pass([;[:space:](]|$)" <<<"$top"; then
		fail h-dmarc-pass-spf "no dmarc=pass in: $top"
	elif ! grep -q -i -E "[[:space:]]header\.from=pass\.e2e\.example([;[:space:]]|$)" <<<"$top"; then
		fail h-dmarc-pass-spf "no header.from=pass.e2e.example in: $top"
	elif ! grep -q -E "(^|[;[:space:]])spf=pass[[:space:]]" <<<"$top"; then
		fail h-dmarc-pass-spf "no spf=pass in: $top"
	else
		pass h-dmarc-pass-spf
	fi
fi

# i. DKIM-signed by the author domain, sent by a third party
I=$(msg i "From: Signed <user@dkim.e2e.example>")
if ! "$E2E_PY" - "$I" "$KEY" <<'PY'
import re, sys, dkim
path, key = sys.argv[1], open(sys.argv[2], "rb").read()
msg = re.sub(rb"\r?\n", b"\r\n", open(path, "rb").read())
sig = dkim.sign(msg, b"sel", b"dkim.e2e.example", key,
                include_headers=[b"from", b"to", b"subject", b"date",
                                 b"message-id"],
                canonicalize=(b"relaxed", b"simple"))
open(path, "wb").write(sig + msg)
PY
then
	fail i-dmarc-pass-dkim "could not sign the message"
else
	reply=$(e2e_send "$SMTP_PORT" bounce@other.e2e.example rcpt@dest.e2e.example \
		"$I" "$OTHER_IP" mail.other.e2e.example)
	QID[i]=$(e2e_queue_id "$reply")
	if [ "${reply%% *}" != 250 ] || [ -z "${QID[i]}" ]; then
		fail i-dmarc-pass-dkim "SMTP reply: ${reply:-none}"
	elif ! D=$(e2e_find_msg "$TMP/sink" "${QID[i]}" 30); then
		fail i-dmarc-pass-dkim "queued as ${QID[i]} but not delivered within 30s"
	else
		top=$(e2e_headers "$D" | sed -n 1p)
		if ! grep -q -E "(^|[;[:space:]])dkim=pass[[:space:]].*header\.d=dkim\.e2e\.example" <<<"$top"; then
			fail i-dmarc-pass-dkim "no dkim=pass header.d=dkim.e2e.example in: $top"
		elif ! grep -q -E "(^|[;[:space:]])dmarc=pass([;[:space:](]|$)" <<<"$top" ||
			! grep -q -i "header\.from=dkim\.e2e\.example" <<<"$top"; then
			fail i-dmarc-pass-dkim "no dmarc=pass header.from=dkim.e2e.example in: $top"
		else
			pass i-dmarc-pass-dkim
		fi
	fi
fi

# j. two From fields, one in the obsolete "From :" form (RFC 5322 4.5.6):
# the sender has SPF for other.e2e.example (p=none); a parser that misses
# the second field would pass other.e2e.example while a reader may see
# bank.e2e.example
J=$(msg j "From: x@other.e2e.example" "From : ceo@bank.e2e.example")
reply=$(e2e_send "$SMTP_PORT" bounce@other.e2e.example rcpt@dest.e2e.example \
	"$J" "$OTHER_IP" mail.other.e2e.example)
QID[j]=$(e2e_queue_id "$reply")
if [[ $reply == "550 5.7.1 "* ]]; then
	pass j-dmarc-obs-from
elif [ "${reply%% *}" = 250 ] && D=$(e2e_find_msg "$TMP/sink" "${QID[j]}" 30); then
	top=$(e2e_headers "$D" | sed -n 1p)
	fail j-dmarc-obs-from "accepted (${reply}); delivered with: $top"
else
	fail j-dmarc-obs-from "SMTP reply: ${reply:-none} (want 550 5.7.1)"
fi

# k. daemon alive; one verdict line with dmarc= per message it decided on
why=
sleep 0.5
for c in g h i; do
	q=${QID[$c]:-}
	[ -n "$q" ] || continue
	n=$(grep -c -E "(^|[^0-9A-Za-z])$q: .*dmarc=[a-z]+.*action=" "$MLOG")
	[ "$n" = 1 ] || why+="$n verdict lines with dmarc= for $q (case $c); "
done
nrej=$(grep -c -E ": .*dmarc=fail.*action=reject" "$MLOG")
[ "$nrej" -ge 1 ] || why+="no verdict line with dmarc=fail action=reject; "
if ! kill -0 "$MILTER_PID" 2>/dev/null; then
	fail k-daemon-alive "authmilter (pid $MILTER_PID) is no longer running"
elif [ -n "$why" ]; then
	fail k-daemon-alive "${why%; }"
else
	pass k-daemon-alive
fi
finish
