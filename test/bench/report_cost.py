#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The per-message cost of recording DMARC report rows (RESULTS.md,
"Report journal").

    report_cost.py [-n 30000] [-c 8] [-r 5] BEFORE AFTER

BEFORE and AFTER are two authmilter binaries. Each round runs, one after
the other: BEFORE without a report store ("off"), BEFORE and AFTER with a
SQLite store; each time 500 warm-up messages and then N messages of one
DMARC-passing message (a.example, reportlib's DNS data) from
test/load/milterload at concurrency C. Printed per run: the daemon's CPU
time (utime + stime from /proc) per message over the N messages, and
milterload's rate and latency.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "test", "report"))

import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402

LOAD = testlib.program("milterload")


def cpu(pid):
    """Seconds of CPU the process PID used so far."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def load(port, conc, n, corpus):
    p = subprocess.run([LOAD, "-s", "inet:%d@127.0.0.1" % port, "-c",
                        str(conc), "-n", str(n), corpus],
                       capture_output=True, timeout=600)
    return p.stdout.decode(errors="replace")


def one(binary, store, n, conc):
    """(CPU ms per message, milterload's summary fields)."""
    tmp = tempfile.mkdtemp(prefix="report-cost-")
    os.chmod(tmp, 0o777)
    try:
        spool = os.path.join(tmp, "spool")
        corpus = os.path.join(tmp, "corpus")
        os.mkdir(spool)
        os.chmod(spool, 0o777)
        os.mkdir(corpus)
        with open(os.path.join(corpus, "a"), "w") as f:
            f.write("X-Load-Client-IP: %s\nX-Load-Mail-From: <x@a.example>\n"
                    "From: <u@a.example>\nTo: <r@rcpt.example>\n"
                    "Subject: load\n\nbody\n" % rl.GOOD_IP)
        port = testlib.free_port()
        conf = os.path.join(tmp, "authmilter.conf")
        rl.write_config(conf, port, "sqlite:" + os.path.join(tmp, "r.db")
                        if store else "", spool)
        d = testlib.Daemon(binary, conf, os.path.join(tmp, "daemon.log"))
        try:
            if not d.wait_up():
                sys.exit("%s did not start: %s" % (binary, d.text()))
            load(port, conc, 500, corpus)
            c0 = cpu(d.proc.pid)
            out = load(port, conc, n, corpus)
            c1 = cpu(d.proc.pid)
        finally:
            d.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    keep = ("rate=", "p50=", "p99=", "errors=")
    return (c1 - c0) * 1000.0 / n, " ".join(
        x for x in out.split() if x.startswith(keep))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=30000)
    ap.add_argument("-c", type=int, default=8)
    ap.add_argument("-r", type=int, default=5)
    ap.add_argument("before")
    ap.add_argument("after")
    a = ap.parse_args()
    for rnd in range(a.r):
        for name, binary, store in (("off", a.before, False),
                                    ("before", a.before, True),
                                    ("after", a.after, True)):
            ms, out = one(binary, store, a.n, a.c)
            print("%d %-6s cpu=%.3f ms/msg %s" % (rnd, name, ms, out),
                  flush=True)


if __name__ == "__main__":
    main()
