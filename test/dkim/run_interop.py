#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DKIM agreement runner: authmilter-check against dkimpy, per signature.

It generates the corpus (test/dkim/gen_corpus.py: fresh keys, messages
signed by dkimpy, dkimpy's own verdict per signature), writes an authmilter
configuration that publishes the keys, runs

    authmilter-check -c CONF --client-ip IP --helo NAME --mail-from ADDR \
        --json MESSAGE

per message and compares, for every DKIM-Signature (header order), the
`dkim[i].result` of the JSON with dkimpy's verdict:

  * dkimpy True  <=> authmilter "pass";
  * dkimpy False <=> authmilter not "pass";
  * and authmilter's result must be one of the manifest's "expect" classes
    (rsa-sha1 "policy", a DNS timeout "temperror", no key "permerror", ...).
  * "override" cases (dkimpy True, authmilter must not pass: rsa-sha1, l=
    with appended content, RFC 6376 requirements dkimpy lacks) are printed
    as "AGREE ... (policy override: ...)" / "(rfc override: ...)".

It also checks the properties of each entry against the signature
(header.d, header.s, header.a, header.b = first 8 characters of b=,
header.i exactly when i= is present) and that the A-R text carries one
dkim= clause per signature, in order, with the same result.

DNS (--dns):
  local   (default) the keys go into dns.local_data (libunbound local data,
          TXT split into 255-octet strings); dns.nameservers is an
          in-process test/tools/testdns.py server on 127.0.0.1 that answers
          NXDOMAIN for every other name, SERVFAIL for the SERVFAIL case and
          never answers the TIMEOUT case;
  server  every record is served by the testdns server over the wire
          (4096-bit keys give answers over 512 octets; libunbound offers
          EDNS0, so they still come over UDP, in one datagram).
  both    run the whole corpus twice.
dns.timeout is 2 seconds.

Usage:
    test/dkim/run_interop.py [--check PATH] [--dns local|server|both]
        [--corpus DIR | --keep DIR] [--only ID]... [-j N] [-v]

Output: one line per signature
    AGREE    ID#IDX dkimpy=True authmilter=pass
    DISAGREE ID#IDX dkimpy=False authmilter=pass (expected fail; ...)
then "dkim agreement: N/M", "dkim properties: N/M" and the plain last line
"dkim-interop: N passed, N failed" (a signature passes when its result
agrees and its properties are right).  Exit 0 only with no failure; 2 on
setup errors.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
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
    import gen_corpus
    import testdns
except ImportError as e:
    testlib.use_system_python(__file__, e.name,
                              "python3-dkim python3-nacl python3-cryptography "
                              "python3-dnslib python3-yaml")

DEFAULT_CHECK = testlib.program("authmilter-check")
DNS_TIMEOUT = 2


class SetupError(Exception):
    pass


def zone_line(rec):
    """A TXT record as a zone-file line for dns.local_data."""
    quoted = " ".join(testlib.quote(s) for s in rec["strings"])
    return "%s 300 IN TXT %s" % (rec["name"], quoted)


def build_dns(manifest, mode):
    """(testdns zone dict, local_data lines) for MODE local or server."""
    names, servfail, local = {}, [], []
    for m in manifest["messages"]:
        for r in m["dns"]:
            name = r["name"].rstrip(".")
            if r["type"] == "TXT":
                if mode == "server" or r.get("server_only"):
                    names.setdefault(name, []).append(
                        {"type": "TXT", "data": list(r["strings"])})
                else:
                    local.append(zone_line(r))
            elif r["type"] == "TIMEOUT":
                names.setdefault(name, []).append({"type": "TIMEOUT"})
            elif r["type"] == "SERVFAIL":
                servfail.append(name)
    return {"names": names, "servfail": servfail}, local


def write_config(path, port, local):
    """DKIM alone: the keys in LOCAL (local_data lines) or at the testdns
    server on PORT."""
    testlib.write_config(path, {
        "authserv_id": "dkim-interop.test",
        "dns": {"nameservers": ["127.0.0.1@%d" % port],
                "timeout": DNS_TIMEOUT, "local_data": local},
        "spf": {"enabled": False},
        "dkim": {"enabled": True, "min_key_bits": 1024,
                 "max_signatures": 8},
        "dmarc": {"enabled": False},
        "arc": {"verify": False},
        "policy": {"trusted_networks": []},
    })


# --------------------------------------------------------------------------

class Run(object):
    def __init__(self, msg):
        self.msg = msg
        self.rc = None
        self.data = None
        self.stdout = b""
        self.stderr = b""
        self.problem = None
        self.seconds = 0.0


def run_check(check, conf, corpus, msg, timeout):
    r = Run(msg)
    env = msg["envelope"]
    cmd = [check, "-c", conf, "--client-ip", env["client_ip"],
           "--helo", env["helo"], "--mail-from", env["mail_from"], "--json",
           os.path.join(corpus, msg["file"])]
    r.rc, r.stdout, r.stderr, r.problem, r.seconds = \
        testlib.run_timed(cmd, timeout)
    if r.problem:
        return r
    r.data = testlib.json_object(r.stdout)
    if not isinstance(r.data, dict):
        r.problem = ("no-json(rc=%d)" % r.rc) if r.rc >= 0 else \
            ("killed(signal %d)" % -r.rc)
    elif not isinstance(r.data.get("dkim"), list):
        r.problem = "no dkim array in the JSON"
    return r


AR_DKIM = re.compile(r"(?:^|;)\s*dkim\s*=\s*([A-Za-z]+)([^;]*)")


def ar_dkim_clauses(ar):
    """[(result, rest-of-clause)] for every dkim= clause of the A-R text."""
    if not isinstance(ar, str):
        return []
    flat = re.sub(r"\r?\n[ \t]+", " ", ar)
    # drop comments (simple, non-nested) so "(...;...)" cannot split
    flat = re.sub(r"\([^()]*\)", "", flat)
    return [(m.group(1).lower(), m.group(2))
            for m in AR_DKIM.finditer(flat)]


def check_props(sig, entry, ar_clause):
    """List of property problems for one well-formed signature."""
    probs = []
    props = entry.get("properties") if isinstance(entry, dict) else None
    if not isinstance(props, dict):
        return ["no properties object"]
    want = {"header.d": sig["d"], "header.s": sig["s"],
            "header.a": sig["a"]}
    # header.b: 8 characters of b=, more when another b= shares them
    got_b = props.get("header.b")
    full_b = sig.get("b") or sig["b8"]
    if not (isinstance(got_b, str) and len(got_b) >= len(sig["b8"]) and
            full_b.startswith(got_b)):
        probs.append("header.b=%r, want a prefix of b= of at least %r"
                     % (got_b, sig["b8"]))
    if sig["i"] is not None:
        want["header.i"] = sig["i"]
    for k, v in want.items():
        got = props.get(k)
        if k == "header.d" and isinstance(got, str) and v:
            ok = got.lower() == v.lower()
        else:
            ok = got == v
        if not ok:
            probs.append("%s=%r, want %r" % (k, got, v))
    if sig["i"] is None and "header.i" in props:
        probs.append("header.i=%r present, but the signature has no i="
                     % props["header.i"])
    if ar_clause is None:
        probs.append("no matching dkim= clause in the A-R text")
    else:
        res, rest = ar_clause
        if res != entry.get("result"):
            probs.append("A-R says dkim=%s, JSON says %s"
                         % (res, entry.get("result")))
        if got_b and ("header.b=%s" % got_b) not in rest \
                and ('header.b="%s"' % got_b) not in rest:
            probs.append("A-R clause lacks header.b=%s" % got_b)
    return probs


def judge(sig, got):
    """(agree, note) for one signature."""
    dk = sig["dkimpy"]["verdict"]
    expect = sig["expect"]
    if not sig.get("reported", True):
        if got is None:
            return True, "beyond dkim.max_signatures: not reported"
        return False, "beyond dkim.max_signatures, but reported"
    if got is None:
        return False, "no result"
    if sig["override"]:
        ok = got in expect
        return ok, "%s override: dkimpy=%s, expected %s" % (
            sig["override"], dk, "|".join(expect))
    if dk != (got == "pass"):
        return False, "dkimpy %s, authmilter %s" % (
            "passes" if dk else "fails", got)
    if got not in expect:
        return False, "non-pass agrees, but expected %s" % "|".join(expect)
    return True, ""


def one_mode(args, check, manifest, corpus, mode, tmp):
    zone, local = build_dns(manifest, mode)
    counts = {"sigs": 0, "agree": 0, "props_ok": 0, "props_total": 0,
              "passed": 0, "failed": 0, "overrides": 0}
    srv = testdns.TestDNSServer(zone).start()
    try:
        conf = os.path.join(tmp, "authmilter-%s.conf" % mode)
        write_config(conf, srv.port, local)
        print("dkim-interop: mode %s, check %s, dns 127.0.0.1@%d, corpus %s"
              % (mode, check, srv.port, corpus))
        sys.stdout.flush()
        msgs = manifest["messages"]
        if args.only:
            msgs = [m for m in msgs if m["id"] in args.only]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(run_check, check, conf, corpus, m,
                              args.timeout) for m in msgs]
            runs = [f.result() for f in futs]
    finally:
        srv.stop()

    all_empty = all(r.data is not None and r.data.get("dkim") == []
                    for r in runs)
    tag = "" if args.dns != "both" else "[%s] " % mode
    for r in runs:
        m = r.msg
        entries = r.data.get("dkim") if r.data else None
        clauses = ar_dkim_clauses(r.data.get("authentication_results")) \
            if r.data else []
        # message level: one JSON entry and one A-R clause per reported
        # signature; a mismatch is charged to the first signature
        msg_probs = []
        if isinstance(entries, list):
            want_n = sum(1 for s in m["signatures"]
                         if s.get("reported", True))
            if len(entries) != want_n:
                msg_probs.append("%d dkim entries for %d signatures"
                                 % (len(entries), want_n))
            if len(clauses) != len(entries):
                msg_probs.append("%d dkim= clauses in the A-R for %d "
                                 "entries" % (len(clauses), len(entries)))
        for sig in m["signatures"]:
            i = sig["index"]
            counts["sigs"] += 1
            name = "%s#%d" % (m["id"], i)
            entry = None
            if isinstance(entries, list) and i < len(entries):
                entry = entries[i]
            got = entry.get("result") if isinstance(entry, dict) else None
            agree, note = judge(sig, got)
            if r.problem:
                note = r.problem + ("; " + note if note else "")
            dk = sig["dkimpy"]["verdict"]
            gots = got if got is not None else (
                "missing" if not r.problem else "error")
            if got is None and not sig.get("reported", True) and \
                    not r.problem:
                gots = "not-reported"
            props = []
            if not sig["well_formed"] and isinstance(entry, dict) and \
                    isinstance(entry.get("properties"), dict):
                # a malformed signature: properties may be missing, but
                # header.a / header.s, when given, must be the tag's value
                counts["props_total"] += 1
                p = entry["properties"]
                for k, tv in (("header.a", sig["a"]), ("header.s", sig["s"])):
                    if tv is not None and k in p and p[k] != tv:
                        props.append("%s=%r, but the signature has %r"
                                     % (k, p[k], tv))
                if not props:
                    counts["props_ok"] += 1
            if sig["well_formed"] and entry is not None and \
                    sig.get("reported", True):
                counts["props_total"] += 1
                props = check_props(sig, entry,
                                    clauses[i] if i < len(clauses) else None)
                if i == 0:
                    props = msg_probs + props
                if not props:
                    counts["props_ok"] += 1
            if agree:
                counts["agree"] += 1
                if sig["override"]:
                    counts["overrides"] += 1
            ok = agree and not props
            counts["passed" if ok else "failed"] += 1
            line = "%s%s %s dkimpy=%s authmilter=%s" % (
                tag, "AGREE" if agree else "DISAGREE", name, dk, gots)
            extra = []
            if note:
                extra.append(note)
            lenient = sig.get("dkimpy_minkey1", {}).get("verdict")
            if agree and lenient is not None and lenient != dk:
                extra.append("dkimpy with minkey=1: %s, the signature "
                             "itself is valid; policy by key size" % lenient)
            if not agree:
                reason = entry.get("reason") if isinstance(entry, dict) \
                    else None
                if reason:
                    extra.append("authmilter reason: %s" % reason)
                dke = sig["dkimpy"]["error"] or "; ".join(
                    sig["dkimpy"]["log"][-2:])
                if dke:
                    extra.append("dkimpy: %s" % dke)
                if sig["why"]:
                    extra.append("case: %s" % sig["why"])
            if props:
                extra.append("PROPERTIES: %s" % "; ".join(props))
            if extra:
                line += " (%s)" % "; ".join(extra)
            print(line)
            if args.verbose or (not ok and args.explain):
                reason = entry.get("reason") if isinstance(entry, dict) \
                    else None
                print("    message: %s -- %s" % (m["file"],
                                                 m["description"]))
                print("    authmilter: %s" % json.dumps(entry))
                print("    dkimpy: %s" % json.dumps(sig["dkimpy"]))
        if args.verbose and r.data is not None:
            print("    A-R: %s" % json.dumps(
                r.data.get("authentication_results")))
        if r.problem and r.stderr:
            err = [l for l in r.stderr.decode("utf-8", "replace")
                   .splitlines() if l.strip()]
            if err:
                print("    stderr: %s" % err[-1][:300])
        sys.stdout.flush()
    if all_empty and runs:
        print("%snote: authmilter-check printed \"dkim\": [] for every "
              "message: DKIM verification is not in this build" % tag)
    return counts


