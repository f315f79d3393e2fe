#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""BIMI at the receiver (issue 18), end to end on loopback.

The suite makes its own PKI with python3-cryptography (a web CA for the
HTTPS server, a mark CA for bimi.trust_store, a rogue one), mark
certificates with the RFC 3709 logotype extension, and serves logos and
certificates from an HTTPS server on 127.0.0.1; a second server accepts
connections and never answers (the hanging logo host). DNS comes from
dns.local_data. Messages go through authmilter-check (one process, one
fresh cache, per case) and, for the milter edits and the cache, through
the daemon over the milter protocol.

    /usr/bin/python3 test/bimi/run_bimi.py [-v] [-k] [--only NAME]

Ends with "bimi: N passed, N failed".
"""

import base64
import gzip
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
import testlib  # noqa: E402

try:
    import bimilib
    import dkim
except ImportError as e:
    testlib.use_system_python(__file__, e.name,
                              "python3-cryptography python3-dkim")
from milterclient import MilterClient  # noqa: E402

CHECK = testlib.program("authmilter-check")
DAEMON = testlib.program("authmilter")
GOOD_IP = "192.0.2.10"
BAD_IP = "198.51.100.7"
SVG = bimilib.SVG
SCRIPT_SVG = SVG.replace(b"</svg>", b"<script>alert(1)</script></svg>")
EXTREF_SVG = SVG.replace(b'version="1.2"', b'xmlns:xlink="http://www.w3.org/'
                         b'1999/xlink" version="1.2"').replace(
    b"</svg>", b'<use xlink:href="https://evil.example/x.svg#a"/></svg>')
OTHER_SVG = SVG.replace(b"#1a5fb4", b"#e01b24")
# valid SVG Tiny PS, but over the 32 KB a logo may have (BIMI_SVG_MAX)
BIG_SVG = SVG.replace(b"</svg>", b"<!-- " + b"x" * 33000 + b" --></svg>")

passed = failed = 0
VERBOSE = "-v" in sys.argv
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv \
    else None


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def domain_data(d, p="reject", extra=""):
    """SPF that passes GOOD_IP and a DMARC record for D."""
    return ['%s. 300 IN TXT "v=spf1 ip4:%s -all"' % (d, GOOD_IP),
            '_dmarc.%s. 300 IN TXT "v=DMARC1; p=%s%s"' % (d, p, extra)]


class World(object):
    """The PKI, the servers, the documents and the DNS data."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.pki = bimilib.PKI(tmp)
        cert, key = self.pki.server_cert(["logo.example"])
        self.web = bimilib.HTTPSServer(cert, key)
        rcert, rkey = self.pki.server_cert(["tlsbad.example"],
                                           ca=self.pki.rogue)
        self.rogue_web = bimilib.HTTPSServer(rcert, rkey)
        self.hang = bimilib.HangServer()
        self.data = ["logo.example. 300 IN A 127.0.0.1",
                     "tlsbad.example. 300 IN A 127.0.0.1",
                     "hang.example. 300 IN A 127.0.0.1"]
        self.dkim_key = None

    def url(self, path, host="logo.example"):
        port = {"logo.example": self.web.port,
                "tlsbad.example": self.rogue_web.port,
                "hang.example": self.hang.port}[host]
        return "https://%s:%d%s" % (host, port, path)

    def record(self, d, l, a, selector="default"):
        self.data.append('%s._bimi.%s. 300 IN TXT "v=BIMI1; l=%s; a=%s"'
                         % (selector, d, l, a))

    def brand(self, d, svg=SVG, cert=None, l=True, a=True, p="reject",
              extra="", headers=None):
        """D with SPF, DMARC and a BIMI record whose l= and a= the web
        server serves (the certificate made for svg unless given)."""
        self.data += domain_data(d, p, extra)
        lurl = self.url("/%s.svg" % d) if l else ""
        aurl = self.url("/%s.pem" % d) if a else ""
        if l:
            self.web.route("/%s.svg" % d, svg, headers)
        if a:
            self.web.route("/%s.pem" % d, cert if cert is not None else
                           self.pki.mark_cert(d, svg), headers)
        self.record(d, lurl, aurl)

    def stop(self):
        self.web.stop()
        self.rogue_web.stop()
        self.hang.stop()


