#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DKIM signing of outbound mail through the real daemon (milter protocol).

Keys are made by authmilter-keygen (rsa-sha256 2048 bits, ed25519-sha256,
and an RSA 1024 key for a "*.example.org" line), published from what it
printed into dns.local_data, and the daemon signs with them.  Groups:

  keygen-*   authmilter-keygen: the key file is 0600 and belongs to the
             service user (-u nobody), the record it prints is the key's
             public half in strings of at most 255 bytes, an existing file
             is never replaced, bad arguments are usage errors.
  n-*        authmilter -n loads every key and prints the same records;
             a key others may read (0644, 0640), owned by another user or
             of the wrong algorithm is refused, as FILE:LINE: of the key
             table (signing.keys, arc.seal.keys) and the reason, and the
             daemon does not start with it.
  sign-*     messages pushed over the milter protocol as the MTA would
             (test/tools/milterclient.py) from a trusted client, an SMTP
             AUTH client ({auth_authen}), an inbound client: folded
             fields, 8-bit header and body, an empty body, trailing empty
             lines, a *.domain line, an unlisted author (unsigned, and the
             log says so), inbound mail (never signed).  The message is
             rebuilt as the MTA would pass it on and every signature must
             verify with dkimpy's dkimverify program, with mailauth (npm,
             when it is installed or can be installed under test/dmarc/.npm;
             otherwise SKIP) and with a second authmilter daemon receiving
             it (dkim=pass for each, dmarc=pass).  h= has every oversigned
             name once more than present, x= is t= + signing.expire, no l=.
  log-*, metrics-*  the verdict lines (signed=..., unsigned="...") and
             authmilter_signatures_total.
  reload-*   SIGUSR1 with a new key signs with it; a reload with a key
             others may read is refused and the old key keeps signing.
  seal-*     arc.seal.keys: a message for one.example is sealed with
             one.example's key, one for two.example with two.example's,
             recipients in both domains or an unlisted one with the
             default; an outbound message is signed and sealed, the seal
             covering the new DKIM-Signature.  Each set verifies with the
             ARC verifiers the ValiMail-suite runner uses (test/arc/arclib:
             dkimpy's arc_verify and our own check of the newest seal) and
             with authmilter-check.
  gateway-*  policy.trusted_authserv_ids with signing and sealing: a
             trusted gateway's message carrying its A-R is decided on
             those results and also signed (then sealed); a p=quarantine
             failure gets the Junk mark below our A-R; the delivered
             order is ARC set, DKIM-Signature, A-R, X-Authmilter-
             Quarantine, X-Spam-Flag, and the signatures and the seal
             verify on it; a refused one is not signed; an authenticated
             one and one without the gateway's A-R are signed, unchecked.

  run_daemon.py [-k SUBSTR]... [-v] [--keep DIR]

Ends with "sign-daemon: N passed, N failed".  Runs as root (the daemons
drop to user nobody).  Exit 1 if anything failed.
"""

import argparse
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "arc"))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, os.path.join(TOP, "test", "dmarc"))
sys.dont_write_bytecode = True

import arclib  # noqa: E402
from arclib import crlf  # noqa: E402
import testlib  # noqa: E402

def _load_arc_daemon():
    """test/arc/run_daemon.py (rebuild(), ar_value()), by its path: the
    name run_daemon is also this file's and test/dmarc's."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "arc_run_daemon", os.path.join(TOP, "test", "arc", "run_daemon.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


arc_daemon = _load_arc_daemon()

DAEMON = arclib.DAEMON
CHECK = arclib.CHECK
KEYGEN = os.environ.get("AUTHMILTER_KEYGEN",
                        os.path.join(TOP, "keygen", "authmilter-keygen"))
VERIFY = os.path.join(HERE, "dkimverify_local.py")
MAILAUTH_JS = os.path.join(HERE, "mailauth_dkim.js")
USER = "nobody"
TRUSTED_IP = "198.51.100.7"
AUTH_IP = "203.0.113.9"
INBOUND_IP = "192.0.2.44"
EXPIRE = 604800
OVERSIGN = ["from", "to", "cc", "subject", "date", "reply-to", "message-id",
            "mime-version", "content-type", "content-transfer-encoding"]


class Suite(object):
    """PASS/FAIL/SKIP lines and the counts."""

    def __init__(self, only, verbose):
        self.only, self.verbose = only, verbose
        self.passed = self.failed = 0

    def wanted(self, name):
        return not self.only or any(k in name for k in self.only)

    def check(self, name, ok, why="", ev=()):
        if not self.wanted(name):
            return ok
        if ok:
            self.passed += 1
            print("PASS %s" % name)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, why))
        if not ok or self.verbose:
            for x in ev:
                print("      " + str(x)[:500])
        sys.stdout.flush()
        return ok

    @staticmethod
    def skip(name, why):
        print("SKIP %s: %s" % (name, why))


