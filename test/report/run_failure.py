#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DMARC failure reports (RFC 9991) on SQLite, through a sendmail stand-in.

Messages go through the daemon over the milter protocol (DNS from
dns.local_data); the daemon records failure reports into the store;
authmilter-report --failures sends them. Each report is parsed with
Python's email package and checked against the RFC 9991 / RFC 6591 /
RFC 5965 field list (failurelib.arf_problems).

  when:        fo=0 (default) on a DMARC failure, fo=1 also when one
               mechanism did not align, none for fo=d:s, without ruf=,
               or for a psd=y record, none for a DMARC pass under fo=0
  where:       internal and verified external destinations; none to an
               unverified external one; --dry-run marks nothing
  fields:      Identity-Alignment, DKIM-* of an aligned failed signature,
               SPF-DNS of an aligned SPF failure, Delivery-Result, one
               report per Message-ID with Incidents
  privacy:     redacted (default): local parts and Subject redacted, no
               body; headers: as received; none: no copy; body = true:
               the body, redacted and defanged, or as received
  limits:      rate_destination holds across a daemon restart and runs of
               authmilter-report (the store counts), rate_global too

    /usr/bin/python3 test/report/run_failure.py [-k]
Ends with "failure-reports: N passed, N failed".
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failurelib as fl  # noqa: E402
import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402

T = rl.Tally("failure-reports")
BAD_DKIM = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
            b"d=red.example; s=sel;\r\n\th=from:subject; bh=AAAA; b=AAAAAAAAAAAA"
            b"\r\n")
PERSONAL = [b"alice.smith", b"bob.jones", b"carol", b"Quarterly"]


class Store(object):
    """A daemon and its SQLite store, with a config of its own."""

    def __init__(self, tmp, name, *more):
        self.dir = os.path.join(tmp, name)
        os.makedirs(os.path.join(self.dir, "spool"))
        os.chmod(self.dir, 0o777)
        os.chmod(os.path.join(self.dir, "spool"), 0o777)
        self.sendmail, self.mails = fl.fake_sendmail(self.dir)
        self.port = testlib.free_port()
        self.conf = os.path.join(self.dir, "authmilter.conf")
        fl.write_config(self.conf, self.port, "sqlite:%s/r.db" % self.dir,
                        os.path.join(self.dir, "spool"), *more,
                        sendmail=self.sendmail)
        self.d, self.n, self.seen = None, 0, set()

    def start(self):
        self.n += 1
        self.d = testlib.Daemon(rl.DAEMON, self.conf, os.path.join(
            self.dir, "daemon%d.log" % self.n))
        return T.check(self.d.wait_up(), "daemon up (%s)" % self.dir,
                       self.d.text()[-500:])

    def stop(self):
        return T.check(self.d.stop() == 0, "daemon stops cleanly")

    def send(self, ip, author, msgid, **kw):
        return fl.send(self.port, ip, author, msgid, **kw)

    def run(self, now=None, *args):
        return fl.run_failures(self.conf, now, *args)

    def new_mails(self):
        return fl.mails(self.mails, self.seen)


def by_domain(mails):
    """{reported domain: [(recipient, msg)]}."""
    out = {}
    for to, m in mails:
        fb = (fl.parts(m) or (None, {}, None))[1]
        out.setdefault(fb.get("Reported-Domain") if fb else None,
                       []).append((to, m))
    return out


def check_main(tmp):
    """The default configuration: who gets a report, and its fields."""
    s = Store(tmp, "main")
    if not s.start():
        return
    acts = [s.send(fl.BAD_IP, "alice.smith@red.example", "m1",
                   extra=BAD_DKIM),
            s.send(fl.BAD_IP, "alice.smith@red.example", "m1",
                   extra=BAD_DKIM),
            s.send(fl.GOOD_IP, "alice.smith@red.example", "m2"),
            s.send(fl.BAD_IP, "a@ext.example", "m3"),
            s.send(fl.BAD_IP, "a@unauth.example", "m4"),
            s.send(fl.BAD_IP, "a@psd.example", "m5"),
            s.send(fl.GOOD_IP, "a@fo1.example", "m6"),
            s.send(fl.GOOD_IP, "a@fo0.example", "m7"),
            s.send(fl.BAD_IP, "a@fod.example", "m8"),
            s.send(fl.BAD_IP, "a@noruf.example", "m9"),
            s.send(fl.BAD_IP, "a@none.example", "m10"),
            s.send(fl.BAD_IP, "a@quar.example", "m11")]
    T.check(acts[0] == "reject" and acts[2] in ("accept", "continue") and
            acts[10] in ("accept", "continue"), "verdicts unchanged by "
            "failure reports", acts)
    s.stop()
    dry = os.path.join(s.dir, "dry")
    os.mkdir(dry)
    rc, out = s.run(None, "--dry-run", dry)
    T.check(rc == 0 and any(f.endswith(".eml") for f in os.listdir(dry)),
            "--dry-run writes the reports", out)
    for opt in (["--period", "yesterday"], ["--force"]):
        rc, out = s.run(None, *opt)
        T.check(rc == 2 and "usage:" in out and not s.new_mails(),
                "--failures %s: a usage error, nothing sent" % opt[0], out)
    rc, out = s.run()
    T.check(rc == 0, "authmilter-report --failures exit 0", out)
    got = by_domain(s.new_mails())
    T.check(sorted(k for k in got if k) == ["ext.example", "fo1.example",
                                           "none.example", "quar.example",
                                           "red.example", "unauth.example"],
            "reports for the domains that asked, and only those", out)
    T.check("failure unauth.example r@nobody.example: not authorized" in out
            and [t for t, _ in got.get("unauth.example", [])] ==
            ["ruf@unauth.example"], "no report to an unverified external "
            "destination", out)
    T.check([t for t, _ in got.get("ext.example", [])] ==
            ["r@collector.example"], "a verified external destination",
            got.get("ext.example"))
    for dom, lst in got.items():
        for _, m in lst:
            pr = fl.arf_problems(m)
            T.check(not pr, "RFC 9991 ARF fields (%s)" % dom, pr)
    check_red(got.get("red.example", []))
    check_fields(got)
    rc, out = s.run()
    T.check(rc == 0 and not s.new_mails(), "a second run sends nothing",
            out)