def config(world, path, bimi=None, extra=None):
    """A configuration with BIMI on and fetching, DNS from local data."""
    b = {"enabled": True, "fetch": True,
         "trust_store": world.pki.mark_roots,
         "https_ca_file": world.pki.web_roots, "timeout": 3}
    b.update(bimi or {})
    parts = [{"authserv_id": "mx.bimi.example",
              "dns": {"local_zones": ["example. static"],
                      "local_data": world.data},
              "bimi": b, "reports": {"spool_dir": world.tmp}}]
    if extra:
        parts.append(extra)
    return testlib.write_config(path, *parts)


def message(frm, extra=b"", sign_selector=None, key=None):
    """A message from FRM; with SIGN_SELECTOR, a BIMI-Selector field
    and a DKIM signature (d= FRM's domain, s=sel) that covers it."""
    msg = (b"From: <" + frm.encode() + b">\r\nTo: <x@rcpt.example>\r\n"
           b"Subject: logo\r\nDate: Thu, 01 Jan 2037 00:00:00 +0000\r\n"
           b"Message-ID: <" + frm.encode() + b".1@host>\r\n" + extra)
    if sign_selector is not None:
        msg += b"BIMI-Selector: v=BIMI1; s=" + sign_selector.encode() + \
            b"\r\n"
    msg += b"\r\nhello\r\n"
    if key is not None:
        d = frm.split("@")[1].encode()
        msg = dkim.sign(msg, b"sel", d, key, include_headers=[
            b"from", b"to", b"subject", b"bimi-selector"],
            canonicalize=(b"relaxed", b"relaxed")) + msg
    return msg


def fields(out):
    """authmilter-check's printed fields: [(name, value)], unfolded."""
    got = []
    for line in out.splitlines():
        if line.startswith("\t") and got:
            got[-1] = (got[-1][0], got[-1][1] + "\n" + line)
        elif ": " in line and not line.startswith("#"):
            k, v = line.split(": ", 1)
            got.append((k, v))
    return got


def bimi_clause(out):
    """The bimi= clause of the A-R, unfolded, or ''."""
    for k, v in fields(out):
        if k == "Authentication-Results":
            m = re.search(r"bimi=[^;]*", " ".join(v.split()))
            return m.group(0) if m else ""
    return ""


def run_check(conf, msg, ip=GOOD_IP, frm=None, json=False):
    """(stdout, seconds) of authmilter-check on MSG."""
    with tempfile.NamedTemporaryFile(suffix=".eml") as f:
        f.write(msg)
        f.flush()
        cmd = [CHECK, "-c", conf, "--client-ip", ip, "--helo",
               "mail.sender.example", "--mail-from", frm or "a@x.example"]
        if json:
            cmd.append("--json")
        rc, out, err, problem, secs = testlib.run_timed(cmd + [f.name], 120)
    out = out.decode("utf-8", "replace")
    if VERBOSE:
        print(out, err.decode("utf-8", "replace"))
    if rc != 0:
        out += "\n# exit %s %s %s" % (rc, problem, err)
    return out, secs


def one(world, conf, d, local="a", **kw):
    frm = "%s@%s" % (local, d)
    return run_check(conf, message(frm, **{k: v for k, v in kw.items()
                                           if k in ("extra",)}), frm=frm)[0]


def indicator(out):
    for k, v in fields(out):
        if k == "BIMI-Indicator":
            return base64.b64decode("".join(v.split()))
    return None


def location(out):
    for k, v in fields(out):
        if k == "BIMI-Location":
            return " ".join(v.split())
    return None


