#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench.py - the benchmark itself; run.sh starts it in a private network
and mount namespace (so NSD can own 127.0.0.1:53 and the incumbents' stub
resolvers can be pointed at it without touching the host).

    bench.py [--messages N] [--reps 3] [--only NAME,...] [--out FILE] WORKDIR

WORKDIR/corpus must hold what gencorpus.py wrote. Everything else (NSD,
Postfix, smtp-sink, the milters) is started under WORKDIR and stopped by
pid at the end. Results go to --out as Markdown and to stdout.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
from testlib import free_port, program  # noqa: E402
DAEMON = program("authmilter")
MILTERLOAD = program("milterload")
TICK = os.sysconf("SC_CLK_TCK")
STARTED = []            # (name, Popen) we stop at the end, by pid


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)




def wait_listen(port, secs=20):
    want = "0100007F:%04X" % port
    end = time.monotonic() + secs
    while time.monotonic() < end:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                x = line.split()
                if x[1] == want and x[3] == "0A":
                    return True
        time.sleep(0.05)
    return False


def wait_path(path, secs=20):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def start(name, cmd, logfile, **kw):
    p = subprocess.Popen(cmd, stdout=open(logfile, "ab"),
                         stderr=subprocess.STDOUT, **kw)
    STARTED.append((name, p))
    return p


def stop(p, secs=15):
    if p.poll() is not None:
        return p.returncode
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(secs)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait(5)


def stop_all():
    while STARTED:
        _, p = STARTED.pop()
        stop(p)


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        x = f.read().rsplit(")", 1)[1].split()
    return (int(x[11]) + int(x[12])) / TICK


def hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# --------------------------------------------------------------------------
# DNS: NSD serving the corpus zone on 127.0.0.1:53 of our namespace

def start_dns(work):
    d = os.path.join(work, "nsd")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(work, "corpus", "example.zone"), d)
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w") as f:
        f.write('server:\n  ip-address: 127.0.0.1\n  port: 53\n'
                '  username: ""\n  zonesdir: "%s"\n  database: ""\n'
                '  pidfile: "%s/nsd.pid"\n  xfrdfile: "%s/xfrd.state"\n'
                '  zonelistfile: "%s/zone.list"\n  logfile: "%s/nsd.log"\n'
                '  server-count: 1\n  verbosity: 0\n'
                'remote-control:\n  control-enable: no\n'
                'zone:\n  name: "example."\n  zonefile: "example.zone"\n'
                % (d, d, d, d, d))
    p = start("nsd", ["nsd", "-d", "-c", conf], os.path.join(d, "out.log"))
    if not wait_listen(53):
        raise SystemExit("nsd did not start: see %s" % d)
    out = subprocess.run(["dig", "+short", "@127.0.0.1", "TXT",
                          "_dmarc.s1.example"], capture_output=True, text=True,
                         timeout=10).stdout
    if "DMARC1" not in out:
        raise SystemExit("nsd does not answer from the zone: %r" % out)
    with open(os.path.join(work, "resolv.conf"), "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:2\n")
    # only inside our mount namespace (run.sh made it private)
    subprocess.run(["mount", "--bind", os.path.join(work, "resolv.conf"),
                    "/etc/resolv.conf"], check=True)
    return p


# --------------------------------------------------------------------------
# Postfix: a private instance, spool in WORKDIR (a tmpfs, see run.sh)

MAIN_CF = """compatibility_level = 3.6
config_directory = {etc}
queue_directory = {dir}/spool
data_directory = {dir}/data
syslog_name = postfix-bench
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
myhostname = mx.bench.test
mydomain = bench.test
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled
alias_maps =
alias_database =
relayhost = [127.0.0.1]:{sink}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8 198.51.100.0/24
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
append_dot_mydomain = no
biff = no
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_milters = {milters}
milter_default_action = tempfail
milter_protocol = 6
smtp_tls_security_level = none
smtpd_tls_security_level = none
default_process_limit = 200
"""

