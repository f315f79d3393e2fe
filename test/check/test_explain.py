#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""explain: every result says why, through the real resolver path.

authmilter-check on messages whose DNS comes from dns.local_data and from
a loopback DNS server this test starts (test/tools/testdns.py: SERVFAIL,
timeouts, PTR data), and from a DNSSEC-signed zone served by nsd with the
zone's own trust anchor (test/tools/signedzone.py: secure keys and
records, a bogus answer). Checked: the SPF term that matched or failed
with its include path, lookup and void counts, one spf clause per
identity; the DKIM step with the key size and the failing lookup; the
DMARC identifiers tried and where the record was found; iprev; x-tls;
Received-SPF; --trace (text and JSON); "DNSSEC-secure" and "DNSSEC
validation failed"; every header parses with python3-authres and with
check-cli's strict RFC 8601 reader and the DMARC suite's simple one.

    /usr/bin/python3 test/check/test_explain.py [-v]
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "test", "dmarc"))

import testlib  # noqa: E402
from testdns import TestDNSServer  # noqa: E402
from milterclient import MilterClient  # noqa: E402

try:
    import authres  # noqa: E402
    import dkim  # noqa: E402
    from cryptography.hazmat.primitives import serialization  # noqa: E402
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
except ImportError as e:
    testlib.use_system_python(__file__, e.name, "python3-authres "
                              "python3-dkim python3-cryptography")
from signedzone import SignedZone, SignedZoneError  # noqa: E402
from test_check import StrictAR  # noqa: E402
from run_daemon import parse_ar as simple_parse_ar  # noqa: E402

CHECK = os.environ.get("AUTHMILTER_CHECK",
                       os.path.join(TOP, "check", "authmilter-check"))
DAEMON = os.environ.get("AUTHMILTER",
                        os.path.join(TOP, "milter", "authmilter"))
VERBOSE = "-v" in sys.argv
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def rsa_key(bits):
    """(PEM private key, base64 SubjectPublicKeyInfo)"""
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    priv = k.private_bytes(serialization.Encoding.PEM,
                           serialization.PrivateFormat.TraditionalOpenSSL,
                           serialization.NoEncryption())
    pub = k.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, base64.b64encode(pub).decode()


def txt(value):
    """A TXT zone-file value split into 255-octet quoted strings."""
    parts = [value[i:i + 200] for i in range(0, len(value), 200)] or [""]
    return " ".join(testlib.quote(p) for p in parts)


def msg(author, sign=None, tamper=False):
    m = ("From: a@%s\r\nTo: b@rcpt.example\r\nSubject: explain\r\n"
         "Message-ID: <e1@%s>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
         "\r\nhello\r\n" % (author, author)).encode()
    if sign is not None:
        sel, dom, key = sign
        m = dkim.sign(m, sel.encode(), dom.encode(), key,
                      include_headers=[b"from", b"to", b"subject"]) + m
    if tamper:
        m = m.replace(b"hello", b"HELLO")
    return m


