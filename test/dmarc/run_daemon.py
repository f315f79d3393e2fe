#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""DMARC cases (test/dmarc/cases.py) through the real daemon.

For every configuration group of the corpus this starts
`milter/authmilter -f -c CONF` on a free 127.0.0.1 port (DNS from
dns.local_data under static local zones, or from a loopback testdns server
for the cases that need SERVFAIL or a query log), then for every case:

  * runs one SMTP transaction over the milter protocol
    (test/tools/milterclient.py) and records the action, the reply, the
    SMFIR_QUARANTINE reason and the inserted Authentication-Results;
  * runs `authmilter-check --json` with the same configuration and envelope
    on the same message (the daemon's own pipeline) for the `dmarc` member:
    policy domain, org domain, p/sp/np/t/psd/pct, alignment;
  * reads the daemon's verdict log line for the case's queue id.

and compares all of it with the case's expectation.  DKIM signatures are
made with python3-dkim with a key generated for the run and published in
the DNS data.

  run_daemon.py [-k SUBSTRING]... [-v] [--keep] [--list]

Prints "PASS name" or "FAIL name: why" per case and ends with
"dmarc-daemon: N passed, N failed".  Exit status 1 when anything failed.
Runs as root (the daemon drops to user nobody); use /usr/bin/python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, HERE)

from milterclient import MilterClient, MilterError  # noqa: E402
import cases as corpus  # noqa: E402
from cases import ABSENT, AnyOf  # noqa: E402
import testlib  # noqa: E402

DAEMON = testlib.program("authmilter")
CHECK = testlib.program("authmilter-check")
RCPT = "rcpt@rcpt.example"


def write_config(path, group, port, records, dns_port=None):
    mode, over, backend = corpus.GROUPS[group]
    d = {"reject": True, "quarantine": "quarantine",
         "multiple_from": "reject"}
    d.update({k: v for k, v in over.items() if k != "dns_error_action"})
    if backend == "testdns":
        dns = {"nameservers": ["127.0.0.1@%d" % dns_port], "timeout": 3}
    else:
        dns = {"local_zones": list(corpus.LOCAL_ZONES),
               "local_data": corpus.local_data_lines(records)}
    testlib.write_config(path, {
        "authserv_id": corpus.AUTHSERV_ID,
        "milter": {"socket": "inet:%d@127.0.0.1" % port, "user": "nobody"},
        "dns": dns,
        "dmarc": {"enabled": True, "mode": mode, "reject": d["reject"],
                  "quarantine": d["quarantine"],
                  "multiple_from": d["multiple_from"]},
        "policy": {"trusted_networks": [],
                   "dns_error_action": over.get("dns_error_action",
                                                "accept")},
    }, comment="written by test/dmarc/run_daemon.py, group %s" % group)


# ---------------------------------------------------------------------------
# what the daemon did

def parse_ar(value):
    """The dmarc clause of an A-R value: {result, comment{}, props{}, raw}."""
    if value is None:
        return None
    v = re.sub(r"\r?\n[ \t]+", " ", value)
    for clause in v.split(";")[1:]:
        clause = clause.strip()
        m = re.match(r"dmarc\s*=\s*([A-Za-z]+)\s*(.*)$", clause, re.S)
        if not m:
            continue
        rest = m.group(2)
        comment = {}
        cm = re.match(r"\(([^)]*)\)\s*(.*)$", rest, re.S)
        if cm:
            for tok in cm.group(1).split():
                k, _, val = tok.partition("=")
                comment[k.lower()] = val
            rest = cm.group(2)
        props = {}
        for tok in re.findall(r"([\w.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", rest):
            props[tok[0].lower()] = tok[1].strip('"')
        return {"result": m.group(1).lower(), "comment": comment,
                "props": props, "raw": clause}
    return {"result": None, "comment": {}, "props": {}, "raw": None}


