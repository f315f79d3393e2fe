#!/usr/bin/python3
"""DMARC aggregate reports on the embedded SQLite store (test/report).

A multi-day, multi-domain fixture (records replayed from a spool file, with
chosen timestamps) plus messages driven through the real daemon; every
report validated with xmllint against the RFC 9990 XSD and checked row by
row; destinations: internal, verified external, unauthorized external, our
own address, reports.suppress, !size; sending through a sendmail stand-in,
once per period unless --force; retention expiry; destinations deferred by
a DNS temperror or a failing sendmail and sent by the next run (retry.py).
"""

import calendar
import email
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
DAY1 = calendar.timegm((2026, 11, 1, 0, 0, 0))
DAY2 = DAY1 + 86400


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
    # one record far too old: retention removes it
    lines.append(rl.spool_line("ancient", DAY1 - 400 * 86400, "a.example",
                               rl.GOOD_IP, "pass"))
    with open(os.path.join(spool, "fixture-1.spool"), "w") as f:
        f.writelines(lines)


def rows_of(rep):
    return sorted((r["ip"], r["disposition"], r["spf"], r["count"],
                   r["reasons"]) for r in rep["rows"])


def check_day(conf, tmp, day, want):
    out = os.path.join(tmp, "dry-%d" % day)
    os.mkdir(out)
    date = time.strftime("%Y-%m-%d", time.gmtime(day))
    rc, so, se = rl.run_report(conf, "--period", date, "--dry-run", out)
    T.check(rc == 0, "dry run %s exit" % date, se[-400:])
    got = {}
    for f in rl.gz_files(out):
        m = rl.FILENAME_RE.match(f)
        if not T.check(m is not None, "file name %s" % f):
            continue
        T.check(int(m.group(2)) == day and int(m.group(3)) == day + 86399,
                "file name period %s" % f)
        xml = rl.read_gz(os.path.join(out, f))
        plain = os.path.join(out, f[:-3])
        with open(plain, "wb") as fp:
            fp.write(xml)
        err = rl.xmllint(plain)
        T.check(err is None, "xmllint %s" % f, err)
        rep = rl.parse(xml)
        got[m.group(1)] = rep
        T.check(rep["meta"]["org_name"] == "Our Org" and
                rep["meta"]["email"] == rl.OWN, "report_metadata %s" % f)
    for dom, rows in want.items():
        if T.check(dom in got, "%s: report for %s" % (date, dom), so):
            T.check(rows_of(got[dom]) == sorted(rows),
                    "%s: rows of %s" % (date, dom),
                    "%r != %r" % (rows_of(got[dom]), sorted(rows)))
    T.check(set(got) == set(want), "%s: domains" % date,
            "%s vs %s" % (sorted(got), sorted(want)))
    return out, so, got


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


def check_today(conf, tmp):
    today = int(time.time()) // 86400 * 86400
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
    out, so, got = check_day(conf, tmp, today, want)
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
        r = [x for x in got["a.example"]["rows"] if x["ip"] == rl.GOOD_IP]
        T.check(r and r[0]["header_from"] == "a.example" and
                r[0]["envelope_from"] == "a.example" and
                r[0]["envelope_to"] == "rcpt.example" and
                r[0]["spf_domain"] == "a.example" and
                r[0]["spf_result"] == "pass", "identifiers and SPF", r)
        pol = got["a.example"]["policy"]
        T.check(pol.get("p") == "reject" and pol.get("domain") ==
                "a.example" and pol.get("discovery_method") == "treewalk",
                "policy_published", pol)
    if "b.example" in got:
        pol = got["b.example"]["policy"]
        T.check(pol.get("sp") == "none" and pol.get("adkim") == "s",
                "policy_published sp/adkim", pol)
    return today, out


def check_send(conf, tmp, today, dryout):
    mails = os.path.join(tmp, "mails")
    date = time.strftime("%Y-%m-%d", time.gmtime(today))
    rc, so, se = rl.run_report(conf, "--period", date)
    T.check(rc == 0, "send exit", so + se)
    sent = sorted(os.listdir(mails))
    T.check(len([f for f in sent if f.endswith(".eml")]) == 3,
            "three reports sent (a, b, t)", sent)
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
        ref = os.path.join(dryout, name)
        T.check(os.path.exists(ref) and rl.read_gz(ref) ==
                __import__("gzip").decompress(data),
                "attachment %s is the validated XML" % name)
    rc, so, se = rl.run_report(conf, "--period", date)
    T.check(rc == 0 and so.count("already sent") == 3 and
            len(os.listdir(mails)) == len(sent), "rerun sends nothing", so)
    rc, so, se = rl.run_report(conf, "--period", date, "--force")
    T.check(rc == 0 and so.count(": sent") == 3, "--force sends again", so)


