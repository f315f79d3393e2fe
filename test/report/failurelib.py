# SPDX-License-Identifier: BSD-2-Clause
"""Shared pieces of the DMARC failure-report tests (RFC 9991).

The daemon records failure reports into the store (reports.failure);
authmilter-report --failures sends them. The reports are read back with
Python's email package and checked against the field list of RFC 9991
section 4 and RFC 5965/6591 (arf_problems()), a parser we did not write.

    import failurelib as fl
    fl.write_config(path, port, store, spool, {...more...}, sendmail=x)
    fl.send(port, ip, "a@red.example", msgid="m1", body=b"...")
    fl.run_failures(conf, now=..)          # rc, stdout
    msg = fl.read(path); fl.arf_problems(msg)   # [] when it is an ARF
"""

import email
import email.policy
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reportlib as rl  # noqa: E402
from reportlib import testlib  # noqa: E402
from milterclient import MilterClient, MilterError  # noqa: E402

GOOD_IP, BAD_IP = rl.GOOD_IP, rl.BAD_IP
OWN = rl.OWN
SPF = "v=spf1 ip4:%s -all" % GOOD_IP

# domain -> DMARC record; each gets SPF that passes only GOOD_IP
DOMAINS = {
    "red.example": "v=DMARC1; p=reject; ruf=mailto:ruf@red.example",
    "none.example": "v=DMARC1; p=none; ruf=mailto:ruf@none.example",
    "quar.example": "v=DMARC1; p=quarantine; ruf=mailto:ruf@quar.example",
    "ext.example": "v=DMARC1; p=none; ruf=mailto:r@collector.example",
    "unauth.example": "v=DMARC1; p=none; ruf=mailto:r@nobody.example,"
                      "mailto:ruf@unauth.example",
    "psd.example": "v=DMARC1; p=reject; psd=y; ruf=mailto:ruf@psd.example",
    "fo1.example": "v=DMARC1; p=none; fo=1; ruf=mailto:ruf@fo1.example",
    "fo0.example": "v=DMARC1; p=none; fo=0; ruf=mailto:ruf@fo0.example",
    "fod.example": "v=DMARC1; p=none; fo=d:s; ruf=mailto:ruf@fod.example",
    "noruf.example": "v=DMARC1; p=none; rua=mailto:rua@noruf.example",
    "rate.example": "v=DMARC1; p=none; ruf=mailto:ruf@rate.example",
    "glob1.example": "v=DMARC1; p=none; ruf=mailto:ruf@glob1.example",
    "glob2.example": "v=DMARC1; p=none; ruf=mailto:ruf@glob2.example",
}
EXTRA = ['ext.example._report._dmarc.collector.example. 300 IN TXT '
         '"v=DMARC1"']

# RFC 9991 4 and RFC 6591 3.1, 3.2, RFC 5965 3.1-3.3
ONCE_REQUIRED = ["Feedback-Type", "User-Agent", "Version", "Auth-Failure",
                 "Authentication-Results", "Identity-Alignment"]
ONCE_OPTIONAL = ["Original-Envelope-Id", "Original-Mail-From",
                 "Arrival-Date", "Reporting-MTA", "Source-IP", "Incidents",
                 "Delivery-Result", "Reported-Domain", "DKIM-Domain",
                 "DKIM-Identity", "DKIM-Selector"]
ID_ALIGN = re.compile(r"^\s*(none|(dkim|spf)(\s*,\s*(dkim|spf))?)\s*$")
SPF_DNS = re.compile(r'^\s*(txt|spf)\s*:\s*[A-Za-z0-9.-]+\s*:\s*"(.*)"\s*$')


def local_data():
    return rl.local_data(DOMAINS, EXTRA)


def write_config(path, port, store, spool, *more, sendmail="/bin/false"):
    """reportlib's config with this module's DNS data and failure reports
    on (the default content: redacted); MORE on top."""
    rl.write_config(path, port, store, spool,
                    {"dns": {"local_data": local_data()},
                     "reports": {"failure": {"enabled": True}}},
                    *more, sendmail=sendmail)


def message(author, msgid, body=b"hello\r\n", subject="Quarterly numbers",
            extra=b""):
    """A message from alice.smith@AUTHOR's domain to two people."""
    return (b"From: Alice Smith <" + author.encode() + b">\r\n"
            b"To: Bob Jones <bob.jones@rcpt.example>\r\n"
            b"Cc: \"carol x\"@rcpt.example\r\n"
            b"Subject: " + subject.encode() + b"\r\n"
            b"Message-ID: <" + msgid.encode() + b"@mail.test>\r\n" + extra +
            b"\r\n" + body)


