#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The daemon's life cycle, driven over the real milter protocol:
-V (every library's version in words, and what DKIM signing uses) and
-h/--help of the four programs, the unit's Type=notify over a NOTIFY_SOCKET the test binds
(READY=1 once the socket listens, RELOADING=1/READY=1 around reloads,
STATUS= with the messages handled, STOPPING=1), ExecReload run as
systemd would (a refused file stops it before the signal), the unit
through systemd-analyze verify, privilege drop, unix socket mode and owner, a symlink put at the
socket's name never hands its target to milter.user, authserv-id from the {j}
macro, SIGUSR1 reload (a valid file takes effect, an invalid one is logged
and the old one stays), SIGTERM stops it with exit status 0; -n warns
about a password or key path in a file others may read."""

import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
from milterclient import MilterClient  # noqa: E402
import milterclient as mc  # noqa: E402
import testlib  # noqa: E402
from testlib import wait_for  # noqa: E402

DAEMON = testlib.program("authmilter")
CHECK = testlib.program("authmilter-check")
REPORT = testlib.program("authmilter-report")
KEYGEN = testlib.program("authmilter-keygen")
passed = failed = 0

CONF = """authserv_id = "%(id)s";
milter = { socket = "%(sock)s"; user = "nobody"; umask = 0007; };
dns = { local_zones = [ "example. static" ];
  local_data = [ "pass.example. 300 IN TXT \\"v=spf1 ip4:192.0.2.10 -all\\"" ]; };
"""


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def one_message(sock_path=None, port=None, j=None):
    c = MilterClient(port=port, path=sock_path)
    c.negotiate()
    c.connect("mail.pass.example", "192.0.2.10",
              macros={"j": j} if j else None)
    c.helo("mail.pass.example")
    r = c.message("<a@pass.example>", ["<b@x.example>"],
                  b"From: a@pass.example\r\nSubject: t\r\n\r\nhi\r\n")
    c.close()
    return r


def proc_uids(pid):
    """The real, effective, saved and filesystem uids of process PID."""
    with open("/proc/%d/status" % pid) as f:
        return [int(u) for u in
                [l for l in f if l.startswith("Uid:")][0].split()[1:]]


# Put a symlink to argv[2] at argv[1] the moment a socket appears there,
# as a hostile milter.user process may. Deterministic: started as root, it
# shares the daemon's CPU (argv[3]) at a real-time priority, then becomes
# nobody and blocks in inotify; the socket's creation wakes it and it runs
# before the daemon's next instruction. Without real-time scheduling it
# still races, only with less certainty ("rt off" on its first line).
RACER = r"""import ctypes, os, pwd, select, stat, struct, sys
sock, victim, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3])
name = os.path.basename(sock).encode()
tmp = sock + ".link"
os.sched_setaffinity(0, {cpu})
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    rt = "rt on"
except OSError:
    rt = "rt off"
nobody = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(nobody.pw_gid)
os.setuid(nobody.pw_uid)
os.symlink(victim, tmp)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_CLOEXEC)
IN_CREATE, IN_MOVED_TO = 0x100, 0x80
if fd < 0 or libc.inotify_add_watch(fd, os.path.dirname(sock).encode(),
                                    IN_CREATE | IN_MOVED_TO) < 0:
    print("inotify failed", flush=True)
    sys.exit(1)
print(rt, flush=True)
while select.select([fd], [], [], 30)[0]:
    data, off = os.read(fd, 65536), 0
    while off < len(data):
        n = struct.unpack_from("iIII", data, off)[3]
        ev = data[off + 16:off + 16 + n].rstrip(b"\0")
        off += 16 + n
        if ev == name and stat.S_ISSOCK(os.lstat(sock).st_mode):
            os.rename(tmp, sock)
            print("swapped", flush=True)
            sys.exit(0)
