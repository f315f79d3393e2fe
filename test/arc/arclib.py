# SPDX-License-Identifier: BSD-2-Clause
"""arclib: what the ARC test runners (test/arc/run_*.py) share.

    import arclib            # test/arc on sys.path

* the ValiMail suite loader (duplicate ids kept, LF -> CRLF, blank cv);
* authmilter-check plumbing: a configuration with the keys in
  dns.local_data under a static local zone "." (every other name is
  NXDOMAIN at once, nothing leaves the machine), one run with --json;
* dkimpy as the independent oracle (dkim.arc_verify / dkim.arc_sign) with a
  DNS function over the same records;
* a small ARC sealer of our own (ArcSealer), written for these tests from
  RFC 8617 and RFC 6376 (relaxed canonicalization), used to build inputs
  that dkimpy will not make: 51 sets, gaps, an ARC-Seal with h=, unknown
  tags, cv=pass at i=1, ed25519 sets ...;
* key generation (RSA of any size, ed25519) with python3-cryptography.

Needs the Debian modules python3-yaml, python3-dkim, python3-authres,
python3-cryptography and python3-nacl (the runners re-exec themselves under
/usr/bin/python3 through testlib when an import fails).
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "tools"))
sys.dont_write_bytecode = True

import testlib  # noqa: E402

PACKAGES = ("python3-yaml python3-dkim python3-authres python3-cryptography "
            "python3-nacl python3-dnslib")

try:
    import yaml
    import dkim
    import dkim.crypto
    import authres  # dkim.arc_sign needs it
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
except ImportError as e:
    testlib.use_system_python(sys.argv[0], e.name, PACKAGES)

CHECK = testlib.program("authmilter-check")
DAEMON = testlib.program("authmilter")
SUITE_DIR = os.environ.get(
    "ARC_SUITE_DIR", os.path.join(TOP, "test", "data", "arc", "valimail"))
VALIDATION_FILE = "tests/arc-draft-validation-tests.yml"
SIGNING_FILE = "tests/arc-draft-sign-tests.yml"

AUTHRES = authres          # imported for dkim.arc_sign

ARC_NAMES = ("arc-seal", "arc-message-signature", "arc-authentication-results")


# ---------------------------------------------------------------------------
# messages

def crlf(data):
    """LF line endings to CRLF; lines already ending in CRLF stay."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def split_message(msg):
    """(headers, body) of a CRLF message: headers as [(name, value)] where
    value is everything after the colon, folds (CRLF WSP) included, without
    the final CRLF.  body is the bytes after the empty line (b"" if none)."""
    if msg.startswith(b"\r\n"):
        head, body = b"", msg[2:]
    else:
        head, sep, body = msg.partition(b"\r\n\r\n")
        if not sep:
            head = head[:-2] if head.endswith(b"\r\n") else head
            body = b""
    headers = []
    for line in head.split(b"\r\n") if head else []:
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1][1] += b"\r\n" + line
        else:
            name, _, value = line.partition(b":")
            headers.append([name, value])
    return [(n, v) for n, v in headers], body


def join_message(headers, body):
    head = b"".join(n + b":" + v + b"\r\n" for n, v in headers)
    return head + b"\r\n" + body