def run(conf, env, message, extra=()):
    with tempfile.TemporaryDirectory() as d:
        cpath = os.path.join(d, "c.conf")
        with open(cpath, "w") as f:
            f.write(conf)
        mpath = os.path.join(d, "m.eml")
        with open(mpath, "wb") as f:
            f.write(message)
        p = subprocess.run([CHECK, "-c", cpath] + list(env) + list(extra) +
                           [mpath], capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    if VERBOSE:
        print(out, p.stderr.decode("utf-8", "replace"))
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def jrun(conf, env, message, extra=()):
    rc, out, err = run(conf, env, message, ["--json"] + list(extra))
    try:
        return json.loads(out)
    except ValueError:
        return {"_raw": out + err}


def parses(label, value):
    """The A-R value parses with python3-authres, the strict reader and
    the DMARC suite's split-on-";" reader (which must still find dmarc)"""
    try:
        authres.AuthenticationResultsHeader.parse(
            "Authentication-Results: " + value)
        strict = StrictAR(value)
        simple = simple_parse_ar(value)
        ok = simple is not None and (simple["result"] is not None or
                                     "dmarc=" not in value)
        check(label + ": A-R parses (authres, strict, simple)", ok,
              "%r %r" % (value, simple))
        return strict
    except Exception as e:  # any parser's complaint is the finding
        check(label + ": A-R parses (authres, strict, simple)", False,
              "%s: %r" % (e, value))
        return None


def clauses(strict, method):
    return [r for r in (strict.results if strict else [])
            if r["method"] == method]


def unfold(value):
    return re.sub(r"\r?\n[ \t]+", " ", value or "")


# --- the zone without DNSSEC: local data, and testdns for failures -------

def plain_setup(port, k2048, k1024):
    local = [
        # SPF: a match two levels down, a missing include, a failing term
        "a.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 include:_spf.a.explain.example -all"),
        "_spf.a.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 ip4:198.51.100.0/24 include:_net.a.explain.example "
            "~all"),
        "_net.a.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 ip4:192.0.2.0/24 -all"),
        "b.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 include:_spf.b.explain.example -all"),
        "_spf.b.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 include:spf2.b.explain.example -all"),
        "v.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 a:n1.explain.example a:n2.explain.example "
            "a:n3.explain.example -all"),
        "mail.explain.example. 300 IN TXT %s" % txt(
            "v=spf1 ip4:192.0.2.0/24 -all"),
        # DKIM keys
        "s2048._domainkey.a.explain.example. 300 IN TXT %s" % txt(
            "v=DKIM1; k=rsa; p=" + k2048),
        "s1024._domainkey.a.explain.example. 300 IN TXT %s" % txt(
            "v=DKIM1; k=rsa; p=" + k1024),
        # DMARC: the author's own, and an organizational one
        "_dmarc.a.explain.example. 300 IN TXT \"v=DMARC1; p=reject\"",
        "_dmarc.explain.example. 300 IN TXT \"v=DMARC1; p=quarantine\"",
        "_dmarc.esp.example. 300 IN TXT \"v=DMARC1; p=none\"",
        "esp.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
    ]
    conf = ('authserv_id = "mx.explain.example";\n'
            'iprev = { enabled = true; };\n'
            'spf = { received_spf = true; };\n'
            'dkim = { min_key_bits = 2048; };\n'
            'dns = { nameservers = [ "127.0.0.1@%d" ]; timeout = 2;\n'
            '  dnssec = false;\n'
            '  local_zones = [ "explain.example. static", '
            '"esp.example. static" ];\n'
            '  local_data = [ %s ]; };\n'
            % (port, ",\n    ".join(testlib.quote(x) for x in local)))
    zone = {"names": {
        "srv.example.net": [{"type": "A", "data": "192.0.2.99"}],
        "slow.example.net": [{"type": "TIMEOUT"}],
        "s1._domainkey.slow.example.net": [{"type": "TIMEOUT"}],
        "_dmarc.slowdmarc.example.net": [{"type": "TIMEOUT"}],
        "t.example.net": [{"type": "TXT",
                           "data": "v=spf1 a:srv.example.net -all"}],
        "to.example.net": [{"type": "TXT",
                            "data": "v=spf1 a:slow.example.net -all"}],
        "7.2.0.192.in-addr.arpa": [{"type": "PTR",
                                    "data": "mail.rdns.example.net"}],
        "mail.rdns.example.net": [{"type": "A", "data": "192.0.2.7"}],
        "8.2.0.192.in-addr.arpa": [{"type": "PTR",
                                    "data": "liar.rdns.example.net"}],
        "liar.rdns.example.net": [{"type": "A", "data": "203.0.113.1"}],
    }, "servfail": ["srv.example.net", "s1._domainkey.sf.example.net",
                    "_dmarc.sf.example.net", "9.2.0.192.in-addr.arpa"]}
    return conf, zone


def env(ip, mailfrom, helo="mail.explain.example"):
    return ["--client-ip", ip, "--helo", helo, "--mail-from", mailfrom]