# ---------------------------------------------------------------------------
# keys

class GenKey(object):
    """One key made by authmilter-keygen, and what it printed."""

    def __init__(self, tmp, alg, domain, selector, bits=None, sub="keys"):
        self.domain, self.selector = domain, selector
        self.alg = "ed25519-sha256" if alg == "ed25519" else "rsa-sha256"
        d = os.path.join(tmp, sub)
        os.makedirs(d, exist_ok=True)
        cmd = [KEYGEN, "-a", alg, "-d", domain, "-s", selector, "-D", d,
               "-u", USER]
        if bits:
            cmd += ["-b", str(bits)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr
        self.path = os.path.join(d, "%s.%s.key" % (domain, selector))
        self.name = "%s._domainkey.%s" % (selector, domain)
        m = re.search(r"^%s\. IN TXT (.*)$" % re.escape(self.name), self.out,
                      re.M)
        self.zone_line = m.group(0) if m else None
        self.strings = re.findall(r'"([^"]*)"', m.group(1)) if m else []
        self.record = "".join(self.strings)

    def line(self, pattern=None):
        return "%s %s %s %s" % (pattern or self.domain, self.selector,
                                self.alg, self.path)


def public_record(path):
    """The DKIM record of the private key in PATH, made by python3-
    cryptography (independent of authmilter)."""
    with open(path, "rb") as f:
        return arclib.key_from_pem(f.read()).record()


def keygen_checks(s, tmp, keys):
    for k in keys:
        st = os.stat(k.path)
        s.check("keygen-%s-writes" % k.selector, k.rc == 0 and
                os.path.isfile(k.path), "exit %s: %s" % (k.rc, k.err))
        s.check("keygen-%s-mode-owner" % k.selector,
                stat.S_IMODE(st.st_mode) == 0o600 and
                st.st_uid == int(subprocess.check_output(
                    ["id", "-u", USER]).strip()),
                "mode %o uid %d" % (stat.S_IMODE(st.st_mode), st.st_uid))
        s.check("keygen-%s-record" % k.selector, k.strings and
                all(0 < len(x.encode()) <= 255 for x in k.strings) and
                k.record == public_record(k.path),
                "strings %s, record %r, key's %r" % (
                    [len(x) for x in k.strings], k.record[:60],
                    public_record(k.path)[:60]), [k.out])
        s.check("keygen-%s-config-line" % k.selector,
                '"%s"' % k.line() in k.out, k.out)
    again = GenKey(tmp, "rsa", keys[0].domain, keys[0].selector)
    s.check("keygen-never-replaces", again.rc == 1 and
            "File exists" in again.err and
            public_record(keys[0].path) == keys[0].record,
            "exit %s: %s" % (again.rc, again.err))
    for args, why in ((["-a", "ed25519", "-b", "2048"], "-b with ed25519"),
                      (["-a", "dsa"], "-a dsa"), (["-b", "512"], "-b 512"),
                      (["-d", "bad domain"], "a bad domain"),
                      ([], "no -d")):
        cmd = [KEYGEN, "-s", "x", "-D", tmp] + args
        if "-d" not in args:
            cmd += ["-d", "example.net"] if args else []
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        s.check("keygen-usage-%s" % why.replace(" ", "-"),
                p.returncode == 2 and "usage" in p.stderr,
                "exit %s: %s" % (p.returncode, p.stderr))


# ---------------------------------------------------------------------------
# configuration and daemons

def conf_text(milter_port, records, keys, extra=(), mport=None, seal=None,
              ids=()):
    L = ['authserv_id = "mx.out.example";',
         'milter = { socket = "inet:%d@127.0.0.1"; user = "%s"; };'
         % (milter_port, USER),
         arclib.dns_block(records),
         'policy = { trusted_networks = [ "%s/24" ];%s };' % (
             TRUSTED_IP, " trusted_authserv_ids = [ %s ];" % ", ".join(
                 testlib.quote(x) for x in ids) if ids else "")]
    if keys is not None:
        L.append("signing = {\n  expire = %d;\n  keys = [ %s ];\n%s};" % (
            EXPIRE, ",\n    ".join(testlib.quote(x) for x in keys),
            "".join("  %s\n" % e for e in extra)))
    if seal:
        L.append(seal)
    if mport:
        L.append('metrics = { listen = "127.0.0.1:%d"; };' % mport)
    return "\n".join(L) + "\n"


def run_n(conf):
    p = subprocess.run([DAEMON, "-n", "-c", conf], capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def conf_line(path, text):
    """The number of the first line of PATH holding TEXT."""
    with open(path) as f:
        for n, ln in enumerate(f, 1):
            if text in ln:
                return n
    return 0


def start(tmp, name, text):
    conf = arclib.write_file(os.path.join(tmp, name + ".conf"), text)
    d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, name + ".log"))
    return d, conf


