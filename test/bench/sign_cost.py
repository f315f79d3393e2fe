#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""CPU per message of DKIM signing, beside verifying (not a test: a
measurement for RESULTS.md).

Starts authmilter -f with keys made by authmilter-keygen (rsa-sha256 2048
bits, ed25519-sha256) and sends N copies of one message through
test/load/milterload from a trusted client (signed, not checked); the
daemon's own CPU time (utime + stime from /proc) over the N messages is
the cost.  The same message from an author without a key is the baseline
(the same path, no signature), so "signing" is the difference.  Then a
second daemon, with only DKIM verification on (SPF, DMARC, ARC off, keys
from dns.local_data), receives the signed messages from an untrusted
client: the cost of verifying the same signatures, beside.

    test/bench/sign_cost.py [-n 2000] [-r 3] [-c 4] [--kb 4]

Prints one line per case: CPU ms per message (median of R runs, min-max),
and the difference to its baseline.  Run as root (the daemon drops to
nobody); loopback only; keys are made for the run.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
import testlib  # noqa: E402

DAEMON = os.path.join(TOP, "milter", "authmilter")
KEYGEN = os.path.join(TOP, "keygen", "authmilter-keygen")
LOAD = os.path.join(TOP, "test", "load", "milterload")
CHECK = os.path.join(TOP, "check", "authmilter-check")
TICK = os.sysconf("SC_CLK_TCK")


def keygen(tmp, alg, sel):
    out = subprocess.run([KEYGEN, "-a", alg, "-d", "example.com", "-s", sel,
                          "-D", tmp, "-u", "nobody"], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r"^(\S+)\. IN TXT (.*)$", out, re.M)
    rec = "".join(re.findall(r'"([^"]*)"', m.group(2)))
    line = "example.com %s %s %s/example.com.%s.key" % (
        sel, "ed25519-sha256" if alg == "ed25519" else "rsa-sha256", tmp,
        sel)
    return m.group(1), rec, line