def setup_cases(w):
    """Every case's domain, documents and records."""
    w.brand("pass.example")
    w.brand("evonly.example", l=False)
    w.brand("script.example", svg=SCRIPT_SVG)
    w.brand("extref.example", svg=EXTREF_SVG)
    # the certificate carries another logo than the one at l=
    w.brand("hash.example", cert=w.pki.mark_cert("hash.example", OTHER_SVG))
    # a certificate whose own hash is not of its own image
    w.brand("selfhash.example", cert=w.pki.mark_cert(
        "selfhash.example", SVG, hashed=OTHER_SVG))
    w.brand("expired.example", cert=w.pki.mark_cert(
        "expired.example", SVG, days=(-60, -1)))
    w.brand("mismatch.example", cert=w.pki.mark_cert(
        "mismatch.example", SVG, names=["other.example"]))
    w.brand("rogue.example", cert=w.pki.mark_cert(
        "rogue.example", SVG, ca=w.pki.rogue))
    w.brand("noeku.example", cert=w.pki.mark_cert(
        "noeku.example", SVG, eku=False))
    w.brand("noevid.example", a=False)
    w.brand("weak.example", p="none")
    w.brand("testing.example", extra="; t=y")
    w.brand("quar.example", p="quarantine")
    w.brand("big.example", svg=BIG_SVG,
            cert=w.pki.mark_cert("big.example", SVG))
    w.brand("svgz.example", svg=gzip.compress(SVG),
            cert=w.pki.mark_cert("svgz.example", SVG))
    w.data += domain_data("declined.example")
    w.record("declined.example", "", "")
    w.data += domain_data("none.example")
    # the organizational domain's record for a subdomain author
    w.data += ['mail.org.example. 300 IN TXT "v=spf1 ip4:%s -all"' % GOOD_IP,
               '_dmarc.org.example. 300 IN TXT "v=DMARC1; p=reject"']
    w.web.route("/org.svg", SVG)
    w.web.route("/org.pem", w.pki.mark_cert("org.example", SVG))
    w.record("org.example", w.url("/org.svg"), w.url("/org.pem"))
    w.data += domain_data("missing.example")
    w.web.route("/missing.pem", w.pki.mark_cert("missing.example", SVG))
    w.record("missing.example", w.url("/nothing-here.svg"),
             w.url("/missing.pem"))
    # the logo's host has a certificate no root of https_ca_file signed
    w.data += domain_data("tlsbad.example")
    w.web.route("/tlsbad.pem", w.pki.mark_cert("tlsbad.example", SVG))
    w.record("tlsbad.example", w.url("/x.svg", "tlsbad.example"),
             w.url("/tlsbad.pem"))
    w.rogue_web.route("/x.svg", SVG)
    w.data += domain_data("hang.example")
    w.record("hang.example", w.url("/x.svg"), w.url("/x.pem",
                                                    "hang.example"))


