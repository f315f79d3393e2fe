#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generate the DKIM interop corpus for authmilter at test time.

Nothing of the corpus is committed: keys are made fresh on every run (RSA
with python3-cryptography, ed25519 with python3-nacl), messages are signed
with dkimpy (python3-dkim), and every signature is verified again with
dkimpy against the DNS records the corpus publishes.  The result is a
directory:

    DIR/manifest.json      what run_interop.py reads (format below)
    DIR/messages/ID.eml    the messages, exact bytes, CRLF line endings
    DIR/keys/SEL.DOMAIN.{pem,key}
                           the private keys (PKCS#1 PEM; ed25519: base64 seed)

Usage:
    test/dkim/gen_corpus.py [--out DIR] [--only ID]... [--list] [-v]

Without --out a temporary directory is used and printed.  The last line is
"gen-corpus: N messages, N signatures, self-check N/N"; the exit status is 1
when dkimpy's own verdict on a signature differs from what the case was
built to show (a broken generator, not an authmilter problem).

manifest.json
-------------
    {"generated_at": UNIX, "dkimpy_version": "...",
     "dns_timeout_hint": 2,
     "messages": [
       {"id": "rsa2048-relaxed-simple",
        "file": "messages/rsa2048-relaxed-simple.eml",
        "description": "...",
        "envelope": {"client_ip": "192.0.2.1", "helo": "...",
                     "mail_from": "..."},
        "dns": [ {"name": "sel._domainkey.example.com.", "type": "TXT",
                  "value": "v=DKIM1; k=rsa; p=...",
                  "strings": ["v=DKIM1; k=rsa; p=...", "..."]},
                 {"name": "...", "type": "TIMEOUT"},    # never answered
                 {"name": "...", "type": "SERVFAIL"},
                 {"name": "...", "type": "NXDOMAIN"} ], # documentation only
        "signatures": [
          {"index": 0, "d": "...", "s": "...", "a": "rsa-sha256",
           "i": "@example.com" | null, "b8": "first 8 of b=",
           "well_formed": true,
           "dkimpy": {"verdict": true|false, "error": null|"...",
                      "log": ["..."]},            # DKIM(msg).verify(idx=i)
           "dkimpy_minkey1": {...},               # same with minkey=1
           "expect": ["pass"],                    # acceptable authmilter results
           "reported": true,                      # false: beyond
                                                  # dkim.max_signatures, no
                                                  # entry expected
           "override": null | "policy" | "rfc",   # why expect differs from
                                                  # dkimpy's True
           "why": "..."}]}]}

Verdict rule used by the runner: dkimpy True <=> authmilter "pass", dkimpy
False <=> any other result; "expect" narrows that further (e.g. rsa-sha1 must
be "policy", a DNS timeout "temperror").  An "override" marks the cases
where dkimpy says True but authmilter must not say pass:
  policy  RFC 8301 (rsa-sha1) or l= with unsigned content appended: the
          signature is cryptographically valid, authmilter reports "policy";
  rfc     RFC 6376 requires a failure that dkimpy does not implement
          (h= without From, key h= not allowing the hash).

dkimpy's dnsfunc here serves exactly the manifest's records: TXT strings are
joined, TIMEOUT and SERVFAIL raise dkim.DnsTimeoutError (dkimpy's only
"temporary" DNS error), any other name answers None (NXDOMAIN).
"""

import argparse
import base64
import json
import logging
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the work tree free of __pycache__

try:
    import dkim
    import dkim.crypto
    from dkim.canonicalization import CanonicalizationPolicy
    import nacl.signing
    import nacl.encoding
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
except ImportError as e:
    if __name__ == "__main__":
        sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
        import testlib
        testlib.use_system_python(__file__, e.name,
                                  "python3-dkim python3-nacl "
                                  "python3-cryptography python3-yaml "
                                  "python3-dnslib")
    raise

CRLF = b"\r\n"
CLIENT_IP = "192.0.2.1"
BASE_HEADERS = ["from", "to", "subject", "date", "message-id"]


class GeneratorError(Exception):
    pass


# --------------------------------------------------------------------------
# keys

class Key(object):
    """A signing key and its DNS record."""

    def __init__(self, kind, bits, private, public_b64):
        self.kind = kind            # "rsa" or "ed25519"
        self.bits = bits
        self.private = private      # bytes given to dkimpy's sign
        self.public_b64 = public_b64

    def record(self, extra=None, p=None):
        k = "ed25519" if self.kind == "ed25519" else "rsa"
        tags = ["v=DKIM1", "k=%s" % k]
        if extra:
            tags.extend(extra)
        tags.append("p=%s" % (self.public_b64 if p is None else p))
        return "; ".join(tags)


def rsa_key(bits):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = k.private_bytes(serialization.Encoding.PEM,
                          serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    spki = k.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return Key("rsa", bits, pem, base64.b64encode(spki).decode("ascii"))


def ed25519_key():
    sk = nacl.signing.SigningKey.generate()
    seed = base64.b64encode(sk.encode())
    pub = base64.b64encode(sk.verify_key.encode()).decode("ascii")
    return Key("ed25519", 256, seed, pub)


class KeyRing(object):
    """Keys made on demand, one per purpose name."""

    def __init__(self):
        self.keys = {}

    def get(self, name):
        if name not in self.keys:
            if name.startswith("ed25519"):
                self.keys[name] = ed25519_key()
            else:
                m = re.match(r"rsa(\d+)", name)
                if not m:
                    raise GeneratorError("bad key name %r" % name)
                self.keys[name] = rsa_key(int(m.group(1)))
        return self.keys[name]


def txt_strings(value):
    """A TXT value as character-strings of at most 255 octets."""
    b = value.encode("ascii")
    if not b:
        return [""]
    return [b[i:i + 255].decode("ascii") for i in range(0, len(b), 255)]


# --------------------------------------------------------------------------
# messages and signing

def make_message(case_id, domain="example.com", subject=None, body=None,
                 extra_headers=None):
    subject = subject or "DKIM interop case %s" % case_id
    if body is None:
        body = (b"Hello Bob,\r\n\r\nThis message is case " +
                case_id.encode("ascii") + b" of the authmilter DKIM "
                b"interop corpus.\r\n\r\n-- \r\nAlice\r\n")
    hdrs = [
        b"From: Alice Example <alice@" + domain.encode() + b">",
        b"To: Bob Example <bob@example.org>",
        b"Subject: " + subject.encode(),
        b"Date: Mon, 23 Nov 2025 10:00:00 +0000",
        b"Message-ID: <" + case_id.encode() + b"@" + domain.encode() + b">",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=us-ascii",
    ]
    if extra_headers:
        hdrs.extend(extra_headers)
    return CRLF.join(hdrs) + CRLF + CRLF + body


def split_message(msg):
    i = msg.find(b"\r\n\r\n")
    if i < 0:
        raise GeneratorError("message without header/body separator")
    return msg[:i + 2], msg[i + 4:]


def add_header_top(msg, line):
    return line + CRLF + msg


def replace_once(msg, old, new):
    if msg.count(old) < 1:
        raise GeneratorError("replace: %r not in message" % old)
    return msg.replace(old, new, 1)


def dkimpy_sign(msg, key, selector, domain, alg=None, canon=("relaxed",
                "relaxed"), headers=None, length=False, identity=None):
    if alg is None:
        alg = "ed25519-sha256" if key.kind == "ed25519" else "rsa-sha256"
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key.private,
                    identity=identity.encode() if identity else None,
                    canonicalize=(canon[0].encode(), canon[1].encode()),
                    signature_algorithm=alg.encode(),
                    include_headers=[h.encode() for h in
                                     (headers or BASE_HEADERS)],
                    length=length)
    return sig + msg


def custom_sign(msg, key, selector, domain, alg=None,
                canon=("relaxed", "relaxed"), headers=None, tags=None,
                l_value=None, identity="default", bh_override=None,
                dup_tags=None):
    """Sign with tags dkimpy's sign() does not offer (x=, l=N, an i= outside
    d=, h= without From).  Uses dkimpy's own header hashing (gen_header), so
    the signature is computed by dkimpy exactly as for its normal signing.
    tags: extra (name, value) pairs inserted before h=.
    bh_override: put this bh= instead of dkimpy's body hash (vectors whose
    body hash is given).
    dup_tags: (name, value) pairs added as they are, even when the tag is
    already there (a duplicate tag inside the signed header)."""
    if alg is None:
        alg = "ed25519-sha256" if key.kind == "ed25519" else "rsa-sha256"
    balg = alg.encode()
    d = dkim.DKIM(msg, signature_algorithm=balg)
    policy = CanonicalizationPolicy.from_c_value(
        ("%s/%s" % canon).encode())
    body = policy.canonicalize_body(d.body)
    if l_value is not None:
        body = body[:l_value]
    d.hasher = dkim.crypto.HASH_ALGORITHMS[balg]
    bh = base64.b64encode(d.hasher(body).digest())
    if bh_override is not None:
        bh = bh_override.encode() if isinstance(bh_override, str) \
            else bh_override
    include = tuple(h.lower().encode() for h in (headers or BASE_HEADERS))
    if identity == "default":
        identity = "@" + domain
    fields = [(b"v", b"1"), (b"a", balg),
              (b"c", ("%s/%s" % canon).encode()),
              (b"d", domain.encode())]
    if identity is not None:
        fields.append((b"i", identity.encode()))
    if l_value is not None:
        fields.append((b"l", str(l_value).encode()))
    fields += [(b"q", b"dns/txt"), (b"s", selector.encode()),
               (b"t", str(int(time.time())).encode())]
    for k, v in (tags or []):
        fields = [f for f in fields if f[0] != k.encode()]
        fields.append((k.encode(), str(v).encode()))
    for k, v in (dup_tags or []):
        fields.append((k.encode(), str(v).encode()))
    fields += [(b"h", b" : ".join(include)), (b"bh", bh), (b"b", b"0" * 60)]
    if key.kind == "ed25519":
        pk = nacl.signing.SigningKey(key.private,
                                     encoder=nacl.encoding.Base64Encoder)
    else:
        pk = dkim.crypto.parse_pem_private_key(key.private)
    value = d.gen_header(fields, include, policy, b"DKIM-Signature", pk)
    return b"DKIM-Signature: " + value + msg


# --------------------------------------------------------------------------
# the cases

class Sig(object):
    """What a case expects of one signature (in header order)."""

    def __init__(self, dkimpy, expect, override=None, why="",
                 well_formed=True, reported=True):
        self.dkimpy = dkimpy          # True/False: dkimpy's verdict
        self.reported = reported      # False: beyond dkim.max_signatures
        self.expect = expect          # list of acceptable authmilter results
        self.override = override
        self.why = why
        self.well_formed = well_formed


NONPASS = ["fail", "policy", "neutral", "temperror", "permerror"]
P = lambda why="": Sig(True, ["pass"], why=why)                  # noqa: E731
F = lambda why="": Sig(False, ["fail"], why=why)                 # noqa: E731


class Case(object):
    def __init__(self, cid, description, msg, dns, sigs, domain):
        self.id = cid
        self.description = description
        self.msg = msg
        self.dns = dns      # list of dicts
        self.sigs = sigs    # list of Sig, header order
        self.domain = domain


class Builder(object):
    def __init__(self):
        self.ring = KeyRing()
        self.cases = []
        self.privates = {}   # "sel.domain" -> Key

    # DNS helpers
    def pub(self, key, selector, domain, record=None, server_only=False):
        name = "%s._domainkey.%s." % (selector, domain)
        value = record if record is not None else key.record()
        self.privates["%s.%s" % (selector, domain)] = key
        r = {"name": name, "type": "TXT", "value": value,
             "strings": txt_strings(value)}
        if server_only:
            # a name a zone-file line cannot carry: always served by the
            # test DNS server, never put into dns.local_data
            r["server_only"] = True
        return r

    @staticmethod
    def special(selector, domain, kind):
        return {"name": "%s._domainkey.%s." % (selector, domain),
                "type": kind}

    def add(self, cid, description, msg, dns, sigs, domain="example.com"):
        self.cases.append(Case(cid, description, msg, dns, sigs, domain))

    # ------------------------------------------------------------------
    def build(self):
        self.algorithms_and_canon()
        self.length_tag()
        self.multiple()
        self.headers()
        self.body_and_keys()
        self.time_tags()
        self.dns_failures()
        self.weak()
        self.whitespace()
        self.malformed()
        self.key_records()
        self.decoys()
        return self.cases

    def algorithms_and_canon(self):
        for kname in ("rsa1024", "rsa2048", "rsa4096", "ed25519"):
            key = self.ring.get(kname)
            for hc in ("simple", "relaxed"):
                for bc in ("simple", "relaxed"):
                    cid = "%s-%s-%s" % (kname, hc, bc)
                    sel = cid
                    m = make_message(cid)
                    m = dkimpy_sign(m, key, sel, "example.com",
                                    canon=(hc, bc))
                    self.add(cid, "%s signature, c=%s/%s, unchanged"
                             % (kname, hc, bc), m,
                             [self.pub(key, sel, "example.com")], [P()])

    def length_tag(self):
        key = self.ring.get("rsa2048")
        for canon in (("relaxed", "relaxed"), ("simple", "simple")):
            tag = canon[1]
            cid = "len-unchanged-%s" % tag
            m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                            canon=canon, length=True)
            self.add(cid, "l= covering the whole body, nothing appended",
                     m, [self.pub(key, cid, "example.com")],
                     [P("l= equals the body length: no unsigned content")])
            cid = "len-appended-%s" % tag
            m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                            canon=canon, length=True)
            m += (b"\r\n-- \r\nThis footer was appended by a mailing list "
                  b"after signing.\r\n")
            self.add(cid, "l= signed, then text appended after the signed "
                     "part", m, [self.pub(key, cid, "example.com")],
                     [Sig(True, ["policy"], "policy",
                          "l= leaves appended content unsigned: valid "
                          "signature, not acceptable (policy)")])
        cid = "len-unchanged-trailing-lines"
        m = make_message(cid, body=b"Body line\r\nlast line\r\n\r\n\r\n\r\n")
        m = dkimpy_sign(m, key, cid, "example.com",
                        canon=("simple", "simple"), length=True)
        self.add(cid, "c=simple/simple, l= = the canonical body length; "
                 "the raw body has three empty lines at the end that simple "
                 "canonicalization drops", m,
                 [self.pub(key, cid, "example.com")],
                 [P("no unsigned content after canonicalization (RFC 6376 "
                    "3.5: l= counts canonicalized octets)")])
        cid = "len-zero-appended"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        l_value=0)
        self.add(cid, "l=0: the whole body is unsigned", m,
                 [self.pub(key, cid, "example.com")],
                 [Sig(True, ["policy"], "policy",
                      "l=0 signs no body at all: policy")])

    def multiple(self):
        k1, k2, k3 = (self.ring.get("rsa2048"), self.ring.get("ed25519"),
                      self.ring.get("rsa1024"))
        cid = "multi2"
        m = make_message(cid)
        m = dkimpy_sign(m, k1, "m2-rsa", "example.com")
        m = dkimpy_sign(m, k2, "m2-ed", "example.net",
                        canon=("relaxed", "simple"))
        self.add(cid, "two signatures: ed25519 @example.net (top), "
                 "rsa-sha256 @example.com", m,
                 [self.pub(k1, "m2-rsa", "example.com"),
                  self.pub(k2, "m2-ed", "example.net")], [P(), P()])
        cid = "multi3"
        m = make_message(cid)
        m = dkimpy_sign(m, k3, "m3-sha1", "example.org", alg="rsa-sha1",
                        canon=("simple", "simple"))
        m = dkimpy_sign(m, k2, "m3-ed", "example.net")
        m = dkimpy_sign(m, k1, "m3-rsa", "example.com",
                        canon=("simple", "relaxed"))
        self.add(cid, "three signatures: rsa-sha256 @example.com, ed25519 "
                 "@example.net, rsa-sha1 @example.org (bottom)", m,
                 [self.pub(k1, "m3-rsa", "example.com"),
                  self.pub(k2, "m3-ed", "example.net"),
                  self.pub(k3, "m3-sha1", "example.org")],
                 [P(), P(), Sig(True, ["policy"], "policy",
                                "rsa-sha1: RFC 8301")])
        cid = "many-signatures"
        m = make_message(cid)
        recs = []
        for n in range(10):
            m = dkimpy_sign(m, k2, "ms-%d" % n, "example.net")
            recs.append(self.pub(k2, "ms-%d" % n, "example.net"))
        self.add(cid, "ten ed25519 signatures; dkim.max_signatures is 8", m,
                 recs, [P() for _ in range(8)] +
                 [Sig(True, ["pass"], why="beyond dkim.max_signatures (8): "
                      "not reported", reported=False) for _ in range(2)])
        cid = "multi3-mixed"
        m = make_message(cid, extra_headers=[b"X-Tracking: 1234"])
        m = dkimpy_sign(m, k2, "m3x-ed", "example.net",
                        headers=BASE_HEADERS + ["x-tracking"])
        m = dkimpy_sign(m, k1, "m3x-nokey", "example.org")
        m = dkimpy_sign(m, k1, "m3x-rsa", "example.com")
        m = replace_once(m, b"X-Tracking: 1234", b"X-Tracking: 9999")
        self.add(cid, "three signatures with three verdicts: pass (top), "
                 "no key, fail (a header only the bottom one signs was "
                 "changed)", m,
                 [self.pub(k1, "m3x-rsa", "example.com"),
                  self.special("m3x-nokey", "example.org", "NXDOMAIN"),
                  self.pub(k2, "m3x-ed", "example.net")],
                 [P(), Sig(False, ["permerror"], why="no key (NXDOMAIN)"),
                  F("X-Tracking signed and changed")])

    def headers(self):
        key = self.ring.get("rsa2048")
        cid = "header-added-unsigned"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        m = add_header_top(m, b"Received: from relay.example.net "
                           b"(relay.example.net [192.0.2.7]) by "
                           b"mx.example.org; Mon, 23 Nov 2025 10:00:05 +0000")
        m = add_header_top(m, b"X-List: added after signing")
        self.add(cid, "Received and X-List added after signing (not in h=)",
                 m, [self.pub(key, cid, "example.com")],
                 [P("unsigned headers may be added")])
        cid = "signed-header-modified"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        m = replace_once(m, b"Subject: DKIM interop", b"Subject: DKIM INTEROP")
        self.add(cid, "Subject (in h=) changed after signing", m,
                 [self.pub(key, cid, "example.com")], [F()])
        cid = "oversigned"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        headers=BASE_HEADERS + ["from", "subject", "cc"])
        self.add(cid, "h= lists From and Subject twice and a Cc that does "
                 "not exist (over-signing)", m,
                 [self.pub(key, cid, "example.com")], [P()])
        cid = "oversigned-from-added"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        headers=BASE_HEADERS + ["from"])
        m = add_header_top(m, b"From: Mallory <mallory@example.net>")
        self.add(cid, "h= lists From twice; a second From added after "
                 "signing", m, [self.pub(key, cid, "example.com")],
                 [F("the over-signed (null) From instance now exists")])
        cid = "oversigned-cc-added"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        headers=BASE_HEADERS + ["cc"])
        m = add_header_top(m, b"Cc: carol@example.net")
        self.add(cid, "h= lists a Cc that did not exist; a Cc added after "
                 "signing", m, [self.pub(key, cid, "example.com")], [F()])
        cid = "from-added-not-oversigned"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        m = add_header_top(m, b"From: Mallory <mallory@example.net>")
        self.add(cid, "h= lists From once; a second From added on top "
                 "after signing", m, [self.pub(key, cid, "example.com")],
                 [Sig(False, ["pass"], override="rfc",
                      why="RFC 6376 section 8.15: an added header field is "
                      "not DKIM's to judge, the signed (bottom) From "
                      "verifies; dkimpy fails it on purpose (Debian bug "
                      "#644046). authmilter reports dkim=pass and lets "
                      "DMARC decide: two From fields are an ambiguous "
                      "author (dmarc.multiple_from, rejected by default)")])
        cid = "identity-subdomain"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        identity="alice@mail.example.com")
        self.add(cid, "i=alice@mail.example.com under d=example.com", m,
                 [self.pub(key, cid, "example.com")], [P()])
        cid = "header-name-case"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        canon=("relaxed", "simple"))
        m = replace_once(m, b"\r\nSubject:", b"\r\nSUBJECT:")
        m = replace_once(m, b"\r\nTo: Bob", b"\r\nto:    Bob")
        self.add(cid, "relaxed header canon: field names re-cased and "
                 "spaces after the colon changed", m,
                 [self.pub(key, cid, "example.com")], [P()])

    def body_and_keys(self):
        key = self.ring.get("rsa2048")
        ed = self.ring.get("ed25519")
        for k, kname in ((key, "rsa"), (ed, "ed25519")):
            cid = "body-changed-%s" % kname
            m = dkimpy_sign(make_message(cid), k, cid, "example.com")
            m = replace_once(m, b"Hello Bob", b"Hello Eve")
            self.add(cid, "body changed after signing (%s)" % kname, m,
                     [self.pub(k, cid, "example.com")], [F()])
        cid = "body-line-appended-nolen"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        m += b"P.S. appended\r\n"
        self.add(cid, "line appended, no l=", m,
                 [self.pub(key, cid, "example.com")], [F()])
        cid = "wrong-key"
        other = self.ring.get("rsa2048-other")
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        self.add(cid, "DNS publishes a different RSA key", m,
                 [self.pub(other, cid, "example.com")],
                 [F("signature does not verify with the published key")])
        cid = "wrong-key-ed25519"
        other = self.ring.get("ed25519-other")
        m = dkimpy_sign(make_message(cid), ed, cid, "example.com")
        self.add(cid, "DNS publishes a different ed25519 key", m,
                 [self.pub(other, cid, "example.com")], [F()])
        for bc in ("simple", "relaxed"):
            cid = "no-trailing-crlf-%s" % bc
            m = make_message(cid, body=b"Line one\r\nlast line without "
                             b"CRLF")
            m = dkimpy_sign(m, key, cid, "example.com",
                            canon=("relaxed", bc))
            self.add(cid, "body ends without CRLF (c=relaxed/%s)" % bc, m,
                     [self.pub(key, cid, "example.com")], [P()])
            cid = "empty-body-%s" % bc
            m = make_message(cid, body=b"")
            m = dkimpy_sign(m, key, cid, "example.com",
                            canon=("relaxed", bc))
            self.add(cid, "empty body (c=relaxed/%s)" % bc, m,
                     [self.pub(key, cid, "example.com")], [P()])
            cid = "trailing-empty-lines-%s" % bc
            m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                            canon=("relaxed", bc))
            m += b"\r\n\r\n\r\n"
            self.add(cid, "empty lines added at the end of the body after "
                     "signing (c=relaxed/%s: ignored)" % bc, m,
                     [self.pub(key, cid, "example.com")], [P()])

    def time_tags(self):
        key = self.ring.get("rsa2048")
        now = int(time.time())
        cid = "expired"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        tags=[("t", now - 3 * 86400),
                              ("x", now - 2 * 86400)])
        self.add(cid, "x= two days in the past", m,
                 [self.pub(key, cid, "example.com")],
                 [Sig(False, ["fail"], why="signature expired (x=)")])
        cid = "expires-later"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        tags=[("x", now + 30 * 86400)])
        self.add(cid, "x= thirty days ahead", m,
                 [self.pub(key, cid, "example.com")], [P()])

    def dns_failures(self):
        key = self.ring.get("rsa2048")
        cid = "revoked"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        self.add(cid, "key record with empty p= (revoked)", m,
                 [self.pub(key, cid, "example.com", key.record(p=""))],
                 [Sig(False, ["fail", "permerror"],
                      why="RFC 6376 6.1.2 step 7: empty p= means revoked, "
                      "'a failed signature check', PERMFAIL (key revoked)")])
        cid = "no-key"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        self.add(cid, "no key record (NXDOMAIN)", m,
                 [self.special(cid, "example.com", "NXDOMAIN")],
                 [Sig(False, ["permerror"],
                      why="RFC 6376 6.1.2 step 3: PERMFAIL (no key)")])
        cid = "dns-timeout"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        self.add(cid, "the key lookup is never answered", m,
                 [self.special(cid, "example.com", "TIMEOUT")],
                 [Sig(False, ["temperror"], why="DNS timeout")])
        cid = "dns-servfail"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com")
        self.add(cid, "the key lookup gets SERVFAIL", m,
                 [self.special(cid, "example.com", "SERVFAIL")],
                 [Sig(False, ["temperror"], why="DNS SERVFAIL")])

    def weak(self):
        key = self.ring.get("rsa2048")
        cid = "rsa-sha1"
        m = dkimpy_sign(make_message(cid), key, cid, "example.com",
                        alg="rsa-sha1")
        self.add(cid, "rsa-sha1 signature, 2048-bit key", m,
                 [self.pub(key, cid, "example.com")],
                 [Sig(True, ["policy"], "policy",
                      "RFC 8301 3.1: verifiers MUST NOT consider rsa-sha1 "
                      "valid; dkimpy still verifies it")])
        for bits in (512, 768):
            k = self.ring.get("rsa%d" % bits)
            cid = "rsa%d-small-key" % bits
            m = dkimpy_sign(make_message(cid), k, cid, "example.com")
            self.add(cid, "rsa-sha256 with a %d-bit key (below "
                     "min_key_bits 1024)" % bits, m,
                     [self.pub(k, cid, "example.com")],
                     [Sig(False, ["policy"],
                          why="RFC 8301 3.2: keys below 1024 bits MUST NOT "
                          "be considered valid; dkimpy (minkey=1024) "
                          "raises, with minkey=1 it verifies")])

    def whitespace(self):
        key = self.ring.get("rsa2048")
        folded = [b"Subject: A folded subject line\r\n\t with a tab fold"
                  b"\r\n  and a space fold   ",
                  b"X-Folded:   value  with   runs\t\tof whitespace  \t"]
        body = (b"Line with trailing spaces   \r\n"
                b"Line  with \t inner   runs\r\n"
                b"\r\n"
                b"Tabs at the end\t\t\r\n"
                b"   leading spaces stay\r\n")
        hdrs = BASE_HEADERS + ["x-folded"]

        def msg(cid):
            m = make_message(cid, body=body)
            # replace the plain Subject by the folded one, add X-Folded
            m = re.sub(rb"Subject: [^\r]*", lambda _: folded[0], m, count=1)
            h, b = split_message(m)
            return h + folded[1] + CRLF + CRLF + b

        def transit(m):
            """What a relay may do that relaxed canon absorbs: refold,
            recompress whitespace, strip trailing whitespace."""
            h, b = split_message(m)
            h = h.replace(b"A folded subject line\r\n\t with a tab fold"
                          b"\r\n  and a space fold   ",
                          b"A folded subject line with a\r\n tab fold "
                          b"and a space fold")
            h = h.replace(b"X-Folded:   value  with   runs\t\tof "
                          b"whitespace  \t",
                          b"X-Folded: value with runs of\r\n\twhitespace")
            b = (b"Line with trailing spaces\r\n"
                 b"Line with inner runs\r\n"
                 b"\r\n"
                 b"Tabs at the end\r\n"
                 b" leading spaces stay\r\n\r\n")
            return h + CRLF + b

        cid = "ws-relaxed-untouched"
        m = dkimpy_sign(msg(cid), key, cid, "example.com", headers=hdrs)
        self.add(cid, "folded headers, whitespace runs and trailing "
                 "whitespace; c=relaxed/relaxed; unchanged", m,
                 [self.pub(key, cid, "example.com")], [P()])
        cid = "ws-simple-untouched"
        m = dkimpy_sign(msg(cid), key, cid, "example.com", headers=hdrs,
                        canon=("simple", "simple"))
        self.add(cid, "the same with c=simple/simple; unchanged", m,
                 [self.pub(key, cid, "example.com")], [P()])
        cid = "ws-relaxed-rewritten"
        m = transit(dkimpy_sign(msg(cid), key, cid, "example.com",
                                headers=hdrs))
        self.add(cid, "c=relaxed/relaxed; refolded, whitespace compressed "
                 "and trailing whitespace stripped in transit", m,
                 [self.pub(key, cid, "example.com")],
                 [P("relaxed canonicalization absorbs the changes")])
        cid = "ws-simple-rewritten"
        m = transit(dkimpy_sign(msg(cid), key, cid, "example.com",
                                headers=hdrs, canon=("simple", "simple")))
        self.add(cid, "c=simple/simple; the same rewriting", m,
                 [self.pub(key, cid, "example.com")],
                 [F("simple canonicalization keeps every octet")])
        cid = "ws-relaxed-header-simple-body"
        m = transit(dkimpy_sign(msg(cid), key, cid, "example.com",
                                headers=hdrs, canon=("relaxed", "simple")))
        self.add(cid, "c=relaxed/simple; the same rewriting: the body "
                 "hash breaks", m, [self.pub(key, cid, "example.com")],
                 [F("simple body canonicalization")])

    def malformed(self):
        key = self.ring.get("rsa2048")
        perm = lambda why: Sig(False, ["permerror"], why=why,  # noqa: E731
                               well_formed=False)

        def edit(cid, fn, why, desc):
            m = dkimpy_sign(make_message(cid), key, cid, "example.com")
            h, rest = m.split(CRLF + b"From: ", 1)
            h2 = fn(h)
            if h2 == h:
                raise GeneratorError("%s: edit changed nothing" % cid)
            self.add(cid, desc, h2 + CRLF + b"From: " + rest,
                     [self.pub(key, cid, "example.com")], [perm(why)])

        edit("malformed-no-bh",
             lambda h: re.sub(rb"bh=[^;]*;\s*", b"", h),
             "required tag bh= missing", "DKIM-Signature without bh=")
        edit("malformed-version",
             lambda h: h.replace(b"v=1;", b"v=2;", 1),
             "v= is not 1", "DKIM-Signature with v=2")
        edit("malformed-unknown-algorithm",
             lambda h: h.replace(b"a=rsa-sha256", b"a=rsa-sha512", 1),
             "unknown a=", "a=rsa-sha512")
        edit("malformed-duplicate-tag",
             lambda h: h.replace(b"q=dns/txt;", b"q=dns/txt; d=example.com;",
                                 1),
             "duplicate tag (RFC 6376 3.2: an error)", "d= given twice")
        edit("malformed-tag-list",
             lambda h: h.replace(b"q=dns/txt;", b"q=dns/txt; garbage;", 1),
             "a tag-spec without '='", "tag list syntax error")
        edit("malformed-no-d",
             lambda h: re.sub(rb"d=example\.com;\s*", b"", h, count=1),
             "required tag d= missing", "DKIM-Signature without d=")
        edit("malformed-bad-canon",
             lambda h: h.replace(b"c=relaxed/relaxed", b"c=relaxed/bogus",
                                 1),
             "unknown canonicalization", "c=relaxed/bogus")
        cid = "malformed-duplicate-tag-signed"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        dup_tags=[("d", "example.net")], identity=None)
        self.add(cid, "d=example.com and d=example.net in one signature, "
                 "the signature computed over both (a key is published for "
                 "each)", m, [self.pub(key, cid, "example.com"),
                              self.pub(key, cid, "example.net")],
                 [perm("RFC 6376 3.2: a duplicate tag makes the whole "
                       "tag-list invalid; which d= would be meant is "
                       "ambiguous")])
        cid = "malformed-d-not-domain"
        odd = "example.com(.attacker.example"
        m = custom_sign(make_message(cid), key, cid, odd)
        self.add(cid, "d=example.com(.attacker.example (not a domain "
                 "name), the key published at that name", m,
                 [self.pub(key, cid, odd, server_only=True)],
                 [perm("RFC 6376 3.5: d= is a domain-name; '(' is not "
                       "allowed (dkimpy: 'd= value is not valid')")])
        cid = "malformed-i-outside-d"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        identity="@example.net")
        self.add(cid, "i=@example.net with d=example.com", m,
                 [self.pub(key, cid, "example.com")],
                 [perm("RFC 6376 6.1.1: i= not d= or a subdomain: PERMFAIL "
                       "(domain mismatch)")])
        cid = "malformed-h-without-from"
        m = custom_sign(make_message(cid), key, cid, "example.com",
                        headers=["to", "subject", "date", "message-id"])
        self.add(cid, "h= does not list From", m,
                 [self.pub(key, cid, "example.com")],
                 [Sig(True, ["permerror", "policy"], "rfc",
                      "RFC 6376 6.1.1: h= without From: ignore the "
                      "signature, PERMFAIL (From field not signed); dkimpy "
                      "does not check this on verify", well_formed=False)])

    def key_records(self):
        key = self.ring.get("rsa2048")
        ed = self.ring.get("ed25519")
        cases = [
            ("key-no-v", "key record without v=", key,
             "k=rsa; p=" + key.public_b64, P()),
            ("key-no-k", "key record without k= (rsa implied)", key,
             "v=DKIM1; p=" + key.public_b64, P()),
            ("key-extra-tags", "key record with n= notes, t=y and an "
             "unknown tag", key,
             "v=DKIM1; k=rsa; t=y; n=some notes; zz=unknown; p=" +
             key.public_b64, P("t=y (testing) must not change the verdict; "
                               "unknown tags are ignored")),
            ("key-p-whitespace", "key record whose p= contains spaces", key,
             "v=DKIM1; k=rsa; p=" + " ".join(
                 key.public_b64[i:i + 64] for i in
                 range(0, len(key.public_b64), 64)),
             P("RFC 6376 3.6.1: p= is a base64string, FWS allowed")),
            ("key-s-email", "key record with s=email", key,
             "v=DKIM1; k=rsa; s=email; p=" + key.public_b64, P()),
            ("key-h-sha256", "key record h=sha256 with an rsa-sha256 "
             "signature", key,
             "v=DKIM1; k=rsa; h=sha256; p=" + key.public_b64, P()),
            ("key-h-sha1-only", "key record h=sha1 with an rsa-sha256 "
             "signature", key,
             "v=DKIM1; k=rsa; h=sha1; p=" + key.public_b64,
             Sig(True, ["permerror", "fail"], "rfc",
                 "RFC 6376 6.1.2 step 6: hash not in the key's h=: PERMFAIL "
                 "(inappropriate hash algorithm); dkimpy ignores h=")),
            ("key-s-tlsrpt", "key record s=tlsrpt (not for email)", key,
             "v=DKIM1; k=rsa; s=tlsrpt; p=" + key.public_b64,
             Sig(False, ["permerror", "fail"],
                 why="RFC 6376 3.6.1 s=, RFC 8460 3: the key is not for "
                 "email")),
            ("key-bad-version", "key record v=DKIM2", key,
             "v=DKIM2; k=rsa; p=" + key.public_b64,
             Sig(False, ["permerror", "fail"],
                 why="RFC 6376 3.6.1: v= must be DKIM1 when present")),
            ("key-k-mismatch", "ed25519 key type published for an "
             "rsa-sha256 signature", key,
             "v=DKIM1; k=ed25519; p=" + ed.public_b64,
             Sig(False, ["permerror", "fail"],
                 why="RFC 6376 6.1.2 step 8: PERMFAIL (inappropriate key "
                 "algorithm)")),
            ("key-unknown-k", "key record k=xxx", key,
             "v=DKIM1; k=xxx; p=" + key.public_b64,
             Sig(False, ["permerror", "fail"], why="unknown k=")),
            ("key-corrupt-p", "key record with a truncated p=", key,
             "v=DKIM1; k=rsa; p=" + key.public_b64[:-40],
             Sig(False, ["permerror", "fail"],
                 why="p= does not parse as a public key")),
            ("key-not-dkim", "the selector name holds an unrelated TXT "
             "record", key, "this is not a DKIM key record",
             Sig(False, ["permerror", "fail"],
                 why="no usable key record")),
        ]
        for cid, desc, k, record, sig in cases:
            m = dkimpy_sign(make_message(cid), k, cid, "example.com")
            self.add(cid, desc, m,
                     [self.pub(k, cid, "example.com", record)], [sig])


    def decoys(self):
        """A genuine signature of the attacker's evil.example under a From
        of bank.example, and a decoy DKIM-Signature claiming
        d=bank.example made from it (b= with a \\v or \\f inside, or the
        same b= relabelled), above or below it.  bank.example publishes a
        key of its own.  The pass belongs to evil.example only."""
        key, other = self.ring.get("rsa2048"), self.ring.get("rsa1024")
        variants = [("vt", b"\x0b"), ("ff", b"\x0c"), ("copy", b"")]
        for name, byte in variants:
            for where in ("above", "below"):
                cid = "decoy-%s-%s" % (name, where)
                m = make_message(cid, domain="bank.example")
                m = dkimpy_sign(m, key, "x", "evil.example")
                sig, rest = m.split(CRLF + b"From: ", 1)
                decoy = sig.replace(b"d=evil.example", b"d=bank.example", 1)
                decoy = decoy.replace(b"i=@evil.example", b"i=@bank.example",
                                      1)
                b = re.search(rb"[ \t;]b=", decoy).end()
                decoy = decoy[:b + 1] + byte + decoy[b + 1:]
                both = [decoy, sig] if where == "above" else [sig, decoy]
                m = CRLF.join(both) + CRLF + b"From: " + rest
                bad = Sig(False, NONPASS, why="a decoy made from the "
                          "genuine signature", well_formed=not byte)
                good = P("the genuine evil.example signature keeps its "
                         "own d=")
                self.add(cid, "decoy d=bank.example (%s) %s the genuine "
                         "d=evil.example signature" % (name, where), m,
                         [self.pub(key, "x", "evil.example"),
                          self.pub(other, "x", "bank.example")],
                         [bad, good] if where == "above" else [good, bad],
                         domain="bank.example")


# --------------------------------------------------------------------------
# dkimpy verification

class ListHandler(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:   # noqa: BLE001 - logging must not fail us
            self.lines.append(str(record.msg))


def make_dnsfunc(records):
    """A dkimpy dnsfunc serving the manifest's DNS entries."""
    table = {}
    for r in records:
        table.setdefault(r["name"].lower().rstrip("."), []).append(r)

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        for r in table.get(name.lower().rstrip("."), []):
            if r["type"] in ("TIMEOUT", "SERVFAIL"):
                raise dkim.DnsTimeoutError("%s for %s" % (r["type"], name))
            if r["type"] == "TXT":
                return "".join(r["strings"]).encode("latin-1")
        return None
    return dnsfunc