print("no socket seen", flush=True)
sys.exit(1)
"""


class Daemon(testlib.Daemon):
    """The daemon on CONF_TEXT (written to TMP/a.conf), on CPU if given."""

    def __init__(self, conf_text, tmp, cpu=None):
        conf = os.path.join(tmp, "a.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        pin = None if cpu is None else \
            (lambda: os.sched_setaffinity(0, {cpu}))
        testlib.Daemon.__init__(self, DAEMON, conf,
                                os.path.join(tmp, "daemon.log"),
                                preexec_fn=pin)

    def logtext(self):
        return self.text()

    def rewrite(self, text):
        with open(self.conf, "w") as f:
            f.write(text)


# the -V line of each library: its name and its version in words
V = r"\d+\.\d+\.\d+"
LIB_LINES = [
    ("libopendkim", r"libopendkim %s(\.\d+)?" % V),
    ("libopendmarc", r"libopendmarc \(no version call; loaded "
     r"libopendmarc\.so\.[\d.]+\)"),
    ("libspf2", r"libspf2 %s" % V),
    ("libunbound", r"libunbound %s" % V),
    ("OpenSSL", r"OpenSSL %s\S* .*" % V),
    ("SQLite", r"SQLite %s" % V),
    ("libpq", r"libpq \d+\.\d+(\.\d+)?"),
    ("libconfig", r"libconfig %s" % V),
    ("libidn2", r"libidn2 %s" % V),
    ("zlib", r"zlib \d+\.\d+(\.\d+)*"),
    ("libcurl", r"libcurl %s" % V),
    ("libxml2", r"libxml2 %s" % V),
    ("libzip", r"libzip %s" % V),
    ("json-c", r"json-c \d+\.\d+(\.\d+)?"),
]
# the last -V line of the programs that sign: what makes each signature
SIGNING_LINE = (r"DKIM signing: rsa-sha256 by libopendkim %s(\.\d+)?, "
                r"ed25519-sha256 by authmilter %s over OpenSSL %s" % (V, V, V))


def test_version():
    p = subprocess.run([DAEMON, "-V"], capture_output=True, text=True)
    lines = p.stdout.splitlines()
    check("-V: exit 0, authmilter's own version first", p.returncode == 0
          and lines and re.fullmatch(r"authmilter %s" % V, lines[0]),
          p.stdout + p.stderr)
    for name, pat in [("libmilter", r"libmilter %s" % V),
                      ("libmicrohttpd", r"libmicrohttpd %s" % V),
                      ("libsystemd", r"libsystemd \(no version call; "
                       r"loaded libsystemd\.so\.[\d.]+\)")] + \
            LIB_LINES:
        check("-V: %s in words" % name,
              any(re.fullmatch(pat, x) for x in lines), p.stdout)
    p = subprocess.run([DAEMON, "--version"], capture_output=True, text=True)
    check("--version is -V", p.returncode == 0 and
          p.stdout.splitlines()[:1] == lines[:1], p.stdout)
    for prog, name in ((CHECK, "authmilter-check"),
                       (REPORT, "authmilter-report")):
        p = subprocess.run([prog, "-V"], capture_output=True, text=True)
        lines = p.stdout.splitlines()
        missing = [n for n, pat in LIB_LINES if n != "libopendmarc" and
                   not any(re.fullmatch(pat, x) for x in lines)]
        check("%s -V: its version and the libraries'" % name,
              p.returncode == 0 and lines and re.fullmatch(
                  r"%s %s" % (name, V), lines[0]) and not missing,
              "missing %s: %s" % (missing, p.stdout))
        if prog == CHECK:
            check("authmilter-check -V: what DKIM signing uses",
                  re.fullmatch(SIGNING_LINE, lines[-1]), p.stdout)
    check("-V: what DKIM signing uses, last",
          re.fullmatch(SIGNING_LINE, subprocess.run(
              [DAEMON, "-V"], capture_output=True, text=True).stdout.
              splitlines()[-1]) is not None, SIGNING_LINE)
    p = subprocess.run([KEYGEN, "-V"], capture_output=True, text=True)
    check("authmilter-keygen -V: its version and OpenSSL's",
          p.returncode == 0 and re.fullmatch(
              r"authmilter-keygen %s\nOpenSSL %s\S* .*\n" % (V, V),
              p.stdout) is not None, p.stdout + p.stderr)


HELP_OPTIONS = {
    "authmilter": ["-c FILE", "-p SOCKET", "-f ", "-n ", "-V, --version",
                   "-h, --help"],
    "authmilter-check": ["-c FILE", "--client-ip", "--helo", "--mail-from",
                         "--rcpt", "--auth USER", "--time", "--tls-version",
                         "--tls-cipher", "--tls-bits", "--tls-subject",
                         "--json", "--trace", "--domain DOMAIN",
                         "--selector", "--fetch", "--ca-file",
                         "-V, --version", "-h, --help"],
    "authmilter-report": ["-c FILE", "--period", "--dry-run", "--force",
                          "--now", "authmilter-report ingest", "-q",
                          "-V, --version", "-h, --help"],
    "authmilter-keygen": ["-a rsa|ed25519", "-b BITS", "-d DOMAIN",
                          "-s SELECTOR", "-D DIR", "-u USER",
                          "-V, --version", "-h, --help"],
}


def test_help():
    """-h and --help: the synopsis and every option on stdout, exit 0; an
    unknown option: the synopsis on stderr, exit 2."""
    for prog, name in ((DAEMON, "authmilter"), (CHECK, "authmilter-check"),
                       (REPORT, "authmilter-report"),
                       (KEYGEN, "authmilter-keygen")):
        for flag in ("-h", "--help"):
            p = subprocess.run([prog, flag], capture_output=True, text=True,
                               timeout=30)
            missing = [o for o in HELP_OPTIONS[name] if o not in p.stdout]
            check("%s %s: usage and every option, exit 0" % (name, flag),
                  p.returncode == 0 and p.stdout.startswith(
                      "usage: " + name) and not missing and not p.stderr,
                  "rc %d missing %s: %r %r" % (p.returncode, missing,
                                                p.stdout, p.stderr))
        p = subprocess.run([prog, "--no-such-option"], capture_output=True,
                           text=True, timeout=30)
        check("%s --no-such-option: usage on stderr, exit 2" % name,
              p.returncode == 2 and "usage: " + name in p.stderr and
              not p.stdout, "rc %d %r" % (p.returncode, p.stderr))


def test_unix_socket_reload(tmp):
    sock = os.path.join(tmp, "sub", "am.sock")
    os.makedirs(os.path.dirname(sock))
    d = Daemon(CONF % {"id": "mx.one.example", "sock": "unix:" + sock}, tmp)
    try:
        up = wait_for(lambda: os.path.exists(sock))
        check("unix socket created", up, d.logtext())
        if not up:
            return
        nobody = pwd.getpwnam("nobody")
        owned = wait_for(lambda: os.stat(sock).st_uid == nobody.pw_uid)
        st = os.stat(sock)
        check("socket owned by milter.user", owned, str(st.st_uid))
        check("socket mode follows umask 0007",
              stat.S_IMODE(st.st_mode) & 0o007 == 0, oct(st.st_mode))
        dropped = wait_for(lambda: all(u == nobody.pw_uid
                                       for u in proc_uids(d.proc.pid)))
        check("runs as milter.user, not root", dropped,
              str(proc_uids(d.proc.pid)))
        r = one_message(sock_path=sock)
        check("first config in force", "mx.one.example;" in
              (r.header("Authentication-Results") or ""), str(r.inserted))
        d.rewrite(CONF % {"id": "mx.two.example", "sock": "unix:" + sock})
        d.proc.send_signal(signal.SIGUSR1)
        ok = wait_for(lambda: "configuration reloaded" in d.logtext())
        r = one_message(sock_path=sock)
        check("SIGUSR1 reload takes effect", ok and "mx.two.example;" in
              (r.header("Authentication-Results") or ""), d.logtext()[-500:])
        d.rewrite("authserv_id = \"mx.three.example\";\nbogus = 1;\n")
        d.proc.send_signal(signal.SIGUSR1)
        ok = wait_for(lambda: "the old configuration stays" in d.logtext())
        r = one_message(sock_path=sock)
        check("invalid reload logged with FILE:LINE, old config kept",
              ok and "a.conf:2: unknown key 'bogus'" in d.logtext() and
              "mx.two.example;" in (r.header("Authentication-Results") or
                                    ""), d.logtext()[-500:])
    finally:
        rc = d.stop()
    check("SIGTERM stops with status 0", rc == 0, str(rc))


def test_socket_symlink(tmp):
    """Started as root, the daemon never changes the owner of what a
    milter.user process puts at the socket's name: a symlink there before
    the start is replaced by the socket, and one swapped in the moment the
    socket appears is left alone (the old chown() followed it)."""
    nobody = pwd.getpwnam("nobody")
    sub = os.path.join(tmp, "sub")
    os.makedirs(sub)
    os.chown(sub, nobody.pw_uid, nobody.pw_gid)
    sock = os.path.join(sub, "am.sock")
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("root's\n")
    os.chmod(victim, 0o600)
    conf = CONF % {"id": "mx.one.example", "sock": "unix:" + sock}

    os.symlink(victim, sock)
    d = Daemon(conf, tmp)
    try:
        up = wait_for(lambda: d.proc.poll() is None and
                      "listening" in d.logtext())
        st = os.lstat(sock)
        check("symlink planted before the start: replaced by the socket",
              up and stat.S_ISSOCK(st.st_mode) and
              st.st_uid == nobody.pw_uid, d.logtext()[-300:])
    finally:
        d.stop()
    check("socket removed at exit, no temporary directory left",
          os.listdir(sub) == [], str(os.listdir(sub)))
    st = os.stat(victim)
    check("symlink planted before the start: target still root's",
          (st.st_uid, st.st_gid) == (0, 0), "%d:%d" % (st.st_uid, st.st_gid))

    cpu = min(os.sched_getaffinity(0))
    racer = subprocess.Popen(["/usr/bin/python3", "-c", RACER, sock, victim,
                              str(cpu)], stdout=subprocess.PIPE, text=True)
    try:
        mode = racer.stdout.readline().strip()
        if mode != "rt on":
            print("note: the racer runs without real-time priority (%s): "
                  "the next check may miss a chown() that follows links"
                  % mode)
        d = Daemon(conf, tmp, cpu=cpu)
        try:
            out, _ = racer.communicate(timeout=40)
            up = wait_for(lambda: d.proc.poll() is None and
                          "listening" in d.logtext())
            check("symlink swapped in as the socket appears",
                  mode.startswith("rt ") and out.strip() == "swapped" and up,
                  "racer %r %r, %s" % (mode, out, d.logtext()[-300:]))
        finally:
            d.stop()
    finally:
        testlib.stop(racer)
    st = os.stat(victim)
    check("symlink swapped in as the socket appears: target still root's",
          (st.st_uid, st.st_gid) == (0, 0), "%d:%d" % (st.st_uid, st.st_gid))


def test_j_macro(tmp):
    port = testlib.free_port()
    d = Daemon(CONF % {"id": "", "sock": "inet:%d@127.0.0.1" % port}, tmp)
    try:
        up = wait_for(lambda: d.proc.poll() is None and
                      "listening" in d.logtext())
        check("inet socket up", up, d.logtext())
        if not up:
            return
        r = one_message(port=port, j="mx.from-j.example")
        check("authserv-id from the {j} macro", "mx.from-j.example;" in
              (r.header("Authentication-Results") or ""), str(r.inserted))
        r = one_message(port=port)
        host = socket.gethostname()
        check("authserv-id falls back to the host name", (host + ";") in
              (r.header("Authentication-Results") or ""), str(r.inserted))
    finally:
        d.stop()


NR_WANTED = (0x2000 | 0x4000 | 0x8000 | 0x80 | 0x40000 | 0x80000)  # helo
# mail rcpt header eoh body: never answered with anything but continue


def test_noreply_steps(tmp):
    """Offered every no-reply flag as Postfix does, the daemon takes them
    for every step but connect and answers only end of message."""
    port = testlib.free_port()
    d = Daemon(CONF % {"id": "mx.nr.example",
                       "sock": "inet:%d@127.0.0.1" % port}, tmp)
    try:
        up = wait_for(lambda: d.proc.poll() is None and
                      "listening" in d.logtext())
        check("inet socket up (no-reply)", up, d.logtext())
        if not up:
            return
        c = MilterClient(port=port)
        offer = mc.SMFIP_NR_ALL | mc.SMFIP_NOUNKNOWN | mc.SMFIP_NODATA
        _, prot = c.negotiate(offer=offer)
        want = NR_WANTED | mc.SMFIP_NOUNKNOWN | mc.SMFIP_NODATA | \
            mc.SMFIP_HDR_LEADSPC
        check("negotiated protocol flags", prot == want,
              "got %#x, want %#x" % (prot, want))
        check("connect is not no-reply (trusted clients are accepted)",
              c.connect("mail.pass.example", "192.0.2.10") == "continue")
        c.helo("mail.pass.example")
        res = []
        for i in range(2):
            res.append(c.message(
                "<a@pass.example>", ["<b@x.example>", "<c@x.example>"],
                b"From: a@pass.example\r\nSubject: %d\r\n\r\n" % i +
                b"body line\r\n" * 9000, chunk=8192))
        c.sock.settimeout(0.5)
        try:
            stray = c.sock.recv(64)
        except socket.timeout:
            stray = b""
        c.close()
        ok = all(r.action == "continue" and "spf=pass" in
                 (r.header("Authentication-Results") or "") for r in res)
        check("two messages on one no-reply connection: verdict and A-R",
              ok, str([(r.action, r.inserted) for r in res]))
        check("no reply to a no-reply step", stray == b"", repr(stray))
        check("daemon alive after no-reply session", d.proc.poll() is None,
              d.logtext()[-500:])
    finally:
        d.stop()


def test_secret_warning(tmp):
    """authmilter -n warns on stderr, and still says OK with status 0,
    when a file others may read holds a store password or names a private
    key; not at 0640, and not for a password file (passfile=)."""
    base = ('milter = { user = "nobody"; socket = "inet:1@127.0.0.1"; };\n'
            'dns = { local_zones = [ "example. static" ]; };\n')
    store = 'reports = { store = "%s"; spool_dir = "%s"; };\n'
    cases = [
        ("store password, 0644", store % (
            "postgresql://am:s3cret@127.0.0.1:1/r", tmp), 0o644,
         "a password (reports.store)"),
        ("store password, 0640", store % (
            "postgresql://am:s3cret@127.0.0.1:1/r", tmp), 0o640, None),
        ("password= parameter, 0604", store % (
            "postgresql://am@127.0.0.1:1/r?password=s3cret", tmp), 0o604,
         "a password (reports.store)"),
        ("passfile instead, 0644", store % (
            "postgresql://am@127.0.0.1:1/r?passfile=/etc/authmilter/pgpass",
            tmp), 0o644, None),
        ("sealing key path, 0644",
         'arc = { seal = { key_file = "/etc/authmilter/k.pem"; }; };\n',
         0o644, "arc.seal.key_file"),
    ]
    path = os.path.join(tmp, "s.conf")
    for name, text, mode, warns in cases:
        with open(path, "w") as f:
            f.write(base + text)
        os.chmod(path, mode)
        p = subprocess.run([DAEMON, "-n", "-c", path], capture_output=True,
                           text=True, timeout=30)
        ok = p.returncode == 0 and "configuration OK" in p.stdout
        if warns:
            ok = ok and "warning: readable by others" in p.stderr and \
                warns in p.stderr and path in p.stderr
        else:
            ok = ok and "warning" not in p.stderr
        check("-n, %s: %s, exit 0" % (name, "warns" if warns else
                                       "no warning"), ok,
              "rc %d out %r err %r" % (p.returncode, p.stdout, p.stderr))


def n_check(path, as_user=None):
    cmd = [DAEMON, "-n", "-c", path]
    if as_user:
        cmd = ["runuser", "-u", as_user, "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def test_check_env(tmp):
    """authmilter -n checks what the start needs beyond the file: that
    milter.user exists, that the socket's directory exists and that the
    service user may create the socket there, that the sealing key fits
    arc.seal.algorithm, and names an unreadable file with its line and
    the system's reason."""
    path = os.path.join(tmp, "e.conf")
    nobody = pwd.getpwnam("nobody")
    own = os.path.join(tmp, "nobodys")
    os.mkdir(own)
    os.chown(own, nobody.pw_uid, nobody.pw_gid)
    ed = os.path.join(tmp, "ed.pem")
    rsa = os.path.join(tmp, "rsa.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ED25519", "-out",
                    ed], check=True, capture_output=True)
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", rsa], check=True,
                   capture_output=True)
    os.chmod(ed, 0o600)
    os.chmod(rsa, 0o600)
    seal = ('arc = { seal = {\n  enabled = true; domain = "a.example"; '
            'selector = "s";\n  key_file = "%s";%s }; };\n')
    inet = 'milter = { user = "nobody"; socket = "inet:1@127.0.0.1"; };\n'
    cases = [
        ("unknown milter.user", '\nmilter = {\n  user = '
         '"no-such-user-xyz";\n  socket = "inet:1@127.0.0.1"; };\n', None,
         1, "e.conf:3: milter.user: 'no-such-user-xyz' is not a user on "
         "this system"),
        ("socket directory missing", 'milter = { user = "nobody";\n  socket '
         '= "unix:%s/none/a.sock"; };\n' % tmp, None, 1,
         "e.conf:2: milter.socket: directory '%s/none': No such file or "
         "directory" % tmp),
        ("socket directory milter.user cannot write", 'milter = { user = '
         '"nobody";\n  socket = "unix:%s/a.sock"; };\n' % tmp, None, 1,
         "e.conf:2: milter.socket: user 'nobody' cannot create the socket "
         "in directory '%s'" % tmp),
        ("socket directory of milter.user", 'milter = { user = "nobody";\n'
         '  socket = "unix:%s/a.sock"; };\n' % own, None, 0, None),
        ("run as nobody, a directory it cannot write", 'milter = { user = '
         '"nobody";\n  socket = "unix:%s/a.sock"; };\n' % tmp, "nobody", 1,
         "e.conf:2: milter.socket: user 'nobody' cannot create the socket "
         "in directory '%s'" % tmp),
        ("run as nobody, its own directory", 'milter = { user = "nobody";\n'
         '  socket = "unix:%s/a.sock"; };\n' % own, "nobody", 0, None),
        ("Ed25519 key, rsa-sha256", inet + seal % (ed, ""), None, 1,
         "e.conf:4: arc.seal.key_file: %s: an Ed25519 key, but "
         "arc.seal.algorithm is \"rsa-sha256\"" % ed),
        ("RSA key, ed25519-sha256", inet + seal % (
            rsa, ' algorithm = "ed25519-sha256";'), None, 1,
         "e.conf:4: arc.seal.key_file: %s: an RSA key, but "
         "arc.seal.algorithm is \"ed25519-sha256\"" % rsa),
        ("Ed25519 key, ed25519-sha256", inet + seal % (
            ed, ' algorithm = "ed25519-sha256";'), None, 0, None),
        ("missing key file", inet + seal % (tmp + "/gone.pem", ""), None, 1,
         "e.conf:4: arc.seal.key_file: '%s/gone.pem': No such file or "
         "directory" % tmp),
    ]
    for name, text, user, want_rc, want in cases:
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        p = n_check(path, user)
        if want is None:
            ok = p.returncode == 0 and "configuration OK" in p.stdout
        else:
            ok = p.returncode == want_rc and p.stderr.startswith(
                path.replace("e.conf", "") + want) and \
                p.stderr.count("\n") == 1
        check("-n: %s" % name, ok, "rc %d out %r err %r" % (
            p.returncode, p.stdout, p.stderr))
    with open(path, "w") as f:
        f.write('milter = { user = "nobody";\n  socket = "inet:1@'
                '127.0.0.1"; };\n')
    p = subprocess.run([DAEMON, "-n", "-c", path, "-p",
                        "unix:%s/none/b.sock" % tmp], capture_output=True,
                       text=True, timeout=30)
    check("-n -p: the socket of -p is checked", p.returncode == 1 and
          p.stderr.strip() == "-p: directory '%s/none': No such file or "
          "directory" % tmp, p.stderr)
    with open(path, "w") as f:
        f.write(inet + seal % (ed, ""))
    try:
        p = subprocess.run([DAEMON, "-f", "-c", path], capture_output=True,
                           text=True, timeout=20)
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:   # it started: run() killed it
        rc, err = None, "still running after 20 s"
    check("the daemon refuses to start with a key that does not fit",
          rc == 1 and "an Ed25519 key, but arc.seal.algorithm" in err,
          "rc %s: %s" % (rc, err[-300:]))


