#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The operator's policy controls, through the real daemon over the milter
protocol (test/tools/milterclient.py) and through authmilter-check on the
same message and configuration:

  reject-text   dmarc.reject_text: the 550 5.7.1 reply of a p=reject
                failure with %d (the author domain) and %% expanded
  overrides     policy.overrides: accept (a p=reject failure delivered,
                the rule named in the A-R comment, the log line and the
                --json override member), no-dmarc (dmarc=none, not
                evaluated), reject and tempfail with the rule's reason,
                author, MAIL FROM "*." and client matchers, first match
  upstream      policy.trusted_authserv_ids: a trusted gateway's A-R
                results decide (a p=reject failure it reports is refused,
                a pass delivered with our A-R saying "from" the gateway),
                its fields are kept, no Received-SPF is added for its
                SPF result; an unlisted id leaves the message unchecked
                as before; the same A-R from an untrusted client is
                never read
  quarantine    dmarc.quarantine "header" (the default): a p=quarantine
                failure is delivered with X-Spam-Flag: YES and
                X-Authmilter-Quarantine below our A-R, forged copies of the
                latter are deleted, and the README's Dovecot Sieve rule
                (run with sieve-test) files the delivered message into Junk
                and a passing one into INBOX; "quarantine" still holds it

Every group of cases gets its own daemon (`milter/authmilter -f`) on a
free 127.0.0.1 port, with DNS answered from dns.local_data under a static
local zone (nothing leaves the machine).

  run_controls.py [-k SUBSTRING]... [-v] [--keep]

Prints "PASS name" or "FAIL name: why" per check and ends with
"controls: N passed, N failed"; exit status 1 when anything failed. Runs
as root (the daemon drops to user nobody); use /usr/bin/python3.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))

from milterclient import MilterClient, MilterError  # noqa: E402
import testlib  # noqa: E402

DAEMON = testlib.program("authmilter")
CHECK = testlib.program("authmilter-check")
AUTHSERV_ID = "mx.controls.example"
LEGIT_IP = "192.0.2.10"         # the domain owners' outbound host
EVIL_IP = "203.0.113.66"        # anybody else
RCPT = "rcpt@rcpt.example"

# every domain publishes SPF for LEGIT_IP; the DMARC policy is its name
DOMAINS = {
    "reject.example": "v=DMARC1; p=reject",
    "quar.example": "v=DMARC1; p=quarantine",
    "none.example": "v=DMARC1; p=none",
    "partner.example": "v=DMARC1; p=reject",
}

passed = failed = 0
opts = None


def check(name, cond, detail=""):
    """Count one check; with -v or on failure show the detail."""
    global passed, failed
    if cond:
        passed += 1
        print("PASS %s" % name)
        if opts.v and detail:
            print("      %s" % detail)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))
    sys.stdout.flush()


def dns_lines():
    out = []
    for d, dmarc in sorted(DOMAINS.items()):
        out.append('%s. 300 IN TXT "v=spf1 ip4:%s -all"' % (d, LEGIT_IP))
        out.append('_dmarc.%s. 300 IN TXT "%s"' % (d, dmarc))
        out.append('%s. 300 IN A 192.0.2.1' % d)
    return out


def write_config(path, port, *more):
    """The daemon on 127.0.0.1:PORT, DNS from dns_lines(); MORE (dicts,
    testlib.config_text) on top."""
    testlib.write_config(path, {
        "authserv_id": AUTHSERV_ID,
        "milter": {"socket": "inet:%d@127.0.0.1" % port, "user": "nobody"},
        "dns": {"local_zones": ["example. static"],
                "local_data": dns_lines()},
    }, *more, comment="written by test/controls/run_controls.py")


