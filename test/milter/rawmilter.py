#!/usr/bin/env python3
"""rawmilter.py - play one scripted MTA side of the milter protocol (v6).

Used by the miltertest scripts for what miltertest(8) cannot express:
packets larger than its 1024-byte stack buffer (mt.header() of more than
about 1000 bytes crashes miltertest itself), the order of the
end-of-message actions and the text of an SMTP reply.

Usage: rawmilter.py PORT SPECFILE

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

TIMEOUT = 20.0

SMFIP_NOCONNECT = 0x1
SMFIP_NOHELO = 0x2
SMFIP_NOMAIL = 0x4
SMFIP_NORCPT = 0x8
SMFIP_NOBODY = 0x10
SMFIP_NOHDRS = 0x20
SMFIP_NOEOH = 0x40
SMFIP_NR_HDR = 0x80
SMFIP_NODATA = 0x200
SMFIP_NR_CONN = 0x1000
SMFIP_NR_HELO = 0x2000
SMFIP_NR_MAIL = 0x4000
SMFIP_NR_RCPT = 0x8000
SMFIP_NR_DATA = 0x10000
SMFIP_NR_EOH = 0x40000
SMFIP_NR_BODY = 0x80000
SMFIP_HDR_LEADSPC = 0x100000

DEFAULT_PROTOCOL = 0x001FFFFF   # every step and option of protocol v6
DEFAULT_ACTIONS = 0x000001FF    # every action of protocol v6

# step -> (command byte, "skip" flag, "no reply" flag)
STEPS = {
    "connect": (b"C", SMFIP_NOCONNECT, SMFIP_NR_CONN),
    "helo": (b"H", SMFIP_NOHELO, SMFIP_NR_HELO),
    "mail": (b"M", SMFIP_NOMAIL, SMFIP_NR_MAIL),
    "rcpt": (b"R", SMFIP_NORCPT, SMFIP_NR_RCPT),
    "data": (b"T", SMFIP_NODATA, SMFIP_NR_DATA),
    "header": (b"L", SMFIP_NOHDRS, SMFIP_NR_HDR),
    "eoh": (b"N", SMFIP_NOEOH, SMFIP_NR_EOH),
    "body": (b"B", SMFIP_NOBODY, SMFIP_NR_BODY),
}

FINAL_EOM_REPLIES = b"cartd"


class Closed(Exception):
    """The milter closed the connection or did not answer in time."""


def enc(data):
    return urllib.parse.quote_from_bytes(data, safe="")


def dec(field):
    return urllib.parse.unquote_to_bytes(field)


def cstr(data):
    return data + b"\0"


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        self.sock.settimeout(TIMEOUT)
        self.protocol = 0
        self.negotiated = False

    def send(self, cmd, data=b""):
        try:
            self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd + data)
        except OSError as e:
            raise Closed(str(e))

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            try:
                chunk = self.sock.recv(n - len(out))
            except OSError as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("EOF")
            out += chunk
        return out

    def recv(self):
        (length,) = struct.unpack(">I", self.recv_exact(4))
        if length < 1:
            raise Closed("bad packet length %d" % length)
        body = self.recv_exact(length)
        return body[:1], body[1:]

    def negotiate(self, protocol=DEFAULT_PROTOCOL, actions=DEFAULT_ACTIONS):
        self.send(b"O", struct.pack(">III", 6, actions, protocol))
        cmd, data = self.recv()
        if cmd != b"O" or len(data) < 12:
            raise Closed("negotiation answered %r" % cmd)
        _, acts, proto = struct.unpack(">III", data[:12])
        self.protocol = proto
        self.negotiated = True
        print("negotiated %x %x" % (proto, acts))

    def step(self, name, data):
        if not self.negotiated:
            self.negotiate()
        cmd, skip, noreply = STEPS[name]
        if self.protocol & skip:
            return
        self.send(cmd, data)
        if self.protocol & noreply:
            return
        code, _ = self.recv()
        print("reply %s %s" % (name, enc(code)))

    def eom(self):
        if not self.negotiated:
            self.negotiate()
        self.send(b"E")
        while True:
            code, data = self.recv()
            if code in (b"i", b"m"):
                (idx,) = struct.unpack(">I", data[:4])
                name, _, value = data[4:].partition(b"\0")
                kind = "insheader" if code == b"i" else "chgheader"
                print("action %s %d %s %s" % (kind, idx, enc(name),
                                              enc(value.rstrip(b"\0"))))
            elif code == b"h":
                name, _, value = data.partition(b"\0")
                print("action addheader %s %s" % (enc(name),
                                                  enc(value.rstrip(b"\0"))))
            elif code == b"y":
                print("action replycode %s" % enc(data.rstrip(b"\0")))
                print("reply eom y")
                return
            elif code == b"q":
                print("action quarantine %s" % enc(data.rstrip(b"\0")))
            elif code == b"p":
                continue  # progress: keep waiting
            elif code in FINAL_EOM_REPLIES:
                print("reply eom %s" % enc(code))
                return
            else:
                print("action other %s %s" % (enc(code), enc(data)))


def connect_data(host, ip):
    if ip == b"unspec":
        return cstr(host) + b"U"
    family = b"6" if b":" in ip else b"4"
    return cstr(host) + family + struct.pack(">H", 25) + cstr(ip)


def play(port, lines):
    s = Session(port)
    step = "connect"
    try:
        for line in lines:
            if not line.strip():
                continue
            f = [dec(x) for x in line.rstrip("\n").split(" ")]
            step = f[0].decode()
            args = f[1:]
            if step == "negotiate":
                proto = int(args[0], 16) if args else DEFAULT_PROTOCOL
                acts = int(args[1], 16) if len(args) > 1 else DEFAULT_ACTIONS
                s.negotiate(proto, acts)
            elif step == "connect":
                s.step("connect", connect_data(args[0], args[1]))
            elif step == "helo":
                s.step("helo", cstr(args[0]))
            elif step == "macro":
                if not s.negotiated:
                    s.negotiate()
                s.send(b"D", args[0][:1] + b"".join(cstr(a) for a in args[1:]))
            elif step in ("mail", "rcpt"):
                s.step(step, b"".join(cstr(a) for a in args))
            elif step == "data":
                s.step("data", b"")
            elif step == "header":
                value = args[1] if len(args) > 1 else b""
                if s.protocol & SMFIP_HDR_LEADSPC:
                    value = b" " + value
                s.step("header", cstr(args[0]) + cstr(value))
            elif step == "eoh":
                s.step("eoh", b"")
            elif step == "body":
                s.step("body", args[0] if args else b"")
            elif step == "eom":
                s.eom()
            elif step == "abort":
                s.send(b"A")
            elif step == "quit":
                s.send(b"Q")
            else:
                print("unknown command %r" % step, file=sys.stderr)
                return 2
    except (Closed, socket.timeout) as e:
        print("closed %s" % step)
        print("rawmilter: %s: %s" % (step, e), file=sys.stderr)
        return 3
    finally:
        sys.stdout.flush()
        s.sock.close()
    return 0


def main(argv):
    if len(argv) != 3:
        print("usage: rawmilter.py PORT SPECFILE", file=sys.stderr)
        return 2
    with open(argv[2], encoding="ascii") as f:
        lines = f.readlines()
    return play(int(argv[1]), lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