def field_bytes(name, value):
    """One header field from a value as authmilter prints it (folded with
    "\\n\\t", no field name): "Name: value" with CRLF line ends."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    value = value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not value[:1] in (b" ", b"\t"):
        value = b" " + value
    return name.encode() + b":" + value + b"\r\n"


SEAL_ORDER = (("ARC-Seal", "ARC-Seal"),
              ("ARC-Message-Signature", "ARC-Message-Signature"),
              ("ARC-Authentication-Results", "ARC-Authentication-Results"))


def prepend_arc_set(msg, seal):
    """MSG with the three fields of an authmilter "arc_seal" JSON member put
    on top, in the order AS, AMS, AAR (so above any A-R)."""
    top = b"".join(field_bytes(name, seal[key]) for name, key in SEAL_ORDER)
    return top + msg


def prepend_fields(msg, fields):
    """fields: [(name, value)] or raw b"Name: value\\r\\n" lines."""
    out = b""
    for f in fields:
        if isinstance(f, (bytes, bytearray)):
            out += f if f.endswith(b"\r\n") else f + b"\r\n"
        else:
            out += field_bytes(f[0], f[1])
    return out + msg


# ---------------------------------------------------------------------------
# the ValiMail suite

class _KeepDuplicatesLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings keep duplicate keys: the earlier copies
    get the key "ID#1", "ID#2", ...; the last one keeps "ID" (the one PyYAML
    and js-yaml keep)."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    pairs = [(loader.construct_object(k, deep=True),
              loader.construct_object(v, deep=True)) for k, v in node.value]
    count = {}
    for k, _ in pairs:
        count[k] = count.get(k, 0) + 1
    seen = {}
    out = {}
    for k, v in pairs:
        seen[k] = seen.get(k, 0) + 1
        if seen[k] < count.get(k, 0):
            out["%s#%d" % (k, seen[k])] = v
        else:
            out[k] = v
    return out


_KeepDuplicatesLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_scenarios(path, keep_duplicates=True):
    loader = _KeepDuplicatesLoader if keep_duplicates else yaml.SafeLoader
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=loader) if d]


def _text(v):
    return "" if v is None else str(v)


class ValCase(object):
    def __init__(self, cid, scen, t, records):
        self.id = cid
        self.scenario = scen
        self.description = _text(t.get("description")).strip()
        self.spec = _text(t.get("spec"))
        self.message = crlf(_text(t.get("message")))
        raw = t.get("cv")
        self.cv_raw = raw
        cv = _text(raw).strip().lower()
        self.note = ""
        if cv == "":
            # README "Controversial cases": RFC 8617 5.2 step 2
            cv = "fail"
            self.note = ("blank cv in the suite, read as fail (RFC 8617 5.2 "
                         "step 2)")
        self.cv = cv
        self.records = records
        self.duplicate = "#" in cid or False


class SignCase(object):
    def __init__(self, cid, scen, doc, t, records):
        self.id = cid
        self.scenario = scen
        self.description = _text(t.get("description")).strip()
        self.message = crlf(_text(t.get("message")))
        self.t = int(t["t"])
        self.headers = [h.strip().lower() for h in
                        _text(t.get("sig-headers")).split(":") if h.strip()]
        self.srv_id = _text(t.get("srv-id")).strip()
        self.expect = {k: _text(t.get(k)) for k in ("AS", "AMS", "AAR")}
        self.domain = _text(doc.get("domain")).strip()
        self.selector = _text(doc.get("sel")).strip()
        self.privkey = _text(doc.get("privatekey"))
        self.records = records

    def expect_none(self):
        return all(not v.strip() for v in self.expect.values())


def suite_records(doc, signing):
    """{owner name: TXT value} of a scenario.  Validation values are folded
    YAML scalars and are used as they are (the spaces the folding leaves in
    p= are FWS, allowed by RFC 6376 3.6.1); the signing file's literal
    blocks have newlines inside p=, so their lines are joined."""
    out = {}
    for name, value in (doc.get("txt-records") or {}).items():
        v = _text(value)
        if signing:
            v = re.sub(r"\s*\n\s*", "", v.strip())
        out[str(name).rstrip(".").lower()] = v
    return out


def load_validation(path=None, keep_duplicates=True):
    path = path or os.path.join(SUITE_DIR, VALIDATION_FILE)
    cases = []
    for doc in load_scenarios(path, keep_duplicates):
        scen = _text(doc.get("description")).strip()
        recs = suite_records(doc, False)
        for cid, t in (doc.get("tests") or {}).items():
            cases.append(ValCase(str(cid), scen, t, recs))
    return cases


def load_signing(path=None):
    path = path or os.path.join(SUITE_DIR, SIGNING_FILE)
    cases = []
    for doc in load_scenarios(path, True):
        scen = _text(doc.get("description")).strip()
        recs = suite_records(doc, True)
        for cid, t in (doc.get("tests") or {}).items():
            cases.append(SignCase(str(cid), scen, doc, t, recs))
    return cases


def tagset(value):
    """The upstream harness comparison: all whitespace removed, split on
    ';', as a set."""
    return set(re.sub(r"\s+", "", value or "").split(";"))


def standard_form(value):
    """An expected AS/AMS value of the signing suite as it was signed:
    every tag with its whitespace removed, joined by "; " (the suite's
    "Signing Header Format Standardization"; the YAML folds are cosmetic)."""
    return "; ".join(re.sub(r"\s+", "", t) for t in value.strip().split(";"))


# ---------------------------------------------------------------------------
# DNS

def txt_strings(value):
    """A TXT value as character-strings of at most 255 octets."""
    b = value.encode("utf-8") if isinstance(value, str) else value
    if not b:
        return [""]
    return [b[i:i + 255].decode("utf-8", "surrogateescape")
            for i in range(0, len(b), 255)]


def local_data_lines(records):
    lines = []
    for name, value in sorted(records.items()):
        vals = value if isinstance(value, list) else [value]
        for v in vals:
            lines.append("%s. 300 IN TXT %s" % (name.rstrip("."), " ".join(
                testlib.quote(x) for x in txt_strings(v))))
    return lines


def dns_group(records=None, nameserver_port=None, timeout=3):
    """The dns group (a dict for testlib.config_text): local data under a
    static root zone (any name without data: NXDOMAIN at once), or a
    testdns server."""
    if nameserver_port:
        g = {"nameservers": ["127.0.0.1@%d" % nameserver_port],
             "timeout": timeout}
    else:
        g = {"local_zones": [". static"]}
    lines = local_data_lines(records or {})
    if lines:
        g["local_data"] = lines
    return g


def dns_block(records=None, nameserver_port=None, timeout=3):
    """The dns = { ... }; block of dns_group() as text."""
    return testlib.config_text(
        {"dns": dns_group(records, nameserver_port, timeout)}).rstrip("\n")


def dnsfunc_for(records):
    """A dkimpy dnsfunc answering from RECORDS (name -> value)."""
    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        v = records.get(name.rstrip(".").lower())
        if isinstance(v, list):
            v = v[0]
        return v.encode("utf-8") if v is not None else None
    return dnsfunc


# ---------------------------------------------------------------------------
# configuration and authmilter-check

def config_text(authserv_id, records=None, seal=None, verify=True,
                trusted_sealers=None, other_methods=False, extra=(),
                nameserver_port=None, milter_port=None, trusted_networks=None,
                dmarc=None):
    """A libconfig file.  seal: dict domain, selector, key_file, algorithm,
    headers (list) -> arc.seal with enabled = true.  dmarc (with
    other_methods) and each item of extra: more settings, a dict or
    libconfig text (testlib.config_text)."""
    conf = {"authserv_id": authserv_id}
    if milter_port:
        conf["milter"] = {"socket": "inet:%d@127.0.0.1" % milter_port,
                          "user": "nobody"}
    conf["dns"] = dns_group(records, nameserver_port)
    if not other_methods:
        for m in ("spf", "dkim", "dmarc"):
            conf[m] = {"enabled": False}
    arc = {"verify": verify}
    if trusted_sealers is not None:
        arc["trusted_sealers"] = list(trusted_sealers)
    if seal:
        arc["seal"] = {"enabled": True, "domain": seal["domain"],
                       "selector": seal["selector"],
                       "key_file": seal["key_file"],
                       "algorithm": seal.get("algorithm", "rsa-sha256")}
        if seal.get("headers"):
            arc["seal"]["headers"] = list(seal["headers"])
    conf["arc"] = arc
    if trusted_networks is not None:
        conf["policy"] = {"trusted_networks": list(trusted_networks)}
    parts = [conf]
    if other_methods and dmarc:
        parts.append(dmarc)
    parts.extend(extra)
    return testlib.config_text(
        *parts, comment="written by test/arc (arclib.config_text)")


def write_file(path, data, mode=0o644):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


class CheckRun(object):
    def __init__(self):
        self.rc = None
        self.stdout = b""
        self.stderr = b""
        self.json = None
        self.problem = None
        self.cmd = None

    @property
    def arc(self):
        return (self.json or {}).get("arc") if isinstance(self.json,
                                                          dict) else None

    @property
    def seal(self):
        return (self.json or {}).get("arc_seal") if isinstance(
            self.json, dict) else None

    def arc_result(self):
        a = self.arc
        if not isinstance(a, dict):
            return None
        r = a.get("result")
        return r.lower() if isinstance(r, str) else r

    def brief(self):
        """One line about the verdict for evidence."""
        if self.problem:
            return self.problem
        a = self.arc
        if not isinstance(a, dict):
            return "arc member: %s" % json.dumps(a)
        return "arc=%s reason=%s instances=%s sealers=%s props=%s" % (
            a.get("result"), json.dumps(a.get("reason")), a.get("instances"),
            a.get("sealers"), json.dumps(a.get("properties")))

    def stderr_tail(self, n=400):
        s = self.stderr.decode("utf-8", "replace").strip()
        return s[-n:]


def run_check(conf, msgpath, client_ip=None, helo=None, mail_from=None,
              when=None, timeout=60, check=None, rcpt=None):
    r = CheckRun()
    cmd = [check or CHECK, "-c", conf]
    if client_ip:
        cmd += ["--client-ip", client_ip]
    if helo:
        cmd += ["--helo", helo]
    if mail_from is not None:
        cmd += ["--mail-from", mail_from]
    if rcpt:
        cmd += ["--rcpt", rcpt]
    if when is not None:
        cmd += ["--time", str(when)]
    cmd += ["--json", msgpath]
    r.cmd = cmd
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        r.rc, r.stdout, r.stderr = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        r.stdout, r.stderr = e.stdout or b"", e.stderr or b""
        r.problem = "authmilter-check timed out after %ds" % timeout
        return r
    except OSError as e:
        r.problem = "cannot run %s: %s" % (cmd[0], e)
        return r
    if r.rc < 0:
        r.problem = "authmilter-check killed by signal %d (crash): %s" % (
            -r.rc, r.stderr_tail())
        return r
    try:
        r.json = json.loads(r.stdout.decode("utf-8"))
    except ValueError as e:
        r.problem = "authmilter-check exit %d, no JSON (%s): %s" % (
            r.rc, e, r.stderr_tail() or r.stdout[:200])
        return r
    if r.rc != 0:
        r.problem = "authmilter-check exit %d: %s" % (r.rc, r.stderr_tail())
    return r


def check_has_arc(check=None):
    """True when authmilter-check prints a non-null "arc" member for a
    message without ARC fields and arc.verify on (the C side is there)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        conf = write_file(os.path.join(tmp, "c.conf"),
                          config_text("probe.example"))
        msg = write_file(os.path.join(tmp, "m.eml"),
                         b"From: a@probe.example\r\nSubject: x\r\n\r\nhi\r\n")
        r = run_check(conf, msg, check=check, timeout=30)
        return isinstance(r.arc, dict), r