def push(port, msg, ip, mailfrom, rcpts, qid, auth=None):
    """One message over the milter protocol; (result, leadspc)."""
    return arc_daemon.push(port, msg, ip, "client.example", mailfrom, qid,
                           rcpts, auth)


def sig_values(r):
    return [v for _, n, v in r.inserted if n.lower() == "dkim-signature"]


def tags(value):
    return arclib.tags_of(value.encode() if isinstance(value, str)
                          else value)


def h_count(h, name):
    return [x.strip().lower() for x in h.split(":")].count(name)


def log_line(daemon, qid):
    for line in daemon.text().splitlines():
        if "%s:" % qid in line and "action=" in line:
            return line
    return ""


# ---------------------------------------------------------------------------
# independent verifiers

class Verifiers(object):
    """dkimpy's dkimverify, mailauth, and a second authmilter daemon."""

    def __init__(self, tmp, records, receiver_port):
        self.tmp = tmp
        self.records_file = os.path.join(tmp, "records.json")
        with open(self.records_file, "w") as f:
            json.dump(records, f)
        self.port = receiver_port
        self.node = None
        self.why_no_mailauth = None
        try:
            import run_interop
            if not run_interop.have_packages():
                ok, err = run_interop.install()
                if not ok:
                    self.why_no_mailauth = "npm install failed: %s" % err[-200:]
            if run_interop.have_packages():
                self.node = run_interop.NODE
            elif not self.why_no_mailauth:
                self.why_no_mailauth = "mailauth not in test/dmarc/.npm"
        except Exception as e:
            self.why_no_mailauth = "%s: %s" % (type(e).__name__, e)

    def dkimverify(self, path, index):
        with open(path, "rb") as f:
            p = subprocess.run(["/usr/bin/python3", VERIFY, self.records_file,
                                "--index", str(index)], stdin=f,
                               capture_output=True, text=True, timeout=60)
        return p.returncode == 0 and "signature ok" in p.stdout, \
            (p.stdout + p.stderr).strip()

    def mailauth(self, path):
        p = subprocess.run([self.node, MAILAUTH_JS, self.records_file, path],
                           capture_output=True, text=True, timeout=120)
        try:
            return json.loads(p.stdout)[0]["results"], p.stderr
        except (ValueError, IndexError, KeyError):
            return None, (p.stdout + p.stderr)[-300:]

    def receive(self, msg, qid):
        """The second daemon's Authentication-Results for MSG."""
        r, _ = push(self.port, msg, "192.0.2.10", "bounce@example.com",
                    ["rcpt@in.example"], qid)
        return arc_daemon.ar_value(r) or ""


def verify_all(s, v, name, out, sigs, keys_by_sel, qid):
    """Every signature of the rebuilt message OUT, three ways."""
    path = arclib.write_file(os.path.join(v.tmp, name + ".eml"), out)
    # dkimpy lists DKIM-Signature fields top first
    order = [tags(x).get("s") for x in reversed(sigs)]
    for idx, sel in enumerate(order):
        ok, why = v.dkimverify(path, idx)
        s.check("%s-dkimverify-%s" % (name, keys_by_sel[sel].alg), ok, why)
    if v.node is None:
        s.skip("%s-mailauth" % name, v.why_no_mailauth)
    else:
        res, err = v.mailauth(path)
        got = sorted((x["s"], x["a"], x["result"]) for x in res or [])
        want = sorted((sel, keys_by_sel[sel].alg, "pass") for sel in order)
        s.check("%s-mailauth" % name, got == want,
                "mailauth %s, want %s %s" % (got, want, err), [res])
    ar = v.receive(out, qid + "B")
    passes = re.findall(r"dkim=pass[^;]*header\.s=(\S+)[^;]*header\.a="
                        r"(\S+?)(?:\s|;|$)", ar)
    s.check("%s-second-daemon" % name, sorted(passes) == sorted(
        (sel, keys_by_sel[sel].alg) for sel in order) and
        re.search(r"dmarc=pass", ar) is not None,
        "A-R of the receiving daemon: %s" % ar)


# ---------------------------------------------------------------------------
# the messages

def message(author, subject="Outbound", body=b"Hello,\r\nsigned text.\r\n",
            extra=b""):
    head = crlf("From: Alice <alice@%s>\n"
                "To: bob@rcpt.example,\n\tcarol@rcpt.example\n"
                "To: dave@rcpt.example\n"
                "Subject: %s\n"
                "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
                "Message-ID: <sign-%s@%s>\n"
                "MIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=utf-8\n" % (
                    author, subject, abs(hash(subject)) % 100000, author))
    return head + extra + b"\r\n" + body


