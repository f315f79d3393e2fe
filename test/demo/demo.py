#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""authmilter demo: real messages through a running daemon, over the milter
protocol, with the verdicts it returns.

    demo.py conf PORT DIR   write DIR/demo.conf: demo DNS data, DKIM keys
    demo.py run PORT DIR    push the demo messages through the daemon

The DKIM signatures are made here with dkimpy (python3-dkim), an
implementation independent of authmilter; DNS answers come from
dns.local_data."""

import base64
import os
import subprocess
import sys

import dkim
import nacl.signing

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from milterclient import MilterClient  # noqa: E402
import testlib  # noqa: E402

BASE = os.path.join(os.path.dirname(__file__), "demo.conf")


def txt(name, value):
    """A local_data TXT line, split into 255-octet strings."""
    parts = [value[i:i + 250] for i in range(0, len(value), 250)]
    quoted = " ".join('\\"%s\\"' % p for p in parts)
    return '    "%s. 300 IN TXT %s",' % (name, quoted)


def keys(d):
    rsa = os.path.join(d, "rsa.pem")
    if not os.path.exists(rsa):
        subprocess.run(["openssl", "genrsa", "-out", rsa, "2048"],
                       check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", rsa, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    seed = os.path.join(d, "ed25519.seed")
    if not os.path.exists(seed):
        with open(seed, "wb") as f:
            f.write(os.urandom(32))
    sk = nacl.signing.SigningKey(open(seed, "rb").read())
    return (open(rsa, "rb").read(), base64.b64encode(der).decode(),
            base64.b64encode(bytes(sk)), base64.b64encode(
                bytes(sk.verify_key)).decode())


def list_key(d):
    """The mailing list's ARC sealing key (ed25519), owner-only."""
    pem = os.path.join(d, "list.pem")
    if not os.path.exists(pem):
        subprocess.run(["openssl", "genpkey", "-algorithm", "ED25519",
                        "-out", pem], check=True, capture_output=True)
        os.chmod(pem, 0o600)
    der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return pem, base64.b64encode(der[-32:]).decode()


def write_conf(port, d):
    _, rsa_pub, _, ed_pub = keys(d)
    pem, list_pub = list_key(d)
    lines = open(BASE).read().replace("@PORT@", port)
    extra = "\n".join([
        txt("s1._domainkey.sender.example", "v=DKIM1; k=rsa; p=" + rsa_pub),
        txt("ed1._domainkey.news.example", "v=DKIM1; k=ed25519; p=" + ed_pub),
        txt("_dmarc.sender.example",
            "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example"),
        txt("_dmarc.news.example", "v=DMARC1; p=quarantine"),
        txt("_dmarc.bank.example", "v=DMARC1; p=reject"),
        txt("_dmarc.testing.example", "v=DMARC1; p=reject; t=y"),
        txt("arc._domainkey.lists.example",
            "v=DKIM1; k=ed25519; p=" + list_pub),
    ])
    lines = lines.replace("    @DMARC_AND_DKIM@", extra)
    with open(os.path.join(d, "demo.conf"), "w") as f:
        f.write(lines)
    # the mailing list's own authmilter: it checks and seals what it relays
    with open(os.path.join(d, "list.conf"), "w") as f:
        f.write(lines.replace('authserv_id = "mx.demo.example";',
                              'authserv_id = "lists.example";').replace(
            'arc = { trusted_sealers = [ "lists.example" ]; };',
            'arc = { seal = { enabled = true; domain = "lists.example";'
            ' selector = "arc"; key_file = "%s"; algorithm = '
            '"ed25519-sha256"; }; };' % pem))


def msg(frm, subject, n, extra=b""):
    return (b"From: " + frm + b"\r\nTo: bob@mx.demo.example\r\nSubject: " +
            subject + b"\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <%d@demo.example>\r\n" % n + extra +
            b"\r\nHello Bob,\r\nthis is demo message %d.\r\n" % n)


def sign_rsa(m, d):
    key = keys(d)[0]
    return dkim.sign(m, b"s1", b"sender.example", key,
                     include_headers=[b"from", b"to", b"subject", b"date",
                                      b"message-id"]) + m


def sign_ed(m, d):
    key = keys(d)[2]
    return dkim.sign(m, b"ed1", b"news.example", key,
                     signature_algorithm=b"ed25519-sha256",
                     include_headers=[b"from", b"to", b"subject"]) + m


def list_check(d, path, client):
    """authmilter-check with the list's config: what it prints"""
    return subprocess.run([testlib.program("authmilter-check"), "-c", os.path.join(d, "list.conf"),
                           "--client-ip", client, "--helo",
                           "mail.sender.example", "--mail-from",
                           "alice@sender.example", path],
                          check=True, capture_output=True).stdout


