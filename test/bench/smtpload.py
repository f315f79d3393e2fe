#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtpload.py - send a corpus over SMTP at a fixed concurrency.

    smtpload.py -p PORT -c CONCURRENCY [-n MESSAGES] [-k PER_CONN] [-x] DIR

Every message file may start with X-Load-Client-IP: / X-Load-Mail-From: /
X-Load-Rcpt: / X-Load-Helo: lines (the envelope; not sent; the client IP
and HELO go to Postfix with XCLIENT when -x is given, so the milters see
them instead of 127.0.0.1). CONCURRENCY connections run at
once; each sends up to PER_CONN messages (default 1: a new connection per
message, as smtp-source does without -d), then QUIT. Messages are taken in
order, wrapping around when -n exceeds the corpus. Prints one JSON object:
sent, errors, seconds, rate, the first error, own CPU seconds.

smtp-source cannot be used: it sends one file with one envelope, and the
corpus has 5,000 different messages with their own envelopes.
"""

import argparse
import asyncio
import json
import os
import resource
import sys
import time


def load(path, limit):
    files = sorted(os.path.join(path, f) for f in os.listdir(path)
                   if f.endswith(".eml"))[:limit]
    out = []
    for fn in files:
        with open(fn, "rb") as f:
            data = f.read()
        env = {"mail": b"<>", "rcpt": [], "helo": b"load.example",
               "ip": None}
        while data.startswith(b"X-Load-"):
            line, _, data = data.partition(b"\r\n")
            k, _, v = line.partition(b":")
            v = v.strip()
            if k == b"X-Load-Mail-From":
                env["mail"] = v
            elif k == b"X-Load-Rcpt":
                env["rcpt"].append(v)
            elif k == b"X-Load-Helo":
                env["helo"] = v
            elif k == b"X-Load-Client-IP":
                env["ip"] = v
        if not env["rcpt"]:
            env["rcpt"] = [b"<user@sink.example>"]
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        data = data.replace(b"\r\n.", b"\r\n..")
        if data.startswith(b"."):
            data = b"." + data
        out.append((env, data + b".\r\n"))
    return out


class Load(object):
    def __init__(self, port, msgs, n, per_conn, xclient):
        self.port, self.msgs, self.n, self.per = port, msgs, n, per_conn
        self.xclient = xclient
        self.next = 0
        self.sent = self.errors = 0
        self.first_error = None

    async def reply(self, r):
        while True:
            line = await r.readline()
            if len(line) < 4:
                raise IOError("connection closed: %r" % line)
            if line[3:4] != b"-":
                return line

    async def cmd(self, r, w, data, want):
        w.write(data)
        line = await self.reply(r)
        if not line.startswith(want):
            raise IOError("%r -> %r" % (data[:40], line.strip()))

    async def session(self):
        while self.next < self.n:
            r, w = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                line = await self.reply(r)
                if not line.startswith(b"220"):
                    raise IOError("banner %r" % line)
                helo = None
                for _ in range(self.per):
                    if self.next >= self.n:
                        break
                    env, data = self.msgs[self.next % len(self.msgs)]
                    self.next += 1
                    if helo is None:
                        helo = env["helo"]
                        await self.cmd(r, w, b"EHLO " + helo + b"\r\n",
                                       b"250")
                        if env["ip"] and self.xclient:
                            await self.cmd(r, w, b"XCLIENT ADDR=" + env["ip"]
                                           + b" NAME=[UNAVAILABLE] HELO=" +
                                           helo + b"\r\n", b"220")
                            await self.cmd(r, w, b"EHLO " + helo + b"\r\n",
                                           b"250")
                    try:
                        await self.cmd(r, w, b"MAIL FROM:" + env["mail"] +
                                       b"\r\n", b"250")
                        for rc in env["rcpt"]:
                            await self.cmd(r, w, b"RCPT TO:" + rc + b"\r\n",
                                           b"250")
                        await self.cmd(r, w, b"DATA\r\n", b"354")
                        await self.cmd(r, w, data, b"250")
                        self.sent += 1
                    except IOError as e:
                        self.errors += 1
                        self.first_error = self.first_error or str(e)
                        await self.cmd(r, w, b"RSET\r\n", b"250")
                w.write(b"QUIT\r\n")
                await w.drain()
            except (IOError, OSError) as e:
                self.errors += 1
                self.first_error = self.first_error or str(e)
            finally:
                w.close()

    async def run(self, conc):
        await asyncio.gather(*(self.session() for _ in range(conc)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-p", "--port", type=int, required=True)
    ap.add_argument("-c", "--concurrency", type=int, default=10)
    ap.add_argument("-n", "--messages", type=int, default=0)
    ap.add_argument("-k", "--per-connection", type=int, default=1)
    ap.add_argument("-x", "--xclient", action="store_true",
                    help="present X-Load-Client-IP and X-Load-Helo with "
                    "XCLIENT (Postfix: smtpd_authorized_xclient_hosts)")
    ap.add_argument("dir")
    a = ap.parse_args()
    msgs = load(a.dir, a.messages or 10 ** 9)
    n = a.messages or len(msgs)
    ld = Load(a.port, msgs, n, a.per_connection, a.xclient)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    asyncio.run(asyncio.wait_for(ld.run(a.concurrency), 3600))
    t = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(json.dumps({"sent": ld.sent, "errors": ld.errors, "seconds": t,
                      "rate": ld.sent / t if t else 0, "t0": t0,
                      "first_error": ld.first_error, "cpu": cpu}))
    return 0 if ld.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