def case_results(w, conf):
    """Each domain through authmilter-check: the bimi= clause and the
    fields it adds."""
    out = one(w, conf, "pass.example")
    cl = bimi_clause(out)
    check("b-pass", cl.startswith("bimi=pass header.d=pass.example "
                                  "header.selector=default "
                                  "policy.authority=pass "
                                  'policy.authority-uri="https://'), cl)
    check("b-pass-indicator", indicator(out) == SVG, out)
    loc = location(out) or ""
    check("b-pass-location", loc == "v=BIMI1; l=%s; a=%s" % (
        w.url("/pass.example.svg"), w.url("/pass.example.pem")), loc)
    out = one(w, conf, "evonly.example")
    check("b-evidence-only", bimi_clause(out).startswith(
        "bimi=pass header.d=evonly.example") and indicator(out) == SVG and
        "l=" not in (location(out) or "l="), out)
    for d, why in (("script", "script"), ("extref", "outside the document"),
                   ("hash", "hash differs"),
                   ("selfhash", "hash differs"),
                   ("expired", "certificate has expired"),
                   ("mismatch", "does not name"),
                   ("rogue", "local issuer"),
                   ("noeku", "extended key usage"),
                   ("noevid", "no evidence document"),
                   ("missing", "HTTP status 404"),
                   ("big", "larger than 32768 bytes"),
                   ("tlsbad", "SSL")):
        out = one(w, conf, d + ".example")
        cl = bimi_clause(out)
        check("b-fail-" + d, cl.startswith("bimi=fail") and why in cl and
              location(out) is None and indicator(out) is None, cl or out)
    for d in ("hash", "expired", "mismatch", "rogue", "noeku"):
        cl = bimi_clause(one(w, conf, d + ".example"))
        check("b-authority-fail-" + d, "policy.authority=fail" in cl, cl)
    out = one(w, conf, "declined.example")
    check("b-declined", bimi_clause(out).startswith(
        "bimi=declined (declination to publish) header.d=declined.example")
        and location(out) is None, out)
    out = one(w, conf, "none.example")
    check("b-none", bimi_clause(out).startswith("bimi=none (no BIMI record")
          and location(out) is None, out)
    out = run_check(conf, message("a@mail.org.example"),
                    frm="a@mail.org.example")[0]
    check("b-org-fallback", bimi_clause(out).startswith(
        "bimi=pass header.d=org.example"), bimi_clause(out) or out)
    out = one(w, conf, "quar.example")
    check("b-quarantine-enforces", bimi_clause(out).startswith("bimi=pass"),
          bimi_clause(out))
    out = one(w, conf, "svgz.example")
    check("b-svgz", bimi_clause(out).startswith("bimi=pass") and
          indicator(out) == SVG, bimi_clause(out))


def case_skipped(w, conf):
    """DMARC not at enforcement, or not passing: no BIMI, no fetch."""
    before = w.web.total()
    for d, why in (("weak", "p=none"), ("testing", "t=y")):
        frm = "a@%s.example" % d
        out = run_check(conf, message(frm), frm=frm)[0]
        js = testlib.json_object(run_check(conf, message(frm), frm=frm,
                                           json=True)[0].encode()) or {}
        b = js.get("bimi") or {}
        check("b-skip-" + d, bimi_clause(out) == "" and location(out) is None
              and b.get("result") == "skipped" and why in (b.get("reason")
                                                           or ""),
              "%s %s" % (bimi_clause(out), b))
    frm = "a@pass.example"
    out = run_check(conf, message(frm), ip=BAD_IP, frm=frm)[0]
    check("b-skip-dmarc-fail", "action: reject" in out and
          bimi_clause(out) == "" and location(out) is None, out)
    check("b-skip-no-fetch", w.web.total() == before,
          "%d requests" % (w.web.total() - before))


def case_forged(w, conf):
    """BIMI fields that came with the message are removed, whatever the
    result; ours replace them."""
    forged = (b"BIMI-Location: v=BIMI1; l=https://evil.example/x.svg\r\n"
              b"BIMI-Indicator: PHN2Zz48L3N2Zz4=\r\n"
              b"BIMI-Location: v=BIMI1; l=https://evil.example/y.svg\r\n")
    frm = "a@pass.example"
    out = run_check(conf, message(frm, extra=forged), frm=frm)[0]
    check("b-forged-removed", "# would remove BIMI-Location #2" in out and
          "# would remove BIMI-Location #1" in out and
          "# would remove BIMI-Indicator #1" in out and
          out.index("BIMI-Location #2") < out.index("BIMI-Location #1") and
          "evil" not in (location(out) or "evil"), out)
    out = run_check(conf, message(frm, extra=forged), ip=BAD_IP, frm=frm)[0]
    check("b-forged-removed-on-fail", "# would remove BIMI-Location #1" in
          out and "# would remove BIMI-Indicator #1" in out and
          location(out) is None, out)
    # a trusted_networks host is our own site: its fields stay, as its
    # A-R do (127.0.0.1 is in the default list)
    out = run_check(conf, message(frm, extra=forged), ip="127.0.0.1",
                    frm=frm)[0]
    check("b-forged-kept-from-trusted", "# exit" not in out and
          "would remove" not in out, out)