def message(author, kb, client):
    body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
            "sed do eiusmod.\r\n" * (kb * 1024 // 72))
    return ("X-Load-Client-IP: %s\r\nX-Load-Helo: mail.example.com\r\n"
            "X-Load-Mail-From: <a@%s>\r\nX-Load-Rcpt: <b@rcpt.example>\r\n"
            "From: Alice <a@%s>\r\nTo: b@rcpt.example\r\n"
            "Subject: signing cost\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
            "Message-ID: <cost@%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n\r\n%s" % (client, author, author,
                                                  author, body)).encode()


def cpu_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run_case(tmp, conf_text, msgfile, n, conc):
    """Daemon CPU seconds for n copies of msgfile; None on failure."""
    port = testlib.free_port()
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write(conf_text.replace("@PORT@", str(port)))
    d = testlib.Daemon(DAEMON, conf, os.path.join(tmp, "d.log"))
    try:
        if not d.wait_up():
            sys.stderr.write(d.text()[-500:])
            return None
        # warm-up: keys, resolver memo, threads
        subprocess.run([LOAD, "-s", "inet:%d@127.0.0.1" % port, "-c",
                        str(conc), "-n", "50", msgfile], check=True,
                       stdout=subprocess.DEVNULL)
        before = cpu_of(d.proc.pid)
        subprocess.run([LOAD, "-s", "inet:%d@127.0.0.1" % port, "-c",
                        str(conc), "-n", str(n), "-k", "100", msgfile],
                       check=True, stdout=subprocess.DEVNULL)
        return cpu_of(d.proc.pid) - before
    finally:
        d.stop()


def signed_copy(tmp, conf_text, msgfile, out):
    """The message as a signing daemon would pass it on (authmilter-check,
    the same pipeline): its DKIM-Signature fields on top."""
    conf = os.path.join(tmp, "s.conf")
    with open(conf, "w") as f:
        f.write(conf_text.replace("@PORT@", "1"))
    raw = open(msgfile, "rb").read()
    head = b"".join(l + b"\r\n" for l in raw.split(b"\r\n")
                    if l.startswith(b"X-Load-"))
    plain = raw[len(head):]
    with open(os.path.join(tmp, "plain.eml"), "wb") as f:
        f.write(plain)
    p = subprocess.run([CHECK, "-c", conf, "--client-ip", "198.51.100.7",
                        os.path.join(tmp, "plain.eml")], capture_output=True,
                       check=True)
    fields = p.stdout.split(b"\naction:")[0].replace(b"\n", b"\r\n")
    with open(out, "wb") as f:
        f.write(head.replace(b"198.51.100.7", b"192.0.2.1") + fields +
                b"\r\n" + plain)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("-r", "--runs", type=int, default=3)
    ap.add_argument("-c", "--conc", type=int, default=4)
    ap.add_argument("--kb", type=int, default=4)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sign-cost.")
    os.chmod(tmp, 0o755)
    try:
        rsa = keygen(tmp, "rsa", "r1")
        ed = keygen(tmp, "ed25519", "e1")
        data = ", ".join('"%s. TXT %s"' % (name, " ".join(
            '\\"%s\\"' % rec[i:i + 255] for i in range(0, len(rec), 255)))
            for name, rec, _ in (rsa, ed))
        base = ('milter = { socket = "inet:@PORT@@127.0.0.1"; '
                'user = "nobody"; };\n'
                'dns = { local_zones = [ ". static" ]; local_data = [ %s ]; '
                '};\npolicy = { trusted_networks = [ "198.51.100.0/24" ]; '
                '};\n' % data)
        verify = base + ("spf = { enabled = false; };\ndmarc = { enabled = "
                         "false; };\narc = { verify = false; };\n")
        signs = {"rsa-sha256": [rsa[2]], "ed25519-sha256": [ed[2]],
                 "both": [rsa[2], ed[2]]}
        files = {}
        for who in ("example.com", "other.example"):
            files[who] = os.path.join(tmp, who + ".eml")
            with open(files[who], "wb") as f:
                f.write(message(who, a.kb, "198.51.100.7"))
        cases = [("sign: no key (baseline)", "rsa-sha256", "other.example")]
        cases += [("sign: " + k, k, "example.com") for k in signs]
        results = {}
        for label, k, who in cases:
            conf = base + "signing = { keys = [ %s ]; };\n" % ", ".join(
                '"%s"' % x for x in signs[k])
            t = [run_case(tmp, conf, files[who], a.n, a.conc)
                 for _ in range(a.runs)]
            results[label] = [x * 1000 / a.n for x in t if x is not None]
        vfiles = {}
        for k in signs:
            conf = base + "signing = { keys = [ %s ]; };\n" % ", ".join(
                '"%s"' % x for x in signs[k])
            vfiles[k] = os.path.join(tmp, "signed-%s.eml" % k)
            signed_copy(tmp, conf, files["example.com"], vfiles[k])
        vfiles["unsigned (baseline)"] = os.path.join(tmp, "unsigned.eml")
        with open(vfiles["unsigned (baseline)"], "wb") as f:
            f.write(message("example.com", a.kb, "192.0.2.1"))
        for k in ("unsigned (baseline)", "rsa-sha256", "ed25519-sha256",
                  "both"):
            t = [run_case(tmp, verify, vfiles[k], a.n, a.conc)
                 for _ in range(a.runs)]
            results["verify: " + k] = [x * 1000 / a.n for x in t
                                       if x is not None]
        print("%d messages of %d KB per run, %d runs, concurrency %d, "
              "daemon CPU (user+system) per message:" % (a.n, a.kb, a.runs,
                                                        a.conc))
        for label, v in results.items():
            if not v:
                print("%-32s failed" % label)
                continue
            kind = label.split(":")[0]
            b = results.get("%s: %s" % (kind, "no key (baseline)" if
                                        kind == "sign" else
                                        "unsigned (baseline)"))
            extra = ""
            if b and "baseline" not in label:
                extra = "  (+%.3f ms)" % (statistics.median(v) -
                                          statistics.median(b))
            print("%-32s %.3f ms (%.3f-%.3f)%s" % (
                label, statistics.median(v), min(v), max(v), extra))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
