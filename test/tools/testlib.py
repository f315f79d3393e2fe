# SPDX-License-Identifier: BSD-2-Clause
"""testlib: small helpers the Python test scripts share (stdlib only).

    import testlib          # test/tools on sys.path

    try:
        import dnslib
    except ImportError as e:
        testlib.use_system_python(__file__, e.name,
                                  "python3-yaml python3-dnslib")

    testlib.TOP             # the top of the source tree
    testlib.program("authmilter-check")   # a built program's path
    testlib.free_port()     # a free TCP port on 127.0.0.1
    testlib.wait_for(pred)  # poll pred() until true (bounded)
    testlib.quote(s)        # s as a libconfig string
    testlib.config_text({"authserv_id": "mx.example",
                         "dns": {"local_data": [...]}}, ...)
    testlib.write_config(path, {...}, ...)   # the same into a file
    testlib.Daemon(testlib.program("authmilter"), conf, log)
    testlib.run_timed(cmd, timeout)   # rc, stdout, stderr, problem, secs
    testlib.json_object(stdout)       # authmilter-check --json's object
    testlib.stop(proc)      # SIGTERM a daemon, its exit status
    testlib.remove_tmp(tmp, keep)     # rm -rf, or say where it stays

Nothing here needs a Debian python module, so it imports under any
python3 and can be the one to say which module is missing.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_ENV = "AUTHMILTER_PY_REEXEC"
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# the programs the suites run: the variable that names another build of
# each (test/sanitize.sh and make check set them), and its place in the tree
PROGRAMS = {
    "authmilter": ("AUTHMILTER", "milter/authmilter"),
    "authmilter-check": ("AUTHMILTER_CHECK", "check/authmilter-check"),
    "authmilter-report": ("AUTHMILTER_REPORT", "report/authmilter-report"),
    "authmilter-keygen": ("AUTHMILTER_KEYGEN", "keygen/authmilter-keygen"),
    "milterload": ("MILTERLOAD", "test/load/milterload"),
}


def program(name):
    """The path of the program NAME (a key of PROGRAMS): its variable when
    that is set and not empty, else where the build puts it in the tree."""
    var, rel = PROGRAMS[name]
    return os.environ.get(var) or os.path.join(TOP, *rel.split("/"))


def use_system_python(script, missing, packages):
    """Run SCRIPT again under /usr/bin/python3, or exit 2.

    For a failed import of module MISSING: the Debian python modules
    (PACKAGES, as apt-get names them) are installed for the system python;
    another python3 first in PATH (pyenv, a venv) may lack them.  Unless
    this already is /usr/bin/python3 or a run again, SCRIPT runs again there
    with the same arguments; otherwise it says what to install and exits 2
    (a setup error)."""
    if (os.environ.get(REEXEC_ENV) != "1"
            and os.access(SYSTEM_PYTHON, os.X_OK)
            and os.path.realpath(sys.executable)
            != os.path.realpath(SYSTEM_PYTHON)):
        os.environ[REEXEC_ENV] = "1"
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(script)]
                 + sys.argv[1:])
    sys.stderr.write("%s: python module %s is missing (apt-get install -y "
                     "%s)\n" % (os.path.basename(script), missing, packages))
    sys.exit(2)


def wait_for(pred, secs=15.0, step=0.05):
    """Poll pred() until it is true or secs pass; its last answer."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def quote(s):
    """S in double quotes with backslash and double quote escaped: a
    libconfig string, and a character-string of a zone-file line."""
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def _config_value(v, indent):
    """V as libconfig: a string, a boolean, an integer, a list or a group
    (a dict); lists longer than one line get one item a line. A list of
    groups is a libconfig list, ( ... ); any other an array, [ ... ]."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, dict):
        inner = indent + "  "
        return "{\n%s%s}" % ("".join(
            "%s%s = %s;\n" % (inner, k, _config_value(x, inner))
            for k, x in v.items()), indent)
    if isinstance(v, (list, tuple)):
        items = [_config_value(x, indent + "  ") for x in v]
        o, c = "()" if any(isinstance(x, dict) for x in v) else "[]"
        one = "%s %s %s" % (o, ", ".join(items), c) if items else o + " " + c
        if len(one) + len(indent) <= 60:
            return one
        return "%s\n%s\n%s%s" % (o, ",\n".join(
            indent + "  " + x for x in items), indent, c)
    raise TypeError("no libconfig form for %r" % (v,))


def _config_merge(into, more):
    """Merge the dict MORE into INTO: a group into a group key by key,
    anything else replaces."""
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            into[k] = _config_merge(dict(into[k]), v)
        else:
            into[k] = v
    return into


def config_text(*parts, comment=None):
    """An authmilter configuration (libconfig) from PARTS: dicts, merged in
    order (a group key by key, a later value wins; None drops a key), and
    strings of libconfig text, appended as they are after the settings.
    Values are str, bool, int, lists of them, or dicts for groups:

        config_text({"authserv_id": "mx.example",
                     "dns": {"local_zones": ["example. static"]}},
                    {"dns": {"timeout": 2}}, 'log = { level = "debug"; };')

    COMMENT, when given, is the first line (after "# ").

    A dns group with nameservers gets dnssec = false unless it says
    otherwise: the test servers answer for made-up zones under "example."
    and the like, which the root trust anchor proves do not exist, so a
    validating resolver would call every answer bogus."""
    merged, raw = {}, []
    for p in parts:
        if isinstance(p, dict):
            _config_merge(merged, p)
        elif p:
            raw.append(p if p.endswith("\n") else p + "\n")
    dns = merged.get("dns")
    if isinstance(dns, dict) and dns.get("nameservers") and \
            "dnssec" not in dns:
        dns["dnssec"] = False
    out = ["# %s\n" % comment] if comment else []
    out += ["%s = %s;\n" % (k, _config_value(_config_drop(v), ""))
            for k, v in merged.items() if v is not None]
    return "".join(out + raw)


def _config_drop(v):
    """V without the keys whose value is None, in every group."""
    if isinstance(v, dict):
        return {k: _config_drop(x) for k, x in v.items() if x is not None}
    return v


def write_config(path, *parts, comment=None, mode=0o644):
    """config_text(*PARTS) into the file PATH (mode MODE: the daemon may
    read it as nobody); PATH."""
    with open(path, "w") as f:
        f.write(config_text(*parts, comment=comment))
    os.chmod(path, mode)
    return path


def run_timed(cmd, timeout):
    """(rc, stdout, stderr, problem, seconds) of CMD, run with stdin from
    /dev/null for at most TIMEOUT seconds.  When it did not finish, rc is
    None and problem says why: "runner-timeout(Ns)" (stdout and stderr hold
    what came until then) or "exec-error(...)"; otherwise problem is None."""
    rc, stdout, stderr, problem = None, b"", b"", None
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        rc, stdout, stderr = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        stdout, stderr = e.stdout or b"", e.stderr or b""
        problem = "runner-timeout(%ds)" % timeout
    except OSError as e:
        problem = "exec-error(%s)" % e
    return rc, stdout, stderr, problem, time.monotonic() - t0


def json_object(stdout):
    """The JSON in STDOUT (bytes), also when noise surrounds its {...};
    None when there is none."""
    text = stdout.decode("utf-8", "replace").strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    a, b = text.find("{"), text.rfind("}")
    if a >= 0 and b > a:
        try:
            return json.loads(text[a:b + 1])
        except ValueError:
            pass
    return None


def stop(proc, secs=15):
    """SIGTERM to PROC (a subprocess.Popen) unless it has ended; its exit
    status, or None when it had to be killed after SECS seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(secs)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
    return proc.returncode


