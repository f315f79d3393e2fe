#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The dashboard of received reports, in a real browser.

Generated reports with known totals (genreports.py: November 2026, two
domains, three reporters as .xml, .xml.gz and .zip, two TLS reports) go
into a SQLite store with `authmilter-report ingest`, their source IPs
named by PTR records from dns.local_data. The daemon then serves the
dashboard on a loopback port, and:

  api-*        the JSON API gives the fixture's totals (domains, sources,
               readiness, unapproved, TLS), 404/405/415 where it should
  browser-*    Debian's chromium (headless, driven by python3-selenium and
               chromium-driver) loads every page without a console error;
               the numbers on the page equal the fixture's totals;
               approving amazonses.com on example.com moves it out of the
               unapproved list (and the authmilter_unapproved_sources gauge
               down by one); screenshots with --screenshots DIR
  auth-*       in a network namespace of its own (ip netns), the dashboard
               on 192.0.2.80 (a veth pair inside it), off loopback: refused without a credential,
               with a wrong one, served with Basic and Bearer ones from
               dashboard.auth_file; authmilter -n refuses such a listen
               address without auth_file

  run_dashboard.py [-k] [-v] [--screenshots DIR]

Needs root (the daemon drops to nobody; ip netns). Ends with
"dashboard: N passed, N failed".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.path.insert(0, HERE)
import testlib  # noqa: E402
import genreports  # noqa: E402
try:
    import selenium
    del selenium    # only its presence: python3-selenium, /usr/bin/python3
except ImportError:
    testlib.use_system_python(__file__, "selenium",
                              "python3-selenium chromium chromium-driver")

AUTHMILTER = os.environ.get("AUTHMILTER", os.path.join(REPO, "milter",
                                                       "authmilter"))
