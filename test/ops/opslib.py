# SPDX-License-Identifier: BSD-2-Clause
"""opslib: what the operations tests (JSON log, metrics) share.

    import opslib
    keys = opslib.make_key(tmp)               # (private PEM, base64 SPKI)
    opslib.write_conf(path, port, pub, {...})   # a config on 127.0.0.1
    opslib.MESSAGES                           # name -> (envelope, builder)
    opslib.send(port, name, keys, qid)        # one transaction, a Result

The DNS data is fixed (dns.local_data), so every message below has one
known verdict: see MESSAGES.
"""

import base64
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
from milterclient import MilterClient  # noqa: E402
import testlib  # noqa: E402

DAEMON = testlib.program("authmilter")
AUTHSERV_ID = "mx.ops.example"
GOOD_IP = "192.0.2.10"
BAD_IP = "198.51.100.7"


def make_key(tmp):
    """An RSA 2048 key made with openssl: (private PEM, base64 SPKI)."""
    priv = os.path.join(tmp, "dkim.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", priv],
                   check=True, capture_output=True, timeout=120)
    der = subprocess.run(["openssl", "pkey", "-in", priv, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True, timeout=60).stdout
    with open(priv, "rb") as f:
        return f.read(), base64.b64encode(der).decode()


def local_data(pub):
    """dns.local_data lines: good.example (SPF, DKIM key, DMARC reject),
    strict.example (SPF that fails everyone, DMARC reject)."""
    key = "v=DKIM1; k=rsa; p=" + pub
    parts = " ".join('"%s"' % key[i:i + 200] for i in range(0, len(key), 200))
    return [
        'good.example. 300 IN TXT "v=spf1 ip4:%s -all"' % GOOD_IP,
        "sel._domainkey.good.example. 300 IN TXT %s" % parts,
        '_dmarc.good.example. 300 IN TXT "v=DMARC1; p=reject"',
        'good.example. 300 IN A 192.0.2.1',
        'strict.example. 300 IN TXT "v=spf1 -all"',
        '_dmarc.strict.example. 300 IN TXT "v=DMARC1; p=reject"',
        'strict.example. 300 IN A 192.0.2.1',
    ]


def write_conf(path, port, pub, *extra):
    """The daemon's config: milter on 127.0.0.1:PORT, DNS from local_data,
    DMARC rejecting; EXTRA (dicts or text, testlib.config_text) on top."""
    testlib.write_config(path, {
        "authserv_id": AUTHSERV_ID,
        "milter": {"socket": "inet:%d@127.0.0.1" % port, "user": "nobody"},
        "dns": {"local_zones": ["example. static"],
                "local_data": local_data(pub)},
        "dmarc": {"enabled": True, "reject": True},
        "policy": {"trusted_networks": []},
    }, *extra, comment="written by test/ops/opslib.py")


def _plain(frm, subject):
    return ("From: <%s>\r\nTo: <r@rcpt.example>\r\nSubject: %s\r\n"
            "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
            "Message-ID: <%s@ops.example>\r\n\r\nBody of %s.\r\n"
            % (frm, subject, subject.replace(" ", "-"), subject)).encode()


def _signed(priv):
    import dkim
    msg = _plain("a@good.example", "signed")
    sig = dkim.sign(msg, b"sel", b"good.example", priv,
                    include_headers=[b"from", b"to", b"subject", b"date",
                                     b"message-id"],
                    canonicalize=(b"relaxed", b"relaxed"))
    return sig + msg


def _forged_ar(priv):
    return (("Authentication-Results: %s; dmarc=pass\r\n" % AUTHSERV_ID)
            .encode() + _plain("a@good.example", "forged ar"))


# name -> (client ip, MAIL FROM, message builder(priv), expected action,
#          expected results {method: result})
MESSAGES = {
    "signed": (GOOD_IP, "<a@good.example>", _signed, "accept",
               {"spf": "pass", "dkim": "pass", "dmarc": "pass"}),
    "spf-only": (GOOD_IP, "<a@good.example>",
                 lambda p: _plain("a@good.example", "spf only"), "accept",
                 {"spf": "pass", "dkim": "none", "dmarc": "pass"}),
    "rejected": (BAD_IP, "<a@strict.example>",
                 lambda p: _plain("a@strict.example", "rejected"), "reject",
                 {"spf": "fail", "dkim": "none", "dmarc": "fail"}),
    "forged-ar": (GOOD_IP, "<a@good.example>", _forged_ar, "accept",
                  {"spf": "pass", "dkim": "none", "dmarc": "pass"}),
}


def send(port, name, priv, qid=None):
    """One connection, one transaction of MESSAGES[name]; the Result."""
    ip, mailfrom, build, _, _ = MESSAGES[name]
    c = MilterClient(port=port)
    try:
        c.negotiate()
        c.connect("client.example", ip)
        c.helo("client.example")
        m = {"i": qid} if qid else None
        return c.message(mailfrom, ["<r@rcpt.example>"], build(priv),
                         macros=m, mail_macros=m)
    finally:
        c.close()