class Daemon(object):
    """authmilter -f -c CONF in the background, its stderr in LOG; the one
    way the suites start it.  WRAPPER: a command put before it (valgrind
    and its options); PREEXEC_FN: called in the child before the exec
    (e.g. pinning it to a CPU)."""

    def __init__(self, daemon, conf, log, wrapper=(), preexec_fn=None):
        self.log = log
        self.conf = conf
        with open(log, "w") as f:
            self.proc = subprocess.Popen(list(wrapper) +
                                         [daemon, "-f", "-c", conf],
                                         stdout=subprocess.DEVNULL,
                                         stderr=f, preexec_fn=preexec_fn)

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_up(self, secs=20):
        """True once it logged that it listens; False if it died or took
        longer than SECS seconds."""
        end = time.time() + secs
        while time.time() < end:
            if self.proc.poll() is not None:
                return False
            if "listening on" in self.text():
                return True
            time.sleep(0.05)
        return False

    def alive(self):
        return self.proc.poll() is None

    def stop(self, secs=15):
        """SIGTERM; its exit status, None when it had to be killed after
        SECS seconds."""
        return stop(self.proc, secs)


def remove_tmp(tmp, keep):
    """Remove the directory TMP, or with KEEP print where it stays."""
    if keep:
        print("kept %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
