#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""authmilter-check: exit codes, --json, and bad input that must not lose
the verdict (a header without a colon, NUL bytes, invalid UTF-8, huge and
many header fields, LF-only files), and a HELO full of RFC 2045 tspecials
that must come out quoted (the A-R parsed strictly). DNS comes from
dns.local_data."""

import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
import testlib  # noqa: E402

CHECK = testlib.program("authmilter-check")
CONF = """authserv_id = "mx.check.example";
dns = { local_zones = [ "example. static" ];
  local_data = [ "pass.example. 300 IN TXT \\"v=spf1 ip4:192.0.2.10 -all\\"" ]; };
"""
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def run(args, msg, conf=None):
    with tempfile.TemporaryDirectory() as d:
        cpath = os.path.join(d, "c.conf")
        with open(cpath, "w") as f:
            f.write(conf if conf is not None else CONF)
        mpath = os.path.join(d, "m.eml")
        with open(mpath, "wb") as f:
            f.write(msg)
        p = subprocess.run([CHECK, "-c", cpath] + args + [mpath],
                           capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace")


ENV = ["--client-ip", "192.0.2.10", "--helo", "mail.pass.example",
       "--mail-from", "a@pass.example"]
GOOD = b"From: a@pass.example\r\nSubject: t\r\n\r\nbody\r\n"


# RFC 8601 section 2.2 with RFC 2045 values, strictly: a value is a token
# or a quoted-string; a pvalue may also be [[local-part] "@"] domain-name
TOKEN = re.compile(r'[^\x00-\x20\x7f()<>@,;:\\"/\[\]?=]+')
QSTRING = re.compile(r'"((?:[^"\\\r\n]|\\.)*)"')
KEYWORD = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?')
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
ADDR = re.compile(r"(?:%s(?:\.%s)*)?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                  r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                  % (ATOM, ATOM))


class StrictAR:
    """Parse an Authentication-Results value, or raise ValueError."""

    def __init__(self, v):
        self.s, self.i = v, 0
        self.id = self.value()
        self.results = []
        self.cfws()
        while self.i < len(self.s):
            self.expect(";")
            method = self.match(KEYWORD)
            self.expect("=")
            res = {"method": method.lower(),
                   "result": self.match(KEYWORD).lower(), "props": {}}
            while self.cfws() and self.peek() not in (";", ""):
                ptype = self.match(KEYWORD).lower()
                if ptype == "reason" and self.peek() == "=":
                    self.expect("=")
                    res["reason"] = self.value()
                    continue
                self.expect(".")
                prop = self.match(KEYWORD).lower()
                self.expect("=")
                res["props"][ptype + "." + prop] = self.value(addr=True)
            self.results.append(res)

    def peek(self):
        return self.s[self.i:self.i + 1]

    def cfws(self):
        """Skip white space, folding and nested comments; always true."""
        depth = 0
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "(":
                depth += 1
            elif c == ")" and depth > 0:
                depth -= 1
            elif c == "\\" and depth > 0:
                self.i += 1
            elif depth == 0 and c not in " \t\r\n":
                break
            self.i += 1
        if depth:
            raise ValueError("unbalanced comment")
        return True

    def expect(self, c):
        self.cfws()
        if self.peek() != c:
            raise ValueError("%r expected at %d: %r" % (c, self.i, self.s))
        self.i += 1
        self.cfws()

    def match(self, rx):
        self.cfws()
        m = rx.match(self.s, self.i)
        if m is None:
            raise ValueError("%s expected at %d: %r" % (rx.pattern, self.i,
                                                       self.s))
        self.i = m.end()
        return m.group(0)

    def value(self, addr=False):
        """token / quoted-string, or an address for a pvalue, unquoted;
        a bare value must end where the grammar allows (CFWS, ; or end)"""
        self.cfws()
        m = QSTRING.match(self.s, self.i)
        if m is not None:
            self.i = m.end()
            return re.sub(r"\\(.)", r"\1", m.group(1))
        m = ADDR.match(self.s, self.i) if addr else None
        t = TOKEN.match(self.s, self.i)
        if m is None or (t is not None and t.end() > m.end()):
            m = t
        if m is None or m.end() < len(self.s) and \
                self.s[m.end()] not in " \t\r\n(;":
            raise ValueError("bad value at %d: %r" % (self.i, self.s))
        self.i = m.end()
        return m.group(0)


def test_specials_quoted():
    """A HELO holding a character that may not stand in a token comes out
    quoted and escaped: the header parses strictly, with five results,
    and smtp.helo reads back as sent (issue 20 item 3: ";" unquoted ended
    the resinfo)."""
    for helo in ("x.example;foo", "x.example(c)", "x.example)c",
                 "x.example,y", "x.example=y", "x.example:y", "x.example/y",
                 "x.example[y]", "x.example?y", "x.example<y>",
                 'x.example"y', "x.example\\y", "x.example y",
                 "x.example;spf=pass smtp.mailfrom=bank.example"):
        env = ["--client-ip", "192.0.2.10", "--helo", helo,
               "--mail-from", "a@pass.example", "--json"]
        rc, out, err = run(env, GOOD)
        try:
            ar = StrictAR(json.loads(out)["authentication_results"])
            got = [r["method"] for r in ar.results]
            # one spf= clause per identity: MAIL FROM's, then HELO's
            ok = got == ["spf", "spf", "dkim", "dmarc", "arc"] and \
                ar.results[1]["props"].get("smtp.helo") == helo
            why = "%s, smtp.helo %r" % (got, ar.results[1]["props"].get(
                "smtp.helo"))
        except (ValueError, KeyError, TypeError) as e:
            ok, why = False, str(e)
        check("HELO %r: A-R parses strictly, smtp.helo quoted" % helo,
              rc == 0 and ok, why + " " + err)
# issue 12 item 7: %{d2} of a two-label domain must be the whole domain
# (libspf2 dropped its first character and looked up
# billing.inc.0027cc9.example); pyspf and mailauth say pass
MACRO_CONF = """authserv_id = "mx.check.example";
dns = { local_zones = [ "example. static" ];
  local_data = [
    "c0027cc9.example. 300 IN TXT \\"v=spf1 include:%{l}.inc.%{d2} ?all\\"",
    "billing.inc.c0027cc9.example. 300 IN TXT \\"v=spf1 ip4:192.0.2.10 -all\\""
  ]; };
