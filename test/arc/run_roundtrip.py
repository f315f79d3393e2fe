#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ARC round trips between authmilter-check and dkimpy, and hostile chains.

Groups (every key is made for the run; DNS in dns.local_data under a static
root zone; dkimpy gets the same records through its dnsfunc):

  a-*  authmilter seals (RSA 2048, ed25519; untrusted client: fresh
       results in the AAR; trusted client: the A-R of our authserv-id),
       the three fields go on top of the message (AS, AMS, AAR, above the
       A-R) and dkim.arc_verify must say pass; authmilter must accept its
       own seal too.
  b-*  dkim.arc_sign seals (one and two hops, folded and standardized,
       1024 and 2048 bits), authmilter verifies: arc=pass, sealers listed.
  c-*  three authmilter hops with different keys, algorithms and domains
       (rsa-sha256 2048, ed25519-sha256, rsa-sha256 3072), each hop's
       output fields prepended for the next; final arc=pass, i=3, sealers
       in order, oldest-pass 0; dkimpy agrees.
  d-*  tampering after sealing: body or signed header changed -> fail
       (AMS); a hop that seals a failed chain writes cv=fail over its own
       set only, and nobody seals after it; an old AMS broken but the
       newest intact -> pass with header.oldest-pass > 0.
  e-*  hostile inputs: 51 sets, gaps, duplicates, "ARC-Seal: x", an AS with
       h=, big keys (3072/4096: pass), a 100 KB b=, unknown tags (pass),
       cv=fail on top, cv=pass at i=1, ...  Every one must give the
       expected arc result with exit status 0, no crash, and an action;
       sealing is on, and a seal produced for a failed chain must carry
       cv=fail and verify over its own set only.

dkimpy 1.1.4 does not accept ed25519 in ARC; for the ed25519 hops the
runner allows it (see README.md, "The oracle").

  run_roundtrip.py [-k SUBSTR]... [-v] [--keep DIR] [--check PATH] [--list]
                   [--oracle dkimpy]

--oracle dkimpy: only the inputs built here, checked with dkimpy instead of
authmilter (a self-test of the expectations; cases that need authmilter to
seal are skipped).

Ends with "arc-roundtrip: N passed, N failed".  Exit 1 if anything failed.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arclib  # noqa: E402
from arclib import ArcSealer, crlf  # noqa: E402

ACTIONS = ("accept", "reject", "quarantine", "tempfail")
SEAL_HEADERS = ["from", "to", "subject", "date", "message-id",
                "mime-version", "content-type"]
UNTRUSTED_IP = "192.0.2.25"
TRUSTED_IP = "127.0.0.1"

BASE = crlf(
    "Authentication-Results: mx.origin.example; spf=pass "
    "smtp.mailfrom=sender.example;\n"
    "\tdkim=pass header.d=sender.example header.s=s1;\n"
    "\tdmarc=pass header.from=sender.example\n"
    "Received: from mail.sender.example (mail.sender.example [192.0.2.25])\n"
    "\tby mx.origin.example with ESMTP id 4XbQ2k1Lz9; "
    "Mon, 1 Jan 2024 10:00:00 +0000\n"
    "From: Alice Example <alice@sender.example>\n"
    "To: bob@rcpt.example\n"
    "Subject: ARC round trip\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Message-ID: <roundtrip-1@sender.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Hello Bob,\n"
    "\n"
    "this message travels   through several hops.  \n"
    "-- \n"
    "Alice\n")


class Outcome(object):
    def __init__(self):
        self.bad = []
        self.ev = []
        self.skipped = None

    def want(self, cond, why):
        if not cond:
            self.bad.append(why)
        return cond


class Env(object):
    def __init__(self, tmp, check, oracle):
        self.tmp = tmp
        self.check = check
        self.oracle = oracle
        self.records = {}
        self.n = 0
        self.keys = {}

    def key(self, name, kind="rsa", bits=2048, domain=None, selector=None):
        """A key published at SELECTOR._domainkey.DOMAIN."""
        if name not in self.keys:
            k = arclib.make_key(kind, bits)
            k.domain = domain or "%s.example" % name
            k.selector = selector or "sel"
            k.path = k.write(os.path.join(self.tmp, "%s.pem" % name))
            self.records["%s._domainkey.%s" % (k.selector, k.domain)] = \
                k.record()
            self.keys[name] = k
        return self.keys[name]

    def sealer(self, name, kind="rsa", bits=2048):
        k = self.key(name, kind, bits)
        return ArcSealer(k.domain, k.selector, k)

    def conf(self, authserv_id="mx.verify.example", seal_key=None,
             headers=None, trusted_sealers=None):
        self.n += 1
        seal = None
        if seal_key is not None:
            seal = {"domain": seal_key.domain, "selector": seal_key.selector,
                    "key_file": seal_key.path,
                    "algorithm": seal_key.algorithm,
                    "headers": headers or SEAL_HEADERS}
        return arclib.write_file(
            os.path.join(self.tmp, "c%03d.conf" % self.n),
            arclib.config_text(authserv_id, self.records, seal=seal,
                               trusted_sealers=trusted_sealers))

    def run(self, conf, msg, client_ip=UNTRUSTED_IP, when=None):
        self.n += 1
        path = arclib.write_file(os.path.join(self.tmp, "m%03d.eml" % self.n),
                                 msg)
        return arclib.run_check(conf, path, client_ip=client_ip,
                                helo="mail.sender.example",
                                mail_from="alice@sender.example", when=when,
                                check=self.check)

    def dkimpy(self, msg):
        return arclib.dkimpy_verify(msg, self.records)


