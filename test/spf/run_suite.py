#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""RFC 7208 SPF conformance runner for authmilter.

Runs the openspf/pyspf RFC 7208 test suite (test/data/spf/rfc7208-tests.yml;
origin and licence in test/data/spf/PROVENANCE) against the real
`authmilter-check` CLI.

For every scenario the zone data is converted to a test/tools/testdns.py zone
and loaded into an in-process loopback DNS server (127.0.0.1, random port);
then every test of the scenario runs

    authmilter-check -c <generated.conf> --client-ip HOST --helo HELO \
        --mail-from MAILFROM --json <message>

and `spf.result` of its JSON output is compared with the expected result.
`spf.result` is the MAIL FROM result, or the HELO result when MAIL FROM is
null ("" in the suite, passed as --mail-from "").

Conversion rules (from the README / pyspf's driver):
  * `SPF: x` gives a TXT record x (and a type-99 SPF record), unless the name
    also has a `TXT:` entry; `TXT: NONE` means no TXT record at all.
  * string values are UTF-8 encoded (so YAML "\\xEF" is sent as C3 AF);
    a list value is one record of several character-strings.
  * `TIMEOUT`: queries for types the name has no records of get no reply.
  * names starting with `error.` answer SERVFAIL (pyspf: DNS error).
  * trailing dots on PTR/CNAME/MX targets are ignored.
Expected results `unknown` and `error` are read as permerror and temperror;
a list of results accepts any of them (a non-preferred one is noted).

Deliberately NOT checked:
  * `explanation:` expectations: explanation strings are not part of
    authmilter's output, so only the result is compared;
  * `strict:` (a pyspf-specific knob in `bytes-bug`).

Expected failures are listed in test/spf/known-failures.txt, skipped cases in
test/spf/skip.txt; both have lines "test-id  reason", '#' comments.  A
listed case that fails prints XFAIL with the listed reason; it is counted as
an expected failure, not in "N failed", so it does not fail the run (the
pass rate still counts it as not passed).  A listed case that passes prints
XPASS and counts as passed: remove it from the list.  Skipped cases print
SKIP and are not run.

Usage:
    test/spf/run_suite.py [--suite FILE] [--check PATH] [--only ID]... [-v]
                          [-j N] [--queries] [--list] [--write-zones DIR]

  --check PATH (or env AUTHMILTER_CHECK) overrides <repo>/check/authmilter-check.
  --only takes a test id, "scenario/test-id" or a scenario name (as printed).
  -v prints the CLI's JSON (and stderr) for every case; --queries prints the
  DNS queries each case made (runs cases one at a time).

Exit status: 0 when "N failed" (unexpected failures) is 0, 1 otherwise, 2 on
setup errors.  The last line is "spf-suite: N passed, N failed, N skipped".
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
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.dont_write_bytecode = True  # keep the work tree free of __pycache__

import testlib  # noqa: E402

try:
    import yaml
    import testdns
except ImportError as e:
    testlib.use_system_python(__file__, e.name,
                              "python3-yaml python3-dnslib")

DEFAULT_SUITE = os.path.join(REPO, "test", "data", "spf",
                             "rfc7208-tests.yml")
DEFAULT_CHECK = testlib.program("authmilter-check")
KNOWN_FILE = os.path.join(HERE, "known-failures.txt")
SKIP_FILE = os.path.join(HERE, "skip.txt")

MESSAGE = b"From: a@example.com\r\nSubject: t\r\n\r\nbody\r\n"

CONFIG = """authserv_id = "test.invalid";
dns = { nameservers = [ "127.0.0.1@%(port)d" ]; dnssec = false; timeout = 2; };
spf = { enabled = true; helo = true; };
dkim = { enabled = false; };
dmarc = { enabled = false; };
arc = { verify = false; };
policy = { trusted_networks = [ ]; };
"""

RESULT_ALIASES = {"unknown": "permerror", "error": "temperror"}
RESULTS = {"none", "neutral", "pass", "fail", "softfail", "temperror",
           "permerror"}


class SetupError(Exception):
    pass


# --------------------------------------------------------------------------
# suite and zone data

def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "scenario"


def norm_result(r):
    r = str(r).strip().lower()
    return RESULT_ALIASES.get(r, r)


class Case(object):
    def __init__(self, scenario, tid, spec):
        self.scenario = scenario
        self.tid = tid
        self.spec = spec
        self.full = "%s/%s" % (scenario.slug, tid)
        want = spec.get("result")
        if not isinstance(want, list):
            want = [want]
        self.want = [norm_result(w) for w in want]
        self.host = str(spec.get("host", ""))
        self.helo = str(spec.get("helo", ""))
        mf = spec.get("mailfrom", "")
        self.mailfrom = "" if mf is None else str(mf)


class Scenario(object):
    def __init__(self, index, doc):
        self.index = index
        self.description = str(doc.get("description") or
                               "scenario %d" % index)
        self.slug = slug(self.description)
        self.zonedata = doc.get("zonedata") or {}
        self.cases = [Case(self, tid, spec)
                      for tid, spec in (doc.get("tests") or {}).items()]


def load_suite(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
    except OSError as e:
        raise SetupError("cannot read suite %s: %s" % (path, e))
    except yaml.YAMLError as e:
        raise SetupError("cannot parse suite %s: %s" % (path, e))
    scenarios = []
    seen = set()
    for doc in docs:
        if not doc:
            continue
        sc = Scenario(len(scenarios) + 1, doc)
        base, n = sc.slug, 2
        while sc.slug in seen:
            sc.slug = "%s-%d" % (base, n)
            n += 1
        seen.add(sc.slug)
        for c in sc.cases:
            c.full = "%s/%s" % (sc.slug, c.tid)
        scenarios.append(sc)
    return scenarios


def _strings(value):
    """An SPF/TXT value as a list of character-strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _target(value):
    return str(value).strip().rstrip(".")


def convert_zonedata(zonedata):
    """Suite zonedata -> testdns zone dict."""
    names = {}
    for owner, items in zonedata.items():
        owner = str(owner).rstrip(".")
        if not isinstance(items, list):
            items = [items]
        has_txt = any(isinstance(i, dict) and
                      any(str(k).upper() == "TXT" for k in i)
                      for i in items)
        recs = names.setdefault(owner, [])
        for item in items:
            if isinstance(item, str):
                if item.strip().upper() == "TIMEOUT":
                    recs.append({"type": "TIMEOUT"})
                    continue
                raise ValueError("%s: unknown zone item %r" % (owner, item))
            if not isinstance(item, dict):
                raise ValueError("%s: unknown zone item %r" % (owner, item))
            for k, v in item.items():
                t = str(k).upper()
                if t == "SPF":
                    data = _strings(v)
                    recs.append({"type": "SPF", "data": data})
                    if not has_txt:
                        recs.append({"type": "TXT", "data": data})
                elif t == "TXT":
                    if isinstance(v, str) and v == "NONE":
                        continue
                    recs.append({"type": "TXT", "data": _strings(v)})
                elif t in ("A", "AAAA"):
                    recs.append({"type": t, "data": str(v).strip()})
                elif t == "MX":
                    if not isinstance(v, list) or len(v) != 2:
                        raise ValueError("%s: bad MX %r" % (owner, v))
                    recs.append({"type": "MX",
                                 "data": [int(v[0]), _target(v[1])]})
                elif t in ("PTR", "CNAME"):
                    recs.append({"type": t, "data": _target(v)})
                elif t == "TIMEOUT":
                    recs.append({"type": "TIMEOUT"})
                else:
                    raise ValueError("%s: unsupported record type %r"
                                     % (owner, k))
    return {"names": names, "servfail": ["error.*"]}


def read_list(path, what):
    """known-failures.txt / skip.txt: {test-id: reason}."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, "r", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            tid = parts[0]
            reason = parts[1].strip() if len(parts) > 1 else ""
            if not reason:
                raise SetupError("%s:%d: %s entry %r has no reason"
                                 % (path, n, what, tid))
            out[tid.split("/")[-1]] = reason
    return out


# --------------------------------------------------------------------------
# running

class Outcome(object):
    def __init__(self, case):
        self.case = case
        self.got = None
        self.data = None
        self.rc = None
        self.stdout = b""
        self.stderr = b""
        self.problem = None   # text when no usable result
        self.seconds = 0.0
        self.queries = []


def run_case(case, check, conf, msg, timeout):
    out = Outcome(case)
    cmd = [check, "-c", conf, "--client-ip", case.host, "--helo", case.helo,
           "--mail-from", case.mailfrom, "--json", msg]
    out.rc, out.stdout, out.stderr, out.problem, out.seconds = \
        testlib.run_timed(cmd, timeout)
    if out.problem:
        return out
    out.data = testlib.json_object(out.stdout)
    if out.data is None:
        out.problem = ("no-json(rc=%d)" % out.rc) if out.rc >= 0 else \
            ("killed(signal %d)" % -out.rc)
        return out
    spf = out.data.get("spf") if isinstance(out.data, dict) else None
    res = spf.get("result") if isinstance(spf, dict) else None
    if not isinstance(res, str):
        out.problem = "no-spf.result"
        return out
    out.got = norm_result(res)
    return out


def last_line(b, limit=200):
    """Last non-empty line of the CLI's stderr (usually the error)."""
    s = [l for l in b.decode("utf-8", "replace").splitlines() if l.strip()]
    return s[-1].strip()[:limit] if s else ""


def main(argv=None):
    ap = argparse.ArgumentParser(description="RFC 7208 SPF suite runner")
    ap.add_argument("--suite", default=DEFAULT_SUITE)
    ap.add_argument("--check", default=None,
                    help="authmilter-check binary (default: env "
                    "AUTHMILTER_CHECK or <repo>/check/authmilter-check)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only this test id / scenario/test-id / "
                    "scenario (repeatable, comma-separated)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the CLI's JSON for each case")
    ap.add_argument("-j", "--jobs", type=int, default=4,
                    help="cases run in parallel within a scenario (4)")
    ap.add_argument("--queries", action="store_true",
                    help="print the DNS queries of each case (implies -j 1)")
    ap.add_argument("--timeout", type=int, default=30,
                    help="seconds before one CLI run is killed (30)")
    ap.add_argument("--known", default=KNOWN_FILE,
                    help="expected-failures file")
    ap.add_argument("--skip", default=SKIP_FILE, help="skip file")
    ap.add_argument("--list", action="store_true",
                    help="list the cases and exit")
    ap.add_argument("--write-zones", metavar="DIR",
                    help="write each scenario's testdns zone as JSON to DIR "
                    "and exit")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under "| head"
    if args.queries:
        args.jobs = 1
    args.jobs = max(1, args.jobs)

    try:
        return run(args)
    except SetupError as e:
        print("spf-suite: error: %s" % e)
        return 2


def select(scenarios, only):
    if not only:
        return None
    wanted = set()
    for o in only:
        wanted.update(x.strip() for x in o.split(",") if x.strip())
    chosen = set()
    matched = set()
    for sc in scenarios:
        for c in sc.cases:
            for w in wanted:
                if w in (c.tid, c.full, sc.slug):
                    chosen.add(c.full)
                    matched.add(w)
    missing = wanted - matched
    if missing:
        raise SetupError("--only: no such case or scenario: %s"
                         % ", ".join(sorted(missing)))
    return chosen


def run(args):
    scenarios = load_suite(args.suite)
    all_ids = {c.tid for sc in scenarios for c in sc.cases}

    if args.list:
        for sc in scenarios:
            for c in sc.cases:
                print("%s  want %s" % (c.full, "|".join(c.want)))
        return 0

    if args.write_zones:
        os.makedirs(args.write_zones, exist_ok=True)
        for sc in scenarios:
            path = os.path.join(args.write_zones, sc.slug + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(convert_zonedata(sc.zonedata), f, indent=1,
                          ensure_ascii=False)
            print(path)
        return 0

    known = read_list(args.known, "known-failure")
    skips = read_list(args.skip, "skip")
    for tid in sorted((set(known) | set(skips)) - all_ids):
        print("warning: %s lists unknown case %r"
              % (os.path.basename(args.known if tid in known else args.skip),
                 tid))

    check = args.check or DEFAULT_CHECK
    if not (os.path.isfile(check) and os.access(check, os.X_OK)):
        raise SetupError("authmilter-check not found or not executable: %s "
                         "(build it, or use --check / AUTHMILTER_CHECK)"
                         % check)
    chosen = select(scenarios, args.only)

    tmp = tempfile.mkdtemp(prefix="spf-suite-")
    passed = failed = skipped = xpass = known_failed = 0
    t_start = time.monotonic()
    try:
        msg = os.path.join(tmp, "message.eml")
        with open(msg, "wb") as f:
            f.write(MESSAGE)
        srv = testdns.TestDNSServer({}).start()
        try:
            conf = os.path.join(tmp, "authmilter.conf")
            with open(conf, "w") as f:
                f.write(CONFIG % {"port": srv.port})
            print("spf-suite: %s" % args.suite)
            print("spf-suite: check %s, dns 127.0.0.1@%d" % (check, srv.port))
            sys.stdout.flush()

            for sc in scenarios:
                cases = [c for c in sc.cases
                         if chosen is None or c.full in chosen]
                if not cases:
                    continue
                try:
                    srv.reload(convert_zonedata(sc.zonedata))
                except ValueError as e:
                    raise SetupError("scenario %s: zone data: %s"
                                     % (sc.slug, e))
                to_run = []
                for c in cases:
                    if c.tid in skips:
                        continue
                    to_run.append(c)
                results = {}
                if args.jobs == 1:
                    for c in to_run:
                        srv.clear_queries()
                        o = run_case(c, check, conf, msg, args.timeout)
                        o.queries = srv.queries()
                        results[c.full] = o
                else:
                    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
                        futs = {c.full: ex.submit(run_case, c, check, conf,
                                                  msg, args.timeout)
                                for c in to_run}
                        for k, fu in futs.items():
                            results[k] = fu.result()

                for c in cases:
                    if c.tid in skips:
                        skipped += 1
                        print("SKIP %s: %s" % (c.full, skips[c.tid]))
                        continue
                    o = results[c.full]
                    got = o.got if o.got is not None else o.problem
                    ok = o.got is not None and o.got in c.want
                    want = "|".join(c.want)
                    if ok:
                        passed += 1
                        if c.tid in known:
                            xpass += 1
                            print("XPASS %s (got %s; listed as known "
                                  "failure: %s)" % (c.full, got, known[c.tid]))
                        elif got != c.want[0]:
                            print("PASS %s (got %s; preferred %s)"
                                  % (c.full, got, c.want[0]))
                        else:
                            print("PASS %s (got %s)" % (c.full, got))
                    else:
                        if c.tid in known:
                            known_failed += 1
                            word = "XFAIL"
                        else:
                            failed += 1
                            word = "FAIL"
                        line = "%s %s: want %s, got %s" % (word, c.full,
                                                          want, got)
                        reason = None
                        if isinstance(o.data, dict) and \
                                isinstance(o.data.get("spf"), dict):
                            reason = o.data["spf"].get("reason")
                        if reason:
                            line += " (reason: %s)" % reason
                        if c.tid in known:
                            line += " [known failure: %s]" % known[c.tid]
                        print(line)
                        if o.problem and not args.verbose:
                            err = last_line(o.stderr)
                            if err:
                                print("    stderr: %s" % err)
                    if args.verbose:
                        print("    cli: %s --client-ip %s --helo %s "
                              "--mail-from %s  rc=%s %.2fs"
                              % (os.path.basename(check), c.host,
                                 json.dumps(c.helo), json.dumps(c.mailfrom),
                                 o.rc, o.seconds))
                        if o.data is not None:
                            for l in json.dumps(o.data, indent=2).splitlines():
                                print("    " + l)
                        elif o.stdout:
                            print("    stdout: %r" % o.stdout[:2000])
                        if o.stderr:
                            for l in o.stderr.decode("utf-8", "replace") \
                                    .splitlines()[:40]:
                                print("    stderr: " + l)
                    if args.queries:
                        for q in o.queries:
                            print("    dns: %s %s %s -> %s" % q)
                sys.stdout.flush()
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ran = passed + failed + known_failed
    pct = (100.0 * passed / ran) if ran else 0.0
    print("pass rate: %d/%d (%.1f%%)" % (passed, ran, pct))
    print("expected failures (XFAIL, %s): %d, xpass: %d, time %.1fs"
          % (os.path.basename(args.known), known_failed, xpass,
             time.monotonic() - t_start))
    print("spf-suite: %d passed, %d failed, %d skipped"
          % (passed, failed, skipped))
    if ran == 0 and skipped == 0:
        return 1  # nothing was run at all
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