CASES = [
    # name, ip, auth, author, message kwargs, want selectors
    ("sign-trusted-folded", TRUSTED_IP, None, "example.com",
     dict(subject="a folded\r\n subject\r\n\tover three lines"),
     ["r2026", "e2026"]),
    ("sign-auth-8bit", AUTH_IP, "bob", "example.com",
     dict(subject="caf\u00e9 \u20ac", body="Gr\u00fc\u00dfe, caf\u00e9 "
          "\u2603\r\n".encode() + b"raw \xff\xfe bytes\r\n",
          extra=b"Content-Transfer-Encoding: 8bit\r\n"),
     ["r2026", "e2026"]),
    ("sign-empty-body", TRUSTED_IP, None, "example.com",
     dict(subject="empty", body=b""), ["r2026", "e2026"]),
    ("sign-trailing-lines", AUTH_IP, "carol", "example.com",
     dict(subject="trailing", body=b"text  \t\r\n\r\n \r\n\r\n\r\n"),
     ["r2026", "e2026"]),
    ("sign-wildcard", TRUSTED_IP, None, "news.example.org",
     dict(subject="from a subdomain"), ["w2026"]),
]


def run_sign(s, tmp, port, d, v, keys_by_sel):
    for n, (name, ip, auth, author, kw, want) in enumerate(CASES, 1):
        if not s.wanted(name):
            continue
        msg = message(author, **kw)
        qid = "SIGN%03d" % n
        r, leadspc = push(port, msg, ip, "alice@%s" % author,
                          ["bob@rcpt.example"], qid, auth)
        sigs = sig_values(r)
        got = sorted(tags(x).get("s") for x in sigs)
        s.check(name, r.action in ("accept", "continue") and
                got == sorted(want) and arc_daemon.ar_value(r) is None,
                "action %s, signatures by %s (want %s), inserted %s" % (
                    r.action, got, want, [x[1] for x in r.inserted]))
        if got != sorted(want):
            continue
        for x in sigs:
            t = tags(x)
            h = re.sub(r"\s", "", t.get("h", ""))
            ok = (t.get("c") == "relaxed/relaxed" and "l" not in t and
                  int(t.get("x", 0)) == int(t.get("t", 0)) + EXPIRE and
                  t.get("d") == (author if author == "example.com" else
                                 "example.org") and
                  all(h_count(h, o) == 1 + sum(
                      1 for ln in msg.split(b"\r\n\r\n")[0].split(b"\r\n")
                      if ln.lower().startswith(o.encode() + b":"))
                      for o in OVERSIGN))
            s.check("%s-tags-%s" % (name, t.get("s")), ok,
                    "tags %s" % {k: t[k] for k in t if k != "b"})
        out = arc_daemon.rebuild(msg, r, leadspc)
        verify_all(s, v, name, out, sigs, keys_by_sel, qid)
        line = log_line(d, qid)
        want_log = ";".join("d=%s,s=%s,a=%s" % (
            keys_by_sel[x].domain, x, keys_by_sel[x].alg) for x in want)
        s.check("log-%s" % name, " signed=%s " % want_log in line and
                "unsigned" not in line, "log line: %s" % line)


def run_unsigned(s, port, d):
    """An unlisted author and inbound mail get no signature."""
    r, _ = push(port, message("other.example"), TRUSTED_IP,
                "a@other.example", ["bob@rcpt.example"], "UNS001")
    line = log_line(d, "UNS001")
    s.check("sign-unlisted-domain-unsigned", not sig_values(r) and
            'unsigned="no key for other.example"' in line and
            " signed=" not in line, "inserted %s; log %s" % (
                [x[1] for x in r.inserted], line))
    r, _ = push(port, message("example.com"), INBOUND_IP,
                "a@example.com", ["bob@rcpt.example"], "INB001")
    line = log_line(d, "INB001")
    s.check("sign-inbound-never", not sig_values(r) and
            arc_daemon.ar_value(r) is not None and "signed" not in line,
            "inserted %s; log %s" % ([x[1] for x in r.inserted], line))


def scrape(mport):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport,
                                timeout=10) as f:
        text = f.read().decode()
    out = {}
    for m in re.finditer(r'^authmilter_signatures_total\{algorithm="([^"]+)",'
                         r'result="([^"]+)"\} (\d+)$', text, re.M):
        out[(m.group(1), m.group(2))] = int(m.group(3))
    return out