# ---------------------------------------------------------------------------
# checks shared by the cases

def verdict(env, o, msg, want, sealers=None, instances=None,
            oldest_pass=None, reason_has=None, label="authmilter"):
    """authmilter (or, with --oracle dkimpy, dkimpy) on MSG must say WANT."""
    if env.oracle:
        cv, reason, _ = env.dkimpy(msg)
        o.ev.append("dkimpy: cv=%s (%s)" % (cv, reason))
        o.want(cv == want, "dkimpy: expected %s, got %s" % (want, cv))
        return None
    r = env.run(env.conf(), msg)
    o.ev.append("%s: %s" % (label, r.brief()))
    if not o.want(r.problem is None, "%s: %s" % (label, r.problem)):
        return r
    a = r.arc
    if not o.want(isinstance(a, dict), "%s: JSON arc member is %r" %
                  (label, a)):
        return r
    o.want(r.json.get("action") in ACTIONS, "%s: no action in the JSON (%r)"
           % (label, r.json.get("action")))
    got = (a.get("result") or "").lower()
    o.want(got == want, "%s: expected arc=%s, got arc=%s (%s)" % (
        label, want, got, a.get("reason")))
    if want == "pass" and got == "pass":
        if sealers is not None:
            o.want(a.get("sealers") == sealers, "%s: sealers %r, expected %r"
                   % (label, a.get("sealers"), sealers))
        if instances is not None:
            o.want(a.get("instances") == instances, "%s: instances %r, "
                   "expected %d" % (label, a.get("instances"), instances))
        op = (a.get("properties") or {}).get("header.oldest-pass")
        if oldest_pass is not None:
            o.want(str(op) == str(oldest_pass), "%s: header.oldest-pass %r, "
                   "expected %r" % (label, op, str(oldest_pass)))
    if reason_has and got == want:
        rs = (a.get("reason") or "").lower()
        o.want(any(x in rs for x in reason_has), "%s: reason %r names none "
               "of %s" % (label, a.get("reason"), "/".join(reason_has)))
    return r


def dkimpy_says(env, o, msg, want):
    cv, reason, _ = env.dkimpy(msg)
    o.ev.append("dkimpy: cv=%s (%s)" % (cv, reason))
    o.want(cv == want, "dkimpy: expected %s, got %s (%s)" % (want, cv,
                                                             reason))
    return cv


def seal_by_authmilter(env, o, msg, key, authserv_id, client_ip=UNTRUSTED_IP,
                       want_input=None, want_cv=None, want_i=None, when=None,
                       headers=None, label="sealer"):
    """authmilter-check with sealing on; returns (new message, seal dict,
    run) or (None, None, run) when no set was produced."""
    conf = env.conf(authserv_id, seal_key=key, headers=headers)
    r = env.run(conf, msg, client_ip=client_ip, when=when)
    o.ev.append("%s %s: %s" % (label, key.domain, r.brief()))
    if not o.want(r.problem is None, "%s: %s" % (label, r.problem)):
        return None, None, r
    if want_input is not None:
        got = r.arc_result()
        o.want(got == want_input, "%s: its verdict on the input: expected "
               "%s, got %s" % (label, want_input, got))
    seal = r.seal
    if not seal:
        return None, seal, r
    for k in ("ARC-Seal", "ARC-Message-Signature",
              "ARC-Authentication-Results"):
        if not o.want(isinstance(seal.get(k), str) and seal.get(k).strip(),
                      "%s: arc_seal lacks %s" % (label, k)):
            return None, None, r
    ast = arclib.tags_of(seal["ARC-Seal"])
    amst = arclib.tags_of(seal["ARC-Message-Signature"])
    aari = arclib.instance_of(seal["ARC-Authentication-Results"])
    o.ev.append("%s AS: %s" % (label, re.sub(r"\s+", " ",
                                             seal["ARC-Seal"])[:160]))
    o.want(ast.get("d") == key.domain and ast.get("s") == key.selector,
           "%s: AS d=/s= %s/%s" % (label, ast.get("d"), ast.get("s")))
    o.want(ast.get("a") == key.algorithm, "%s: AS a=%s, expected %s" % (
        label, ast.get("a"), key.algorithm))
    o.want(amst.get("a") == key.algorithm, "%s: AMS a=%s" % (
        label, amst.get("a")))
    o.want("h" not in ast, "%s: AS carries h=" % label)
    o.want(ast.get("i") == amst.get("i") == str(aari), "%s: instances "
           "differ: AS %s AMS %s AAR %s" % (label, ast.get("i"),
                                            amst.get("i"), aari))
    if want_i is not None:
        o.want(ast.get("i") == str(want_i), "%s: i=%s, expected %d" % (
            label, ast.get("i"), want_i))
    if want_cv is not None:
        o.want(ast.get("cv") == want_cv, "%s: cv=%s, expected %s" % (
            label, ast.get("cv"), want_cv))
    if when is not None:
        o.want(ast.get("t") == str(when) and amst.get("t") == str(when),
               "%s: t= %s/%s, expected %s" % (label, ast.get("t"),
                                              amst.get("t"), when))
    hl = [h.strip().lower() for h in (amst.get("h") or "").split(":")]
    o.want(not set(hl) & set(arclib.ARC_NAMES) and
           "authentication-results" not in hl,
           "%s: AMS h= signs ARC or A-R fields: %s" % (label, amst.get("h")))
    return arclib.prepend_arc_set(msg, seal), seal, r


