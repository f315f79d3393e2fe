#!/usr/bin/python3
"""MTA side of the milter protocol (version 6), standard library only.

Used by the demo and by tests that need to see exactly what the daemon
answers: every header modification and the final action of each message.

    c = MilterClient("127.0.0.1", 12345)        # or path="/run/x.sock"
    c.negotiate()
    c.connect("mail.example", "192.0.2.10")       # IPv6 works too
    c.helo("mail.example")
    r = c.message("<a@example.org>", ["<b@example.net>"], raw_bytes,
                  macros={"i": "4XbQ2k1Lz9"})
    r.action      -> "accept" | "continue" | "reject" | "tempfail" | ...
    r.reply       -> "550 5.7.1 ..." for reject/tempfail with a reply
    r.inserted    -> [(index, name, value)], r.changed -> [(index, name, value)]
    c.close()
"""

import socket
import struct

SMFIC = {"abort": b"A", "body": b"B", "connect": b"C", "macro": b"D",
         "bodyeob": b"E", "helo": b"H", "header": b"L", "mail": b"M",
         "eoh": b"N", "optneg": b"O", "quit": b"Q", "rcpt": b"R",
         "data": b"T"}
ACTIONS = {b"a": "accept", b"c": "continue", b"d": "discard",
           b"r": "reject", b"t": "tempfail", b"y": "replycode"}
SMFIF_ALL = 0x1FF          # every action an MTA may offer
SMFIP_HDR_LEADSPC = 0x100000
SMFIP_NOUNKNOWN = 0x100
SMFIP_NODATA = 0x200
# no-reply flags by the command they apply to (Postfix offers all of them)
SMFIP_NR = {b"C": 0x1000, b"H": 0x2000, b"M": 0x4000, b"R": 0x8000,
            b"T": 0x10000, b"U": 0x20000, b"N": 0x40000, b"B": 0x80000,
            b"L": 0x80}
SMFIP_NR_ALL = sum(SMFIP_NR.values())


class MilterError(Exception):
    pass


class Result:
    def __init__(self):
        self.action = None
        self.reply = None
        self.inserted = []
        self.added = []
        self.changed = []
        self.quarantine = None

    def header(self, name):
        """Value of the first inserted or added header with this name."""
        for _, n, v in self.inserted:
            if n.lower() == name.lower():
                return v
        for n, v in self.added:
            if n.lower() == name.lower():
                return v
        return None


