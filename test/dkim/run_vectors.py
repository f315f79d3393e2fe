#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the shared DKIM test vectors through authmilter-check.

Sources (test/data/dkim, origins and licences in its PROVENANCE; every
LF-only file is converted to CRLF first):

  rfc8463/     the RFC 8463 Appendix A message: ed25519-sha256 and
               rsa-sha256 signatures, both must pass.
  opendkim-libtests/
               83 vectors; the FIRST signature of each message is checked
               against vectors.yml's dns_txt_records (any other name:
               NXDOMAIN).  authmilter uses the real clock, not the vectors'
               fixed one.  Expected results, translated to authmilter's
               contract:
                 OpenDKIM pass, rsa-sha256   -> pass, or policy when l= leaves
                                                unsigned body content;
                 OpenDKIM pass, rsa-sha1     -> policy (RFC 8301);
                 OpenDKIM fail               -> not pass (NOKEY: permerror,
                                                BADSIG with rsa-sha256: fail);
                 t-test50 (x= long past)     -> not pass (expired on the real
                                                clock);
                 t-test79/80 (disputed: "Date   :" header names, rsa-sha1)
                                             -> policy or fail, noted;
                 t-test82 (t=s key, i= in a subdomain) -> not pass.
               Derived "t-testNN+sha256" cases: the rsa-sha1 vectors that
               OpenDKIM and dkimpy both pass are signed again over the very
               same bytes with rsa-sha256 (same selector "test" key, same
               c=/h=/l=/t=/x=, same header formatting; only a=, bh= and b=
               change), so that authmilter's canonicalization of those inputs
               is checked and not hidden behind the rsa-sha1 "policy"
               result.  Expected: dkimpy's verdict on the re-signed message
               (True -> pass, or policy for l= with unsigned content).
  dkimpy/      the fixed vectors (rfc6376.signed*.msg, ed25519test2.msg,
               test2.message, test.message.baddomain, message.mbox) with
               dns-records.yml, and sign-then-verify round trips with the
               folder's keys and key records.
  stalwart/    six real-world messages; every signature is checked.  The
               source expects pass at a fixed 2022 clock; with the real clock
               005.txt's x= has expired (expected fail).
  mailauth/    body-hash vectors: a message is built with the vector's body
               and signed over the headers with the vector's bh= (c=relaxed/
               CANON, l= when given), so authmilter's body hash must equal
               mailauth's.  Expected pass (policy when l= leaves content
               unsigned; rsa-sha1 vectors: policy, which authmilter gives
               only to a signature that verified: a wrong hash is fail).  The test keys are used for round trips.

A public key given as a bare PKCS#1 RSAPublicKey (dkimpy's *.pub.rsa.txt,
stalwart 002) is a dkimpy leniency (test/data/dkim/PROVENANCE): both pass
and non-pass are accepted there, and the line says which one authmilter
chose.

For evidence every checked signature also shows dkimpy's verdict on the
same bytes and DNS (real clock).

Usage:
    test/dkim/run_vectors.py [--data DIR] [--check PATH] [--only ID]...
                             [-j N] [-v] [--list]

Output: PASS/FAIL/SKIP per case (SKIP always with its reason), then
"dkim-vectors: N passed, N failed, N skipped".  Exit 0 when nothing failed,
1 otherwise, 2 on setup errors.
"""

import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.dont_write_bytecode = True

import testlib  # noqa: E402

try:
    import yaml
    import dkim
    import dkim.crypto
    import dkim.util
    from dkim.canonicalization import CanonicalizationPolicy
    from cryptography.hazmat.primitives import serialization
    import gen_corpus
    import run_interop
    import testdns
except ImportError as e:
    testlib.use_system_python(__file__, e.name,
                              "python3-dkim python3-nacl python3-cryptography "
                              "python3-dnslib python3-yaml")

DEFAULT_DATA = os.path.join(REPO, "test", "data", "dkim")
DEFAULT_CHECK = testlib.program("authmilter-check")
NONPASS = {"fail", "policy", "neutral", "temperror", "permerror"}
ANY = NONPASS | {"pass"}


class SetupError(Exception):
    pass


def crlf(b):
    """LF line endings to CRLF (lines already ending in CRLF untouched)."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", b)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def strings(value):
    v = value.encode("latin-1") if isinstance(value, str) else value
    v = v.decode("latin-1")
    return gen_corpus.txt_strings(v) if v else [""]