def received(hop):
    return crlf("Received: from %s (%s [198.51.100.%d])\n\tby next.example "
                "with ESMTP; Mon, 1 Jan 2024 10:0%d:00 +0000\n"
                % (hop, hop, 10 + len(hop) % 50, len(hop) % 10))


# ---------------------------------------------------------------------------
# cases

CASES = []


def case(name, needs_sealing=False):
    def deco(fn):
        CASES.append((name, fn, needs_sealing))
        return fn
    return deco


# -- a: authmilter seals, dkimpy verifies

def _a_seal(env, o, kind, bits, client_ip, trusted):
    k = env.key("am-%s%d" % (kind, bits), kind, bits)
    now = int(time.time())
    msg, seal, r = seal_by_authmilter(env, o, BASE, k, "mx.sealer.example",
                                      client_ip=client_ip, want_input="none",
                                      want_cv="none", want_i=1, when=now)
    if msg is None:
        o.want(False, "no ARC set produced (arc_seal %r)" % (seal,))
        return
    aar = re.sub(r"\s+", " ", seal["ARC-Authentication-Results"])
    o.ev.append("AAR: " + aar)
    o.want(re.match(r"i=1;\s*mx\.sealer\.example\b", aar), "AAR does not "
           "start with i=1; mx.sealer.example: %r" % aar[:80])
    if trusted:
        o.want("dmarc=pass header.from=sender.example" in aar and
               "mx.origin.example" not in aar,
               "trusted client: the AAR should carry our ADMD's A-R results")
    dkimpy_says(env, o, msg, "pass")
    ok, why = arclib.verify_top_seal(msg, env.records)
    o.ev.append("own AS check: " + why)
    o.want(ok, why)
    verdict(env, o, msg, "pass", sealers=[k.domain], instances=1,
            oldest_pass=0, label="authmilter re-verifies")


@case("a-seal-rsa2048-untrusted", True)
def a1(env, o):
    _a_seal(env, o, "rsa", 2048, UNTRUSTED_IP, False)


@case("a-seal-ed25519-untrusted", True)
def a2(env, o):
    _a_seal(env, o, "ed25519", 256, UNTRUSTED_IP, False)


@case("a-seal-rsa2048-trusted-ar", True)
def a3(env, o):
    # A-R of our own authserv-id, as an internal hop recorded it
    _a_seal_trusted(env, o, "rsa", 2048)


@case("a-seal-ed25519-trusted-ar", True)
def a4(env, o):
    _a_seal_trusted(env, o, "ed25519", 256)


def _a_seal_trusted(env, o, kind, bits):
    k = env.key("am-%s%d" % (kind, bits), kind, bits)
    msg = BASE.replace(b"mx.origin.example;", b"mx.sealer.example;", 1)
    out, seal, r = seal_by_authmilter(env, o, msg, k, "mx.sealer.example",
                                      client_ip=TRUSTED_IP,
                                      want_cv="none", want_i=1, when=12345)
    if out is None:
        o.want(False, "no ARC set produced (arc_seal %r)" % (seal,))
        return
    aar = re.sub(r"\s+", " ", seal["ARC-Authentication-Results"])
    o.ev.append("AAR: " + aar)
    for want in ("spf=pass smtp.mailfrom=sender.example",
                 "dkim=pass header.d=sender.example header.s=s1",
                 "dmarc=pass header.from=sender.example"):
        o.want(want in aar, "AAR lacks %r (copied from our A-R)" % want)
    dkimpy_says(env, o, out, "pass")
    verdict(env, o, out, "pass", sealers=[k.domain], instances=1)


# -- b: dkimpy seals, authmilter verifies