def run_check(conf, case, msgfile):
    cmd = [CHECK, "-c", conf, "--json", "--client-ip", case.ip,
           "--helo", case.helo, "--mail-from", case.mailfrom or "",
           "--rcpt", RCPT, msgfile]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "authmilter-check timed out"
    if p.returncode != 0:
        return None, "authmilter-check exit %d: %s" % (
            p.returncode, p.stderr.decode(errors="replace")[-300:])
    try:
        return json.loads(p.stdout.decode()), None
    except ValueError as e:
        return None, "authmilter-check JSON: %s: %r" % (e, p.stdout[:300])


def milter_run(port, case, raw, qid):
    c = MilterClient(port=port, timeout=30)
    try:
        c.negotiate()
        c.connect("[%s]" % case.ip, case.ip)
        c.helo(case.helo)
        mf = "<%s>" % (case.mailfrom or "")
        r = c.message(mf, ["<%s>" % RCPT], raw, macros={"i": qid})
    finally:
        try:
            c.close()
        except (OSError, MilterError):
            pass
    return r


class Observed(object):
    def __init__(self, r, js, js_err, logline):
        self.r = r
        if r.action in ("reject", "tempfail"):
            self.action = r.action
        elif r.action in ("accept", "continue"):
            self.action = "quarantine" if r.quarantine else "accept"
        else:
            self.action = r.action
        self.reply = r.reply
        self.ar_value = r.header("Authentication-Results")
        self.ar = parse_ar(self.ar_value)
        self.js = js
        self.js_err = js_err
        self.dm = (js or {}).get("dmarc") if js else None
        self.logline = logline

    def summary(self):
        out = ["milter: action=%s reply=%r quarantine=%r" % (
            self.action, self.reply, self.r.quarantine)]
        if self.ar and self.ar["raw"]:
            out.append("A-R dmarc: " + self.ar["raw"])
        elif self.ar_value is not None:
            out.append("A-R (no dmarc clause): " +
                       re.sub(r"\s+", " ", self.ar_value)[:300])
        else:
            out.append("no A-R inserted")
        if self.js_err:
            out.append(self.js_err)
        else:
            out.append("json dmarc: " + json.dumps(self.dm, sort_keys=True))
            out.append("json action: %s reply: %s" % (
                self.js.get("action"), json.dumps(self.js.get("reply"))))
        out.append("log: %s" % (self.logline or "(no verdict line)"))
        return out


def ok(want, got):
    if isinstance(want, AnyOf):
        return got in want
    if want is ABSENT:
        return got is None
    return got == want


def show(want):
    if isinstance(want, AnyOf):
        return " or ".join(repr(w) for w in want)
    if want is ABSENT:
        return "absent"
    return repr(want)


