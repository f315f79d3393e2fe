#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every limit of the limits group (and dkim.max_signatures) lowered below
what a message needs: the message still flows (action accept, one
Authentication-Results header) and the A-R says what was left out. The
same message under the default limits is checked too, so that it is the
limit that made the difference. authmilter-check runs the daemon's
pipeline; DNS comes from dns.local_data. limits.dns_time is checked with
real timeouts by run_dnsfaults.py.

Prints "limits: N passed, N failed".
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, os.path.join(TOP, "test", "arc"))
sys.dont_write_bytecode = True

import arclib  # noqa: E402  (re-execs under /usr/bin/python3 if needed)
from arclib import crlf  # noqa: E402
import testlib  # noqa: E402

import dkim  # noqa: E402

CHECK = testlib.program("authmilter-check")
VERBOSE = "-v" in sys.argv
CLIENT = "192.0.2.10"
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


class World(object):
    def __init__(self):
        self.key = arclib.make_key("rsa", 1024)
        self.records = {
            "lim.example": "v=spf1 a:h1.lim.example a:h2.lim.example "
                           "a:h3.lim.example ip4:%s -all" % CLIENT,
            "_dmarc.lim.example": "v=DMARC1; p=none",
        }
        for s in ("s1", "s2", "s3"):
            self.records["%s._domainkey.lim.example" % s] = self.key.record()
        for d in ("f1.example", "f2.example", "f3.example"):
            self.records["arc._domainkey.%s" % d] = self.key.record()
        self.a = ["h%d.lim.example. 300 IN A 198.51.100.%d" % (i, i)
                  for i in (1, 2, 3)]

    def conf(self, extra):
        """The config with EXTRA (libconfig text, e.g. a limits group)."""
        return testlib.config_text({
            "authserv_id": "mx.example",
            "dns": {"local_zones": [". static"],
                    "local_data": arclib.local_data_lines(self.records) +
                    self.a},
            "policy": {"trusted_networks": []},
        }, extra)

    def message(self, extra_fields=b"", signatures=1, arc_sets=0):
        m = crlf("From: Alice <alice@lim.example>\n"
                 "To: bob@mx.example\n"
                 "Subject: limits\n"
                 "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
                 "Message-ID: <limits@lim.example>\n") + extra_fields + \
            b"\r\nHello.\r\n"
        for i in range(signatures):
            m = dkim.sign(m, ("s%d" % (i + 1)).encode(), b"lim.example",
                          self.key.pem, include_headers=[
                              b"from", b"to", b"subject", b"date"]) + m
        for i in range(arc_sets):
            d = "f%d.example" % (i + 1)
            ar = ("Authentication-Results: %s; arc=%s; dkim=pass "
                  "header.d=lim.example\r\n" % (d, "pass" if i else
                                                 "none")).encode()
            m = b"".join(arclib.dkimpy_arc_sign(
                ar + m, "arc", d, self.key.pem, d,
                ["from", "to", "subject", "date"])) + m
        return m


def run(world, extra, msg):
    with tempfile.TemporaryDirectory() as d:
        cpath = os.path.join(d, "c.conf")
        arclib.write_file(cpath, world.conf(extra))
        mpath = os.path.join(d, "m.eml")
        with open(mpath, "wb") as f:
            f.write(msg)
        p = subprocess.run([CHECK, "-c", cpath, "--client-ip", CLIENT,
                            "--helo", "mail.lim.example", "--mail-from",
                            "a@lim.example", mpath], capture_output=True,
                           timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    if VERBOSE:
        print(out, p.stderr.decode("utf-8", "replace"))
    return p.returncode, out


def flows(out):
    """accepted, with exactly one A-R of ours"""
    return "action: accept" in out and \
        out.count("Authentication-Results: mx.example;") == 1


def unfold(out):
    return re.sub(r"\r?\n[ \t]+", " ", out)


def case(world, name, limit, msg, want_default, want_limited):
    rc, out = run(world, "", msg)
    u = unfold(out)
    check("%s: default limits: %s" % (name, want_default), rc == 0 and
          flows(out) and re.search(want_default, u) is not None, out)
    rc, out = run(world, "limits = { %s };" % limit if "=" in limit and
                  not limit.startswith("dkim") else limit, msg)
    u = unfold(out)
    check("%s: %s: flows, %s" % (name, limit, want_limited), rc == 0 and
          flows(out) and re.search(want_limited, u) is not None, out)


def main():
    w = World()
    many = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 20)
                    for i in range(40))
    case(w, "header count", "headers = 32;", w.message(many),
         r"dkim=pass", r"dkim=permerror \(message header over the size "
         r"limits\)")
    big = b"X-Big: " + b"z" * 3000 + b"\r\n"
    case(w, "header field size", "header_size = 1024;", w.message(big),
         r"dkim=pass", r"dkim=permerror \(message header over the size "
         r"limits\)")
    bulk = b"".join(b"X-Bulk-%d: %s\r\n" % (i, b"w" * 990)
                    for i in range(70))
    case(w, "header bytes", "header_bytes = 65536;", w.message(bulk),
         r"dkim=pass", r"dkim=permerror \(message header over the size "
         r"limits\)")
    case(w, "ARC sets", "arc_sets = 2;", w.message(arc_sets=3),
         r"arc=pass \(i=3", r"arc=fail \(more than 2 ARC sets")
    case(w, "SPF lookups", "spf_lookups = 2;", w.message(),
         r"spf=pass", r"spf=permerror")
    case(w, "DKIM signatures", "dkim = { max_signatures = 1; };",
         w.message(signatures=3),
         r"dkim=pass header.d=lim.example header.i=@lim.example "
         r"header.s=s3 .*dkim=pass .*header.s=s2 .*dkim=pass .*header.s=s1",
         r"dkim=pass \(2 more signatures not checked\) header.d=lim.example"
         r"(?!.*dkim=)")
    # the limits cannot go past the compiled-in maxima
    rc, out = run(w, "limits = { headers = 5000; };", w.message())
    check("limits.headers above 4096 refused", rc == 2, out)
    print("limits: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