def dkimpy_verify(msg, idx, dnsfunc, minkey=1024):
    """dkim.DKIM(msg).verify(idx=...): verdict, exception text, log."""
    logger = logging.getLogger("gen_corpus.dkimpy.%d.%d" % (id(msg), idx))
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    h = ListHandler()
    logger.handlers = [h]
    err = None
    try:
        d = dkim.DKIM(msg, logger=logger, minkey=minkey)
        verdict = bool(d.verify(idx=idx, dnsfunc=dnsfunc))
    except dkim.DKIMException as e:
        verdict, err = False, "%s: %s" % (type(e).__name__, e)
    except Exception as e:   # noqa: BLE001 - a dkimpy crash is a False too
        verdict, err = False, "crash %s: %s" % (type(e).__name__, e)
    logger.handlers = []
    log = [l for l in h.lines if not l.startswith(("sig:", "bh:"))]
    return {"verdict": verdict, "error": err, "log": log[-4:]}


# --------------------------------------------------------------------------
# signature header parsing (for the manifest's properties)

def signature_headers(msg):
    """The DKIM-Signature field values in header order (unfolded)."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    fields = re.split(rb"\r\n(?![ \t])", head)
    out = []
    for f in fields:
        m = re.match(rb"(?i)dkim-signature[ \t]*:(.*)\Z", f, re.S)
        if m:
            out.append(re.sub(rb"\r\n", b"", m.group(1)))
    return out


def tag_list(value):
    """Lenient tag=value parse: {tag: value} with FWS removed around."""
    tags = {}
    for spec in value.split(b";"):
        if b"=" not in spec:
            continue
        k, v = spec.split(b"=", 1)
        k = k.strip().decode("latin-1")
        if k not in tags:
            tags[k] = v.strip().decode("latin-1")
    return tags


def properties(sigvalue):
    t = tag_list(sigvalue)
    b = re.sub(r"\s+", "", t.get("b", ""))
    return {"d": t.get("d"), "s": t.get("s"), "a": t.get("a"),
            "i": t.get("i"), "b8": b[:8], "b": b}


# --------------------------------------------------------------------------

def generate(out, only=None, verbose=False):
    """Build the corpus into OUT; return (manifest, problems)."""
    b = Builder()
    cases = b.build()
    if only:
        unknown = set(only) - {c.id for c in cases}
        if unknown:
            raise GeneratorError("--only: unknown case(s) %s"
                                 % ", ".join(sorted(unknown)))
        cases = [c for c in cases if c.id in only]
    os.makedirs(os.path.join(out, "messages"), exist_ok=True)
    os.makedirs(os.path.join(out, "keys"), exist_ok=True)
    for name, key in b.privates.items():
        ext = "key" if key.kind == "ed25519" else "pem"
        with open(os.path.join(out, "keys", "%s.%s" % (name, ext)),
                  "wb") as f:
            f.write(key.private)
    problems = []
    messages = []
    for c in cases:
        rel = "messages/%s.eml" % c.id
        with open(os.path.join(out, rel), "wb") as f:
            f.write(c.msg)
        dnsfunc = make_dnsfunc(c.dns)
        sigvalues = signature_headers(c.msg)
        if len(sigvalues) != len(c.sigs):
            problems.append("%s: %d signatures in the message, %d expected"
                            % (c.id, len(sigvalues), len(c.sigs)))
        sigs = []
        for i, (sv, want) in enumerate(zip(sigvalues, c.sigs)):
            v = dkimpy_verify(c.msg, i, dnsfunc)
            v1 = dkimpy_verify(c.msg, i, dnsfunc, minkey=1)
            if v["verdict"] != want.dkimpy:
                problems.append("%s#%d: dkimpy says %s, the case was built "
                                "for %s (%s)" % (c.id, i, v["verdict"],
                                                 want.dkimpy, v["error"] or
                                                 "; ".join(v["log"])))
            expect = list(want.expect)
            if v["verdict"] and not want.override and expect != ["pass"]:
                problems.append("%s#%d: dkimpy True but expect %s without "
                                "an override" % (c.id, i, expect))
            props = properties(sv)
            sigs.append({"index": i, "d": props["d"], "s": props["s"],
                         "a": props["a"], "i": props["i"],
                         "b8": props["b8"], "b": props["b"],
                         "well_formed": want.well_formed,
                         "dkimpy": v, "dkimpy_minkey1": v1,
                         "expect": expect, "override": want.override,
                         "reported": want.reported,
                         "why": want.why})
            if verbose:
                print("  %s#%d dkimpy=%s%s expect=%s" % (
                    c.id, i, v["verdict"],
                    " (%s)" % v["error"] if v["error"] else "",
                    "|".join(expect)))
        messages.append({
            "id": c.id, "file": rel, "description": c.description,
            "envelope": {"client_ip": CLIENT_IP,
                         "helo": "mail.%s" % c.domain,
                         "mail_from": "alice@%s" % c.domain},
            "dns": c.dns, "signatures": sigs})
    manifest = {"generated_at": int(time.time()),
                "dkimpy_version": dkimpy_version(),
                "dns_timeout_hint": 2,
                "messages": messages}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    return manifest, problems


def dkimpy_version():
    try:
        import importlib.metadata as md
        return md.version("dkimpy")
    except Exception:   # noqa: BLE001
        return "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate the DKIM corpus")
    ap.add_argument("--out", help="output directory (default: a new "
                    "temporary directory)")
    ap.add_argument("--only", action="append", default=[],
                    help="build only this case id (repeatable)")
    ap.add_argument("--list", action="store_true",
                    help="list the case ids and descriptions")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    out = args.out or tempfile.mkdtemp(prefix="authmilter-dkim-corpus.")
    try:
        manifest, problems = generate(out, args.only, args.verbose)
    except GeneratorError as e:
        print("gen-corpus: error: %s" % e)
        return 2
    if args.list:
        for m in manifest["messages"]:
            print("%-32s %s" % (m["id"], m["description"]))
    nsig = sum(len(m["signatures"]) for m in manifest["messages"])
    for p in problems:
        print("SELF-CHECK FAILED %s" % p)
    print("corpus: %s" % out)
    print("gen-corpus: %d messages, %d signatures, self-check %d/%d"
          % (len(manifest["messages"]), nsig, nsig - len(problems), nsig))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