UNIT = os.path.join(TOP, "debian", "authmilter.service")


def unit_values(key):
    """The values of KEY= in the unit's [Service] section, in order."""
    out, section = [], None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and line.startswith(key + "="):
                out.append(line[len(key) + 1:])
    return out


def unit_chain(key, conf, pid):
    """Run the unit's KEY= commands as systemd does, in order, stopping at
    the first that fails; this tree's authmilter with -c CONF stands in
    for /usr/sbin/authmilter. [(argv, exit status, stderr)] of those run."""
    ran = []
    for cmd in unit_values(key):
        argv = [a.replace("$MAINPID", str(pid)) for a in cmd.split()]
        if argv[0] == "/usr/sbin/authmilter":
            argv = [DAEMON, "-c", conf] + argv[1:]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        ran.append((argv, p.returncode, p.stderr))
        if p.returncode != 0:
            break
    return ran


class Notify(object):
    """A NOTIFY_SOCKET: the datagrams the daemon sends, in order."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)  # the daemon sends as milter.user
        self.sock.settimeout(0.1)
        self.got = []

    def until(self, pred, secs=20):
        """Read until PRED(the last datagram) holds; that datagram."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            try:
                msg = self.sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                continue
            self.got.append(msg)
            if pred(msg):
                return msg
        return None

    def close(self):
        self.sock.close()


