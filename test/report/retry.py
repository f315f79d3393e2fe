# SPDX-License-Identifier: BSD-2-Clause
"""Destinations that fail for a while (run by run_sqlite.py).

Four policy domains, one UTC day, reports sent through a sendmail stand-in,
five runs of authmilter-report for that day.  The external-destination TXT
lookup of one rua gets SERVFAIL and of another times out (testdns on
loopback as dns.nameservers) in runs 1-2; the stand-in exits 75 for the
recipients listed in a file; one external host has no record at all.  Each
run must send exactly the destinations due, say "deferred (DNS)" / "failed"
for those left over, log one summary line and exit 1 when any is left over
(DNS alone, sendmail alone, or both), mark only what went out in
reports_sent, never send anything twice, and keep refusing the host without
a record (a permanent refusal: exit 0).
"""

import os
import sqlite3
import time

import reportlib as rl
from reportlib import testlib

# domain -> rua; destinations under *.example.net are external and looked
# up through testdns ("example." is a static local zone of the config)
RUA = {
    "k.example": "mailto:bounce@k.example,mailto:dmarc@k.example",
    "m.example": "mailto:dmarc@m.example,mailto:rep@flaky.example.net,"
                 "mailto:rep@gone.example.net",
    "n.example": "mailto:rep@ok.example.net",
    "p.example": "mailto:rep@slow.example.net",
}
FLAKY = "m.example._report._dmarc.flaky.example.net"
SLOW = "p.example._report._dmarc.slow.example.net"
OK = "n.example._report._dmarc.ok.example.net"
FIRST = {("k.example", "dmarc@k.example"), ("m.example", "dmarc@m.example"),
         ("n.example", "rep@ok.example.net")}


def zone(broken):
    """The testdns zone: run 1 (broken) or later runs."""
    txt = [{"type": "TXT", "data": "v=DMARC1"}]
    z = {"names": {OK: txt}}
    if broken:
        z["servfail"] = [FLAKY]
        z["names"][SLOW] = [{"type": "TIMEOUT"}]
    else:
        z["names"][FLAKY] = txt
        z["names"][SLOW] = txt
    return z


def marked(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT policy_domain, destination FROM "
                       "reports_sent").fetchall()
    con.close()
    return set(rows)


GONE = ("m.example", "rep@gone.example.net")
DFLAKY = ("m.example", "rep@flaky.example.net")
DSLOW = ("p.example", "rep@slow.example.net")
DBOUNCE = ("k.example", "bounce@k.example")
# DNS broken, sendmail fails for, exit, sent, deferred (DNS), failed
RUNS = [
    (True, [DBOUNCE], 1, FIRST, {DFLAKY, DSLOW}, {DBOUNCE}),
    (True, [], 1, {DBOUNCE}, {DFLAKY, DSLOW}, set()),
    (False, [DSLOW], 1, {DFLAKY}, set(), {DSLOW}),
    (False, [], 0, {DSLOW}, set(), set()),
    (False, [], 0, set(), set(), set()),
]


def run_one(T, conf, date, db, mails, seen, n, before, spec):
    _, _, code, want, defer, fail = spec
    rc, so, se = rl.run_report(conf, "--period", date)
    got = rl.sent_mail(mails, seen)
    w = "run %d: " % n
    T.check(rc == code, w + "exit %d" % code, (rc, so, se))
    T.check(len(got) == len(set(got)) and set(got) == want,
            w + "sends exactly %s" % sorted(want), got)
    T.check(rl.lines_with(so, "already sent") == before,
            w + "what went out before is not sent again", so)
    T.check(marked(db) == before | want, w + "what went out is marked "
            "sent, nothing else", marked(db))
    T.check(rl.lines_with(so, "deferred (DNS)") == defer,
            w + "DNS failures deferred", so)
    T.check(rl.lines_with(so, "failed: ") == fail and
            ("exited with status 75" in so) == bool(fail),
            w + "sendmail failures reported with the status", so)
    T.check(rl.lines_with(so, "not authorized") == {GONE},
            w + "no record: not authorized", so)
    left = len(defer) + len(fail)
    T.check(("%d report destination(s) for %s deferred" % (left, date) in se
             and "next run for --period %s sends them" % date in se)
            if left else "deferred" not in se, w + "summary line", se)
    if DFLAKY in defer:
        T.check(any(x.startswith("m.example rep@flaky.example.net: "
                                 "deferred (DNS): %s: temporary DNS "
                                 "failure" % FLAKY)
                    for x in so.splitlines()), w + "the deferral names "
                "the record and the DNS failure", so)
    return before | want


def check_retry(T, tmp):
    import testdns

    base = os.path.join(tmp, "retry")
    mails = os.path.join(base, "mails")
    spool = os.path.join(base, "spool")
    for x in (base, mails, spool):
        os.mkdir(x)
    fail = os.path.join(base, "sendmail-fails")
    fake = os.path.join(base, "sendmail")
    with open(fake, "w") as f:
        f.write(rl.SENDMAIL % {"fail": fail, "dir": mails})
    os.chmod(fake, 0o755)
    day = int(time.time()) // 86400 * 86400 - 86400
    date = time.strftime("%Y-%m-%d", time.gmtime(day))
    with open(os.path.join(spool, "retry-1.spool"), "w") as f:
        for i, (dom, rua) in enumerate(sorted(RUA.items())):
            f.write(rl.spool_line("retry%d" % i, day + 3600 + i, dom,
                                  rl.GOOD_IP, "pass", rua=rua))
    db = os.path.join(base, "r.db")
    conf = os.path.join(base, "authmilter.conf")
    dns = testdns.TestDNSServer(zone(True)).start()
    try:
        rl.write_config(conf, testlib.free_port(), "sqlite:" + db, spool,
                        {"dns": {"nameservers": ["127.0.0.1@%d" % dns.port],
                                 "timeout": 1}}, sendmail=fake)
        seen, before = set(), set()
        for n, spec in enumerate(RUNS, 1):
            dns.reload(zone(spec[0]))
            with open(fail, "w") as f:
                f.write("".join(a + "\n" for _, a in spec[1]))
            before = run_one(T, conf, date, db, mails, seen, n, before, spec)
        asked = {q[1].lower().rstrip(".") for q in dns.queries()}
        T.check({FLAKY, SLOW, OK} <= asked, "the lookups reached the DNS "
                "server", sorted(asked))
    finally:
        dns.stop()
