#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""authmilter-report ingest: received reports into the store, once.

For SQLite and for a PostgreSQL server started on 127.0.0.1 (its own
initdb, as test/report/run_pg.py does):

  samples      real reporters' reports (test/data/ingest: Google's zip,
               Yahoo, Mail.Ru, Outlook.com, Amazon SES mails, bare RFC 7489
               and RFC 9990 XML, 2012 OpenDMARC samples, TLS-RPT JSON and
               mails) are stored with the totals of their upstream parse
  duplicates   the same inputs again: nothing new, every one "duplicate"
  mbox, Maildir, stdin   the other ways in

and, in a fresh SQLite store each, hostile input is refused cleanly (exit
1, no signal, nothing stored, the input in the quarantine folder with a
.why saying why, memory bounded): a malformed report, a truncated gzip, a
billion-laughs document, an external entity, a 100 MB message, a gzip bomb
of 300 MB (ingest.max_report_size 256 MB) and a zip bomb, a TLS report that
is not JSON.

  run_ingest.py [-k] [--no-pg] [--no-rss]
                                    ends with "ingest: N passed, N failed"
"""
import argparse
import glob
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(REPO, "test", "data", "ingest")
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.path.insert(0, os.path.join(REPO, "test", "report"))
import testlib  # noqa: E402

REPORT = os.environ.get("AUTHMILTER_REPORT", os.path.join(REPO, "report",
                                                          "authmilter-report"))
PASSED, FAILED = [], []


def check(name, ok, why=""):
    """One case."""
    (PASSED if ok else FAILED).append(name)
    print("%s %s%s" % ("PASS" if ok else "FAIL", name,
                       "" if ok else ": " + why))
    sys.stdout.flush()
    return ok


def conf(path, tmp, store, **kw):
    """A configuration for the command."""
    extra = "".join("  %s = %s;\n" % kv for kv in kw.items())
    with open(path, "w") as f:
        f.write('reports = { store = "%s"; spool_dir = "%s/spool"; };\n'
                'ingest = {\n  quarantine_dir = "%s/quarantine";\n'
                '  annotate = false;\n%s};\n' % (store, tmp, tmp, extra))
    return path


def ingest(cfg, *paths, stdin=None):
    """(rc, stdout+stderr, max RSS in kB) of one ingest run; rc is -N
    when signal N ended it"""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as inp:
        inp.write(stdin or b"")
        inp.seek(0)
        p = subprocess.Popen([REPORT, "ingest", "-c", cfg] + list(paths),
                             stdin=inp, stdout=out, stderr=out)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return (p.returncode, out.read().decode(errors="replace"),
                ru.ru_maxrss)


def samples():
    """The sample inputs and, from their upstream parse, reporter totals."""
    files, want = [], {}
    for j in sorted(glob.glob(os.path.join(DATA, "dmarc-stalwart",
                                           "*.json"))):
        base = j[:-5]
        src = base + (".eml" if os.path.exists(base + ".eml") else ".xml")
        e = json.load(open(j))
        key = (e["report_metadata"]["org_name"],
               e["report_metadata"]["report_id"])
        if key in want:
            continue    # 004 is 001's report id: stored once
        files.append(src)
        want[key] = sum(r["row"]["count"] for r in e["record"])
    for f in sorted(glob.glob(os.path.join(DATA, "dmarc-opendmarc",
                                           "*.xml"))):
        if not os.path.basename(f).startswith("bad."):
            files.append(f)
    want[("126.com", "aggr_report_example.com_20120518_126.com")] = 183934
    want[("163.com", "aggr_report_example.com_20120518_163.com")] = 92
    want[("yeah.net", "aggr_report_example.com_20120518_yeah.net")] = 21679
    for n in ("rpt01.eml", "rpt02.eml", "rpt03.json"):
        files.append(os.path.join(DATA, "tlsrpt-stalwart", n))
    want[("Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be")] = 5326 + 303
    want[("Google Inc.", "2020-01-01T00:00:00Z_example.com")] = 24
    want[("Google Inc.", "2019-04-14T00:00:00Z_example.org")] = 2
    return files, want


def backend_cases(name, cfg, query, tmp):
    """Samples, duplicates, mbox, Maildir and stdin in one store."""
    files, want = samples()
    rc, out, _ = ingest(cfg, *files)
    got = {}
    for line in (query("SELECT reporter || '|' || report_id || '|' || "
                       "messages FROM ingest_reports") or "").splitlines():
        org, rid, n = line.rsplit("|", 2)
        got[(org, rid)] = int(n)
    check(name + "-samples", rc == 0 and got == want,
          "rc %d, %s\nwant %s\n%s" % (rc, got, want, out[-800:]))
    rows = query("SELECT count(*) FROM ingest_records")
    rc, out, _ = ingest(cfg, *files)
    check(name + "-duplicates", rc == 0 and "%d report(s): 0 stored, %d "
          "duplicate" % (len(files), len(files)) in out and
          query("SELECT count(*) FROM ingest_records") == rows and
          query("SELECT count(*) FROM ingest_reports") == str(len(want)),
          out[-500:])
    # an mbox of three report mails, one of them already stored
    mbox = os.path.join(tmp, name + ".mbox")
    with open(mbox, "wb") as f:
        for n in ("101", "102", "103"):
            f.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n")
            f.write(open(os.path.join(DATA, "dmarc-stalwart", n + ".eml"),
                         "rb").read().replace(b"\r\n", b"\n").rstrip(b"\n"))
            f.write(b"\n\n")
    rc, out, _ = ingest(cfg, mbox)
    check(name + "-mbox", rc == 0 and "3 input(s), 3 report(s): 0 stored, "
          "3 duplicate" in out, out[-500:])
    md = os.path.join(tmp, name + "-maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    big = io.BytesIO()
    with gzip.GzipFile(fileobj=big, mode="wb", mtime=0) as g:
        g.write(open(os.path.join(DATA, "dmarc-stalwart", "003.xml"),
                     "rb").read().replace(b"758848224", b"maildir-1"))
    msg = (b"From: dmarc@fastmail.example\nTo: reports@mx.example\n"
           b"Subject: Report\nMIME-Version: 1.0\nContent-Type: "
           b"application/gzip; name=r.xml.gz\nContent-Transfer-Encoding: "
           b"base64\n\n" + __import__("base64").encodebytes(big.getvalue()))
    open(os.path.join(md, "new", "1.host"), "wb").write(msg)
    rc, out, _ = ingest(cfg, md)
    check(name + "-maildir", rc == 0 and "1 stored" in out and
          query("SELECT messages FROM ingest_reports WHERE report_id = "
                "'maildir-1'") == "9", out[-500:])
    rc, out, _ = ingest(cfg, "-", stdin=gzip.compress(
        open(os.path.join(DATA, "dmarc-stalwart", "002.xml"), "rb").read()
        .replace(b"2122885654478337555", b"stdin-1"), mtime=0))
    check(name + "-stdin", rc == 0 and query(
        "SELECT messages FROM ingest_reports WHERE report_id = 'stdin-1'")
        == "2", out[-500:])


def sqlite_query(db):
    """A query function over a SQLite file."""
    def q(sql):
        p = subprocess.run(["sqlite3", db, sql], capture_output=True,
                           text=True)
        return p.stdout.strip() if p.returncode == 0 else None
    return q


def zip_bomb(path, size):
    """A zip whose one .xml entry unpacks to SIZE bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("bomb.xml", "w", force_zip64=True) as f:
            f.write(b"<feedback>")
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                f.write(chunk)


