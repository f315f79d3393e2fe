# SPDX-License-Identifier: BSD-2-Clause
"""Shared pieces of the DMARC aggregate-report tests (test/report).

Messages go through the real daemon over the milter protocol; DNS answers
come from dns.local_data under a static local zone "example.", so nothing
leaves the machine.  authmilter-report runs with --dry-run or with a fake
sendmail that saves what it is given.
"""

import calendar
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))

import testlib  # noqa: E402
from milterclient import MilterClient, MilterError  # noqa: E402

DAEMON = testlib.program("authmilter")
REPORT = testlib.program("authmilter-report")
XSD = os.environ.get("DMARC_XSD", os.path.join(
    TOP, "test", "data", "report", "dmarc-xml-0.2.xsd"))
NS = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
OWN = "dmarc-reports@ourorg.example"

GOOD_IP = "192.0.2.10"
BAD_IP = "203.0.113.66"

# policy domain -> DMARC record; every one gets "v=spf1 ip4:GOOD_IP -all"
DOMAINS = {
    "a.example": "v=DMARC1; p=reject; rua=mailto:dmarc@a.example",
    "b.example": "v=DMARC1; p=quarantine; sp=none; adkim=s; "
                 "rua=mailto:rep@reports.example!50k",
    "c.example": "v=DMARC1; p=none; rua=mailto:rep@unauth.example",
    "d.example": "v=DMARC1; p=none; rua=mailto:" + OWN,
    "e.example": "v=DMARC1; p=none; rua=mailto:tiny@e.example!1",
    "f.example": "v=DMARC1; p=none; rua=mailto:x@suppressed.example",
    "t.example": "v=DMARC1; p=reject; t=y; rua=mailto:dmarc@t.example",
    "g.example": "v=DMARC1; p=none; rua=mailto:r@ext.example",
    "s.example": "v=DMARC1; p=reject; pct=0; rua=mailto:dmarc@s.example",
}
EXTRA = [
    'b.example._report._dmarc.reports.example. 300 IN TXT "v=DMARC1"',
    'd.example._report._dmarc.ourorg.example. 300 IN TXT "v=DMARC1"',
    'f.example._report._dmarc.suppressed.example. 300 IN TXT "v=DMARC1;"',
    # an override to another host: no report to either (RFC 9990 4)
    'g.example._report._dmarc.ext.example. 300 IN TXT '
    '"v=DMARC1; rua=mailto:x@elsewhere.example"',
]


def local_data(domains=None, extra=None):
    """dns.local_data lines: EXTRA, and for each of DOMAINS (default this
    module's) its DMARC record, SPF passing GOOD_IP and an A record."""
    out = list(EXTRA if extra is None else extra)
    for d, rec in sorted((DOMAINS if domains is None else domains).items()):
        out.append('_dmarc.%s. 300 IN TXT "%s"' % (d, rec))
        out.append('%s. 300 IN TXT "v=spf1 ip4:%s -all"' % (d, GOOD_IP))
        out.append('%s. 300 IN A 192.0.2.1' % d)
    return out


def write_config(path, port, store, spool, *more, sendmail="/bin/false"):
    """The daemon's and authmilter-report's config: milter on
    127.0.0.1:PORT, DNS from local_data(), reports to STORE with SPOOL;
    MORE (dicts or text, testlib.config_text) on top, e.g.
    {"dmarc": {"mode": "rfc7489"}}."""
    testlib.write_config(path, {
        "authserv_id": "mx.ourorg.example",
        "milter": {"socket": "inet:%d@127.0.0.1" % port, "user": "nobody"},
        "dns": {"local_zones": ["example. static"],
                "local_data": local_data()},
        "policy": {"trusted_networks": []},
        "reports": {"store": store, "spool_dir": spool,
                    "org_name": "Our Org", "email": OWN,
                    "sendmail": sendmail,
                    "suppress": ["suppressed.example"]},
    }, *more, comment="written by test/report/reportlib.py")