def spf_cases(conf):
    m = msg("a.explain.example")
    cases = [
        ("a.explain.example", "192.0.2.7", "pass",
         "ip4:192.0.2.0/24 matched in include:_spf.a.explain.example -> "
         "include:_net.a.explain.example", "(2 of 10 DNS lookups, 0 of 2 "
         "void)"),
        ("a.explain.example", "198.51.100.9", "pass",
         "ip4:198.51.100.0/24 matched in include:_spf.a.explain.example",
         None),
        ("a.explain.example", "203.0.113.9", "fail", "-all matched", None),
        ("b.explain.example", "192.0.2.7", "permerror",
         "include:_spf.b.explain.example -> include:spf2.b.explain.example:"
         " no SPF record, TXT spf2.b.explain.example: NXDOMAIN", None),
        ("v.explain.example", "192.0.2.7", "permerror",
         "a:n3.explain.example: more than 2 void lookups",
         "(3 of 10 DNS lookups, 3 of 2 void)"),
        ("t.example.net", "192.0.2.7", "temperror",
         "a:srv.example.net: A srv.example.net: SERVFAIL", None),
        ("to.example.net", "192.0.2.7", "temperror",
         "a:slow.example.net: A slow.example.net: timed out", None),
        ("none.explain.example", "192.0.2.7", "none",
         "no SPF record: TXT none.explain.example: NXDOMAIN", None),
    ]
    for dom, ip, want, note, counts in cases:
        j = jrun(conf, env(ip, "x@" + dom), m)
        spf = (j.get("spf") or {}).get("mailfrom") or {}
        reason = spf.get("reason") or ""
        label = "spf %s from %s" % (dom, ip)
        check(label + ": " + want, spf.get("result") == want, j)
        check(label + ": reason names the term and path",
              reason.startswith(note) and (counts is None or
                                           reason.endswith(counts)),
              reason)
        ar = unfold(j.get("authentication_results"))
        strict = parses(label, j.get("authentication_results") or "")
        mf = [c for c in clauses(strict, "spf")
              if "smtp.mailfrom" in c["props"]]
        helo = [c for c in clauses(strict, "spf")
                if "smtp.helo" in c["props"]]
        check(label + ": one spf clause per identity, the note in the "
              "comment", len(mf) == 1 and len(helo) == 1 and
              ("(%s)" % note) in ar, ar)


def dkim_cases(conf, k2048, k1024):
    slow_key = ("s1", "slow.example.net", k2048)
    cases = [
        ("good signature, 2048-bit rsa key", "pass",
         msg("a.explain.example", ("s2048", "a.explain.example", k2048))),
        ("body hash mismatch, 2048-bit rsa key", "fail",
         msg("a.explain.example", ("s2048", "a.explain.example", k2048),
             tamper=True)),
        ("key too small for dkim.min_key_bits 2048, 1024-bit rsa key",
         "policy",
         msg("a.explain.example", ("s1024", "a.explain.example", k1024))),
        ("key not found: TXT gone._domainkey.a.explain.example: NXDOMAIN",
         "permerror",
         msg("a.explain.example", ("gone", "a.explain.example", k2048))),
        ("key lookup failed: TXT s1._domainkey.sf.example.net: SERVFAIL",
         "temperror",
         msg("a.explain.example", ("s1", "sf.example.net", k2048))),
        ("key lookup failed: TXT s1._domainkey.slow.example.net: timed "
         "out", "temperror", msg("a.explain.example", slow_key)),
    ]
    for want, result, m in cases:
        j = jrun(conf, env("192.0.2.7", "x@a.explain.example"), m)
        sig = (j.get("dkim") or [{}])[0]
        check("dkim %s: %s" % (result, want), sig.get("result") == result
              and sig.get("reason") == want, sig)
        ar = unfold(j.get("authentication_results"))
        if result != "pass":
            check("dkim %s: the reason is the A-R comment" % result,
                  "dkim=%s (%s)" % (result, want) in ar, ar)
        parses("dkim " + result, j.get("authentication_results") or "")


