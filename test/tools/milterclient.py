#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
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

Run as a program it plays one scripted MTA side, packet by packet, for
what miltertest(8) cannot express (test/milter/lib.lua's T.raw): packets
larger than its 1024-byte stack buffer (mt.header() of more than about
1000 bytes crashes miltertest itself), the order of the end-of-message
actions and the text of an SMTP reply.

Usage: milterclient.py PORT SPECFILE     (the milter on 127.0.0.1:PORT)

SPECFILE holds one command per line, fields separated by one space, each
field percent-decoded (%20 space, %25 percent, %00 NUL, %0A LF ...):

    negotiate [PROTOCOL_HEX [ACTIONS_HEX]]   optional; default offers what
                                          miltertest offers (all steps)
    connect HOST IP                       IP "unspec": unknown family
    helo NAME
    macro STAGE NAME VALUE [NAME VALUE]... STAGE: C H M R T L N E
    mail ADDR [ESMTP-ARG]...
    rcpt ADDR [ESMTP-ARG]...
    data
    header NAME VALUE                     leading space added when the
                                          milter negotiated SMFIP_HDR_LEADSPC
    eoh
    body DATA
    eom
    abort
    quit

Output, one line per event, fields percent-encoded:
    negotiated PROTOCOL_HEX ACTIONS_HEX
    reply STEP CODE                       CODE one of c a r t d y ...
    action insheader INDEX NAME VALUE
    action chgheader INDEX NAME VALUE     empty VALUE = delete
    action addheader NAME VALUE
    action replycode TEXT
    action quarantine REASON
    action other CODE DATA
    closed STEP                           the milter closed the connection
Exit status: 0 script played to its end, 3 connection closed or timed out
early, 2 usage or spec error.
"""

import socket
import struct
import sys
import urllib.parse

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
# steps a milter may ask not to get (SMFIP_NO*), by command
SMFIP_NO = {b"C": 0x1, b"H": 0x2, b"M": 0x4, b"R": 0x8, b"B": 0x10,
            b"L": 0x20, b"N": 0x40, b"T": 0x200}
SMFIP_ALL = 0x001FFFFF     # every step and option of protocol 6


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


# ---------------------------------------------------------------------------
# the scripted MTA (milterclient.py PORT SPECFILE)

PLAY_STEPS = {"connect": b"C", "helo": b"H", "mail": b"M", "rcpt": b"R",
              "data": b"T", "header": b"L", "eoh": b"N", "body": b"B"}
PLAY_TIMEOUT = 20


def _enc(data):
    return urllib.parse.quote_from_bytes(data, safe="")


def _cstr(data):
    return data + b"\0"


class Player(object):
    """Plays spec lines over a MilterClient and prints what comes back."""

    def __init__(self, client):
        self.c = client
        self.negotiated = False

    def negotiate(self, protocol=SMFIP_ALL, actions=SMFIF_ALL):
        acts, prot = self.c.negotiate(
            leadspc=bool(protocol & SMFIP_HDR_LEADSPC), actions=actions,
            offer=protocol & ~SMFIP_HDR_LEADSPC)
        self.negotiated = True
        print("negotiated %x %x" % (prot, acts))

    def step(self, name, data):
        """One step, unless the milter asked not to get it; its reply,
        unless the milter declared it no-reply."""
        if not self.negotiated:
            self.negotiate()
        cmd = PLAY_STEPS[name]
        if self.c.protocol & SMFIP_NO[cmd]:
            return
        self.c._send(cmd, data)
        if self.c.protocol & SMFIP_NR[cmd]:
            return
        code, _ = self.c._recv()
        print("reply %s %s" % (name, _enc(code)))

    def raw(self, cmd, data=b""):
        if not self.negotiated:
            self.negotiate()
        self.c._send(cmd, data)

    def eom(self):
        """End of message: every action, then the final reply."""
        self.raw(SMFIC["bodyeob"])
        while True:
            code, data = self.c._recv()
            if code in (b"i", b"m"):
                (idx,) = struct.unpack("!I", data[:4])
                name, _, value = data[4:].partition(b"\0")
                kind = "insheader" if code == b"i" else "chgheader"
                print("action %s %d %s %s" % (kind, idx, _enc(name),
                                              _enc(value.rstrip(b"\0"))))
            elif code == b"h":
                name, _, value = data.partition(b"\0")
                print("action addheader %s %s" % (_enc(name),
                                                  _enc(value.rstrip(b"\0"))))
            elif code == b"y":
                print("action replycode %s" % _enc(data.rstrip(b"\0")))
                print("reply eom y")
                return
            elif code == b"q":
                print("action quarantine %s" % _enc(data.rstrip(b"\0")))
            elif code == b"p":
                continue            # progress: keep waiting
            elif code in b"cartd":
                print("reply eom %s" % _enc(code))
                return
            else:
                print("action other %s %s" % (_enc(code), _enc(data)))

    def line(self, step, args):
        """One spec line; False for an unknown command."""
        if step == "negotiate":
            self.negotiate(int(args[0], 16) if args else SMFIP_ALL,
                           int(args[1], 16) if len(args) > 1 else SMFIF_ALL)
        elif step == "connect":
            if args[1] == b"unspec":
                data = _cstr(args[0]) + b"U"
            else:
                fam = b"6" if b":" in args[1] else b"4"
                data = (_cstr(args[0]) + fam + struct.pack("!H", 25) +
                        _cstr(args[1]))
            self.step("connect", data)
        elif step == "helo":
            self.step("helo", _cstr(args[0]))
        elif step == "macro":
            self.raw(SMFIC["macro"],
                     args[0][:1] + b"".join(_cstr(a) for a in args[1:]))
        elif step in ("mail", "rcpt"):
            self.step(step, b"".join(_cstr(a) for a in args))
        elif step in ("data", "eoh"):
            self.step(step, b"")
        elif step == "header":
            value = args[1] if len(args) > 1 else b""
            if self.c.protocol & SMFIP_HDR_LEADSPC:
                value = b" " + value
            self.step("header", _cstr(args[0]) + _cstr(value))
        elif step == "body":
            self.step("body", args[0] if args else b"")
        elif step == "eom":
            self.eom()
        elif step in ("abort", "quit"):
            self.raw(SMFIC[step])
        else:
            return False
        return True


def play(port, lines):
    """Play the spec LINES against the milter on 127.0.0.1:PORT; the exit
    status (see the module's text)."""
    step = "connect"
    try:
        c = MilterClient("127.0.0.1", port, timeout=PLAY_TIMEOUT)
    except OSError as e:
        print("closed %s" % step)
        print("milterclient: %s: %s" % (step, e), file=sys.stderr)
        return 3
    p = Player(c)
    try:
        for text in lines:
            if not text.strip():
                continue
            f = [urllib.parse.unquote_to_bytes(x)
                 for x in text.rstrip("\n").split(" ")]
            step = f[0].decode()
            if not p.line(step, f[1:]):
                print("unknown command %r" % step, file=sys.stderr)
                return 2
    except (MilterError, OSError) as e:
        print("closed %s" % step)
        print("milterclient: %s: %s" % (step, e), file=sys.stderr)
        return 3
    finally:
        sys.stdout.flush()
        c.sock.close()
    return 0


def main(argv):
    if len(argv) != 3:
        print("usage: milterclient.py PORT SPECFILE", file=sys.stderr)
        return 2
    with open(argv[2], encoding="ascii") as f:
        lines = f.readlines()
    return play(int(argv[1]), lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