# ---------------------------------------------------------------------------
# dkimpy as the oracle

def allow_ed25519_arc():
    """dkimpy 1.1.4 accepts only rsa-sha256 in ARC (dkim.crypto.
    ARC_HASH_ALGORITHMS); its DKIM ed25519 code (RFC 8463) verifies ARC
    ed25519 sets as well once the algorithm is allowed.  Used only where a
    runner says so."""
    dkim.crypto.ARC_HASH_ALGORITHMS[b"ed25519-sha256"] = hashlib.sha256


def dkimpy_friendly(msg):
    """dkimpy 1.1.4 finds the raw AMS of instance N only if its value holds
    " i=N;" with a space before i (it searches the raw text).  An AMS folded
    as "...;\\r\\n\\ti=1;" is valid but escapes that search.  Folds in AMS
    fields with relaxed header canonicalization are rewritten CRLF TAB ->
    CRLF SP, which leaves every relaxed hash unchanged.  Returns (msg,
    changed)."""
    headers, body = split_message(msg)
    changed = False
    out = []
    for n, v in headers:
        if n.strip().lower() == b"arc-message-signature":
            m = re.search(rb"(?:^|;)\s*c\s*=\s*([a-z]+)", v, re.I)
            relaxed = m is None or m.group(1).lower() == b"relaxed"
            im = re.search(rb"(?:^|;)\s*i\s*=\s*(\d+)\s*;", v)
            if relaxed and im and (b" i=" + im.group(1) + b";") not in \
                    v.lower():
                nv = re.sub(rb"\r\n\t", b"\r\n ", v)
                if nv != v:
                    changed = True
                    v = nv
        out.append((n, v))
    return (join_message(out, body) if changed else msg), changed