def _dk_seal(env, msg, name, bits=2048, srv="mx.fwd.example",
             standardize=False):
    k = env.key(name, "rsa", bits)
    if not re.search(rb"^Authentication-Results:\s*" + re.escape(srv.encode())
                     + rb";", msg, re.M | re.I):
        msg = ("Authentication-Results: %s; arc=%s; spf=pass "
               "smtp.mailfrom=sender.example" % (
                   srv, "pass" if b"ARC-Seal" in msg else "none")
               ).encode() + b"\r\n" + msg
    out = arclib.dkimpy_arc_sign(msg, k.selector, k.domain, k.pem, srv,
                                 SEAL_HEADERS, standardize=standardize)
    if not out:
        raise RuntimeError("dkimpy made no ARC set")
    return b"".join(out) + msg, k


@case("b-dkimpy-1hop-rsa2048")
def b1(env, o):
    msg, k = _dk_seal(env, BASE, "dk-fwd1")
    o.ev.append("dkimpy sealed: " + msg.split(b"\r\n")[0][:120].decode())
    verdict(env, o, msg, "pass", sealers=[k.domain], instances=1,
            oldest_pass=0)


@case("b-dkimpy-1hop-standardized")
def b2(env, o):
    msg, k = _dk_seal(env, BASE, "dk-fwd1", standardize=True)
    verdict(env, o, msg, "pass", sealers=[k.domain], instances=1)


@case("b-dkimpy-1hop-rsa1024")
def b3(env, o):
    msg, k = _dk_seal(env, BASE, "dk-small", bits=1024)
    verdict(env, o, msg, "pass", sealers=[k.domain], instances=1)


@case("b-dkimpy-2hops")
def b4(env, o):
    m1, k1 = _dk_seal(env, BASE, "dk-fwd1", srv="mx.fwd1.example")
    m2, k2 = _dk_seal(env, received("fwd1.example") + m1, "dk-fwd2",
                      srv="mx.fwd2.example")
    dkimpy_says(env, o, m2, "pass")
    verdict(env, o, m2, "pass", sealers=[k1.domain, k2.domain], instances=2,
            oldest_pass=0)


@case("b-dkimpy-then-authmilter", True)
def b5(env, o):
    m1, k1 = _dk_seal(env, BASE, "dk-fwd1")
    k2 = env.key("am-rsa2048", "rsa", 2048)
    m2, seal, _ = seal_by_authmilter(env, o, received("fwd1.example") + m1,
                                     k2, "mx.sealer.example",
                                     want_input="pass", want_cv="pass",
                                     want_i=2)
    if m2 is None:
        o.want(False, "no ARC set produced")
        return
    dkimpy_says(env, o, m2, "pass")
    verdict(env, o, m2, "pass", sealers=[k1.domain, k2.domain], instances=2)


# -- c: three authmilter hops

@case("c-three-hops", True)
def c1(env, o):
    hops = [("hop1", "rsa", 2048), ("hop2", "ed25519", 256),
            ("hop3", "rsa", 3072)]
    msg = BASE
    sealers = []
    arclib.allow_ed25519_arc()
    for n, (name, kind, bits) in enumerate(hops, 1):
        k = env.key(name, kind, bits, domain="%s.example" % name)
        msg, seal, r = seal_by_authmilter(
            env, o, msg, k, "mx.%s.example" % name,
            want_input="none" if n == 1 else "pass",
            want_cv="none" if n == 1 else "pass", want_i=n,
            label="hop%d" % n)
        if msg is None:
            o.want(False, "hop%d produced no ARC set" % n)
            return
        if n > 1 and isinstance(r.arc, dict):
            o.want(r.arc.get("sealers") == sealers, "hop%d saw sealers %r, "
                   "expected %r" % (n, r.arc.get("sealers"), sealers))
        sealers.append(k.domain)
        msg = received("%s.example" % name) + msg
    dkimpy_says(env, o, msg, "pass")
    ok, why = arclib.verify_top_seal(msg, env.records)
    o.want(ok, why)
    verdict(env, o, msg, "pass", sealers=sealers, instances=3, oldest_pass=0)


# -- d: tampering

def _one_hop(env, o, headers=None, name="am-rsa2048", kind="rsa", bits=2048):
    k = env.key(name, kind, bits)
    if env.oracle:
        s = ArcSealer(k.domain, k.selector, k)
        return s.seal_onto(BASE, headers=tuple(headers or SEAL_HEADERS))
    msg, seal, _ = seal_by_authmilter(env, o, BASE, k, "mx.sealer.example",
                                      headers=headers)
    if msg is None:
        o.want(False, "no ARC set produced")
    return msg


AMS_WORDS = ("ams", "message-signature", "message signature", "body hash",
             "bh")


@case("d-body-modified")
def d1(env, o):
    msg = _one_hop(env, o)
    if msg is None:
        return
    bad = msg.replace(b"Hello Bob,", b"Hello Bob, (edited)")
    dkimpy_says(env, o, bad, "fail")
    verdict(env, o, bad, "fail", reason_has=AMS_WORDS)


@case("d-body-appended-footer")
def d2(env, o):
    msg = _one_hop(env, o)
    if msg is None:
        return
    bad = msg + b"--\r\nlist footer\r\n"
    verdict(env, o, bad, "fail", reason_has=AMS_WORDS)