# --------------------------------------------------------------------------

class Check(object):
    """One signature of a case: index, acceptable results, note."""

    def __init__(self, idx, expect, note="", lenient=False):
        self.idx = idx
        self.expect = set(expect)
        self.note = note
        self.lenient = lenient   # any result accepted, the choice reported


class VCase(object):
    def __init__(self, cid, group, msg=None, records=None, checks=None,
                 skip=None, server_records=None, source=""):
        self.id = cid
        self.group = group
        self.msg = msg
        self.records = records or {}     # name. -> TXT value (str)
        self.server_records = server_records or {}  # names unbound can't
        self.checks = checks or []
        self.skip = skip
        self.source = source
        self.dkimpy = {}                 # idx -> verdict dict


def sig_tags(msg, idx=0):
    vals = gen_corpus.signature_headers(msg)
    if idx >= len(vals):
        return {}
    return gen_corpus.tag_list(vals[idx])


def unsigned_tail(msg, idx=0):
    """True when the signature's l= leaves canonical body content unsigned
    (computed with dkimpy's canonicalization)."""
    t = sig_tags(msg, idx)
    if "l" not in t:
        return False
    try:
        lim = int(t["l"])
        policy = CanonicalizationPolicy.from_c_value(
            re.sub(r"\s+", "", t.get("c", "simple/simple")).encode())
    except Exception:   # noqa: BLE001 - malformed: not our question
        return False
    body = dkim.DKIM(msg).body
    return len(policy.canonicalize_body(body)) > lim


# -- rfc8463 ---------------------------------------------------------------

def rfc8463_cases(data):
    d = os.path.join(data, "rfc8463")
    with open(os.path.join(d, "dns.json")) as f:
        dns = json.load(f)
    recs = {}
    for name, types in dns.items():
        for txt in types.get("TXT", []):
            if "_domainkey" in name:
                recs[name + "."] = "".join(txt)
    msg = crlf(read(os.path.join(d, "signed.eml")))
    return [VCase("rfc8463/signed", "rfc8463", msg, recs,
                  [Check(0, ["pass"], "ed25519-sha256 (brisbane)"),
                   Check(1, ["pass"], "rsa-sha256 (test)")],
                  source="rfc8463/signed.eml")]


# -- opendkim --------------------------------------------------------------

