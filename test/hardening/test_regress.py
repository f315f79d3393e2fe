#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The reconstructed OpenDMARC/OpenARC cases of test/fuzz/regress/ as
behaviour, not only "no crash": each pipeline input (client IP, HELO,
MAIL FROM lines, then the message) goes through authmilter-check with DNS
data that gives the attacker what the report needed, and the verdict must
be the safe one. Prints "regress: N passed, N failed"."""

import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
import testlib  # noqa: E402

CHECK = testlib.program("authmilter-check")
REGRESS = os.path.join(TOP, "test", "fuzz", "regress", "pipeline")
CONF = r'''authserv_id = "mx.fuzz.example";
dns = { local_zones = [ "example. static" ];
  local_data = [ "_dmarc.bank.example. 300 IN TXT \"v=DMARC1; p=reject\"",
    "bank.example. 300 IN TXT \"v=spf1 -all\"",
    "attacker.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"",
    "evil.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"",
    "_dmarc.evil.example. 300 IN TXT \"v=DMARC1; p=none\"",
    "a.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"" ]; };
policy = { trusted_networks = [ ]; };
'''
# input file -> (what the report was, regexes the output must match)
CASES = {
    "cve-2019-16378-two-authors": (
        "From with a bank and an attacker address: no pass for either",
        [r"dmarc=permerror \(From names several domains\)",
         r"action: reject", r"550 5\.7\.1"]),
    "cve-2019-20790-helo-only-spf": (
        "SPF pass for the HELO only, forged A-R: DMARC fails, reject, the "
        "forged A-R claiming our id is removed",
        [r"spf=none \([^)]*\)\s+smtp\.mailfrom=",
         r"spf=pass \([^)]*\)\s+smtp\.helo=",
         r"dmarc=fail .*header\.from=bank\.example",
         r"would remove 1 Authentication-Results", r"action: reject"]),
    "cve-2021-34555-empty-mailbox": (
        "empty mailbox in a multi-valued From, two From fields",
        [r"dmarc=permerror", r"action: reject"]),
    "opendmarc-31-null-method-aar": (
        "AAR with (null)=pass methods and a bare ARC-Seal",
        [r"arc=fail", r"action: accept"]),
}
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def main():
    with tempfile.TemporaryDirectory() as d:
        cpath = os.path.join(d, "c.conf")
        with open(cpath, "w") as f:
            f.write(CONF)
        for name, (what, wants) in sorted(CASES.items()):
            with open(os.path.join(REGRESS, name), "rb") as f:
                ip, helo, mailfrom, msg = f.read().split(b"\n", 3)
            mpath = os.path.join(d, "m.eml")
            with open(mpath, "wb") as f:
                f.write(msg)
            p = subprocess.run([CHECK, "-c", cpath, "--client-ip",
                                ip.decode(), "--helo", helo.decode(),
                                "--mail-from", mailfrom.decode().strip("<>"),
                                mpath], capture_output=True, timeout=60)
            out = re.sub(r"\n[ \t]+", " ", p.stdout.decode("utf-8",
                                                            "replace"))
            miss = [w for w in wants if not re.search(w, out)]
            check("%s: %s" % (name, what), p.returncode == 0 and not miss,
                  "rc %d, missing %s in:\n%s%s" % (
                      p.returncode, miss, out, p.stderr.decode()))
        missing = set(os.listdir(REGRESS)) - set(CASES)
        check("every pipeline regression input has a case", not missing,
              sorted(missing))
    print("regress: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