def case_gateway(w, conf_path):
    """A trusted gateway whose A-R decide (policy.trusted_authserv_ids)
    relays mail from outside: BIMI fields it brings go, ours are added;
    without its A-R the trusted host's fields stay."""
    gw_ip, gw_id = "192.0.2.200", "gw.bimi.example"
    conf = config(w, conf_path, extra={"policy": {
        "trusted_networks": [gw_ip + "/32"],
        "trusted_authserv_ids": [gw_id]}})
    forged = b"BIMI-Location: v=BIMI1; l=https://evil.example/x.svg\r\n"
    ar = ("Authentication-Results: %s; spf=pass smtp.mailfrom=a@pass.example"
          "\r\n" % gw_id).encode()
    frm = "a@pass.example"
    out = run_check(conf, message(frm, extra=ar + forged), ip=gw_ip,
                    frm=frm)[0]
    check("b-gateway-forged-removed", "# would remove BIMI-Location #1" in
          out and bimi_clause(out).startswith("bimi=pass") and
          "evil" not in (location(out) or "evil"), out)
    out = run_check(conf, message(frm, extra=forged), ip=gw_ip, frm=frm)[0]
    check("b-gateway-unchecked-kept", "# exit" not in out and
          "would remove" not in out and location(out) is None, out)


def case_selector(w, conf_path):
    """A BIMI-Selector covered by the aligned DKIM signature picks the
    record; an unsigned one is ignored."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv = key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
    pub = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    rec = "v=DKIM1; k=rsa; p=" + pub
    w.data.append("sel._domainkey.sel.example. 300 IN TXT %s" % " ".join(
        '"%s"' % rec[i:i + 200] for i in range(0, len(rec), 200)))
    w.data += domain_data("sel.example")
    w.record("sel.example", "", "")            # default: declined
    w.web.route("/sel.svg", SVG)
    w.web.route("/sel.pem", w.pki.mark_cert("sel.example", SVG))
    w.record("sel.example", w.url("/sel.svg"), w.url("/sel.pem"),
             selector="brand")
    conf = config(w, conf_path)
    frm = "a@sel.example"
    out = run_check(conf, message(frm, sign_selector="brand", key=priv),
                    frm=frm)[0]
    check("b-selector-signed", bimi_clause(out).startswith(
        "bimi=pass header.d=sel.example header.selector=brand"),
        bimi_clause(out) or out)
    out = run_check(conf, message(frm, sign_selector="brand"), frm=frm)[0]
    check("b-selector-unsigned", bimi_clause(out).startswith(
        "bimi=declined") and "header.selector=default" in
        bimi_clause(out), bimi_clause(out) or out)


def case_hang(w, conf_path):
    """A logo host that never answers: bimi=temperror by bimi.timeout,
    or by the message's budget when that is shorter; the verdict comes."""
    conf = config(w, conf_path, {"timeout": 2})
    frm = "a@hang.example"
    out, secs = run_check(conf, message(frm), frm=frm)
    cl = bimi_clause(out)
    check("b-hang-temperror", cl.startswith("bimi=temperror") and
          "action: accept" in out and location(out) is None, cl or out)
    check("b-hang-bounded", 1.5 < secs < 6, "%.1f s" % secs)
    conf = config(w, conf_path, {"timeout": 60}, {"limits": {"dns_time": 2}})
    out, secs = run_check(conf, message(frm), frm=frm)
    check("b-hang-budget", bimi_clause(out).startswith("bimi=temperror") and
          secs < 6, "%.1f s %s" % (secs, bimi_clause(out)))
    check("b-hang-connected", w.hang.accepted() >= 1,
          "no connection reached the hanging host")


