#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Benchmark of received reports (not a timed test; figures in RESULTS.md).

  1. one generated report of 1,000,000 records (gzip, 4.8 MB) through
     authmilter-report ingest into SQLite: wall time and peak RSS
     (os.wait4), which must not grow with the report (streaming);
  2. ROWS rows (default 10,000,000) in the store: reports of 100,000
     records for 10 domains over 30 days, source IPs from a pool of 20,000
     per report, then the dashboard's API answers timed through the
     daemon (median of 3): domains, sources and readiness of the busiest
     domain, unapproved senders, one source IP, TLS.

  ingest_bench.py [--rows N] [--keep DIR]      (root: the daemon drops to
                                                nobody)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.path.insert(0, os.path.join(REPO, "test", "ingest"))
import testlib  # noqa: E402
import genreports  # noqa: E402

REPORT = os.path.join(REPO, "report", "authmilter-report")
AUTHMILTER = os.path.join(REPO, "milter", "authmilter")


def run(cmd):
    """(seconds, peak RSS kB, output) of one command."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=out)
        _, status, ru = os.wait4(p.pid, 0)
        out.seek(0)
        return (time.monotonic() - t0, ru.ru_maxrss,
                out.read().decode(errors="replace").strip())


MPORT = testlib.free_port()     # metrics.listen of the daemon


def conf(tmp, port=0):
    """The configuration of the runs."""
    path = os.path.join(tmp, "bench.conf")
    with open(path, "w") as f:
        f.write("""milter = { socket = "inet:%d@127.0.0.1"; user = "nobody"; };
reports = { store = "sqlite:%s/state/bench.db"; spool_dir = "%s/state/spool"; };
ingest = { quarantine_dir = "%s/state/q"; annotate = false;
  max_records = 10000000; max_report_size = 1073741824;
  max_message_size = 1073741824; };
dashboard = { listen = "127.0.0.1:%d"; assets_dir = "%s/dashboard"; };
metrics = { listen = "127.0.0.1:%d"; };
""" % (testlib.free_port(), tmp, tmp, tmp, port or testlib.free_port(),
            REPO, MPORT))
    os.chmod(path, 0o644)
    return path


def one_million(tmp, cfg):
    """Step 1."""
    path = os.path.join(tmp, "big.xml.gz")
    t0 = time.monotonic()
    total = genreports.big(1000000, path)
    gen = time.monotonic() - t0
    secs, rss, out = run([REPORT, "ingest", "-q", "-c", cfg, path])
    print("1,000,000 records (%d messages, %.1f MB gzip, made in %.0f s): "
          "ingested in %.1f s (%.0f records/s), peak RSS %.1f MB" %
          (total, os.path.getsize(path) / 1e6, gen, secs, 1e6 / secs,
           rss / 1024))
    print("  " + out.splitlines()[-1])
    os.unlink(path)


def fill(tmp, cfg, rows):
    """Step 2: ROWS rows in reports of 100,000 records."""
    per, n, t0 = 100000, 0, time.monotonic()
    path = os.path.join(tmp, "part.xml.gz")
    while n < rows:
        k = n // per
        genreports.big(per, path, rid="fill-%d" % k,
                       domain="d%d.example" % (k % 10), day=k % 30,
                       pool=20000)
        secs, rss, out = run([REPORT, "ingest", "-q", "-c", cfg, path])
        n += per
        if k % 10 == 0:
            print("  %d rows, last report %.1f s, RSS %.1f MB" %
                  (n, secs, rss / 1024))
            sys.stdout.flush()
    os.unlink(path)
    print("%d rows stored in %.0f s" % (n, time.monotonic() - t0))


def timed(url):
    """Median seconds of three GETs, and the size of the answer."""
    times, size = [], 0
    for _ in range(3):
        t0 = time.monotonic()
        with urllib.request.urlopen(url, timeout=600) as r:
            size = len(r.read())
        times.append(time.monotonic() - t0)
    return statistics.median(times), size


def pages(tmp, cfg, port):
    """Step 3: the API over the full store."""
    subprocess.run(["chown", "-R", "nobody", os.path.join(tmp, "state")])
    d = testlib.Daemon(AUTHMILTER, cfg, os.path.join(tmp, "d.log"))
    if not d.wait_up(120):
        print("daemon did not start:", d.text())
        return
    base = "http://127.0.0.1:%d/api/" % port
    until = "until=%d&days=30" % (genreports.DAY0 + 30 * 86400)

    def gauge():
        """The start's count of unapproved senders is done."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" %
                                        MPORT, timeout=10) as r:
                return b"authmilter_unapproved_sources " in r.read()
        except OSError:
            return False
    t0 = time.monotonic()
    testlib.wait_for(gauge, 600, 0.5)
    print("  start: the unapproved-senders gauge counted in %.1f s "
          "(a thread of its own)" % (time.monotonic() - t0))
    try:
        for name, q in (("domains", ""), ("sources", "domain=d0.example&"),
                        ("readiness", "domain=d0.example&"),
                        ("unapproved", ""),
                        ("source", "domain=d0.example&ip=10.0.0.7&"),
                        ("tls", "")):
            secs, size = timed(base + name + "?" + q + until)
            print("  GET /api/%-10s %7.2f s  (%d bytes)" % (name, secs, size))
            sys.stdout.flush()
    finally:
        d.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000000)
    ap.add_argument("--keep")
    ap.add_argument("--pages-only", action="store_true",
                    help="time the API over the store kept in --keep")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="authmilter-ingest-bench-")
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
    os.chmod(tmp, 0o755)
    port = testlib.free_port()
    cfg = conf(tmp, port)
    if a.pages_only:
        pages(tmp, cfg, port)
        return
    try:
        one_million(tmp, cfg)
        os.unlink(os.path.join(tmp, "state", "bench.db"))
        fill(tmp, cfg, a.rows)
        pages(tmp, cfg, port)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
