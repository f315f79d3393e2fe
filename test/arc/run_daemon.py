#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ARC through the real daemon, over the milter protocol.

Starts `milter/authmilter -f -c CONF` on a free 127.0.0.1 port with ARC
sealing on (rsa-sha256, d=example.org) and arc.trusted_sealers =
[ "list.example" ], SPF/DKIM/DMARC on, every DNS name answered from
dns.local_data under a static root zone.  Messages go in through
test/tools/milterclient.py from untrusted clients, and for each one:

  * the action and reply are checked;
  * the inserted fields are applied to the message the way the MTA would
    (smfi_insheader index semantics) to rebuild what leaves the MTA: the
    three ARC fields must be inserted at index 0 so that ARC-Seal ends on
    top, then ARC-Message-Signature, then ARC-Authentication-Results;
  * dkimpy (dkim.arc_verify) must validate the rebuilt message, and so must
    authmilter-check (sealers in order).

Cases: a DKIM/DMARC-passing message (i=1, cv=none, AAR with our results);
a message that arrives ARC-sealed (i=2, cv=pass); the trusted-sealer DMARC
override: DMARC fails under p=reject, but the chain passes, its newest
sealer is trusted and its AAR says dmarc=pass for the same header.from ->
accepted, the A-R keeps dmarc=fail and names the override; and the
variations that must still be rejected with 550 5.7.1 (sealer not trusted,
AAR dmarc=fail, AAR for another domain, broken chain, trusted sealer not the
newest).

  run_daemon.py [-k SUBSTR]... [-v] [--keep DIR]

Ends with "arc-daemon: N passed, N failed".  Runs as root (the daemon drops
to user nobody).  Exit 1 if anything failed.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arclib  # noqa: E402
from arclib import crlf  # noqa: E402
from milterclient import MilterClient, MilterError  # noqa: E402
import testlib  # noqa: E402

import dkim  # noqa: E402  (arclib made sure it imports)

AUTHSERV_ID = "mx.example.org"
SEAL_DOMAIN = "example.org"
SEAL_SELECTOR = "arc1"
TRUSTED = ["list.example"]
ACTIONS = ("accept", "continue")