REPORT = os.environ.get("AUTHMILTER_REPORT", os.path.join(REPO, "report",
                                                          "authmilter-report"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

PASSED = []
FAILED = []
VERBOSE = False


def check(name, ok, why=""):
    """One case."""
    if ok:
        PASSED.append(name)
        print("PASS %s" % name)
    else:
        FAILED.append(name)
        print("FAIL %s: %s" % (name, why))
    sys.stdout.flush()
    return ok


def reverse(ip):
    """in-addr.arpa name of an IPv4 address."""
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa."


def write_conf(path, tmp, listen, metrics, auth=""):
    """The daemon's (and the ingest command's) configuration."""
    ptr = ",\n    ".join(testlib.quote("%s 300 IN PTR %s." % (reverse(ip), n))
                         for ip, n in genreports.PTR_DATA)
    with open(path, "w") as f:
        f.write("""# written by test/ingest/run_dashboard.py
milter = { socket = "inet:%d@127.0.0.1"; user = "nobody"; };
dns = {
  local_data = [
    %s
  ];
  local_zones = [ "in-addr.arpa. static" ];
};
reports = { store = "sqlite:%s/state/reports.db"; spool_dir = "%s/state/spool"; };
ingest = { quarantine_dir = "%s/state/quarantine"; };
dashboard = {
  listen = "%s";
  assets_dir = "%s/dashboard";
  unapproved_min = 10;
  auth_file = "%s";
};
metrics = { listen = "127.0.0.1:%d"; };
""" % (testlib.free_port(), ptr, tmp, tmp, tmp, listen, REPO, auth,
            metrics))
    os.chmod(path, 0o644)


def get(url, headers=None, data=None, method=None):
    """(status, body) of one request."""
    req = urllib.request.Request(url, data=data, headers=headers or {},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


def metric(port, name):
    """One sample of /metrics, or None."""
    st, body = get("http://127.0.0.1:%d/metrics" % port)
    for line in body.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return float(parts[1])
    return None


def api_cases(base, exp):
    """The JSON API against the fixture's totals."""
    q = "until=%d&days=30" % exp["until"]
    st, body = get("%s/api/domains?%s" % (base, q))
    j = json.loads(body) if st == 200 else {}
    got = {d["domain"]: d for d in j.get("domains", [])}
    ok = st == 200 and all(
        got.get(d, {}).get("messages") == e["messages"] and
        got[d]["dmarc_pass"] == e["dmarc_pass"] and
        got[d]["reports"] == e["reports"] for d, e in exp["domains"].items())
    check("api-domains", ok, "%s %s want %s" % (st, got, exp["domains"]))
    pol = {p["domain"]: p["p"] for p in j.get("policies", [])}
    check("api-policy", all(pol.get(d) == e["p"] for d, e in
                            exp["domains"].items()), str(pol))
    trend = sum(t["messages"] for t in j.get("trend", []))
    check("api-trend", trend == sum(e["messages"] for e in
                                    exp["domains"].values()), str(trend))
    st, body = get("%s/api/sources?domain=example.com&%s" % (base, q))
    src = {s["source"]: s for s in json.loads(body)["sources"]} \
        if st == 200 else {}
    want = {k.split("|")[1]: v for k, v in exp["sources"].items()
            if k.startswith("example.com|")}
    ok = st == 200 and set(src) == set(want) and all(
        src[k]["messages"] == v["messages"] and
        src[k]["dmarc_pass"] == v["dmarc_pass"] and
        src[k]["reject"] == v["reject"] for k, v in want.items())
    check("api-sources", ok, "%s: %s want %s" % (st, {
        k: (v["messages"], v["dmarc_pass"]) for k, v in src.items()}, want))
    ses = src.get("amazonses.com", {})
    check("api-fix", "amazonses.com" in (ses.get("fix") or "") and
          "d=example.com" in (ses.get("fix") or "") and
          len(ses.get("ips", [])) == 1 and
          ses["ips"][0]["ptr"] == "a8-10.smtp-out.amazonses.com",
          json.dumps(ses)[:400])
    st, body = get("%s/api/unapproved?%s" % (base, q))
    un = sorted((s["domain"], s["source"]) for s in
                json.loads(body)["sources"]) if st == 200 else []
    want_un = sorted(tuple(k.split("|")) for k in exp["sources"])
    check("api-unapproved", un == want_un, "%s want %s" % (un, want_un))
    st, body = get("%s/api/source?domain=example.com&ip=54.240.8.10&%s" %
                   (base, q))
    rows = json.loads(body).get("rows", []) if st == 200 else []
    check("api-source", sum(r["messages"] for r in rows) ==
          exp["sources"]["example.com|amazonses.com"]["messages"] and
          {r["reporter"] for r in rows} == {"google.com", "Outlook.com",
                                            "Yahoo"}, str(rows[:2]))
    readiness_cases(base, q)
    st, body = get("%s/api/tls?%s" % (base, q))
    tls = json.loads(body) if st == 200 else {}
    got = {"%s/%s" % (p["domain"], p["policy_type"]):
           {"success": p["success"], "failure": p["failure"]}
           for p in tls.get("policies", [])}
    fails = {f["result_type"]: f["sessions"] for f in tls.get("failures", [])}
    check("api-tls", got == exp["tls"] and fails == exp["tls_failures"],
          "%s %s" % (got, fails))
    codes = (get(base + "/api/sources?" + q)[0],
             get(base + "/nowhere")[0],
             get(base + "/assets/../../etc/passwd")[0],
             get(base + "/api/approve", data=b"domain=x&source=y",
                 headers={"Content-Type":
                          "application/x-www-form-urlencoded"})[0],
             get(base + "/", method="PUT")[0])
    check("api-errors", codes == (400, 404, 404, 415, 405), str(codes))


def readiness_cases(base, q):
    """p=reject readiness needs an approved sender: none approved is not
    ready; approving one that always passes is; withdrawing it (the
    browser cases start with nothing approved) is not ready again."""
    def ready():
        st, body = get("%s/api/readiness?domain=example.net&%s" % (base, q))
        return json.loads(body) if st == 200 else {}

    def approve(on):
        return get(base + "/api/approve", data=json.dumps({
            "domain": "example.net", "source": "google.com",
            "approved": on}).encode(),
            headers={"Content-Type": "application/json"})[0]

    r = ready()
    check("api-readiness-none-approved", r.get("messages", 0) > 0 and
          r.get("approved_sources") == 0 and r.get("ready") is False,
          json.dumps(r)[:300])
    st = approve(True)
    r = ready()
    check("api-readiness-approved", st == 200 and
          r.get("approved_sources") == 1 and r.get("approved_fail") == 0 and
          r.get("ready") is True, "%s %s" % (st, json.dumps(r)[:300]))
    st = approve(False)
    r = ready()
    check("api-readiness-withdrawn", st == 200 and
          r.get("approved_sources") == 0 and r.get("ready") is False,
          "%s %s" % (st, json.dumps(r)[:300]))


def browser():
    """A headless Debian chromium under selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu",
              "--disable-quic", "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="am-chrome-")):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def page(drv, url):
    """Load URL and wait for the page to render its data."""
    from selenium.webdriver.common.by import By
    drv.get(url)
    testlib.wait_for(lambda: drv.find_element(By.ID, "main")
                     .get_attribute("data-ready") in ("1", "error"), 20)
    return drv.find_element(By.ID, "main").get_attribute("data-ready")


def console_errors(drv):
    """SEVERE browser log entries since the last call."""
    return [e["message"] for e in drv.get_log("browser")
            if e.get("level") == "SEVERE"]


def cells(drv, table, row_attr, value, key):
    """The data-k=KEY cell text of the row of TABLE with ROW_ATTR=VALUE."""
    from selenium.webdriver.common.by import By
    sel = '#%s tr[%s="%s"] [data-k="%s"]' % (table, row_attr, value, key)
    found = drv.find_elements(By.CSS_SELECTOR, sel)
    return found[0].text if found else None


def shot(drv, shots, name):
    """A full-page screenshot when asked for."""
    if not shots:
        return
    h = drv.execute_script("return document.body.scrollHeight")
    drv.set_window_size(1400, max(700, min(h + 40, 2600)))
    drv.save_screenshot(os.path.join(shots, "dashboard-%s.png" % name))
    drv.set_window_size(1400, 1000)


def browser_cases(base, exp, mport, shots):
    """The pages in chromium: loads, numbers, approval."""
    from selenium.webdriver.common.by import By
    q = "/?until=%d&days=30" % exp["until"]
    try:
        drv = browser()
    except Exception as e:  # noqa: BLE001 - any driver failure is the case
        check("browser-start", False, repr(e))
        return
    try:
        st = page(drv, base + q + "#/")
        errs = console_errors(drv)
        check("browser-domains-load", st == "1" and not errs,
              "%s %s" % (st, errs))
        ok = all(cells(drv, "domains", "data-domain", d, "messages") ==
                 "{:,}".format(e["messages"]) and
                 cells(drv, "domains", "data-domain", d, "dmarc_pass") ==
                 "{:,}".format(e["dmarc_pass"])
                 for d, e in exp["domains"].items())
        check("browser-domains-numbers", ok, str([
            (d, cells(drv, "domains", "data-domain", d, "messages"))
            for d in exp["domains"]]))
        shot(drv, shots, "domains")
        st = page(drv, base + q + "#/domain/example.com")
        errs = console_errors(drv)
        want = exp["sources"]["example.com|amazonses.com"]
        check("browser-sources", st == "1" and not errs and
              cells(drv, "sources", "data-source", "amazonses.com",
                    "messages") == "{:,}".format(want["messages"]),
              "%s %s %s" % (st, errs, cells(drv, "sources", "data-source",
                                            "amazonses.com", "messages")))
        shot(drv, shots, "sources")
        verdict = drv.find_elements(By.CSS_SELECTOR,
                                    '#readiness [data-k="verdict"]')
        check("browser-readiness-none-approved", verdict and
              verdict[0].text.startswith("Not ready: no sender is approved"),
              verdict[0].text if verdict else "no readiness verdict")
        before = metric(mport, "authmilter_unapproved_sources")
        btn = drv.find_elements(By.CSS_SELECTOR, '#sources button'
                                '[data-source="amazonses.com"]')
        if btn:
            btn[0].click()
        testlib.wait_for(lambda: drv.find_elements(
            By.CSS_SELECTOR, '#sources tr[data-source="amazonses.com"] '
            '.badge.approved'), 10)
        # approved, failing DMARC: p=reject would refuse its mail now
        ready = drv.find_elements(By.CSS_SELECTOR, '#readiness '
                                  '[data-k="approved_fail"]')
        check("browser-readiness", ready and ready[0].text ==
              "{:,}".format(want["messages"] - want["dmarc_pass"]),
              ready[0].text if ready else "no readiness card")
        shot(drv, shots, "readiness")
        st = page(drv, base + q + "#/unapproved")
        errs = console_errors(drv)
        rows = [e.get_attribute("data-source") for e in drv.find_elements(
            By.CSS_SELECTOR, "#unapproved tr[data-source]")]
        after = metric(mport, "authmilter_unapproved_sources")
        check("browser-approve", st == "1" and not errs and
              "amazonses.com" in [s for s in rows] and
              rows.count("amazonses.com") == 1 and
              before is not None and after == before - 1,
              "rows %s gauge %s -> %s %s" % (rows, before, after, errs))
        shot(drv, shots, "unapproved")
        st = page(drv, base + q + "#/tls")
        errs = console_errors(drv)
        got = cells(drv, "tls-policies", "data-domain", "example.com",
                    "failure")
        check("browser-tls", st == "1" and not errs and got == "{:,}".format(
            exp["tls"]["example.com/sts"]["failure"]), "%s %s %s" %
              (st, errs, got))
        shot(drv, shots, "tls")
        st = page(drv, base + q + "#/domain/example.com/ip/54.240.8.10")
        errs = console_errors(drv)
        check("browser-source-ip", st == "1" and not errs and
              "a8-10.smtp-out.amazonses.com" in drv.find_element(
                  By.ID, "main").text, "%s %s" % (st, errs))
        shot(drv, shots, "source")
    finally:
        drv.quit()


def netns(name, *cmd, **kw):
    """A command in the test's network namespace."""
    return subprocess.run(["ip", "netns", "exec", name] + list(cmd), **kw)


def auth_cases(tmp, exp):
    """Off loopback, in a namespace of its own: credentials required."""
    conf = os.path.join(tmp, "off.conf")
    write_conf(conf, tmp, "192.0.2.80:8443", testlib.free_port())
    r = subprocess.run([AUTHMILTER, "-n", "-c", conf], capture_output=True,
                       text=True)
    check("auth-required-by-config", r.returncode != 0 and
          "auth_file" in r.stderr, "%d %s" % (r.returncode, r.stderr))
    auth = os.path.join(tmp, "dashboard.auth")
    with open(auth, "w") as f:
        f.write("# tokens and users of the test\nops:s3cret-pass\n"
                "tok-0123456789abcdef\n")
    os.chmod(auth, 0o644)
    write_conf(conf, tmp, "192.0.2.80:8443", 9755, auth)
    ns = "amdash%d" % os.getpid()
    if subprocess.run(["ip", "netns", "add", ns]).returncode != 0:
        check("auth-netns", False, "ip netns add failed")
        return
    d = None
    try:
        # a veth pair with both ends inside: an address that is not
        # loopback, reachable from nowhere else
        for c in (["ip", "link", "set", "lo", "up"],
                  ["ip", "link", "add", "am0", "type", "veth", "peer",
                   "name", "am1"],
                  ["ip", "addr", "add", "192.0.2.80/24", "dev", "am0"],
                  ["ip", "link", "set", "am1", "up"],
                  ["ip", "link", "set", "am0", "up"]):
            netns(ns, *c, check=True)
        log = open(os.path.join(tmp, "off.log"), "w")
        d = subprocess.Popen(["ip", "netns", "exec", ns, AUTHMILTER, "-f",
                              "-c", conf], stdout=subprocess.DEVNULL,
                             stderr=log)
        probe = """
import sys, urllib.request, urllib.error
def get(h):
    r = urllib.request.Request("http://192.0.2.80:8443/api/domains?until=%d", headers=h)
    try:
        return urllib.request.urlopen(r, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0
import base64
b = lambda s: "Basic " + base64.b64encode(s.encode()).decode()
print(get({}), get({"Authorization": b("ops:wrong")}),
      get({"Authorization": "Bearer tok-0123"}),
      get({"Authorization": b("ops:s3cret-pass")}),
      get({"Authorization": "Bearer tok-0123456789abcdef"}))
""" % exp["until"]
        out = ""
        for _ in range(100):
            out = netns(ns, sys.executable, "-c", probe, capture_output=True,
                        text=True).stdout.strip()
            if out and not out.startswith("0"):
                break
            time.sleep(0.1)
        check("auth-enforced-off-loopback", out == "401 401 401 200 200",
              "got %r (none, wrong password, wrong token, basic, bearer)"
              % out)
    finally:
        if d is not None:
            testlib.stop(d)
        subprocess.run(["ip", "netns", "del", ns])


def main():
    global VERBOSE
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", "--keep", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--screenshots")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    VERBOSE = a.verbose
    if os.geteuid() != 0:
        print("dashboard: 0 passed, 1 failed (needs root)")
        return 1
    tmp = tempfile.mkdtemp(prefix="authmilter-dash-")
    os.chmod(tmp, 0o755)
    os.makedirs(os.path.join(tmp, "state"))
    d = None
    try:
        exp = genreports.fixture(os.path.join(tmp, "reports"))
        port, mport = testlib.free_port(), testlib.free_port()
        conf = os.path.join(tmp, "authmilter.conf")
        write_conf(conf, tmp, "127.0.0.1:%d" % port, mport)
        r = subprocess.run([REPORT, "ingest", "-q", "-c", conf,
                            os.path.join(tmp, "reports")],
                           capture_output=True, text=True)
        n = len(genreports.DOMAINS) * len(genreports.REPORTERS) * 10 + 2
        check("ingest-fixture", r.returncode == 0 and
              "%d report(s): %d stored" % (n, n) in r.stdout,
              r.stdout + r.stderr)
        subprocess.run(["chown", "-R", "nobody", os.path.join(tmp, "state")])
        d = testlib.Daemon(AUTHMILTER, conf, os.path.join(tmp, "d.log"))
        if not check("daemon-up", d.wait_up(), d.text()):
            return 1
        base = "http://127.0.0.1:%d" % port
        api_cases(base, exp)
        if not a.no_browser:
            if a.screenshots:
                os.makedirs(a.screenshots, exist_ok=True)
            browser_cases(base, exp, mport, a.screenshots)
        auth_cases(tmp, exp)
    finally:
        if d is not None:
            d.stop()
            if FAILED or VERBOSE:
                print(d.text()[-3000:])
        testlib.remove_tmp(tmp, a.keep)
    print("dashboard: %d passed, %d failed" % (len(PASSED), len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