def run_metrics(s, mport):
    got = scrape(mport)
    n = len([c for c in CASES if s.wanted(c[0])])
    want_rsa = sum(len([x for x in c[5] if x != "e2026"]) for c in CASES
                   if s.wanted(c[0]))
    want_ed = sum(len([x for x in c[5] if x == "e2026"]) for c in CASES
                  if s.wanted(c[0]))
    s.check("metrics-signatures-total", n == 0 or (
        got.get(("rsa-sha256", "signed")) == want_rsa and
        got.get(("ed25519-sha256", "signed")) == want_ed and
        got.get(("rsa-sha256", "failed")) == 0 and
        got.get(("none", "unsigned")) == 1), "got %s, want rsa %d ed %d "
            "unsigned 1" % (got, want_rsa, want_ed))


# ---------------------------------------------------------------------------
# authmilter -n, refusals, reload

def run_n_checks(s, tmp, port, records, keys):
    conf = arclib.write_file(os.path.join(tmp, "n.conf"), conf_text(
        port, records, [k.line() for k in keys]))
    rc, out, err = run_n(conf)
    s.check("n-loads-every-key", rc == 0 and "configuration OK" in out,
            "exit %s: %s" % (rc, err))
    for k in keys:
        s.check("n-prints-record-%s" % k.selector, k.zone_line is not None
                and k.zone_line in out.splitlines() and
                "; signing.keys: %s" % k.line() in out,
                "-n printed:\n%s" % out[:2000])
    bad = os.path.join(tmp, "bad")
    os.makedirs(bad, exist_ok=True)
    rsa, ed = keys[0], keys[1]
    cases = [("0644", 0o644, 0, rsa, rsa.alg, "mode 0644 lets others"),
             ("0640", 0o640, 0, rsa, rsa.alg, "mode 0640 lets others"),
             ("owner", 0o600, 4242, rsa, rsa.alg,
              "owned by uid 4242, neither root nor the service user"),
             ("algorithm", 0o600, 0, ed, "rsa-sha256",
              "an Ed25519 key, but the line says rsa-sha256")]
    for name, mode, uid, k, alg, want in cases:
        path = os.path.join(bad, name + ".key")
        shutil.copyfile(k.path, path)
        os.chmod(path, mode)
        os.chown(path, uid, 0)
        line = "example.com %s %s %s" % (k.selector, alg, path)
        conf = arclib.write_file(os.path.join(tmp, "bad-%s.conf" % name),
                                 conf_text(port, records, [line]))
        rc, out, err = run_n(conf)
        s.check("n-refuses-%s" % name, rc == 1 and want in err and
                "signing.keys" in err, "exit %s: %s" % (rc, err))
        # FILE:LINE: of the key table, which the reason names once
        s.check("n-refuses-%s-where" % name, err.startswith(
            '%s:%d: signing.keys: "%s": ' % (conf, conf_line(
                conf, "keys = "), line)) and err.count("signing.keys") == 1,
            err)
    seal = ('arc = { seal = { enabled = true; domain = "seal.example";\n'
            '  selector = "%s"; key_file = "%s";\n  keys = [ "one.example '
            'a1 %s %s" ]; }; };' % (rsa.selector, rsa.path, rsa.alg,
                                    os.path.join(bad, "0644.key")))
    conf = arclib.write_file(os.path.join(tmp, "bad-seal.conf"),
                             conf_text(port, records, None, seal=seal))
    rc, out, err = run_n(conf)
    s.check("n-refuses-arc-seal-keys-where", rc == 1 and err.startswith(
        '%s:%d: arc.seal.keys: "one.example a1 ' % (
            conf, conf_line(conf, "keys = "))) and
        "mode 0644 lets others" in err and err.count("arc.seal.keys") == 1,
        "exit %s: %s" % (rc, err))
    d, conf = start(tmp, "refused", conf_text(port, records, [
        "example.com r2026 rsa-sha256 %s" % os.path.join(bad, "0644.key")]))
    try:
        rc = d.proc.wait(30)
    except subprocess.TimeoutExpired:
        rc = None
    s.check("n-daemon-refuses-to-start", rc == 1 and
            "mode 0644 lets others" in d.text(),
            "exit %s: %s" % (rc, d.text()[-400:]))
    if rc is None:
        d.stop()


def reload_and_wait(d, what):
    before = d.text().count(what)
    d.proc.send_signal(signal.SIGUSR1)
    return testlib.wait_for(lambda: d.text().count(what) > before, 20)


