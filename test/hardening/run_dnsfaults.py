#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DNS faults: every method against a loopback DNS server (test/tools/
testdns.py) that answers late, never, with SERVFAIL, with TC set on UDP and
TCP, with garbage, with a 60 KB TXT (TCP), with a CNAME loop and with an SPF
record cut into many strings (and one too long for libspf2: permerror).

Checked for each message through the real daemon (milter protocol):
  * the A-R clause of the method hit by the fault (temperror where RFC 7208
    2.6.6, RFC 6376 6.1.2 / RFC 8601 2.7.1 and RFC 9989 say a transient DNS
    error is one; ARC has no temperror in RFC 8617 / the IANA registry, so
    a chain whose keys cannot be had is arc=fail with a reason);
  * the action: policy.dns_error_action "accept" (one daemon) and
    "tempfail" (a second daemon, 451 4.7.x) for the same messages;
  * the wall time of the message stays under twice limits.dns_time (DMARC's
    share and the rest) plus a margin (a bound, not a benchmark), also for
    one message that hits a timeout in every method at once (more than the
    budget without it).

Prints "dnsfaults: N passed, N failed". -v shows every A-R; --keep keeps
the temporary directory (configs, daemon logs).
"""

import concurrent.futures
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
DNS_TIMEOUT = 2          # dns.timeout, seconds
DNS_TIME = 4             # limits.dns_time, seconds
MARGIN = 3.0             # seconds of slack on top of DNS_TIME
CLIENT = "192.0.2.10"
SPF_OK = "v=spf1 ip4:%s -all" % CLIENT

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


def zone(keys):
    """The test zone; every fault domain has SPF, key and DMARC data that
    would pass, so only the fault can make a method fail."""
    n = {}

    def good(d):
        n[d] = [txt(SPF_OK)]
        n["_dmarc." + d] = [txt("v=DMARC1; p=none")]
        n["s._domainkey." + d] = [txt(keys["dkim"].record())]
        n["arc._domainkey." + d] = [txt(keys["arc"].record())]

    good("good.example")
    good("other.example")
    # "alltime" is for the one message that times out everywhere at once
    # (names of its own: the resolver remembers failures)
    faults = {"servfail": None, "timeout": {"type": "TIMEOUT"},
              "alltime": {"type": "TIMEOUT"},
              "garbage": {"type": "GARBAGE"}, "tc": {"type": "TRUNCATE"},
              "slow": {"type": "DELAY", "secs": 30}}
    servfail = []
    for kind, item in faults.items():
        for m in ("spf", "dk", "dm", "arc"):
            d = "%s-%s.example" % (m, kind)
            good(d)
            target = {"spf": d, "dk": "s._domainkey." + d,
                      "dm": "_dmarc." + d, "arc": "arc._domainkey." + d}[m]
            if item is None:
                servfail.append(target)
            elif kind in ("timeout", "alltime"):
                n[target] = [item]      # no data: every query dropped
            else:
                n[target] = n[target] + [item]
    # slow but in time: 0.25 s (unbound's first retransmit is later)
    good("spf-late.example")
    n["spf-late.example"].append({"type": "DELAY", "secs": 0.25})
    # a CNAME loop where the SPF record should be
    good("spf-loop.example")
    n["spf-loop.example"] = [{"type": "CNAME", "data": "loop2.spf-loop.example"}]
    n["loop2.spf-loop.example"] = [{"type": "CNAME",
                                    "data": "spf-loop.example"}]
    # 60 KB of other TXT data beside the SPF record: only TCP gets it all
    good("spf-big.example")
    n["spf-big.example"] = [txt(SPF_OK)] + [txt(["x" * 250] * 30)] * 8
    # the SPF record in 50 character-strings (RFC 7208 3.3: concatenated)
    good("spf-strings.example")
    parts = ["v=spf1 "] + ["ip4:10.0.%d.0/24 " % i for i in range(48)] + \
        ["ip4:%s -all" % CLIENT]
    n["spf-strings.example"] = [txt(parts)]
    # a DKIM key record and a DMARC record in strings of 8 characters
    good("dk-strings.example")
    rec = keys["dkim"].record()
    n["s._domainkey.dk-strings.example"] = [txt([rec[i:i + 8] for i in
                                                 range(0, len(rec), 8)])]
    good("dm-strings.example")
    rec = "v=DMARC1; p=reject; rua=mailto:r@dm-strings.example"
    n["_dmarc.dm-strings.example"] = [txt([rec[i:i + 8] for i in
                                           range(0, len(rec), 8)])]
    # one SPF record of 60 KB: more terms than we accept (permerror)
    good("spf-huge.example")
    n["spf-huge.example"] = [txt(["v=spf1 "] + ["ip4:10.%d.%d.0/24 " % (
        i // 250, i % 250) for i in range(3000)] + ["-all"])]
    return {"names": n, "servfail": servfail}


def message(keys, mailfrom_dom, from_dom, dkim_dom, arc_dom):
    """A message from FROM_DOM, DKIM-signed for DKIM_DOM and ARC-sealed by
    ARC_DOM (either may be None)."""
    m = crlf("From: Alice <alice@%s>\n"
             "To: bob@mx.example\n"
             "Subject: DNS fault test\n"
             "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
             "Message-ID: <fault-%s-%s@test>\n"
             "\n"
             "Hello.\n" % (from_dom, mailfrom_dom, dkim_dom))
    if dkim_dom:
        m = dkim.sign(m, b"s", dkim_dom.encode(), keys["dkim"].pem,
                      include_headers=[b"from", b"to", b"subject", b"date",
                                       b"message-id"]) + m
    if arc_dom:
        ar = ("Authentication-Results: %s; spf=pass "
              "smtp.mailfrom=%s\r\n" % (arc_dom, from_dom)).encode()
        m = b"".join(arclib.dkimpy_arc_sign(
            ar + m, "arc", arc_dom, keys["arc"].pem, arc_dom,
            ["from", "to", "subject", "date", "message-id"])) + m
    return m


def ar_clause(value, method):
    """The result word of METHOD in an A-R value, with its comment."""
    m = re.search(r"(?:^|;)\s*%s=(\w+)([^;]*)" % method, value or "")
    return (m.group(1), m.group(2)) if m else (None, "")


def send(port, mailfrom_dom, msg):
    t0 = time.monotonic()
    c = MilterClient("127.0.0.1", port, timeout=120)
    try:
        c.negotiate()
        c.connect("mail.good.example", CLIENT)
        c.helo("mail.good.example")
        r = c.message("<a@%s>" % mailfrom_dom, ["<bob@mx.example>"], msg,
                      macros={"i": "Q%d" % (int(t0 * 1000) % 100000)})
    finally:
        c.close()
    return r, time.monotonic() - t0


def cases():
    """(name, mailfrom domain, From domain, DKIM d=, ARC sealer, method,
    expected results, DNS temperror that could change the verdict?). A
    temperror counts for policy.dns_error_action only when DMARC did not
    pass (authmilter(8)): the SPF cases carry no signature, the DKIM cases
    an SPF domain that does not align."""
    out = []
    for kind in ("servfail", "timeout", "garbage", "tc", "slow"):
        out += [
            ("spf %s" % kind, "spf-%s.example" % kind, "good.example",
             None, None, "spf", ("temperror",), True),
            ("dkim %s" % kind, "other.example", "good.example",
             "dk-%s.example" % kind, None, "dkim", ("temperror",), True),
            ("dmarc %s" % kind, "good.example", "dm-%s.example" % kind,
             None, None, "dmarc", ("temperror",), True),
            ("arc %s" % kind, "good.example", "good.example",
             "good.example", "arc-%s.example" % kind, "arc", ("fail",),
             False),
        ]
    out += [
        ("spf answer 0.25 s late", "spf-late.example", "good.example",
         "good.example", None, "spf", ("pass",), False),
        ("spf CNAME loop", "spf-loop.example", "good.example",
         None, None, "spf", ("temperror",), True),
        ("spf record beside 60 KB TXT (TCP)", "spf-big.example",
         "good.example", "good.example", None, "spf", ("pass",), False),
        ("spf record of 50 strings", "spf-strings.example",
         "good.example", "good.example", None, "spf", ("pass",), False),
        ("spf record of 60 KB", "spf-huge.example", "good.example",
         "good.example", None, "spf", ("permerror",), False),
        ("dkim key record of 30 strings", "other.example", "good.example",
         "dk-strings.example", None, "dkim", ("pass",), False),
        ("dmarc record of 7 strings", "dm-strings.example",
         "dm-strings.example", None, None, "dmarc", ("pass",), False),
        ("baseline all pass", "good.example", "good.example",
         "good.example", "good.example", "dmarc", ("pass",), False),
    ]
    return out


def write_conf(path, dns_port, milter_port, action):
    testlib.write_config(path, {
        "authserv_id": "mx.example",
        "milter": {"socket": "inet:%d@127.0.0.1" % milter_port,
                   "user": "nobody"},
        "dns": {"nameservers": ["127.0.0.1@%d" % dns_port],
                "timeout": DNS_TIMEOUT},
        "limits": {"dns_time": DNS_TIME},
        "policy": {"trusted_networks": [], "dns_error_action": action},
    })


def run_one(port, action, keys, case):
    name, mf, fr, dk, arc, method, want, temp = case
    r, secs = send(port, mf, message(keys, mf, fr, dk, arc))
    ar = r.header("Authentication-Results")
    res, comment = ar_clause(ar, method)
    if VERBOSE:
        print("  [%s] %s (%.1f s): %s -> %s" % (action, name, secs, r.action,
                                                ar))
    errs = []
    if res not in want:
        errs.append("%s=%s (want %s) in %r" % (method, res, "/".join(want),
                                                ar))
    if temp and action == "tempfail":
        if r.action != "tempfail" or not (r.reply or "").startswith("451"):
            errs.append("action %s %r, want tempfail 451" % (r.action,
                                                              r.reply))
    elif r.action not in ("accept", "continue"):
        errs.append("action %s %r, want accept" % (r.action, r.reply))
    if secs > 2 * DNS_TIME + MARGIN:
        errs.append("took %.1f s, budget 2 x %d s" % (secs, DNS_TIME))
    return "[%s] %s" % (action, name), errs, secs


def main():
    tmp = tempfile.mkdtemp(prefix="dnsfaults.")
    keys = {"dkim": arclib.make_key("rsa", 1024), "arc": arclib.make_key(
        "rsa", 1024)}
    daemons = []
    try:
        with TestDNSServer(zone(keys)) as dns:
            ports = {}
            for action in ("accept", "tempfail"):
                ports[action] = testlib.free_port()
                conf = os.path.join(tmp, "%s.conf" % action)
                write_conf(conf, dns.port, ports[action], action)
                d = testlib.Daemon(DAEMON, conf,
                                   os.path.join(tmp, "%s.log" % action))
                daemons.append(d)
                check("daemon (%s) starts" % action, d.wait_up(), d.text())
            jobs = [(a, c) for a in ("accept", "tempfail") for c in cases()]
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                futs = [pool.submit(run_one, ports[a], a, keys, c)
                        for a, c in jobs]
                for f in futs:
                    try:
                        name, errs, secs = f.result()
                    except Exception as e:  # protocol error, timeout
                        check("message", False, repr(e))
                        continue
                    check("%s (%.1f s)" % (name, secs), not errs,
                          "; ".join(errs))
            # every method times out at once: only the budget bounds it
            r, secs = send(ports["accept"], "spf-alltime.example", message(
                keys, "spf-alltime.example", "dm-alltime.example",
                "dk-alltime.example", "arc-alltime.example"))
            ar = r.header("Authentication-Results") or ""
            check("all methods time out: %.1f s <= 2 x %d + %.0f s, accepted"
                  % (secs, DNS_TIME, MARGIN), secs <= 2 * DNS_TIME + MARGIN and
                r.action in ("accept", "continue") and
                "spf=temperror" in ar and "dkim=temperror" in ar,
                "%.1f s %s %s" % (secs, r.action, ar))
            for d in daemons:
                check("daemon alive after the faults", d.alive(), d.text())
    finally:
        for d in daemons:
            d.stop()
        testlib.remove_tmp(tmp, KEEP)
    print("dnsfaults: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
