#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""signedzone: a DNSSEC-signed test zone served by NSD on 127.0.0.1.

Used by the tests that need DNSSEC (secure keys and policy records, bogus
answers, DANE): the zone is signed at test time with ldns-keygen and
ldns-signzone (Debian's ldnsutils), with signatures valid from now on, so
nothing depends on today's date, and served by a private nsd (Debian's
nsd) on a free loopback port that the test starts and stops itself.

    from signedzone import SignedZone
    with SignedZone("signed.example", records, tamper=["bad.signed.example"])
            as z:
        z.port            # nsd's port on 127.0.0.1
        z.anchor          # a file with the zone's DS: dns.trust_anchor

records are zone-file lines relative to nothing (full names, with a
final dot or not); the SOA and NS are made up here. Every name in tamper
gets its TXT data changed after signing, so its RRSIG no longer matches:
a validating resolver calls that answer bogus.
"""

import os
import shutil
import subprocess
import tempfile

import testlib

NSD_CONF = """server:
    ip-address: 127.0.0.1@%(port)d
    port: %(port)d
    do-ip6: no
    zonesdir: "%(dir)s"
    pidfile: "%(dir)s/nsd.pid"
    database: ""
    username: ""
    chroot: ""
    logfile: "%(dir)s/nsd.log"
    xfrdfile: "%(dir)s/xfrd.state"
    zonelistfile: "%(dir)s/zone.list"
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: %(zone)s
    zonefile: "%(dir)s/zone.signed"
"""


class SignedZoneError(RuntimeError):
    pass


def _fqdn(name):
    return name if name.endswith(".") else name + "."


class SignedZone(object):
    """Sign a zone and serve it; stop() (or leaving the with) ends nsd."""

    def __init__(self, zone, records, tamper=(), keep=None):
        for tool in ("ldns-keygen", "ldns-signzone", "nsd"):
            if shutil.which(tool) is None and not os.path.exists(
                    "/usr/sbin/" + tool):
                raise SignedZoneError("%s not installed (apt-get install "
                                      "ldnsutils nsd)" % tool)
        self.zone = _fqdn(zone)
        self.records = list(records)
        self.tamper = [_fqdn(t) for t in tamper]
        self.dir = keep or tempfile.mkdtemp(prefix="signedzone.")
        self.keep = keep is not None
        self.port = None
        self.anchor = os.path.join(self.dir, "anchor.ds")
        self.proc = None

    def _run(self, argv):
        p = subprocess.run(argv, cwd=self.dir, capture_output=True,
                           timeout=60)
        if p.returncode != 0:
            raise SignedZoneError("%s: %s" % (" ".join(argv),
                                              p.stderr.decode()))
        return p.stdout.decode().strip()

    def _sign(self):
        path = os.path.join(self.dir, "zone")
        with open(path, "w") as f:
            f.write("$TTL 300\n")
            f.write("%s IN SOA ns.%s hostmaster.%s 1 3600 600 86400 300\n"
                    % (self.zone, self.zone, self.zone))
            f.write("%s IN NS ns.%s\n" % (self.zone, self.zone))
            f.write("ns.%s IN A 127.0.0.1\n" % self.zone)
            for r in self.records:
                f.write(r + "\n")
        key = self._run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k",
                         self.zone.rstrip(".")])
        self._run(["ldns-signzone", "-f", path + ".signed", path, key])
        shutil.copy(os.path.join(self.dir, key + ".ds"), self.anchor)
        if self.tamper:
            self._tamper(path + ".signed")

    def _tamper(self, signed):
        """Change the TXT data of the tampered names, not their RRSIGs."""
        out = []
        with open(signed) as f:
            for line in f:
                fields = line.split(None, 4)
                if len(fields) == 5 and fields[0] in self.tamper and \
                        fields[3] == "TXT":
                    line = line.rstrip("\n")[:-1] + " tampered\"\n"
                out.append(line)
        with open(signed, "w") as f:
            f.writelines(out)

    def start(self):
        self._sign()
        self.port = testlib.free_port()
        conf = os.path.join(self.dir, "nsd.conf")
        with open(conf, "w") as f:
            f.write(NSD_CONF % {"port": self.port, "dir": self.dir,
                                "zone": self.zone})
        nsd = shutil.which("nsd") or "/usr/sbin/nsd"
        self.proc = subprocess.Popen([nsd, "-d", "-c", conf],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not testlib.wait_for(self._answers, secs=20):
            self.stop()
            raise SignedZoneError("nsd did not answer on port %d"
                                  % self.port)
        return self

    def _answers(self):
        if self.proc.poll() is not None:
            raise SignedZoneError("nsd exited: %s" % self.log())
        p = subprocess.run(["dig", "+short", "+time=1", "+tries=1", "-p",
                            str(self.port), "@127.0.0.1", self.zone, "SOA"],
                           capture_output=True, timeout=10)
        return p.returncode == 0 and p.stdout.strip() != b""

    def log(self):
        try:
            with open(os.path.join(self.dir, "nsd.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            testlib.stop(self.proc)
            self.proc = None
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