with open(os.path.join(TOP, "test", "e2e", "master.cf.services")) as _f:
    MASTER_CF = "127.0.0.1:{port} inet n - n - - smtpd\n" + _f.read()


class Postfix(object):
    def __init__(self, work, sink, milters):
        self.dir = os.path.join(work, "postfix")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.etc = os.path.join(self.dir, "etc")
        for sub in ("etc", "spool", "data"):
            os.makedirs(os.path.join(self.dir, sub))
        os.chmod(self.dir, 0o755)
        shutil.chown(os.path.join(self.dir, "data"), "postfix", "postfix")
        self.port = free_port()
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(etc=self.etc, dir=self.dir, sink=sink,
                                   milters=milters))
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))
        for c in ("check", "start"):
            r = subprocess.run(["postfix", "-c", self.etc, c],
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                raise SystemExit("postfix %s: %s" % (c, r.stderr))
        if not wait_listen(self.port):
            raise SystemExit("postfix smtpd does not listen")

    def queued(self):
        n = 0
        for q in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.dir, "spool", q)):
                n += len(files)
        return n

    def wait_empty(self, secs=600):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            if self.queued() == 0:
                return time.monotonic()
            time.sleep(0.05)
        return None

    def sent(self):
        with open(os.path.join(self.dir, "maillog"), errors="replace") as f:
            return sum(1 for ln in f if "status=sent" in ln)

    def stop(self):
        subprocess.run(["postfix", "-c", self.etc, "stop"],
                       capture_output=True, timeout=60)
        pidf = os.path.join(self.dir, "spool", "pid", "master.pid")
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                pid = int(open(pidf).read().strip())
                os.kill(pid, 0)
            except (OSError, ValueError):
                return
            time.sleep(0.1)


# --------------------------------------------------------------------------
# the milters

AM_CONF = """authserv_id = "mx.bench.test";
milter = {{ socket = "{sock}"; user = "nobody"; umask = 0000; }};
dns = {{ nameservers = [ "127.0.0.1" ]; dnssec = false; }};
arc = {{ verify = true;{seal} }};
policy = {{ trusted_networks = [ "192.0.2.1/32" ]; }};
log = {{ level = "{level}"; }};
"""
AM_SEAL = """ seal = { enabled = true; domain = "seal.example"; selector = "a";
  key_file = "%s"; algorithm = "%s"; };"""


def start_authmilter(work, sock_kind, seal):
    d = os.path.join(work, "authmilter")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    if sock_kind == "unix":
        path = os.path.join(d, "am.sock")
        sock, pf = "unix:" + path, "unix:" + path
    else:
        port = free_port()
        sock, pf = "inet:%d@127.0.0.1" % port, "inet:127.0.0.1:%d" % port
    key = os.path.join(d, "seal.pem")
    alg = "rsa-sha256"
    if seal == "ed25519":
        # RFC 8617 names only rsa-sha256; measured to show what the RSA
        # signatures cost (nobody verifies these seals here)
        alg = "ed25519-sha256"
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519",
                        "-out", key], check=True, capture_output=True)
    else:
        shutil.copy(os.path.join(work, "corpus", "seal.pem"), key)
    shutil.chown(key, "nobody")
    os.chmod(key, 0o600)
    conf = os.path.join(d, "authmilter.conf")
    with open(conf, "w") as f:
        f.write(AM_CONF.format(sock=sock, seal=AM_SEAL % (key, alg) if seal
                               else "",
                               level=os.environ.get("BENCH_AM_LOG", "info")))
    logf = os.path.join(d, "authmilter.log")
    open(logf, "w").close()
    p = start("authmilter", [DAEMON, "-f", "-c", conf], logf)
    ok = wait_path(path) if sock_kind == "unix" else wait_listen(port)
    if not ok:
        raise SystemExit("authmilter did not start: %s" % open(logf).read())
    return [("authmilter", p)], pf, sock, logf