def run_reload(s, tmp, port, d, conf, records, keys_by_sel, v):
    old = keys_by_sel["e2026"]
    new = keys_by_sel["e2027"]
    text = open(conf).read().replace(old.line(), new.line())
    arclib.write_file(conf, text)
    ok = reload_and_wait(d, "configuration reloaded")
    msg = message("example.com", subject="after reload")
    r, leadspc = push(port, msg, TRUSTED_IP, "a@example.com",
                      ["b@rcpt.example"], "REL001")
    sels = sorted(tags(x).get("s") for x in sig_values(r))
    s.check("reload-new-key-signs", ok and sels == ["e2027", "r2026"],
            "reloaded %s, selectors %s" % (ok, sels))
    if sels == ["e2027", "r2026"]:
        out = arc_daemon.rebuild(msg, r, leadspc)
        path = arclib.write_file(os.path.join(tmp, "reload.eml"), out)
        res = [v.dkimverify(path, i)[0] for i in range(2)]
        s.check("reload-new-key-verifies", all(res), "dkimverify %s" % res)
    os.chmod(new.path, 0o644)
    ok = reload_and_wait(d, "the old configuration stays")
    os.chmod(new.path, 0o600)
    r, _ = push(port, msg, TRUSTED_IP, "a@example.com", ["b@rcpt.example"],
                "REL002")
    sels = sorted(tags(x).get("s") for x in sig_values(r))
    s.check("reload-refused-key-keeps-old", ok and
            "mode 0644 lets others" in d.text() and
            sels == ["e2027", "r2026"], "refused %s, selectors %s" % (
                ok, sels), [d.text()[-600:]])


# ---------------------------------------------------------------------------
# ARC sealing by recipient domain

SEAL_CASES = [
    # name, client, author, recipients, sealing domain, signed
    ("seal-one-domain", INBOUND_IP, "inbound.example", ["a@one.example",
                                                       "b@One.Example"],
     "one.example", False),
    ("seal-other-domain", INBOUND_IP, "inbound.example", ["a@two.example"],
     "two.example", False),
    ("seal-mixed-domains", INBOUND_IP, "inbound.example",
     ["a@one.example", "b@two.example"], "seal.example", False),
    ("seal-unlisted-domain", INBOUND_IP, "inbound.example",
     ["a@three.example"], "seal.example", False),
    ("seal-outbound-signed-then-sealed", TRUSTED_IP, "example.com",
     ["a@one.example"], "one.example", True),
]


def seal_conf(sealkeys):
    return ("arc = { seal = { enabled = true; domain = \"seal.example\";\n"
            "  selector = \"%s\"; key_file = \"%s\";\n  keys = [ %s ]; }; };"
            % (sealkeys[0].selector, sealkeys[0].path, ", ".join(
                testlib.quote(k.line()) for k in sealkeys[1:])))


def run_seal(s, tmp, records, sealkeys, keys_by_sel, v):
    seal = seal_conf(sealkeys)
    port = testlib.free_port()
    d, conf = start(tmp, "seal", conf_text(port, records, [
        keys_by_sel["r2026"].line(), keys_by_sel["e2026"].line()],
        seal=seal))
    if not s.check("seal-daemon-starts", d.wait_up(), d.text()[-500:]):
        return
    arclib.allow_ed25519_arc()
    vconf = arclib.write_file(os.path.join(tmp, "verify.conf"),
                              arclib.config_text("mx.next.example", records))
    try:
        for n, (name, ip, author, rcpts, want_d, signed) in enumerate(
                SEAL_CASES, 1):
            if not s.wanted(name):
                continue
            msg = message(author, subject=name)
            r, leadspc = push(port, msg, ip, "a@%s" % author, rcpts,
                              "SEAL%03d" % n)
            out = arc_daemon.rebuild(msg, r, leadspc)
            sets = arclib.arc_sets(out)
            ast = arclib.tags_of(sets[max(sets)]["arc-seal"][1]) \
                if sets else {}
            cv, why, _ = arclib.dkimpy_verify(out, records)
            ok, why2 = arclib.verify_top_seal(out, records)
            path = arclib.write_file(os.path.join(tmp, name + ".eml"), out)
            rr = arclib.run_check(vconf, path, client_ip="192.0.2.99")
            s.check(name, ast.get("d") == want_d and cv == "pass" and ok and
                    rr.arc_result() == "pass" and
                    (rr.arc or {}).get("sealers") == [want_d],
                    "AS d=%s (want %s); dkimpy cv=%s (%s); own check %s; "
                    "authmilter-check %s" % (ast.get("d"), want_d, cv, why,
                                             why2, rr.brief()))
            sigs = sig_values(r)
            s.check(name + "-signatures", len(sigs) == (2 if signed else 0),
                    "%d DKIM-Signature fields" % len(sigs))
            if signed and len(sigs) == 2:
                ams = arclib.tags_of(sets[max(sets)]
                                     ["arc-message-signature"][1])
                res = [v.dkimverify(path, i)[0] for i in range(2)]
                s.check(name + "-seal-covers-signature",
                        "dkim-signature" in ams.get("h", "").lower() and
                        all(res), "AMS h=%s; dkimverify %s" % (
                            ams.get("h"), res))
    finally:
        d.stop()