def compare(exp, ob):
    """List of mismatches of one expectation alternative."""
    bad = []

    def chk(what, want, got):
        if not ok(want, got):
            bad.append("%s: want %s, got %r" % (what, show(want), got))

    dm = ob.dm if isinstance(ob.dm, dict) else None
    props = (dm or {}).get("properties") or {}
    pol = (dm or {}).get("policy") or {}
    al = (dm or {}).get("alignment") or {}
    ar = ob.ar
    has_ar = ob.action in ("accept", "quarantine")
    if ob.js_err:
        bad.append(ob.js_err)
    if any(k in exp for k in ("result", "from", "policy")) and dm is None \
            and not ob.js_err:
        bad.append("json dmarc member is null")

    if "result" in exp:
        if has_ar:
            if ar is None:
                bad.append("no Authentication-Results inserted")
            else:
                chk("A-R dmarc result", exp["result"], ar["result"])
        if dm is not None:
            chk("json dmarc.result", exp["result"], dm.get("result"))
        if ob.logline is not None:
            m = re.search(r"\bdmarc=(\w+)", ob.logline)
            chk("log dmarc=", exp["result"], m.group(1) if m else None)
        else:
            bad.append("no verdict log line")
    if "from" in exp:
        if has_ar and ar is not None:
            chk("A-R header.from", exp["from"], ar["props"].get("header.from"))
        if dm is not None:
            chk("json header.from", exp["from"], props.get("header.from"))
    if "policy" in exp:
        if has_ar and ar is not None:
            chk("A-R policy.dmarc", exp["policy"],
                ar["props"].get("policy.dmarc"))
        if dm is not None:
            chk("json policy.dmarc", exp["policy"], props.get("policy.dmarc"))
    for k in ("p", "sp", "dis"):
        if k in exp and has_ar and ar is not None:
            chk("A-R comment %s=" % k, exp[k], ar["comment"].get(k))
    if "action" in exp:
        chk("milter action", exp["action"], ob.action)
        if ob.js is not None:
            chk("json action", exp["action"], ob.js.get("action"))
        if ob.logline is not None:
            m = re.search(r"\baction=(\w+)", ob.logline)
            chk("log action=", exp["action"], m.group(1) if m else None)
        if exp["action"] == "quarantine" and not (ob.r.quarantine or ""):
            bad.append("SMFIR_QUARANTINE without a reason")
    if "reply" in exp:
        rp = ob.reply or ""
        if not rp.startswith(exp["reply"] + " "):
            bad.append("milter reply: want %s ..., got %r"
                       % (exp["reply"], rp))
        jr = (ob.js or {}).get("reply") or {}
        got = "%s %s" % (jr.get("code"), jr.get("xcode"))
        if ob.js is not None and got != exp["reply"]:
            bad.append("json reply: want %s, got %s" % (exp["reply"], got))
    if "reply_has" in exp and exp["reply_has"].lower() not in \
            (ob.reply or "").lower():
        bad.append("reply text lacks %s: %r" % (exp["reply_has"], ob.reply))
    if dm is not None:
        for k, jk in (("pdomain", "domain"), ("org", "org_domain"),
                      ("jp", "p"), ("jsp", "sp"), ("jnp", "np"), ("t", "t"),
                      ("psd", "psd"), ("pct", "pct")):
            if k in exp:
                chk("json policy.%s" % jk, exp[k], pol.get(jk))
        for k, jk in (("spf_al", "spf"), ("dkim_al", "dkim")):
            if k in exp:
                chk("json alignment.%s" % jk, exp[k], al.get(jk))
    return bad


def evaluate(case, ob):
    best = None
    for exp in case.expect:
        bad = compare(exp, ob)
        if not bad:
            return []
        if best is None or len(bad) < len(best):
            best = bad
    return best


def log_line(daemon, qid, secs=3.0):
    end = time.time() + secs
    pat = re.compile(r"(^|[^0-9A-Za-z])%s: .*action=" % re.escape(qid))
    while True:
        for line in daemon.text().splitlines():
            if pat.search(line):
                return line.strip()
        if time.time() > end:
            return None
        time.sleep(0.05)