def main(argv=None):
    ap = argparse.ArgumentParser(description="DKIM agreement runner "
                                 "(authmilter-check vs dkimpy)")
    ap.add_argument("--check", help="authmilter-check binary (default: env "
                    "AUTHMILTER_CHECK or <repo>/check/authmilter-check)")
    ap.add_argument("--dns", choices=("local", "server", "both"),
                    default="local")
    ap.add_argument("--corpus", help="use this corpus directory (made by "
                    "gen_corpus.py --out) instead of generating one")
    ap.add_argument("--keep", metavar="DIR", help="generate the corpus "
                    "into DIR and keep it")
    ap.add_argument("--only", action="append", default=[],
                    help="only this message id (repeatable, "
                    "comma-separated)")
    ap.add_argument("-j", "--jobs", type=int, default=6)
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds before one CLI run is killed (60)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print authmilter's entry and dkimpy's verdict "
                    "for every signature")
    ap.add_argument("--explain", action="store_true",
                    help="print both sides for every failure")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args.only = [x.strip() for o in args.only for x in o.split(",")
                 if x.strip()]
    args.jobs = max(1, args.jobs)
    try:
        return run(args)
    except SetupError as e:
        print("dkim-interop: error: %s" % e)
        print("dkim-interop: 0 passed, 1 failed")
        return 2


