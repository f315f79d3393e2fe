#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DMARC failure reports (RFC 9991) on PostgreSQL: several MX hosts.

A PostgreSQL server of the test's own on 127.0.0.1 (run_pg.Pg); two
daemons (two "MX hosts", each with its spool) record into it, and
authmilter-report --failures sends through a sendmail stand-in:

  pg-dedup        one message that reached both hosts: one report,
                  Incidents: 2
  pg-rate         reports.failure.rate_destination = 2 counts what was
                  sent for both hosts' records: two sent, one discarded
  pg-rate-restart after a restart of a daemon, the limit still holds
  pg-two-senders  two authmilter-report runs at once (two hosts with the
                  timer): every report goes out exactly once

    /usr/bin/python3 test/report/run_failure_pg.py [-k]     (as root)
Ends with "failure-pg: N passed, N failed".
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failurelib as fl  # noqa: E402
import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402
from run_pg import Pg  # noqa: E402

T = rl.Tally("failure-pg")


def host(tmp, n, uri, sendmail, **fail):
    """One MX host's daemon on the shared store: (daemon, port, conf)."""
    spool = os.path.join(tmp, "spool%d" % n)
    os.makedirs(spool, exist_ok=True)
    os.chmod(spool, 0o777)
    port = testlib.free_port()
    conf = os.path.join(tmp, "host%d.conf" % n)
    fl.write_config(conf, port, uri, spool, {"reports": {"failure": fail}},
                    sendmail=sendmail)
    d = testlib.Daemon(rl.DAEMON, conf, os.path.join(tmp, "host%d-%d.log" %
                                                     (n, time.time_ns())))
    T.check(d.wait_up(), "host %d up" % n, d.text()[-500:])
    return d, port, conf


def incidents(mails):
    out = {}
    for to, m in mails:
        fb = fl.parts(m)[1]
        out[(fb["Reported-Domain"], to)] = out.get((fb["Reported-Domain"],
                                                    to), []) + \
            [fb["Incidents"]]
    return out


def check_hosts(pg, tmp):
    sendmail, mails = fl.fake_sendmail(tmp)
    seen = set()
    uri = pg.uri
    h1, p1, conf = host(tmp, 1, uri, sendmail, rate_destination=2)
    h2, p2, _ = host(tmp, 2, uri, sendmail, rate_destination=2)
    now = int(time.time())
    # the same message at both hosts (a retry to the backup MX)
    fl.send(p1, fl.BAD_IP, "a@red.example", "same")
    fl.send(p2, fl.BAD_IP, "a@red.example", "same")
    for i, port in enumerate((p1, p1, p2)):
        fl.send(port, fl.BAD_IP, "a@rate.example", "r%d" % i)
    T.check(h1.stop() == 0 and h2.stop() == 0, "hosts stop cleanly")
    rc, out = fl.run_failures(conf, now)
    got = incidents(fl.mails(mails, seen))
    T.check(got.get(("red.example", "ruf@red.example")) == ["2"],
            "pg-dedup: one report, Incidents: 2", (got, out))
    T.check(len(got.get(("rate.example", "ruf@rate.example"), [])) == 2 and
            out.count("rate limited") == 1, "pg-rate: two sent, one "
            "discarded", out)
    h1, p1, conf = host(tmp, 1, uri, sendmail, rate_destination=2)
    fl.send(p1, fl.BAD_IP, "a@rate.example", "r9")
    T.check(h1.stop() == 0, "host 1 stops again")
    rc, out = fl.run_failures(conf, now + 60)
    T.check(not fl.mails(mails, seen) and "rate limited" in out,
            "pg-rate-restart: the limit holds after a restart", out)
    return sendmail, mails, seen


def check_two_senders(pg, tmp, sendmail, mails, seen):
    """Two senders at once: each report once, none past the limit."""
    h, port, conf = host(tmp, 3, pg.uri, sendmail, rate_destination=100)
    for i in range(6):
        fl.send(port, fl.BAD_IP, "a@none.example", "two%d" % i)
    T.check(h.stop() == 0, "host 3 stops cleanly")
    cmd = [rl.REPORT, "-c", conf, "--failures"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].decode(errors="replace")
            for p in procs]
    got = [m for to, m in fl.mails(mails, seen) if to == "ruf@none.example"]
    ids = sorted(m["Subject"] + fl.parts(m)[2].get_payload().split(
        "Message-ID: ")[1].split("\n")[0] for m in got)
    T.check(len(got) == 6 and len(set(ids)) == 6, "pg-two-senders: six "
            "reports, each once", (len(got), outs))


def main():
    tmp = tempfile.mkdtemp(prefix="authmilter-failure-pg-")
    os.chmod(tmp, 0o755)
    pg = None
    try:
        pg = Pg(tmp)
        pg.start()
        T.check(pg.query("SELECT 1") == "1", "PostgreSQL up on 127.0.0.1")
        state = check_hosts(pg, tmp)
        check_two_senders(pg, tmp, *state)
        T.check(pg.query("SELECT max(version) FROM schema_version") == "2",
                "schema version 2")
    except RuntimeError as e:
        T.check(False, "setup", str(e))
    finally:
        if pg is not None and pg.running():
            try:
                pg.stop()
            except RuntimeError as e:
                print("pg stop: %s" % e)
        testlib.remove_tmp(tmp, "-k" in sys.argv)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