CV_TEXT = {b"pass": "pass", b"fail": "fail", b"none": "none"}


def dkimpy_verify(msg, records, minkey=1024):
    """dkimpy's verdict on MSG: (cv, reason, details).  cv: none, pass,
    fail ("chain terminated", a newest cv=fail, is fail), or "error:..."."""
    m, changed = dkimpy_friendly(msg)
    try:
        cv, results, reason = dkim.arc_verify(m, dnsfunc=dnsfunc_for(records),
                                              minkey=minkey)
    except Exception as e:  # dkimpy raises on some malformed inputs
        return "fail", "dkimpy exception %s: %s" % (type(e).__name__, e), []
    if cv is None:
        text = "fail"
    else:
        text = CV_TEXT.get(cv, repr(cv))
    if changed:
        reason += " (AMS folds CRLF TAB -> CRLF SP for dkimpy)"
    return text, reason, results


def dkimpy_arc_sign(msg, selector, domain, key_pem, srv_id, headers,
                    timestamp=None, standardize=False):
    """dkim.arc_sign: list of b"Name: value\\r\\n" (AS, AMS, AAR)."""
    return dkim.arc_sign(msg, selector.encode(), domain.encode(),
                         key_pem if isinstance(key_pem, bytes)
                         else key_pem.encode(), srv_id.encode(),
                         include_headers=[h.encode() for h in headers],
                         timestamp=timestamp, standardize=standardize)


