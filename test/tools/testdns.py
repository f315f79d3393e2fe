#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""testdns: a small authoritative DNS server on loopback, for tests.

It answers from an in-memory zone (a JSON file or a python dict) over UDP
and TCP on 127.0.0.1, so that authmilter and its tests can resolve test data
without any real network.

Command line:

    testdns.py --zone FILE.json [--port PORT] [--pidfile FILE] [-v]

  --port 0 (the default) picks a free port.  The chosen port is always printed
  as "PORT=<n>" on the first line of stdout (flushed), so a caller can read it.
  SIGTERM/SIGINT stop the server cleanly (and remove the pidfile); SIGHUP
  re-reads the zone file.

As a module (the SPF suite runner uses it in-process):

    from testdns import TestDNSServer
    with TestDNSServer(zone_dict) as srv:        # binds and starts threads
        ... use 127.0.0.1 port srv.port ...
        srv.reload(other_zone_dict)
        srv.queries()                             # what was asked so far

Zone format
-----------
    {
      "names": {
        "example.com": [
          {"type": "TXT",   "data": ["v=spf1 ", "-all"]},
          {"type": "A",     "data": "192.0.2.1"},
          {"type": "AAAA",  "data": "2001:db8::1"},
          {"type": "MX",    "data": [10, "mx.example.com"]},
          {"type": "PTR",   "data": "host.example.com"},
          {"type": "CNAME", "data": "other.example.com"},
          {"type": "TIMEOUT"},
          {"type": "DELAY", "secs": 1.5},
          {"type": "GARBAGE"},
          {"type": "TRUNCATE"}
        ]
      },
      "servfail": ["broken.example.com", "error.*"]
    }

* Names are case-insensitive; a trailing dot is ignored.
* TXT (and SPF, type 99, same data format) take a list of character-strings
  (str is encoded as UTF-8, bytes are used as-is) or a single string.  Any
  string longer than 255 octets is split into several character-strings.  An
  empty list is a record with one empty character-string.
* Every record has TTL 300 unless it has its own "ttl".
* Lookup semantics (see Zone.resolve):
    - records of the asked type -> answer (CNAMEs inside the zone are followed
      and the chain is put in the answer section; loops or chains longer than
      MAX_CNAME_CHAIN give SERVFAIL);
    - name listed but no record of that type -> NOERROR/NODATA;
    - name is an ancestor of a listed name (empty non-terminal) -> NODATA;
    - name not listed -> NXDOMAIN;
    - name has a TIMEOUT item: queries for types it has no records of are
      dropped (no reply at all); TIMEOUT alone drops every query;
    - name in "servfail" (exact, or an fnmatch pattern when it contains '*',
      '?' or '[') -> SERVFAIL.
* Fault injection, per name (any query for it, every type):
    - DELAY: the answer is sent "secs" seconds late (other queries are
      served meanwhile);
    - GARBAGE: the reply is the query's id followed by random bytes;
    - TRUNCATE: the reply has TC set and no records, over UDP and TCP
      alike, so no complete answer can ever be had.
  NXDOMAIN and NODATA answers carry an SOA of the made-up zone apex "." in
  the authority section.  Every answer has the AA bit.
* UDP replies larger than 512 octets (or the EDNS0 size the query offers) are
  truncated: TC set and no records, so the client retries over TCP.
* Malformed queries are ignored or get FORMERR; they never stop the server.

Extending (fault injection)
---------------------------
Every query goes through TestDNSServer.handle_query(), which asks
Zone.behaviour_for(name) for the object that produces the Answer; the
faults above are Answer fields (delay, garbage, truncate) that
TestDNSServer._send_answer() honours.