class MilterClient:
    def __init__(self, host="127.0.0.1", port=None, path=None, timeout=30):
        if path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        else:
            self.sock = socket.create_connection((host, port), timeout)
            # macro packets get no reply: without this, Nagle holds the next
            # command until the milter's delayed ACK (40 ms) arrives
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.leadspc = False
        self.protocol = 0           # protocol flags the milter asked for

    def _send(self, cmd, data=b""):
        self.sock.sendall(struct.pack("!I", len(data) + 1) + cmd + data)

    def _recv(self):
        hdr = self._read(4)
        (n,) = struct.unpack("!I", hdr)
        if n < 1 or n > 1 << 24:
            raise MilterError("bad packet length %d" % n)
        body = self._read(n)
        return body[:1], body[1:]

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise MilterError("milter closed the connection")
            buf += chunk
        return buf

    def _step(self, cmd, data=b""):
        """Send one command and return the milter's one-word answer."""
        self._send(cmd, data)
        code, rest = self._recv()
        return code, rest

    def negotiate(self, leadspc=True, actions=SMFIF_ALL, offer=0):
        """offer: further protocol flags to offer, e.g. SMFIP_NR_ALL as
        Postfix does; steps the milter takes as no-reply are then sent
        without waiting for an answer."""
        proto = (SMFIP_HDR_LEADSPC if leadspc else 0) | offer
        code, rest = self._step(SMFIC["optneg"],
                                struct.pack("!III", 6, actions, proto))
        if code != b"O":
            raise MilterError("negotiation answered %r" % code)
        _, acts, prot = struct.unpack("!III", rest[:12])
        self.leadspc = bool(prot & SMFIP_HDR_LEADSPC)
        self.protocol = prot
        return acts, prot

    def macros(self, stage, pairs):
        data = SMFIC[stage]
        for k, v in pairs.items():
            data += k.encode() + b"\0" + v.encode() + b"\0"
        self._send(SMFIC["macro"], data)

    def connect(self, hostname, addr, port=25, macros=None):
        if macros:
            self.macros("connect", macros)
        if addr is None:
            data = hostname.encode() + b"\0U"
        else:
            fam = b"6" if ":" in addr else b"4"
            data = (hostname.encode() + b"\0" + fam + struct.pack("!H", port)
                    + addr.encode() + b"\0")
        return self._expect_continue(SMFIC["connect"], data)

    def helo(self, name):
        return self._expect_continue(SMFIC["helo"], name.encode() + b"\0")

    def _expect_continue(self, cmd, data=b""):
        if self.protocol & SMFIP_NR.get(cmd, 0):
            self._send(cmd, data)
            return "noreply"
        code, rest = self._step(cmd, data)
        return ACTIONS.get(code, repr(code))

    def message(self, mailfrom, rcpts, raw, macros=None, mail_macros=None,
                chunk=65535, between_chunks=None):
        """One transaction; returns a Result with the eom answer.
        between_chunks: called after each body chunk (a slow client)."""
        r = Result()
        if mail_macros:
            self.macros("mail", mail_macros)
        code = self._expect_continue(SMFIC["mail"], mailfrom.encode() + b"\0")
        if code not in ("continue", "noreply"):
            r.action = code
            return r
        for rc in rcpts:
            self._expect_continue(SMFIC["rcpt"], rc.encode() + b"\0")
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        if macros:
            self.macros("header", macros)
        for name, value in self._fields(head):
            if not self.leadspc:
                value = value.lstrip(b" ")
            self._expect_continue(SMFIC["header"],
                                  name + b"\0" + value + b"\0")
        if macros:
            self.macros("eoh", macros)
        self._expect_continue(SMFIC["eoh"])
        body = body.replace(b"\n", b"\r\n")
        for i in range(0, len(body), chunk):
            self._expect_continue(SMFIC["body"], body[i:i + chunk])
            if between_chunks:
                between_chunks()
        if macros:
            self.macros("bodyeob", macros)
        self._send(SMFIC["bodyeob"])
        return self._eom(r)

    @staticmethod
    def _fields(head):
        fields = []
        for line in head.split(b"\n"):
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1][1] += b"\n" + line
            elif b":" in line:
                name, _, value = line.partition(b":")
                fields.append([name, value])
        return fields

    def _eom(self, r):
        while True:
            code, rest = self._recv()
            if code == b"i":
                (idx,) = struct.unpack("!I", rest[:4])
                name, value = rest[4:].split(b"\0")[:2]
                r.inserted.append((idx, name.decode(), value.decode()))
            elif code == b"h":
                name, value = rest.split(b"\0")[:2]
                r.added.append((name.decode(), value.decode()))
            elif code == b"m":
                (idx,) = struct.unpack("!I", rest[:4])
                name, value = rest[4:].split(b"\0")[:2]
                r.changed.append((idx, name.decode(), value.decode()))
            elif code == b"q":
                r.quarantine = rest.rstrip(b"\0").decode()
            elif code == b"y":
                r.reply = rest.rstrip(b"\0").decode()
                r.action = ("reject" if r.reply.startswith("5")
                            else "tempfail")
                return r
            elif code in ACTIONS:
                r.action = ACTIONS[code]
                return r
            elif code == b"p":
                continue            # progress
            else:
                raise MilterError("unexpected eom answer %r" % code)

    def close(self):
        try:
            self._send(SMFIC["quit"])
        finally:
            self.sock.close()