@case("d-signed-header-modified")
def d3(env, o):
    msg = _one_hop(env, o)
    if msg is None:
        return
    bad = msg.replace(b"Subject: ARC round trip", b"Subject: [list] ARC "
                      b"round trip")
    dkimpy_says(env, o, bad, "fail")
    verdict(env, o, bad, "fail", reason_has=AMS_WORDS)


@case("d-aar-modified")
def d4(env, o):
    msg = _one_hop(env, o)
    if msg is None:
        return
    h, body = arclib.split_message(msg)
    h = [(n, v + b" extra=1" if n.lower() == b"arc-authentication-results"
          else v) for n, v in h]
    bad = arclib.join_message(h, body)
    dkimpy_says(env, o, bad, "fail")
    verdict(env, o, bad, "fail")


@case("d-failed-chain-sealed-cv-fail", True)
def d5(env, o):
    msg = _one_hop(env, o)
    if msg is None:
        return
    bad = msg.replace(b"Hello Bob,", b"Hello Bob, (edited)")
    k2 = env.key("am-ed25519", "ed25519", 256)
    m2, seal, _ = seal_by_authmilter(env, o, bad, k2, "mx.hop2.example",
                                     want_input="fail", want_cv="fail",
                                     want_i=2, label="hop2")
    if m2 is None:
        o.want(False, "hop2 added no set to the failed chain (RFC 8617 5.1 "
               "step 2 stops only for a newest cv=fail; 5.1.2 seals cv=fail)")
        return
    ok, why = arclib.verify_top_seal(m2, env.records, own_set_only=True)
    o.ev.append("own check of hop2's AS: " + why)
    o.want(ok, "hop2's cv=fail AS must cover its own set only (5.1.2): "
           + why)
    arclib.allow_ed25519_arc()
    dkimpy_says(env, o, m2, "fail")
    verdict(env, o, m2, "fail")
    k3 = env.key("am-rsa2048", "rsa", 2048)
    m3, seal3, r3 = seal_by_authmilter(env, o, m2, k3, "mx.hop3.example",
                                       want_input="fail", label="hop3")
    o.want(seal3 is None, "hop3 sealed after a newest cv=fail (RFC 8617 "
           "5.1 step 2: the algorithm stops)")


@case("d-old-ams-broken-newest-intact", True)
def d6(env, o):
    # hop1 signs Subject, hop2 does not; then Subject changes
    k1 = env.key("dk-fwd1", "rsa", 2048)
    m1 = ArcSealer(k1.domain, k1.selector, k1).seal_onto(
        BASE, headers=("from", "to", "subject", "date"))
    k2 = env.key("am-rsa2048", "rsa", 2048)
    m2, seal, _ = seal_by_authmilter(env, o, m1, k2, "mx.hop2.example",
                                     want_input="pass", want_cv="pass",
                                     want_i=2, headers=["from", "to", "date",
                                                        "message-id"])
    if m2 is None:
        o.want(False, "no ARC set produced")
        return
    bad = m2.replace(b"Subject: ARC round trip", b"Subject: [x] ARC round "
                     b"trip")
    dkimpy_says(env, o, bad, "pass")
    verdict(env, o, bad, "pass", sealers=[k1.domain, k2.domain],
            instances=2, oldest_pass=2)


@case("d-old-ams-broken-our-sealer")
def d7(env, o):
    # the same with our own sealer only (no authmilter sealing needed)
    k1 = env.key("dk-fwd1", "rsa", 2048)
    k2 = env.key("dk-fwd2", "rsa", 2048)
    m1 = ArcSealer(k1.domain, k1.selector, k1).seal_onto(
        BASE, headers=("from", "to", "subject", "date"))
    m2 = ArcSealer(k2.domain, k2.selector, k2).seal_onto(
        m1, headers=("from", "to", "date"))
    bad = m2.replace(b"Subject: ARC round trip", b"Subject: [x] ARC round "
                     b"trip")
    dkimpy_says(env, o, bad, "pass")
    verdict(env, o, bad, "pass", sealers=[k1.domain, k2.domain],
            instances=2, oldest_pass=2)


# -- e: hostile inputs