# ---------------------------------------------------------------------------
# a trusted gateway's results (policy.trusted_authserv_ids), signed

GW_ID = "gw.out.example"

GATEWAY_CASES = [
    # name, author, gateway's spf=, {auth_authen}, action, our A-R?,
    # signatures (selectors), Junk mark?, in the log line
    ("gateway-pass", "example.com", "pass", None, "continue", True,
     ["r2026", "e2026"], False, "upstream=" + GW_ID),
    ("gateway-quarantine", "quar.example", "fail", None, "continue", True,
     ["q2026"], True, "upstream=" + GW_ID),
    ("gateway-reject", "example.com", "fail", None, "reject", True, [],
     False, "unsigned=refused"),
    ("gateway-authenticated", "example.com", "fail", "alice", "continue",
     False, ["r2026", "e2026"], False, "skipped=trusted"),
    ("gateway-no-ar", "example.com", None, None, "continue", False,
     ["r2026", "e2026"], False, "skipped=trusted"),
]

# what authmilter adds, top down, above the message's own fields
GATEWAY_ORDER = ["arc-seal", "arc-message-signature",
                 "arc-authentication-results", "dkim-signature",
                 "authentication-results", "x-authmilter-quarantine",
                 "x-spam-flag"]


def gateway_message(name, author, spf):
    extra = b""
    if spf is not None:
        extra = crlf("Authentication-Results: %s; spf=%s "
                     "smtp.mailfrom=alice@%s;\n\tdkim=none\n" % (
                         GW_ID, spf, author))
    return message(author, subject=name, extra=extra)


def added_on_top(msg, out):
    """The names of the fields above the message's own in OUT."""
    n = len(arclib.split_message(out)[0]) - len(arclib.split_message(msg)[0])
    return [h.strip().lower().decode() for h, _ in
            arclib.split_message(out)[0][:n]]


def gateway_sealed(s, name, out, records):
    """The ARC set verifies and its AMS covers the signatures."""
    sets = arclib.arc_sets(out)
    ams = arclib.tags_of(sets[max(sets)]["arc-message-signature"][1]) \
        if sets else {}
    cv, why, _ = arclib.dkimpy_verify(out, records)
    ok, why2 = arclib.verify_top_seal(out, records)
    s.check(name + "-sealed", cv == "pass" and ok and "dkim-signature" in
            ams.get("h", "").lower(), "dkimpy cv=%s (%s); own check %s; "
            "AMS h=%s" % (cv, why, why2, ams.get("h")))


def gateway_one(s, tmp, port, d, v, records, keys_by_sel, n, case):
    name, author, spf, auth, action, our_ar, want, mark, logw = case
    msg = gateway_message(name, author, spf)
    qid = "GW%03d" % n
    r, leadspc = push(port, msg, TRUSTED_IP, "alice@%s" % author,
                      ["bob@rcpt.example"], qid, auth)
    sigs = sig_values(r)
    ar = arc_daemon.ar_value(r)
    line = log_line(d, qid)
    s.check(name, r.action == action and (ar is not None) == our_ar and
            sorted(tags(x).get("s") for x in sigs) == sorted(want) and
            (r.header("X-Authmilter-Quarantine") is not None) == mark and
            logw in line, "action %s; A-R %s; inserted %s; log %s" % (
                r.action, ar, [x[1] for x in r.inserted], line))
    if our_ar:
        s.check(name + "-upstream-results", "spf=%s (from %s)" % (
            spf, GW_ID) in (ar or ""), "A-R %s" % ar)
    if action == "reject" or not sigs:
        return
    out = arc_daemon.rebuild(msg, r, leadspc)
    got = added_on_top(msg, out)
    want_order = [x for x in GATEWAY_ORDER
                  if (x != "authentication-results" or our_ar) and
                  (x not in ("x-authmilter-quarantine", "x-spam-flag") or
                   mark)]
    want_order[3:4] = ["dkim-signature"] * len(want)
    s.check(name + "-order", got == want_order, "added on top %s, want %s"
            % (got, want_order))
    verify_all(s, v, name, out, sigs, keys_by_sel, qid)
    gateway_sealed(s, name, out, records)