class Msg(object):
    """One transaction: envelope, header fields, and what the daemon and
    authmilter-check made of it."""

    def __init__(self, author, ip=EVIL_IP, mailfrom=None, headers=(),
                 auth=None):
        self.author = author
        self.auth = auth            # {auth_authen}: an SMTP AUTH client
        self.ip = ip
        self.mailfrom = mailfrom if mailfrom is not None else \
            "user@" + author
        self.helo = "mail.sender.example"
        self.headers = list(headers)

    def raw(self, qid):
        head = list(self.headers) + [
            "From: <user@%s>" % self.author,
            "To: <%s>" % RCPT,
            "Subject: controls %s" % qid,
            "Date: Mon, 23 Nov 2026 12:00:00 +0000",
            "Message-ID: <%s@controls.example>" % qid,
        ]
        return ("\r\n".join(head) + "\r\n\r\nbody\r\n").encode()


class Group(object):
    """One daemon with one configuration."""

    def __init__(self, tmp, name, *more):
        self.name = name
        self.port = testlib.free_port()
        self.conf = os.path.join(tmp, "%s.conf" % name)
        self.tmp = tmp
        write_config(self.conf, self.port, *more)
        self.daemon = testlib.Daemon(DAEMON, self.conf,
                                     os.path.join(tmp, "%s.log" % name))
        self.n = 0

    def up(self):
        ok = self.daemon.wait_up()
        check("%s: daemon starts" % self.name, ok, self.daemon.text()[-600:])
        return ok

    def send(self, msg):
        """(milter Result, authmilter-check stdout, the verdict log line)"""
        self.n += 1
        qid = "CT%s%03d" % (re.sub(r"[^A-Za-z0-9]", "", self.name)[:8],
                            self.n)
        raw = msg.raw(qid)
        c = MilterClient(port=self.port, timeout=30)
        try:
            c.negotiate()
            c.connect("[%s]" % msg.ip, msg.ip)
            c.helo(msg.helo)
            r = c.message("<%s>" % msg.mailfrom, ["<%s>" % RCPT], raw,
                          macros={"i": qid}, mail_macros={
                              "{auth_authen}": msg.auth} if msg.auth else
                          None)
        finally:
            try:
                c.close()
            except (OSError, MilterError):
                pass
        path = os.path.join(self.tmp, "%s.eml" % qid)
        with open(path, "wb") as f:
            f.write(raw)
        p = subprocess.run([CHECK, "-c", self.conf, "--client-ip", msg.ip,
                            "--helo", msg.helo, "--mail-from", msg.mailfrom,
                            "--rcpt", RCPT, path], capture_output=True,
                           text=True, timeout=60)
        return r, p.stdout, self.log_line(qid)

    def log_line(self, qid):
        found = []

        def seen():
            for line in self.daemon.text().splitlines():
                if (qid + ": ") in line and "action=" in line:
                    found.append(line)
                    return True
            return False
        testlib.wait_for(seen, 5)
        return found[0] if found else ""

    def stop(self):
        self.daemon.stop()


def t_reject_text(tmp):
    g = Group(tmp, "reject-text", {"dmarc": {
        "reject_text": "Refused: %d fails DMARC, see "
                       "https://help.example/?d=%d (100%% sure)"}})
    try:
        if not g.up():
            return
        r, out, log = g.send(Msg("reject.example"))
        want = ("550 5.7.1 Refused: reject.example fails DMARC, see "
                "https://help.example/?d=reject.example (100% sure)")
        # on the wire % is doubled: the MTA (Postfix, sendmail) reads the
        # reply as a format, %% a literal %
        check("reject-text: milter reply with %d and %% expanded",
              r.action == "reject" and r.reply is not None and
              r.reply.replace("%%", "%") == want, repr(r.reply))
        check("reject-text: authmilter-check prints the same reply",
              "reply: " + want in out, out)
    finally:
        g.stop()
    g = Group(tmp, "reject-default")
    try:
        if not g.up():
            return
        r, out, log = g.send(Msg("reject.example"))
        check("reject-default: the text of 0.1.0",
              r.reply == "550 5.7.1 DMARC policy of reject.example rejects "
              "this message", repr(r.reply))
    finally:
        g.stop()