def hostile(env, o, msg, want, dkimpy_differs=None, **kw):
    """authmilter (sealing on) must say WANT, exit 0, give an action; a
    seal on a failed chain must be cv=fail over its own set, i <= 50.
    dkimpy_differs: why dkimpy (lenient there) gives another answer."""
    if env.oracle:
        if dkimpy_differs:
            cv, reason, _ = env.dkimpy(msg)
            o.ev.append("dkimpy: cv=%s (%s); expected %s; dkimpy differs: "
                        "%s" % (cv, reason, want, dkimpy_differs))
            return
        verdict(env, o, msg, want, **kw)
        return
    k = env.key("am-rsa2048", "rsa", 2048)
    conf = env.conf("mx.hostile.example", seal_key=k)
    t0 = time.time()
    r = env.run(conf, msg)
    dt = time.time() - t0
    o.ev.append("authmilter: %s (%.2fs)" % (r.brief(), dt))
    if not o.want(r.problem is None, r.problem or ""):
        return
    o.want(r.rc == 0, "exit status %d" % r.rc)
    o.want(r.json.get("action") in ACTIONS, "no action: %r" %
           r.json.get("action"))
    a = r.arc
    if not o.want(isinstance(a, dict), "JSON arc member is %r" % (a,)):
        return
    got = (a.get("result") or "").lower()
    o.want(got == want, "expected arc=%s, got arc=%s (%s)" % (
        want, got, a.get("reason")))
    if want == "pass" and got == "pass":
        for key in ("sealers", "instances"):
            if key in kw:
                o.want(a.get(key) == kw[key], "%s %r, expected %r" % (
                    key, a.get(key), kw[key]))
    o.want(dt < 20, "took %.1f s" % dt)
    seal = r.seal
    if seal:
        ast = arclib.tags_of(seal.get("ARC-Seal") or "")
        o.ev.append("sealed: i=%s cv=%s" % (ast.get("i"), ast.get("cv")))
        try:
            i = int(ast.get("i"))
        except (TypeError, ValueError):
            i = -1
        o.want(1 <= i <= 50, "sealed with i=%s" % ast.get("i"))
        if got == "fail":
            o.want(ast.get("cv") == "fail", "arc=fail but sealed with "
                   "i=%s cv=%s (RFC 8617 5.1 step 4.C: the cv of the new AS "
                   "is the validation status, fail; or add no set)"
                   % (ast.get("i"), ast.get("cv")))
            sealed = arclib.prepend_arc_set(msg, seal)
            ok, why = arclib.verify_top_seal(sealed, env.records,
                                             own_set_only=True)
            o.want(ok, "cv=fail seal: " + why)
        elif got == "pass":
            o.want(ast.get("cv") == "pass", "sealed a passing chain with "
                   "cv=%s" % ast.get("cv"))
    elif got == "pass" or (got == "fail" and "cv=fail" not in
                           re.sub(rb"\s", b"", msg).decode("latin-1")):
        o.ev.append("no seal added")
    if not env.oracle:
        cv, reason, _ = env.dkimpy(msg)
        o.ev.append("dkimpy (evidence): cv=%s (%s)" % (cv, reason))


def chain(env, n, name="hx", kind="rsa", bits=1024, headers=None, **kw):
    s = env.sealer(name, kind, bits)
    m = BASE
    for i in range(1, n + 1):
        m = s.seal_onto(m, headers=tuple(headers or SEAL_HEADERS), **kw)
    return m, s


@case("e-50-sets-pass")
def e0(env, o):
    m, s = chain(env, 50)
    hostile(env, o, m, "pass", instances=50)


@case("e-51-sets")
def e1(env, o):
    m, s = chain(env, 50)
    # set 51 over all 50 (valid in every other respect)
    m = s.seal_onto(m, instance=51, cv="pass")
    hostile(env, o, m, "fail", dkimpy_differs="dkimpy 1.1.4 verifies any "
            "number of sets (RFC 8617 5.2 step 1: more than 50 is fail)")


@case("e-gap-i1-i3")
def e2(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE)
    m = s.seal_onto(m, instance=3, cv="pass", as_scope=[1])
    hostile(env, o, m, "fail")


@case("e-duplicate-instance-set")
def e3(env, o):
    s1 = env.sealer("hx", "rsa", 1024)
    s2 = env.sealer("hy", "rsa", 1024)
    m = s1.seal_onto(BASE)
    m = s2.seal_onto(m, instance=1, cv="none", as_scope=[])
    hostile(env, o, m, "fail")


@case("e-duplicate-ams")
def e4(env, o):
    s = env.sealer("hx", "rsa", 1024)
    fields = s.seal(BASE)
    extra = s.seal(BASE, headers=("from",))[1]
    m = arclib.prepend_fields(BASE, fields[:2] + [extra] + fields[2:])
    hostile(env, o, m, "fail")


@case("e-arc-seal-x-on-chain")
def e5(env, o):
    m, _ = chain(env, 1)
    hostile(env, o, b"ARC-Seal: x\r\n" + m, "fail", dkimpy_differs="dkimpy "
            "skips ARC fields without an instance tag; an ARC field that "
            "belongs to no valid set breaks 5.2 step 3.A")


@case("e-arc-seal-x-alone")
def e6(env, o):
    hostile(env, o, b"ARC-Seal: x\r\n" + BASE, "fail", dkimpy_differs="dkimpy "
            "skips ARC fields without an instance tag (cv=none)")


@case("e-as-with-h")
def e7(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, as_h="arc-authentication-results:"
                    "arc-message-signature")
    hostile(env, o, m, "fail")


def _big(env, o, bits):
    m, k = _dk_seal(env, BASE, "big%d" % bits, bits=bits)
    hostile(env, o, m, "pass", instances=1, sealers=[k.domain])


