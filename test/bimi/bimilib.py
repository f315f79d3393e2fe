# SPDX-License-Identifier: BSD-2-Clause
"""bimilib: what the BIMI suite makes for itself (python3-cryptography).

    pki = bimilib.PKI(tmp)                    # a web CA, a mark CA, another
    pki.server_cert(["logo.example"])         # TLS key+cert files for it
    pki.mark_cert("brand.example", svg, ...)  # a VMC-like PEM (with chain)
    bimilib.logotype(svg)                     # the RFC 3709 extension's DER
    srv = bimilib.HTTPSServer(cert, key)      # 127.0.0.1, a free port
    srv.route("/a.svg", body, headers)        # what a path serves
    srv.hits("/a.svg")                        # how often it was asked
    hang = bimilib.HangServer()               # accepts, never answers

Everything is made per run (keys, certificates, their dates relative to
the clock), listens on 127.0.0.1 only, and is stopped by the test.
"""

import base64
import datetime
import gzip
import hashlib
import http.server
import os
import socket
import ssl
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

BIMI_EKU = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.31")
LOGOTYPE = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.12")
SHA256_ALG = bytes.fromhex("300d06096086480165030402010500")

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" '
       b'baseProfile="tiny-ps" viewBox="0 0 100 100">\n'
       b'<title>Brand Example</title>\n'
       b'<rect width="100" height="100" fill="#1a5fb4"/>\n'
       b'<circle cx="50" cy="50" r="30" fill="#ffffff"/>\n</svg>\n')


def der(tag, content):
    """One DER TLV."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    elif n < 0x10000:
        length = bytes([0x82, n >> 8, n & 0xff])
    else:
        length = bytes([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff])
    return bytes([tag]) + length + content


def svg_hash(svg):
    """RFC 6170 5.2: SHA-256 over the SVG with CRLF and CR as LF."""
    return hashlib.sha256(svg.replace(b"\r\n", b"\n")
                          .replace(b"\r", b"\n")).digest()


def logotype(svg, hashed=None):
    """LogotypeExtn (RFC 3709, IMPLICIT TAGS): subjectLogo [2] EXPLICIT,
    direct [0], one image/svg+xml image whose URI is a data: URI of the
    gzipped SVG, hashed with SHA-256 (over HASHED when given)."""
    digest = svg_hash(svg if hashed is None else hashed)
    uri = b"data:image/svg+xml;base64," + base64.b64encode(
        gzip.compress(svg, mtime=0))
    hav = der(0x30, SHA256_ALG + der(0x04, digest))
    details = der(0x30, der(0x16, b"image/svg+xml") + der(0x30, hav) +
                  der(0x30, der(0x16, uri)))
    images = der(0x30, der(0x30, details))
    return der(0x30, der(0xa2, der(0xa0, images)))


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class CA(object):
    """A self-signed root and the certificates it issues."""

    def __init__(self, cn):
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.utcnow()
        self.cert = (x509.CertificateBuilder()
                     .subject_name(_name(cn)).issuer_name(_name(cn))
                     .public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=2))
                     .not_valid_after(now + datetime.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True,
                                                          path_length=None),
                                    critical=True)
                     .add_extension(x509.KeyUsage(
                         digital_signature=False, content_commitment=False,
                         key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=True,
                         crl_sign=True, encipher_only=False,
                         decipher_only=False), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                         self.key.public_key()), critical=False)
                     .sign(self.key, hashes.SHA256()))

    def issue(self, cn, exts, days=(-1, 30)):
        """A leaf of CN with the extensions EXTS ((ext, critical)...),
        valid from now+days[0] to now+days[1]; (key, cert)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.utcnow()
        b = (x509.CertificateBuilder()
             .subject_name(_name(cn)).issuer_name(self.cert.subject)
             .public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(now + datetime.timedelta(days=days[0]))
             .not_valid_after(now + datetime.timedelta(days=days[1]))
             .add_extension(x509.BasicConstraints(ca=False,
                                                  path_length=None),
                            critical=True)
             .add_extension(x509.AuthorityKeyIdentifier
                            .from_issuer_public_key(self.key.public_key()),
                            critical=False))
        for ext, crit in exts:
            b = b.add_extension(ext, critical=crit)
        return key, b.sign(self.key, hashes.SHA256())

    def pem(self):
        return _pem(self.cert)


class PKI(object):
    """A web CA (HTTPS servers), a mark CA (bimi.trust_store) and an
    untrusted mark CA, their roots written to files in TMP."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.web = CA("Test Web Root")
        self.mark = CA("Test Mark Root")
        self.rogue = CA("Rogue Mark Root")
        self.web_roots = self._write("web-roots.pem", self.web.pem())
        self.mark_roots = self._write("mark-roots.pem", self.mark.pem())

    def _write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def server_cert(self, names, ca=None):
        """(cert file, key file) of a TLS server for NAMES."""
        key, cert = (ca or self.web).issue(names[0], [
            (x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
             False),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
             False)])
        k = self._write("tls-%s.key" % names[0], key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        c = self._write("tls-%s.pem" % names[0], _pem(cert))
        return c, k

    def mark_cert(self, domain, svg, hashed=None, eku=True, days=(-1, 30),
                  ca=None, names=None):
        """A mark certificate (PEM, the issuing root not included) for
        DOMAIN carrying SVG; HASHED: the logo the hash is of; EKU: with
        the BIMI key usage; NAMES: its subjectAltName dNSNames."""
        exts = [(x509.SubjectAlternativeName(
            [x509.DNSName(n) for n in (names or [domain])]), False),
            (x509.UnrecognizedExtension(LOGOTYPE, logotype(svg, hashed)),
             False)]
        if eku:
            exts.append((x509.ExtendedKeyUsage([BIMI_EKU]), False))
        key, cert = (ca or self.mark).issue("Brand of " + domain, exts,
                                            days)
        return _pem(cert)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server.owner
        with srv.lock:
            srv.count[self.path] = srv.count.get(self.path, 0) + 1
            route = srv.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        status, body, headers = route
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HTTPSServer(object):
    """An HTTPS server on 127.0.0.1 (a free port) serving ROUTES."""

    def __init__(self, cert, key):
        self.lock = threading.Lock()
        self.routes, self.count = {}, {}
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket,
                                            server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def route(self, path, body, headers=None, status=200):
        with self.lock:
            self.routes[path] = (status, body, headers or {})

    def hits(self, path):
        with self.lock:
            return self.count.get(path, 0)

    def total(self):
        with self.lock:
            return sum(self.count.values())

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class HangServer(object):
    """Accepts TCP connections on 127.0.0.1 and never says a word (a TLS
    handshake that never ends), until stop()."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.held, self.done = [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done.is_set():
            try:
                c, _ = self.sock.accept()
                self.held.append(c)
            except (socket.timeout, OSError):
                continue

    def accepted(self):
        return len(self.held)

    def stop(self):
        self.done.set()
        self.thread.join(5)
        for c in self.held:
            c.close()
        self.sock.close()