def check_red(lst):
    """red.example: one report for two copies, every field, redacted."""
    if not T.check(len(lst) == 1, "one report for two copies (dedup)",
                   len(lst)):
        return
    to, m = lst[0]
    raw = m.as_bytes()
    _, fb, copy = fl.parts(m)
    T.check(fb["Incidents"] == "2", "Incidents: 2", fb["Incidents"])
    T.check(" ".join(fb["Identity-Alignment"].split()) == "dkim, spf",
            "Identity-Alignment: dkim, spf", fb["Identity-Alignment"])
    T.check(fb["DKIM-Domain"] == "red.example" and fb["DKIM-Selector"] ==
            "sel" and fb["DKIM-Identity"] == "@red.example",
            "DKIM-* of the aligned failed signature", dict(fb))
    T.check(fb["SPF-DNS"] is not None and fl.SPF in fb["SPF-DNS"] and
            "red.example" in fb["SPF-DNS"], "SPF-DNS", fb["SPF-DNS"])
    T.check(fb["Source-IP"] == fl.BAD_IP and fb["Reported-Domain"] ==
            "red.example" and fb["Delivery-Result"] == "reject" and
            "dmarc=fail header.from=red.example" in
            fb["Authentication-Results"], "Source-IP, Reported-Domain, "
            "Delivery-Result, Authentication-Results", dict(fb))
    T.check(copy.get_content_type() == "text/rfc822-headers",
            "headers only by default", copy.get_content_type())
    text = copy.get_payload()
    T.check("Subject: [redacted]" in text and "Message-ID: <m1@mail.test>"
            in text and "@rcpt.example" in text and "redacted-" in text,
            "Subject and local parts redacted, Message-ID kept", text)
    T.check(not any(p in raw for p in PERSONAL) and b"hello" not in raw,
            "no local part, Subject or body anywhere in the report",
            [p for p in PERSONAL + [b"hello"] if p in raw])
    T.check(m["Subject"] == "DMARC failure report for red.example" and
            to == "ruf@red.example" and m["From"] == fl.OWN,
            "envelope and Subject of the report", (to, m["Subject"]))
    T.check(fb["Original-Mail-From"].startswith("<redacted-") and
            fb["Original-Mail-From"].endswith("@red.example>"),
            "Original-Mail-From redacted", fb["Original-Mail-From"])


def check_fields(got):
    """fo=1 for a DMARC pass; Delivery-Result of a delivered message."""
    lst = got.get("fo1.example", [])
    if T.check(len(lst) == 1, "fo=1: a report for a pass without DKIM",
               len(lst)):
        fb = fl.parts(lst[0][1])[1]
        T.check(fb["Identity-Alignment"] == "dkim" and "dmarc=pass" in
                fb["Authentication-Results"] and fb["SPF-DNS"] is None,
                "fo=1: only the mechanism that did not align", dict(fb))
    lst = got.get("none.example", [])
    if T.check(len(lst) == 1, "p=none failure reported", len(lst)):
        T.check(fl.parts(lst[0][1])[1]["Delivery-Result"] == "delivered",
                "Delivery-Result: delivered")
    # dmarc.quarantine "header" (the default): delivered for the Junk folder
    lst = got.get("quar.example", [])
    if T.check(len(lst) == 1, "p=quarantine failure reported", len(lst)):
        dr = fl.parts(lst[0][1])[1]["Delivery-Result"]
        T.check(dr == "spam", "Delivery-Result: spam (marked for Junk)", dr)