def send(port, ip, mailfrom, author, rcpt="user@rcpt.example", qid="Q1",
         full=False):
    """One message; the action ("accept", "reject", ...), with full also
    whether the milter asked for quarantine."""
    raw = ("From: <%s>\r\nTo: <%s>\r\nSubject: test\r\n"
           "Message-ID: <%s@test>\r\n\r\nbody\r\n" % (author, rcpt, qid))
    c = MilterClient(port=port, timeout=30)
    try:
        c.negotiate()
        c.connect("[%s]" % ip, ip)
        c.helo("mail.sender.test")
        r = c.message("<%s>" % mailfrom, ["<%s>" % rcpt], raw.encode(),
                      macros={"i": qid})
    finally:
        try:
            c.close()
        except (OSError, MilterError):
            pass
    return (r.action, bool(r.quarantine)) if full else r.action


def xmllint(path):
    """None when PATH validates against the RFC 9990 XSD, else the error."""
    p = subprocess.run(["xmllint", "--noout", "--schema", XSD, path],
                       capture_output=True, timeout=60)
    if p.returncode == 0:
        return None
    return p.stderr.decode(errors="replace")[-600:]


def parse(xml_bytes):
    """The report as {"domain", "policy": {..}, "meta": {..}, "rows": [..]};
    each row a dict with count and the fields, dkim a sorted tuple."""
    root = ET.fromstring(xml_bytes)
    pol = {c.tag.split("}")[1]: c.text for c in
           root.find("d:policy_published", NS)}
    meta = root.find("d:report_metadata", NS)
    out = {"policy": pol, "rows": [],
           "meta": {"org_name": meta.findtext("d:org_name", None, NS),
                    "email": meta.findtext("d:email", None, NS),
                    "report_id": meta.findtext("d:report_id", None, NS),
                    "begin": meta.findtext("d:date_range/d:begin", None, NS),
                    "end": meta.findtext("d:date_range/d:end", None, NS)}}
    for rec in root.findall("d:record", NS):
        row = rec.find("d:row", NS)
        pe = row.find("d:policy_evaluated", NS)
        ids = rec.find("d:identifiers", NS)
        ar = rec.find("d:auth_results", NS)
        spf = ar.find("d:spf", NS)
        out["rows"].append({
            "ip": row.findtext("d:source_ip", None, NS),
            "count": int(row.findtext("d:count", None, NS)),
            "disposition": pe.findtext("d:disposition", None, NS),
            "dkim": pe.findtext("d:dkim", None, NS),
            "spf": pe.findtext("d:spf", None, NS),
            "reasons": tuple(r.findtext("d:type", None, NS)
                             for r in pe.findall("d:reason", NS)),
            "comments": tuple(r.findtext("d:comment", None, NS)
                              for r in pe.findall("d:reason", NS)),
            "header_from": ids.findtext("d:header_from", None, NS),
            "envelope_from": ids.findtext("d:envelope_from", None, NS),
            "envelope_to": ids.findtext("d:envelope_to", None, NS),
            "spf_domain": spf.findtext("d:domain", None, NS)
            if spf is not None else None,
            "spf_result": spf.findtext("d:result", None, NS)
            if spf is not None else None,
        })
    return out


# Fixture days: records with chosen timestamps are reported with --now, so
# neither the period nor retention (31 days) depends on today's date.
DAY1 = calendar.timegm((2026, 11, 1, 0, 0, 0))
DAY2 = DAY1 + 86400
# the daily timer's run after DAY2 (00:15 UTC)
NOW = DAY2 + 86400 + 900


def date_of(day):
    return time.strftime("%Y-%m-%d", time.gmtime(day))