"""


def spf_macro():
    env = ["--client-ip", "192.0.2.10", "--helo", "mail.c0027cc9.example",
           "--mail-from", "billing@c0027cc9.example", "--json"]
    msg = b"From: billing@c0027cc9.example\r\nSubject: t\r\n\r\nbody\r\n"
    for ip, want in (("192.0.2.10", "pass"), ("198.51.100.1", "neutral")):
        env[1] = ip
        rc, out, err = run(env, msg, conf=MACRO_CONF)
        try:
            got = json.loads(out)["spf"]["mailfrom"]
        except (ValueError, KeyError, TypeError) as e:
            got = {"result": "%s: %s" % (e, out[:300])}
        check("include:%%{l}.inc.%%{d2} of c0027cc9.example, client %s: %s"
              % (ip, want), rc == 0 and got.get("result") == want,
              "%s %s" % (got, err))


def main():
    rc, out, err = run(ENV, GOOD)
    check("text output", rc == 0 and "spf=pass" in out and
          "action: accept" in out, out + err)
    rc, out, err = run(ENV + ["--json"], GOOD)
    try:
        j = json.loads(out)
        ok = j["spf"]["result"] == "pass" and j["action"] == "accept"
    except ValueError as e:
        ok, out = False, "%s: %s" % (e, out)
    check("json output parses", rc == 0 and ok, out)
    rc, out, err = run(ENV, GOOD, conf="dns = { timout = 1; };\n")
    check("config error exits 2 with FILE:LINE", rc == 2 and
          "c.conf:1:" in err, "%d %s" % (rc, err))
    p = subprocess.run([CHECK, "-c", "/dev/null", "/nonexistent/msg"],
                       capture_output=True)
    check("unreadable message exits 3", p.returncode == 3,
          str(p.returncode))
    p = subprocess.run([CHECK, "--bogus"], capture_output=True)
    check("usage error exits 2", p.returncode == 2, str(p.returncode))
    cases = [
        ("header without a colon", b"From: a@pass.example\r\n"
         b"this line has no colon\r\nSubject: x\r\n\r\nbody\r\n"),
        ("NUL bytes", b"From: a@pass.example\r\nSubject: a\0b\r\n\r\n"
         b"bo\0dy\r\n"),
        ("invalid UTF-8", b"From: \xff\xfe <a@pass.example>\r\n"
         b"Subject: \xc3\x28\r\n\r\n\xe2\x82\r\n"),
        ("header over 64 KB", b"From: a@pass.example\r\nX-Big: " +
         b"x" * 70000 + b"\r\n\r\nbody\r\n"),
        ("10,000 header fields", b"From: a@pass.example\r\n" +
         b"X-Many: y\r\n" * 10000 + b"\r\nbody\r\n"),
        ("LF-only line ends", GOOD.replace(b"\r\n", b"\n")),
        ("no body, no blank line", b"From: a@pass.example\r\n"),
    ]
    for name, msg in cases:
        rc, out, err = run(ENV + ["--json"], msg)
        try:
            j = json.loads(out)
            ok = j["action"] == "accept" and j["spf"]["result"] == "pass" \
                and "spf=pass" in j["authentication_results"]
        except (ValueError, KeyError, TypeError) as e:
            ok, out = False, "%s: %s" % (e, out[:300])
        check("bad input accepted: " + name, rc == 0 and ok, out + err)
    # no From at all: policy (dmarc.multiple_from) decides, not a crash
    rc, out, err = run(ENV + ["--json"], b"")
    j = json.loads(out) if rc == 0 else {}
    check("empty message: no From is rejected by default policy",
          j.get("action") == "reject" and j.get("reply", {}).get("code")
          == "550" and "no From" in j.get("reply", {}).get("text", ""), out)
    rc, out, err = run(ENV + ["--json"], b"", conf=CONF +
                       'dmarc = { multiple_from = "permerror"; };\n')
    j = json.loads(out) if rc == 0 else {}
    check("empty message accepted with multiple_from = permerror",
          j.get("action") == "accept" and
          j.get("dmarc", {}).get("result") == "permerror", out)
    rc, out, err = run(["--client-ip", "127.0.0.1", "--json"], GOOD)
    j = json.loads(out) if rc == 0 else {}
    check("trusted client not checked", j.get("spf") is None and
          j.get("action") == "accept" and
          j.get("authentication_results") is None, out)
    rc, out, err = run(["--helo", "mail.pass.example", "--json"], GOOD)
    j = json.loads(out) if rc == 0 else {}
    check("no client address: spf none", j.get("spf", {}).get("result")
          == "none", out)
    test_specials_quoted()
    spf_macro()
    print("check-cli: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