# ---------------------------------------------------------------------------
# keys

class Key(object):
    def __init__(self, kind, bits, private):
        self.kind = kind                 # "rsa" or "ed25519"
        self.bits = bits
        self.private = private
        if kind == "rsa":
            self.pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption())
            pub = private.public_key().public_bytes(
                serialization.Encoding.DER,
                serialization.PublicFormat.SubjectPublicKeyInfo)
            self.algorithm = "rsa-sha256"
        else:
            self.pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            pub = private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.algorithm = "ed25519-sha256"
        self.public_b64 = base64.b64encode(pub).decode()

    def record(self):
        return "v=DKIM1; k=%s; p=%s" % (self.kind, self.public_b64)

    def sign(self, data):
        if self.kind == "rsa":
            return self.private.sign(data, padding.PKCS1v15(),
                                     hashes.SHA256())
        return self.private.sign(hashlib.sha256(data).digest())

    def write(self, path):
        return write_file(path, self.pem, 0o600)


_KEYS = {}


def make_key(kind="rsa", bits=2048, name=None):
    """A fresh key (cached by NAME within one run)."""
    if name and name in _KEYS:
        return _KEYS[name]
    if kind == "rsa":
        k = Key("rsa", bits, rsa.generate_private_key(65537, bits))
    else:
        k = Key("ed25519", 256, ed25519.Ed25519PrivateKey.generate())
    if name:
        _KEYS[name] = k
    return k