def list_forward(d):
    """Alice's signed mail as a mailing list relays it: the list's inbound
    authmilter checks it (dkim=pass, dmarc=pass), the list tags the
    subject (which breaks Alice's signature), and the list's outbound
    authmilter, a trusted internal hop, seals it with those results."""
    signed = sign_rsa(msg(b"Alice <alice@sender.example>", b"Meeting", 12),
                      d)
    path = os.path.join(d, "list-in.eml")
    with open(path, "wb") as f:
        f.write(signed)
    out = list_check(d, path, "192.0.2.10")
    ar = out.split(b"\nAuthentication-Results:")[1].split(b"\naction:")[0]
    ar = b"Authentication-Results:" + ar.split(b"\n#")[0] + b"\n"
    relayed = ar.replace(b"\n", b"\r\n") + signed.replace(
        b"Subject: Meeting", b"Subject: [team] Meeting")
    with open(path, "wb") as f:
        f.write(relayed)
    out = list_check(d, path, "127.0.0.1")
    # the ARC set comes first in what authmilter-check prints
    arc = out.split(b"\naction:")[0] + b"\n"
    return arc.replace(b"\n", b"\r\n") + relayed


def cases(d):
    tampered = sign_rsa(msg(b"Alice <alice@sender.example>",
                            b"Invoice", 4), d).replace(b"Hello", b"Hallo")
    return [
        ("SPF pass from the sender's network", "192.0.2.10",
         "mail.sender.example", "<alice@sender.example>",
         msg(b"Alice <alice@sender.example>", b"SPF only", 1)),
        ("DKIM (rsa-sha256) from a third-party sender: DMARC passes by DKIM",
         "198.51.100.77", "esp.example", "<bounce@esp.example>",
         sign_rsa(msg(b"Alice <alice@sender.example>", b"Newsletter", 2), d)),
        ("ed25519-sha256 signature (RFC 8463)", "198.51.100.77",
         "esp.example", "<bounce@esp.example>",
         sign_ed(msg(b"News <news@news.example>", b"ed25519", 3), d)),
        ("body changed after signing: DKIM fails, DMARC p=reject rejects",
         "203.0.113.66", "spoofer.invalid", "<x@spoofer.invalid>", tampered),
        ("spoofed bank (p=reject), plus a fake A-R claiming our id",
         "203.0.113.66", "spoofer.invalid", "<x@spoofer.invalid>",
         msg(b"Bank <security@bank.example>", b"Verify your account", 5,
             b"Authentication-Results: mx.demo.example; dmarc=pass "
             b"header.from=bank.example\r\n")),
        ("unsigned mail for news.example (p=quarantine): delivered, "
         "marked for the Junk folder",
         "203.0.113.66", "spoofer.invalid", "<x@spoofer.invalid>",
         msg(b"News <news@news.example>", b"Quarantine me", 6)),
        ("t=y (testing) lowers p=reject to quarantine", "203.0.113.66",
         "spoofer.invalid", "<x@spoofer.invalid>",
         msg(b"<ops@testing.example>", b"Testing", 7)),
        ("From naming two domains: the author is ambiguous",
         "192.0.2.10", "mail.sender.example", "<alice@sender.example>",
         msg(b"alice@sender.example, security@bank.example",
             b"Two authors", 8)),
        ("bounce (null sender): the MAIL FROM identity is postmaster@HELO, "
         "so the HELO domain is the SPF domain DMARC aligns",
         "192.0.2.10",
         "mail.sender.example", "<>",
         msg(b"MAILER-DAEMON@mail.sender.example", b"Undeliverable", 9)),
        ("IPv6 client inside ip6:", "2001:db8:25::7", "mail.sender.example",
         "<alice@sender.example>",
         msg(b"<alice@sender.example>", b"IPv6", 10)),
        ("trusted network: not checked", "10.1.2.3", "internal.example",
         "<app@sender.example>", msg(b"<app@sender.example>", b"Cron", 11)),
        ("mailing list forward: the list broke DKIM, DMARC fails, but its "
         "ARC seal (trusted sealer lists.example) vouches",
         "198.51.100.80", "mail.lists.example", "<bounces@lists.example>",
         list_forward(d)),
    ]


def run(port, d):
    for n, (title, ip, helo, mfrom, raw) in enumerate(cases(d), 1):
        c = MilterClient(port=int(port))
        c.negotiate()
        state = c.connect(helo, ip, macros={"j": "mx.demo.example"})
        print("=== %d. %s" % (n, title))
        print("    client %s  HELO %s  MAIL FROM %s" % (ip, helo, mfrom))
        if state == "accept":
            print("    -> accepted at connect, no checks, no header")
            c.close()
            continue
        c.helo(helo)
        r = c.message(mfrom, ["<bob@mx.demo.example>"], raw,
                      macros={"i": "DEMO%04d" % n})
        for idx, name, value in r.changed:
            if value == "":
                print("    removed  %s #%d (claims our authserv-id)"
                      % (name, idx))
        for idx, name, value in r.inserted:
            print("    inserted at %d: %s:%s" % (idx, name,
                  value.replace("\n", "\n        ")))
        action = "accept" if r.action == "continue" else r.action
        if r.quarantine:
            action = "quarantine (%s)" % r.quarantine
        print("    action: %s%s" % (action,
              " (%s)" % r.reply if r.reply else ""))
        c.close()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("conf", "run"):
        sys.exit(__doc__)
    (write_conf if sys.argv[1] == "conf" else run)(sys.argv[2], sys.argv[3])