def test_systemd(tmp):
    """debian/authmilter.service is Type=notify and its ExecReload checks
    the file before it signals; the daemon speaks sd_notify to a socket
    the test binds; with stderr on the journal (JOURNAL_STREAM) it logs
    through syslog alone."""
    check("unit: Type=notify, ExecStart stays in the foreground",
          unit_values("Type") == ["notify"] and
          unit_values("ExecStart") == ["/usr/sbin/authmilter -f"],
          str((unit_values("Type"), unit_values("ExecStart"))))
    check("unit: ExecReload checks the file with -n before the signal",
          unit_values("ExecReload") == ["/usr/sbin/authmilter -n",
                                        "/bin/kill -USR1 $MAINPID"],
          str(unit_values("ExecReload")))
    if shutil.which("systemd-analyze") is None:
        print("SKIP unit: systemd-analyze verify (not installed)")
    else:
        copy = os.path.join(tmp, "authmilter.service")
        with open(UNIT) as f, open(copy, "w") as g:
            g.write(f.read().replace("/usr/sbin/authmilter", DAEMON))
        p = subprocess.run(["systemd-analyze", "verify", "--man=no", copy],
                           capture_output=True, text=True, timeout=60)
        check("unit: systemd-analyze verify", p.returncode == 0 and
              not (p.stdout + p.stderr).strip(), p.stdout + p.stderr)
    port = testlib.free_port()
    conf = os.path.join(tmp, "n.conf")
    text = CONF % {"id": "mx.one.example",
                   "sock": "inet:%d@127.0.0.1" % port}
    with open(conf, "w") as f:
        f.write(text)
    n = Notify(tmp)
    log = os.path.join(tmp, "stderr.log")
    errf = open(log, "w")
    st = os.fstat(errf.fileno())
    env = dict(os.environ, NOTIFY_SOCKET=n.path,
               JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
    proc = subprocess.Popen([DAEMON, "-f", "-c", conf], stderr=errf,
                            env=env)
    try:
        ready = n.until(lambda m: "READY=1" in m)
        check("sd_notify: READY=1 with a status", ready is not None and
              "STATUS=listening on inet:%d@127.0.0.1" % port in ready,
              repr(n.got))
        r = one_message(port=port)
        check("READY=1 came once the socket listens: a message at once",
              "mx.one.example;" in (r.header("Authentication-Results") or
                                    ""), str(r.inserted))
        status = n.until(lambda m: "STATUS=1 message: 1 accepted" in m,
                         3 * 5 + 5)
        check("sd_notify: STATUS= counts the messages handled",
              status is not None, repr(n.got[-3:]))
        with open(conf, "w") as f:
            f.write("authserv_id = \"mx.two.example\";\nbogus = 1;\n")
        ran = unit_chain("ExecReload", conf, proc.pid)
        check("ExecReload with a refused file: -n fails, no signal sent",
              len(ran) == 1 and ran[0][1] == 1 and
              "n.conf:2: unknown key 'bogus'" in ran[0][2], str(ran))
        with open(conf, "w") as f:
            f.write(text.replace("mx.one.example", "mx.two.example"))
        ran = unit_chain("ExecReload", conf, proc.pid)
        since = len(n.got)
        done = n.until(lambda m: "READY=1" in m)
        reloads = [m for m in n.got[since:] if "RELOADING=1" in m]
        check("ExecReload with a good file: RELOADING=1, then READY=1",
              len(ran) == 2 and all(x[1] == 0 for x in ran) and
              done is not None and "configuration reloaded" in done and
              len(reloads) == 1, "%s %r" % (ran, n.got[since:]))
        r = one_message(port=port)
        check("the reloaded file is in force",
              "mx.two.example;" in (r.header("Authentication-Results") or
                                    ""), str(r.inserted))
        with open(conf, "w") as f:
            f.write("bogus = 1;\n")
        proc.send_signal(signal.SIGUSR1)
        done = n.until(lambda m: "READY=1" in m)
        check("SIGUSR1 with a refused file: READY=1 says it was refused",
              done is not None and "reload refused" in done and
              "unknown key 'bogus'" in done and "RELOADING=1" in n.got[-2],
              repr(n.got[-2:]))
    finally:
        rc = testlib.stop(proc)
        errf.close()
    stop = n.until(lambda m: "STOPPING=1" in m, 5)
    n.close()
    check("sd_notify: STOPPING=1, exit status 0", stop is not None and
          rc == 0, "%s %r" % (rc, n.got[-2:]))
    with open(log) as f:
        err = f.read()
    check("stderr on the journal (JOURNAL_STREAM): nothing logged twice",
          err == "", err[-300:])


def test_refuses_bad_config(tmp):
    path = os.path.join(tmp, "bad.conf")
    with open(path, "w") as f:
        f.write("milter = { user = \"no-such-user-xyz\"; socket = "
                "\"inet:%d@127.0.0.1\"; };\n" % testlib.free_port())
    p = subprocess.run([DAEMON, "-f", "-c", path], capture_output=True,
                       text=True, timeout=30)
    check("unknown milter.user is fatal at start", p.returncode == 1 and
          "no-such-user-xyz" in p.stderr, p.stderr)


def main():
    test_version()
    test_help()
    for t in (test_unix_socket_reload, test_socket_symlink, test_j_macro, test_noreply_steps,
              test_secret_warning, test_check_env, test_systemd,
              test_refuses_bad_config):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            t(tmp)
    print("daemon: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
