#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""domain: authmilter-check --domain on fixture domains.

Each area's pass, warn and fail findings on domains whose records come
from dns.local_data (SPF include trees, limits, DKIM keys of every size,
DMARC policies and report destinations, BIMI, MX, MTA-STS, TLS-RPT, an
insecure TLSA), and from a zone signed at test time and served by nsd
with its own trust anchor (DNSSEC status, DANE TLSA per MX, a domain
where everything passes); --fetch against an HTTPS server on 127.0.0.1
with a certificate from a CA made here (--ca-file). The exit status is
0, 1 or 2 for all-pass, warnings, failures; --json parses.

    /usr/bin/python3 test/check/test_domain.py [-v]
"""

import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))

import testlib  # noqa: E402
from signedzone import SignedZone, SignedZoneError  # noqa: E402

CHECK = os.environ.get("AUTHMILTER_CHECK",
                       os.path.join(TOP, "check", "authmilter-check"))
VERBOSE = "-v" in sys.argv
passed = failed = skipped = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def skip(name, why):
    global skipped
    skipped += 1
    print("SKIP %s: %s" % (name, why))


def sh(argv, cwd):
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True,
                   timeout=60)


def rsa_pub(tmp, bits):
    """base64 SubjectPublicKeyInfo of a new RSA key (openssl)"""
    key = os.path.join(tmp, "k%d.pem" % bits)
    sh(["openssl", "genrsa", "-out", key, str(bits)], tmp)
    der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout",
                          "-outform", "DER"], capture_output=True,
                         check=True, timeout=60).stdout
    return base64.b64encode(der).decode()


def ed_pub(tmp):
    key = os.path.join(tmp, "ed.pem")
    sh(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], tmp)
    der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout",
                          "-outform", "DER"], capture_output=True,
                         check=True, timeout=60).stdout
    return base64.b64encode(der[-32:]).decode()


def txt(value):
    parts = [value[i:i + 200] for i in range(0, len(value), 200)] or [""]
    return " ".join(testlib.quote(p) for p in parts)


def rec(name, rtype, data):
    return "%s. 300 IN %s %s" % (name, rtype, txt(data) if rtype == "TXT"
                                 else data)


def run(conf, domain, extra=()):
    with tempfile.TemporaryDirectory() as d:
        cpath = os.path.join(d, "c.conf")
        with open(cpath, "w") as f:
            f.write(conf)
        p = subprocess.run([CHECK, "-c", cpath, "--domain", domain, "--json"]
                           + list(extra), capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    if VERBOSE:
        print(out, p.stderr.decode("utf-8", "replace"))
    try:
        return p.returncode, json.loads(out)
    except ValueError:
        return p.returncode, {"checks": [], "_raw": out}


def find(j, area, level, text):
    return [c for c in j.get("checks", []) if c["area"] == area and
            c["level"] == level and text in c["text"] and
            (level == "pass") == (c["fix"] is None)]


def expect(conf, domain, wants, status=None, extra=()):
    rc, j = run(conf, domain, extra)
    for area, level, text in wants:
        check("%s: %s %s '%s'" % (domain, level, area, text),
              find(j, area, level, text), j.get("checks") or j)
    if status is not None:
        names = {0: "pass", 1: "warn", 2: "fail"}
        check("%s: exit %d, result %s" % (domain, status, names[status]),
              rc == status and j.get("result") == names[status] and
              j.get("counts", {}).get("fail", -1) == sum(
                  c["level"] == "fail" for c in j.get("checks", [])),
              (rc, j.get("result"), j.get("counts")))
    return j


# --- local data: every area's findings ------------------------------------

def local_records(tmp):
    p2048, p1024, p512 = rsa_pub(tmp, 2048), rsa_pub(tmp, 1024), \
        rsa_pub(tmp, 512)
    ed = ed_pub(tmp)
    r = []
    # good: a tree of two records, keys, DMARC with an authorized rua
    g = "good.posture.example"
    r += [rec(g, "TXT", "v=spf1 mx include:_spf.%s -all" % g),
          rec("_spf." + g, "TXT", "v=spf1 ip4:192.0.2.0/24 ~all"),
          rec(g, "MX", "10 mx1.%s." % g), rec("mx1." + g, "A", "192.0.2.25"),
          rec("k2048._domainkey." + g, "TXT", "v=DKIM1; k=rsa; p=" + p2048),
          rec("k1024._domainkey." + g, "TXT", "v=DKIM1; k=rsa; p=" + p1024),
          rec("k512._domainkey." + g, "TXT", "v=DKIM1; k=rsa; p=" + p512),
          rec("ked._domainkey." + g, "TXT", "v=DKIM1; k=ed25519; p=" + ed),
          rec("ktest._domainkey." + g, "TXT",
              "v=DKIM1; t=y; p=" + p2048),
          rec("krev._domainkey." + g, "TXT", "v=DKIM1; k=rsa; p="),
          rec("ksha1._domainkey." + g, "TXT",
              "v=DKIM1; h=sha1; p=" + p2048),
          rec("_dmarc." + g, "TXT", "v=DMARC1; p=reject; rua=mailto:d@%s,"
              "mailto:agg@reports.example" % g),
          rec("%s._report._dmarc.reports.example" % g, "TXT", "v=DMARC1"),
          rec("default._bimi." + g, "TXT", "v=BIMI1; l=https://%s/l.svg; "
              "a=https://%s/vmc.pem" % (g, g)),
          rec("_mta-sts." + g, "TXT", "v=STSv1; id=20240101"),
          rec("_smtp._tls." + g, "TXT", "v=TLSRPTv1; rua=mailto:t@" + g),
          rec("_25._tcp.mx1." + g, "TLSA", "3 1 1 " + "ab" * 32)]
    # warn: p=none, ?all, a wide range, no MTA-STS or TLS-RPT, BIMI lacks a=
    w = "warn.posture.example"
    r += [rec(w, "TXT", "v=spf1 ip4:10.0.0.0/12 ptr ?all"),
          rec(w, "MX", "10 mx1.%s." % w), rec("mx1." + w, "A", "192.0.2.26"),
          rec("_dmarc." + w, "TXT", "v=DMARC1; p=none; sp=none; t=y")]
    # BIMI without a= (a warning) and without enforcement (a failure)
    b = "bimi.posture.example"
    r += [rec("_dmarc." + b, "TXT", "v=DMARC1; p=none"),
          rec("default._bimi." + b, "TXT", "v=BIMI1; l=https://%s/l.svg"
              % b)]
    # fail: two SPF records, unauthorized rua, BIMI without enforcement
    f = "fail.posture.example"
    r += [rec(f, "TXT", "v=spf1 +all"), rec(f, "TXT", "v=spf1 -all"),
          rec("_dmarc." + f, "TXT", "v=DMARC1; p=quarantine; "
              "rua=mailto:x@elsewhere.example"),
          rec("default._bimi." + f, "TXT", "v=BIMI1; l=http://%s/l.svg; "
              "a=https://%s/vmc.pem" % (f, f)),
          rec(f, "MX", "10 nowhere.%s." % f),
          rec("_mta-sts." + f, "TXT", "v=STSv1; id=bad-id!"),
          rec("_smtp._tls." + f, "TXT", "v=TLSRPTv1; rua=ftp://x." + f)]
    # SPF limits: 11 includes; 3 void lookups; a loop; a syntax error
    lim = "limit.posture.example"
    r += [rec(lim, "TXT", "v=spf1 " + " ".join(
        "include:i%d.%s" % (i, lim) for i in range(11)) + " -all")]
    r += [rec("i%d.%s" % (i, lim), "TXT", "v=spf1 -all") for i in range(11)]
    v = "void.posture.example"
    r += [rec(v, "TXT", "v=spf1 a:n1.%s a:n2.%s a:n3.%s -all" % (v, v, v))]
    lp = "loop.posture.example"
    r += [rec(lp, "TXT", "v=spf1 include:b.%s -all" % lp),
          rec("b." + lp, "TXT", "v=spf1 include:%s -all" % lp)]
    sx = "syntax.posture.example"
    r += [rec(sx, "TXT", "v=spf1 ip4:192.0.2.300 -all"),
          rec(sx, "MX", "0 .")]
    return r


def local_cases(conf):
    g = "good.posture.example"
    sel = []
    for s in ("k2048", "k1024", "k512", "ked", "ktest", "krev", "ksha1",
              "gone"):
        sel += ["--selector", s]
    expect(conf, g, [
        ("spf", "pass", "record at %s: v=spf1 mx include" % g),
        ("spf", "pass", "include:_spf.%s -> _spf.%s: v=spf1" % (g, g)),
        ("spf", "pass", "2 of 10 DNS-querying terms, 0 of 2 void lookups"),
        ("dkim", "pass", "k2048._domainkey.%s: 2048-bit rsa key" % g),
        ("dkim", "warn", "k1024._domainkey.%s: 1024-bit rsa key" % g),
        ("dkim", "fail", "k512._domainkey.%s: 512-bit rsa key" % g),
        ("dkim", "pass", "ked._domainkey.%s: ed25519 key" % g),
        ("dkim", "warn", "ktest._domainkey.%s: t=y" % g),
        ("dkim", "warn", "krev._domainkey.%s: key revoked" % g),
        ("dkim", "fail", "ksha1._domainkey.%s: h=sha1" % g),
        ("dkim", "fail", "gone._domainkey.%s: no key record" % g),
        ("dmarc", "pass", "record at _dmarc.%s, the author domain: "
         "p=reject" % g),
        ("dmarc", "pass", "rua d@%s: same organization" % g),
        ("dmarc", "pass", "rua agg@reports.example: the external host "
         "authorizes it"),
        ("dmarc", "pass", "at enforcement: p=reject"),
        ("bimi", "pass", "record at default._bimi.%s" % g),
        ("mx", "pass", "MX 10 mx1.%s: 1 IPv4" % g),
        ("dnssec", "warn", "answers are not validated"),
        ("mta-sts", "pass", "record at _mta-sts.%s: id=20240101" % g),
        ("mta-sts", "pass", "policy file not fetched"),
        ("tls-rpt", "pass", "record at _smtp._tls.%s" % g),
    ], 2, sel)
    w = "warn.posture.example"
    expect(conf, w, [
        ("spf", "warn", "ip4:10.0.0.0/12 allows more than 65536"),
        ("spf", "warn", "ptr is slow"),
        ("spf", "warn", "?all gives neutral"),
        ("dkim", "warn", "no selector given"),
        ("dmarc", "warn", "p=none: monitoring only"),
        ("dmarc", "warn", "t=y"),
        ("dmarc", "warn", "no rua"),
        ("dmarc", "warn", "not ready for p=reject: missing a good DKIM "
         "key"),
        ("mta-sts", "warn", "_mta-sts.%s: NXDOMAIN" % w),
        ("tls-rpt", "warn", "no v=TLSRPTv1 record"),
    ], 1)
    expect(conf, "bimi.posture.example", [
        ("bimi", "warn", "no a= (evidence)"),
        ("bimi", "fail", "BIMI needs DMARC at enforcement")], 2)
    f = "fail.posture.example"
    expect(conf, f, [
        ("spf", "fail", "several SPF records"),
        ("dmarc", "warn", "p=quarantine"),
        ("dmarc", "fail", "rua x@elsewhere.example: "
         "%s._report._dmarc.elsewhere.example: NXDOMAIN" % f),
        ("bimi", "fail", "l= is not an https: URL"),
        ("mx", "fail", "MX 10 nowhere.%s: no address" % f),
        ("mta-sts", "fail", "bad or missing id="),
        ("tls-rpt", "fail", "rua ftp://x.%s: not mailto: or https:" % f),
    ], 2)
    expect(conf, "limit.posture.example", [
        ("spf", "fail", "11 of 10 DNS-querying terms")])
    expect(conf, "void.posture.example", [
        ("spf", "warn", "a:n3.void.posture.example finds nothing"),
        ("spf", "fail", "more than 2 void lookups")])
    expect(conf, "loop.posture.example", [
        ("spf", "fail", "loop.posture.example: include or redirect loop")])
    expect(conf, "syntax.posture.example", [
        ("spf", "fail", "bad address in 'ip4:192.0.2.300'"),
        ("mx", "pass", "null MX")])
    expect(conf, "none.posture.example", [
        ("spf", "fail", "none.posture.example: no SPF record"),
        ("dmarc", "fail", "no DMARC record in the tree walk from "
         "none.posture.example"),
        ("bimi", "pass", "(optional)"),
        ("mx", "warn", "no MX")], 2)


# --- a signed zone: DNSSEC, DANE, everything passing, --fetch -------------

def make_cert(tmp, host):
    """a CA and a certificate for host signed by it: (ca, cert, key)"""
    ca, cakey = os.path.join(tmp, "ca.pem"), os.path.join(tmp, "ca.key")
    crt, key = os.path.join(tmp, "srv.pem"), os.path.join(tmp, "srv.key")
    csr, ext = os.path.join(tmp, "srv.csr"), os.path.join(tmp, "ext.cnf")
    sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", cakey, "-out", ca, "-days", "2", "-subj",
        "/CN=authmilter test CA"], tmp)
    sh(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
        "-out", csr, "-subj", "/CN=" + host], tmp)
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:%s\n" % host)
    sh(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey,
        "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext], tmp)
    return ca, crt, key


class PolicyHandler(http.server.BaseHTTPRequestHandler):
    policy = b""

    def do_GET(self):
        if self.path != "/.well-known/mta-sts.txt":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.policy)))
        self.end_headers()
        self.wfile.write(self.policy)

    def log_message(self, *args):
        pass


def https_server(crt, key):
    """an HTTPS server on 127.0.0.1:443 (the port RFC 8461 fixes), or
    None when the port cannot be had"""
    try:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 443),
                                              PolicyHandler)
    except OSError:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def signed_records(tmp):
    s = "signed.example"
    p2048 = rsa_pub(tmp, 2048)
    return [
        rec(s, "TXT", "v=spf1 mx -all"),
        rec(s, "MX", "10 mx1.%s." % s), rec("mx1." + s, "A", "192.0.2.25"),
        rec(s, "MX", "20 mx2.%s." % s), rec("mx2." + s, "A", "192.0.2.26"),
        rec("_25._tcp.mx1." + s, "TLSA", "3 1 1 " + "ab" * 32),
        rec("_25._tcp.mx2." + s, "TLSA", "3 1 1 " + "cd" * 32),
        rec("s1._domainkey." + s, "TXT", "v=DKIM1; k=rsa; p=" + p2048),
        rec("_dmarc." + s, "TXT", "v=DMARC1; p=reject; rua=mailto:d@" + s),
        rec("default._bimi." + s, "TXT", "v=BIMI1; l=https://%s/l.svg; "
            "a=https://%s/vmc.pem" % (s, s)),
        rec("_mta-sts." + s, "TXT", "v=STSv1; id=1"),
        rec("mta-sts." + s, "A", "127.0.0.1"),
        rec("_smtp._tls." + s, "TXT", "v=TLSRPTv1; rua=mailto:t@" + s),
        # a signed zone without TLSA, and one with unusable TLSA
        rec("nodane." + s, "MX", "10 mx9.nodane.%s." % s),
        rec("mx9.nodane." + s, "A", "192.0.2.27"),
        rec("baddane." + s, "MX", "10 mx8.baddane.%s." % s),
        rec("mx8.baddane." + s, "A", "192.0.2.28"),
        rec("_25._tcp.mx8.baddane." + s, "TLSA", "1 1 1 " + "ab" * 16),
    ]


POLICIES = [
    (b"version: STSv1\nmode: enforce\nmx: mx1.signed.example\n"
     b"mx: *.signed.example\nmax_age: 604800\n", "pass",
     "policy: mode enforce, max_age 604800, 2 mx patterns"),
    (b"version: STSv1\nmode: testing\nmx: mx1.signed.example\n"
     b"max_age: 3600\n", "warn", "policy: mode testing"),
    (b"version: STSv1\nmode: testing\nmx: mx1.signed.example\n"
     b"max_age: 3600\n", "warn", "policy: max_age 3600"),
    (b"version: STSv1\nmode: testing\nmx: mx1.signed.example\n"
     b"max_age: 3600\n", "fail",
     "policy: MX host mx2.signed.example matches no mx: pattern"),
]


def fetch_cases(conf, tmp):
    ca, crt, key = make_cert(tmp, "mta-sts.signed.example")
    srv = https_server(crt, key)
    if srv is None:
        skip("--fetch", "127.0.0.1:443 is in use")
        return
    try:
        for body, level, text in POLICIES:
            PolicyHandler.policy = body
            expect(conf, "signed.example", [("mta-sts", level, text)],
                   extra=["--fetch", "--ca-file", ca])
        PolicyHandler.policy = POLICIES[0][0]
        expect(conf, "signed.example", [
            ("mta-sts", "fail", "https://mta-sts.signed.example/"
             ".well-known/mta-sts.txt:")], extra=["--fetch"])
    finally:
        srv.shutdown()
        srv.server_close()


def signed_cases(tmp):
    try:
        z = SignedZone("signed.example", signed_records(tmp)).start()
    except SignedZoneError as e:
        check("signed zone served by nsd", False, str(e))
        return
    try:
        conf = ('dns = { nameservers = [ "127.0.0.1@%d" ]; timeout = 3;\n'
                '  dnssec = true; trust_anchor = "%s";\n'
                '  local_zones = [ "signed.example. transparent", '
                '"example. static" ];\n'
                '  local_data = [ %s ]; };\n' % (z.port, z.anchor,
                                                  testlib.quote(rec(
                                                      "insecure.example",
                                                      "MX",
                                                      "10 mx.insecure."
                                                      "example.")) + ", " +
                                                  testlib.quote(rec(
                                                      "mx.insecure."
                                                      "example", "A",
                                                      "192.0.2.29")) +
                                                  ", " + testlib.quote(rec(
                                                      "_25._tcp.mx."
                                                      "insecure.example",
                                                      "TLSA", "3 1 1 " +
                                                      "ef" * 32))))
        expect(conf, "signed.example", [
            ("spf", "pass", "v=spf1 mx -all (DNSSEC-secure)"),
            ("dkim", "pass", "2048-bit rsa key, DNSSEC-secure"),
            ("dmarc", "pass", "p=reject sp=reject adkim=r aspf=r "
             "(DNSSEC-secure)"),
            ("dnssec", "pass", "the zone is DNSSEC-signed"),
            ("dane", "pass", "_25._tcp.mx1.signed.example: 1 TLSA record, "
             "DNSSEC-secure"),
            ("dane", "pass", "_25._tcp.mx2.signed.example: 1 TLSA record, "
             "DNSSEC-secure")], 0, ["--selector", "s1"])
        rc, j = run(conf, "signed.example", ["--trace"])
        check("--domain --trace --json: the lookups with DNSSEC status",
              any(t["name"] == "_25._tcp.mx1.signed.example" and
                  t["type"] == "TLSA" and t["dnssec"] == "secure"
                  for t in j.get("trace", [])), j.get("trace"))
        expect(conf, "nodane.signed.example", [
            ("dane", "warn", "no TLSA record although the zone is "
             "signed")])
        expect(conf, "baddane.signed.example", [
            ("dane", "fail", "unusable TLSA record 1 1 1")])
        expect(conf, "insecure.example", [
            ("dnssec", "warn", "answers are not DNSSEC-secure"),
            ("dane", "fail", "_25._tcp.mx.insecure.example: 1 TLSA "
             "record, not DNSSEC-secure")])
        fetch_cases(conf, tmp)
    finally:
        z.stop()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        recs = local_records(tmp)
        conf = ('dns = { nameservers = [ "127.0.0.1@9" ]; timeout = 1;\n'
                '  dnssec = false; local_zones = [ "example. static" ];\n'
                '  local_data = [ %s ]; };\n'
                % ",\n    ".join(testlib.quote(r) for r in recs))
        local_cases(conf)
        signed_cases(tmp)
    print("domain: %d passed, %d failed, %d skipped" % (passed, failed,
                                                        skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
