#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DMARC aggregate reports on the embedded SQLite store (test/report).

A multi-day, multi-domain fixture (records replayed from a spool file, with
chosen timestamps, in a store of its own and reported with --now, so that
neither the period nor retention depends on today's date) plus messages
driven through the real daemon (reported for the days they were stamped
in, also over midnight); every
report validated with xmllint against the RFC 9990 XSD and checked row by
row; destinations: internal, verified external, unauthorized external, our
own address, reports.suppress, !size; sending through a sendmail stand-in,
once per period unless --force; retention expiry; destinations deferred by
a DNS temperror or a failing sendmail and sent by the next run (retry.py).
"""

import email
import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reportlib as rl  # noqa: E402
import retry  # noqa: E402
from reportlib import testlib  # noqa: E402

T = rl.Tally("report-sqlite")
DAY1, DAY2, NOW = rl.DAY1, rl.DAY2, rl.NOW
RETAIN = 31 * 86400     # reports.retention_days, the default


def fixture(spool):
    """Two days: known counts per (domain, ip, disposition)."""
    lines, n = [], 0
    plan = [  # day, domain, ip, disposition, spf_eval, how many
        (DAY1, "a.example", rl.GOOD_IP, "pass", "pass", 5),
        (DAY1, "a.example", rl.BAD_IP, "reject", "fail", 3),
        (DAY1, "b.example", rl.GOOD_IP, "pass", "pass", 2),
        (DAY2, "a.example", rl.GOOD_IP, "pass", "pass", 7),
        (DAY2, "b.example", rl.BAD_IP, "quarantine", "fail", 4),
    ]
    for day, dom, ip, dis, spf, k in plan:
        for i in range(k):
            n += 1
            lines.append(rl.spool_line("fixture%04d" % n, day + 3600 + i,
                                       dom, ip, dis, spf_eval=spf))
    lines += rl.edge_lines()
    # retention counts from --now: the cut is NOW - 31 days, whatever
    # today's date is
    for uid, ts in (("ancient", DAY1 - 400 * 86400),
                    ("expired", NOW - RETAIN - 1), ("retained", NOW - RETAIN)):
        lines.append(rl.spool_line(uid, ts, "a.example", rl.GOOD_IP, "pass"))
    with open(os.path.join(spool, "fixture-1.spool"), "w") as f:
        f.writelines(lines)


def drive(port):
    """Today's messages through the daemon; the actions seen."""
    plan = [  # ip, mailfrom, author, count, action
        (rl.GOOD_IP, "x@a.example", "a@a.example", 3, "accept"),
        (rl.BAD_IP, "x@a.example", "a@a.example", 2, "reject"),
        (rl.GOOD_IP, "x@b.example", "b@b.example", 2, "accept"),
        (rl.BAD_IP, "x@b.example", "b@b.example", 1, "accept"),
        (rl.GOOD_IP, "x@c.example", "c@c.example", 1, "accept"),
        (rl.GOOD_IP, "x@d.example", "d@d.example", 1, "accept"),
        (rl.GOOD_IP, "x@e.example", "e@e.example", 1, "accept"),
        (rl.GOOD_IP, "x@f.example", "f@f.example", 1, "accept"),
        (rl.BAD_IP, "x@t.example", "t@t.example", 1, "accept"),
        (rl.GOOD_IP, "x@g.example", "g@g.example", 1, "accept"),
    ]
    n = 0
    for ip, mf, author, k, want in plan:
        for _ in range(k):
            n += 1
            act, quarantined = rl.send(port, ip, mf, author,
                                       qid="Q%d" % n, full=True)
            if want == "accept":
                ok = act in ("accept", "continue") and not quarantined
            else:
                ok = act == want
            T.check(ok, "message %d from %s: %s" % (n, author, want), act)


def check_today(conf, tmp, days):
    """The daemon's records: stamped with the clock, in DAYS."""
    want = {
        "a.example": [(rl.GOOD_IP, "pass", "pass", 3, ()),
                      (rl.BAD_IP, "reject", "fail", 2, ())],
        "b.example": [(rl.GOOD_IP, "pass", "pass", 2, ()),
                      (rl.BAD_IP, "none", "fail", 1, ("local_policy",))],
        "c.example": [(rl.GOOD_IP, "pass", "pass", 1, ())],
        "d.example": [(rl.GOOD_IP, "pass", "pass", 1, ())],
        "e.example": [(rl.GOOD_IP, "pass", "pass", 1, ())],
        "f.example": [(rl.GOOD_IP, "pass", "pass", 1, ())],
        "g.example": [(rl.GOOD_IP, "pass", "pass", 1, ())],
        "t.example": [(rl.BAD_IP, "none", "fail", 1,
                       ("policy_test_mode", "local_policy"))],
    }
    out, so, got = rl.check_reports(T, conf, tmp, days, want)
    lines = so.splitlines()
    expect = {
        "a.example dmarc@a.example: written": "internal destination",
        "b.example rep@reports.example: written": "verified external",
        "c.example rep@unauth.example: not authorized": "unverified",
        "d.example %s: suppressed: our own" % rl.OWN: "own address",
        "e.example tiny@e.example: too large": "!size",
        "f.example x@suppressed.example: suppressed: in reports.suppress":
            "reports.suppress",
        "t.example dmarc@t.example: written": "t=y domain",
        "g.example r@ext.example: not authorized: g.example._report._dmarc."
        "ext.example: rua override names another host": "override loop",
    }
    for prefix, what in expect.items():
        T.check(any(x.startswith(prefix) for x in lines), what, so)
    if "a.example" in got:
        r = [x for rep in got["a.example"] for x in rep["rows"]
             if x["ip"] == rl.GOOD_IP]
        T.check(r and r[0]["header_from"] == "a.example" and
                r[0]["envelope_from"] == "a.example" and
                r[0]["envelope_to"] == "rcpt.example" and
                r[0]["spf_domain"] == "a.example" and
                r[0]["spf_result"] == "pass", "identifiers and SPF", r)
        pol = got["a.example"][0]["policy"]
        T.check(pol.get("p") == "reject" and pol.get("domain") ==
                "a.example" and pol.get("discovery_method") == "treewalk",
                "policy_published", pol)
    if "b.example" in got:
        pol = got["b.example"][0]["policy"]
        T.check(pol.get("sp") == "none" and pol.get("adkim") == "s",
                "policy_published sp/adkim", pol)


def check_yesterday(conf, tmp):
    """Without --period the report is for the day before --now's."""
    out = os.path.join(tmp, "yesterday")
    os.mkdir(out)
    rc, so, se = rl.run_report(conf, "--now", "2026-11-03T00:15:00Z",
                               "--dry-run", out)
    names = rl.gz_files(out)
    T.check(rc == 0 and len(names) == 2 and all(
        "!%d!%d.xml.gz" % (DAY2, DAY2 + 86399) in f for f in names),
        "--now 2026-11-03T00:15:00Z: yesterday is 2026-11-02", (names, so,
                                                                 se))


def check_send(conf, db, tmp, dryout):
    """The fixture's first day through the sendmail stand-in, at --now."""
    mails = os.path.join(tmp, "mails")
    now = ("--now", str(NOW))
    date = rl.date_of(DAY1)
    rc, so, se = rl.run_report(conf, "--period", date, *now)
    T.check(rc == 0, "send exit", so + se)
    sent = sorted(os.listdir(mails))
    T.check(len([f for f in sent if f.endswith(".eml")]) == 2,
            "two reports sent (a, b)", sent)
    for f in (x for x in sent if x.endswith(".eml")):
        with open(os.path.join(mails, f), "rb") as fp:
            msg = email.message_from_bytes(fp.read())
        subj = " ".join(msg["Subject"].split())
        dom = subj.split()[2] if len(subj.split()) > 2 else "?"
        T.check(subj.startswith("Report Domain: %s Submitter: "
                                "ourorg.example Report-ID: <" % dom),
                "subject %s" % f, subj)
        parts = [p for p in msg.walk()
                 if p.get_content_type() == "application/gzip"]
        if not T.check(len(parts) == 1, "one gzip part %s" % f):
            continue
        name = parts[0].get_filename()
        data = parts[0].get_payload(decode=True)
        ref = os.path.join(dryout, str(DAY1), name)
        T.check(os.path.exists(ref) and rl.read_gz(ref) ==
                gzip.decompress(data),
                "attachment %s is the validated XML" % name)
    con = sqlite3.connect(db)
    marks = con.execute("SELECT policy_domain, sent_at FROM reports_sent"
                        ).fetchall()
    con.close()
    T.check(sorted(marks) == [("a.example", NOW), ("b.example", NOW)],
            "reports_sent marked at --now", marks)
    rc, so, se = rl.run_report(conf, "--period", date, *now)
    T.check(rc == 0 and so.count("already sent") == 2 and
            len(os.listdir(mails)) == len(sent), "rerun sends nothing", so)
    rc, so, se = rl.run_report(conf, "--period", date, "--force", *now)
    T.check(rc == 0 and so.count(": sent") == 2, "--force sends again", so)


def one_report(tmp, name, domain, what, *more):
    """A daemon of its own (write_config with MORE on top), one failing
    message from BAD_IP for DOMAIN, and the report for DOMAIN checked
    against the XSD: (the store path, the parsed report), or None."""
    base = os.path.join(tmp, name)
    os.mkdir(base)
    os.chmod(base, 0o777)
    port = testlib.free_port()
    path = os.path.join(base, "authmilter.conf")
    db = os.path.join(base, "r.db")
    rl.write_config(path, port, "sqlite:" + db, os.path.join(base, "spool"),
                    *more)
    d = testlib.Daemon(rl.DAEMON, path, os.path.join(base, "daemon.log"))
    try:
        if not T.check(d.wait_up(), "%s daemon up" % name, d.text()[-500:]):
            return None
        t0 = time.time()
        act = rl.send(port, rl.BAD_IP, "x@" + domain, "a@" + domain)
        t1 = time.time()
        T.check(act in ("accept", "continue"), "%s: accepted" % what, act)
    finally:
        T.check(d.stop() == 0, "%s daemon stops cleanly" % name)
    ok, so, files = rl.dry_reports(path, os.path.join(base, "dry"),
                                   rl.day_span(t0, t1))
    files = [f for _, f in files if "!%s!" % domain in f]
    if not T.check(ok and len(files) == 1, "%s: a report" % what, so):
        return None
    xml = rl.read_gz(files[0])
    plain = os.path.join(base, "r.xml")
    with open(plain, "wb") as f:
        f.write(xml)
    T.check(rl.xmllint(plain) is None, "%s: report valid" % what,
            rl.xmllint(plain))
    return db, rl.parse(xml)


def check_sampling(tmp):
    """rfc7489 mode, pct=0: the sampled-out failure is reported with the
    reason "other" and discovery_method psl."""
    got = one_report(tmp, "rfc7489", "s.example", "pct=0",
                     {"dmarc": {"mode": "rfc7489"}})
    if got is None:
        return
    db, rep = got
    T.check(rep["policy"].get("discovery_method") == "psl",
            "discovery_method psl", rep["policy"])
    T.check([(r["disposition"], r["reasons"]) for r in rep["rows"]] ==
            [("quarantine", ("other",))], "sampled out: reason other",
            rep["rows"])
    con = sqlite3.connect(db)
    row = con.execute("SELECT pct, reasons FROM records").fetchall()
    con.close()
    T.check(row == [(0, "other:sampled out by pct=0")], "pct and reason "
            "stored", row)


def check_override(tmp):
    """A policy.overrides rule that lets a p=reject failure through: the
    row says disposition none and gives the reason local_policy with the
    rule's name and reason as the comment; the schema accepts it."""
    got = one_report(tmp, "override", "a.example", "override of p=reject",
                     {"policy": {"overrides": [{
                         "name": "partner", "author": "a.example",
                         "action": "accept",
                         "reason": "their list server breaks DKIM"}]}})
    if got is None:
        return
    rows = [(r["disposition"], r["reasons"], r["comments"])
            for r in got[1]["rows"]]
    T.check(rows == [("none", ("local_policy",),
                      ("partner: their list server breaks DKIM",))],
            "override: <reason><type>local_policy</type> with the rule "
            "in <comment>", rows)


def check_load(tmp):
    """3000 messages at concurrency 16 into a queue of 16: overflow goes
    through the spool, and after the daemon stops every message has exactly
    one record and the report counts them all."""
    load = testlib.program("milterload")
    if not T.check(os.access(load, os.X_OK), "milterload built", load):
        return
    base = os.path.join(tmp, "load")
    corpus = os.path.join(base, "corpus")
    os.makedirs(corpus)
    os.chmod(base, 0o777)
    for name, ip, dom in (("a-good", rl.GOOD_IP, "a.example"),
                          ("a-bad", rl.BAD_IP, "a.example"),
                          ("b-good", rl.GOOD_IP, "b.example")):
        with open(os.path.join(corpus, name), "w") as f:
            f.write("X-Load-Client-IP: %s\nX-Load-Mail-From: <x@%s>\n"
                    "From: <u@%s>\nTo: <r@rcpt.example>\nSubject: load\n"
                    "\nbody\n" % (ip, dom, dom))
    port = testlib.free_port()
    conf = os.path.join(base, "authmilter.conf")
    db = os.path.join(base, "r.db")
    rl.write_config(conf, port, "sqlite:" + db, os.path.join(base, "spool"),
                    {"reports": {"queue_size": 16}})
    d = testlib.Daemon(rl.DAEMON, conf, os.path.join(base, "daemon.log"))
    try:
        if not T.check(d.wait_up(), "load daemon up", d.text()[-500:]):
            return
        t0 = time.time()
        p = subprocess.run([load, "-s", "inet:%d@127.0.0.1" % port, "-c",
                            "16", "-n", "3000", corpus], capture_output=True,
                           timeout=300)
        out = p.stdout.decode(errors="replace")
        T.check(p.returncode == 0 and "messages=3000 errors=0" in out,
                "3000 messages, no protocol error", out[-400:])
    finally:
        T.check(d.stop() == 0, "load daemon stops cleanly")
    t1 = time.time()
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*), count(DISTINCT uid) FROM records"
                    ).fetchone()
    con.close()
    T.check(n == (3000, 3000), "one record per message under load", n)
    print("load: %s" % " ".join(x for x in out.split() if x.startswith(
        ("rate=", "p99=")) or x == "latency_ms"))
    ok, so, files = rl.dry_reports(conf, os.path.join(base, "dry"),
                                   rl.day_span(t0, t1))
    total = 0
    for _, f in files:
        total += sum(r["count"] for r in rl.parse(rl.read_gz(f))["rows"])
    T.check(ok and total == 3000, "report counts 3000", (so, total))