def gzip_bomb(path, size):
    """A gzip of SIZE bytes of spaces after <feedback>."""
    with gzip.open(path, "wb", compresslevel=9) as g:
        g.write(b"<feedback>")
        chunk = b" " * (1 << 20)
        for _ in range(size >> 20):
            g.write(chunk)


def hostile(tmp):
    """(name, file, extra config) of each input to refuse; made in a
    process of their own (--make-hostile), so that the 100 MB this one
    would hold do not count in the children's peak RSS"""
    h = os.path.join(tmp, "hostile")
    if not os.path.isdir(h):
        os.makedirs(h)
        subprocess.run([sys.executable, os.path.abspath(__file__),
                        "--make-hostile", tmp], check=True)
        return hostile(tmp)
    good = open(os.path.join(DATA, "dmarc-stalwart", "003.xml"), "rb").read()
    cases = []

    make = len(sys.argv) == 3 and sys.argv[1] == "--make-hostile"

    def add(name, data=None, maker=None, **kw):
        p = os.path.join(h, name)
        if make and maker:
            maker(p)
        elif make:
            open(p, "wb").write(data)
        cases.append((name, p, kw))
    add("malformed.xml", open(glob.glob(os.path.join(
        DATA, "dmarc-opendmarc", "bad.*"))[0], "rb").read())
    add("truncated.xml.gz", gzip.compress(good.replace(
        b"758848224", b"cut-2"), mtime=0)[:300])
    add("truncated.xml", good.replace(b"758848224", b"cut-1")[
        : len(good) // 2])
    laughs = b'<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa">'
    for i in range(1, 10):
        laughs += b'<!ENTITY %c "%s">' % (ord("a") + i, (b"&%c;" % (ord("a") + i - 1)) * 10)
    laughs += b"]><feedback><report_metadata><org_name>&j;</org_name>" \
        b"</report_metadata></feedback>"
    add("billion-laughs.xml", laughs)
    add("external-entity.xml", b'<?xml version="1.0"?><!DOCTYPE feedback '
        b'[<!ENTITY x SYSTEM "file:///etc/passwd">]><feedback><report_'
        b'metadata><org_name>&x;</org_name></report_metadata></feedback>')
    add("100mb.eml", maker=lambda p: open(p, "wb").write(
        b"Subject: big\n\n" + b"a" * (100 << 20)))
    add("gzip-bomb.xml.gz", maker=lambda p: gzip_bomb(p, 300 << 20))
    add("zip-bomb.zip", maker=lambda p: zip_bomb(p, 300 << 20))
    add("not-json.json", b'{"organization-name": "x", "report-id": ')
    return cases


RSS_LIMIT = 64 * 1024     # kB; --no-rss under ASan, whose quarantine
                          # keeps freed memory on purpose


def hostile_cases(tmp):
    """Each refused: exit 1, nothing stored, kept with a reason."""
    for name, path, kw in hostile(tmp):
        d = tempfile.mkdtemp(dir=tmp)
        db = os.path.join(d, "r.db")
        cfg = conf(os.path.join(d, "c.conf"), d, "sqlite:" + db, **kw)
        rc, out, rss = ingest(cfg, path)
        q = sqlite_query(db)
        why = " ".join(open(w).read() for w in glob.glob(
            os.path.join(d, "quarantine", "*.why")))
        kept = name == "100mb.eml" or why != ""
        check("hostile-" + name, rc == 1 and q(
            "SELECT count(*) FROM ingest_reports") == "0" and
            q("SELECT count(*) FROM ingest_records") == "0" and kept and
            rss < RSS_LIMIT, "rc %d rss %d kB why %r: %s" %
            (rc, rss, why[:200], out[-400:]))


def pg_cases(tmp):
    """The same on PostgreSQL, and a refusal that leaves nothing."""
    from run_pg import Pg
    pg = Pg(tmp)
    pg.start()
    try:
        cfg = conf(os.path.join(tmp, "pg.conf"), tmp, pg.uri)
        backend_cases("pg", cfg, lambda sql: pg.query(sql), tmp)
        rc, out, _ = ingest(cfg, os.path.join(tmp, "hostile",
                                              "truncated.xml"))
        check("pg-refused", rc == 1 and pg.query(
            "SELECT count(*) FROM ingest_records r LEFT JOIN ingest_reports "
            "i ON i.uid = r.report_uid WHERE i.uid IS NULL") == "0",
            out[-300:])
    finally:
        pg.stop()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--make-hostile":
        hostile(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", "--keep", action="store_true")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-rss", action="store_true")
    a = ap.parse_args()
    if a.no_rss:
        global RSS_LIMIT
        RSS_LIMIT = 1 << 40
    tmp = tempfile.mkdtemp(prefix="authmilter-ingest-")
    os.chmod(tmp, 0o755)
    try:
        db = os.path.join(tmp, "sqlite.db")
        cfg = conf(os.path.join(tmp, "sqlite.conf"), tmp, "sqlite:" + db)
        backend_cases("sqlite", cfg, sqlite_query(db), tmp)
        hostile_cases(tmp)
        if not a.no_pg:
            pg_cases(tmp)
    finally:
        testlib.remove_tmp(tmp, a.keep)
    print("ingest: %d passed, %d failed" % (len(PASSED), len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