OVERRIDES = {"policy": {"overrides": [
    {"name": "partner", "author": ["partner.example", "*.partner.example"],
     "action": "accept", "reason": "their list server breaks DKIM"},
    {"name": "lists", "mail_from": "*.lists.example", "action": "no-dmarc",
     "reason": "bounces of our lists"},
    {"name": "badnet", "client": "198.51.100.0/24", "action": "reject",
     "reason": "Refused by local policy, 100% sure"},
    {"name": "later", "client": ["2001:db8:bad::/48"], "action": "tempfail",
     "reason": "Try again later"},
    {"name": "never", "author": "partner.example", "action": "reject",
     "reason": "a later rule never applies"},
]}}


def check_json(conf, msg, path):
    p = subprocess.run([CHECK, "-c", conf, "--json", "--client-ip", msg.ip,
                        "--helo", msg.helo, "--mail-from", msg.mailfrom,
                        path], capture_output=True, text=True, timeout=60)
    return testlib.json_object(p.stdout.encode()) or {}


def t_overrides(tmp):
    g = Group(tmp, "overrides", OVERRIDES)
    try:
        if not g.up():
            return
        m = Msg("partner.example")
        r, out, log = g.send(m)
        ar = re.sub(r"\s+", " ", r.header("Authentication-Results") or
                    "").strip()
        check("overrides: accept delivers a p=reject failure",
              r.action == "continue" and r.reply is None, str(r.reply))
        # the rule next to the disposition it decided, then the reason
        # DMARC failed (dmarc_explain)
        check("overrides: the A-R comment names the rule",
              "dmarc=fail (p=reject sp=reject dis=none; local policy "
              "partner - no aligned SPF or DKIM pass" in ar, ar)
        check("overrides: the log line names the rule and its reason",
              "override=partner reason=\"their list server breaks DKIM\""
              in log and "dmarc=fail" in log and "action=accept" in log, log)
        path = os.path.join(tmp, "ovr.eml")
        with open(path, "wb") as f:
            f.write(m.raw("ovr"))
        js = check_json(g.conf, m, path)
        check("overrides: authmilter-check --json has the override",
              js.get("override") == {"name": "partner", "action": "accept",
                                     "reason": "their list server breaks "
                                     "DKIM"} and js.get("action") ==
              "accept", json.dumps(js.get("override")))
        r, out, log = g.send(Msg("news.partner.example",
                                 mailfrom="x@news.partner.example"))
        check("overrides: *.partner.example matches a subdomain author",
              r.action == "continue" and "override=partner" in log, log)
        r, out, log = g.send(Msg("reject.example",
                                 mailfrom="bounce@a.lists.example"))
        ar = re.sub(r"\s+", " ", r.header("Authentication-Results") or
                    "").strip()
        check("overrides: no-dmarc: not evaluated, dmarc=none says why",
              r.action == "continue" and "dmarc=none (not evaluated: "
              "local policy lists)" in ar and "policy.dmarc" not in ar and
              " dmarc=" not in log and "override=lists" in log,
              "%s | %s" % (ar, log))
        r, out, log = g.send(Msg("reject.example",
                                 mailfrom="bounce@lists.example"))
        check("overrides: *.lists.example is not lists.example itself",
              r.action == "reject" and "override=" not in log, log)
        r, out, log = g.send(Msg("reject.example", ip=LEGIT_IP))
        check("overrides: no rule, DMARC passes: delivered",
              r.action == "continue" and "override=" not in log, log)
        r, out, log = g.send(Msg("none.example", ip="198.51.100.9"))
        check("overrides: reject by client network, the reason as reply",
              r.action == "reject" and (r.reply or "").replace("%%", "%")
              == "550 5.7.1 Refused by local policy, 100% sure" and
              "override=badnet" in log and "reply: 550 5.7.1 Refused by "
              "local policy, 100% sure" in out, "%r %s" % (r.reply, log))
        r, out, log = g.send(Msg("partner.example", ip="2001:db8:bad::25"))
        check("overrides: the first rule that matches wins",
              r.action == "continue" and "override=partner" in log, log)
        r, out, log = g.send(Msg("none.example", ip="2001:db8:bad::25"))
        check("overrides: tempfail by IPv6 network: 451 4.7.1",
              r.action == "tempfail" and r.reply ==
              "451 4.7.1 Try again later" and "override=later" in log,
              "%r %s" % (r.reply, log))
    finally:
        g.stop()