def run(args):
    check = args.check or DEFAULT_CHECK
    if not (os.path.isfile(check) and os.access(check, os.X_OK)):
        raise SetupError("authmilter-check not found or not executable: %s"
                         % check)
    tmp = tempfile.mkdtemp(prefix="dkim-interop-")
    t0 = time.monotonic()
    try:
        if args.corpus:
            corpus = args.corpus
            try:
                with open(os.path.join(corpus, "manifest.json")) as f:
                    manifest = json.load(f)
            except (OSError, ValueError) as e:
                raise SetupError("cannot read %s/manifest.json: %s"
                                 % (corpus, e))
        else:
            corpus = args.keep or os.path.join(tmp, "corpus")
            try:
                manifest, problems = gen_corpus.generate(corpus)
            except gen_corpus.GeneratorError as e:
                raise SetupError("corpus generation: %s" % e)
            if problems:
                for p in problems:
                    print("SELF-CHECK FAILED %s" % p)
                raise SetupError("the generator's self-check failed (%d)"
                                 % len(problems))
        ids = {m["id"] for m in manifest["messages"]}
        unknown = set(args.only) - ids
        if unknown:
            raise SetupError("--only: unknown message id(s): %s"
                             % ", ".join(sorted(unknown)))
        nsig = sum(len(m["signatures"]) for m in manifest["messages"])
        print("dkim-interop: %d messages, %d signatures, dkimpy %s"
              % (len(manifest["messages"]), nsig,
                 manifest.get("dkimpy_version")))
        modes = ["local", "server"] if args.dns == "both" else [args.dns]
        total = {}
        for mode in modes:
            c = one_mode(args, check, manifest, corpus, mode, tmp)
            for k, v in c.items():
                total[k] = total.get(k, 0) + v
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("dkim agreement: %d/%d (%d of them policy/rfc overrides)"
          % (total["agree"], total["sigs"], total["overrides"]))
    print("dkim properties: %d/%d" % (total["props_ok"],
                                      total["props_total"]))
    print("time %.1fs" % (time.monotonic() - t0))
    print("dkim-interop: %d passed, %d failed" % (total["passed"],
                                                  total["failed"]))
    return 0 if total["failed"] == 0 and total["sigs"] else 1


if __name__ == "__main__":
    sys.exit(main())