class World(object):
    """Keys, DNS records and message builders."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.records = {}
        self.keys = {}
        self.seal_key = self.key("seal", SEAL_DOMAIN, SEAL_SELECTOR)
        self.key("dkim-sender", "sender.example", "s1")
        self.key("dkim-victim", "victim.example", "s1")
        self.key("dkim-victimq", "victim-q.example", "s1")
        for d in ("list.example", "otherlist.example", "relay.example",
                  "fwd.example"):
            self.key(d, d, "arc")
        self.records.update({
            "sender.example": "v=spf1 ip4:192.0.2.10 -all",
            "_dmarc.sender.example": "v=DMARC1; p=reject",
            "victim.example": "v=spf1 ip4:192.0.2.20 -all",
            "_dmarc.victim.example": "v=DMARC1; p=reject",
            "victim-q.example": "v=spf1 ip4:192.0.2.20 -all",
            "_dmarc.victim-q.example": "v=DMARC1; p=quarantine",
            "list.example": "v=spf1 ip4:198.51.100.7 -all",
            "otherlist.example": "v=spf1 ip4:198.51.100.7 -all",
            "relay.example": "v=spf1 ip4:198.51.100.7 -all",
            "fwd.example": "v=spf1 ip4:198.51.100.7 -all",
        })

    def key(self, name, domain, selector, kind="rsa", bits=2048):
        k = arclib.make_key(kind, bits)
        k.domain, k.selector = domain, selector
        k.path = k.write(os.path.join(self.tmp, "%s.pem" % name))
        self.records["%s._domainkey.%s" % (selector, domain)] = k.record()
        self.keys[name] = k
        return k

    def original(self, author_domain, key_name, subject="ARC via daemon",
                 mid="1"):
        m = crlf(
            "From: Alice <alice@%s>\n"
            "To: list@list.example\n"
            "Subject: %s\n"
            "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
            "Message-ID: <daemon-%s@%s>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n"
            "Hello list,\n"
            "this is the original text.\n"
            % (author_domain, subject, mid, author_domain))
        k = self.keys[key_name]
        sig = dkim.sign(m, k.selector.encode(), k.domain.encode(), k.pem,
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"from", b"to", b"subject", b"date",
                                         b"message-id"])
        return sig + m

    @staticmethod
    def list_modify(msg):
        """What a mailing list does: subject tag, footer, List-Id."""
        msg = msg.replace(b"Subject: ", b"Subject: [list] ", 1)
        msg = b"List-Id: <list.list.example>\r\n" + msg
        return msg + b"-- \r\nlist footer\r\n"

    def seal_by(self, msg, sealer, aar_results):
        """dkimpy seals MSG as SEALER with AAR_RESULTS (its A-R payload
        after the authserv-id); the A-R it reads is removed afterwards."""
        k = self.keys[sealer]
        sets = arclib.arc_sets(msg)
        ar = ("Authentication-Results: %s; arc=%s; %s\r\n" % (
            sealer, "pass" if sets else "none", aar_results)).encode()
        out = arclib.dkimpy_arc_sign(ar + msg, k.selector, k.domain, k.pem,
                                     sealer, ["from", "to", "subject", "date",
                                              "message-id", "list-id"])
        if not out:
            raise RuntimeError("dkimpy made no ARC set for %s" % sealer)
        return b"".join(out) + msg


def write_conf(path, port, world, trusted, reports=None):
    # with REPORTS, DMARC aggregate records: the override reason must name
    # the sealers
    extra = ({"reports": {"store": "sqlite:%s/reports.db" % reports,
                          "spool_dir": "%s/spool" % reports}}
             if reports else {})
    text = arclib.config_text(
        AUTHSERV_ID, world.records, other_methods=True, extra=[extra],
        milter_port=port, trusted_sealers=trusted,
        seal={"domain": SEAL_DOMAIN, "selector": SEAL_SELECTOR,
              "key_file": world.seal_key.path, "algorithm": "rsa-sha256",
              "headers": ["from", "to", "subject", "date", "message-id",
                          "mime-version", "content-type", "dkim-signature"]})
    arclib.write_file(path, text)


def report_override_row(rdir):
    """The report record of the trusted-sealer override, or why not."""
    import sqlite3
    con = sqlite3.connect(os.path.join(rdir, "reports.db"))
    rows = con.execute("SELECT disposition, reasons FROM records WHERE "
                       "header_from = 'victim.example' AND reasons LIKE "
                       "'trusted_forwarder:%'").fetchall()
    con.close()
    want = ("none", "trusted_forwarder:arc=pass sealer=list.example "
            "sealers=list.example")
    return None if want in rows else "rows %r, want %r" % (rows, want)


def push(port, msg, ip, helo, mailfrom, qid, rcpts=("bob@rcpt.example",),
         auth=None):
    """One message over the milter protocol (AUTH: the {auth_authen}
    macro at MAIL FROM); (result, leadspc)."""
    c = MilterClient(port=port, timeout=30)
    try:
        c.negotiate()
        c.connect(helo, ip)
        c.helo(helo)
        r = c.message("<%s>" % mailfrom, ["<%s>" % x for x in rcpts], msg,
                      macros={"i": qid},
                      mail_macros={"{auth_authen}": auth} if auth else None)
        leadspc = c.leadspc
    finally:
        try:
            c.close()
        except (OSError, MilterError):
            pass
    return r, leadspc


def rebuild(msg, r, leadspc):
    """The message as the MTA would pass it on: inserted fields at their
    index (applied in order), added ones at the end, changes applied."""
    headers, body = arclib.split_message(msg)
    headers = list(headers)

    def mk(name, value):
        v = value.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        if not leadspc or not v[:1] in (b" ", b"\t"):
            v = b" " + v
        return (name.encode(), v)
    for idx, name, value in r.inserted:
        headers.insert(min(idx, len(headers)), mk(name, value))
    for name, value in r.added:
        headers.append(mk(name, value))
    for idx, name, value in r.changed:
        n = 0
        for j, (hn, _) in enumerate(headers):
            if hn.strip().lower() == name.lower().encode():
                n += 1
                if n == idx:
                    if value:
                        headers[j] = mk(name, value)
                    else:
                        del headers[j]
                    break
    return arclib.join_message(headers, body)


class Outcome(object):
    def __init__(self):
        self.bad = []
        self.ev = []

    def want(self, cond, why):
        if not cond:
            self.bad.append(why)
        return cond


def ar_value(r):
    for _, n, v in r.inserted:
        if n.lower() == "authentication-results":
            return re.sub(r"\s+", " ", v)
    for n, v in r.added:
        if n.lower() == "authentication-results":
            return re.sub(r"\s+", " ", v)
    return None


def clause(ar, method):
    if not ar:
        return None
    for part in ar.split(";")[1:]:
        if re.match(r"\s*%s\s*=" % method, part):
            return part.strip()
    return None


def check_sealed(o, world, msg, r, leadspc, want_i, want_cv, want_sealers,
                 check):
    """The ARC set the daemon inserted: order, position, validity."""
    arc_ins = [(i, n, v) for i, n, v in r.inserted
               if n.lower() in arclib.ARC_NAMES]
    o.ev.append("inserted: %s" % ", ".join("%s@%d" % (n, i) for i, n, _ in
                                           r.inserted))
    if not o.want(len(arc_ins) == 3, "expected 3 ARC fields inserted, got "
                  "%d (added: %s)" % (len(arc_ins),
                                      [n for n, _ in r.added])):
        return
    o.want(all(i == 0 for i, _, _ in arc_ins), "ARC fields not inserted at "
           "index 0: %s" % [(n, i) for i, n, _ in arc_ins])
    out = rebuild(msg, r, leadspc)
    top = [n.strip().decode().lower()
           for n, _ in arclib.split_message(out)[0][:3]]
    o.want(top == ["arc-seal", "arc-message-signature",
                   "arc-authentication-results"],
           "top of the message is %s, expected ARC-Seal, "
           "ARC-Message-Signature, ARC-Authentication-Results" % top)
    names = [n.strip().decode().lower()
             for n, _ in arclib.split_message(out)[0]]
    if "authentication-results" in names:
        o.ev.append("our A-R is field #%d of the rebuilt message" %
                    (names.index("authentication-results") + 1))
    sets = arclib.arc_sets(out)
    top_set = sets.get(max(sets)) if sets else {}
    ast = arclib.tags_of(top_set.get("arc-seal", (b"", b""))[1])
    o.want(ast.get("i") == str(want_i) and ast.get("cv") == want_cv,
           "new AS has i=%s cv=%s, expected i=%d cv=%s" % (
               ast.get("i"), ast.get("cv"), want_i, want_cv))
    o.want(ast.get("d") == SEAL_DOMAIN and ast.get("s") == SEAL_SELECTOR,
           "new AS d=%s s=%s" % (ast.get("d"), ast.get("s")))
    aar = top_set.get("arc-authentication-results", (b"", b""))[1].decode(
        "utf-8", "replace")
    o.ev.append("AAR: " + re.sub(r"\s+", " ", aar)[:300])
    o.want(re.match(r"\s*i=%d;\s*%s\s*;" % (want_i, re.escape(AUTHSERV_ID)),
                    aar), "AAR does not start with i=%d; %s;" % (
                        want_i, AUTHSERV_ID))
    ar = ar_value(r)
    payload = re.sub(r"^\s*i=\d+;", "", re.sub(r"\s+", " ", aar)).strip()
    o.want(ar is not None and payload == ar.strip(), "the AAR payload is not "
           "our A-R (an untrusted client: the AAR records our own fresh "
           "results, RFC 8617 4.1.1): AAR %r, A-R %r"
           % (payload[:200], (ar or "")[:200]))
    cv, reason, _ = arclib.dkimpy_verify(out, world.records)
    o.ev.append("dkimpy on the rebuilt message: cv=%s (%s)" % (cv, reason))
    o.want(cv == "pass", "dkimpy: cv=%s (%s)" % (cv, reason))
    ok, why = arclib.verify_top_seal(out, world.records)
    o.want(ok, why)
    path = arclib.write_file(os.path.join(world.tmp, "out-%d.eml" %
                                          len(os.listdir(world.tmp))), out)
    conf = arclib.write_file(os.path.join(world.tmp, "verify.conf"),
                             arclib.config_text("mx.next.example",
                                                world.records))
    rr = arclib.run_check(conf, path, client_ip="192.0.2.99", check=check)
    o.ev.append("authmilter-check on the rebuilt message: " + rr.brief())
    o.want(rr.arc_result() == "pass" and
           (rr.arc or {}).get("sealers") == want_sealers,
           "authmilter-check on the rebuilt message: %s, expected pass "
           "with sealers %s" % (rr.brief(), want_sealers))
    return out


# ---------------------------------------------------------------------------
# cases: (name, builder) -> builder(world) gives the message and envelope;
# expectations are checked in run_case

class Case(object):
    def __init__(self, name, doc, build, ip, helo, mailfrom, expect):
        self.name, self.doc, self.build = name, doc, build
        self.ip, self.helo, self.mailfrom = ip, helo, mailfrom
        self.expect = expect


def cases():
    L = []
    LIST_IP, LIST_HELO = "198.51.100.7", "mail.list.example"

    def plain(w):
        return w.original("sender.example", "dkim-sender")
    L.append(Case("dkim-dmarc-pass-sealed", "DKIM and DMARC pass; sealed "
                  "i=1 cv=none", plain, "192.0.2.10", "mail.sender.example",
                  "alice@sender.example",
                  {"action": "accept", "dmarc": "pass", "dkim": "pass",
                   "arc": "none", "seal": (1, "none", [SEAL_DOMAIN])}))

    def arrived_sealed(w):
        m = w.original("sender.example", "dkim-sender", mid="2")
        return w.seal_by(m, "fwd.example", "spf=pass "
                         "smtp.mailfrom=sender.example; dkim=pass "
                         "header.d=sender.example; dmarc=pass "
                         "header.from=sender.example")
    L.append(Case("arc-sealed-arrives", "arrives with a valid i=1 (dkimpy, "
                  "fwd.example): arc=pass, sealed i=2 cv=pass",
                  arrived_sealed, "198.51.100.7", "mail.fwd.example",
                  "fwd-bounces@fwd.example",
                  {"action": "accept", "dmarc": "pass", "arc": "pass",
                   "seal": (2, "pass", ["fwd.example", SEAL_DOMAIN])}))

    VOUCH = ("spf=pass smtp.mailfrom=victim.example; dkim=pass "
             "header.d=victim.example header.s=s1; dmarc=pass "
             "header.from=victim.example")

    def via_list(sealer, results=VOUCH, author="victim.example",
                 key="dkim-victim", tamper=False, second=None):
        def build(w):
            m = w.list_modify(w.original(author, key, mid=sealer))
            m = w.seal_by(m, sealer, results.replace("victim.example",
                                                     author))
            if second:
                m = w.seal_by(m, second[0], second[1].replace(
                    "victim.example", author))
            if tamper:
                m = m.replace(b"this is the original text.",
                              b"this is the changed text.")
            return m
        return build

    OVR = {"action": "accept", "dmarc": "fail", "arc": "pass",
           "override": "list.example"}
    REJ = {"action": "reject", "reply": "550 5.7.1", "dmarc": "fail"}
    L.append(Case("override-trusted-sealer", "DMARC fails (list changed "
                  "the message), p=reject; trusted list.example vouches "
                  "dmarc=pass -> accepted, A-R dmarc=fail + override",
                  via_list("list.example"), LIST_IP, LIST_HELO,
                  "list-bounces@list.example",
                  dict(OVR, seal=(2, "pass", ["list.example",
                                              SEAL_DOMAIN]))))
    L.append(Case("override-quarantine-trusted-sealer", "p=quarantine, "
                  "trusted sealer vouches -> accepted, not quarantined",
                  via_list("list.example", author="victim-q.example",
                           key="dkim-victimq"), LIST_IP, LIST_HELO,
                  "list-bounces@list.example", dict(OVR, quarantine=False)))
    L.append(Case("override-untrusted-sealer", "the same sealed by "
                  "otherlist.example (not trusted) -> 550 5.7.1",
                  via_list("otherlist.example"), LIST_IP,
                  "mail.otherlist.example", "list-bounces@otherlist.example",
                  dict(REJ, arc="pass")))
    L.append(Case("override-aar-dmarc-fail", "trusted sealer, but its AAR "
                  "says dmarc=fail -> 550 5.7.1",
                  via_list("list.example", results=VOUCH.replace(
                      "dmarc=pass", "dmarc=fail")), LIST_IP, LIST_HELO,
                  "list-bounces@list.example", dict(REJ, arc="pass")))
    L.append(Case("override-aar-other-domain", "trusted sealer vouches "
                  "dmarc=pass for another header.from -> 550 5.7.1",
                  via_list("list.example", results=VOUCH.replace(
                      "header.from=victim.example",
                      "header.from=list.example")),
                  LIST_IP, LIST_HELO, "list-bounces@list.example",
                  dict(REJ, arc="pass")))
    L.append(Case("override-broken-chain", "trusted sealer, body changed "
                  "after sealing (arc=fail) -> 550 5.7.1",
                  via_list("list.example", tamper=True), LIST_IP, LIST_HELO,
                  "list-bounces@list.example", dict(REJ, arc="fail")))
    L.append(Case("override-trusted-not-newest", "i=1 trusted list.example "
                  "vouches, i=2 by relay.example (not trusted, vouches too) "
                  "-> 550 5.7.1: only the newest sealer counts",
                  via_list("list.example", second=("relay.example", VOUCH)),
                  LIST_IP, "mail.relay.example", "bounce@relay.example",
                  dict(REJ, arc="pass")))
    L.append(Case("override-trusted-newest-of-two", "i=1 relay.example, "
                  "i=2 trusted list.example vouches -> accepted",
                  via_list("relay.example", second=("list.example", VOUCH)),
                  LIST_IP, LIST_HELO, "list-bounces@list.example",
                  dict(OVR, seal=(3, "pass", ["relay.example",
                                              "list.example",
                                              SEAL_DOMAIN]))))
    return L


def run_case(case, world, port, qid, check):
    o = Outcome()
    msg = case.build(world)
    r, leadspc = push(port, msg, case.ip, case.helo, case.mailfrom, qid)
    e = case.expect
    ar = ar_value(r)
    o.ev.append("milter: action=%s reply=%r quarantine=%r" % (
        r.action, r.reply, r.quarantine))
    o.ev.append("A-R: %s" % ar)
    act = "accept" if r.action in ACTIONS else r.action
    o.want(act == e["action"], "action %s (reply %r), expected %s" % (
        r.action, r.reply, e["action"]))
    if "reply" in e:
        o.want((r.reply or "").startswith(e["reply"] + " "),
               "reply %r, expected %s ..." % (r.reply, e["reply"]))
    if e["action"] == "accept":
        if not o.want(ar is not None, "no Authentication-Results inserted"):
            return o
        for m in ("dmarc", "dkim", "arc"):
            if m in e:
                c = clause(ar, m)
                o.want(c is not None and re.match(r"%s\s*=\s*%s\b" % (
                    m, e[m]), c), "A-R %s clause %r, expected %s=%s" % (
                        m, c, m, e[m]))
        if "override" in e:
            c = clause(ar, "dmarc") or ""
            o.want("overrid" in ar.lower() and e["override"] in ar,
                   "A-R does not name the override by %s: %r" % (
                       e["override"], c))
        if e.get("quarantine") is False:
            o.want(not r.quarantine, "quarantined: %r" % r.quarantine)
        if "seal" in e:
            i, cv, sealers = e["seal"]
            check_sealed(o, world, msg, r, leadspc, i, cv, sealers, check)
    return o


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--keep", metavar="DIR")
    a = ap.parse_args()
    for prog in (arclib.DAEMON, arclib.CHECK):
        if not os.access(prog, os.X_OK):
            print("run_daemon: %s is not built" % prog)
            print("arc-daemon: 0 passed, 1 failed")
            return 2
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        tmp = a.keep
    else:
        tmp = tempfile.mkdtemp(prefix="arc-daemon.")
    os.chmod(tmp, 0o755)
    passed = failed = 0
    d = None
    try:
        world = World(tmp)
        sel = [c for c in cases() if not a.k or any(k in c.name for k in
                                                    a.k)]
        port = testlib.free_port()
        conf = os.path.join(tmp, "authmilter.conf")
        rdir = os.path.join(tmp, "reports")
        os.mkdir(rdir)
        os.chmod(rdir, 0o777)
        write_conf(conf, port, world, TRUSTED, reports=rdir)
        d = testlib.Daemon(arclib.DAEMON, conf, os.path.join(tmp, "daemon.log"))
        if not d.wait_up():
            print("FAIL daemon-start: %s" % d.text()[-800:])
            print("arc-daemon: 0 passed, 1 failed")
            return 1
        for n, c in enumerate(sel, 1):
            try:
                o = run_case(c, world, port, "ARC%04d" % n, arclib.CHECK)
            except Exception as e:
                import traceback
                o = Outcome()
                o.bad.append("runner exception %s: %s" % (type(e).__name__,
                                                          e))
                o.ev.extend(traceback.format_exc().splitlines()[-6:])
            if o.bad:
                failed += 1
                print("FAIL %s: %s" % (c.name, "; ".join(o.bad)))
            else:
                passed += 1
                print("PASS %s" % c.name)
            if o.bad or a.v:
                print("      " + c.doc)
                for x in o.ev:
                    print("      " + x[:400])
            sys.stdout.flush()
        alive = d.proc.poll() is None
        if not alive:
            failed += 1
            print("FAIL daemon-survives: exited %s" % d.proc.returncode)
        rc = d.stop()
        if rc != 0:
            failed += 1
            print("FAIL daemon-stops-cleanly: exit %s: %s" % (
                rc, d.text()[-500:]))
        d = None
        if any(c.name == "override-trusted-sealer" for c in sel):
            why = report_override_row(rdir)
            if why:
                failed += 1
                print("FAIL report-record-override: %s" % why)
            else:
                passed += 1
                print("PASS report-record-override")
    finally:
        if d is not None:
            d.stop()
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("arc-daemon: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