def main():
    tmp = tempfile.mkdtemp(prefix="authmilter-report-")
    os.chmod(tmp, 0o755)
    keep = "-k" in sys.argv
    d = None
    try:
        spool = os.path.join(tmp, "spool")
        fspool = os.path.join(tmp, "fixture-spool")
        dbdir = os.path.join(tmp, "db")
        mails = os.path.join(tmp, "mails")
        for x in (spool, fspool, dbdir, mails):
            os.mkdir(x)
            os.chmod(x, 0o777)
        fake = os.path.join(tmp, "sendmail")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nn=$(date +%%s%%N)\necho "$@" > %s/$n.args\n'
                    'cat > %s/$n.eml\n' % (mails, mails))
        os.chmod(fake, 0o755)
        db = os.path.join(dbdir, "reports.db")
        fdb = os.path.join(dbdir, "fixture.db")
        port = testlib.free_port()
        conf = os.path.join(tmp, "authmilter.conf")
        fconf = os.path.join(tmp, "fixture.conf")
        # quarantine = "none": p=quarantine failures are let through, and
        # the report says why (local_policy)
        rl.write_config(conf, port, "sqlite:" + db, spool,
                        {"dmarc": {"quarantine": "none"}}, sendmail=fake)
        # the fixed-date fixture has a store of its own: reported with
        # --now, its retention never touches the daemon's records
        rl.write_config(fconf, port, "sqlite:" + fdb, fspool, sendmail=fake)
        fixture(fspool)
        now = ("--now", str(NOW))
        dry1, _, got = rl.check_reports(T, fconf, tmp, [DAY1], rl.with_edges(
            DAY1, {"a.example": [(rl.GOOD_IP, "pass", "pass", 5, ()),
                                 (rl.BAD_IP, "reject", "fail", 3, ())],
                   "b.example": [(rl.GOOD_IP, "pass", "pass", 2, ())]}),
            *now)
        rl.check_edge_policy(T, got)
        rl.check_reports(T, fconf, tmp, [DAY2], rl.with_edges(
            DAY2, {"a.example": [(rl.GOOD_IP, "pass", "pass", 7, ())],
                   "b.example": [(rl.BAD_IP, "quarantine", "fail", 4, ())]}),
            *now)
        con = sqlite3.connect(fdb)
        kept = sorted(r[0] for r in con.execute(
            "SELECT uid FROM records WHERE uid IN ('ancient', 'expired', "
            "'retained')"))
        ver = con.execute("SELECT max(version) FROM schema_version"
                          ).fetchone()[0]
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        con.close()
        T.check(kept == ["retained"], "retention: 31 days before --now "
                "kept, older expired", kept)
        T.check(ver == 2 and mode == "wal", "schema version 2, WAL",
                (ver, mode))
        T.check(not os.listdir(fspool), "spool replayed and removed",
                os.listdir(fspool))
        check_yesterday(fconf, tmp)
        check_send(fconf, fdb, tmp, dry1)
        d = testlib.Daemon(rl.DAEMON, conf, os.path.join(tmp, "daemon.log"))
        if not T.check(d.wait_up(), "daemon up", d.text()[-800:]):
            return T.finish()
        t0 = time.time()
        drive(port)
        T.check(d.stop() == 0, "daemon stops cleanly")
        d = None
        check_today(conf, tmp, rl.day_span(t0, time.time()))
        retry.check_retry(T, tmp)
        check_sampling(tmp)
        check_override(tmp)
        check_load(tmp)
    finally:
        if d is not None:
            d.stop()
        testlib.remove_tmp(tmp, keep)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
