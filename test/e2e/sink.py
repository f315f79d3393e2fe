#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Capture sink for the end-to-end tests.

Listens on 127.0.0.1:PORT, speaks enough ESMTP (EHLO/HELO/LHLO, PIPELINING,
8BITMIME, SIZE, ENHANCEDSTATUSCODES, SMTPUTF8) for Postfix's smtp/lmtp
client, and saves every accepted message, byte for byte as received after
dot-unstuffing, as DIR/mail/NNNNNN.eml.  The envelope goes to
DIR/mail/NNNNNN.json, written before the .eml so that a reader who sees the
.eml also finds its envelope.  Both files appear atomically (rename).

Standard library only.  Bound to loopback; exits by itself after
--max-seconds so that a forgotten sink never lingers.
"""

import argparse
import itertools
import json
import os
import signal
import socketserver
import sys
import threading
import time

MAX_LINE = 4096           # SMTP command lines (RFC 5321 allows 512)
MAX_DATA = 20 * 1024 * 1024
IDLE_TIMEOUT = 120        # seconds without a line from the client


class Sink:
    def __init__(self, directory):
        self.maildir = os.path.join(directory, "mail")
        self.tmpdir = os.path.join(directory, "tmp")
        os.makedirs(self.maildir, exist_ok=True)
        os.makedirs(self.tmpdir, exist_ok=True)
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def save(self, envelope, data):
        with self.lock:
            n = next(self.counter)
        base = "%06d" % n
        for ext, payload in ((".json", json.dumps(envelope, indent=1).encode()),
                             (".eml", data)):
            tmp = os.path.join(self.tmpdir, base + ext)
            with open(tmp, "wb") as f:
                f.write(payload)
            os.rename(tmp, os.path.join(self.maildir, base + ext))
        return base


class Handler(socketserver.StreamRequestHandler):
    timeout = IDLE_TIMEOUT

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def readline(self):
        line = self.rfile.readline(MAX_LINE + 2)
        if not line:
            return None
        return line.rstrip(b"\r\n").decode("utf-8", "replace")

    def read_data(self):
        chunks, size, too_big = [], 0, False
        while True:
            line = self.rfile.readline(1024 * 1024)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > MAX_DATA:
                too_big = True
                continue
            chunks.append(line)
        return None if too_big else b"".join(chunks)

    def reset(self):
        self.mail_from, self.rcpts, self.mail_args = None, [], ""

    def handle(self):
        sink = self.server.sink
        self.reset()
        helo, lmtp = "", False
        self.reply("220 sink.e2e.test ESMTP e2e capture sink")
        for _ in range(100000):         # bounded: commands per connection
            line = self.readline()
            if line is None:
                return
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "LHLO"):
                helo, lmtp = arg, verb == "LHLO"
                self.reset()
                self.reply("250-sink.e2e.test\r\n250-PIPELINING\r\n250-SIZE %d\r\n"
                           "250-8BITMIME\r\n250-SMTPUTF8\r\n"
                           "250 ENHANCEDSTATUSCODES" % MAX_DATA)
            elif verb == "HELO":
                helo = arg
                self.reset()
                self.reply("250 sink.e2e.test")
            elif verb == "MAIL":
                if self.mail_from is not None:
                    self.reply("503 5.5.1 nested MAIL")
                    continue
                addr, _, params = arg[5:].strip().partition(" ") \
                    if arg.upper().startswith("FROM:") else ("", "", "")
                self.mail_from, self.mail_args = addr, params
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                if self.mail_from is None:
                    self.reply("503 5.5.1 need MAIL")
                    continue
                self.rcpts.append(arg[3:].strip() if arg.upper().startswith("TO:") else arg)
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if not self.rcpts:
                    self.reply("503 5.5.1 need RCPT")
                    continue
                self.reply("354 end with <CRLF>.<CRLF>")
                data = self.read_data()
                if data is None:
                    self.reply("552 5.3.4 message too big or connection lost")
                    self.reset()
                    continue
                envelope = {"helo": helo, "lmtp": lmtp, "mail_from": self.mail_from,
                            "mail_args": self.mail_args, "rcpt_to": self.rcpts,
                            "peer": "%s:%s" % self.client_address[:2],
                            "time": time.time()}
                name = sink.save(envelope, data)
                replies = len(self.rcpts) if lmtp else 1
                for _ in range(replies):
                    self.reply("250 2.0.0 ok: saved as %s" % name)
                self.reset()
            elif verb == "RSET":
                self.reset()
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--max-seconds", type=int, default=3600)
    ap.add_argument("--ready-file", help="written once the socket listens")
    a = ap.parse_args()

    server = Server(("127.0.0.1", a.port), Handler)
    server.sink = Sink(a.dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    timer = threading.Timer(a.max_seconds, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.daemon = True
    timer.start()
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write("%d\n" % os.getpid())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyboardInterrupt, SystemExit) as e:
        os._exit(e.code if isinstance(e, SystemExit) and isinstance(e.code, int) else 0)