@case("e-key-3072")
def e8(env, o):
    _big(env, o, 3072)


@case("e-key-4096")
def e9(env, o):
    _big(env, o, 4096)


@case("e-key-4096-two-hops-ours")
def e9b(env, o):
    s1 = env.sealer("big4096", "rsa", 4096)
    s2 = env.sealer("big3072", "rsa", 3072)
    m = s2.seal_onto(s1.seal_onto(BASE))
    hostile(env, o, m, "pass", instances=2,
            sealers=[s1.domain, s2.domain])


@case("e-huge-as-b")
def e10(env, o):
    s = env.sealer("hx", "rsa", 1024)
    big = ("A" * 100 * 1024)
    m = s.seal_onto(BASE, b_override=big)
    hostile(env, o, m, "fail")


@case("e-huge-ams-b")
def e11(env, o):
    s = env.sealer("hx", "rsa", 1024)
    big = "\r\n\t".join(["QUJD" * 18] * 1400)     # ~100 KB, folded
    m = s.seal_onto(BASE, ams_b_override=big)
    hostile(env, o, m, "fail")


@case("e-gmail-style-extra-tags")
def e12(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, ams_extra=[("dara", "google.com")],
                    as_extra=[("x_vendor", "AGHT+IE/x=")])
    hostile(env, o, m, "pass", instances=1)


@case("e-tag-name-with-hyphen")
def e12b(env, o):
    # RFC 6376 3.2: tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC has no "-"
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, as_extra=[("x-vendor", "1")])
    hostile(env, o, m, "fail", dkimpy_differs="dkimpy accepts any tag "
            "name")


@case("e-ams-v-tag-ignored")
def e13(env, o):
    # RFC 8617 4.1.2: a version tag in an AMS MUST be ignored
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, ams_extra=[("v", "1")])
    hostile(env, o, m, "pass", instances=1)


@case("e-cv-fail-on-top")
def e14(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE)
    m = s.seal_onto(m, cv="fail")
    hostile(env, o, m, "fail")


@case("e-cv-pass-at-i1")
def e15(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, cv="pass")
    hostile(env, o, m, "fail")