def opendkim_cases(data):
    d = os.path.join(data, "opendkim-libtests")
    with open(os.path.join(d, "vectors.yml")) as f:
        y = yaml.safe_load(f)
    recs = {k: str(v) for k, v in y["dns_txt_records"].items()}
    key = read(os.path.join(d, "signing-key-1024.pem"))
    cases = []
    for c in y["cases"]:
        cid = "opendkim/%s" % c["id"]
        msg = read(os.path.join(d, c["message"]))
        alg = c["algorithm"]
        exp = c["expected"]
        st = c.get("opendkim_eom_status", "")
        tail = unsigned_tail(msg)
        if c["id"] == "t-test50":
            chk = Check(0, NONPASS, "x= long past: expired on the real "
                        "clock (OpenDKIM passed it on its 2007 clock)")
        elif c["id"] in ("t-test79", "t-test80"):
            chk = Check(0, {"policy", "fail"}, "disputed (PROVENANCE): "
                        "'Date   :' header name; OpenDKIM passes, dkimpy "
                        "fails; rsa-sha1 so at best policy")
        elif exp == "pass" and alg == "rsa-sha1":
            chk = Check(0, {"policy"}, "rsa-sha1: RFC 8301")
        elif exp == "pass":
            chk = Check(0, {"policy"} if tail else {"pass"},
                        "l= leaves unsigned content: policy" if tail else "")
        elif st == "DKIM_STAT_NOKEY":
            chk = Check(0, {"permerror"}, "no key")
        elif st == "DKIM_STAT_BADSIG" and alg == "rsa-sha256":
            chk = Check(0, {"fail"}, "bad signature")
        else:
            chk = Check(0, NONPASS, "OpenDKIM %s" % st)
        if c.get("note") and not chk.note.startswith(("disputed", "x=")):
            chk.note += " (%s)" % c["note"][:80]
        cases.append(VCase(cid, "opendkim", msg, recs, [chk],
                           source=c["message"] + ": " + c["title"]))
        if (alg == "rsa-sha1" and exp == "pass" and c.get("agree")
                and c["id"] != "t-test50"):
            cases.append(resigned_case(c, msg, key, recs))
    return cases


def first_sig_field(msg):
    """(start, end) of the first DKIM-Signature field, CRLF excluded."""
    m = re.search(rb"(?im)^dkim-signature[ \t]*:", msg)
    if not m:
        raise SetupError("no DKIM-Signature")
    end = m.start()
    while True:
        nl = msg.index(b"\r\n", end)
        end = nl + 2
        if msg[end:end + 1] not in (b" ", b"\t"):
            return m.start(), nl


def resign_sha256(msg, key_pem):
    """The first signature turned into rsa-sha256 over the same bytes: a=,
    bh= and b= replaced, every other octet of the field kept."""
    s, e = first_sig_field(msg)
    field = msg[s:e]
    field2 = re.sub(rb"(a[ \t]*=[ \t]*)rsa-sha1", rb"\1rsa-sha256", field,
                    count=1)
    if field2 == field:
        raise SetupError("resign: no a=rsa-sha1")
    tags = gen_corpus.tag_list(re.sub(rb"\r\n", b"", field2.split(b":", 1)[1]))
    policy = CanonicalizationPolicy.from_c_value(
        re.sub(r"\s+", "", tags.get("c", "simple/simple")).encode())
    body = policy.canonicalize_body(dkim.DKIM(msg).body)
    if "l" in tags:
        body = body[:int(tags["l"])]
    bh = base64.b64encode(hashlib.sha256(body).digest())
    field2 = re.sub(rb"(bh[ \t]*=)(?:[ \t]*(?:\r\n)?[ \t]*[A-Za-z0-9+/=])*",
                    lambda m: m.group(1) + bh, field2, count=1)
    field2 = re.sub(rb"((?:^|[;\s])b[ \t]*=)(?:[ \t]*(?:\r\n)?[ \t]*"
                    rb"[A-Za-z0-9+/=])*", lambda m: m.group(1), field2,
                    count=1)
    unsigned = msg[:s] + field2 + msg[e:]
    d = dkim.DKIM(unsigned)
    sigs = [(n, v) for n, v in d.headers if n.lower() == b"dkim-signature"]
    sig_header = sigs[0]
    include = [x.lower() for x in re.split(
        rb"\s*:\s*", re.sub(rb"\s+", b"", tags["h"].encode()))]
    h = dkim.HashThrough(hashlib.sha256())
    headers = policy.canonicalize_headers(d.headers)
    dkim.hash_headers(h, policy, headers, include, sig_header,
                      dkim.util.parse_tag_value(re.sub(
                          rb"\r\n", b"", sig_header[1])))
    pk = dkim.crypto.parse_pem_private_key(key_pem)
    b = base64.b64encode(dkim.crypto.RSASSA_PKCS1_v1_5_sign(h, pk))
    field3 = re.sub(rb"((?:^|[;\s])b[ \t]*=)", lambda m: m.group(1) + b,
                    field2, count=1)
    return msg[:s] + field3 + msg[e:]