Only loopback addresses are accepted for binding.
"""

import argparse
import collections
import fnmatch
import ipaddress
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

try:
    from dnslib import (A, AAAA, CNAME, MX, NS, PTR, QTYPE, RCODE, RR, SOA,
                        TXT, DNSHeader, DNSLabel, DNSQuestion, DNSRecord,
                        EDNS0)
except ImportError as e:
    if __name__ == "__main__":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import testlib
        testlib.use_system_python(__file__, e.name,
                                  "python3-yaml python3-dnslib")
    raise

DEFAULT_TTL = 300
MAX_CNAME_CHAIN = 16
# The EDNS0 UDP payload size we advertise in replies.
OUR_EDNS_SIZE = 1232
TCP_IDLE_TIMEOUT = 10.0

# Our own numbers for types dnslib may not map.
TYPE_SPF = 99
TYPE_OPT = 41
TYPE_ANY = 255

RECORD_TYPES = {
    "A": QTYPE.A,
    "AAAA": QTYPE.AAAA,
    "TXT": QTYPE.TXT,
    "SPF": TYPE_SPF,
    "MX": QTYPE.MX,
    "PTR": QTYPE.PTR,
    "CNAME": QTYPE.CNAME,
    "NS": QTYPE.NS,
}


class ZoneError(ValueError):
    """The zone data is not in the documented format."""


# --------------------------------------------------------------------------
# names

def _labels(name):
    """A name (str, bytes, DNSLabel or tuple of labels) as a tuple of bytes
    labels, original case kept, without the root label."""
    if isinstance(name, DNSLabel):
        return tuple(name.label)
    if isinstance(name, tuple):
        return tuple(l if isinstance(l, bytes) else l.encode("utf-8")
                     for l in name)
    if isinstance(name, str):
        name = name.encode("utf-8")
    if not isinstance(name, bytes):
        raise ZoneError("not a domain name: %r" % (name,))
    if name.endswith(b".") and name != b".":
        name = name[:-1]
    if name in (b"", b"."):
        return ()
    return tuple(name.split(b"."))


def _key(labels):
    """Lookup key: ASCII-lowercased labels (bytes.lower() only folds ASCII)."""
    return tuple(l.lower() for l in labels)


def name_text(labels):
    """Printable presentation of a name, for logs."""
    out = []
    for label in labels:
        s = []
        for c in label:
            ch = chr(c)
            if 0x21 <= c <= 0x7E and ch not in ".\\":
                s.append(ch)
            else:
                s.append("\\%03d" % c)
        out.append("".join(s))
    return ".".join(out) + "."


def _type_text(qtype):
    try:
        return str(QTYPE.get(qtype))
    except Exception:  # dnslib raises for unknown numbers in some versions
        return "TYPE%d" % qtype


# --------------------------------------------------------------------------
# zone

def _txt_strings(data):
    """TXT data -> list of character-strings (bytes, each <= 255 octets)."""
    if isinstance(data, (str, bytes)):
        data = [data]
    if not isinstance(data, (list, tuple)):
        raise ZoneError("TXT data must be a string or a list of strings: %r"
                        % (data,))
    out = []
    for item in data:
        if isinstance(item, str):
            item = item.encode("utf-8")
        if not isinstance(item, (bytes, bytearray)):
            raise ZoneError("TXT character-string must be str or bytes: %r"
                            % (item,))
        item = bytes(item)
        if not item:
            out.append(b"")
        while item:
            out.append(item[:255])
            item = item[255:]
    if not out:
        out = [b""]
    return out


class Record(object):
    """One resource record of a name (owner name is given at answer time)."""

    __slots__ = ("rtype", "rdata", "ttl", "target")

    def __init__(self, rtype, rdata, ttl=DEFAULT_TTL, target=None):
        self.rtype = rtype
        self.rdata = rdata
        self.ttl = ttl
        self.target = target  # labels of a CNAME target

    def rr(self, owner):
        return RR(rname=DNSLabel(owner), rtype=self.rtype, rclass=1,
                  ttl=self.ttl, rdata=self.rdata)


def _make_record(item):
    if isinstance(item, str):
        item = {"type": item}
    if not isinstance(item, dict) or "type" not in item:
        raise ZoneError("record must be an object with a \"type\": %r"
                        % (item,))
    rtype = str(item["type"]).upper()
    if rtype == "TIMEOUT":
        return None
    if rtype in FAULTS:
        return (rtype, float(item.get("secs", 0)))
    if rtype not in RECORD_TYPES:
        raise ZoneError("unsupported record type %r" % (item["type"],))
    if "data" not in item:
        raise ZoneError("%s record without \"data\"" % rtype)
    data = item["data"]
    ttl = int(item.get("ttl", DEFAULT_TTL))
    try:
        if rtype in ("TXT", "SPF"):
            rdata = TXT(_txt_strings(data))
        elif rtype == "A":
            rdata = A(tuple(ipaddress.IPv4Address(str(data).strip()).packed))
        elif rtype == "AAAA":
            rdata = AAAA(tuple(ipaddress.IPv6Address(str(data).strip()).packed))
        elif rtype == "MX":
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise ZoneError("MX data must be [preference, exchange]")
            rdata = MX(DNSLabel(_labels(data[1])), int(data[0]))
        elif rtype == "PTR":
            rdata = PTR(DNSLabel(_labels(data)))
        elif rtype == "NS":
            rdata = NS(DNSLabel(_labels(data)))
        elif rtype == "CNAME":
            target = _labels(data)
            return Record(QTYPE.CNAME, CNAME(DNSLabel(target)), ttl, target)
    except ZoneError:
        raise
    except (ValueError, TypeError) as e:
        raise ZoneError("bad %s data %r: %s" % (rtype, data, e))
    return Record(RECORD_TYPES[rtype], rdata, ttl)


FAULTS = ("DELAY", "GARBAGE", "TRUNCATE")


class NameEntry(object):
    """Everything the zone says about one owner name."""

    def __init__(self):
        self.records = collections.OrderedDict()  # rtype -> [Record]
        self.timeout = False
        self.cname = None  # Record
        self.faults = {}  # "DELAY"/"GARBAGE"/"TRUNCATE" -> secs

    def add(self, rec):
        self.records.setdefault(rec.rtype, []).append(rec)
        if rec.rtype == QTYPE.CNAME and self.cname is None:
            self.cname = rec


class Answer(object):
    """What to do with one query.

    drop=True means send nothing (the client sees a timeout).  New fault
    injection fields (delay, raw reply bytes, forced TC, ...) belong here and
    in TestDNSServer._send_answer()."""

    __slots__ = ("rcode", "answer", "authority", "drop", "outcome", "delay",
                 "garbage", "truncate")

    def __init__(self, rcode=RCODE.NOERROR, answer=(), authority=(),
                 drop=False, outcome=None):
        self.rcode = rcode
        self.answer = list(answer)
        self.authority = list(authority)
        self.drop = drop
        self.outcome = outcome or RCODE.get(rcode)
        self.delay = 0.0
        self.garbage = False
        self.truncate = False


class StandardBehaviour(object):
    """Answers from the zone data as documented at the top of this file."""

    def answer(self, zone, query):
        return zone.resolve(query.qname, query.qtype)


STANDARD = StandardBehaviour()


class Zone(object):
    """A compiled zone (immutable once built; reload swaps the object)."""

    def __init__(self, spec=None):
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ZoneError("zone must be an object")
        names = spec.get("names", {})
        if not isinstance(names, dict):
            raise ZoneError("\"names\" must be an object")
        self.names = {}
        self.ancestors = set()
        for name, items in names.items():
            labels = _labels(name)
            key = _key(labels)
            entry = self.names.get(key)
            if entry is None:
                entry = self.names[key] = NameEntry()
            if not isinstance(items, list):
                items = [items]
            for item in items:
                rec = _make_record(item)
                if rec is None:
                    entry.timeout = True
                elif isinstance(rec, tuple):
                    entry.faults[rec[0]] = rec[1]
                else:
                    entry.add(rec)
            for i in range(1, len(key) + 1):
                self.ancestors.add(key[i:])
        self.ancestors.add(())
        self.servfail = set()
        self.servfail_patterns = []
        for name in spec.get("servfail", []) or []:
            if any(c in name for c in "*?["):
                self.servfail_patterns.append(name.rstrip(".").lower())
            else:
                self.servfail.add(_key(_labels(name)))
        # Made-up SOA of the apex ".", for negative answers.
        self.soa = Record(QTYPE.SOA,
                          SOA(DNSLabel("ns.test.invalid"),
                              DNSLabel("hostmaster.test.invalid"),
                              (1, 3600, 600, 86400, DEFAULT_TTL)))
        if () not in self.names:
            root = self.names[()] = NameEntry()
            root.add(self.soa)

    # -- per-name behaviour (fault injection hooks in later) ---------------
    def behaviour_for(self, key):
        return STANDARD

    def is_servfail(self, key):
        if key in self.servfail:
            return True
        if self.servfail_patterns:
            text = b".".join(key).decode("utf-8", "replace")
            for pat in self.servfail_patterns:
                if fnmatch.fnmatchcase(text, pat):
                    return True
        return False

    def _negative(self, rcode, chain, outcome):
        return Answer(rcode, chain, [self.soa.rr(())], outcome=outcome)

    def resolve(self, qname, qtype):
        """Resolve one question; qname is a tuple of bytes labels."""
        ans = self._resolve(qname, qtype)
        entry = self.names.get(_key(tuple(qname)))
        if entry is not None and entry.faults:
            ans.delay = entry.faults.get("DELAY", 0.0)
            ans.garbage = "GARBAGE" in entry.faults
            ans.truncate = "TRUNCATE" in entry.faults
            ans.outcome = "%s+%s" % (ans.outcome, "+".join(
                sorted(entry.faults)))
        return ans

    def _resolve(self, qname, qtype):
        owner = tuple(qname)
        key = _key(owner)
        chain = []
        seen = set()
        while True:
            if self.is_servfail(key):
                return Answer(RCODE.SERVFAIL)
            entry = self.names.get(key)
            if entry is None:
                if key in self.ancestors:
                    return self._negative(RCODE.NOERROR, chain, "NODATA")
                return self._negative(RCODE.NXDOMAIN, chain, "NXDOMAIN")
            if qtype == TYPE_ANY:
                rrs = [r.rr(owner) for recs in entry.records.values()
                       for r in recs]
            else:
                rrs = [r.rr(owner) for r in entry.records.get(qtype, ())]
            if rrs:
                return Answer(RCODE.NOERROR, chain + rrs,
                              outcome="NOERROR/%d" % (len(chain) + len(rrs)))
            if entry.cname is not None and qtype != QTYPE.CNAME:
                seen.add(key)
                chain.append(entry.cname.rr(owner))
                owner = entry.cname.target
                key = _key(owner)
                if key in seen or len(chain) > MAX_CNAME_CHAIN:
                    return Answer(RCODE.SERVFAIL, outcome="SERVFAIL(cname loop)")
                continue
            if entry.timeout:
                return Answer(drop=True, outcome="DROP")
            return self._negative(RCODE.NOERROR, chain, "NODATA")


# --------------------------------------------------------------------------
# wire format of queries (parsed by hand so that odd names never break us)

class Query(object):
    __slots__ = ("id", "flags", "opcode", "rd", "qname", "qtype", "qclass",
                 "edns_size", "edns_do")


class QueryError(Exception):
    """Header parsed, but the rest is malformed: answer FORMERR."""


def _parse_name(data, off):
    labels = []
    total = 0
    while True:
        if off >= len(data):
            raise QueryError("name runs past end")
        n = data[off]
        off += 1
        if n == 0:
            return tuple(labels), off
        if n & 0xC0:
            raise QueryError("compression or bad label type in question")
        label = data[off:off + n]
        if len(label) != n:
            raise QueryError("label runs past end")
        off += n
        total += n + 1
        if total > 255:
            raise QueryError("name too long")
        labels.append(label)


def parse_query(data):
    """Returns a Query, None (ignore: not a query at all), or raises
    QueryError (reply FORMERR)."""
    if len(data) < 12:
        return None
    q = Query()
    q.id, q.flags, qd, an, ns, ar = struct.unpack("!HHHHHH", data[:12])
    if q.flags & 0x8000:  # a response: never answer those
        return None
    q.opcode = (q.flags >> 11) & 0xF
    q.rd = (q.flags >> 8) & 1
    q.qname, q.qtype, q.qclass = (), 0, 1
    q.edns_size, q.edns_do = None, False
    if qd != 1:
        raise QueryError("QDCOUNT %d" % qd)
    q.qname, off = _parse_name(data, 12)
    if off + 4 > len(data):
        raise QueryError("question truncated")
    q.qtype, q.qclass = struct.unpack("!HH", data[off:off + 4])
    off += 4
    # Look for an OPT record in the additional section (skip an/ns if any).
    try:
        for _ in range(an + ns + ar):
            _, off = _parse_name_lenient(data, off)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH",
                                                       data[off:off + 10])
            off += 10 + rdlen
            if rtype == TYPE_OPT:
                q.edns_size = rclass
                q.edns_do = bool(ttl & 0x8000)
    except (struct.error, QueryError, IndexError):
        pass  # be lenient: just no EDNS
    return q


def _parse_name_lenient(data, off):
    """Skip a name in a later section (compression allowed)."""
    while True:
        n = data[off]
        if n == 0:
            return None, off + 1
        if n & 0xC0 == 0xC0:
            return None, off + 2
        if n & 0xC0:
            raise QueryError("bad label")
        off += n + 1


# --------------------------------------------------------------------------
# server

class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        self.server.dns._serve(data, "udp",
                               lambda wire: sock.sendto(wire,
                                                        self.client_address))


class _TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        conn.settimeout(TCP_IDLE_TIMEOUT)
        lock = threading.Lock()

        def send(wire):
            with lock:
                conn.sendall(struct.pack("!H", len(wire)) + wire)
        try:
            while True:
                head = self._read(conn, 2)
                if head is None:
                    return
                (n,) = struct.unpack("!H", head)
                msg = self._read(conn, n)
                if msg is None:
                    return
                self.server.dns._serve(msg, "tcp", send)
        except (OSError, socket.timeout):
            return

    @staticmethod
    def _read(conn, n):
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf


class _UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    allow_reuse_address = False


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class TestDNSServer(object):
    """The DNS server; start() binds UDP+TCP on the same port and serves on
    background threads."""

    def __init__(self, zone=None, port=0, host="127.0.0.1", log=None,
                 max_log=20000):
        ip = ipaddress.ip_address(host)
        if not ip.is_loopback or ip.version != 4:
            raise ValueError("testdns binds IPv4 loopback only, not %s" % host)
        self.host = host
        self.requested_port = int(port)
        self.port = None
        self._zone = zone if isinstance(zone, Zone) else Zone(zone)
        self._log = log  # a file to print each query to, or None
        self._queries = collections.deque(maxlen=max_log)
        self._qlock = threading.Lock()
        self._udp = self._tcp = None
        self._threads = []

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        last = None
        for _ in range(50):
            udp = tcp = None
            try:
                udp = _UDPServer((self.host, self.requested_port), _UDPHandler)
                port = udp.server_address[1]
                tcp = _TCPServer((self.host, port), _TCPHandler)
            except OSError as e:
                last = e
                for s in (udp, tcp):
                    if s is not None:
                        s.server_close()
                if self.requested_port:
                    raise
                continue
            break
        else:
            raise last
        udp.dns = tcp.dns = self
        self._udp, self._tcp, self.port = udp, tcp, port
        for srv, name in ((udp, "udp"), (tcp, "tcp")):
            t = threading.Thread(target=srv.serve_forever,
                                 kwargs={"poll_interval": 0.1},
                                 name="testdns-%s-%d" % (name, port),
                                 daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        for srv in (self._udp, self._tcp):
            if srv is not None:
                srv.shutdown()
                srv.server_close()
        for t in self._threads:
            t.join(5)
        self._udp = self._tcp = None
        self._threads = []

    def __enter__(self):
        if self._udp is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def address(self):
        return (self.host, self.port)

    # -- zone ---------------------------------------------------------------
    def reload(self, zone):
        """Replace the zone (a dict or a Zone).  Atomic for in-flight
        queries: each query sees either the old or the new zone."""
        self._zone = zone if isinstance(zone, Zone) else Zone(zone)

    @property
    def zone(self):
        return self._zone

    # -- query log ----------------------------------------------------------
    def queries(self):
        """List of (transport, name, type, outcome) seen so far."""
        with self._qlock:
            return list(self._queries)

    def clear_queries(self):
        with self._qlock:
            self._queries.clear()

    def _note(self, transport, q, outcome):
        entry = (transport, name_text(q.qname), _type_text(q.qtype), outcome)
        with self._qlock:
            self._queries.append(entry)
        if self._log is not None:
            try:
                self._log.write("testdns: %s %s %s -> %s\n" % entry)
                self._log.flush()
            except Exception:
                pass

    # -- query handling -------------------------------------------------------
    def _serve(self, data, transport, send):
        try:
            wire = self.handle_wire(data, transport)
            if wire is not None:
                send(wire)
        except Exception as e:  # never let one query kill a handler thread
            if self._log is not None:
                self._log.write("testdns: internal error: %r\n" % (e,))

    def handle_wire(self, data, transport="udp"):
        """Answer one query message; returns reply bytes or None (no reply)."""
        try:
            q = parse_query(data)
        except QueryError:
            return self._error_reply(data, RCODE.FORMERR)
        if q is None:
            return None
        if q.opcode != 0:
            return self._error_reply(data, RCODE.NOTIMP)
        zone = self._zone
        try:
            ans = self.handle_query(zone, q)
        except Exception as e:
            if self._log is not None:
                self._log.write("testdns: resolve error: %r\n" % (e,))
            ans = Answer(RCODE.SERVFAIL)
        self._note(transport, q, ans.outcome)
        return self._send_answer(q, ans, transport)

    def handle_query(self, zone, q):
        behaviour = zone.behaviour_for(_key(q.qname))
        return behaviour.answer(zone, q)

    def _header(self, q, rcode, aa=1):
        return DNSHeader(id=q.id, qr=1, aa=aa, rd=q.rd, ra=0,
                         opcode=q.opcode, rcode=rcode)

    def _build(self, q, ans, truncated=False):
        rec = DNSRecord(self._header(q, ans.rcode),
                        q=DNSQuestion(DNSLabel(q.qname), q.qtype, q.qclass))
        if truncated:
            rec.header.tc = 1
        else:
            for rr in ans.answer:
                rec.add_answer(rr)
            for rr in ans.authority:
                rec.add_auth(rr)
        if q.edns_size is not None:
            rec.add_ar(EDNS0(udp_len=OUR_EDNS_SIZE,
                             flags="do" if q.edns_do else ""))
        return rec.pack()

    def _send_answer(self, q, ans, transport):
        if ans.drop:
            return None
        if ans.delay > 0:
            time.sleep(min(ans.delay, 120.0))
        if ans.garbage:
            return struct.pack("!H", q.id) + os.urandom(40)
        if ans.truncate:
            return self._build(q, ans, truncated=True)
        try:
            wire = self._build(q, ans)
        except Exception:  # e.g. a zone name that cannot be encoded
            wire = self._build(q, Answer(RCODE.SERVFAIL))
        if transport == "udp":
            limit = 512
            if q.edns_size is not None:
                limit = max(512, min(q.edns_size, 65535))
            if len(wire) > limit:
                wire = self._build(q, ans, truncated=True)
        return wire

    def _error_reply(self, data, rcode):
        """FORMERR/NOTIMP: echo the id and opcode, no sections."""
        if len(data) < 12:
            return None
        qid, flags = struct.unpack("!HH", data[:4])
        if flags & 0x8000:
            return None
        flags = (flags & 0x7900) | 0x8000 | (rcode & 0xF)  # opcode, RD kept
        return struct.pack("!HHHHHH", qid, flags, 0, 0, 0, 0)


# --------------------------------------------------------------------------
# command line

def load_zone_file(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def main(argv=None):
    ap = argparse.ArgumentParser(description="loopback authoritative DNS "
                                 "server for tests")
    ap.add_argument("--port", type=int, default=0,
                    help="port on 127.0.0.1 (0 = pick a free one)")
    ap.add_argument("--zone", required=True, help="zone file (JSON)")
    ap.add_argument("--pidfile", help="write our pid here")
    ap.add_argument("--host", default="127.0.0.1",
                    help="loopback address to bind (default 127.0.0.1)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="log every query to stderr")
    args = ap.parse_args(argv)

    try:
        zone = Zone(load_zone_file(args.zone))
    except (OSError, ValueError) as e:
        sys.stderr.write("testdns: %s: %s\n" % (args.zone, e))
        return 2
    srv = TestDNSServer(zone, port=args.port, host=args.host,
                        log=sys.stderr if args.verbose else None)
    try:
        srv.start()
    except OSError as e:
        sys.stderr.write("testdns: cannot bind %s port %d: %s\n"
                         % (args.host, args.port, e))
        return 2

    stop = threading.Event()

    def on_term(signum, frame):
        stop.set()

    def on_hup(signum, frame):
        try:
            srv.reload(load_zone_file(args.zone))
            sys.stderr.write("testdns: zone reloaded\n")
        except (OSError, ValueError) as e:
            sys.stderr.write("testdns: reload failed, keeping old zone: %s\n"
                             % e)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_hup)

    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stdout.write("PORT=%d\n" % srv.port)
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        srv.stop()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
