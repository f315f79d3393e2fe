#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""gencorpus.py - the benchmark corpus, its keys and its DNS zone.

    gencorpus.py OUTDIR [-n MESSAGES] [--seed N]

Writes OUTDIR/msgs/NNNNN.eml (CRLF; each starts with the X-Load-* lines
that test/load/milterload and smtpload.py take as the envelope and do not
send), OUTDIR/example.zone (zone "example." for NSD: SPF, DMARC and DKIM/ARC key
records), OUTDIR/seal.pem (authmilter's ARC sealing key, a._domainkey.seal.
test) and OUTDIR/corpus.json (what was generated: counts, sizes).

The mix (by message number i):
  i % 5 == 0   DMARC failure: From sN.example, envelope and one RSA-2048
               signature of third.example (SPF and DKIM pass, neither aligned)
  i % 5 == 1   two-hop ARC chain (fwd1.example then fwd2.example) sealed over the
               DKIM-signed message
  else         aligned: SPF pass, DKIM pass
  DKIM signatures of sN.example: i % 4 == 3 has two (RSA-2048 and ed25519),
  else one (RSA-2048 twice as often as ed25519): 1.25 per message.
Body sizes are log-uniform between 4 and 64 KB (median ~16 KB).
Everything is deterministic for one seed except the key material.
"""

import argparse
import base64
import hashlib
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "arc"))
sys.dont_write_bytecode = True

import arclib  # noqa: E402  (keys, relaxed canonicalization, ARC sealer)

NDOMAINS = 20
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet "
         "kilo lima mike november oscar papa quebec romeo sierra tango "
         "uniform victor whiskey xray yankee zulu mail report invoice "
         "meeting tomorrow please find attached the update").split()
SIGNED = ("from", "to", "subject", "date", "message-id", "mime-version",
          "content-type")


def dkim_sign(msg, domain, selector, key):
    """A DKIM-Signature field (relaxed/relaxed, sha256) put on top of MSG."""
    hdrs, body = arclib.split_message(msg)
    bh = base64.b64encode(hashlib.sha256(
        arclib.relaxed_body(body)).digest()).decode()
    alg = key.algorithm
    unsigned = ("v=1; a=%s; c=relaxed/relaxed; d=%s; s=%s; t=1700000000; "
                "h=%s; bh=%s; b=" % (alg, domain, selector,
                                     ":".join(SIGNED), bh))
    sealer = arclib.ArcSealer(domain, selector, key)
    data = b"".join(arclib.relaxed_header(n, v) + b"\r\n"
                    for n, v in sealer._select(hdrs, SIGNED))
    data += arclib.relaxed_header("DKIM-Signature", unsigned)
    sig = base64.b64encode(key.sign(data)).decode()
    # fold the value so no line is overly long (relaxed form unchanged
    # apart from the b= which is appended unfolded)
    return b"DKIM-Signature: " + unsigned.encode() + sig.encode() + \
        b"\r\n" + msg


def body_text(rng, size):
    lines, n = [], 0
    while n < size:
        ln = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(ln)
        n += len(ln) + 2
    return ("\r\n".join(lines) + "\r\n").encode()


def txt_record(name, text):
    parts = [text[i:i + 250] for i in range(0, len(text), 250)]
    return "%s 300 IN TXT %s\n" % (name, " ".join('"%s"' % p for p in parts))


class Corpus(object):
    def __init__(self, out, seed):
        self.out = out
        self.rng = random.Random(seed)
        self.zone = ["$ORIGIN example.\n",
                     "@ 300 IN SOA ns.example. hm.example. "
                     "1 3600 600 86400 300\n", "@ 300 IN NS ns.example.\n",
                     "ns 300 IN A 127.0.0.1\n"]
        self.keys = {}

    def key(self, domain, selector, kind):
        k = arclib.make_key(kind)
        self.keys[(domain, selector)] = k
        self.zone.append(txt_record("%s._domainkey.%s." % (selector, domain),
                                    k.record()))
        return k

    def domains(self):
        for n in range(NDOMAINS):
            d = "s%d.example" % n
            self.key(d, "r", "rsa")
            self.key(d, "e", "ed25519")
            self.zone.append(txt_record(d + ".", "v=spf1 ip4:198.51.100.0/24 -all"))
            self.zone.append(txt_record("_dmarc.%s." % d,
                                        "v=DMARC1; p=none"))
            self.zone.append("mail.%s. 300 IN A 127.0.0.1\n" % d)
        self.key("third.example", "r", "rsa")
        self.zone.append(txt_record("third.example.", "v=spf1 ip4:198.51.100.0/24 -all"))
        for f in ("fwd1.example", "fwd2.example"):
            self.key(f, "arc", "rsa")
        seal = self.key("seal.example", "a", "rsa")
        with open(os.path.join(self.out, "seal.pem"), "wb") as f:
            f.write(seal.pem)

    def message(self, i):
        rng = self.rng
        dom = "s%d.example" % (i % NDOMAINS)
        kind = "fail" if i % 5 == 0 else "arc" if i % 5 == 1 else "pass"
        env = "third.example" if kind == "fail" else dom
        size = int(math.exp(rng.uniform(math.log(4096), math.log(65536))))
        head = ("From: News <news@%s>\r\nTo: <user@sink.example>\r\n"
                "Subject: bench message %d\r\n"
                "Date: Mon, 20 Nov 2023 10:00:00 +0000\r\n"
                "Message-ID: <%d.bench@%s>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                % (dom, i, i, dom)).encode()
        msg = head + body_text(rng, size)
        body_len = len(msg) - len(head)
        nsig = 0
        rsa = ed = 0
        if kind == "fail":
            msg = dkim_sign(msg, "third.example", "r",
                            self.keys[("third.example", "r")])
            nsig = rsa = 1
        else:
            sels = ["r", "e"] if i % 4 == 3 else \
                ["e"] if (i // 4) % 3 == 2 else ["r"]
            for sel in sels:
                msg = dkim_sign(msg, dom, sel, self.keys[(dom, sel)])
            nsig = len(sels)
            rsa, ed = sels.count("r"), sels.count("e")
        if kind == "arc":
            for hop, f in enumerate(("fwd1.example", "fwd2.example"), 1):
                s = arclib.ArcSealer(f, "arc", self.keys[(f, "arc")])
                aar = "mx.%s; dkim=pass header.d=%s; arc=%s" % (
                    f, dom, "none" if hop == 1 else "pass")
                msg = s.seal_onto(msg, aar_payload=aar,
                                  authserv_id="mx." + f)
            rsa += 3    # both ARC-Seals and the newest AMS (RFC 8617 5.2)
        env_lines = ("X-Load-Client-IP: 198.51.100.7\r\nX-Load-Helo: mail.%s\r\n"
                     "X-Load-Mail-From: <bounce@%s>\r\n"
                     "X-Load-Rcpt: <user@sink.example>\r\n" % (dom, env)).encode()
        return env_lines + msg, kind, nsig, len(msg), (rsa, ed, body_len)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "msgs"), exist_ok=True)
    c = Corpus(a.out, a.seed)
    c.domains()
    stats = {"messages": a.n, "kinds": {}, "signatures": 0, "bytes": []}
    rsa = ed = body = 0
    for i in range(a.n):
        data, kind, nsig, size, ops = c.message(i)
        rsa, ed, body = rsa + ops[0], ed + ops[1], body + ops[2]
        with open(os.path.join(a.out, "msgs", "%05d.eml" % i), "wb") as f:
            f.write(data)
        stats["kinds"][kind] = stats["kinds"].get(kind, 0) + 1
        stats["signatures"] += nsig
        stats["bytes"].append(size)
    with open(os.path.join(a.out, "example.zone"), "w") as f:
        f.writelines(c.zone)
    b = sorted(stats["bytes"])
    summary = {"messages": a.n, "kinds": stats["kinds"],
               "dkim_signatures": stats["signatures"],
               "dkim_signatures_per_message": stats["signatures"] / a.n,
               # the least crypto any verifier must do for the corpus
               "floor_rsa2048_verifies": rsa, "floor_ed25519_verifies": ed,
               "floor_sha256_body_bytes": body,
               "median_bytes": b[len(b) // 2],
               "mean_bytes": sum(b) // len(b), "total_bytes": sum(b)}
    with open(os.path.join(a.out, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
