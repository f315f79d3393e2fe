#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Self-test of test/tools/testdns.py.

Starts the server in-process (and once as a subprocess) on 127.0.0.1 and
checks its behaviours with dnslib's client.  Prints one line per check and
"testdns: N passed, N failed"; exits non-zero if anything failed.

    /usr/bin/python3 test/tools/test_testdns.py [-v]
"""

import concurrent.futures
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import tempfile
import json
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep the work tree free of __pycache__

import testlib  # noqa: E402

try:
    from dnslib import DNSLabel, DNSQuestion, DNSRecord, EDNS0, QTYPE, RCODE
    import testdns
except ImportError as e:
    testlib.use_system_python(__file__, e.name,
                              "python3-yaml python3-dnslib")

LONG_TXT = "v=spf1 " + " ".join("ip4:192.0.2.%d" % i for i in range(1, 25)) + " -all"  # ~350 octets: > 255, < 512

ZONE = {
    "names": {
        "example.com": [
            {"type": "TXT", "data": ["v=spf1 ", "-all"]},
            {"type": "TXT", "data": "second record"},
            {"type": "A", "data": "192.0.2.1"},
            {"type": "A", "data": "192.0.2.2"},
            {"type": "AAAA", "data": "2001:DB8::1"},
            {"type": "MX", "data": [10, "mx.example.com."]},
            {"type": "SPF", "data": "v=spf1 -all"},
        ],
        "mx.example.com": [{"type": "A", "data": "192.0.2.25"}],
        "a.b.c.deep.example.com": [{"type": "A", "data": "192.0.2.3"}],
        "alias1.example.com": [{"type": "CNAME", "data": "alias2.example.com"}],
        "alias2.example.com": [{"type": "CNAME", "data": "EXAMPLE.com."}],
        "dangling.example.com": [{"type": "CNAME", "data": "nowhere.example.com"}],
        "loop1.example.com": [{"type": "CNAME", "data": "loop2.example.com"}],
        "loop2.example.com": [{"type": "CNAME", "data": "LOOP1.example.com"}],
        "self.example.com": [{"type": "CNAME", "data": "self.example.com"}],
        "dead.example.com": [{"type": "TIMEOUT"}],
        "half.example.com": [{"type": "A", "data": "192.0.2.4"},
                             {"type": "TIMEOUT"}],
        "long.example.com": [{"type": "TXT", "data": [LONG_TXT]}],
        "big.example.com": [{"type": "TXT", "data": ["x" * 200]}] * 4,
        "utf8.example.com": [{"type": "TXT", "data": ["\xef\xbb\xbf"]}],
        "bytes.example.com": [{"type": "TXT", "data": [b"\x80\xff"]}],
        "empty.example.com": [{"type": "TXT", "data": []}],
        "4.2.0.192.in-addr.arpa": [{"type": "PTR", "data": "host.example.com."}],
        "broken.example.com": [{"type": "A", "data": "192.0.2.5"}],
        "slow.example.com": [{"type": "A", "data": "192.0.2.6"},
                             {"type": "DELAY", "secs": 0.6}],
        "garbage.example.com": [{"type": "A", "data": "192.0.2.7"},
                                {"type": "GARBAGE"}],
        "tc.example.com": [{"type": "A", "data": "192.0.2.8"},
                           {"type": "TRUNCATE"}],
    },
    "servfail": ["broken.example.com", "error.*"],
}

VERBOSE = "-v" in sys.argv
RESULTS = []


def check(name, cond, detail=""):
    RESULTS.append(bool(cond))
    print("%s %s%s" % ("ok  " if cond else "FAIL", name,
                       "" if cond or not detail else ": " + str(detail)))
    sys.stdout.flush()


def ask(port, name, qtype="A", tcp=False, edns=None, timeout=2.0):
    """Returns the parsed reply, or None on timeout."""
    if isinstance(name, tuple):
        q = DNSRecord(q=DNSQuestion(DNSLabel(name), getattr(QTYPE, qtype)))
    else:
        q = DNSRecord.question(name, qtype)
    if edns is not None:
        q.add_ar(EDNS0(udp_len=edns))
    try:
        raw = q.send("127.0.0.1", port, tcp=tcp, timeout=timeout)
    except socket.timeout:
        return None
    r = DNSRecord.parse(raw)
    if VERBOSE:
        print(r)
    assert r.header.id == q.header.id, "id mismatch"
    return r


def rcode(r):
    return RCODE.get(r.header.rcode)


def rdatas(r, qtype):
    return [rr.rdata for rr in r.rr if rr.rtype == getattr(QTYPE, qtype)]


def txts(r):
    return [list(rd.data) for rd in rdatas(r, "TXT")]


def has_soa(r):
    return any(rr.rtype == QTYPE.SOA for rr in r.auth)


def run_inprocess():
    with testdns.TestDNSServer(ZONE) as srv:
        p = srv.port
        check("server bound a port", p and p > 0, p)

        r = ask(p, "example.com", "A")
        check("A answer", r and rcode(r) == "NOERROR" and
              sorted(str(x) for x in rdatas(r, "A")) == ["192.0.2.1", "192.0.2.2"], r)
        check("AA bit set", r and r.header.aa == 1)
        check("TTL 300", r and all(rr.ttl == 300 for rr in r.rr))

        r = ask(p, "EXAMPLE.Com", "TXT")
        check("names are case-insensitive", r and rcode(r) == "NOERROR" and len(r.rr) == 2, r)
        check("multi-string TXT kept as separate character-strings",
              r and [b"v=spf1 ", b"-all"] in txts(r), r and txts(r))
        check("single-string TXT", r and [b"second record"] in txts(r))

        r = ask(p, "example.com", "AAAA")
        check("AAAA answer", r and [str(x) for x in rdatas(r, "AAAA")] == ["2001:db8::1"], r)
        r = ask(p, "example.com", "MX")
        check("MX answer", r and [(x.preference, str(x.label)) for x in rdatas(r, "MX")]
              == [(10, "mx.example.com.")], r)
        r = ask(p, "4.2.0.192.in-addr.arpa", "PTR")
        check("PTR answer", r and [str(x) for x in rdatas(r, "PTR")] == ["host.example.com."], r)
        r = ask(p, "example.com", "SPF")
        check("SPF (type 99) answer", r and rcode(r) == "NOERROR" and len(r.rr) == 1, r)
        r = ask(p, "example.com", "ANY")
        check("ANY returns all records", r and len(r.rr) == 7, r and len(r.rr))

        r = ask(p, "nope.example.com", "A")
        check("NXDOMAIN", r and rcode(r) == "NXDOMAIN" and not r.rr, r)
        check("NXDOMAIN has SOA in authority", r and has_soa(r))
        check("NXDOMAIN SOA owner is the apex '.'", r and str(r.auth[0].rname) == ".", r)
        r = ask(p, "example.com", "SRV")
        check("NODATA for listed name without that type",
              r and rcode(r) == "NOERROR" and not r.rr and has_soa(r), r)
        r = ask(p, "c.deep.example.com", "A")
        check("empty non-terminal is NODATA",
              r and rcode(r) == "NOERROR" and not r.rr and has_soa(r), r)
        r = ask(p, "com", "TXT")
        check("ancestor 'com' is NODATA", r and rcode(r) == "NOERROR" and not r.rr, r)

        r = ask(p, "alias1.example.com", "A")
        names = [(str(rr.rname).lower(), QTYPE.get(rr.rtype)) for rr in r.rr] if r else None
        check("CNAME chain followed and put in answer", r and rcode(r) == "NOERROR" and names == [
            ("alias1.example.com.", "CNAME"), ("alias2.example.com.", "CNAME"),
            ("example.com.", "A"), ("example.com.", "A")], names)
        r = ask(p, "alias1.example.com", "CNAME")
        check("CNAME query answers the CNAME itself",
              r and len(r.rr) == 1 and r.rr[0].rtype == QTYPE.CNAME, r)
        r = ask(p, "dangling.example.com", "A")
        check("CNAME to unknown name: NXDOMAIN with the CNAME",
              r and rcode(r) == "NXDOMAIN" and len(r.rr) == 1, r)
        r = ask(p, "loop1.example.com", "A")
        check("CNAME loop gives SERVFAIL", r and rcode(r) == "SERVFAIL", r)
        r = ask(p, "self.example.com", "TXT")
        check("CNAME to itself gives SERVFAIL", r and rcode(r) == "SERVFAIL", r)

        r = ask(p, "dead.example.com", "TXT", timeout=1.0)
        check("TIMEOUT-only name: no reply (UDP)", r is None, r)
        r = ask(p, "dead.example.com", "A", tcp=True, timeout=1.0)
        check("TIMEOUT-only name: no reply (TCP)", r is None, r)
        r = ask(p, "half.example.com", "A")
        check("TIMEOUT after records: listed type answered",
              r and [str(x) for x in rdatas(r, "A")] == ["192.0.2.4"], r)
        r = ask(p, "half.example.com", "TXT", timeout=1.0)
        check("TIMEOUT after records: other type dropped", r is None, r)

        r = ask(p, "broken.example.com", "A")
        check("servfail list", r and rcode(r) == "SERVFAIL", r)

        t0 = time.time()
        r = ask(p, "slow.example.com", "A")
        dt = time.time() - t0
        check("DELAY: answered, late", r and 0.5 < dt < 1.9 and
              [str(x) for x in rdatas(r, "A")] == ["192.0.2.6"], (dt, r))
        for tcp in (False, True):
            try:
                r = ask(p, "garbage.example.com", "A", tcp=tcp)
                ok = False
            except Exception:  # the reply does not parse: that is the fault
                ok = True
            check("GARBAGE: unparsable reply (%s)" % ("TCP" if tcp else "UDP"),
                  ok, r)
            r = ask(p, "tc.example.com", "A", tcp=tcp)
            check("TRUNCATE: TC and no records (%s)" %
                  ("TCP" if tcp else "UDP"),
                  r is not None and r.header.tc == 1 and not r.rr, r)
        r = ask(p, "error.whatever.example", "TXT")
        check("servfail pattern error.*", r and rcode(r) == "SERVFAIL", r)

        r = ask(p, "long.example.com", "TXT")
        strings = txts(r)[0] if r and txts(r) else []
        check("TXT > 255 octets split into character-strings",
              len(strings) >= 2 and all(len(s) <= 255 for s in strings)
              and b"".join(strings) == LONG_TXT.encode(), [len(s) for s in strings])
        r = ask(p, "utf8.example.com", "TXT")
        check("str TXT data is UTF-8 encoded",
              r and txts(r) == [[b"\xc3\xaf\xc2\xbb\xc2\xbf"]], r and txts(r))
        r = ask(p, "bytes.example.com", "TXT")
        check("bytes TXT data sent as-is", r and txts(r) == [[b"\x80\xff"]], r and txts(r))
        r = ask(p, "empty.example.com", "TXT")
        check("empty TXT list is one empty character-string",
              r and txts(r) == [[b""]], r and txts(r))

        r = ask(p, "big.example.com", "TXT")
        check(">512-octet answer over UDP sets TC and drops records",
              r and r.header.tc == 1 and not r.rr, r and (r.header.tc, len(r.rr)))
        r = ask(p, "big.example.com", "TXT", tcp=True)
        check(">512-octet answer over TCP is complete",
              r and r.header.tc == 0 and len(r.rr) == 4, r and (r.header.tc, len(r.rr)))
        r = ask(p, "big.example.com", "TXT", edns=4096)
        check(">512-octet answer over UDP with EDNS0 4096 is complete",
              r and r.header.tc == 0 and len(rdatas(r, "TXT")) == 4
              and any(rr.rtype == QTYPE.OPT for rr in r.ar), r)
        r = ask(p, "big.example.com", "TXT", edns=512)
        check("EDNS0 size 512 still truncates", r and r.header.tc == 1, r)

        q = DNSRecord(q=DNSQuestion(DNSLabel((b"\x80\xfflabel", b"example", b"com")),
                                    QTYPE.TXT))
        try:
            raw = q.send("127.0.0.1", p, timeout=2)
        except socket.timeout:
            raw = b""
        # dnslib cannot parse such a name back, so read the header by hand
        check("non-UTF-8 label in query: NXDOMAIN, no crash",
              len(raw) >= 12 and raw[:2] == q.pack()[:2] and raw[3] & 0xF == 3,
              raw[:4].hex())

        # garbage, then a normal query must still work
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.3)
        junk = [b"", b"\x00", b"\x01" * 11, os.urandom(12), os.urandom(100),
                b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01",
                b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03ab",
                b"\x12\x34\x81\x80" + b"\x00" * 8]
        junk += [os.urandom(30) for _ in range(30)]
        for j in junk:
            s.sendto(j, ("127.0.0.1", p))
            try:
                s.recv(600)
            except socket.timeout:
                pass
        s.close()
        t = socket.create_connection(("127.0.0.1", p), timeout=1)
        t.sendall(struct.pack("!H", 5) + b"junk!")
        t.close()
        r = ask(p, "example.com", "A")
        check("still answers after garbage queries", r and rcode(r) == "NOERROR", r)

        # concurrency: dropped queries must not block others
        def one(i):
            if i % 5 == 0:
                return ask(p, "dead.example.com", "A", timeout=1.5) is None
            r = ask(p, "example.com", "A", tcp=(i % 2 == 0))
            return r is not None and len(r.rr) == 2
        with concurrent.futures.ThreadPoolExecutor(20) as ex:
            res = list(ex.map(one, range(40)))
        check("40 concurrent queries (UDP+TCP, some dropped)", all(res), res)

        # TCP: several queries on one connection
        c = socket.create_connection(("127.0.0.1", p), timeout=2)
        ids = []
        for name in ("example.com", "mx.example.com"):
            q = DNSRecord.question(name, "A")
            ids.append(q.header.id)
            w = q.pack()
            c.sendall(struct.pack("!H", len(w)) + w)
        got = []
        buf = b""
        while len(got) < 2:
            chunk = c.recv(4096)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                got.append(DNSRecord.parse(buf[2:2 + n]).header.id)
                buf = buf[2 + n:]
        c.close()
        check("pipelined TCP queries on one connection", got == ids, (got, ids))

        srv.clear_queries()
        ask(p, "example.com", "MX")
        check("query log", srv.queries() == [("udp", "example.com.", "MX", "NOERROR/1")],
              srv.queries())

        srv.reload({"names": {"example.com": [{"type": "A", "data": "198.51.100.7"}]}})
        r = ask(p, "example.com", "A")
        check("reload replaces the zone",
              r and [str(x) for x in rdatas(r, "A")] == ["198.51.100.7"], r)
        r = ask(p, "mx.example.com", "A")
        check("reload drops old names", r and rcode(r) == "NXDOMAIN", r)

    for bad in ({"names": {"x": [{"type": "BOGUS", "data": 1}]}},
                {"names": {"x": [{"type": "A", "data": "not-an-ip"}]}},
                {"names": {"x": [{"type": "MX", "data": "mx"}]}},
                {"names": {"x": [{"data": "1.2.3.4"}]}}):
        try:
            testdns.Zone(bad)
            check("bad zone rejected: %s" % json.dumps(bad), False)
        except testdns.ZoneError:
            check("bad zone rejected: %s" % json.dumps(bad), True)
    try:
        testdns.TestDNSServer({}, host="192.0.2.1")
        check("non-loopback bind refused", False)
    except ValueError:
        check("non-loopback bind refused", True)


def run_subprocess():
    with tempfile.TemporaryDirectory() as d:
        zf = os.path.join(d, "zone.json")
        pf = os.path.join(d, "pid")
        with open(zf, "w") as f:
            json.dump({"names": {"example.org": [{"type": "TXT",
                                                  "data": ["v=spf1 -all"]}]}}, f)
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "testdns.py"),
                                 "--port", "0", "--zone", zf, "--pidfile", pf],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = proc.stdout.readline().decode().strip()
            check("CLI prints PORT=<n> first", line.startswith("PORT="), line)
            port = int(line.split("=", 1)[1])
            r = ask(port, "example.org", "TXT")
            check("CLI server answers", r and txts(r) == [[b"v=spf1 -all"]], r)
            check("CLI pidfile written", os.path.exists(pf) and
                  int(open(pf).read()) == proc.pid)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(10)
            check("CLI stops cleanly on SIGTERM", rc == 0, (rc, proc.stderr.read()))
            check("CLI pidfile removed", not os.path.exists(pf))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def main():
    for fn in (run_inprocess, run_subprocess):
        try:
            fn()
        except Exception:
            traceback.print_exc()
            check("%s ran to the end" % fn.__name__, False)
    passed = sum(RESULTS)
    failed = len(RESULTS) - passed
    print("testdns: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not RESULTS else 0


if __name__ == "__main__":
    sys.exit(main())