def dmarc_cases(conf, k2048):
    j = jrun(conf, env("192.0.2.7", "bounce@esp.example"),
             msg("a.explain.example", ("s2048", "esp.example", k2048)))
    d = j.get("dmarc") or {}
    ids = [(i["method"], i["domain"], i["result"], i["aligned"])
           for i in d.get("identifiers", [])]
    check("dmarc fail: the identifiers tried, each with why",
          d.get("result") == "fail" and ids == [
              ("spf", "esp.example", "pass", False),
              ("dkim", "esp.example", "permerror", False)] and
          d.get("reason", "").startswith(
              "no aligned SPF or DKIM pass: spf=pass esp.example not "
              "aligned, another organizational domain, dkim=permerror "
              "esp.example not a pass"), d)
    ar = unfold(j.get("authentication_results"))
    check("dmarc fail: the comment has the identifiers after dis=",
          "dis=reject - no aligned SPF or DKIM pass: spf=pass esp.example"
          in ar, ar)
    simple = simple_parse_ar(j.get("authentication_results") or "")
    check("dmarc fail: the DMARC suite's reader still gets dis=reject",
          simple is not None and simple["comment"].get("dis") == "reject",
          simple)
    j = jrun(conf, env("192.0.2.7", "x@sub.explain.example"),
             msg("sub.explain.example"))
    d = j.get("dmarc") or {}
    check("dmarc: where the tree walk found the record",
          d.get("record_at") == "_dmarc.explain.example, the "
          "organizational domain, query 2 of the tree walk" and
          "record at _dmarc.explain.example, the organizational domain, "
          "query 2 of the tree walk" in unfold(
              j.get("authentication_results")), j)
    for dom, want in (("sf.example.net", "SERVFAIL"),
                      ("slowdmarc.example.net", "timed out")):
        j = jrun(conf, env("192.0.2.7", "x@" + dom), msg(dom))
        d = j.get("dmarc") or {}
        check("dmarc temperror names the lookup: " + want,
              d.get("result") == "temperror" and d.get("reason") ==
              "DNS failure during policy discovery: TXT _dmarc.%s: %s"
              % (dom, want), d)


def iprev_tls_cases(conf):
    m = msg("a.explain.example")
    for ip, want, why in (
            ("192.0.2.7", "pass", "mail.rdns.example.net"),
            ("192.0.2.8", "fail", "no name maps back to the address: "
             "liar.rdns.example.net"),
            ("192.0.2.9", "temperror", "PTR 9.2.0.192.in-addr.arpa: "
             "SERVFAIL"),
            ("192.0.2.10", "permerror", "no PTR record, PTR "
             "10.2.0.192.in-addr.arpa: NXDOMAIN")):
        j = jrun(conf, env(ip, "x@a.explain.example"), m)
        i = j.get("iprev") or {}
        strict = parses("iprev " + want, j.get("authentication_results")
                        or "")
        c = clauses(strict, "iprev")
        check("iprev %s: %s" % (want, why), i.get("result") == want and
              i.get("reason") == why and len(c) == 1 and
              c[0]["props"].get("policy.iprev") == ip, (i, c))
    j = jrun(conf, env("192.0.2.7", "x@a.explain.example"), m,
             ["--tls-version", "TLSv1.3", "--tls-cipher",
              "TLS_AES_256_GCM_SHA384", "--tls-bits", "256",
              "--tls-subject", "CN=mx.sender.example, O=Sender"])
    strict = parses("x-tls", j.get("authentication_results") or "")
    c = clauses(strict, "x-tls")
    check("x-tls=pass with the TLS macros", len(c) == 1 and
          c[0]["result"] == "pass" and c[0]["props"] == {
              "smtp.version": "TLSv1.3",
              "smtp.cipher": "TLS_AES_256_GCM_SHA384",
              "smtp.bits": "256",
              "smtp.cert-subject": "CN=mx.sender.example, O=Sender"}, c)
    j = jrun(conf, env("192.0.2.7", "x@a.explain.example"), m)
    check("no TLS macros, no x-tls", "x-tls" not in
          (j.get("authentication_results") or "x-tls"), j)


