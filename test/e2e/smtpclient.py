#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Send one message file over SMTP to 127.0.0.1:PORT for the e2e tests.

  smtpclient.py --port N --from ADDR --rcpt ADDR [--rcpt ADDR]... --file F
                [--client-ip IP --helo NAME] [--source IP [--helo NAME]]
                [--timeout S] [-v]

With --client-ip/--helo it sends, after the first EHLO,
  XCLIENT ADDR=IP NAME=[UNAVAILABLE] HELO=NAME
(Postfix answers with a new 220 greeting) and then EHLO NAME again, so that
smtpd and its milters see that client address and HELO name.
For an MTA without XCLIENT (Sendmail), --source IP connects from that
loopback address (any of 127.0.0.0/8) and --helo NAME is the first EHLO.

Prints exactly one line on stdout: the SMTP reply that decided the
transaction, "CODE TEXT" (the end-of-DATA reply, or the earlier reply that
refused it: greeting, XCLIENT, MAIL, RCPT or DATA), multi-line text joined
with spaces.  With -v the whole dialogue goes to stderr.
Exit status: 0 when a reply was printed, 2 when no SMTP reply could be had.
"""

import argparse
import re
import smtplib
import sys


def text(resp):
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return " ".join(resp.split("\n"))


def say(code, resp):
    print("%d %s" % (code, text(resp)))
    sys.stdout.flush()
    return 0


def run(a):
    with open(a.file, "rb") as f:
        msg = f.read()
    # SMTP wants CRLF; smtplib sends bytes as they are.
    msg = re.sub(rb"\r?\n", b"\r\n", msg)
    if not msg.endswith(b"\r\n"):
        msg += b"\r\n"
    src = (a.source, 0) if a.source else None
    s = smtplib.SMTP(timeout=a.timeout, source_address=src)
    s.set_debuglevel(1 if a.verbose else 0)
    try:
        code, resp = s.connect("127.0.0.1", a.port)
    except smtplib.SMTPConnectError as e:
        return say(e.smtp_code, e.smtp_error)
    if code != 220:
        return say(code, resp)
    try:
        first = a.helo if a.helo and not a.client_ip else "client.e2e.test"
        code, resp = s.ehlo(first)
        if code != 250:
            return say(code, resp)
        if a.client_ip:
            if not s.has_extn("xclient"):
                return say(502, "5.5.1 e2e: server does not offer XCLIENT")
            code, resp = s.docmd("XCLIENT", "ADDR=%s NAME=[UNAVAILABLE] HELO=%s"
                                 % (a.client_ip, a.helo))
            if code != 220:
                return say(code, resp)
            # XCLIENT resets the session: forget the old EHLO and say it again
            # with the same name, or it would replace the XCLIENT HELO name.
            s.ehlo_resp = s.helo_resp = None
            s.esmtp_features = {}
            code, resp = s.ehlo(a.helo)
            if code != 250:
                return say(code, resp)
        code, resp = s.mail(a.mail_from)
        if code != 250:
            return say(code, resp)
        accepted = 0
        last = (code, resp)
        for r in a.rcpt:
            code, resp = s.rcpt(r)
            last = (code, resp)
            if code in (250, 251):
                accepted += 1
        if not accepted:
            return say(*last)
        try:
            code, resp = s.data(msg)
        except smtplib.SMTPDataError as e:
            code, resp = e.smtp_code, e.smtp_error
        return say(code, resp)
    except smtplib.SMTPServerDisconnected as e:
        return say(421, "4.4.2 e2e: server disconnected: %s" % e)
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--from", dest="mail_from", required=True)
    ap.add_argument("--rcpt", action="append", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--client-ip")
    ap.add_argument("--helo")
    ap.add_argument("--source")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.client_ip and not a.helo:
        ap.error("--client-ip needs --helo")
    if a.client_ip and a.source:
        ap.error("--client-ip (XCLIENT) and --source exclude each other")
    try:
        return run(a)
    except (OSError, smtplib.SMTPException) as e:
        print("e2e smtpclient: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
