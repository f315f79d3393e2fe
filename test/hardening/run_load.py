#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Load and memory: the daemon under many concurrent milter connections
(test/load/milterload), or under valgrind memcheck.

    run_load.py [--conc 200] [--messages 5000] [--rounds 5] [-v] [--keep]
    run_load.py --valgrind [--messages 1000] [--conc 4]

Load mode checks: zero protocol errors and every message answered; no file
descriptor or thread leak (/proc/PID/fd and /proc/PID/task once the
connections are gone, against the idle daemon before the load); RSS flat
after warm-up (VmRSS after each round: the last no more than 10 % or
8 MB above the first round's). Round 0 is the warm-up; the load is split
over the rounds.

Valgrind mode runs the daemon under memcheck (--leak-check=full, the
suppressions of test/hardening/valgrind.supp, each a third-party library
with its reason), drives the messages through it, stops it with SIGTERM
and checks "ERROR SUMMARY: 0 errors" and no definitely, indirectly or
possibly lost bytes.

The corpus (built per run, DNS from dns.local_data, nothing leaves the
machine): SPF pass and fail, DKIM pass (RSA and ed25519), DMARC reject and
quarantine, an ARC-sealed list message, a forged A-R, two From domains,
a message with 300 header fields, one with a 200 KB body.

Prints "load: N passed, N failed" (or "valgrind: ...").
"""

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.path.insert(0, os.path.join(TOP, "test", "arc"))
sys.dont_write_bytecode = True

import arclib  # noqa: E402  (re-execs under /usr/bin/python3 if needed)
from arclib import crlf  # noqa: E402
import testlib  # noqa: E402

import dkim  # noqa: E402

DAEMON = testlib.program("authmilter")
LOAD = testlib.program("milterload")
SUPP = os.path.join(HERE, "valgrind.supp")

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


class Corpus(object):
    """Keys, DNS records and message files."""

    def __init__(self, d):
        self.dir = os.path.join(d, "msgs")
        os.makedirs(self.dir)
        rsa = arclib.make_key("rsa", 2048)
        ed = arclib.make_key("ed25519")
        self.records = {
            "good.example": "v=spf1 ip4:192.0.2.1 -all",
            "_dmarc.good.example": "v=DMARC1; p=reject",
            "bank.example": "v=spf1 ip4:192.0.2.99 -all",
            "_dmarc.bank.example": "v=DMARC1; p=reject",
            "shop.example": "v=spf1 ip4:192.0.2.99 -all",
            "_dmarc.shop.example": "v=DMARC1; p=quarantine",
            "list.example": "v=spf1 ip4:192.0.2.1 -all",
            "rsa._domainkey.good.example": rsa.record(),
            "ed._domainkey.good.example": ed.record(),
            "arc._domainkey.list.example": rsa.record(),
        }
        self.rsa, self.ed = rsa, ed
        n = 0
        for env, msg in self.messages():
            n += 1
            with open(os.path.join(self.dir, "m%02d.eml" % n), "wb") as f:
                f.write(env + msg)

    @staticmethod
    def base(author, subject, body=b"Hello.\r\n", extra=b""):
        return crlf("From: A <a@%s>\nTo: b@mx.example\nSubject: %s\n"
                    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
                    "Message-ID: <%s@%s>\n" % (author, subject, subject,
                                               author)) + extra + \
            b"\r\n" + body

    def sign(self, m, key, sel):
        pem, alg = key.pem, b"rsa-sha256"
        if key.kind == "ed25519":   # dkimpy takes the raw seed, base64
            from cryptography.hazmat.primitives import serialization as ser
            pem = base64.b64encode(key.private.private_bytes(
                ser.Encoding.Raw, ser.PrivateFormat.Raw,
                ser.NoEncryption()))
            alg = b"ed25519-sha256"
        return dkim.sign(m, sel.encode(), b"good.example", pem,
                         signature_algorithm=alg,
                         include_headers=[b"from", b"to", b"subject",
                                          b"date"]) + m

    def messages(self):
        def env(ip, mf):
            return ("X-Load-Client-IP: %s\nX-Load-Helo: mail.%s\n"
                    "X-Load-Mail-From: <x@%s>\n" % (ip, mf, mf)).encode()
        ok = env("192.0.2.1", "good.example")
        bad = env("192.0.2.66", "bank.example")
        yield ok, self.sign(self.base("good.example", "rsa"), self.rsa, "rsa")
        yield ok, self.sign(self.base("good.example", "ed"), self.ed, "ed")
        yield bad, self.base("bank.example", "reject")
        yield env("192.0.2.66", "shop.example"), self.base("shop.example",
                                                           "quarantine")
        yield ok, self.base("good.example", "forged", extra=crlf(
            "Authentication-Results: mx.load.example; dmarc=pass\n"))
        yield ok, self.base("good.example", "twofrom").replace(
            b"From: A <a@good.example>", b"From: a@good.example, b@bank.example")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(300))
        yield ok, self.sign(self.base("good.example", "many", extra=many),
                            self.rsa, "rsa")
        yield ok, self.sign(self.base("good.example", "big",
                                      body=b"0123456789abcdef" * 12800),
                            self.rsa, "rsa")
        m = self.sign(self.base("good.example", "listed"), self.rsa, "rsa")
        ar = b"Authentication-Results: list.example; arc=none; dkim=pass\r\n"
        sealed = b"".join(arclib.dkimpy_arc_sign(
            ar + m, "arc", "list.example", self.rsa.pem, "list.example",
            ["from", "to", "subject", "date"])) + m
        yield env("192.0.2.1", "list.example"), sealed


def write_conf(path, port, records):
    testlib.write_config(path, {
        "authserv_id": "mx.load.example",
        "milter": {"socket": "inet:%d@127.0.0.1" % port, "user": "nobody"},
        "dns": {"local_zones": [". static"],
                "local_data": arclib.local_data_lines(records)},
        "policy": {"trusted_networks": []},
    })


def proc_counts(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    tasks = len(os.listdir("/proc/%d/task" % pid))
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return fds, tasks, rss


def settle(pid, want_tasks=None, secs=20):
    """Wait until the connection threads are gone: the thread count is at
    most WANT_TASKS (None: stays the same for a second), or SECS pass."""
    end = time.time() + secs
    counts = proc_counts(pid)
    same_since = time.time()
    while time.time() < end:
        if want_tasks is not None and counts[1] <= want_tasks:
            break
        if want_tasks is None and time.time() - same_since >= 1.0:
            break
        time.sleep(0.2)
        now = proc_counts(pid)
        if now[1] != counts[1]:
            same_since = time.time()
        counts = now
    return counts


def fd_kinds(pid):
    """What the descriptors are, for the log: socket, pipe, file names."""
    out = []
    for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            out.append(re.sub(r":\[\d+\]", "", os.readlink(
                "/proc/%d/fd/%s" % (pid, fd))))
        except OSError:
            pass
    return " ".join(out)


def milterload(port, conc, n, msgdir, timeout):
    p = subprocess.run([LOAD, "-s", "inet:%d@127.0.0.1" % port, "-c",
                        str(conc), "-n", str(n), "-t", "60", msgdir],
                       capture_output=True, timeout=timeout)
    out = p.stdout.decode() + p.stderr.decode()
    summary = [x for x in out.splitlines() if x.startswith("milterload:")]
    return p.returncode, summary[-1] if summary else out[-2000:]


def field(summary, name):
    m = re.search(r"\b%s=([0-9.]+)" % name, summary)
    return float(m.group(1)) if m else None


def run_load(args, corpus, tmp):
    port = testlib.free_port()
    conf = os.path.join(tmp, "load.conf")
    write_conf(conf, port, corpus.records)
    d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, "daemon.log"))
    try:
        if not d.wait_up():
            check("daemon starts", False, d.text())
            return
        pid = d.proc.pid
        fd0, task0, rss0 = settle(pid)
        print("idle before any message: fds=%d threads=%d rss=%d kB" % (
            fd0, task0, rss0))
        # the rounds share the messages; the last takes the remainder
        per = [max(1, args.messages // (args.rounds + 1))] * args.rounds
        per.append(max(1, args.messages - sum(per)))
        rss = []
        errors = total = 0
        base = None
        for rnd in range(args.rounds + 1):
            rc, summary = milterload(port, args.conc, per[rnd], corpus.dir,
                                     args.timeout)
            # the warm-up round sets the baseline; then it must not grow
            fds, tasks, r = settle(pid, None if rnd == 0 else base[1])
            if rnd == 0:
                base = (fds, tasks)
                print("after warm-up: %s" % fd_kinds(pid))
            rss.append(r)
            total += int(field(summary, "messages") or 0)
            errors += int(field(summary, "errors") or 0) + (rc != 0)
            print("round %d: %s\n  after: fds=%d threads=%d rss=%d kB" % (
                rnd, summary, fds, tasks, r))
            if not d.alive():
                break
        check("daemon alive after %d messages" % total, d.alive(), d.text())
        check("zero protocol errors, %d of %d messages answered" % (
            total, sum(per)), errors == 0 and total == sum(per),
            "errors=%d" % errors)
        fds, tasks, r = settle(pid, base[1])
        check("no fd leak: %d after warm-up, %d at the end" % (base[0], fds),
              fds <= base[0], "fds %d -> %d: %s" % (base[0], fds,
                                                     fd_kinds(pid)))
        check("no thread leak: %d after warm-up, %d at the end" % (
            base[1], tasks), tasks <= base[1],
            "threads %d -> %d" % (base[1], tasks))
        grow = rss[-1] - rss[1] if len(rss) > 2 else 0
        if not args.no_rss:
            check("RSS flat after warm-up: %s kB" % " ".join(map(str, rss)),
                  len(rss) > 2 and grow <= max(8192, rss[1] // 10),
                  "grew %d kB" % grow)
    finally:
        d.stop()


def valgrind_summary(text):
    errs = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
    lost = {k: re.findall(r"%s lost: ([\d,]+) bytes" % k, text)
            for k in ("definitely", "indirectly", "possibly")}
    return errs, lost


def run_valgrind(args, corpus, tmp):
    if shutil.which("valgrind") is None:
        check("valgrind installed", False, "apt-get install valgrind")
        return
    port = testlib.free_port()
    conf = os.path.join(tmp, "vg.conf")
    write_conf(conf, port, corpus.records)
    vlog = os.path.join(tmp, "valgrind.log")
    vg = ["valgrind", "--tool=memcheck", "--leak-check=full",
          "--show-leak-kinds=definite,indirect,possible",
          "--errors-for-leak-kinds=definite,indirect,possible",
          "--track-origins=no", "--num-callers=30", "--trace-children=no",
          "--suppressions=" + SUPP, "--log-file=" + vlog]
    d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, "daemon.log"),
                       wrapper=vg)
    try:
        up = d.wait_up(120)
        check("daemon starts under valgrind", up, d.text()[-2000:])
        if not up:
            return
        t0 = time.time()
        rc, summary = milterload(port, args.conc, args.messages, corpus.dir,
                                 args.timeout)
        print("%s (%.0f s)" % (summary, time.time() - t0))
        check("%d messages, zero protocol errors" % args.messages, rc == 0
              and field(summary, "messages") == args.messages and
              field(summary, "errors") == 0, summary)
    finally:
        code = d.stop(120)
    check("daemon stops on SIGTERM under valgrind", code is not None,
          "had to be killed")
    text = open(vlog, errors="replace").read()
    errs, lost = valgrind_summary(text)
    check("memcheck: 0 errors", errs and all(e == "0" for e in errs),
          "ERROR SUMMARY %s; see %s" % (errs, vlog))
    for kind, vals in lost.items():
        check("memcheck: nothing %s lost" % kind,
              all(v.replace(",", "") == "0" for v in vals),
              "%s lost: %s" % (kind, vals))
    if failed:
        print(text[-6000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("--conc", type=int)
    ap.add_argument("--messages", type=int)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-rss", action="store_true",
                    help="no RSS check (sanitizer builds hold freed memory)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    if args.conc is None:
        args.conc = 4 if args.valgrind else 200
    if args.messages is None:
        args.messages = 1000 if args.valgrind else 5000
    tmp = tempfile.mkdtemp(prefix="load.")
    os.chmod(tmp, 0o755)     # the daemon runs as nobody
    name = "valgrind" if args.valgrind else "load"
    try:
        corpus = Corpus(tmp)
        if args.valgrind:
            run_valgrind(args, corpus, tmp)
        else:
            run_load(args, corpus, tmp)
    finally:
        testlib.remove_tmp(tmp, args.keep)
    print("%s: %d passed, %d failed" % (name, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