def resigned_case(c, msg, key, recs):
    cid = "opendkim/%s+sha256" % c["id"]
    try:
        new = resign_sha256(msg, key)
    except (SetupError, ValueError, KeyError) as e:
        return VCase(cid, "opendkim+sha256",
                     skip="cannot re-sign with rsa-sha256: %s" % e)
    v = gen_corpus.dkimpy_verify(new, 0, gen_corpus.make_dnsfunc(
        [{"name": n, "type": "TXT", "strings": strings(t)}
         for n, t in recs.items()]))
    if v["verdict"]:
        tail = unsigned_tail(new)
        chk = Check(0, {"policy"} if tail else {"pass"},
                    "re-signed rsa-sha256, dkimpy passes it" +
                    ("; l= leaves unsigned content: policy" if tail else ""))
    else:
        chk = Check(0, NONPASS, "re-signed rsa-sha256, dkimpy fails it: %s"
                    % (v["error"] or "; ".join(v["log"][-1:])))
    return VCase(cid, "opendkim+sha256", new, recs, [chk],
                 source="%s re-signed rsa-sha256: %s" % (c["message"],
                                                         c["title"]))


# -- dkimpy ----------------------------------------------------------------

def record_file(d, name):
    return read(os.path.join(d, name)).decode("ascii").strip()