def key_from_pem(pem):
    k = serialization.load_pem_private_key(
        pem.encode() if isinstance(pem, str) else pem, None)
    if isinstance(k, rsa.RSAPrivateKey):
        return Key("rsa", k.key_size, k)
    return Key("ed25519", 256, k)


# ---------------------------------------------------------------------------
# our own ARC sealer (for building test inputs)

def relaxed_header(name, value):
    """RFC 6376 3.4.2 for one field: lower-case name, unfolded value, WSP
    runs to one SP, WSP at the ends and around the colon removed."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    v = value.replace("\r\n", "")     # unfold (and any stray line end)
    v = re.sub(r"[ \t]+", " ", v).strip(" ")
    return (name.strip(" \t").lower() + ":" + v).encode(
        "utf-8", "surrogateescape")


def relaxed_body(body):
    """RFC 6376 3.4.4."""
    lines = body.split(b"\r\n")
    lines = [re.sub(rb"[ \t]+", b" ", x).rstrip(b" ") for x in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return b""
    return b"\r\n".join(lines) + b"\r\n"


def instance_of(value):
    m = re.search(rb"(?:^|;)\s*i\s*=\s*(\d+)\s*(?:;|$)",
                  value if isinstance(value, bytes) else value.encode())
    return int(m.group(1)) if m else None


def arc_sets(msg):
    """{instance: {"arc-seal": value, ...}} of the ARC fields of MSG (the
    last one wins on duplicates; fine for messages we built)."""
    headers, _ = split_message(msg)
    sets = {}
    for n, v in headers:
        ln = n.strip().lower().decode("ascii", "replace")
        if ln in ARC_NAMES:
            i = instance_of(v)
            if i is not None:
                sets.setdefault(i, {})[ln] = (n, v)
    return sets


class ArcSealer(object):
    """Adds one ARC set to a message, with full control over the tags.

    seal(msg, ...) -> list of (name, value-bytes) to put on top, in the
    order AS, AMS, AAR.  Values are "tag=value; ..." with b= last, folded
    only after "; " (so the relaxed form is stable).
    """

    def __init__(self, domain, selector, key):
        self.domain = domain
        self.selector = selector
        self.key = key

    @staticmethod
    def _fold(tags):
        s = "; ".join("%s=%s" % kv for kv in tags)
        return s

    def _select(self, headers, names):
        """RFC 6376 5.4.2: for each name, the bottom-most instance not used
        yet; absent ones contribute nothing."""
        used = set()
        out = []
        for want in names:
            for idx in range(len(headers) - 1, -1, -1):
                if idx in used:
                    continue
                if headers[idx][0].strip().lower() == want.lower().encode():
                    used.add(idx)
                    out.append(headers[idx])
                    break
        return out

    def seal(self, msg, instance=None, cv=None, headers=("from", "to",
             "subject", "date", "message-id"), aar_payload=None,
             authserv_id="sealer.example", t=None, as_extra=(),
             ams_extra=(), as_h=None, as_scope=None, algorithm=None,
             ams_first_tags=None, b_override=None, ams_b_override=None,
             a_tag=None):
        hdrs, body = split_message(msg)
        sets = arc_sets(msg)
        if instance is None:
            instance = (max(sets) + 1) if sets else 1
        if cv is None:
            cv = "none" if instance == 1 else "pass"
        t = str(t if t is not None else 1700000000)
        alg = a_tag or algorithm or self.key.algorithm
        # AAR
        if aar_payload is None:
            aar_payload = "%s; arc=%s" % (authserv_id, cv)
        if isinstance(aar_payload, bytes):
            aar = b"i=%d; %s" % (instance, aar_payload)
        else:
            aar = ("i=%d; %s" % (instance, aar_payload)).encode()
        # AMS
        bh = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest())
        ams_tags = [("i", str(instance)), ("a", alg),
                    ("c", "relaxed/relaxed"), ("d", self.domain),
                    ("s", self.selector), ("t", t),
                    ("h", ":".join(headers)), ("bh", bh.decode())]
        ams_tags += list(ams_extra)
        unsigned = self._fold(ams_tags) + "; b="
        data = b"".join(relaxed_header(n, v) + b"\r\n"
                        for n, v in self._select(hdrs, headers))
        data += relaxed_header("ARC-Message-Signature", unsigned)
        sig = base64.b64encode(self.key.sign(data)).decode()
        ams = (unsigned + (ams_b_override if ams_b_override is not None
                           else sig)).encode()
        # AS
        as_tags = [("i", str(instance)), ("a", alg), ("cv", cv),
                   ("d", self.domain), ("s", self.selector), ("t", t)]
        if as_h is not None:
            as_tags.append(("h", as_h))
        as_tags += list(as_extra)
        unsigned = self._fold(as_tags) + "; b="
        if as_scope is None:
            as_scope = [] if cv == "fail" else sorted(
                i for i in sets if i < instance)
        data = b""
        for i in as_scope:
            s = sets.get(i, {})
            for ln in ("arc-authentication-results", "arc-message-signature",
                       "arc-seal"):
                if ln in s:
                    n, v = s[ln]
                    data += relaxed_header(n, v) + b"\r\n"
        data += relaxed_header("ARC-Authentication-Results", aar) + b"\r\n"
        data += relaxed_header("ARC-Message-Signature", ams) + b"\r\n"
        data += relaxed_header("ARC-Seal", unsigned)
        sig = base64.b64encode(self.key.sign(data)).decode()
        as_ = (unsigned + (b_override if b_override is not None
                           else sig)).encode()
        return [("ARC-Seal", as_), ("ARC-Message-Signature", ams),
                ("ARC-Authentication-Results", aar)]

    def seal_onto(self, msg, **kw):
        """seal() and put the set on top of MSG."""
        fields = self.seal(msg, **kw)
        return b"".join(n.encode() + b": " + v + b"\r\n"
                        for n, v in fields) + msg


# ---------------------------------------------------------------------------
# reading tags and checking one seal on our own

def tags_of(value):
    """A tag list as {name: value} (whitespace removed from values; the
    last of duplicate tags wins).  Lenient: only for evidence and checks of
    values authmilter or dkimpy produced."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    out = {}
    for part in value.split(";"):
        if "=" not in part:
            continue
        k, _, v = part.partition("=")
        out[k.strip()] = re.sub(r"\s+", "", v)
    return out