# The chain as Debian 12 ships it (/etc/opendkim.conf, /etc/opendmarc.conf:
# Canonicalization relaxed/simple, OversignHeaders From, UMask 007/0002,
# local sockets), with what a benchmark must change: no syslog (there is
# no syslogd in the namespace, and authmilter's log goes to a file), our
# AuthservID, the namespace's paths, no TrustAnchorFile (the namespace has
# no signed root), Mode v and SPF checked by opendmarc so that the chain
# does the checks authmilter does.
OPENDKIM_CONF = """Syslog no
Mode v
Canonicalization relaxed/simple
OversignHeaders From
UMask 000
Socket {sock}
AuthservID mx.bench.test
InternalHosts {dir}/internal
PidFile {dir}/opendkim.pid
UserID nobody
Background no
"""
OPENDMARC_CONF = """Syslog false
UMask 000
Socket {sock}
AuthservID mx.bench.test
TrustedAuthservIDs mx.bench.test
IgnoreHosts {dir}/internal
SPFSelfValidate true
SPFIgnoreResults true
RejectFailures false
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
PidFile {dir}/opendmarc.pid
UserID nobody
Background false
"""


def start_chain(work, sock_kind):
    """opendkim then opendmarc, each on a SOCK_KIND ("unix" or "inet")
    socket; the processes and Postfix's smtpd_milters value."""
    d = os.path.join(work, "chain")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)
    with open(os.path.join(d, "internal"), "w") as f:
        f.write("192.0.2.1\n")
    procs, pf = [], []
    for name, tmpl, flag in (("opendkim", OPENDKIM_CONF, "-x"),
                             ("opendmarc", OPENDMARC_CONF, "-c")):
        if sock_kind == "unix":
            path = os.path.join(d, name + ".sock")
            sock, where = "local:" + path, "unix:" + path
        else:
            port = free_port()
            sock = "inet:%d@127.0.0.1" % port
            where = "inet:127.0.0.1:%d" % port
        conf = os.path.join(d, name + ".conf")
        with open(conf, "w") as f:
            f.write(tmpl.format(sock=sock, dir=d))
        p = start(name, [name, "-f", flag, conf],
                  os.path.join(d, name + ".log"))
        up = (wait_path(path) if sock_kind == "unix" else
              wait_listen(port))
        if not up:
            raise SystemExit("%s did not start: %s" % (
                name, open(os.path.join(d, name + ".log")).read()))
        procs.append((name, p))
        pf.append(where)
    return procs, ",".join(pf)


# --------------------------------------------------------------------------
# runs

def smtp_run(pfx, corpus, conc, n):
    before = pfx.sent()
    r = subprocess.run([sys.executable, os.path.join(HERE, "smtpload.py"),
                        "-p", str(pfx.port), "-c", str(conc), "-n", str(n), "-x",
                        os.path.join(corpus, "msgs")],
                       capture_output=True, text=True, timeout=3600)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    t_end = pfx.wait_empty()
    res["end_to_end_s"] = (t_end - res["t0"]) if t_end else None
    res["e2e_rate"] = n / res["end_to_end_s"] if t_end else 0
    # the log lags the queue a little
    for _ in range(100):
        if pfx.sent() - before >= res["sent"]:
            break
        time.sleep(0.1)
    res["delivered"] = pfx.sent() - before
    return res


