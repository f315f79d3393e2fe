#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DMARC aggregate reports on PostgreSQL (test/report).

A real PostgreSQL server (Debian's package) started by this test on
127.0.0.1 on a free port, with its own data directory in a temp dir (as the
postgres user); two authmilter processes write into it at the same time;
then the server is stopped in the middle of the traffic: messages are still
accepted, the records go to each daemon's spool and are replayed when the
server is back; one report carries the exact summed counts.  A role that
needs a password reaches the store through a password file (libpq's
passfile= in reports.store, PGPASSFILE for authmilter-report), so the
config holds no secret.  In databases of their own, records with fixed
dates (--now): the first and the last second of a day are in that day's
report, the second after in the next; the destination check: internal
and authorized destinations get the report, an override to another host
(loop) and a host without a record do not, a SERVFAIL (testdns on
loopback) defers only that destination to the next run.
"""

import glob
import os
import pwd
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402

wait_for = testlib.wait_for

T = rl.Tally("report-pg")


class Pg(object):
    """initdb + pg_ctl as the postgres user; only this instance is touched."""

    def __init__(self, tmp):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL server missing: apt-get install "
                               "postgresql")
        self.bin = os.path.dirname(bins[-1])
        self.data = os.path.join(tmp, "pgdata")
        self.sock = os.path.join(tmp, "pgsock")
        self.log = os.path.join(tmp, "pg.log")
        self.port = testlib.free_port()
        pw = pwd.getpwnam("postgres")
        for d in (self.data, self.sock):
            os.mkdir(d, 0o700)
            os.chown(d, pw.pw_uid, pw.pw_gid)
        open(self.log, "w").close()
        os.chown(self.log, pw.pw_uid, pw.pw_gid)
        self._as_pg([os.path.join(self.bin, "initdb"), "-D", self.data,
                     "-U", "postgres", "--auth=trust", "-E", "UTF8"], 120)
        # every role is trusted but PASSFILE_ROLE, which needs its
        # password (the first matching line wins)
        hba = os.path.join(self.data, "pg_hba.conf")
        with open(hba) as f:
            rest = f.read()
        with open(hba, "w") as f:
            f.write("host all %s 127.0.0.1/32 scram-sha-256\n" %
                    PASSFILE_ROLE + rest)
        self.uri = "postgresql://postgres@127.0.0.1:%d/postgres" % self.port

    def _as_pg(self, cmd, timeout):
        p = subprocess.run(["runuser", "-u", "postgres", "--"] + cmd,
                           capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (cmd[0], p.stderr.decode()[-500:]))

    def start(self):
        self._as_pg([os.path.join(self.bin, "pg_ctl"), "-D", self.data,
                     "-l", self.log, "-w", "-t", "60", "-o",
                     "-p %d -k %s -c listen_addresses=127.0.0.1 "
                     "-c fsync=off" % (self.port, self.sock), "start"], 90)

    def stop(self):
        self._as_pg([os.path.join(self.bin, "pg_ctl"), "-D", self.data,
                     "-m", "fast", "-w", "-t", "60", "stop"], 90)

    def running(self):
        return os.path.exists(os.path.join(self.data, "postmaster.pid"))

    def query(self, sql, db="postgres", user="postgres", env=None):
        p = subprocess.run(["psql", "-w", "-h", "127.0.0.1", "-p",
                            str(self.port), "-U", user, "-d", db, "-Atc",
                            sql], capture_output=True, timeout=30, env=env)
        self.err = p.stderr.decode(errors="replace")
        return p.stdout.decode().strip() if p.returncode == 0 else None


PASSFILE_ROLE = "reporter"
PASSFILE_SECRET = "only-in-the-passfile"


def test_passfile(pg, tmp):
    """reports.store without a password, for a role that needs one
    (scram-sha-256 in pg_hba.conf): the daemon gets it from libpq's
    passfile= parameter, authmilter-report from PGPASSFILE; without
    either the role is refused."""
    pg.query("CREATE ROLE %s LOGIN PASSWORD '%s'" % (PASSFILE_ROLE,
                                                   PASSFILE_SECRET))
    pg.query("CREATE DATABASE reports OWNER %s" % PASSFILE_ROLE)
    passfile = os.path.join(tmp, "pgpass")
    with open(passfile, "w") as f:
        f.write("127.0.0.1:%d:reports:%s:%s\n" % (pg.port, PASSFILE_ROLE,
                                                  PASSFILE_SECRET))
    nobody = pwd.getpwnam("nobody")     # the daemon's milter.user
    os.chown(passfile, nobody.pw_uid, nobody.pw_gid)
    os.chmod(passfile, 0o600)           # libpq ignores a looser one
    env = dict(os.environ, PGPASSFILE=os.devnull)
    T.check(pg.query("SELECT 1", "reports", PASSFILE_ROLE, env) is None and
            "password" in pg.err, "the role is refused without a password",
            pg.err)
    base = "postgresql://%s@127.0.0.1:%d/reports" % (PASSFILE_ROLE, pg.port)
    spool = os.path.join(tmp, "spool-passfile")
    os.mkdir(spool)
    os.chmod(spool, 0o777)
    port = testlib.free_port()
    conf = os.path.join(tmp, "passfile.conf")
    rl.write_config(conf, port, base + "?passfile=" + passfile, spool)
    d = testlib.Daemon(rl.DAEMON, conf, os.path.join(tmp, "passfile.log"))
    try:
        T.check(d.wait_up(), "daemon with a passfile= store up",
                d.text()[-500:])
        err = parallel([(port, rl.GOOD_IP, 3, "P", "accept")])
        T.check(not err, "three messages", err[:3])
        n = lambda: pg.query("SELECT count(*) FROM records", "reports")
        T.check(wait_for(lambda: n() == "3", 30), "3 records stored "
                "through the passfile", "%s %s" % (n(), d.text()[-500:]))
    finally:
        T.check(d.stop() == 0, "daemon with a passfile= store stops")
    conf = os.path.join(tmp, "nopass.conf")
    rl.write_config(conf, port, base, spool)
    out = os.path.join(tmp, "dry-passfile")
    os.mkdir(out)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    os.environ["PGPASSFILE"] = os.devnull
    try:
        rc, so, se = rl.run_report(conf, "--period", date, "--dry-run", out)
        T.check(rc != 0 and "password" in se, "authmilter-report without "
                "the password fails", "%d %s" % (rc, se[-300:]))
        os.environ["PGPASSFILE"] = passfile
        rc, so, se = rl.run_report(conf, "--period", date, "--dry-run", out)
    finally:
        del os.environ["PGPASSFILE"]
    files = [f for f in rl.gz_files(out) if "!a.example!" in f]
    T.check(rc == 0 and len(files) == 1, "authmilter-report with "
            "PGPASSFILE reads the store", so + se)


def count(pg):
    v = pg.query("SELECT count(*) FROM records")
    return int(v) if v is not None and v.isdigit() else -1


def burst(port, ip, n, tag, want, errors):
    for i in range(n):
        try:
            t0 = time.time()
            act = rl.send(port, ip, "x@a.example", "a@a.example",
                          qid="%s%d" % (tag, i))
            took = time.time() - t0
            ok = (act in ("accept", "continue")) if want == "accept" \
                else act == want
            if not ok or took > 5:
                errors.append("%s%d: %s in %.1fs" % (tag, i, act, took))
        except Exception as e:  # noqa: BLE001 - reported as a failure
            errors.append("%s%d: %s" % (tag, i, e))


def parallel(jobs):
    errors = []
    ts = [threading.Thread(target=burst, args=j + (errors,)) for j in jobs]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return errors


def load(tmp, port, n):
    """N messages from the load client at concurrency 8."""
    prog = testlib.program("milterload")
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus, exist_ok=True)
    with open(os.path.join(corpus, "a-good"), "w") as f:
        f.write("X-Load-Client-IP: %s\nX-Load-Mail-From: <x@a.example>\n"
                "X-Load-Rcpt: <user@rcpt.example>\n"
                "From: <u@a.example>\nTo: <r@rcpt.example>\n"
                "Subject: load\n\nbody\n" % rl.GOOD_IP)
    p = subprocess.run([prog, "-s", "inet:%d@127.0.0.1" % port, "-c", "8",
                        "-n", str(n), corpus], capture_output=True,
                       timeout=300)
    return p.returncode == 0 and ("messages=%d errors=0" % n) in \
        p.stdout.decode(errors="replace")


def fixture_store(pg, tmp, name, lines, *more, **kw):
    """A database NAME of its own on the server, a config for it (more
    write_config settings in MORE, options in KW) and a spool of LINES;
    the config's path."""
    T.check(pg.query("CREATE DATABASE %s" % name) is not None,
            "database %s" % name)
    base = os.path.join(tmp, name)
    spool = os.path.join(base, "spool")
    os.makedirs(spool)
    with open(os.path.join(spool, "fixture-1.spool"), "w") as f:
        f.writelines(lines)
    conf = os.path.join(base, "authmilter.conf")
    rl.write_config(conf, testlib.free_port(), pg.uri.rsplit("/", 1)[0] +
                    "/" + name, spool, *more, **kw)
    return conf


def check_period(pg, tmp):
    """The first and the last second of a day are in its report, the
    second after in the next day's (records with fixed dates, --now)."""
    conf = fixture_store(pg, tmp, "period", rl.edge_lines())
    now = ("--now", str(rl.NOW))
    _, _, got = rl.check_reports(T, conf, tmp, [rl.DAY1],
                                 rl.with_edges(rl.DAY1, {}), *now)
    rl.check_edge_policy(T, got)
    rl.check_reports(T, conf, tmp, [rl.DAY2], rl.with_edges(rl.DAY2, {}),
                     *now)


# destinations of the check (RFC 9990 section 4): domain -> the rua
# address; hosts under example.net are external, asked of testdns
DEST = {
    "k.example": "dmarc@k.example",             # internal
    "n.example": "rep@ok.example.net",          # authorized
    "l.example": "rep@loop.example.net",        # override to another host
    "m.example": "rep@gone.example.net",        # no record
    "p.example": "rep@flaky.example.net",       # SERVFAIL, then authorized
}
OKNAME = "n.example._report._dmarc.ok.example.net"
LOOPNAME = "l.example._report._dmarc.loop.example.net"
FLAKY = "p.example._report._dmarc.flaky.example.net"


def dest_zone(broken):
    txt = [{"type": "TXT", "data": "v=DMARC1"}]
    z = {"names": {OKNAME: txt, LOOPNAME: [{
        "type": "TXT",
        "data": "v=DMARC1; rua=mailto:x@elsewhere.example.net"}]}}
    if broken:
        z["servfail"] = [FLAKY]
    else:
        z["names"][FLAKY] = txt
    return z


def dest_run(pg, conf, mails, seen, n, want):
    """Run N: exit status, what was sent, said and marked sent."""
    code, sent, deferred, marked = want
    rc, so, se = rl.run_report(conf, "--period", rl.date_of(rl.DAY1),
                               "--now", str(rl.NOW))
    w = "destinations run %d: " % n
    got = rl.sent_mail(mails, seen)
    T.check(rc == code, w + "exit %d" % code, (rc, so, se))
    T.check(sorted(got) == sorted(sent), w + "sends exactly %s" % sorted(
        sent), got)
    T.check(rl.lines_with(so, "deferred (DNS)") == deferred and all(
        "temporary DNS failure" in x for x in so.splitlines()
        if "deferred (DNS)" in x), w + "SERVFAIL deferred, not refused", so)
    T.check(rl.lines_with(so, "not authorized") == {
        ("l.example", DEST["l.example"]), ("m.example", DEST["m.example"])},
        w + "no record and the loop: not authorized", so)
    T.check(any(x.startswith("l.example %s: not authorized: %s: rua "
                             "override names another host" % (
                                 DEST["l.example"], LOOPNAME))
                for x in so.splitlines()), w + "the loop named", so)
    rows = pg.query("SELECT policy_domain || ' ' || destination FROM "
                    "reports_sent ORDER BY 1", db="dest")
    T.check(rows is not None and set(tuple(x.split()) for x in
                                     rows.splitlines()) == marked,
            w + "marked sent: exactly what went out", rows)


def check_destinations(pg, tmp):
    """Internal, authorized, loop, no record and SERVFAIL destinations on
    PostgreSQL: run 1 sends the first two, refuses the loop and the host
    without a record, defers the SERVFAIL (exit 1); run 2, DNS repaired,
    sends only the deferred one."""
    import testdns

    mails = os.path.join(tmp, "dest-mails")
    os.mkdir(mails)
    fake = os.path.join(tmp, "dest-sendmail")
    open(os.path.join(tmp, "dest-fail"), "w").close()
    with open(fake, "w") as f:
        f.write(rl.SENDMAIL % {"fail": os.path.join(tmp, "dest-fail"),
                               "dir": mails})
    os.chmod(fake, 0o755)
    lines = [rl.spool_line("dest-%s" % d, rl.DAY1 + 3600, d, rl.GOOD_IP,
                           "pass", rua="mailto:" + a)
             for d, a in sorted(DEST.items())]
    first = {(d, DEST[d]) for d in ("k.example", "n.example")}
    later = {("p.example", DEST["p.example"])}
    dns = testdns.TestDNSServer(dest_zone(True)).start()
    try:
        conf = fixture_store(pg, tmp, "dest", lines,
                             {"dns": {"nameservers": ["127.0.0.1@%d" %
                                                      dns.port],
                                      "timeout": 1}}, sendmail=fake)
        seen = set()
        dest_run(pg, conf, mails, seen, 1, (1, first, later, first))
        dns.reload(dest_zone(False))
        dest_run(pg, conf, mails, seen, 2, (0, later, set(),
                                               first | later))
        asked = {q[1].lower().rstrip(".") for q in dns.queries()}
        T.check({OKNAME, LOOPNAME, FLAKY} <= asked, "the lookups reached "
                "the DNS server", sorted(asked))
    finally:
        dns.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="authmilter-report-pg-")
    os.chmod(tmp, 0o755)
    keep = "-k" in sys.argv
    daemons, pg = [], None
    try:
        pg = Pg(tmp)
        pg.start()
        T.check(pg.query("SELECT 1") == "1", "PostgreSQL up on 127.0.0.1")
        check_period(pg, tmp)
        check_destinations(pg, tmp)
        confs, ports, spools = [], [], []
        for i in (1, 2):
            spool = os.path.join(tmp, "spool%d" % i)
            os.mkdir(spool)
            os.chmod(spool, 0o777)
            port = testlib.free_port()
            conf = os.path.join(tmp, "authmilter%d.conf" % i)
            rl.write_config(conf, port, pg.uri, spool)
            d = testlib.Daemon(rl.DAEMON, conf,
                               os.path.join(tmp, "daemon%d.log" % i))
            daemons.append(d)
            confs.append(conf)
            ports.append(port)
            spools.append(spool)
            T.check(d.wait_up(), "daemon %d up" % i, d.text()[-500:])
        # two daemons writing into one database at once
        t0 = time.time()
        err = parallel([(ports[0], rl.GOOD_IP, 20, "A", "accept"),
                        (ports[1], rl.GOOD_IP, 15, "B", "accept"),
                        (ports[1], rl.BAD_IP, 5, "C", "reject")])
        T.check(not err, "concurrent traffic", err[:5])
        T.check(wait_for(lambda: count(pg) == 40, 30),
                "40 records from two daemons", count(pg))
        T.check(pg.query("SELECT max(version) FROM schema_version") == "2",
                "schema_version 2")
        # a burst through the load client: multi-row inserts on PostgreSQL
        T.check(load(tmp, ports[0], 1000), "1000 messages by milterload")
        T.check(wait_for(lambda: count(pg) == 1040, 60),
                "1040 records after the burst", count(pg))
        # the store goes away mid-traffic
        pg.stop()
        err = parallel([(ports[0], rl.GOOD_IP, 10, "D", "accept"),
                        (ports[1], rl.BAD_IP, 6, "E", "reject")])
        T.check(not err, "messages accepted (and rejected by policy) "
                "without the store, no delay", err[:5])
        T.check(wait_for(lambda: all(rl.spooled(s) for s in spools), 30),
                "records spooled by both daemons",
                [os.listdir(s) for s in spools])
        T.check(all(d.alive() for d in daemons), "daemons still running")
        # a restart while the store is away: the queue drains to the spool
        T.check(daemons[1].stop() == 0, "daemon 2 stops during the outage")
        daemons[1] = testlib.Daemon(rl.DAEMON, confs[1],
                                    os.path.join(tmp, "daemon2b.log"))
        T.check(daemons[1].wait_up(), "daemon 2 restarted")
        pg.start()
        # each writer retries every 2 s; one more message wakes it
        parallel([(ports[0], rl.GOOD_IP, 1, "F", "accept"),
                  (ports[1], rl.GOOD_IP, 1, "G", "accept")])
        T.check(wait_for(lambda: count(pg) == 1058, 40),
                "every record replayed exactly once, none lost in the "
                "restart (1058)", count(pg))
        T.check(wait_for(lambda: not any(rl.spooled(s) for s in spools),
                         10), "spools empty",
                [os.listdir(s) for s in spools])
        for i, d in enumerate(daemons):
            T.check(d.stop() == 0, "daemon %d stops cleanly" % (i + 1))
        # the journals too: a graceful stop removes them
        T.check(not any(os.listdir(s) for s in spools), "spool "
                "directories empty after the stop",
                [os.listdir(s) for s in spools])
        for i, log in enumerate(("daemon1.log", "daemon2.log")):
            with open(os.path.join(tmp, log), errors="replace") as f:
                txt = f.read()
            T.check("report store" in txt and "spool" in txt,
                    "daemon %d logged the outage" % (i + 1))
        daemons = []
        T.check(count(pg) == 1058, "nothing lost or doubled at stop",
                count(pg))
        # the records carry the clock's time: report every day they span
        ok, so, files = rl.dry_reports(confs[0], os.path.join(tmp, "dry"),
                                       rl.day_span(t0, time.time()))
        T.check(ok, "authmilter-report on PostgreSQL", so)
        files = [f for _, f in files if "!a.example!" in f]
        if T.check(files, "a report for a.example", so):
            sums = {}
            for n, path in enumerate(files):
                xml = rl.read_gz(path)
                plain = os.path.join(tmp, "a%d.xml" % n)
                with open(plain, "wb") as f:
                    f.write(xml)
                e = rl.xmllint(plain)
                T.check(e is None, "xmllint", e)
                for r in rl.parse(xml)["rows"]:
                    k = (r["ip"], r["disposition"])
                    sums[k] = sums.get(k, 0) + r["count"]
            rows = sorted((k[0], k[1], c) for k, c in sums.items())
            T.check(rows == [(rl.GOOD_IP, "pass", 1047),
                             (rl.BAD_IP, "reject", 11)],
                    "summed counts", rows)
        test_passfile(pg, tmp)
    except RuntimeError as e:
        T.check(False, "setup", str(e))
    finally:
        for d in daemons:
            d.stop()
        if pg is not None and pg.running():
            try:
                pg.stop()
            except RuntimeError as e:
                print("pg stop: %s" % e)
        testlib.remove_tmp(tmp, keep)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
