#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""CPU cost of many DKIM-Signature fields (not a test: a measurement).

An attacker can put any number of DKIM-Signature fields on a message, each
with its own l=, so that a verifier hashing the body once per distinct
canonicalization and length does that work thousands of times.  authmilter
verifies the first dkim.max_signatures (8 by default) and never hands the
rest to libopendkim.  This runs authmilter-check on a message with 8 and
with N such fields over the same body and prints the CPU time of each
(children's user+system time, best of R runs) and their ratio.

    test/bench/dkim_amplify.py [--check PATH] [--sigs 1000] [--mb 5] [-r 3]

Every lookup is answered from dns.local_data (NXDOMAIN for the keys): the
measurement is the hashing and parsing, not DNS.  Prints one line per case
and the ratio; RESULTS.md keeps the figures.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
import testlib  # noqa: E402

CONF = """dns = { local_zones = [ "example. static" ]; };
spf = { enabled = false; };
dmarc = { enabled = false; };
arc = { verify = false; };
"""


def message(nsigs, mb):
    """N signatures with distinct l= over an MB-megabyte body."""
    line = b"0123456789 abcdefghij ABCDEFGHIJ 0123456789 abcdefghij xyz\r\n"
    body = line * (mb * 1024 * 1024 // len(line))
    hdr = []
    for i in range(nsigs):
        hdr.append(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
                   b"d=sender.example; s=s%d; h=from; l=%d; bh=AAAA; "
                   b"b=QUJD%d" % (i, len(body) - i, i))
    hdr += [b"From: a@sender.example", b"To: b@rcpt.example",
            b"Subject: amplification"]
    return b"\r\n".join(hdr) + b"\r\n\r\n" + body


def cpu(check, conf, path):
    """Children's CPU seconds for one authmilter-check run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([check, "-c", conf, "--client-ip", "192.0.2.1",
                    "--helo", "mail.sender.example", "--mail-from",
                    "a@sender.example", path], stdout=subprocess.DEVNULL,
                   check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime +
            after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", default=testlib.program("authmilter-check"))
    ap.add_argument("--sigs", type=int, default=1000)
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("-r", "--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "a.conf")
        with open(conf, "w") as f:
            f.write(CONF)
        best = {}
        for n in (8, args.sigs):
            path = os.path.join(tmp, "m%d.eml" % n)
            with open(path, "wb") as f:
                f.write(message(n, args.mb))
            best[n] = min(cpu(args.check, conf, path)
                          for _ in range(args.runs))
            print("%5d signatures, %d MB body: %.3f s CPU" % (n, args.mb,
                                                             best[n]))
        print("ratio %d/8: %.2f" % (args.sigs, best[args.sigs] / best[8]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