def strip_b_value(value):
    """VALUE with the value of its b= tag removed (RFC 6376 3.7)."""
    return re.sub(rb"((?:^|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*", rb"\1", value)


def public_key(record):
    t = tags_of(record)
    raw = base64.b64decode(t.get("p", ""))
    if t.get("k", "rsa") == "ed25519":
        return "ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw)
    return "rsa", serialization.load_der_public_key(raw)


def verify_signature(record, data, sig_b64):
    """True when SIG_B64 (whitespace allowed) signs DATA under the key of
    the DKIM key RECORD (rsa-sha256 or ed25519-sha256)."""
    from cryptography.exceptions import InvalidSignature
    sig = base64.b64decode(re.sub(r"\s+", "", sig_b64))
    kind, pk = public_key(record)
    try:
        if kind == "rsa":
            pk.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            pk.verify(sig, hashlib.sha256(data).digest())
        return True
    except InvalidSignature:
        return False


def verify_top_seal(msg, records, own_set_only=None):
    """Check the ARC-Seal of the highest instance of MSG on our own: its
    scope is every set 1..N (RFC 8617 5.1.1), or only its own set when
    own_set_only (5.1.2, cv=fail) -- by default decided by its cv=.
    Returns (ok, why)."""
    sets = arc_sets(msg)
    if not sets:
        return False, "no ARC sets"
    n = max(sets)
    top = sets[n]
    if set(top) != set(ARC_NAMES):
        return False, "set %d incomplete" % n
    as_tags = tags_of(top["arc-seal"][1])
    if own_set_only is None:
        own_set_only = as_tags.get("cv") == "fail"
    scope = [n] if own_set_only else list(range(1, n + 1))
    data = b""
    for i in scope:
        s = sets.get(i, {})
        for ln in ("arc-authentication-results", "arc-message-signature",
                   "arc-seal"):
            if ln not in s:
                return False, "set %d lacks %s" % (i, ln)
            name, value = s[ln]
            if i == n and ln == "arc-seal":
                data += relaxed_header(name, strip_b_value(value))
            else:
                data += relaxed_header(name, value) + b"\r\n"
    rec = records.get("%s._domainkey.%s" % (as_tags.get("s", ""),
                                            as_tags.get("d", "")))
    if rec is None:
        return False, "no key record for s=%s d=%s" % (as_tags.get("s"),
                                                       as_tags.get("d"))
    try:
        ok = verify_signature(rec, data, as_tags.get("b", ""))
    except Exception as e:
        return False, "cannot verify: %s" % e
    return ok, ("AS(%d) verifies over %s" % (n, "its own set only" if
                                             own_set_only else "sets 1..%d"
                                             % n)) if ok else \
        "AS(%d) does not verify over %s" % (
            n, "its own set only" if own_set_only else "sets 1..%d" % n)