def received_spf_case(conf):
    rc, out, err = run(conf, env("192.0.2.7", "x@a.explain.example"),
                       msg("a.explain.example"))
    lines = [l for l in out.splitlines() if l.startswith("Received-SPF:")]
    check("Received-SPF: the reason, client, envelope, identity",
          lines == ["Received-SPF: pass (mx.explain.example: "
                    "ip4:192.0.2.0/24 matched in "
                    "include:_spf.a.explain.example -> "
                    "include:_net.a.explain.example) client-ip=192.0.2.7; "
                    "envelope-from=\"x@a.explain.example\"; "
                    "helo=mail.explain.example; "
                    "receiver=mx.explain.example; identity=mailfrom"],
          out)
    first = out.splitlines()[0] if out else ""
    check("Received-SPF below the A-R", first.startswith(
        "Authentication-Results:"), out)


def trace_cases(conf):
    rc, out, err = run(conf, env("192.0.2.7", "x@t.example.net"),
                       msg("a.explain.example"), ["--trace"])
    tr = [l for l in out.splitlines() if l.startswith("trace: ")]
    check("--trace: every lookup in order, numbered",
          [l.split()[1] for l in tr] == [str(i + 1) for i in
                                         range(len(tr))] and len(tr) >= 4,
          out)
    check("--trace: answer, TTL, DNSSEC status and time",
          any(re.match(r'trace: \d+ TXT t\.example\.net: 1 record, ttl '
                       r'300, insecure, [0-9.]+ ms(?: \(remembered\))?: '
                       r'"v=spf1 a:srv\.example\.net -all"$', l)
              for l in tr), tr)
    check("--trace: the failed lookup with its outcome",
          any(re.match(r"trace: \d+ A srv\.example\.net: SERVFAIL, ttl",
                       l) for l in tr), tr)
    j = jrun(conf, env("192.0.2.7", "x@t.example.net"),
             msg("a.explain.example"), ["--trace"])
    t = j.get("trace") or []
    check("--trace --json: objects with name, type, outcome, rcode, ttl, "
          "dnssec, ms, answers", len(t) == len(tr) and any(
              e["name"] == "srv.example.net" and e["type"] == "A" and
              e["outcome"] == "SERVFAIL" and e["rcode"] == "SERVFAIL"
              for e in t) and all(set(e) >= {
                  "name", "type", "outcome", "rcode", "ttl", "dnssec",
                  "ms", "remembered", "answers"} for e in t), t)


def plain():
    k2048, p2048 = rsa_key(2048)
    k1024, p1024 = rsa_key(1024)
    with TestDNSServer({"names": {}}) as srv:
        conf, zone = plain_setup(srv.port, p2048, p1024)
        srv.reload(zone)
        spf_cases(conf)
        dkim_cases(conf, k2048, k1024)
        dmarc_cases(conf, k2048)
        iprev_tls_cases(conf)
        received_spf_case(conf)
        trace_cases(conf)
        daemon_case(conf, k2048)


# --- the daemon: the MTA's TLS macros, the verdict line ---------------------