def med(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return "%.1f (%.1f-%.1f)" % (statistics.median(xs), min(xs), max(xs))


def verdict_summary(logf):
    """Counts of the results in authmilter's verdict lines: proof the
    checks ran (and what they found)."""
    c = {}
    with open(logf, errors="replace") as f:
        for ln in f:
            if "negotiated" in ln and "negotiated" not in c:
                c["negotiated"] = ln.strip()[-80:]
            for m in re.finditer(r"\b(spf|dkim|dmarc|arc)=(\w+)", ln):
                k = "%s=%s" % m.groups()
                c[k] = c.get(k, 0) + 1
    return c


def config_runs(work, a, name, rows, extra):
    corpus = os.path.join(work, "corpus")
    sink_port = free_port()
    sink = start("smtp-sink", ["smtp-sink", "-u", "nobody",
                               "127.0.0.1:%d" % sink_port, "1024"],
                 os.path.join(work, "smtp-sink.log"))
    wait_listen(sink_port)
    procs, milters, logf = [], "", None
    if name.startswith("chain"):
        procs, milters = start_chain(work,
                                     "unix" if "unix" in name else "inet")
    elif name.startswith("authmilter"):
        procs, milters, _, logf = start_authmilter(
            work, "unix" if "unix" in name else "inet",
            "ed25519" if "ed25519" in name else "seal" in name)
    pfx = Postfix(work, sink_port, milters)
    try:
        # warm-up: caches, Postfix process pool
        smtp_run(pfx, corpus, 10, min(200, a.messages))
        for conc in (10, 50):
            runs = []
            for rep in range(a.reps):
                c0 = {n: cpu_s(p.pid) for n, p in procs}
                res = smtp_run(pfx, corpus, conc, a.messages)
                res["cpu"] = {n: cpu_s(p.pid) - c0[n] for n, p in procs}
                res["load"] = os.getloadavg()[0]
                runs.append(res)
                log(name, "c=%d" % conc, "rep", rep + 1,
                    "%.1f msg/s e2e" % res["e2e_rate"],
                    "errors=%d delivered=%d" % (res["errors"],
                                                res["delivered"]),
                    json.dumps(res["cpu"]))
            rows.append((name, conc, runs))
        extra[name] = {"hwm_kb": {n: hwm_kb(p.pid) for n, p in procs},
                       "verdicts": verdict_summary(logf) if logf else None}
    finally:
        pfx.stop()
        for n, p in procs:
            stop(p)
            STARTED.remove((n, p))
        stop(sink)
        STARTED.remove(("smtp-sink", sink))


def milterload_runs(work, a, out):
    """authmilter alone, driven by test/load/milterload."""
    if not os.access(MILTERLOAD, os.X_OK):
        out.append("milterload not built (%s): skipped" % MILTERLOAD)
        return
    corpus = os.path.join(work, "corpus", "msgs")
    for kind in ("inet", "unix"):
        procs, _, sock, logf = start_authmilter(work, kind, False)
        pid = procs[0][1].pid
        sockarg = sock if kind == "unix" else "inet:%s@127.0.0.1" % \
            sock.split(":")[1].split("@")[0]
        try:
            subprocess.run([MILTERLOAD, "-s", sockarg, "-c", "8", "-n",
                            str(min(500, a.messages)), corpus],
                           capture_output=True, timeout=600)
            for conc in (1, 8, 32, 64):
                for rep in range(a.reps):
                    c0 = cpu_s(pid)
                    t0 = time.monotonic()
                    r = subprocess.run(
                        [MILTERLOAD, "-s", sockarg, "-c", str(conc), "-n",
                         str(a.messages), corpus],
                        capture_output=True, text=True, timeout=3600)
                    t = time.monotonic() - t0
                    cpu = cpu_s(pid) - c0
                    line = (r.stdout.strip().splitlines() or ["?"])[-1]
                    # milterload's own rate: its clock starts after it has
                    # read the corpus
                    m = re.search(r"rate=([0-9.]+)/s", line)
                    out.append({"socket": kind, "conc": conc, "rep": rep + 1,
                                "rc": r.returncode, "wall": t,
                                "rate": float(m.group(1)) if m else 0,
                                "cpu_ms_per_msg": 1000 * cpu / a.messages,
                                "summary": line, "load": os.getloadavg()[0]})
                    log("milterload", kind, "c=%d" % conc,
                        "%.0f msg/s" % out[-1]["rate"],
                        "%.3f ms CPU/msg" % (1000 * cpu / a.messages), line)
            out.append({"socket": kind, "hwm_kb": hwm_kb(pid)})
        finally:
            stop(procs[0][1])
            STARTED.remove(procs[0])


def profile_run(work, a, out):
    """perf record of authmilter (all checks, inet) under milterload -c 8;
    the flat profile (self time, by symbol and by library) goes to OUT."""
    corpus = os.path.join(work, "corpus", "msgs")
    procs, _, sock, _ = start_authmilter(work, "inet",
                                         bool(os.environ.get("BENCH_SEAL")))
    pid = procs[0][1].pid
    sockarg = "inet:%s@127.0.0.1" % sock.split(":")[1].split("@")[0]
    data = os.path.join(work, "perf.data")
    try:
        subprocess.run([MILTERLOAD, "-s", sockarg, "-c", "8", "-n", "300",
                        corpus], capture_output=True, timeout=600)
        perf = subprocess.Popen(["perf", "record", "-F", "1999"] + os.environ.get("BENCH_PERF_G", "-g").split() + ["-o",
                                 data, "-p", str(pid)],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(1)
        c0 = cpu_s(pid)
        r = subprocess.run([MILTERLOAD, "-s", sockarg, "-c", "8", "-n",
                            str(a.messages), corpus], capture_output=True,
                           text=True, timeout=3600)
        cpu = cpu_s(pid) - c0
        perf.send_signal(signal.SIGINT)
        perf.wait(120)
        out.append("milterload: %s" % r.stdout.strip().splitlines()[-1])
        out.append("authmilter CPU: %.3f ms per message" %
                   (1000 * cpu / a.messages))
        with open("/proc/%d/status" % pid) as f:
            out.append(" ".join(ln.strip() for ln in f
                                if "ctxt_switches" in ln))
        for sort in ("dso", "dso,sym"):
            rep = subprocess.run(["perf", "report", "-i", data, "--stdio",
                                  "--no-children", "--percent-limit", "1",
                                  "-g", "none", "--sort", sort],
                                 capture_output=True, text=True, timeout=600)
            out.append("\n".join(ln for ln in rep.stdout.splitlines()
                                 if ln.strip() and not ln.startswith("#")))
        if os.environ.get("BENCH_PERF_DATA"):
            shutil.copy(data, os.environ["BENCH_PERF_DATA"])
        if os.environ.get("BENCH_CALLERS"):
            rep = subprocess.run(["perf", "report", "-i", data, "--stdio",
                                  "--children", "--percent-limit", "4",
                                  "-g", "caller,2,callee", "--sort", "sym"],
                                 capture_output=True, text=True, timeout=600)
            out.append("\n".join(rep.stdout.splitlines()[:400]))
    finally:
        stop(procs[0][1])
        STARTED.remove(procs[0])


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def soak_run(work, a, out):
    """RSS of authmilter (every check, unix socket) after a 10,000-message
    warm-up and after 100,000 messages in all, milterload -c 8."""
    corpus = os.path.join(work, "corpus", "msgs")
    procs, _, sock, _ = start_authmilter(work, "unix", False)
    pid = procs[0][1].pid
    try:
        done = 0
        for n in (10000, 30000, 30000, 30000):
            r = subprocess.run([MILTERLOAD, "-s", sock, "-c", "8", "-n",
                                str(n), corpus], capture_output=True,
                               text=True, timeout=3600)
            done += n
            line = (r.stdout.strip().splitlines() or ["?"])[-1]
            out.append("after %6d messages: VmRSS %d KB, VmHWM %d KB "
                       "(milterload rc %d, %s)" % (
                           done, rss_kb(pid), hwm_kb(pid), r.returncode,
                           " ".join(line.split()[1:3])))
            log("soak", out[-1])
    finally:
        stop(procs[0][1])
        STARTED.remove(procs[0])


def crypto_floor(corpus_json):
    r = subprocess.run(["openssl", "speed", "-seconds", "2", "-mr", "rsa2048",
                        "ed25519", "sha256"], capture_output=True,
                       text=True, timeout=300)
    rsa_sign = rsa_v = ed_v = ed_sign = sha = None
    for ln in r.stdout.splitlines():
        x = ln.split(":")
        # OpenSSL 3 -mr: operations per second
        if ln.startswith("+F2:") and x[2] == "2048":      # rsa: sign, verify
            rsa_sign, rsa_v = float(x[3]), float(x[4])
        elif ln.startswith("+F6:") and "Ed25519" in ln:   # sign, verify
            ed_sign, ed_v = float(x[4]), float(x[5])
        elif ln.startswith("+F:") and x[2] == "sha256":
            sha = float(x[-1])                            # biggest block, B/s
    c = corpus_json
    n = c["messages"]
    floor = (c["floor_rsa2048_verifies"] / rsa_v +
             c["floor_ed25519_verifies"] / ed_v +
             c["floor_sha256_body_bytes"] / sha) / n
    return {"rsa2048_sign_per_s": rsa_sign, "rsa2048_verify_per_s": rsa_v,
            "ed25519_verify_per_s": ed_v, "ed25519_sign_per_s": ed_sign,
            "sha256_bytes_per_s": sha, "floor_ms_per_msg": 1000 * floor,
            "floor_seal_ms_per_msg": 1000 * (floor + 2 / rsa_sign),
            "raw": r.stdout}


def report(a, rows, extra, ml, floor, corpus_json, started, loads):
    o = []
    o.append("## Run of %s\n" % time.strftime("%Y-%m-%d %H:%M UTC",
                                              time.gmtime(started)))
    o.append("Corpus: %s\n" % json.dumps(corpus_json))
    o.append("Messages per run: %d; repetitions: %d; load average at start "
             "%.2f, at end %.2f (other jobs share the machine).\n"
             % (a.messages, a.reps, loads[0], os.getloadavg()[0]))
    o.append("### Through Postfix (smtpload -> Postfix -> smtp-sink)\n")
    o.append("median (min-max) of the runs; msg/s end to end = messages / "
             "(first connect .. queue empty); CPU = utime+stime of each "
             "milter process per 1,000 messages.\n")
    o.append("| configuration | conc | msg/s end to end | SMTP accept msg/s "
             "| milter CPU s / 1000 msgs | errors | load avg |")
    o.append("|---|---|---|---|---|---|---|")
    base, chain = {}, {}
    for name, conc, runs in rows:
        e2e = [r["e2e_rate"] for r in runs]
        if name == "postfix":
            base[conc] = statistics.median(e2e)
        names = sorted({k for r in runs for k in r["cpu"]})
        cpu = "; ".join("%s %s" % (n, med([1000 * r["cpu"][n] / a.messages
                                           for r in runs])) for n in names)
        if len(names) > 1:
            cpu += "; sum %s" % med([1000 * sum(r["cpu"].values()) /
                                     a.messages for r in runs])
        if name.startswith("chain"):
            chain[(name.split("-")[-1], conc)] = statistics.median(e2e)
        rel = ""
        if name != "postfix" and conc in base:
            rel = " = %.2fx Postfix alone" % (statistics.median(e2e) /
                                              base[conc])
        kind = name.split("-")[-1]
        if name.startswith("authmilter") and (kind, conc) in chain:
            rel += ", %.2fx chain-%s" % (statistics.median(e2e) /
                                         chain[(kind, conc)], kind)
        o.append("| %s | %d | %s%s | %s | %s | %d | %s |" % (
            name, conc, med(e2e), rel, med([r["rate"] for r in runs]),
            cpu or "-", sum(r["errors"] for r in runs),
            med([r["load"] for r in runs])))
    o.append("\nPeak RSS (VmHWM) at the end of each configuration, and what "
             "authmilter found (its verdict lines):\n")
    for name, e in extra.items():
        o.append("- %s: %s; %s" % (name, ", ".join(
            "%s %d KB" % kv for kv in e["hwm_kb"].items()) or "-",
            json.dumps(e["verdicts"]) if e["verdicts"] else ""))
    o.append("\n### authmilter alone (test/load/milterload)\n")
    o.append("| socket | conc | msg/s | CPU ms / msg | x crypto floor | "
             "load avg |")
    o.append("|---|---|---|---|---|---|")
    groups = {}
    for r in ml:
        if isinstance(r, dict) and "conc" in r:
            groups.setdefault((r["socket"], r["conc"]), []).append(r)
    for (kind, conc), rs in groups.items():
        cpu = [r["cpu_ms_per_msg"] for r in rs]
        o.append("| %s | %d | %s | %s | %.1fx | %s |" % (
            kind, conc, med([r["rate"] for r in rs]),
            "%.3f (%.3f-%.3f)" % (statistics.median(cpu), min(cpu),
                                  max(cpu)),
            statistics.median(cpu) / floor["floor_ms_per_msg"],
            med([r["load"] for r in rs])))
    for r in ml:
        if isinstance(r, str):
            o.append("\n" + r)
        elif "hwm_kb" in r:
            o.append("\n- milterload %s: authmilter VmHWM %d KB" %
                     (r["socket"], r["hwm_kb"]))
        elif r["rep"] == 1:
            o.append("\n- %s c=%d milterload: `%s`" % (r["socket"], r["conc"],
                                                      r["summary"]))
    o.append("\n### Crypto floor (openssl speed -seconds 2)\n")
    o.append("RSA-2048 verify %.0f/s, sign %.0f/s; ed25519 verify %.0f/s; "
             "SHA-256 %.0f MB/s (16 KB blocks). Least CPU the corpus needs "
             "per message (its verifies and one body hash): **%.4f ms**; "
             "with ARC sealing (+2 RSA-2048 signs): %.4f ms.\n" % (
                 floor["rsa2048_verify_per_s"], floor["rsa2048_sign_per_s"],
                 floor["ed25519_verify_per_s"],
                 floor["sha256_bytes_per_s"] / 1e6,
                 floor["floor_ms_per_msg"], floor["floor_seal_ms_per_msg"]))
    for name, conc, runs in rows:
        if name.startswith(("authmilter", "chain")):
            cpu = statistics.median([sum(r["cpu"].values()) / a.messages
                                     for r in runs]) * 1000
            o.append("- %s c=%d: %.3f ms CPU per message = %.1fx the floor"
                     % (name, conc, cpu, cpu / floor["floor_ms_per_msg"]))
    return "\n".join(o) + "\n"


# what runs through Postfix, in this order: like with like, the headline
# on unix sockets (as Debian ships the chain), inet as a second table
CONFIGS = ("postfix", "chain-unix", "authmilter-unix", "chain-inet",
           "authmilter-inet", "authmilter-seal-unix",
           "authmilter-seal-ed25519-unix")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--messages", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default=",".join(CONFIGS) + ",milterload")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    started = time.time()
    loads = os.getloadavg()
    corpus_json = json.load(open(os.path.join(a.work, "corpus",
                                              "corpus.json")))
    a.messages = a.messages or corpus_json["messages"]
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(1))
    rows, extra, ml = [], {}, []
    try:
        start_dns(a.work)
        want = a.only.split(",")
        if want not in (["profile"], ["soak"]):
            floor = crypto_floor(corpus_json)
            log("crypto floor %.4f ms/msg" % floor["floor_ms_per_msg"])
        for name in CONFIGS:
            if name in want:
                config_runs(a.work, a, name, rows, extra)
        if "milterload" in want:
            milterload_runs(a.work, a, ml)
        for name, fn in (("soak", soak_run), ("profile", profile_run)):
            if name in want:
                lines = []
                fn(a.work, a, lines)
                text = "\n".join(lines)
                print(text)
                if a.out:
                    with open(a.out, "w") as f:
                        f.write(text + "\n")
                return
    finally:
        stop_all()
    text = report(a, rows, extra, ml, floor, corpus_json, started, loads)
    with open(os.path.join(a.work, "raw.json"), "w") as f:
        json.dump({"rows": rows, "extra": extra, "milterload": ml,
                   "floor": floor}, f, indent=1, default=str)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