def query_check(case, queries):
    walk, skipped = case.querycheck
    asked = [q[1].rstrip(".").lower() for q in queries
             if q[2] == "TXT" and q[1].lower().startswith("_dmarc.")]
    bad = []
    if walk[0] not in asked:
        bad.append("never asked %s" % walk[0])
    if walk[1] not in asked:
        bad.append("never asked the 7-label name %s" % walk[1])
    for n in skipped:
        if n in asked:
            bad.append("asked %s (the walk must skip to 7 labels)" % n)
    extra = sorted(set(asked) - set(walk))
    if extra:
        bad.append("_dmarc queries outside the walk: %s" % ", ".join(extra))
    if len(set(asked)) > 8:
        bad.append("%d distinct _dmarc names asked (max 8): %s"
                   % (len(set(asked)), sorted(set(asked))))
    return bad, asked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[],
                    help="run only cases whose name contains this")
    ap.add_argument("-v", action="store_true", help="show what was seen "
                    "for every case, not only for failures")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp dir (configs, logs, messages)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()

    allc = corpus.all_cases()
    sel = [c for c in allc if not a.k or any(k in c.name for k in a.k)]
    if a.list:
        for c in sel:
            print("%-42s %-20s %s" % (c.name, c.group, c.doc))
        return 0
    passed = failed = 0

    def verdict(name, bad, extra=()):
        nonlocal passed, failed
        if not bad:
            passed += 1
            print("PASS %s" % name)
            if a.v:
                for x in extra:
                    print("      " + x)
        else:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(bad)))
            for x in extra:
                print("      " + x)
        sys.stdout.flush()

    for prog in (DAEMON, CHECK):
        if not os.access(prog, os.X_OK):
            verdict("setup", ["%s missing (build first)" % prog])
            print("dmarc-daemon: %d passed, %d failed" % (passed, failed))
            return 1
    if os.geteuid() != 0:
        verdict("setup", ["must run as root (the daemon drops to nobody)"])
        print("dmarc-daemon: %d passed, %d failed" % (passed, failed))
        return 1

    tmp = tempfile.mkdtemp(prefix="authmilter-dmarc.")
    os.chmod(tmp, 0o755)
    dnssrv = None
    daemons = []
    try:
        keys = corpus.make_keys(tmp)
        records = corpus.dns_union(allc, keys)
        groups = []
        for c in sel:
            if c.group not in groups:
                groups.append(c.group)
        if any(corpus.GROUPS[g][2] == "testdns" for g in groups):
            import testdns
            dnssrv = testdns.TestDNSServer(
                corpus.testdns_zone(records)).start()
        n = 0
        for g in groups:
            port = testlib.free_port()
            conf = os.path.join(tmp, "%s.conf" % g)
            write_config(conf, g, port, records,
                         dnssrv.port if dnssrv else None)
            d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, "%s.log" % g))
            daemons.append(d)
            gcases = [c for c in sel if c.group == g]
            if not d.wait_up():
                tail = d.text()[-800:]
                for c in gcases:
                    verdict(c.name, ["daemon for group %s did not start: %s"
                                     % (g, tail)])
                continue
            for c in gcases:
                n += 1
                qid = "DM%04d" % n
                raw = c.message(keys)
                mfile = os.path.join(tmp, "%s.eml" % c.name)
                with open(mfile, "wb") as f:
                    f.write(raw)
                if dnssrv:
                    dnssrv.clear_queries()
                try:
                    r = milter_run(port, c, raw, qid)
                except (OSError, MilterError) as e:
                    verdict(c.name, ["milter session failed: %s" % e,
                                     "daemon alive: %s" % d.alive()])
                    continue
                queries = dnssrv.queries() if dnssrv else []
                js, jerr = run_check(conf, c, mfile)
                ob = Observed(r, js, jerr, log_line(d, qid))
                bad = evaluate(c, ob)
                extra = ob.summary()
                if c.querycheck:
                    qbad, asked = query_check(c, queries)
                    bad = (bad or []) + qbad
                    extra.append("_dmarc queries: %s" % ", ".join(asked))
                if bad:
                    extra = ["case: %s [%s; RFC %s]" % (c.doc, g, c.rfc),
                             "envelope: ip=%s helo=%s mail-from=<%s>" % (
                                 c.ip, c.helo, c.mailfrom or "")] + \
                        ["header: " + h.replace("\r\n", "\\r\\n")
                         for h in c.headers] + \
                        ["dkim: " + ", ".join("d=%s%s" % (
                            s.d, " (tampered)" if s.tamper else "")
                            for s in c.sigs)] + extra
                verdict(c.name, bad, extra)
            verdict("group-%s-daemon-alive" % g,
                    [] if d.alive() else
                    ["daemon exited: %s" % d.text()[-500:]])
    finally:
        for d in daemons:
            d.stop()
        if dnssrv:
            dnssrv.stop()
        testlib.remove_tmp(tmp, a.keep)
    print("dmarc-daemon: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