def copy_of(tmp, name, *more):
    """One red.example failure under a content setting: the report."""
    s = Store(tmp, name, *more)
    if not s.start():
        return None
    s.send(fl.BAD_IP, "alice.smith@red.example", "c1",
           body=b"Hi bob.jones@rcpt.example, see http://x.example/a\r\n")
    s.stop()
    rc, out = s.run()
    lst = s.new_mails()
    if not T.check(rc == 0 and len(lst) == 1, "one report (%s)" % name,
                   out):
        return None
    T.check(not fl.arf_problems(lst[0][1]), "ARF fields (%s)" % name,
            fl.arf_problems(lst[0][1]))
    return lst[0][1]


def check_content(tmp):
    """reports.failure.content and body."""
    m = copy_of(tmp, "headers", {"reports": {"failure": {
        "content": "headers", "body": True}}})
    if m is not None:
        _, fb, copy = fl.parts(m)
        raw = copy.as_bytes()
        T.check(copy.get_content_type() == "message/rfc822" and
                b"alice.smith@red.example" in raw and
                b"Subject: Quarterly numbers" in raw and
                b"http://x.example/a" in raw and m["Subject"] ==
                "FW: Quarterly numbers", "content headers, body: as "
                "received", raw[-400:])
    m = copy_of(tmp, "body", {"reports": {"failure": {"body": True}}})
    if m is not None:
        raw = m.as_bytes()
        T.check(b"hxxp://x.example/a" in raw and b"http://x.example" not in
                raw and not any(p in raw for p in PERSONAL) and
                fl.parts(m)[2].get_content_type() == "message/rfc822",
                "redacted with body: local parts out, URLs defanged",
                raw[-400:])
    m = copy_of(tmp, "nocopy", {"reports": {"failure": {"content":
                                                        "none"}}})
    if m is not None:
        copy = fl.parts(m)[2]
        raw = m.as_bytes()
        T.check(copy.get_payload().strip() == "" and not any(
            p in raw for p in PERSONAL), "content none: an empty copy",
            copy.get_payload())


def check_rate(tmp):
    """rate_destination across a daemon restart and two runs."""
    s = Store(tmp, "rate", {"reports": {"failure": {
        "rate_destination": 2}}})
    now = int(time.time())
    if not s.start():
        return
    for i in range(3):
        s.send(fl.BAD_IP, "a@rate.example", "r%d" % i)
    s.stop()
    rc, out = s.run(now)
    T.check(len(s.new_mails()) == 2 and out.count("rate limited") == 1,
            "rate_destination 2: two sent, one discarded", out)
    if not s.start():
        return
    for i in range(3, 5):
        s.send(fl.BAD_IP, "a@rate.example", "r%d" % i)
    s.stop()
    rc, out = s.run(now + 60)
    T.check(not s.new_mails() and out.count("rate limited") == 2,
            "the limit holds after a restart of the daemon", out)
    if not s.start():
        return
    s.send(fl.BAD_IP, "a@rate.example", "r5")
    s.stop()
    rc, out = s.run(now + 3700)
    T.check(len(s.new_mails()) == 1, "an hour later one goes again", out)
    g = Store(tmp, "global", {"reports": {"failure": {"rate_global": 3}}})
    if not g.start():
        return
    for i in range(2):
        g.send(fl.BAD_IP, "a@glob1.example", "g1%d" % i)
        g.send(fl.BAD_IP, "a@glob2.example", "g2%d" % i)
    g.stop()
    rc, out = g.run(now)
    T.check(len(g.new_mails()) == 3 and out.count("rate limited") == 1,
            "rate_global 3 over two destinations", out)


def check_upstream(tmp):
    """A message decided on a trusted gateway's A-R gets no report (the
    gateway saw the sender); one from the sender itself does."""
    gw_ip, gw_id = "192.0.2.200", "gw.ourorg.example"
    s = Store(tmp, "upstream", {"policy": {
        "trusted_networks": [gw_ip + "/32"],
        "trusted_authserv_ids": [gw_id]}})
    if not s.start():
        return
    ar = ("Authentication-Results: %s; spf=fail smtp.mailfrom=a@red.example;"
          "\r\n\tdkim=none\r\n" % gw_id).encode()
    acts = [s.send(gw_ip, "a@red.example", "u1", extra=ar),
            s.send(fl.BAD_IP, "a@red.example", "u2")]
    s.stop()
    T.check(acts == ["reject", "reject"], "the gateway's spf=fail decides "
            "(p=reject), as a direct failure does", acts)
    rc, out = s.run()
    got = [fl.parts(m)[1] for _, m in s.new_mails()]
    T.check(rc == 0 and [fb["Source-IP"] for fb in got] == [fl.BAD_IP],
            "no failure report for the message decided on upstream "
            "results", out)


def main():
    tmp = tempfile.mkdtemp(prefix="authmilter-failure-")
    os.chmod(tmp, 0o755)
    try:
        check_main(tmp)
        check_content(tmp)
        check_rate(tmp)
        check_upstream(tmp)
    finally:
        testlib.remove_tmp(tmp, "-k" in sys.argv)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