def send(port, ip, author, msgid, mailfrom=None, **kw):
    """One message through the milter; its action."""
    c = MilterClient(port=port, timeout=30)
    try:
        c.negotiate()
        c.connect("[%s]" % ip, ip)
        c.helo("mail.sender.test")
        r = c.message("<%s>" % (mailfrom or author),
                      ["<bob.jones@rcpt.example>"],
                      message(author, msgid, **kw), macros={"i": msgid})
    finally:
        try:
            c.close()
        except (OSError, MilterError):
            pass
    return r.action


def run_failures(conf, now=None, *args):
    """authmilter-report --failures: (exit status, stdout)."""
    cmd = [rl.REPORT, "-c", conf, "--failures"]
    if now is not None:
        cmd += ["--now", str(int(now))]
    rc, out, err, problem, _ = testlib.run_timed(cmd + list(args), 120)
    return rc, out.decode(errors="replace") + err.decode(errors="replace") \
        + (problem or "")


def read(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.compat32)


def parts(msg):
    """(text, feedback fields as a Message, the copy part) or None."""
    if msg.get_content_type() != "multipart/report" or \
            msg.get_param("report-type") != "feedback-report":
        return None
    p = msg.get_payload()
    if len(p) != 3 or p[0].get_content_type() != "text/plain" or \
            p[1].get_content_type() != "message/feedback-report":
        return None
    fb = p[1].get_payload()
    fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
    return p[0], fb, p[2]


def arf_problems(msg):
    """What keeps MSG from being an RFC 9991 failure report; [] if none."""
    pr = []
    got = parts(msg)
    if got is None:
        return ["not multipart/report; report-type=feedback-report with "
                "text/plain, message/feedback-report and a third part"]
    _, fb, copy = got
    if copy.get_content_type() not in ("text/rfc822-headers",
                                       "message/rfc822"):
        pr.append("third part is %s" % copy.get_content_type())
    if msg["Auto-Submitted"] != "auto-generated":
        pr.append("no Auto-Submitted")
    for k in ONCE_REQUIRED:
        if len(fb.get_all(k) or []) != 1:
            pr.append("%s %d times" % (k, len(fb.get_all(k) or [])))
    for k in ONCE_OPTIONAL:
        if len(fb.get_all(k) or []) > 1:
            pr.append("%s more than once" % k)
    want = {"Feedback-Type": "auth-failure", "Version": "1",
            "Auth-Failure": "dmarc"}
    for k, v in want.items():
        if (fb[k] or "").strip() != v:
            pr.append("%s: %r" % (k, fb[k]))
    if not ID_ALIGN.match(fb["Identity-Alignment"] or "x"):
        pr.append("Identity-Alignment: %r" % fb["Identity-Alignment"])
    if "dmarc=" not in (fb["Authentication-Results"] or ""):
        pr.append("Authentication-Results without dmarc=")
    if fb["Delivery-Result"] not in (None, "delivered", "spam", "policy",
                                     "reject", "other"):
        pr.append("Delivery-Result: %r" % fb["Delivery-Result"])
    dk = [fb[k] is not None for k in ("DKIM-Domain", "DKIM-Identity",
                                      "DKIM-Selector")]
    if any(dk) and not all(dk):
        pr.append("DKIM-Domain, -Identity, -Selector not together")
    for v in fb.get_all("SPF-DNS") or []:
        if not SPF_DNS.match(v):
            pr.append("SPF-DNS: %r" % v)
    if fb["Incidents"] is not None and not fb["Incidents"].isdigit():
        pr.append("Incidents: %r" % fb["Incidents"])
    return pr


SENDMAIL = """#!/bin/sh
for a; do to=$a; done
n=$(date +%%s%%N)
echo "$@" > %(dir)s/$n.args
cat > %(dir)s/$n.eml
"""


def fake_sendmail(tmp):
    """A sendmail stand-in keeping each mail in TMP/mails; its path."""
    mails = os.path.join(tmp, "mails")
    os.makedirs(mails, exist_ok=True)
    path = os.path.join(tmp, "sendmail")
    with open(path, "w") as f:
        f.write(SENDMAIL % {"dir": mails})
    os.chmod(path, 0o755)
    return path, mails


def mails(d, seen=None):
    """[(recipient, message)] kept by the stand-in, new since SEEN."""
    out = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".args") or (seen is not None and f in seen):
            continue
        if seen is not None:
            seen.add(f)
        with open(os.path.join(d, f)) as fp:
            to = fp.read().split()[-1]
        out.append((to, read(os.path.join(d, f[:-5] + ".eml"))))
    return out
