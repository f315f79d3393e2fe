#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""log.format = "json": the verdict line as one JSON object per line.

One daemon (`authmilter -f`, log on stderr) starts with log.format "text";
the messages of opslib.MESSAGES go through it over the milter protocol.
Then the config is rewritten with log.format "json" and SIGUSR1 reloads
it; the same messages go through again. Checks:

  * every JSON verdict line parses (json.loads) as one object;
  * it carries exactly the fields of the text line for the same message
    (same names, same values; ms only as a non-negative number), plus
    "conn", and queue_id null when the MTA sent none;
  * the values are the expected verdicts (action, spf, dkim, dmarc,
    removed_ar);
  * the text lines before the reload are not JSON, and the "not
    supported" warning is gone.

Prints PASS/FAIL lines and "json-log: N passed, N failed".
"""

import json
import os
import re
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import opslib  # noqa: E402
import testlib  # noqa: E402
from testlib import wait_for  # noqa: E402

passed = failed = 0
PREFIX = "authmilter: info: "


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def text_fields(line):
    """The text verdict line as {key: value} (queue id as queue_id)."""
    head, _, rest = line.partition(": ")
    f = {}
    if head.startswith("c="):
        f["conn"] = head[2:]
    else:
        f["queue_id"] = head
    for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', rest):
        f[k] = v.strip('"')
    return f


def json_as_text(obj):
    """A JSON verdict object in the text line's terms, for comparing."""
    f = {}
    for k, v in obj.items():
        if k == "dkim":
            f[k] = ",".join("%s:%s" % (s["result"], s["domain"])
                            for s in v) or "none"
            # the text line's dkim_selectors= is the objects' "selector"
            if v:
                f["dkim_selectors"] = ",".join(s["selector"] for s in v)
        elif k in ("conn", "queue_id") and v is None:
            continue
        else:
            f[k] = str(v)
    return f


def verdict_lines(text, qid_prefix):
    out = {}
    for line in text.splitlines():
        if not line.startswith(PREFIX):
            continue
        body = line[len(PREFIX):]
        if body.startswith("{"):
            try:
                obj = json.loads(body)
            except ValueError as e:
                out.setdefault("bad", []).append((body, str(e)))
                continue
            qid = obj.get("queue_id") or ""
            if qid.startswith(qid_prefix):
                out[qid] = obj
        elif body.startswith(qid_prefix):
            out[body.split(":", 1)[0]] = body
    return out


def run(tmp):
    priv, pub = opslib.make_key(tmp)
    port = testlib.free_port()
    conf = os.path.join(tmp, "a.conf")
    log = os.path.join(tmp, "daemon.log")
    opslib.write_conf(conf, port, pub, {"log": {"format": "text"}})
    d = testlib.Daemon(opslib.DAEMON, conf, log)
    try:
        check("daemon starts", d.wait_up(), d.text()[-800:])
        names = sorted(opslib.MESSAGES)
        actions = {}
        for n in names:
            actions["T" + n] = opslib.send(port, n, priv, "T" + n).action
        opslib.write_conf(conf, port, pub, {"log": {"format": "json"}})
        d.proc.send_signal(signal.SIGUSR1)
        check("reload to json", wait_for(
            lambda: "configuration reloaded" in d.text()), d.text()[-800:])
        for n in names:
            actions["J" + n] = opslib.send(port, n, priv, "J" + n).action
        # a message without a queue id: the text line would say c=N
        opslib.send(port, "spf-only", priv, None)
        wait_for(lambda: d.text().count(PREFIX + "{") >= len(names) + 1)
    finally:
        rc = d.stop()
    text = d.text()
    check("daemon stops cleanly", rc == 0, str(rc))
    check("no 'not supported' warning for log.format",
          "log.format" not in text, text[-800:])
    tl, jl = verdict_lines(text, "T"), verdict_lines(text, "J")
    check("every JSON line parses", "bad" not in jl, str(jl.get("bad")))
    for n in names:
        want_action, want = opslib.MESSAGES[n][3], opslib.MESSAGES[n][4]
        t, j = tl.get("T" + n), jl.get("J" + n)
        if t is None or j is None:
            check(n + ": both lines logged", False, "text %r json %r"
                  % (t, j))
            continue
        check(n + ": text line is not JSON", not t.startswith("{"), t)
        check(n + ": JSON line is one object", isinstance(j, dict), str(j))
        # an accepted message gets SMFIS_CONTINUE (headers were added)
        want_milter = "continue" if want_action == "accept" else want_action
        check(n + ": milter action " + want_milter,
              actions["T" + n] == actions["J" + n] == want_milter,
              "%s/%s" % (actions["T" + n], actions["J" + n]))
        tf, jf = text_fields(t), json_as_text(j)
        tf.pop("queue_id"), jf.pop("queue_id", None)
        check(n + ": conn is a number", isinstance(j.get("conn"), int),
              str(j))
        jf.pop("conn", None)
        check(n + ": ms is a number >= 0", isinstance(j.get("ms"), int) and
              j["ms"] >= 0, str(j))
        tf.pop("ms", None), jf.pop("ms", None)
        check(n + ": same fields and values as the text line", tf == jf,
              "text %s json %s" % (tf, jf))
        got = {k: (j[k][0]["result"] if k == "dkim" and j[k] else
                   ("none" if k == "dkim" else j.get(k))) for k in want}
        check(n + ": expected results " + str(want),
              got == want and j["action"] == want_action, str(j))
        if n == "signed":
            check(n + ": dkim domain", j["dkim"][0]["domain"] ==
                  "good.example", str(j))
        if n == "forged-ar":
            check(n + ": removed_ar is the number 1",
                  j.get("removed_ar") == 1 and tf.get("removed_ar") == "1",
                  str(j))
    nullq = [json.loads(l[len(PREFIX):]) for l in text.splitlines()
             if l.startswith(PREFIX + '{"queue_id":null')]
    check("no queue id: queue_id null, conn set, fields there",
          len(nullq) == 1 and isinstance(nullq[0]["conn"], int) and
          nullq[0]["action"] == "accept" and nullq[0]["spf"] == "pass",
          str(nullq))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        run(tmp)
    print("json-log: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
