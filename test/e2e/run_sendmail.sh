#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/run_sendmail.sh - authmilter behind a real Sendmail (Debian's
# sendmail-bin, test/e2e/lib_sendmail.sh): client -> Sendmail (private
# instance) -> authmilter (unix socket) -> Sendmail's esmtp mailer ->
# capture sink. The sendmail.cf is made with m4 from Debian's sendmail-cf,
# the test's own settings (ports, queue, relay to the sink) and the two
# operator lines of README "Sendmail", taken from README, which include
# conf/authmilter.m4 (the file the package installs).
#
# Everything runs in a network namespace of its own (unshare --net) whose
# loopback also carries 192.0.2.0/24 and 198.51.100.0/24: Sendmail has no
# XCLIENT, so the client connects from those addresses (libspf2 passes
# every 127/8 client, which would hide SPF). Sendmail listens on
# 127.0.0.1:PORT there; nothing listens on the machine's port 25 or any
# other port of the machine's own network. A UTS namespace gives Sendmail
# the host name mx.e2e.test.
#
#   a-m4-snippet          the .cf has the X line on the socket and the
#                         macros authmilter reads in Milter.macros.*
#   b-spf-pass-ar-top     SPF and DMARC pass: our A-R (authserv-id from
#                         Sendmail's $j) on top, above Sendmail's Received
#   c-spf-fail-delivered  SPF fail alone never rejects
#   d-forged-ar-removed   an A-R claiming our id is removed, a foreign kept
#   e-dkim-dmarc-pass     DKIM-signed by the author domain, relayed by a
#                         third party: dkim=pass, dmarc=pass
#   f-dmarc-reject-550    p=reject, nothing aligned: 550 5.7.1 at end of
#                         DATA, nothing at the sink
#   g-dmarc-quarantine    p=quarantine: accepted, in Sendmail's quarantine
#                         (mailq -qQ), never delivered
#   h-verdict-log         one verdict line per message with Sendmail's
#                         queue id, the daemon still running
#   i-arc-sealed          with arc.seal on: the ARC set on top, dkimpy
#                         validates the chain on the delivered bytes
#
# Needs root. Ends with "e2e-sendmail: N passed, N failed".
#   AUTHMILTER=/path/authmilter  KEEP=1  E2E_SMTP_VERBOSE=1
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sendmail.sh
. "$HERE/lib_sendmail.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
AUTHSERV_ID=mx.e2e.test
ID_RE=${AUTHSERV_ID//./\\.}
E2E_SUITE=e2e-sendmail
GOOD_IP=192.0.2.10
OTHER_IP=198.51.100.7

# ---- outside the namespace: what needs the package mirrors ----------------

if [ "${SM_IN_NS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		fail setup "must run as root (Sendmail, network namespace)"; finish
	fi
	[ -x "$AUTHMILTER" ] || { fail setup "no daemon at $AUTHMILTER"; finish; }
	"$E2E_PY" -c 'import dkim' 2>/dev/null ||
	    { fail setup "python3-dkim is missing (apt-get install python3-dkim)"; finish; }
	sm_install || { fail setup "Sendmail could not be set up (sm_install)"; finish; }
	export SM_IN_NS=1 SM_BIN AUTHMILTER
	exec unshare --net --uts bash "$0" "$@"
fi

# ---- inside: a private loopback ------------------------------------------------

# shellcheck disable=SC2317  # called through the EXIT trap
sm_cleanup() {
	local rc=$?
	sm_stop
	if [ -n "$TMP" ] && { [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; }; then
		echo "---- sendmail SMTP traffic (last 30 lines): $TMP/sm/traffic.log*" >&2
		cat "$TMP"/sm/traffic.log* 2>/dev/null | tail -n 30 >&2
		cat "$TMP/sm/sendmail.out" >&2 2>/dev/null
	fi
	(exit "$rc")
	e2e_cleanup
}
trap sm_cleanup EXIT
trap 'exit 130' INT TERM

hostname mx.e2e.test || { fail setup "hostname in the UTS namespace"; finish; }
if ! ip link set lo up || ! ip addr add 192.0.2.1/24 dev lo ||
    ! ip addr add 198.51.100.1/24 dev lo; then
	fail setup "loopback addresses in the network namespace"; finish
fi

# Sendmail refuses a socket or queue below a world-writable directory (/tmp)
TMP=$(mktemp -d /run/authmilter-e2e-sm.XXXXXX) || { fail setup mktemp; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/sm" "$TMP/sink" "$TMP/msg" "$TMP/milter" "$TMP/run"
# like /run/authmilter of the package: 0750, the daemon's user; socket 0770
chown nobody "$TMP/run" && chmod 750 "$TMP/run"
SOCK=$TMP/run/authmilter.sock
E2E_MILTER_LOG=$TMP/milter/authmilter.log
SMTP_PORT=$(e2e_free_port) SINK_PORT=$(e2e_free_port)
while [ "$SINK_PORT" = "$SMTP_PORT" ]; do SINK_PORT=$(e2e_free_port); done

# the operator's lines, from README "Sendmail", with only the two paths
# that differ here replaced: the socket and where authmilter.m4 lies
awk '/^Sendmail$/ { s = 1; next } s && /^[A-Z][A-Za-z -]*$/ { exit }
     s && /^    (define|include)\(/ { sub(/^    /, ""); print }' \
    "$REPO/README" >"$TMP/readme.m4"
sed -e "s|local:/run/authmilter/authmilter.sock|local:$SOCK|" \
    -e "s|/etc/mail/m4/authmilter.m4|$REPO/conf/authmilter.m4|" \
    "$TMP/readme.m4" >"$TMP/operator.m4"
if [ "$(wc -l <"$TMP/readme.m4")" != 2 ] ||
    ! grep -q "^define(\`AUTHMILTER_SOCKET', \`local:$SOCK')dnl\$" "$TMP/operator.m4" ||
    ! grep -q "^include(\`$REPO/conf/authmilter.m4')dnl\$" "$TMP/operator.m4"; then
	fail setup "README \"Sendmail\" does not have the define and include lines: $(cat "$TMP/readme.m4")"
	finish
fi

# a DKIM key for dkim.e2e.example, published below as sel._domainkey
KEY=$TMP/msg/dkim.pem
timeout 120 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$KEY" 2>/dev/null || { fail setup "openssl genpkey"; finish; }
PUB=$(openssl pkey -in "$KEY" -pubout -outform DER 2>/dev/null | base64 -w0)
KEYTXT="\\\"v=DKIM1; k=rsa; p=${PUB:0:200}\\\" \\\"${PUB:200}\\\""
SEAL=$TMP/milter/seal.pem
timeout 120 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$SEAL" 2>/dev/null || { fail setup "openssl genpkey"; finish; }
chown nobody "$SEAL" && chmod 600 "$SEAL"
SEALPUB=$(openssl pkey -in "$SEAL" -pubout -outform DER 2>/dev/null | base64 -w0)

# conf FILE [EXTRA]: the daemon's config; authserv_id "" takes Sendmail's $j
conf() {
	cat >"$1" <<CONF
# written by test/e2e/run_sendmail.sh
authserv_id = "";
milter = { socket = "unix:$SOCK"; user = "nobody"; umask = 0007; };
dns = {
  local_data = [
    "pass.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
    "_dmarc.pass.e2e.example. 300 IN TXT \"v=DMARC1; p=reject\"",
    "nodmarc.e2e.example. 300 IN TXT \"v=spf1 ip4:$GOOD_IP -all\"",
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
dmarc = { enabled = true; mode = "rfc9989"; reject = true;
  quarantine = "quarantine"; };
policy = { trusted_networks = [ ]; };
${2:-}
CONF
	chmod 644 "$1"
}

# milter_start CONF: the daemon on $SOCK (MILTER_PID)
milter_start() {
	local i
	rm -f "$SOCK"
	"$AUTHMILTER" -f -c "$1" >>"$E2E_MILTER_LOG" 2>&1 &
	MILTER_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$MILTER_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

conf "$TMP/milter/authmilter.conf"
milter_start "$TMP/milter/authmilter.conf" ||
    { fail setup "authmilter did not make $SOCK"; finish; }
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "sink did not start"; finish; }
sm_start "$TMP/sm" "$SMTP_PORT" "$SINK_PORT" "$TMP/operator.m4" ||
    { fail setup "sendmail did not start"; finish; }

# ---- helpers -------------------------------------------------------------------

# msg NAME HEADER-LINE...: a message whose header starts with those lines
msg() {
	local name=$1
	shift
	{
		printf '%s\n' "$@"
		printf '%s\n' "To: <rcpt@dest.e2e.example>" "Subject: e2e sendmail $name" \
		    "Message-ID: <$name.$$@e2e.example>" \
		    "Date: $(LC_ALL=C date -R)" "" "e2e Sendmail test message $name" \
		    ".a line with a leading dot"
	} >"$TMP/msg/$name.eml"
	echo "$TMP/msg/$name.eml"
}

declare -A QID IP
# send CASE IP HELO FROM FILE: REPLY and QID[CASE]
send() {
	IP[$1]=$2
	REPLY=$(timeout 120 "$E2E_PY" "$HERE/smtpclient.py" --port "$SMTP_PORT" \
	    --source "$2" --helo "$3" --from "$4" --rcpt rcpt@dest.e2e.example \
	    --file "$5" ${E2E_SMTP_VERBOSE:+-v})
	QID[$1]=$(sm_queue_id "$REPLY")
}

# deliver CASE IP HELO FROM FILE: sent, accepted and at the sink (DELIVERED)
deliver() {
	DELIVERED='' WHY=''
	send "$@"
	if [ "${REPLY%% *}" != 250 ] || [ -z "${QID[$1]}" ]; then
		WHY="SMTP reply: ${REPLY:-none}"; return 1
	fi
	DELIVERED=$(e2e_find_msg "$TMP/sink" "${QID[$1]}" 30) ||
	    { WHY="accepted as ${QID[$1]}, not at the sink within 30 s"; return 1; }
}

ar_ours() {
	grep -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*(;|$)" <<<"$1"
}

# check_top CASE HEADERS: exactly one A-R of ours, on top, directly above
# Sendmail's Received for this queue id and client address; TOP is it
check_top() {
	local second n
	TOP=$(sed -n 1p <<<"$2")
	second=$(sed -n 2p <<<"$2")
	n=$(ar_ours "$2" | wc -l)
	if ! grep -q -i -E "^Authentication-Results:[[:space:]]*${ID_RE}[[:space:]]*;" <<<"$TOP"; then
		WHY="top header is not our Authentication-Results: ${TOP:0:160}"
	elif [ "$n" != 1 ]; then
		WHY="$n Authentication-Results with our id"
	elif [[ $second != "Received: "*"[${IP[$1]}]"*" by mx.e2e.test ("*" id ${QID[$1]}"* ]]; then
		WHY="A-R is not directly above Sendmail's Received (second: ${second:0:160})"
	else
		return 0
	fi
	return 1
}

# has TEXT ERE: TEXT matches ERE (else WHY says so)
has() {
	grep -q -E "$2" <<<"$1" && return 0
	WHY="no /$2/ in: $1"
	return 1
}

# ---- cases ---------------------------------------------------------------------

# a. the .cf that m4 made from README's lines and conf/authmilter.m4
cf=$TMP/sm/sendmail.cf
why=
grep -q -x "Xauthmilter, S=local:$SOCK, T=S:10s;R:2m;E:5m" "$cf" ||
    why+="no X line for local:$SOCK; "
grep -q -x 'O InputMailFilters=authmilter' "$cf" || why+="not in InputMailFilters; "
for want in "connect j" "helo {tls_version}" "helo {cipher}" "helo {cipher_bits}" \
    "helo {cert_subject}" "envfrom i" "envfrom {auth_authen}" "eoh i" "eom i"; do
	read -r stage mac <<<"$want"
	line=$(grep "^O Milter.macros.$stage=" "$cf")
	tr -d ' ' <<<"${line#*=}" | tr ',' '\n' | grep -q -x -F "$mac" ||
	    why+="$mac not in Milter.macros.$stage ($line); "
done
# Sendmail's own defaults are kept (another filter may need them)
grep -q '^O Milter.macros.eom={msg_id}, i$' "$cf" || why+="eom lost {msg_id}; "
if [ -z "$why" ]; then
	pass a-m4-snippet
else
	fail a-m4-snippet "${why%; }"
fi

# b. SPF pass, aligned: DMARC pass; A-R on top
if ! deliver b "$GOOD_IP" mail.pass.e2e.example user@pass.e2e.example \
    "$(msg b "From: Pass <user@pass.e2e.example>")"; then
	fail b-spf-pass-ar-top "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if check_top b "$H" &&
	    has "$TOP" '(^|[;[:space:]])spf=pass[[:space:]](\([^)]*\) )?smtp\.mailfrom=(user@)?pass\.e2e\.example([;[:space:]]|$)' &&
	    has "$TOP" '(^|[;[:space:]])dmarc=pass[[:space:]].*header\.from=pass\.e2e\.example'; then
		pass b-spf-pass-ar-top
	else
		fail b-spf-pass-ar-top "$WHY"
	fi
fi

# c. SPF fail, no DMARC record: delivered all the same
if ! deliver c "$OTHER_IP" mail.other.e2e.example user@nodmarc.e2e.example \
    "$(msg c "From: <user@nodmarc.e2e.example>")"; then
	fail c-spf-fail-delivered "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if check_top c "$H" &&
	    has "$TOP" '(^|[;[:space:]])spf=fail[[:space:]](\([^)]*\) )?smtp\.mailfrom=(user@)?nodmarc\.e2e\.example'; then
		pass c-spf-fail-delivered
	else
		fail c-spf-fail-delivered "$WHY"
	fi
fi

# d. a forged A-R with our id is removed, a foreign one kept
F=$(msg d "Authentication-Results: $AUTHSERV_ID; spf=pass smtp.mailfrom=forged.example" \
    "Authentication-Results: other.example; spf=pass" "From: <user@pass.e2e.example>")
if ! deliver d "$GOOD_IP" mail.pass.e2e.example user@pass.e2e.example "$F"; then
	fail d-forged-ar-removed "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if ! check_top d "$H"; then
		fail d-forged-ar-removed "$WHY"
	elif grep -q -i 'forged\.example' <<<"$H"; then
		fail d-forged-ar-removed "the forged A-R (forged.example) is still there"
	elif [ "$(grep -c -i -E '^Authentication-Results:[[:space:]]*other\.example[[:space:]]*;[[:space:]]*spf=pass$' <<<"$H")" != 1 ]; then
		fail d-forged-ar-removed "the foreign A-R (other.example) is gone or changed"
	else
		pass d-forged-ar-removed
	fi
fi

# e. DKIM-signed by the author domain, relayed by a third party
E=$(msg e "From: Signed <user@dkim.e2e.example>")
if ! "$E2E_PY" - "$E" "$KEY" <<'PY'
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
	fail e-dkim-dmarc-pass "could not sign the message"
elif ! deliver e "$OTHER_IP" mail.other.e2e.example bounce@other.e2e.example "$E"; then
	fail e-dkim-dmarc-pass "$WHY"
else
	H=$(e2e_headers "$DELIVERED")
	if check_top e "$H" &&
	    has "$TOP" '(^|[;[:space:]])dkim=pass[[:space:]].*header\.d=dkim\.e2e\.example' &&
	    has "$TOP" '(^|[;[:space:]])dmarc=pass[[:space:]].*header\.from=dkim\.e2e\.example'; then
		pass e-dkim-dmarc-pass
	else
		fail e-dkim-dmarc-pass "$WHY"
	fi
fi

# f. p=reject, nothing aligned: 550 5.7.1 at the end of DATA
before=$(e2e_count_files "$TMP/sink")
send f "$OTHER_IP" mail.other.e2e.example bounce@other.e2e.example \
    "$(msg f "From: Bank <ceo@bank.e2e.example>")"
if [[ $REPLY != "550 5.7.1 "* ]]; then
	fail f-dmarc-reject-550 "SMTP reply: ${REPLY:-none} (want 550 5.7.1 ...)"
elif ! grep -q -i 'bank\.e2e\.example' <<<"$REPLY"; then
	fail f-dmarc-reject-550 "reply does not name the author domain: $REPLY"
else
	pass f-dmarc-reject-550
fi

# g. p=quarantine: accepted, held in Sendmail's quarantine, not delivered
send g "$OTHER_IP" mail.other.e2e.example bounce@other.e2e.example \
    "$(msg g "From: Quar <news@quar.e2e.example>")"
if [ "${REPLY%% *}" != 250 ] || [ -z "${QID[g]}" ]; then
	fail g-dmarc-quarantine "SMTP reply: ${REPLY:-none} (want 250)"
else
	held=''
	for ((i = 0; i < 50; i++)); do
		held=$(timeout 30 "$SM_BIN" -C "$cf" -bp -qQ 2>/dev/null |
		    grep -E "^${QID[g]}[[:space:]*]" -A 2)
		[ -n "$held" ] && break
		sleep 0.1
	done
	# b-e were delivered meanwhile; give g the same time to (wrongly) go
	e2e_wait_file "$TMP/sink" 5 $((before + 1)) >/dev/null
	if [ -z "$held" ]; then
		fail g-dmarc-quarantine "${QID[g]} is not in the quarantine (mailq -qQ)"
	elif ! grep -q -i 'quarantine\|dmarc' <<<"$held"; then
		fail g-dmarc-quarantine "no quarantine reason: $held"
	elif grep -l -E "[[:space:]]id ${QID[g]}([;[:space:]]|\$)" "$TMP"/sink/mail/*.eml >/dev/null 2>&1; then
		fail g-dmarc-quarantine "the sink received ${QID[g]}"
	else
		pass g-dmarc-quarantine
	fi
fi

# h. one verdict line per message, with Sendmail's queue id
why=
for c in b c d e f g; do
	q=${QID[$c]:-}
	if [ -z "$q" ]; then
		# f was refused at the end of DATA: its id is only in the log
		[ "$c" = f ] && continue
		why+="case $c has no queue id; "; continue
	fi
	n=$(grep -c -E "(^|[^0-9A-Za-z])$q: spf=.*action=[a-z]+ ip=${IP[$c]//./\\.}( |$)" "$E2E_MILTER_LOG")
	[ "$n" = 1 ] || why+="$n verdict lines for $q (case $c); "
done
grep -q -E ": spf=[a-z]+ .*dmarc=fail .*action=reject ip=${OTHER_IP//./\\.} from=bank\\.e2e\\.example " \
    "$E2E_MILTER_LOG" ||
    why+="no action=reject verdict for case f; "
if ! kill -0 "$MILTER_PID" 2>/dev/null; then
	fail h-verdict-log "authmilter (pid $MILTER_PID) is no longer running"
elif [ -n "$why" ]; then
	fail h-verdict-log "${why%; }"
else
	pass h-verdict-log
fi

# i. ARC sealing: the daemon again, with arc.seal on
e2e_stop_pid "$MILTER_PID" 15
conf "$TMP/milter/seal.conf" "arc = { seal = { enabled = true; domain = \"seal.e2e.example\";
  selector = \"s1\"; key_file = \"$SEAL\"; }; };"
if ! milter_start "$TMP/milter/seal.conf"; then
	fail i-arc-sealed "the sealing daemon did not start"
elif ! deliver i "$GOOD_IP" mail.pass.e2e.example user@pass.e2e.example \
    "$(msg i "From: Pass <user@pass.e2e.example>")"; then
	fail i-arc-sealed "$WHY"
else
	names=$(e2e_headers "$DELIVERED" | sed -n 1,4p | cut -d: -f1 | tr '\n' ' ')
	if [ "$names" != "ARC-Seal ARC-Message-Signature ARC-Authentication-Results Authentication-Results " ]; then
		fail i-arc-sealed "top fields: $names"
	elif ! out=$("$E2E_PY" - "$DELIVERED" "$SEALPUB" <<'PY'
import re, sys, dkim
raw = re.sub(rb"\r?\n", b"\r\n", open(sys.argv[1], "rb").read())
rec = b"v=DKIM1; k=rsa; p=" + sys.argv[2].encode()
def dns(name, timeout=5):
    return rec if name.startswith(b"s1._domainkey.seal.e2e.example") else None
cv, _, why = dkim.arc_verify(raw, dnsfunc=dns)
print(cv.decode(), why)
sys.exit(0 if cv == b"pass" else 1)
PY
	); then
		fail i-arc-sealed "dkimpy: $out"
	elif ! grep -q -E "i=1; mx\.e2e\.test;" "$DELIVERED" || ! grep -q "cv=none" "$DELIVERED"; then
		fail i-arc-sealed "no i=1 AAR with our authserv-id and cv=none"
	else
		pass i-arc-sealed
	fi
fi
finish