def dkimpy_cases(data):
    d = os.path.join(data, "dkimpy")
    with open(os.path.join(d, "dns-records.yml")) as f:
        y = yaml.safe_load(f)
    recs = {}
    for name, spec in y["records"].items():
        recs[name] = (record_file(d, spec["file"]) if "file" in spec
                      else str(spec["value"]))
    plain = {n: v for n, v in recs.items() if "(" not in n}
    odd = {n: v for n, v in recs.items() if "(" in n}
    cases = []

    def fixed(cid, fname, checks, records=None, server=None):
        cases.append(VCase("dkimpy/" + cid, "dkimpy",
                           crlf(read(os.path.join(d, fname))),
                           plain if records is None else records, checks,
                           server_records=server, source="dkimpy/" + fname))

    fixed("rfc6376.signed.msg", "rfc6376.signed.msg",
          [Check(0, ["pass"], "ed25519 brisbane"),
           Check(1, ["pass"], "rsa test")])
    fixed("rfc6376.signed.rsa.msg", "rfc6376.signed.rsa.msg",
          [Check(0, ["pass"])])
    bad = dict(plain)
    bad.update({n: str(v) for n, v in y["corrupt_key_variant"].items()})
    fixed("rfc6376.signed.rsa.msg+corrupt-key", "rfc6376.signed.rsa.msg",
          [Check(0, NONPASS, "corrupted key record (dkimpy "
                 "test_catch_bad_key)")], records=bad)
    fixed("ed25519test2.msg", "ed25519test2.msg",
          [Check(0, ["pass"], "Exim prototype ed25519 signature")])
    fixed("test2.message", "test2.message",
          [Check(0, ["pass"], "degenerate folding of h= (Debian #711751)")])
    fixed("test.message.baddomain", "test.message.baddomain",
          [Check(0, NONPASS, "d= is not a domain (legitimate.com("
                 ".attacker.com); the key is published at that odd name by "
                 "the test DNS server, so a lenient verifier would pass")],
          server=odd)
    fixed("message.mbox", "message.mbox",
          [Check(0, {"permerror"}, "parsing only: the key "
                 "2007-00._domainkey.kitterman.com is not recorded -> no "
                 "key")])

    # sign-then-verify round trips
    test_private = read(os.path.join(d, "test.private"))
    msgs = {n: crlf(read(os.path.join(d, n))) for n in
            ("test.message", "rfc6376.msg", "rfc6376.w1258.msg",
             "test_extra.message", "ed25519test.msg")}

    def rt(cid, msgname, keybytes, sel, dom, record, expect, note,
           alg=b"rsa-sha256", lenient=False):
        try:
            sig = dkim.sign(msgs[msgname], sel.encode(), dom.encode(),
                            keybytes, signature_algorithm=alg)
        except dkim.DKIMException as e:
            cases.append(VCase("dkimpy/" + cid, "dkimpy-roundtrip",
                               skip="dkimpy cannot sign it: %s" % e))
            return
        cases.append(VCase("dkimpy/" + cid, "dkimpy-roundtrip",
                           sig + msgs[msgname],
                           {"%s._domainkey.%s." % (sel, dom): record},
                           [Check(0, expect, note, lenient)],
                           source="dkimpy/%s signed at run time" % msgname))

    rt("roundtrip/test.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "test.txt"), ["pass"], "")
    rt("roundtrip/test2.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "test2.txt"), ["pass"],
       "no k=: rsa implied")
    rt("roundtrip/badversion.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "badversion.txt"), NONPASS,
       "v=DKIM1: (colon): malformed key record")
    rt("roundtrip/badk.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "badk.txt"), NONPASS,
       "k=ed25519-sha256: unknown key type")
    rt("roundtrip/test_bad.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "test_bad.txt"), NONPASS,
       "truncated key")
    rt("roundtrip/test_tlsrpt.txt", "test.message", test_private, "test",
       "example.com", record_file(d, "test_tlsrpt.txt"), NONPASS,
       "s=tlsrpt: not an email key (RFC 8460 3, RFC 6376 3.6.1)")
    for bits in ("1024", "2048"):
        k = read(os.path.join(d, "%s_testkey.key" % bits))
        rt("roundtrip/%s_testkey.spki" % bits, "test.message", k, "test",
           "example.com",
           record_file(d, "%s_testkey_wo_markers.pub.txt" % bits),
           ["pass"], "SubjectPublicKeyInfo p=")
        rt("roundtrip/%s_testkey.pkcs1" % bits, "test.message", k, "test",
           "example.com",
           record_file(d, "%s_testkey_wo_markers.pub.rsa.txt" % bits),
           ANY, "bare PKCS#1 RSAPublicKey p=: a dkimpy leniency "
           "(PROVENANCE: disputed)", lenient=True)
    rt("roundtrip/2048_testkey_PKCS8", "test.message",
       read(os.path.join(d, "2048_testkey_PKCS8.key")), "test",
       "example.com", record_file(d, "2048_testkey_PKCS8.key.pub.txt"),
       ["pass"], "PKCS#8 private key")
    rt("roundtrip/ed25519test", "ed25519test.msg",
       read(os.path.join(d, "ed25519test.key")).strip(), "test",
       "example.net", record_file(d, "ed25519test.dns"), ["pass"],
       "ed25519, record without v=", alg=b"ed25519-sha256")
    rt("roundtrip/rfc8032_7_1", "rfc6376.msg",
       read(os.path.join(d, "rfc8032_7_1.key")).strip(), "brisbane",
       "football.example.com",
       recs["brisbane._domainkey.football.example.com."], ["pass"],
       "RFC 8032 7.1 key = RFC 8463 brisbane", alg=b"ed25519-sha256")
    rt("roundtrip/rfc6376.w1258.msg", "rfc6376.w1258.msg", test_private,
       "test", "example.com", record_file(d, "test.txt"), ["pass"],
       "Windows-1258 (non-UTF-8) bytes")
    rt("roundtrip/test_extra.message", "test_extra.message", test_private,
       "test", "example.com", record_file(d, "test.txt"), ["pass"],
       "extra Received fields")
    cases.append(VCase(
        "dkimpy/test_nofrom.message", "dkimpy-roundtrip",
        skip="a signing-side test (dkimpy must refuse to sign without "
        "From); nothing to verify. The verify side, h= without From, is "
        "run_interop.py's malformed-h-without-from"))
    cases.append(VCase(
        "dkimpy/example._domainkey.canonical.com", "dkimpy",
        skip="a 512-bit key record with no message and no private key in "
        "the folder; small keys are covered by run_interop.py "
        "(rsa512-small-key, rsa768-small-key) and mailauth/keys/small"))
    return cases


# -- stalwart --------------------------------------------------------------

def stalwart_cases(data):
    d = os.path.join(data, "stalwart")
    cases = []
    for fn in sorted(os.listdir(d)):
        if not re.match(r"\d+\.txt$", fn):
            continue
        raw = read(os.path.join(d, fn)).replace(b"\r\n", b"\n")
        head, msg = raw.split(b"\n\n", 1)
        recs = {}
        for line in head.decode("ascii").splitlines():
            name, value = line.split(" ", 1)
            recs[name.rstrip(".") + "."] = value
        msg = crlf(msg)
        n = len(gen_corpus.signature_headers(msg))
        checks = []
        for i in range(n):
            t = sig_tags(msg, i)
            if fn == "005.txt":
                checks.append(Check(i, {"fail"}, "x=%s has expired on the "
                                    "real clock (source: pass at "
                                    "1667843664)" % t.get("x")))
            elif fn == "002.txt":
                checks.append(Check(i, ANY, "p= is a bare PKCS#1 "
                                    "RSAPublicKey; the source expects pass "
                                    "(PROVENANCE: disputed)",
                                    lenient=True))
            else:
                checks.append(Check(i, {"pass"}, "%s s=%s"
                                    % (t.get("a"), t.get("s"))))
        cases.append(VCase("stalwart/%s" % fn, "stalwart", msg, recs, checks,
                           source="stalwart/%s" % fn))
    return cases


# -- mailauth --------------------------------------------------------------

def pem_body(pem):
    return "".join(l for l in pem.decode("ascii").splitlines()
                   if l and not l.startswith("-----"))


def mailauth_cases(data):
    d = os.path.join(data, "mailauth")
    with open(os.path.join(d, "body-hash-vectors.yml")) as f:
        y = yaml.safe_load(f)
    rsa_priv = read(os.path.join(d, "keys", "private-rsa.pem"))
    rsa_pub = pem_body(read(os.path.join(d, "keys", "public-rsa.pem")))
    key = gen_corpus.Key("rsa", 2048, rsa_priv, rsa_pub)
    m1 = crlf(read(os.path.join(d, "message1.eml")))
    m1_body = m1.split(b"\r\n\r\n", 1)[1]
    cases = []
    for n, v in enumerate(y["cases"]):
        cid = "mailauth/body-hash-%02d-%s-%s%s" % (
            n, v["canon"], v["alg"], "-l%d" % v["l"] if "l" in v else "")
        if v.get("bh") is None:
            cases.append(VCase(cid, "mailauth", skip="chunking vector (no "
                               "fixed hash; the same body split into 2 or 3 "
                               "pieces): authmilter-check reads one file and "
                               "cannot choose the milter's body chunks"))
            continue
        body = m1_body if "body_file" in v else crlf(
            v["body"].encode("latin-1"))
        msg = gen_corpus.make_message("mailauth-%02d" % n, body=body)
        alg = "rsa-%s" % v["alg"]
        sel = "bh%02d" % n
        msg = gen_corpus.custom_sign(msg, key, sel, "example.com", alg=alg,
                                     canon=("relaxed", v["canon"]),
                                     l_value=v.get("l"),
                                     bh_override=v["bh"])
        tail = unsigned_tail(msg)
        if v["alg"] == "sha1":
            chk = Check(0, {"policy"}, "rsa-sha1: policy (RFC 8301); "
                        "authmilter reports a wrong body hash as fail, so "
                        "policy also means the hash matched")
        elif tail:
            chk = Check(0, {"policy"}, "l=%d leaves unsigned content: "
                        "policy, and it must not be fail (the vector's bh "
                        "is right)" % v["l"])
        else:
            chk = Check(0, {"pass"}, "bh=%s" % v["bh"])
        cases.append(VCase(cid, "mailauth", msg,
                           {"%s._domainkey.example.com." % sel:
                            key.record()}, [chk],
                           source="mailauth/body-hash-vectors.yml #%d" % n))
    # round trips with the test keys
    ed_pem = read(os.path.join(d, "keys", "private-ed25519.pem"))
    edk = serialization.load_pem_private_key(ed_pem, password=None)
    seed = edk.private_bytes(serialization.Encoding.Raw,
                             serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    pub = edk.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    keys = [
        ("rsa", key, ["pass"], "2048-bit test key"),
        ("small", gen_corpus.Key(
            "rsa", 512, read(os.path.join(d, "keys", "private-small.pem")),
            pem_body(read(os.path.join(d, "keys", "public-small.pem")))),
         ["policy"], "512-bit key below min_key_bits: policy (RFC 8301)"),
        ("ed25519", gen_corpus.Key("ed25519", 256, base64.b64encode(seed),
                                   base64.b64encode(pub).decode()),
         ["pass"], "ed25519 test key"),
    ]
    for kname, k, expect, note in keys:
        msg = gen_corpus.dkimpy_sign(m1, k, "ma-" + kname, "example.com")
        cases.append(VCase("mailauth/keys/%s" % kname, "mailauth", msg,
                           {"ma-%s._domainkey.example.com." % kname:
                            k.record()}, [Check(0, expect, note)],
                           source="mailauth/message1.eml signed with "
                           "keys/private-%s.pem" % kname))
    return cases


# --------------------------------------------------------------------------

def collect(data):
    cases = []
    for fn in (rfc8463_cases, opendkim_cases, dkimpy_cases, stalwart_cases,
               mailauth_cases):
        cases.extend(fn(data))
    return cases


def dkimpy_evidence(case):
    recs = [{"name": n, "type": "TXT", "strings": strings(v)}
            for n, v in list(case.records.items()) +
            list(case.server_records.items())]
    fn = gen_corpus.make_dnsfunc(recs)
    for chk in case.checks:
        case.dkimpy[chk.idx] = gen_corpus.dkimpy_verify(case.msg, chk.idx, fn)


def run_case(case, check, tmp, port, timeout):
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", case.id)
    mpath = os.path.join(tmp, safe + ".eml")
    cpath = os.path.join(tmp, safe + ".conf")
    with open(mpath, "wb") as f:
        f.write(case.msg)
    local = [run_interop.zone_line({"name": n, "strings": strings(v)})
             for n, v in case.records.items()]
    run_interop.write_config(cpath, port, local)
    cmd = [check, "-c", cpath, "--client-ip", "192.0.2.1", "--helo",
           "mail.example.org", "--mail-from", "sender@example.org", "--json",
           mpath]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "runner-timeout(%ds)" % timeout, b""
    data = testlib.json_object(p.stdout)
    if not isinstance(data, dict) or not isinstance(data.get("dkim"), list):
        return None, "no usable JSON (rc=%d)" % p.returncode, p.stderr
    return data, None, p.stderr


def main(argv=None):
    ap = argparse.ArgumentParser(description="shared DKIM vectors through "
                                 "authmilter-check")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--check")
    ap.add_argument("--only", action="append", default=[],
                    help="case id or id prefix (e.g. opendkim/t-test12, "
                    "stalwart/); repeatable")
    ap.add_argument("-j", "--jobs", type=int, default=6)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--write", metavar="DIR", help="also write every "
                    "message and config to DIR")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        return run(args)
    except SetupError as e:
        print("dkim-vectors: error: %s" % e)
        print("dkim-vectors: 0 passed, 1 failed, 0 skipped")
        return 2


def run(args):
    if not os.path.isdir(args.data):
        raise SetupError("no test data at %s" % args.data)
    check = args.check or DEFAULT_CHECK
    if not (os.path.isfile(check) and os.access(check, os.X_OK)):
        raise SetupError("authmilter-check not found or not executable: %s"
                         % check)
    cases = collect(args.data)
    if args.only:
        cases = [c for c in cases
                 if any(c.id == o or c.id.startswith(o) for o in args.only)]
        if not cases:
            raise SetupError("--only matches no case")
    if args.list:
        for c in cases:
            print("%-48s %s" % (c.id, c.skip and "SKIP: " + c.skip or
                                c.source))
        return 0
    for c in cases:
        if not c.skip:
            dkimpy_evidence(c)
    server = {"names": {}, "servfail": []}
    for c in cases:
        for n, v in c.server_records.items():
            server["names"].setdefault(n.rstrip("."), []).append(
                {"type": "TXT", "data": strings(v)})
    tmp = args.write or tempfile.mkdtemp(prefix="dkim-vectors-")
    os.makedirs(tmp, exist_ok=True)
    t0 = time.monotonic()
    passed = failed = skipped = 0
    srv = testdns.TestDNSServer(server).start()
    try:
        torun = [c for c in cases if not c.skip]
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
            futs = {c.id: ex.submit(run_case, c, check, tmp, srv.port,
                                    args.timeout) for c in torun}
            results = {k: f.result() for k, f in futs.items()}
    finally:
        srv.stop()
        if not args.write:
            shutil.rmtree(tmp, ignore_errors=True)
    for c in cases:
        if c.skip:
            skipped += 1
            print("SKIP %s: %s" % (c.id, c.skip))
            continue
        data, problem, stderr = results[c.id]
        ok = True
        parts = []
        for chk in c.checks:
            entry = None
            if data is not None and chk.idx < len(data["dkim"]):
                entry = data["dkim"][chk.idx]
            got = entry.get("result") if isinstance(entry, dict) else None
            good = got is not None and got in chk.expect
            ok = ok and good
            dk = c.dkimpy.get(chk.idx, {})
            s = "#%d got=%s" % (chk.idx, got if got is not None else
                                (problem or "missing"))
            if not good:
                s += " want=%s" % "|".join(sorted(chk.expect))
            elif chk.lenient:
                s += " (either accepted: %s)" % (
                    "accepts" if got == "pass" else "rejects")
            s += " dkimpy=%s" % dk.get("verdict")
            if not good:
                if isinstance(entry, dict) and entry.get("reason"):
                    s += " authmilter-reason=%r" % entry["reason"]
                why = dk.get("error") or "; ".join(dk.get("log", [])[-1:])
                if why and not dk.get("verdict"):
                    s += " dkimpy-says=%r" % why[:160]
            if chk.note and (not good or args.verbose):
                s += " [%s]" % chk.note
            parts.append(s)
        if ok:
            passed += 1
        else:
            failed += 1
        print("%s %s %s" % ("PASS" if ok else "FAIL", c.id, "; ".join(parts)))
        if (not ok or args.verbose) and c.source:
            print("    source: %s" % c.source)
        if problem and stderr:
            err = [l for l in stderr.decode("utf-8", "replace").splitlines()
                   if l.strip()]
            if err:
                print("    stderr: %s" % err[-1][:300])
    if all(r[0] is not None and r[0].get("dkim") == []
           for r in results.values()) and results:
        print("note: authmilter-check printed \"dkim\": [] for every "
              "message: DKIM verification is not in this build")
    print("time %.1fs" % (time.monotonic() - t0))
    print("dkim-vectors: %d passed, %d failed, %d skipped"
          % (passed, failed, skipped))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
