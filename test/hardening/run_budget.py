#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DNS budget: lookups an attacker controls must not turn DMARC fail into
temperror (security issue, item 2).

bank.example publishes p=reject and an SPF record that fails the client.
The attacker owns evil.example (SPF pass for the client, a DKIM key) and
slow.example, whose DNS server (test/tools/testdns.py on 127.0.0.1, the
daemon's only nameserver) never answers, answers after dns.timeout, or
answers SERVFAIL.  Each message claims From: ceo@bank.example and carries
lookups aimed at slow.example: DKIM signatures d=slow.example, a HELO
whose SPF record includes slow names, a body sent slowly.  None of those
identifiers can align with bank.example, so the DMARC result must be fail
and the action the 550 of p=reject, with policy.dns_error_action =
"accept" (the default that made temperror an accept).  A control case
puts the slowness where DMARC needs it (bank.example's own record): that
is temperror, accepted.

dns.timeout = 1 s and limits.dns_time = 2 s: two unanswered lookups spend
a whole budget.  The daemon is the real one, over the milter protocol.
Prints "dnsbudget: N passed, N failed".
"""

import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, os.path.join(TOP, "test", "arc"))
sys.dont_write_bytecode = True

import arclib  # noqa: E402  (re-execs under /usr/bin/python3 if needed)
from arclib import crlf  # noqa: E402
import testlib  # noqa: E402
from milterclient import MilterClient  # noqa: E402
from testdns import TestDNSServer  # noqa: E402

import dkim  # noqa: E402

DAEMON = testlib.program("authmilter")
VERBOSE = "-v" in sys.argv
KEEP = "--keep" in sys.argv
CLIENT = "192.0.2.66"
FAULTS = {"never": {"type": "TIMEOUT"},
          "late": {"type": "DELAY", "secs": 0.8},
          "servfail": None}
NSLOW = 3               # slow lookups per message: more than the budget

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def txt(data):
    return {"type": "TXT", "data": data}


def victim(n, tag, key):
    """bank.TAG.example: p=reject, SPF that fails the client, a DKIM key.
    A victim per case, so no case finds DMARC data another left in the
    resolver's memory."""
    d = "bank.%s.example" % tag
    n[d] = [txt("v=spf1 ip4:203.0.113.1 -all")]
    n["_dmarc." + d] = [txt("v=DMARC1; p=reject")]
    n["x._domainkey." + d] = [txt(key["bank"].record())]
    return d


def slow(n, servfail, kind, tag):
    """NSLOW slow names under TAG.slow.example: DKIM keys a*, and an SPF
    chain spf1 -> spf2 -> spf3 (each a record, each slow)."""
    d = "%s.slow.example" % tag
    item = FAULTS[kind]
    for i in range(1, NSLOW + 1):
        for t in ("a%d._domainkey.%s" % (i, d), "spf%d.%s" % (i, d)):
            nxt = "include:spf%d.%s " % (i + 1, d) if i < NSLOW else ""
            rec = [txt("v=spf1 %s?all" % nxt)] if t.startswith("spf") \
                else []
            if item is None:
                servfail.append(t)
                n[t] = rec
            elif item["type"] == "TIMEOUT":
                n[t] = [item]
            else:
                n[t] = rec + [item]
    return d


def zone(key):
    n = {
        "evil.example": [txt("v=spf1 ip4:%s -all" % CLIENT)],
        "mail.evil.example": [txt("v=spf1 ip4:%s -all" % CLIENT)],
        "_dmarc.evil.example": [txt("v=DMARC1; p=none")],
        "s._domainkey.evil.example": [txt(key["evil"].record())],
        # the control: DMARC's own record is slow
        "slowpolicy.example": [txt("v=spf1 -all")],
        "_dmarc.slowpolicy.example": [{"type": "TIMEOUT"}],
    }
    servfail = []
    for kind in FAULTS:
        for case in ("dk", "dk2", "helo"):
            tag = "%s-%s" % (case, kind)
            victim(n, tag, key)
            d = slow(n, servfail, kind, tag)
            # a HELO name of the attacker's: its SPF record starts the chain
            n["helo.%s" % d] = [txt("v=spf1 include:spf1.%s -all" % d)]
    victim(n, "slowbody", key)
    return {"names": n, "servfail": servfail}


def message(key, tag, sigs, author=None):
    """From AUTHOR (bank.TAG.example), signed by SIGS: (domain, selector,
    real key or None for a made-up signature), top first."""
    author = author or "bank.%s.example" % tag
    m = crlf("From: CEO <ceo@%s>\n"
             "To: staff@rcpt.example\n"
             "Subject: wire the money (%s)\n"
             "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
             "Message-ID: <%s@%s>\n"
             "\n" % (author, tag, tag, author) +
             "Pay invoice 4711 today.\n" * 40)
    for dom, sel, k in reversed(sigs):
        if k is not None:
            m = dkim.sign(m, sel.encode(), dom.encode(), k.pem,
                          include_headers=[b"from", b"to", b"subject",
                                           b"date", b"message-id"]) + m
        else:
            m = crlf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"
                     " d=%s; s=%s; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5"
                     "JCeuQeRkm5NMpJWZG3hLuFU=; b=QUJDREVGR0hJSktMTU5PUFFS"
                     "U1RVVldYWVo=\n" % (dom, sel)) + m
    return m


def ar_result(ar, method):
    m = re.search(r"(?:^|;)\s*%s=(\w+)" % method, ar or "")
    return m.group(1) if m else None


def send(port, helo, mailfrom, msg, pause=0.0):
    c = MilterClient("127.0.0.1", port, timeout=60)
    try:
        c.negotiate()
        c.connect(helo, CLIENT)
        c.helo(helo)
        return c.message("<%s>" % mailfrom, ["<staff@rcpt.example>"], msg,
                         macros={"i": "B%d" % (int(time.time() * 1000) %
                                               100000)},
                         chunk=256, between_chunks=(lambda: time.sleep(pause))
                         if pause else None)
    finally:
        c.close()


def expect(name, r, dmarc, action, extra=None):
    ar = r.header("Authentication-Results") or ""
    got = ar_result(ar, "dmarc")
    ok = got == dmarc and r.action == action
    if ok and action == "reject":
        ok = (r.reply or "").startswith("550 5.7.1")
    if ok and extra:
        ok = extra(ar)
    if VERBOSE:
        print("  %s: %s %r %s" % (name, r.action, r.reply, ar))
    check(name, ok, "dmarc=%s action=%s reply=%r A-R %r (want dmarc=%s, %s)"
          % (got, r.action, r.reply, ar, dmarc, action))


def cases(port, key):
    for kind in FAULTS:
        # 1. NSLOW signatures for the attacker's slow domain
        tag = "dk-" + kind
        d = "%s.slow.example" % tag
        msg = message(key, tag, [(d, "a%d" % i, None)
                                 for i in range(1, NSLOW + 1)])
        expect("%d d=%s signatures: DMARC fail, 550" % (NSLOW, d),
               send(port, "mail.evil.example", "x@evil.example", msg),
               "fail", "reject")
        # 2. the same, and a made-up signature of the victim's below
        #    them: its key lookup must still get DMARC's time
        tag = "dk2-" + kind
        d = "%s.slow.example" % tag
        msg = message(key, tag, [(d, "a%d" % i, None)
                                 for i in range(1, NSLOW + 1)] +
                      [("bank.%s.example" % tag, "x", None)])
        expect("slow d=%s, then a forged victim signature: fail, 550" % d,
               send(port, "mail.evil.example", "x@evil.example", msg),
               "fail", "reject",
               lambda ar: "dkim=temperror header.d=bank" not in ar)
        # 3. the HELO's SPF chain is slow; MAIL FROM is the victim's (the
        #    identity DMARC uses) and its check must still run in full
        tag = "helo-" + kind
        msg = message(key, tag, [])
        expect("HELO SPF chain into %s.slow.example: MAIL FROM checked, "
               "fail, 550" % tag,
               send(port, "helo.%s.slow.example" % tag,
                    "ceo@bank.%s.example" % tag, msg),
               "fail", "reject",
               lambda ar: re.search(r"spf=fail[^;]*smtp.mailfrom=bank",
                                    ar) is not None)
    # 4. a genuine evil.example signature and a body sent slower than the
    #    whole budget: waiting for the client is not DNS time
    msg = message(key, "slowbody", [("evil.example", "s", key["evil"])])
    expect("body sent over 2.5 s: DMARC fail, 550",
           send(port, "mail.evil.example", "x@evil.example", msg,
                pause=2.5 / (len(msg) // 256 + 1)), "fail", "reject")
    # 5. control: the policy record itself never answers
    msg = message(key, "policy", [], author="slowpolicy.example")
    expect("DMARC's own record never answers: temperror, accepted",
           send(port, "mail.evil.example", "x@evil.example", msg),
           "temperror", "continue")


def main():
    tmp = tempfile.mkdtemp(prefix="dnsbudget.")
    key = {"evil": arclib.make_key("rsa", 1024),
           "bank": arclib.make_key("rsa", 1024)}
    d = None
    try:
        with TestDNSServer(zone(key)) as dns:
            port = testlib.free_port()
            conf = testlib.write_config(os.path.join(tmp, "budget.conf"), {
                "authserv_id": "mx.rcpt.example",
                "milter": {"socket": "inet:%d@127.0.0.1" % port,
                           "user": "nobody"},
                "dns": {"nameservers": ["127.0.0.1@%d" % dns.port],
                        "timeout": 1},
                "limits": {"dns_time": 2},
                "arc": {"verify": False},
                "policy": {"trusted_networks": [],
                           "dns_error_action": "accept"},
            })
            d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, "daemon.log"))
            check("daemon starts", d.wait_up(), d.text())
            cases(port, key)
            check("daemon alive", d.alive(), d.text())
    finally:
        if d is not None:
            d.stop()
        testlib.remove_tmp(tmp, KEEP)
    print("dnsbudget: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