@case("e-cv-none-at-i2")
def e16(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(s.seal_onto(BASE), cv="none")
    hostile(env, o, m, "fail")


@case("e-instance-0")
def e17(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, instance=0, cv="none", as_scope=[])
    hostile(env, o, m, "fail", dkimpy_differs="dkimpy ignores i=0 sets "
            "(cv=none); RFC 8617 4.2.1: instances are 1..50")


@case("e-instance-huge-number")
def e18(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, instance=99999999999999999999, cv="none",
                    as_scope=[])
    hostile(env, o, m, "fail")


@case("e-only-aar")
def e19(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = arclib.prepend_fields(BASE, s.seal(BASE)[2:])
    hostile(env, o, m, "fail")


@case("e-as-without-b")
def e20(env, o):
    s = env.sealer("hx", "rsa", 1024)
    f = s.seal(BASE)
    f[0] = ("ARC-Seal", re.sub(rb";\s*b=[^;]*$", b"", f[0][1]))
    hostile(env, o, arclib.prepend_fields(BASE, f), "fail")


@case("e-b-not-base64")
def e21(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, b_override="!!!!not*base64%%%%")
    hostile(env, o, m, "fail")


@case("e-no-key-record")
def e22(env, o):
    k = arclib.make_key("rsa", 1024)
    s = ArcSealer("nokey.example", "gone", k)     # never published
    hostile(env, o, s.seal_onto(BASE), "fail")


@case("e-1000-arc-seal-fields")
def e23(env, o):
    m, _ = chain(env, 1)
    junk = b"".join(b"ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=x.example; "
                    b"s=s; b=AAAA\r\n" % (i % 60) for i in range(1000))
    hostile(env, o, junk + m, "fail")


@case("e-rsa-sha1")
def e24(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, a_tag="rsa-sha1")
    hostile(env, o, m, "fail")


@case("e-ed25519-sealed-pass")
def e25(env, o):
    arclib.allow_ed25519_arc()
    s = env.sealer("hed", "ed25519", 256)
    hostile(env, o, s.seal_onto(BASE), "pass", instances=1,
            sealers=[s.domain])


@case("e-mixed-alg-chain")
def e26(env, o):
    arclib.allow_ed25519_arc()
    s1 = env.sealer("hed", "ed25519", 256)
    s2 = env.sealer("hx", "rsa", 1024)
    m = s2.seal_onto(s1.seal_onto(BASE))
    hostile(env, o, m, "pass", instances=2, sealers=[s1.domain, s2.domain])


@case("e-8bit-in-aar")
def e27(env, o):
    # bytes that are not UTF-8 in the AAR; the chain itself is valid
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, aar_payload=b"mx.x.example; spf=pass "
                    b"smtp.mailfrom=\xff\xfe.example")
    hostile(env, o, m, "pass", instances=1)


@case("e-utf8-in-aar")
def e28(env, o):
    s = env.sealer("hx", "rsa", 1024)
    m = s.seal_onto(BASE, aar_payload="mx.x.example; spf=pass "
                    "smtp.mailfrom=b\u00fccher.example")
    hostile(env, o, m, "pass", instances=1)


# -- s: real-world samples in test/data/arc (stalwart, mailauth)

SAMPLES = os.path.normpath(os.path.join(arclib.SUITE_DIR, ".."))


def stalwart(path):
    """(records, message) of a stalwart sample: "<name> <TXT>" lines, an
    empty line, the message (LF -> CRLF)."""
    with open(path, "rb") as f:
        data = f.read()
    head, _, msg = data.partition(b"\n\n")
    recs = {}
    for line in head.decode().splitlines():
        name, _, value = line.partition(" ")
        recs[name.rstrip(".").lower()] = value
    return recs, crlf(msg)


def _stalwart(env, o, name, accept):
    path = os.path.join(SAMPLES, "stalwart", name)
    if not os.path.exists(path):
        o.want(False, "%s not found" % path)
        return
    recs, msg = stalwart(path)
    env.records.update(recs)
    cv, reason, _ = env.dkimpy(msg)
    o.ev.append("dkimpy (evidence): cv=%s (%s)" % (cv, reason))
    if env.oracle:
        return
    r = env.run(env.conf(), msg)
    o.ev.append("authmilter: " + r.brief())
    if not o.want(r.problem is None, r.problem or ""):
        return
    got = r.arc_result()
    o.want(got in accept, "arc=%s, expected %s" % (got, " or ".join(accept)))
    if len(accept) > 1:
        o.ev.append("disputed sample: authmilter chose %s" % got)


@case("s-stalwart-001-rsa")
def s1(env, o):
    _stalwart(env, o, "001.txt", ("pass",))


@case("s-stalwart-002-ed25519")
def s2(env, o):
    # RFC 8617 names only rsa-sha256; authmilter seals ed25519 itself, so
    # pass is the consistent answer, fail the RFC-strict one (PROVENANCE)
    _stalwart(env, o, "002.txt", ("pass", "fail"))


def _mailauth(env, o, name):
    # Google-sealed chains; their keys live in real DNS (unreachable) except
    # arc-20160816._domainkey.google.com, which the stalwart 001 sample
    # publishes.  Expected: dkimpy's verdict with the same records; above
    # all no crash, exit 0, an action.
    path = os.path.join(SAMPLES, "mailauth-samples", name)
    if not os.path.exists(path):
        o.want(False, "%s not found" % path)
        return
    srecs, _ = stalwart(os.path.join(SAMPLES, "stalwart", "001.txt"))
    env.records.update(srecs)
    with open(path, "rb") as f:
        msg = crlf(f.read())
    cv, reason, _ = env.dkimpy(msg)
    o.ev.append("dkimpy decides the expectation: cv=%s (%s)" % (cv, reason))
    hostile(env, o, msg, cv)


for _n in ("arc-pass.eml", "arc-pass2.eml", "arc-fail.eml", "arc-fail2.eml",
           "arc-fail3.eml"):
    case("s-mailauth-%s" % _n[:-4])(
        lambda env, o, n=_n: _mailauth(env, o, n))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[],
                    help="only cases whose name contains this")
    ap.add_argument("-v", action="store_true",
                    help="evidence for passing cases too")
    ap.add_argument("--keep", metavar="DIR")
    ap.add_argument("--check", default=arclib.CHECK)
    ap.add_argument("--oracle", choices=["dkimpy"])
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    sel = [c for c in CASES if not a.k or any(k in c[0] for k in a.k)]
    if a.list:
        for name, fn, seal in sel:
            print(name)
        return 0
    if not a.oracle and not os.access(a.check, os.X_OK):
        print("run_roundtrip: %s is not built" % a.check)
        print("arc-roundtrip: 0 passed, 1 failed")
        return 2
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        tmp = a.keep
    else:
        tmp = tempfile.mkdtemp(prefix="arc-roundtrip.")
    os.chmod(tmp, 0o755)
    env = Env(tmp, a.check, a.oracle)
    arclib.allow_ed25519_arc()      # see README.md, "The oracle"
    passed = failed = skipped = 0
    try:
        for name, fn, needs_seal in sel:
            if a.oracle and needs_seal:
                skipped += 1
                print("SKIP %s: needs authmilter to seal" % name)
                continue
            o = Outcome()
            try:
                fn(env, o)
            except Exception as e:   # a runner bug must not hide the rest
                import traceback
                o.bad.append("runner exception %s: %s" % (type(e).__name__,
                                                          e))
                o.ev.extend(traceback.format_exc().splitlines()[-6:])
            if o.bad:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(o.bad)))
            else:
                passed += 1
                print("PASS %s" % name)
            if o.bad or a.v:
                for x in o.ev:
                    print("      " + x[:400])
            sys.stdout.flush()
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("arc-roundtrip: %d passed, %d failed%s" % (
        passed, failed, (", %d skipped" % skipped) if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