def run_gateway(s, tmp, records, sealkeys, keys_by_sel, v):
    port = testlib.free_port()
    d, conf = start(tmp, "gateway", conf_text(port, records, [
        keys_by_sel["r2026"].line(), keys_by_sel["e2026"].line(),
        keys_by_sel["q2026"].line()], seal=seal_conf(sealkeys), ids=[GW_ID]))
    if not s.check("gateway-daemon-starts", d.wait_up(), d.text()[-500:]):
        return
    arclib.allow_ed25519_arc()
    try:
        for n, case in enumerate(GATEWAY_CASES, 1):
            if s.wanted(case[0]):
                gateway_one(s, tmp, port, d, v, records, keys_by_sel, n,
                            case)
    finally:
        d.stop()


# ---------------------------------------------------------------------------

def make_keys(s, tmp):
    keys = [GenKey(tmp, "rsa", "example.com", "r2026", 2048),
            GenKey(tmp, "ed25519", "example.com", "e2026"),
            GenKey(tmp, "rsa", "example.org", "w2026", 1024),
            GenKey(tmp, "ed25519", "example.com", "e2027"),
            GenKey(tmp, "ed25519", "quar.example", "q2026")]
    sealkeys = [GenKey(tmp, "rsa", "seal.example", "arc0", 2048, "seal"),
                GenKey(tmp, "rsa", "one.example", "arc1", 2048, "seal"),
                GenKey(tmp, "ed25519", "two.example", "arc2", None, "seal")]
    return keys, sealkeys


def world_records(keys, sealkeys):
    records = {k.name: k.record for k in keys + sealkeys}
    records.update({
        "example.com": "v=spf1 ip4:198.51.100.0/24 -all",
        "_dmarc.example.com": "v=DMARC1; p=reject",
        "example.org": "v=spf1 ip4:198.51.100.0/24 -all",
        "_dmarc.example.org": "v=DMARC1; p=reject",
        "inbound.example": "v=spf1 ip4:192.0.2.0/24 -all",
        "quar.example": "v=spf1 ip4:198.51.100.0/24 -all",
        "_dmarc.quar.example": "v=DMARC1; p=quarantine",
    })
    return records


def run(s, tmp):
    keys, sealkeys = make_keys(s, tmp)
    if not s.check("keygen-all-keys", all(k.rc == 0 and k.record for k in
                                          keys + sealkeys),
                   "; ".join(k.err for k in keys + sealkeys if k.rc)):
        return
    keygen_checks(s, tmp, keys[:3])
    keys_by_sel = {k.selector: k for k in keys}
    records = world_records(keys, sealkeys)
    port, rport, mport = (testlib.free_port() for _ in range(3))
    run_n_checks(s, tmp, port, records, keys[:3])
    sign_lines = [keys_by_sel["r2026"].line(), keys_by_sel["e2026"].line(),
                  keys_by_sel["w2026"].line("*.example.org")]
    d, conf = start(tmp, "signer", conf_text(port, records, sign_lines,
                                             mport=mport))
    b, _ = start(tmp, "receiver", conf_text(rport, records, None))
    try:
        if not (s.check("daemon-starts", d.wait_up(), d.text()[-500:]) and
                s.check("receiver-starts", b.wait_up(), b.text()[-500:])):
            return
        v = Verifiers(tmp, records, rport)
        run_sign(s, tmp, port, d, v, keys_by_sel)
        run_unsigned(s, port, d)
        run_metrics(s, mport)
        if s.wanted("reload"):
            run_reload(s, tmp, port, d, conf, records, keys_by_sel, v)
        if s.wanted("seal"):
            run_seal(s, tmp, records, sealkeys, keys_by_sel, v)
        if s.wanted("gateway"):
            run_gateway(s, tmp, records, sealkeys, keys_by_sel, v)
        s.check("daemons-alive", d.alive() and b.alive(), "exited")
    finally:
        for x in (d, b):
            rc = x.stop()
            if rc not in (0, None):
                s.check("daemon-stops-cleanly", False, "exit %s: %s" % (
                    rc, x.text()[-300:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--keep", metavar="DIR")
    a = ap.parse_args()
    s = Suite(a.k, a.v)
    for prog in (DAEMON, CHECK, KEYGEN):
        if not os.access(prog, os.X_OK):
            print("FAIL setup: %s is not built" % prog)
            print("sign-daemon: 0 passed, 1 failed")
            return 1
    if os.geteuid() != 0:
        print("FAIL setup: run as root (the daemons drop to %s)" % USER)
        print("sign-daemon: 0 passed, 1 failed")
        return 1
    tmp = a.keep or tempfile.mkdtemp(prefix="sign-daemon.")
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o755)
    try:
        run(s, tmp)
    except Exception as e:
        import traceback
        traceback.print_exc()
        s.check("runner", False, "exception %s: %s" % (type(e).__name__, e))
    finally:
        testlib.remove_tmp(tmp, a.keep)
    print("sign-daemon: %d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
