#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/e2e/run_arc.sh - ARC sealing through a real Postfix on 127.0.0.1:
# a message relayed through Postfix with authmilter sealing on arrives at
# the sink with a new ARC set on top (ARC-Seal first, then the
# ARC-Message-Signature, the ARC-Authentication-Results and our
# Authentication-Results), and dkimpy validates the chain on the bytes the
# sink received. Ends with "e2e-arc: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

AUTHMILTER=${AUTHMILTER:-$REPO/milter/authmilter}
E2E_SUITE=e2e-arc
e2e_frame

[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }
TMP=$(mktemp -d /tmp/authmilter-e2e-arc.XXXXXX) || { fail setup mktemp; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink"
E2E_MILTER_LOG=$TMP/authmilter.log
MILTER_PORT=$(e2e_free_port) SMTP_PORT=$(e2e_free_port) SINK_PORT=$(e2e_free_port)
while [ "$SMTP_PORT" = "$MILTER_PORT" ]; do SMTP_PORT=$(e2e_free_port); done
while [ "$SINK_PORT" = "$MILTER_PORT" ] || [ "$SINK_PORT" = "$SMTP_PORT" ]; do
	SINK_PORT=$(e2e_free_port)
done

# the sealing key: readable by the daemon's user only
KEY=$TMP/seal.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY" 2>/dev/null ||
	{ fail setup "openssl genpkey"; finish; }
chown nobody "$KEY" && chmod 600 "$KEY"
PUB=$(openssl pkey -in "$KEY" -pubout -outform DER 2>/dev/null | base64 -w0)
cat >"$TMP/authmilter.conf" <<CONF
authserv_id = "mx.e2e.test";
milter = { socket = "inet:$MILTER_PORT@127.0.0.1"; user = "nobody"; };
dns = {
  local_zones = [ "e2e.example. static", "example. static" ];
  local_data = [ "pass.e2e.example. 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"",
    "_dmarc.pass.e2e.example. 300 IN TXT \"v=DMARC1; p=reject\"" ];
};
policy = { trusted_networks = [ ]; };
arc = { seal = { enabled = true; domain = "seal.e2e.example";
  selector = "s1"; key_file = "$KEY"; }; };
CONF
"$AUTHMILTER" -f -c "$TMP/authmilter.conf" >"$TMP/authmilter.log" 2>&1 &
MILTER_PID=$!
e2e_wait_listen "$MILTER_PORT" 20 || { fail setup "authmilter does not listen"; finish; }
e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "sink"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "inet:127.0.0.1:$MILTER_PORT" ||
	{ fail setup "postfix did not start"; finish; }

printf '%s\n' "From: Pass <user@pass.e2e.example>" "To: <rcpt@dest.e2e.example>" \
	"Subject: e2e arc" "Message-ID: <arc.$$@e2e.example>" \
	"Date: $(LC_ALL=C date -R)" "" "sealed on the way" >"$TMP/m.eml"
reply=$(e2e_send "$SMTP_PORT" user@pass.e2e.example rcpt@dest.e2e.example \
	"$TMP/m.eml" 192.0.2.10 mail.pass.e2e.example)
QID=$(e2e_queue_id "$reply")
if [ "${reply%% *}" != 250 ] || ! D=$(e2e_find_msg "$TMP/sink" "$QID" 30); then
	fail a-arc-delivered "SMTP reply ${reply:-none}, not delivered"
	finish
fi
pass a-arc-delivered
names=$(e2e_headers "$D" | sed -n 1,4p | cut -d: -f1 | tr '\n' ' ')
if [ "$names" = "ARC-Seal ARC-Message-Signature ARC-Authentication-Results Authentication-Results " ]; then
	pass b-arc-set-on-top
else
	fail b-arc-set-on-top "top fields: $names"
fi
if out=$("$E2E_PY" - "$D" "$PUB" <<'PY'
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
	pass c-arc-chain-valid
else
	fail c-arc-chain-valid "dkimpy: $out"
fi
if grep -q -E "i=1; mx\.e2e\.test;" "$D" && grep -q "cv=none" "$D"; then
	pass d-arc-instance-1
else
	fail d-arc-instance-1 "no i=1 AAR with our authserv-id and cv=none"
fi
finish
