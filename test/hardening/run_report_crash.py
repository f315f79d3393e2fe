#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Report records of answered messages survive kill -9 (report-crash).

Six senders at once talk the milter protocol to the daemon (SQLite report
store); right after the 15th, 30th and 45th answer the thread that got it
kills the daemon with SIGKILL, and the test starts it again. A message
whose transaction the kill cut off is sent again, as an MTA would, once
the daemon listens. Each attempt has a recipient domain of its own
(mNN-aK.rcpt.example), which the record keeps as envelope_to, so every
record names its message and attempt. Two rounds: with the store free
(the writer thread commits within milliseconds, so a kill catches a few
records on their way), and with the store busy (the test holds a write
transaction open until the senders are done, so the writer waits and
every record answered since the daemon started is on its way when the
kill comes). After a graceful stop at the end of each round:

  * every answered attempt has exactly one record: none lost with the
    killed daemon, none doubled by the replay of its journal;
  * an attempt the kill cut off has at most one;
  * no two records share a uid, and the spool directory is empty (the
    journals of the killed daemons were taken in and removed).

    run_report_crash.py [--messages 60] [--senders 6] [-k]

Ends with "report-crash: N passed, N failed".
"""

import os
import signal
import sqlite3
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "report"))

import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402

T = rl.Tally("report-crash")
KILL_AFTER = (15, 30, 45)       # answers after which the daemon dies
TRIES = 20                      # attempts per message, at most


class Run(object):
    """The daemon of the moment and what the senders saw."""

    def __init__(self, tmp, conf, port):
        self.tmp, self.conf, self.port = tmp, conf, port
        self.lock = threading.Lock()
        self.up = threading.Event()
        self.answered = []          # (message, attempt)
        self.warm = []              # the first message, before the lock
        self.cut = []               # attempts without an answer
        self.kills = 0
        self.daemon = None
        self.starts = 0

    def start(self):
        self.starts += 1
        self.daemon = testlib.Daemon(rl.DAEMON, self.conf, os.path.join(
            self.tmp, "daemon%d.log" % self.starts))
        ok = self.daemon.wait_up()
        if ok:
            self.up.set()
        return ok

    def answer(self, msg, attempt):
        """Note an answer; the daemon dies right after some of them."""
        with self.lock:
            self.answered.append((msg, attempt))
            if len(self.answered) in KILL_AFTER:
                self.up.clear()
                self.daemon.proc.send_signal(signal.SIGKILL)
                self.kills += 1


def rcpt(msg, attempt):
    return "m%02d-a%d.rcpt.example" % (msg, attempt)


def sender(run, msgs):
    for msg in msgs:
        for attempt in range(1, TRIES + 1):
            if not run.up.wait(60):
                break
            try:
                act = rl.send(run.port, rl.GOOD_IP, "x@a.example",
                              "a@a.example", qid="M%dA%d" % (msg, attempt),
                              rcpt="u@" + rcpt(msg, attempt))
            except (OSError, rl.MilterError):
                with run.lock:
                    run.cut.append((msg, attempt))
                continue
            if act in ("accept", "continue"):
                run.answer(msg, attempt)
            break


def restarts(run, threads):
    """Start the daemon again after each kill, until the senders end."""
    while any(t.is_alive() for t in threads):
        if run.daemon.proc.poll() is not None and run.starts <= len(
                KILL_AFTER):
            T.check(run.start(), "daemon %d up after kill -9 (port %d)" % (
                run.starts, run.port), run.daemon.text()[-500:])
        time.sleep(0.01)


def check_store(what, db, run, spool):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT envelope_to, uid FROM records").fetchall()
    con.close()
    per = {}
    for to, _ in rows:
        per[to] = per.get(to, 0) + 1
    answered = run.answered + run.warm
    lost = [rcpt(m, a) for m, a in answered if per.get(rcpt(m, a)) is None]
    twice = [rcpt(m, a) for m, a in answered if per.get(rcpt(m, a), 0) > 1]
    T.check(not lost, what + "every answered message is in the store "
            "(%d)" % len(answered), "%d missing: %s" % (len(lost),
                                                        lost[:8]))
    T.check(not twice, what + "none twice", twice[:8])
    T.check(all(per.get(rcpt(m, a), 0) <= 1 for m, a in run.cut),
            what + "a cut-off attempt at most once", run.cut)
    known = {rcpt(m, a) for m, a in answered + run.cut}
    T.check(set(per) <= known, what + "no record of an attempt never made",
            sorted(set(per) - known)[:8])
    T.check(len({u for _, u in rows}) == len(rows), what + "uids unique")
    T.check(not os.listdir(spool), what + "spool empty: journals taken in",
            os.listdir(spool))
    print("%s%d answered, %d cut off and sent again, %d records" % (
        what, len(answered), len(run.cut), len(rows)))


def hold(db, run):
    """The store busy: a write transaction of ours, after one record."""
    act = rl.send(run.port, rl.GOOD_IP, "x@a.example", "a@a.example",
                  qid="W", rcpt="u@" + rcpt(99, 1))
    if act in ("accept", "continue"):
        run.warm.append((99, 1))

    def count():
        # read-only and never creating: the daemon (nobody) makes the file
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            try:
                return c.execute("SELECT count(*) FROM records").fetchone()[0]
            finally:
                c.close()
        except sqlite3.OperationalError:
            return -1       # before the daemon made the schema
    T.check(testlib.wait_for(lambda: count() == 1, 15),
            "busy: the first record is in", count())
    con = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=5,
                          isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


def one_round(tmp, n, k, busy):
    """N messages from K senders, three kills; then the store checked."""
    what = "busy: " if busy else "free: "
    base = os.path.join(tmp, "busy" if busy else "free")
    spool = os.path.join(base, "spool")
    os.makedirs(spool)
    os.chmod(base, 0o777)
    os.chmod(spool, 0o777)
    db = os.path.join(base, "reports.db")
    conf = os.path.join(base, "authmilter.conf")
    port = testlib.free_port()
    rl.write_config(conf, port, "sqlite:" + db, spool)
    run, con = Run(base, conf, port), None
    try:
        if not T.check(run.start(), what + "daemon up",
                       run.daemon.text()[-500:]):
            return
        if busy:
            con = hold(db, run)
        threads = [threading.Thread(target=sender, args=(run, range(
            i, n, k))) for i in range(k)]
        for t in threads:
            t.start()
        restarts(run, threads)
        for t in threads:
            t.join(60)
        if con is not None:
            con.execute("ROLLBACK")
            con.close()
            con = None
        T.check(run.kills == len(KILL_AFTER), what + "killed %d times" %
                len(KILL_AFTER), run.kills)
        T.check(len({m for m, _ in run.answered}) == n, what +
                "all %d messages answered in the end" % n,
                len(run.answered))
        T.check(run.daemon.stop() == 0, what + "last daemon stops "
                "cleanly", run.daemon.text()[-500:])
        check_store(what, db, run, spool)
    finally:
        if con is not None:
            con.close()
        if run.daemon is not None:
            run.daemon.stop()


def main():
    n = int(sys.argv[sys.argv.index("--messages") + 1]) \
        if "--messages" in sys.argv else 60
    k = int(sys.argv[sys.argv.index("--senders") + 1]) \
        if "--senders" in sys.argv else 6
    tmp = tempfile.mkdtemp(prefix="authmilter-report-crash-")
    os.chmod(tmp, 0o755)
    try:
        one_round(tmp, n, k, False)
        one_round(tmp, n, k, True)
    finally:
        testlib.remove_tmp(tmp, "-k" in sys.argv)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