def check_sampling(tmp):
    """rfc7489 mode, pct=0: the sampled-out failure is reported with the
    reason "other" and discovery_method psl."""
    base = os.path.join(tmp, "rfc7489")
    os.mkdir(base)
    os.chmod(base, 0o777)
    port = testlib.free_port()
    conf = os.path.join(base, "authmilter.conf")
    db = os.path.join(base, "r.db")
    rl.write_config(conf, port, "sqlite:" + db, os.path.join(base, "spool"),
                    dmarc='mode = "rfc7489";')
    d = testlib.Daemon(rl.DAEMON, conf, os.path.join(base, "daemon.log"))
    try:
        if not T.check(d.wait_up(), "rfc7489 daemon up", d.text()[-500:]):
            return
        act = rl.send(port, rl.BAD_IP, "x@s.example", "s@s.example")
        T.check(act in ("accept", "continue"), "pct=0: not rejected", act)
    finally:
        T.check(d.stop() == 0, "rfc7489 daemon stops cleanly")
    out = os.path.join(base, "dry")
    os.mkdir(out)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    rc, so, se = rl.run_report(conf, "--period", date, "--dry-run", out)
    files = [f for f in rl.gz_files(out) if "!s.example!" in f]
    if not T.check(rc == 0 and len(files) == 1, "rfc7489 report", so + se):
        return
    xml = rl.read_gz(os.path.join(out, files[0]))
    plain = os.path.join(out, "s.xml")
    with open(plain, "wb") as f:
        f.write(xml)
    T.check(rl.xmllint(plain) is None, "rfc7489 report valid",
            rl.xmllint(plain))
    rep = rl.parse(xml)
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


def check_load(tmp):
    """3000 messages at concurrency 16 into a queue of 16: overflow goes
    through the spool, and after the daemon stops every message has exactly
    one record and the report counts them all."""
    load = os.path.join(rl.TOP, "test", "load", "milterload")
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
                    extra="queue_size = 16;")
    d = testlib.Daemon(rl.DAEMON, conf, os.path.join(base, "daemon.log"))
    try:
        if not T.check(d.wait_up(), "load daemon up", d.text()[-500:]):
            return
        p = subprocess.run([load, "-s", "inet:%d@127.0.0.1" % port, "-c",
                            "16", "-n", "3000", corpus], capture_output=True,
                           timeout=300)
        out = p.stdout.decode(errors="replace")
        T.check(p.returncode == 0 and "messages=3000 errors=0" in out,
                "3000 messages, no protocol error", out[-400:])
    finally:
        T.check(d.stop() == 0, "load daemon stops cleanly")
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*), count(DISTINCT uid) FROM records"
                    ).fetchone()
    con.close()
    T.check(n == (3000, 3000), "one record per message under load", n)
    print("load: %s" % " ".join(x for x in out.split() if x.startswith(
        ("rate=", "p99=")) or x == "latency_ms"))
    dry = os.path.join(base, "dry")
    os.mkdir(dry)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    rc, so, se = rl.run_report(conf, "--period", date, "--dry-run", dry)
    total = 0
    for f in rl.gz_files(dry):
        total += sum(r["count"] for r in
                     rl.parse(rl.read_gz(os.path.join(dry, f)))["rows"])
    T.check(rc == 0 and total == 3000, "report counts 3000", (rc, total))


def main():
    tmp = tempfile.mkdtemp(prefix="authmilter-report-")
    os.chmod(tmp, 0o755)
    keep = "-k" in sys.argv
    d = None
    try:
        spool = os.path.join(tmp, "spool")
        dbdir = os.path.join(tmp, "db")
        mails = os.path.join(tmp, "mails")
        for x in (spool, dbdir, mails):
            os.mkdir(x)
            os.chmod(x, 0o777)
        fake = os.path.join(tmp, "sendmail")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nn=$(date +%%s%%N)\necho "$@" > %s/$n.args\n'
                    'cat > %s/$n.eml\n' % (mails, mails))
        os.chmod(fake, 0o755)
        db = os.path.join(dbdir, "reports.db")
        port = testlib.free_port()
        conf = os.path.join(tmp, "authmilter.conf")
        # quarantine = "none": p=quarantine failures are let through, and
        # the report says why (local_policy)
        rl.write_config(conf, port, "sqlite:" + db, spool, sendmail=fake,
                        dmarc='quarantine = "none";')
        fixture(spool)
        d = testlib.Daemon(rl.DAEMON, conf, os.path.join(tmp, "daemon.log"))
        if not T.check(d.wait_up(), "daemon up", d.text()[-800:]):
            return T.finish()
        drive(port)
        T.check(d.stop() == 0, "daemon stops cleanly")
        d = None
        check_day(conf, tmp, DAY1, {
            "a.example": [(rl.GOOD_IP, "pass", "pass", 5, ()),
                          (rl.BAD_IP, "reject", "fail", 3, ())],
            "b.example": [(rl.GOOD_IP, "pass", "pass", 2, ())]})
        check_day(conf, tmp, DAY2, {
            "a.example": [(rl.GOOD_IP, "pass", "pass", 7, ())],
            "b.example": [(rl.BAD_IP, "quarantine", "fail", 4, ())]})
        con = sqlite3.connect(db)
        n_old = con.execute("SELECT count(*) FROM records WHERE uid = "
                            "'ancient'").fetchone()[0]
        ver = con.execute("SELECT max(version) FROM schema_version"
                          ).fetchone()[0]
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        con.close()
        T.check(n_old == 0, "retention expired the old record")
        T.check(ver == 1 and mode == "wal", "schema version 1, WAL",
                (ver, mode))
        T.check(not os.listdir(spool), "spool replayed and removed",
                os.listdir(spool))
        today, dryout = check_today(conf, tmp)
        check_send(conf, tmp, today, dryout)
        retry.check_retry(T, tmp)
        check_sampling(tmp)
        check_load(tmp)
    finally:
        if d is not None:
            d.stop()
        testlib.remove_tmp(tmp, keep)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