def day_span(t0, t1):
    """The UTC days from the one of time T0 to the one of T1: records the
    daemon stamped between the two lie in these days (a test that runs
    over midnight has two)."""
    return list(range(int(t0) // 86400 * 86400,
                      int(t1) // 86400 * 86400 + 1, 86400))


def dry_reports(conf, out, days, *args):
    """authmilter-report --dry-run for each day of DAYS into OUT/DAY;
    (every exit status 0, the stdout of all runs, [(day, file path)])."""
    ok, text, files = True, "", []
    for day in days:
        d = os.path.join(out, str(day))
        os.makedirs(d, exist_ok=True)
        rc, so, se = run_report(conf, "--period", date_of(day),
                                "--dry-run", d, *args)
        ok = ok and rc == 0
        text += so + se
        files += [(day, os.path.join(d, f)) for f in gz_files(d)]
    return ok, text, files


# The edges of DAY1, each record a row of its own (by source_ip): its
# first and last second are DAY1's, the second after is DAY2's; the newest
# record, at the last second, gives policy_published (p=quarantine);
# c.example has a record at the last second only.
EDGES = [  # uid, ts, domain, source_ip, p
    ("first", DAY1, "a.example", "198.51.100.1", "reject"),
    ("last", DAY1 + 86399, "a.example", "198.51.100.2", "quarantine"),
    ("after", DAY1 + 86400, "a.example", "198.51.100.3", "reject"),
    ("only-last", DAY1 + 86399, "c.example", "198.51.100.4", "none"),
]


def edge_lines():
    """The EDGES records as spool lines."""
    return [spool_line(uid, ts, dom, ip, "pass", p=p)
            for uid, ts, dom, ip, p in EDGES]


def with_edges(day, want):
    """WANT (check_reports' form) plus the rows EDGES give the DAY."""
    out = {d: list(rows) for d, rows in want.items()}
    for _, ts, dom, ip, _ in EDGES:
        if day <= ts < day + 86400:
            out.setdefault(dom, []).append((ip, "pass", "pass", 1, ()))
    return out


def check_edge_policy(T, got):
    """DAY1's report for a.example publishes its last second's p."""
    T.check([r["policy"].get("p") for r in got.get("a.example", [])] ==
            ["quarantine"], "policy_published of DAY1 is its last "
            "second's", got.get("a.example"))


def rows_of(reps):
    """The rows of one domain's reports (several days: summed)."""
    sums = {}
    for rep in reps:
        for r in rep["rows"]:
            k = (r["ip"], r["disposition"], r["spf"], r["reasons"])
            sums[k] = sums.get(k, 0) + r["count"]
    return sorted((k[0], k[1], k[2], c, k[3]) for k, c in sums.items())


def check_reports(T, conf, tmp, days, want, *args):
    """Dry runs for DAYS, checked in the Tally T: every file named for its
    day, valid, with our metadata; the reports' rows (summed over the days)
    are WANT's {domain: [(ip, disposition, spf, count, reasons)]}; (the
    output directory, stdout, {domain: [parsed report]})."""
    out = tempfile.mkdtemp(prefix="dry-", dir=tmp)
    what = ",".join(date_of(d) for d in days)
    ok, so, files = dry_reports(conf, out, days, *args)
    T.check(ok, "dry run %s exit" % what, so[-400:])
    got = {}
    for day, path in files:
        f = os.path.basename(path)
        m = FILENAME_RE.match(f)
        if not T.check(m is not None, "file name %s" % f):
            continue
        T.check(int(m.group(2)) == day and int(m.group(3)) == day + 86399,
                "file name period %s" % f)
        xml = read_gz(path)
        plain = path[:-3]
        with open(plain, "wb") as fp:
            fp.write(xml)
        err = xmllint(plain)
        T.check(err is None, "xmllint %s" % f, err)
        rep = parse(xml)
        got.setdefault(m.group(1), []).append(rep)
        T.check(rep["meta"]["org_name"] == "Our Org" and
                rep["meta"]["email"] == OWN, "report_metadata %s" % f)
    for dom, rows in want.items():
        if T.check(dom in got, "%s: report for %s" % (what, dom), so):
            T.check(rows_of(got[dom]) == sorted(rows),
                    "%s: rows of %s" % (what, dom),
                    "%r != %r" % (rows_of(got[dom]), sorted(rows)))
    T.check(set(got) == set(want), "%s: domains" % what,
            "%s vs %s" % (sorted(got), sorted(want)))
    return out, so, got


# a sendmail stand-in: exits 75 (EX_TEMPFAIL) for a recipient listed in
# the file FAIL; else keeps the message as N.eml and its arguments as N.args
SENDMAIL = """#!/bin/sh
for a; do to=$a; done
if grep -qxF "$to" %(fail)s; then
	cat > /dev/null
	exit 75
fi
n=$(date +%%s%%N)
echo "$@" > %(dir)s/$n.args
cat > %(dir)s/$n.eml
"""


def sent_mail(mails, seen):
    """(domain, recipient) of each mail the stand-in kept since seen."""
    out = []
    for f in sorted(os.listdir(mails)):
        if not f.endswith(".args") or f in seen:
            continue
        seen.add(f)
        with open(os.path.join(mails, f)) as fp:
            args = fp.read().split()
        with open(os.path.join(mails, f[:-5] + ".eml"), "rb") as fp:
            subj = [x for x in fp.read().split(b"\n")
                    if x.startswith(b"Subject:")]
        dom = subj[0].split()[3].decode() if subj and len(
            subj[0].split()) > 3 else "?"
        out.append((dom, args[-1] if args else "?"))
    return out


def lines_with(so, what):
    """{(domain, address)} of the output lines saying what."""
    out = set()
    for x in so.splitlines():
        head, _, rest = x.partition(": ")
        if rest.startswith(what) and len(head.split()) == 2:
            out.add(tuple(head.split()))
    return out


def run_report(conf, *args, timeout=120):
    p = subprocess.run([REPORT, "-c", conf] + list(args),
                       capture_output=True, timeout=timeout)
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def spooled(d):
    """The spool files in directory D (not the daemons' journals)."""
    return sorted(f for f in os.listdir(d)
                  if f.endswith((".spool", ".replaying")))


def gz_files(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".xml.gz"))


def read_gz(path):
    with open(path, "rb") as f:
        return gzip.decompress(f.read())


FILENAME_RE = re.compile(r"^ourorg\.example!([a-z0-9.-]+)!(\d+)!(\d+)"
                         r"\.xml\.gz$")


class Tally(object):
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            # detail may be a tuple: format it as one value
            print("FAIL %s%s" % (what, (": %s" % (detail,)) if detail
                                 else ""))
        return ok

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed,
                                            self.failed))
        return 0 if self.failed == 0 else 1