GW_IP = "192.0.2.200"
GW_ID = "gw.controls.example"
UPSTREAM = {"policy": {"trusted_networks": [GW_IP + "/32"],
                       "trusted_authserv_ids": [GW_ID]},
            "spf": {"received_spf": True}}


def gw_ar(spf, domain, dkim="none", authserv=GW_ID):
    return ("Authentication-Results: %s; spf=%s smtp.mailfrom=user@%s;\r\n"
            "\tdkim=%s; dmarc=pass header.from=%s" % (authserv, spf, domain,
                                                     dkim, domain))


def t_upstream(tmp):
    g = Group(tmp, "upstream", UPSTREAM)
    try:
        if not g.up():
            return
        m = Msg("reject.example", ip=GW_IP,
                headers=[gw_ar("fail", "reject.example")])
        r, out, log = g.send(m)
        check("upstream: the gateway's spf=fail makes a p=reject failure "
              "refused", r.action == "reject" and "upstream=" + GW_ID in log
              and "dmarc=fail" in log, "%s %r | %s" % (r.action, r.reply,
                                                        log))
        m = Msg("reject.example", ip=GW_IP,
                headers=[gw_ar("pass", "reject.example"),
                         "Authentication-Results: %s; dmarc=pass" %
                         AUTHSERV_ID])
        r, out, log = g.send(m)
        ar = re.sub(r"\s+", " ", r.header("Authentication-Results") or
                    "").strip()
        check("upstream: the gateway's spf=pass: DMARC passes, delivered",
              r.action == "continue" and "dmarc=pass" in ar, ar)
        check("upstream: our A-R says whose SPF result it is",
              ar.startswith(AUTHSERV_ID + ";") and "spf=pass (from %s) "
              "smtp.mailfrom=reject.example" % GW_ID in ar and
              "dkim=none (from %s)" % GW_ID in ar, ar)
        check("upstream: the trusted host's fields are kept",
              not [c for c in r.changed if c[2] == ""], str(r.changed))
        check("upstream: no Received-SPF (its SPF result is not ours)",
              r.header("Received-SPF") is None, str(r.inserted))
        path = os.path.join(tmp, "up.eml")
        with open(path, "wb") as f:
            f.write(m.raw("up"))
        js = check_json(g.conf, m, path)
        check("upstream: authmilter-check --json names the upstream id",
              js.get("upstream") == GW_ID and js.get("action") == "accept",
              json.dumps({k: js.get(k) for k in ("upstream", "action")}))
        m = Msg("reject.example", ip=GW_IP,
                headers=[gw_ar("fail", "reject.example",
                               authserv="mx.unlisted.example")])
        r, out, log = g.send(m)
        check("upstream: an unlisted authserv-id: unchecked, as before",
              r.action == "continue" and not r.inserted and
              "skipped=trusted" in log, "%s %s | %s" % (r.action, r.inserted,
                                                       log))
        m = Msg("reject.example", headers=[gw_ar("pass", "reject.example")])
        r, out, log = g.send(m)
        check("upstream: the gateway's A-R from an untrusted client is not "
              "read", r.action == "reject" and "upstream=" not in log and
              "spf=fail" in log, "%s | %s" % (r.action, log))
        check("upstream: our own SPF check gets its Received-SPF",
              (r.header("Received-SPF") or "").strip().startswith(
                  "fail (%s: " % AUTHSERV_ID), str(r.inserted))
        m = Msg("reject.example", ip=GW_IP, auth="alice",
                headers=[gw_ar("fail", "reject.example")])
        r, out, log = g.send(m)
        check("upstream: an authenticated submission through the gateway "
              "stays unchecked", r.action == "continue" and
              "skipped=trusted" in log and "upstream=" not in log,
              "%s | %s" % (r.action, log))
        m = Msg("quar.example", ip=GW_IP,
                headers=[gw_ar("softfail", "quar.example")])
        r, out, log = g.send(m)
        check("upstream: a p=quarantine failure gets the Junk mark",
              r.action == "continue" and (r.header(
                  "X-Authmilter-Quarantine") or "").strip() ==
              "dmarc quar.example", str(r.inserted))
    finally:
        g.stop()