def select_headers(headers, names):
    """RFC 6376 5.4.2: for each name, the bottom-most instance not used
    yet; absent ones contribute nothing."""
    return ArcSealer._select(None, headers, names)


def standardized(tags):
    """A tag dict as the suite's standardized text: sorted, "; "."""
    return "; ".join("%s=%s" % (k, tags[k]) for k in sorted(tags))


def resign_standardized(msg, key, ams_value, as_value, aar_value):
    """Sign the tag values of a produced AMS and AS again over the suite's
    standardized form (sorted tags, no folding) with KEY, over MSG (the
    message before the new set) and the produced AAR.  Returns (AMS b=,
    AS b=): what a sealer with these very tag values would have to write
    to match the suite."""
    hdrs, _ = split_message(msg)
    sets = arc_sets(msg)
    aar_value = crlf(aar_value.replace("\r\n", "\n") if isinstance(
        aar_value, str) else aar_value.replace(b"\r\n", b"\n"))
    ams_t = tags_of(ams_value)
    ams_t["b"] = ""
    names = [h.strip() for h in ams_t.get("h", "").split(":") if h.strip()]
    data = b"".join(relaxed_header(n, v) + b"\r\n"
                    for n, v in select_headers(hdrs, names))
    data += relaxed_header("ARC-Message-Signature", standardized(ams_t))
    ams_b = base64.b64encode(key.sign(data)).decode()
    ams_t["b"] = ams_b
    as_t = tags_of(as_value)
    as_t["b"] = ""
    inst = int(as_t.get("i", "1"))
    scope = [] if as_t.get("cv") == "fail" else sorted(
        i for i in sets if i < inst)
    data = b""
    for i in scope:
        for ln in ("arc-authentication-results", "arc-message-signature",
                   "arc-seal"):
            if ln in sets[i]:
                n, v = sets[i][ln]
                data += relaxed_header(n, v) + b"\r\n"
    data += relaxed_header("ARC-Authentication-Results", aar_value) + b"\r\n"
    data += relaxed_header("ARC-Message-Signature", standardized(ams_t)) \
        + b"\r\n"
    data += relaxed_header("ARC-Seal", standardized(as_t))
    return ams_b, base64.b64encode(key.sign(data)).decode()