COLUMNS = ["uid", "ts", "reporter", "source_ip", "header_from",
           "envelope_from", "envelope_to", "spf_domain", "spf_scope",
           "spf_result", "dkim", "policy_domain", "org_domain", "discovery",
           "p", "sp", "np", "adkim", "aspf", "psd", "testing", "pct", "fo",
           "rua", "dkim_eval", "spf_eval", "disposition", "reasons"]


def spool_line(uid, ts, domain, ip, disposition, spf_eval="pass",
               dkim="", dkim_eval="fail", reasons="", rua=None, p="reject"):
    """A record in the spool's line form (lib/report/report.c encode); rua
    defaults to the one of DOMAINS[domain]."""
    rec = dict.fromkeys(COLUMNS, "")
    rec.update({"uid": uid, "ts": str(ts), "reporter": "fixture",
                "source_ip": ip, "header_from": domain,
                "envelope_from": domain, "envelope_to": "rcpt.example",
                "spf_domain": domain, "spf_scope": "mfrom",
                "spf_result": "pass" if spf_eval == "pass" else "fail",
                "dkim": dkim, "policy_domain": domain, "org_domain": domain,
                "discovery": "treewalk", "p": p, "adkim": "r",
                "aspf": "r", "psd": "u", "testing": "n", "pct": "100",
                "rua": rua if rua is not None else
                DOMAINS[domain].split("rua=")[1],
                "dkim_eval": dkim_eval, "spf_eval": spf_eval,
                "disposition": disposition, "reasons": reasons})
    return "\t".join(rec[c] for c in COLUMNS) + "\n"