def delivered(r, raw):
    """The message as the MTA delivers it: the milter's deletions and
    insertions (each at the top) applied to RAW."""
    head, _, body = raw.partition(b"\r\n\r\n")
    fields = MilterClient._fields(head.replace(b"\r\n", b"\n"))
    for idx, name, value in r.changed:
        if value == "":
            n = 0
            for i, (fn, _) in enumerate(fields):
                if fn.decode().lower() == name.lower():
                    n += 1
                    if n == idx:
                        del fields[i]
                        break
    for _, name, value in r.inserted:
        fields.insert(0, [name.encode(), b" " + value.encode()])
    lines = [n + b":" + v.replace(b"\n", b"\r\n") for n, v in fields]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def readme_sieve():
    """The Dovecot Sieve rule of README, as printed there."""
    with open(os.path.join(TOP, "README")) as f:
        lines = f.read().splitlines()
    if '    require ["fileinto"];' not in lines:
        return "# README has no Sieve rule\n"
    start = lines.index('    require ["fileinto"];')
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line[4:])
    return "\n".join(out) + "\n"


def sieve_folder(tmp, name, message):
    """The folder sieve-test files MESSAGE into with README's rule."""
    d = os.path.join(tmp, "sieve-" + name)
    os.makedirs(d)
    with open(os.path.join(d, "rule.sieve"), "w") as f:
        f.write(readme_sieve())
    with open(os.path.join(d, "m.eml"), "wb") as f:
        f.write(message)
    p = subprocess.run(["sieve-test", "-o", "mail_uid=nobody", "-o",
                        "mail_gid=nogroup", os.path.join(d, "rule.sieve"),
                        os.path.join(d, "m.eml")], capture_output=True,
                       text=True, timeout=60)
    m = re.search(r"store message in folder: (\S+)", p.stdout)
    return m.group(1) if m else p.stdout + p.stderr


def top_fields(msg, n):
    return [line.split(b":")[0].decode() for line in
            msg.split(b"\r\n\r\n")[0].split(b"\r\n")
            if line[:1] not in (b" ", b"\t")][:n]