def daemon_case(conf, k2048):
    """The milter asks for the TLS macros at HELO and reports x-tls; the
    verdict line has helo, mailfrom, msgid and the DKIM selectors"""
    with tempfile.TemporaryDirectory() as d:
        port = testlib.free_port()
        cpath = os.path.join(d, "d.conf")
        with open(cpath, "w") as f:
            f.write(conf + 'milter = { socket = "inet:%d@127.0.0.1"; '
                    'user = "nobody"; };\npolicy = { trusted_networks = '
                    '[ ]; };\n' % port)
        os.chmod(cpath, 0o644)
        dm = testlib.Daemon(DAEMON, cpath, os.path.join(d, "log"))
        try:
            if not dm.wait_up():
                check("daemon starts", False, dm.text())
                return
            c = MilterClient(port=port)
            c.negotiate()
            c.connect("client.example", "192.0.2.7")
            c.macros("helo", {"{tls_version}": "TLSv1.3",
                              "{cipher}": "TLS_AES_128_GCM_SHA256",
                              "{cipher_bits}": "128"})
            c.helo("mail.explain.example")
            r = c.message("<x@a.explain.example>", ["<b@rcpt.example>"],
                          msg("a.explain.example",
                              ("s2048", "a.explain.example", k2048)),
                          macros={"i": "EXPL1"})
            c.close()
            ar = [v for _, n, v in r.inserted
                  if n == "Authentication-Results"]
            strict = parses("daemon", ar[0] if ar else "")
            tls = clauses(strict, "x-tls")
            check("daemon: x-tls from the HELO macros", len(tls) == 1 and
                  tls[0]["props"].get("smtp.version") == "TLSv1.3" and
                  tls[0]["props"].get("smtp.bits") == "128", ar)
            check("daemon: Received-SPF inserted too", any(
                n == "Received-SPF" for _, n, v in r.inserted), r.inserted)
            ok = testlib.wait_for(lambda: "EXPL1:" in dm.text(), secs=10)
            line = [l for l in dm.text().splitlines() if "EXPL1:" in l]
            check("daemon: the verdict line has helo, mailfrom, msgid, "
                  "dkim_selectors", ok and line and
                  "dkim_selectors=s2048" in line[0] and
                  "helo=mail.explain.example" in line[0] and
                  "mailfrom=a.explain.example" in line[0] and
                  "msgid=<e1@a.explain.example>" in line[0] and
                  "iprev=pass" in line[0], line)
        finally:
            dm.stop()


# --- DNSSEC: a signed zone and its trust anchor ---------------------------

def signed():
    key, pub = rsa_key(2048)
    recs = [
        'signed.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
        '_dmarc.signed.example. IN TXT "v=DMARC1; p=reject"',
        's1._domainkey.signed.example. IN TXT %s' % txt(
            "v=DKIM1; k=rsa; p=" + pub),
        'bogus.signed.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
        's2._domainkey.signed.example. IN TXT %s' % txt(
            "v=DKIM1; k=rsa; p=" + pub),
    ]
    try:
        z = SignedZone("signed.example", recs,
                       tamper=["bogus.signed.example.",
                               "s2._domainkey.signed.example."]).start()
    except SignedZoneError as e:
        check("signed zone served by nsd", False, str(e))
        return
    try:
        conf = ('authserv_id = "mx.explain.example";\n'
                'dns = { nameservers = [ "127.0.0.1@%d" ]; timeout = 3;\n'
                '  dnssec = true; trust_anchor = "%s";\n'
                '  local_zones = [ "signed.example. transparent", '
                '"example. static" ]; };\n' % (z.port, z.anchor))
        j = jrun(conf, env("192.0.2.7", "x@signed.example"),
                 msg("signed.example", ("s1", "signed.example", key)),
                 ["--trace"])
        ar = unfold(j.get("authentication_results"))
        parses("dnssec", j.get("authentication_results") or "")
        check("dnssec: a secure key is named in the A-R comment",
              "dkim=pass (DNSSEC-secure key)" in ar, ar)
        check("dnssec: a secure policy record is named in the comment",
              "- DNSSEC-secure record)" in ar and
              (j.get("dmarc") or {}).get("dnssec_secure") is True, ar)
        check("dnssec: --trace says secure", any(
            e["name"] == "s1._domainkey.signed.example" and
            e["dnssec"] == "secure" for e in j.get("trace") or []),
            j.get("trace"))
        j = jrun(conf, env("192.0.2.7", "x@bogus.signed.example"),
                 msg("signed.example", ("s2", "signed.example", key)))
        spf = (j.get("spf") or {}).get("mailfrom") or {}
        sig = (j.get("dkim") or [{}])[0]
        check("dnssec: a bogus SPF record is temperror, not data",
              spf.get("result") == "temperror" and spf.get(
                  "reason", "").startswith("TXT bogus.signed.example: "
                                           "DNSSEC validation failed"), spf)
        check("dnssec: a bogus key is a failed lookup",
              sig.get("result") == "temperror" and sig.get(
                  "reason", "").startswith(
                  "key lookup failed: TXT s2._domainkey.signed.example: "
                  "DNSSEC validation failed"), sig)
        parses("dnssec bogus", j.get("authentication_results") or "")
    finally:
        z.stop()


def main():
    plain()
    signed()
    print("explain: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
