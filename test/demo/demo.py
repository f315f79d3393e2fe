#!/usr/bin/python3
"""Push a handful of real messages through a running authmilter and show
what it decided: the Authentication-Results it inserted, the forged ones it
removed, and the action. Usage: demo.py PORT"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from milterclient import MilterClient  # noqa: E402

MSG = (b"From: Alice <alice@sender.example>\r\nTo: bob@mx.demo.example\r\n"
       b"Subject: %s\r\nMessage-ID: <%d@sender.example>\r\n%s\r\n"
       b"Hello Bob.\r\n")

CASES = [
    ("SPF pass from the sender's network", "192.0.2.10",
     "mail.sender.example", "<alice@sender.example>", b""),
    ("forgery: wrong IP, plus a fake A-R claiming our authserv-id",
     "203.0.113.66", "spoofer.invalid", "<alice@sender.example>",
     b"Authentication-Results: mx.demo.example; spf=pass "
     b"smtp.mailfrom=sender.example\r\n"
     b"Authentication-Results: other.example; spf=pass\r\n"),
    ("softfail through include:", "203.0.113.66", "spoofer.invalid",
     "<bob@soft.example>", b""),
    ("bounce (null sender): the HELO identity decides", "192.0.2.10",
     "mail.sender.example", "<>", b""),
    ("IPv6 client inside ip6:", "2001:db8:25::7", "mail.sender.example",
     "<alice@sender.example>", b""),
    ("mx mechanism", "198.51.100.25", "mx1.relay.example",
     "<news@relay.example>", b""),
    ("domain without SPF", "192.0.2.99", "host.nospf.example",
     "<x@nospf.example>", b""),
    ("trusted network: not checked", "10.1.2.3", "internal.example",
     "<app@sender.example>", b""),
]


def main():
    port = int(sys.argv[1])
    for n, (title, ip, helo, mfrom, extra) in enumerate(CASES, 1):
        c = MilterClient(port=port)
        c.negotiate()
        state = c.connect(helo, ip, macros={"j": "mx.demo.example"})
        print("=== %d. %s" % (n, title))
        print("    client %s  HELO %s  MAIL FROM %s" % (ip, helo, mfrom))
        if state == "accept":
            print("    -> accepted at connect, no checks, no header")
            c.close()
            continue
        c.helo(helo)
        raw = MSG % (title.encode(), n, extra)
        r = c.message(mfrom, ["<bob@mx.demo.example>"], raw,
                      macros={"i": "DEMO%04d" % n})
        for idx, name, value in r.changed:
            if value == "":
                print("    removed  %s #%d (claims our authserv-id)"
                      % (name, idx))
        for idx, name, value in r.inserted:
            print("    inserted at %d: %s:%s" % (idx, name,
                  value.replace("\n", "\n        ")))
        action = "accept" if r.action == "continue" else r.action
        print("    action: %s%s" % (action,
              " (%s)" % r.reply if r.reply else ""))
        c.close()


if __name__ == "__main__":
    main()