def t_quarantine(tmp):
    forged = ["X-Authmilter-Quarantine: none, trust me"]
    g = Group(tmp, "quarantine-header")
    try:
        if not g.up():
            return
        m = Msg("quar.example", headers=forged)
        r, out, log = g.send(m)
        got = {n: v for _, n, v in r.inserted}
        check("quarantine: default \"header\" delivers, no hold",
              r.action == "continue" and r.quarantine is None,
              "%s %r" % (r.action, r.quarantine))
        check("quarantine: X-Spam-Flag: YES inserted",
              got.get("X-Spam-Flag", "").strip() == "YES", str(r.inserted))
        check("quarantine: X-Authmilter-Quarantine: dmarc <domain>",
              got.get("X-Authmilter-Quarantine", "").strip() ==
              "dmarc quar.example", str(r.inserted))
        check("quarantine: the forged X-Authmilter-Quarantine deleted",
              ("X-Authmilter-Quarantine" in [n for _, n, v in r.changed
                                            if v == ""]), str(r.changed))
        msg = delivered(r, m.raw(""))
        check("quarantine: A-R on top, the mark right below it",
              top_fields(msg, 4) == ["Authentication-Results",
                                     "X-Authmilter-Quarantine",
                                     "X-Spam-Flag", "From"] and
              msg.count(b"X-Authmilter-Quarantine:") == 1,
              str(top_fields(msg, 4)))
        check("quarantine: dis=quarantine in the A-R",
              "dis=quarantine" in got.get("Authentication-Results", ""),
              got.get("Authentication-Results"))
        check("quarantine: authmilter-check prints the mark and the "
              "deletion", "X-Authmilter-Quarantine: dmarc quar.example" in
              out and "X-Spam-Flag: YES" in out and
              "would remove 1 forged X-Authmilter-Quarantine" in out, out)
        check("quarantine: the log line says removed_mark=1",
              "removed_mark=1" in log and "action=accept" in log, log)
        if shutil.which("sieve-test") is None:
            check("quarantine: README's Sieve rule", False,
                  "sieve-test missing (apt-get install dovecot-sieve)")
        else:
            check("quarantine: README's Sieve rule files it into Junk",
                  sieve_folder(tmp, "junk", msg) == "Junk",
                  sieve_folder(tmp, "junk2", msg))
        m = Msg("quar.example", ip=LEGIT_IP, headers=forged)
        r, out, log = g.send(m)
        msg = delivered(r, m.raw(""))
        check("quarantine: passing mail gets no mark, the forged one "
              "goes", b"X-Authmilter-Quarantine" not in msg and
              b"X-Spam-Flag" not in msg and "dmarc=pass" in
              (r.header("Authentication-Results") or ""), str(r.inserted))
        if shutil.which("sieve-test") is not None:
            check("quarantine: README's Sieve rule keeps passing mail in "
                  "INBOX", sieve_folder(tmp, "inbox", msg) == "INBOX",
                  sieve_folder(tmp, "inbox2", msg))
        r, out, log = g.send(Msg("reject.example"))
        check("quarantine: p=reject is still refused, unmarked",
              r.action == "reject" and r.header("X-Spam-Flag") is None and
              r.header("X-Authmilter-Quarantine") is None, str(r.inserted))
    finally:
        g.stop()
    g = Group(tmp, "quarantine-hold",
              {"dmarc": {"quarantine": "quarantine"}})
    try:
        if not g.up():
            return
        r, out, log = g.send(Msg("quar.example"))
        check("quarantine: \"quarantine\" holds it, unmarked",
              r.quarantine == "DMARC policy of quar.example: quarantine"
              and r.header("X-Spam-Flag") is None and
              r.header("X-Authmilter-Quarantine") is None,
              "%r %s" % (r.quarantine, r.inserted))
    finally:
        g.stop()


TESTS = [("reject-text", t_reject_text), ("overrides", t_overrides),
         ("upstream", t_upstream), ("quarantine", t_quarantine)]


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[],
                    help="run only tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="show details")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp dir (configs, logs, messages)")
    opts = ap.parse_args()
    if os.geteuid() != 0:
        check("setup", False, "must run as root (the daemon drops to nobody)")
    elif not all(os.access(p, os.X_OK) for p in (DAEMON, CHECK)):
        check("setup", False, "build first: %s, %s" % (DAEMON, CHECK))
    else:
        tmp = tempfile.mkdtemp(prefix="authmilter-controls.")
        os.chmod(tmp, 0o755)
        try:
            for name, fn in TESTS:
                if not opts.k or any(k in name for k in opts.k):
                    fn(tmp)
        finally:
            testlib.remove_tmp(tmp, opts.keep)
    print("controls: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
