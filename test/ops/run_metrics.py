#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""metrics.listen: Prometheus text on /metrics, fed by real traffic.

Starts `authmilter -f` with metrics.listen on a free 127.0.0.1 port and
DNS from dns.local_data (opslib; zone example.), everything else forwarded
to a loopback port where nothing answers (DNS errors on demand). Then,
scraping /metrics with an HTTP client before and after each step:

  * the exposition parses (python3-prometheus-client's parser) and is
    well formed: HELP and TYPE for every family, histogram buckets
    cumulative with +Inf equal to _count;
  * the four messages of opslib.MESSAGES move messages_total and
    results_total by exactly their verdicts, connections_total by 4, the
    message-duration histogram by 4, DNS lookups (TXT ok) and the lookup
    histogram by the same amount;
  * an open connection shows in connections_in_flight, and leaves it;
  * 400 messages from test/load/milterload at concurrency 8 move
    messages_total and connections_total by exactly what the client saw;
  * a lookup the dead forwarder cannot answer counts as
    dns_lookups_total{status="retry"} and errors_total{kind="dns"};
  * SIGUSR1: a valid file counts as applied, an invalid one as refused
    and errors_total{kind="reload"}; the counters survive both;
  * two messages sealed by the same ARC key: the first parses the key
    record (key_cache_total{result="miss"} +1), the second reuses it
    (result="hit" +1, no miss), both arc=pass;
  * report_queue_depth exists and reads 0 (no report store); with a SQLite
    store whose file the test holds locked, it counts the records waiting
    for the writer and drains to 0 when the lock goes;
  * other paths get 404, other methods 405;
  * 24 connections that send nothing, from three loopback addresses
    (more than the old limit of 16), leave room for a scrape; a ninth
    from one address is closed at once, idle ones within seconds.

Prints PASS/FAIL lines and "metrics: N passed, N failed".
"""

import os
import signal
import socket
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection, HTTPException

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import opslib  # noqa: E402
import testlib  # noqa: E402
from testlib import wait_for  # noqa: E402
from milterclient import MilterClient  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "arc"))
import arclib  # noqa: E402

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    testlib.use_system_python(__file__, e.name, "python3-prometheus-client")

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def http(url, method="GET"):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), ""


def wellformed(text):
    """A list of problems of the exposition TEXT (empty: fine)."""
    problems, helped, typed, hist = [], set(), {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
        elif line.startswith("# TYPE "):
            typed[line.split()[2]] = line.split()[3]
        elif line and not line.startswith("#"):
            name = line.split("{")[0].split(" ")[0]
            fam = name
            for suf in ("_bucket", "_sum", "_count"):
                if name.endswith(suf) and name[:-len(suf)] in typed:
                    fam = name[:-len(suf)]
            if fam not in helped or fam not in typed:
                problems.append("no HELP/TYPE before " + line)
            if typed.get(fam) == "histogram":
                hist.setdefault(fam, []).append(line)
            float(line.rsplit(" ", 1)[1])
    for fam, lines in hist.items():
        buckets = [float(l.rsplit(" ", 1)[1]) for l in lines
                   if "_bucket" in l]
        count = [float(l.rsplit(" ", 1)[1]) for l in lines
                 if l.startswith(fam + "_count")]
        if buckets != sorted(buckets) or not count or buckets[-1] != count[0]:
            problems.append("histogram %s: %s" % (fam, lines))
    return problems


def scrape(url):
    """{(name, frozenset(labels)): value} of one scrape, and its text."""
    status, ctype, text = http(url)
    samples = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, text, status, ctype


def val(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), None)


def delta(a, b, name, **labels):
    x, y = val(a, name, **labels), val(b, name, **labels)
    return None if x is None or y is None else y - x


def total(samples, name, **match):
    return sum(v for (n, ls), v in samples.items() if n == name and
               all(dict(ls).get(k) == w for k, w in match.items()))


def test_traffic(url, port, priv):
    a, text, status, ctype = scrape(url)
    check("GET /metrics 200 with the 0.0.4 text type", status == 200 and
          ctype.startswith("text/plain; version=0.0.4"), "%s %s"
          % (status, ctype))
    check("exposition well formed", not wellformed(text),
          str(wellformed(text))[:800])
    check("report_queue_depth is 0 with the store off",
          val(a, "authmilter_report_queue_depth") == 0, str(
              val(a, "authmilter_report_queue_depth")))
    want = {}
    for n in sorted(opslib.MESSAGES):
        opslib.send(port, n, priv, "M" + n)
        act, res = opslib.MESSAGES[n][3], opslib.MESSAGES[n][4]
        want[("messages", act)] = want.get(("messages", act), 0) + 1
        for meth, r in res.items():
            want[(meth, r)] = want.get((meth, r), 0) + 1
    wait_for(lambda: val(scrape(url)[0],
                         "authmilter_connections_in_flight") == 0)
    b, text, _, _ = scrape(url)
    check("exposition well formed after traffic", not wellformed(text),
          str(wellformed(text))[:800])
    for act in ("accept", "reject", "quarantine", "tempfail"):
        d = delta(a, b, "authmilter_messages_total", action=act)
        check("messages_total{action=%s} +%d" % (
            act, want.get(("messages", act), 0)),
            d == want.get(("messages", act), 0), str(d))
    for meth in ("spf", "dkim", "dmarc"):
        for r in ("pass", "fail", "none"):
            d = delta(a, b, "authmilter_results_total", method=meth,
                      result=r)
            check("results_total{%s,%s} +%d" % (meth, r, want.get(
                (meth, r), 0)), d == want.get((meth, r), 0), str(d))
    d = delta(a, b, "authmilter_connections_total")
    check("connections_total +4", d == 4, str(d))
    d = delta(a, b, "authmilter_message_duration_seconds_count")
    check("message duration histogram +4", d == 4, str(d))
    lookups = (total(b, "authmilter_dns_lookups_total") -
               total(a, "authmilter_dns_lookups_total"))
    txt_ok = delta(a, b, "authmilter_dns_lookups_total", type="TXT",
                   status="ok")
    hist = delta(a, b, "authmilter_dns_lookup_duration_seconds_count")
    check("DNS TXT lookups counted (SPF, DMARC, DKIM key: >= 9)",
          txt_ok is not None and txt_ok >= 9, str(txt_ok))
    check("DNS histogram count moves with the lookups", hist == lookups and
          lookups > 0, "%s %s" % (hist, lookups))
    d = delta(a, b, "authmilter_errors_total", kind="dns")
    check("no DNS errors from local data", d == 0, str(d))
    return b


def test_in_flight(url, port):
    c = MilterClient(port=port)
    c.negotiate()
    c.connect("client.example", opslib.GOOD_IP)
    ok = wait_for(lambda: val(scrape(url)[0],
                              "authmilter_connections_in_flight") == 1)
    check("an open connection is in flight", ok,
          str(val(scrape(url)[0], "authmilter_connections_in_flight")))
    c.close()
    ok = wait_for(lambda: val(scrape(url)[0],
                              "authmilter_connections_in_flight") == 0)
    check("and leaves it when closed", ok, "")


def test_dns_error(url, port):
    a = scrape(url)[0]
    c = MilterClient(port=port)
    c.negotiate()
    c.connect("client.example", opslib.GOOD_IP)
    c.helo("client.example")
    c.message("<a@dead.net>", ["<r@rcpt.example>"],
              b"From: <a@dead.net>\r\nSubject: x\r\n\r\nx\r\n")
    c.close()
    b = scrape(url)[0]
    retry = (total(b, "authmilter_dns_lookups_total", status="retry") -
             total(a, "authmilter_dns_lookups_total", status="retry"))
    errs = delta(a, b, "authmilter_errors_total", kind="dns")
    check("unanswered lookups count as status=retry", retry >= 1,
          str(retry))
    check("and as errors_total{kind=dns}", errs == retry, "%s %s"
          % (errs, retry))


def send_sealed(port, priv, n):
    """Message N with one ARC set by d=good.example s=sel (the DKIM key)."""
    msg = ("From: <a@good.example>\r\nTo: <r@rcpt.example>\r\n"
           "Subject: sealed %d\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
           "Message-ID: <sealed-%d@ops.example>\r\n\r\nBody %d.\r\n"
           % (n, n, n)).encode()
    sealer = arclib.ArcSealer("good.example", "sel", arclib.key_from_pem(priv))
    msg = sealer.seal_onto(msg)
    c = MilterClient(port=port)
    try:
        c.negotiate()
        c.connect("client.example", opslib.GOOD_IP)
        c.helo("client.example")
        c.message("<a@good.example>", ["<r@rcpt.example>"], msg)
    finally:
        c.close()


def test_key_cache(url, port, priv):
    steps = []
    for n in (1, 2):
        a = scrape(url)[0]
        send_sealed(port, priv, n)
        wait_for(lambda: val(scrape(url)[0],
                             "authmilter_connections_in_flight") == 0)
        b = scrape(url)[0]
        steps.append((delta(a, b, "authmilter_key_cache_total",
                            result="miss"),
                      delta(a, b, "authmilter_key_cache_total",
                            result="hit"),
                      delta(a, b, "authmilter_results_total", method="arc",
                            result="pass")))
    check("first sealed message parses the ARC key (miss +1, hit +0)",
          steps[0] == (1, 0, 1), str(steps[0]))
    check("second one by the same key reuses it (hit +1, miss +0)",
          steps[1] == (0, 1, 1), str(steps[1]))


def test_reload(url, d, conf, port, pub, extra, before):
    opslib.write_conf(conf, port, pub, extra)
    d.proc.send_signal(signal.SIGUSR1)
    ok = wait_for(lambda: val(scrape(url)[0],
                              "authmilter_config_reloads_total",
                              result="applied") == 1)
    check("valid reload counted as applied", ok, d.text()[-500:])
    with open(conf, "a") as f:
        f.write("bogus = 1;\n")
    d.proc.send_signal(signal.SIGUSR1)
    ok = wait_for(lambda: val(scrape(url)[0],
                              "authmilter_config_reloads_total",
                              result="refused") == 1)
    check("invalid reload counted as refused", ok, d.text()[-500:])
    after = scrape(url)[0]
    check("errors_total{kind=reload} 1",
          val(after, "authmilter_errors_total", kind="reload") == 1, "")
    for act in ("accept", "reject"):
        x = val(before, "authmilter_messages_total", action=act)
        y = val(after, "authmilter_messages_total", action=act)
        check("messages_total{%s} survives reloads" % act,
              x is not None and x > 0 and y >= x, "%s %s" % (x, y))


LOAD = testlib.program("milterload")


def test_load(url, port, tmp):
    """Counters under concurrency: test/load/milterload, 8 connections."""
    if not os.access(LOAD, os.X_OK):
        check("milterload built (make)", False, LOAD)
        return
    d = os.path.join(tmp, "load")
    os.makedirs(d)
    for n in ("spf-only", "rejected"):
        ip, mailfrom, build, _, _ = opslib.MESSAGES[n]
        with open(os.path.join(d, n + ".eml"), "wb") as f:
            f.write(("X-Load-Client-IP: %s\nX-Load-Mail-From: %s\n"
                     % (ip, mailfrom)).encode() + build(None))
    a = scrape(url)[0]
    rc, out, err, problem, _ = testlib.run_timed(
        [LOAD, "-s", "inet:%d@127.0.0.1" % port, "-c", "8", "-n", "400",
         "-k", "5", d], 120)
    summary = dict(kv.split("=", 1) for kv in out.decode().split()
                   if "=" in kv)
    check("milterload ran without errors", rc == 0 and
          summary.get("errors") == "0", "%s %s %s" % (rc, problem, out))
    wait_for(lambda: val(scrape(url)[0],
                         "authmilter_connections_in_flight") == 0)
    b = scrape(url)[0]
    acc = delta(a, b, "authmilter_messages_total", action="accept")
    rej = delta(a, b, "authmilter_messages_total", action="reject")
    check("400 messages at concurrency 8: accept+reject = 400, as the "
          "client saw them", acc is not None and acc + rej == 400 and
          str(int(rej)) == summary.get("reject") and
          str(int(acc)) == summary.get("continue"),
          "accept %s reject %s client %s" % (acc, rej, summary))
    conns = delta(a, b, "authmilter_connections_total")
    check("connections_total moves by the client's connections",
          str(int(conns or 0)) == summary.get("connections"),
          "%s %s" % (conns, summary.get("connections")))
    check("no connection left in flight",
          val(b, "authmilter_connections_in_flight") == 0, "")


def rows(con):
    """Records in the SQLite store of CON (-1 before the schema)."""
    try:
        return con.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.OperationalError:
        return -1


def test_queue_depth(tmp, priv, pub):
    """The gauge reads the report store's queue: a second daemon with a
    SQLite store; while the test holds the database locked, the writer
    waits (busy timeout) and records queue up behind it."""
    port, mport = testlib.free_port(), testlib.free_port()
    db = os.path.join(tmp, "reports.db")
    spool = os.path.join(tmp, "spool")
    os.makedirs(spool)
    os.chmod(tmp, 0o777)
    os.chmod(spool, 0o777)
    extra = {"metrics": {"listen": "127.0.0.1:%d" % mport},
             "reports": {"store": "sqlite:" + db, "spool_dir": spool,
                         "email": "dmarc@ops.example"}}
    conf = os.path.join(tmp, "q.conf")
    opslib.write_conf(conf, port, pub, extra)
    url = "http://127.0.0.1:%d/metrics" % mport
    depth = lambda: val(scrape(url)[0], "authmilter_report_queue_depth")
    d = testlib.Daemon(opslib.DAEMON, conf, os.path.join(tmp, "q.log"))
    con = None
    try:
        if not d.wait_up():
            check("daemon with a report store starts", False, d.text())
            return
        opslib.send(port, "spf-only", priv, "Q0")   # creates the schema
        check("queue drains to 0 with the store free",
              wait_for(lambda: depth() == 0 and os.path.exists(db)), "")
        con = sqlite3.connect(db, timeout=5, isolation_level=None)
        # depth 0 says only that the writer took Q0: lock the file once
        # Q0 is committed, or the writer waits on the lock with Q0 and
        # Q1 stays queued
        check("Q0 reaches the store",
              wait_for(lambda: rows(con) == 1, 15), str(rows(con)))
        con.execute("BEGIN EXCLUSIVE")
        # Q1 is queued before its reply comes back; the gauge going to 0
        # says the writer took it and now waits on the lock (busy
        # timeout, 10 s). Only then are the next five sure to queue
        # behind it: a writer woken late takes everything queued so far.
        opslib.send(port, "spf-only", priv, "Q1")
        check("the writer takes the first record and waits on the lock",
              wait_for(lambda: depth() == 0, 5), str(depth()))
        for i in range(5):
            opslib.send(port, "spf-only", priv, "Q%d" % (i + 2))
        check("queue depth counts the 5 records behind a locked store",
              wait_for(lambda: depth() == 5, 5), str(depth()))
        con.execute("ROLLBACK")
        check("queue depth back to 0 when the lock goes",
              wait_for(lambda: depth() == 0, 15), str(depth()))
        check("and all 7 records reach the store",
              wait_for(lambda: rows(con) == 7, 15), str(rows(con)))
    finally:
        if con is not None:
            con.close()
        d.stop()


def held_conn(port, src):
    """A TCP connection from SRC (a loopback address) that sends nothing."""
    s = socket.socket()
    s.settimeout(10)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s, secs):
    """True once the server has closed S (EOF or reset), within SECS."""
    s.settimeout(max(secs, 0.01))
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def scrape_from(src, port):
    """The status of GET /metrics from SRC, or the error that stopped it."""
    c = HTTPConnection("127.0.0.1", port, timeout=10,
                                   source_address=(src, 0))
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        r.read()
        return r.status
    except (OSError, HTTPException) as e:
        return repr(e)
    finally:
        c.close()


IDLE_SOURCES = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


def test_idle_clients(mport):
    """Connections that send nothing cannot blind the scraper: 24 held
    from three addresses (8 each, the per-address limit; the old total
    limit was 16) leave room for a scrape, a ninth from one address is
    closed at once, and the server drops idle ones within seconds."""
    held, extra = [], []
    try:
        for src in IDLE_SOURCES:
            held += [held_conn(mport, src) for _ in range(8)]
        extra = [held_conn(mport, IDLE_SOURCES[0]) for _ in range(4)]
        check("more than 8 connections from one address: closed at once",
              all(closed_by_server(s, 5) for s in extra), "")
        st = scrape_from("127.0.0.1", mport)
        check("scrape succeeds while 24 idle connections are held",
              st == 200, str(st))
        end = time.monotonic() + 8
        open_ = [s for s in held
                 if not closed_by_server(s, end - time.monotonic())]
        check("the server closes idle connections within 8 s",
              not open_, "%d of %d still open" % (len(open_), len(held)))
        st = scrape_from(IDLE_SOURCES[0], mport)
        check("and their address may scrape again", st == 200, str(st))
    finally:
        for s in held + extra:
            s.close()


def run(tmp):
    priv, pub = opslib.make_key(tmp)
    port, mport = testlib.free_port(), testlib.free_port()
    dead = testlib.free_port()     # nothing listens there
    # every name outside local_data goes to the dead forwarder
    extra = {"metrics": {"listen": "127.0.0.1:%d" % mport},
             "dns": {"nameservers": ["127.0.0.1@%d" % dead], "timeout": 2}}
    conf = os.path.join(tmp, "a.conf")
    opslib.write_conf(conf, port, pub, extra)
    url = "http://127.0.0.1:%d/metrics" % mport
    d = testlib.Daemon(opslib.DAEMON, conf, os.path.join(tmp, "d.log"))
    try:
        up = d.wait_up()
        check("daemon starts with metrics.listen", up and
              "metrics.listen" not in d.text(), d.text()[-800:])
        if not up:
            return
        check("other paths 404", http(url[:-len("metrics")] + "x")[0] ==
              404, "")
        check("other methods 405", http(url, "POST")[0] == 405, "")
        before = test_traffic(url, port, priv)
        test_in_flight(url, port)
        test_dns_error(url, port)
        test_load(url, port, tmp)
        test_key_cache(url, port, priv)
        test_reload(url, d, conf, port, pub, extra, before)
        test_idle_clients(mport)
    finally:
        rc = d.stop()
    check("daemon stops cleanly", rc == 0, str(rc))
    check("metrics port closed after stop", not port_open(mport), "")
    test_queue_depth(tmp, priv, pub)


def port_open(p):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        run(tmp)
    print("metrics: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