def case_fetch_off(w, conf_path):
    """bimi.fetch off: the record only, BIMI-Location with l= alone."""
    conf = config(w, conf_path, {"fetch": False})
    before = w.web.total()
    frm = "a@pass.example"
    out = run_check(conf, message(frm), frm=frm)[0]
    check("b-fetch-off", bimi_clause(out).startswith(
        "bimi=pass header.d=pass.example header.selector=default "
        "policy.authority=none") and location(out) == "v=BIMI1; l=%s" %
        w.url("/pass.example.svg") and indicator(out) is None and
        w.web.total() == before, "%s | %s" % (bimi_clause(out), out))
    conf = config(w, conf_path, {"require_evidence": False})
    out = one(w, conf, "noevid.example")
    check("b-no-evidence-allowed", bimi_clause(out).startswith(
        "bimi=pass header.d=noevid.example header.selector=default "
        "policy.authority=none") and indicator(out) == SVG,
        bimi_clause(out) or out)


def case_daemon(w, conf_path):
    """Through the daemon: the milter edits, and the cache by URL with
    the response's Cache-Control."""
    w.brand("cached.example", headers={"Cache-Control": "max-age=600"})
    w.brand("nostore.example", headers={"Cache-Control": "no-store"})
    port = testlib.free_port()
    conf = config(w, conf_path, None, {
        "milter": {"socket": "inet:%d@127.0.0.1" % port},
        "policy": {"trusted_networks": []}})
    log = os.path.join(w.tmp, "daemon.log")
    d = testlib.Daemon(DAEMON, conf, log)
    try:
        if not d.wait_up():
            check("b-daemon-up", False, d.text()[-2000:])
            return
        c = MilterClient("127.0.0.1", port)
        c.negotiate()
        c.connect("mail.sender.example", GOOD_IP)
        c.helo("mail.sender.example")
        forged = b"BIMI-Indicator: PHN2Zz48L3N2Zz4=\r\n"
        r = c.message("<a@cached.example>", ["<x@rcpt.example>"],
                      message("a@cached.example", extra=forged))
        ins = {n: v for _, n, v in r.inserted}
        dels = [(i, n) for i, n, v in r.changed if not v]
        check("b-daemon-edits", dels == [(1, "BIMI-Indicator")] and
              base64.b64decode("".join(ins.get("BIMI-Indicator", "").split()))
              == SVG and "BIMI-Location" in ins and "bimi=pass" in
              ins.get("Authentication-Results", ""),
              "%r %r" % (r.changed, list(ins)))
        for i in range(2):
            c.message("<a@cached.example>", ["<x@rcpt.example>"],
                      message("a@cached.example"))
            c.message("<a@nostore.example>", ["<x@rcpt.example>"],
                      message("a@nostore.example"))
        c.close()
        check("b-cache-max-age", w.web.hits("/cached.example.svg") == 1 and
              w.web.hits("/cached.example.pem") == 1,
              "svg %d pem %d" % (w.web.hits("/cached.example.svg"),
                                 w.web.hits("/cached.example.pem")))
        check("b-cache-no-store", w.web.hits("/nostore.example.svg") == 2,
              "svg %d" % w.web.hits("/nostore.example.svg"))
        check("b-daemon-verdict-line", " bimi=pass " in d.text(),
              d.text()[-1000:])
    finally:
        d.stop()


def main():
    keep = "-k" in sys.argv
    tmp = tempfile.mkdtemp(prefix="authmilter-bimi.")
    os.chmod(tmp, 0o755)
    w = World(tmp)
    try:
        setup_cases(w)
        conf_path = os.path.join(tmp, "bimi.conf")
        steps = [("results", lambda: case_results(w, config(w, conf_path))),
                 ("skipped", lambda: case_skipped(w, config(w, conf_path))),
                 ("forged", lambda: case_forged(w, config(w, conf_path))),
                 ("gateway", lambda: case_gateway(w, conf_path)),
                 ("selector", lambda: case_selector(w, conf_path)),
                 ("hang", lambda: case_hang(w, conf_path)),
                 ("fetch-off", lambda: case_fetch_off(w, conf_path)),
                 ("daemon", lambda: case_daemon(w, conf_path))]
        for name, fn in steps:
            if ONLY is None or ONLY == name:
                fn()
    finally:
        w.stop()
        testlib.remove_tmp(tmp, keep)
    print("bimi: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
