#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The DMARC test corpus, shared by run_daemon.py (authmilter over the milter
protocol) and run_interop.py (an independent implementation, same DNS data).

Every case is one SMTP transaction: client address, HELO, MAIL FROM, header
lines, DKIM signatures to add, the DNS records the case needs, the daemon
configuration group it runs in and what RFC 9989 (or RFC 7489, for the
"rfc7489" groups) says must come out of it.

All names live under "example." and "uk." (local zones of type static in the
daemon, so a name without local data is NXDOMAIN at once and no query ever
leaves the machine), or in a testdns zone for the cases that need a query log
or a SERVFAIL (backend "testdns").

Expectations (Case.expect is a list of alternatives; a case passes when one
alternative matches entirely).  Keys, all optional:

  result    dmarc result in the A-R and in authmilter-check's JSON
  from      header.from property
  policy    policy.dmarc property (RFC 9989 9.1: the evaluated policy after
            t=, pct (rfc7489 mode), sp/np selection); ABSENT: must not be there
  p, sp     in the A-R comment "(p=.. sp=.. dis=..)"; sp is the effective
            subdomain policy (sp, else p), as authmilter(8) DMARC shows
  dis       disposition applied, A-R comment
  action    accept | reject | quarantine | tempfail  (quarantine: the milter
            sent SMFIR_QUARANTINE with a reason; accept: it did not)
  reply     prefix of the SMTP reply for reject/tempfail ("550 5.7.1")
  reply_has substring of that reply (the author domain)
  pdomain   JSON policy.domain (where the applied record was found)
  org       JSON policy.org_domain
  jp, jsp, jnp   JSON policy.p / sp / np (only checked when given)
  t, psd, pct    JSON policy.t (bool), policy.psd (y/n/u), policy.pct
  spf_al, dkim_al  JSON alignment.spf / alignment.dkim (bool)

A value may be an AnyOf(...) of acceptable values.
"""

import base64
import os
import subprocess

import dkim

ABSENT = object()


class AnyOf(tuple):
    def __new__(cls, *vals):
        return tuple.__new__(cls, vals)


LEGIT_IP = "192.0.2.10"       # the domain owners' outbound host
ESP_IP = "192.0.2.20"         # a third-party sender (esp.example) that signs
EVIL_IP = "203.0.113.66"      # the attacker, who controls evil.example
AUTHSERV_ID = "mx.test.example"

# groups: name -> (mode, dmarc/policy overrides, DNS backend)
GROUPS = {
    "9989":          ("rfc9989", {}, "local"),
    "9989-noreject": ("rfc9989", {"reject": False}, "local"),
    "9989-qheader":  ("rfc9989", {"quarantine": "header"}, "local"),
    "9989-qnone":    ("rfc9989", {"quarantine": "none"}, "local"),
    "9989-mfperm":   ("rfc9989", {"multiple_from": "permerror"}, "local"),
    "7489":          ("rfc7489", {}, "local"),
    "9989-tdns":     ("rfc9989", {}, "testdns"),
    "9989-tdns-tempfail": ("rfc9989", {"dns_error_action": "tempfail"},
                           "testdns"),
}

LOCAL_ZONES = ["example. static", "uk. static"]

# DNS names a testdns-backend case answers SERVFAIL for
SERVFAIL = ["_dmarc.tempfail.example", "_dmarc.tempwalk.example"]


def key_record(pub_b64):
    return "v=DKIM1; k=rsa; p=" + pub_b64


def make_keys(tmpdir, names=("k1",)):
    """RSA 2048 key pairs made with openssl: {name: (private PEM bytes,
    base64 SubjectPublicKeyInfo)}."""
    keys = {}
    for n in names:
        priv = os.path.join(tmpdir, n + ".pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", priv],
                       check=True, capture_output=True, timeout=120)
        der = subprocess.run(["openssl", "pkey", "-in", priv, "-pubout",
                              "-outform", "DER"], check=True,
                             capture_output=True, timeout=60).stdout
        with open(priv, "rb") as f:
            keys[n] = (f.read(), base64.b64encode(der).decode())
    return keys


# ---------------------------------------------------------------------------
# DNS data helpers.  A record is (owner, type, value); TXT values are one
# string (split into 255-octet character-strings when published) or a list of
# character-strings.  "KEY:k1" as a TXT value is the DKIM key record of k1.

def spf(owner, ip=LEGIT_IP, all_="-all"):
    return [(owner, "TXT", "v=spf1 ip4:%s %s" % (ip, all_))]


def host(owner):
    return [(owner, "A", "192.0.2.1")]


def dkimkey(domain, sel="sel", key="k1"):
    return [("%s._domainkey.%s" % (sel, domain), "TXT", "KEY:" + key)]


def dmarc(owner, *records):
    return [("_dmarc." + owner, "TXT", r) for r in records]


def owner_domain(d, record=None, spf_ok=True, key=True, exists=True):
    """A domain owner's usual setup: A, SPF for LEGIT_IP, DKIM key, DMARC."""
    out = []
    if exists:
        out += host(d)
    if spf_ok:
        out += spf(d)
    if key:
        out += dkimkey(d)
    if record is not None:
        out += dmarc(d, record)
    return out


SHARED = (
    # the attacker's own domain: SPF and DKIM pass for it, and its p=none
    # record means that a parser that picks evil.example gives dmarc=pass
    host("evil.example") + spf("evil.example", EVIL_IP) +
    spf("mail.evil.example", EVIL_IP) + dkimkey("evil.example") +
    dmarc("evil.example", "v=DMARC1; p=none") +
    # a look-alike that ends in "bank.example" without a dot boundary
    host("evilbank.example") + spf("evilbank.example", EVIL_IP) +
    dkimkey("evilbank.example") +
    # the spoofed brand
    owner_domain("bank.example", "v=DMARC1; p=reject") +
    # a third-party sender: SPF pass for esp.example, signs as esp.example
    host("esp.example") + spf("esp.example", ESP_IP) + dkimkey("esp.example")
)


# ---------------------------------------------------------------------------

class Sig(object):
    """A DKIM signature to add: d=, s=, key; tamper=True changes the body
    after signing (dkim=fail)."""

    def __init__(self, d, s="sel", key="k1", tamper=False):
        self.d, self.s, self.key, self.tamper = d, s, key, tamper


class Case(object):
    def __init__(self, name, doc, group="9989", ip=LEGIT_IP, helo=None,
                 mailfrom=None, from_=None, headers=None, sigs=(), dns=(),
                 expect=None, attacker=False, querycheck=None, rfc=""):
        self.name = name
        self.doc = doc
        self.group = group
        self.rfc = rfc
        if attacker:
            ip, helo = EVIL_IP, "mail.evil.example"
            mailfrom = "attacker@evil.example" if mailfrom is None \
                else mailfrom
            sigs = sigs or (Sig("evil.example"),)
        self.ip = ip
        self.mailfrom = mailfrom
        self.helo = helo or ("mail." + (mailfrom.rpartition("@")[2]
                                        if mailfrom else "example.invalid"))
        # header lines above To/Subject/...: a list of str (whole field,
        # folding with "\r\n "); from_ is the usual single From value
        if headers is None:
            headers = ["From: " + from_] if from_ is not None else []
        self.headers = headers
        self.sigs = tuple(sigs)
        self.dns = list(dns)
        exp = expect if isinstance(expect, list) else [expect or {}]
        self.expect = exp
        self.querycheck = querycheck   # (walk names, names it must skip)

    @property
    def mode(self):
        return GROUPS[self.group][0]

    @property
    def conf(self):
        return GROUPS[self.group][1]

    @property
    def backend(self):
        return GROUPS[self.group][2]

    def message(self, keys):
        """The message as sent (CRLF), DKIM signatures on top."""
        head = [h.encode("utf-8") for h in self.headers]
        head += [b"To: <rcpt@rcpt.example>",
                 ("Subject: dmarc case %s" % self.name).encode(),
                 b"Date: Mon, 23 Nov 2026 12:00:00 +0000",
                 ("Message-ID: <%s@test.example>" % self.name).encode(),
                 b"MIME-Version: 1.0",
                 b"Content-Type: text/plain; charset=utf-8"]
        body = ("Test message for DMARC case %s.\r\n" % self.name).encode()
        msg = b"\r\n".join(head) + b"\r\n\r\n" + body
        sighdrs = []
        for s in self.sigs:
            sh = dkim.sign(msg, s.s.encode(), s.d.encode(), keys[s.key][0],
                           include_headers=[b"from", b"to", b"subject",
                                            b"date", b"message-id"],
                           canonicalize=(b"relaxed", b"relaxed"))
            sighdrs.append(sh)
        if any(s.tamper for s in self.sigs):
            msg = msg.replace(b"Test message", b"Tampered message")
        # the signature made last ends up on top, as a relay chain would have
        return b"".join(reversed(sighdrs)) + msg


def E(**kw):
    """An expectation; "from_" stands for "from"."""
    if "from_" in kw:
        kw["from"] = kw.pop("from_")
    return kw


REJECT = "550 5.7.1"


def passing(d, policy, pdomain=None, org=None, spf_al=None, dkim_al=None,
            p=None, sp=None, **kw):
    e = E(result="pass", from_=d, policy=policy, dis="none", action="accept",
          pdomain=pdomain or d, org=org or pdomain or d)
    if spf_al is not None:
        e["spf_al"] = spf_al
    if dkim_al is not None:
        e["dkim_al"] = dkim_al
    if p:
        e["p"] = p
    if sp:
        e["sp"] = sp
    e.update(kw)
    return e


def failing(d, policy, pdomain=None, org=None, dis=None, action=None,
            p=None, sp=None, **kw):
    """DMARC fail in the default group: reject -> 550, quarantine -> q."""
    dis = dis or policy
    if action is None:
        action = {"reject": "reject", "quarantine": "quarantine",
                  "none": "accept"}[dis]
    e = E(result="fail", from_=d, policy=policy, dis=dis, action=action,
          pdomain=pdomain or d, org=org or pdomain or d,
          spf_al=False, dkim_al=False)
    if action == "reject":
        e["reply"] = REJECT
        e["reply_has"] = d
    if p:
        e["p"] = p
    if sp:
        e["sp"] = sp
    e.update(kw)
    return e


def none_(d, **kw):
    e = E(result="none", from_=d, policy=ABSENT, action="accept")
    e.update(kw)
    return e


def unprocessed(d):
    """RFC 9989 4.10.1 "applies no DMARC processing" for a record without a
    valid p (or with a bad sp/np) and no rua: dmarc=none, or permerror
    (9.2: "retrieval of an improperly formatted DMARC Policy Record");
    either way no policy and no enforcement."""
    return E(result=AnyOf("none", "permerror"), from_=AnyOf(d, None),
             policy=ABSENT, action="accept")


# outcomes accepted for From fields that name no single author domain
PERMERROR = E(result="permerror", action="accept")
REJECTED = E(action="reject", reply=REJECT)


def esp_envelope():
    """A third-party sender: SPF passes for esp.example only."""
    return dict(ip=ESP_IP, helo="mail.esp.example",
                mailfrom="bounce@esp.example")


def corpus():
    C = []
    add = C.append

    # -- alignment -----------------------------------------------------------
    add(Case("align-spf-only", "SPF pass for the author domain, no DKIM",
             mailfrom="bounce@spfonly.example", from_="Alice <alice@spfonly.example>",
             dns=owner_domain("spfonly.example", "v=DMARC1; p=reject"),
             expect=passing("spfonly.example", "reject", spf_al=True,
                            dkim_al=False, p="reject", sp="reject"),
             rfc="9989 4.4.2, 5.3.5"))
    add(Case("align-dkim-only", "SPF passes for a third party (unaligned), "
             "DKIM d= the author domain", **esp_envelope(),
             from_="Alice <alice@dkimonly.example>",
             sigs=[Sig("dkimonly.example")],
             dns=owner_domain("dkimonly.example", "v=DMARC1; p=reject"),
             expect=passing("dkimonly.example", "reject", spf_al=False,
                            dkim_al=True, p="reject"),
             rfc="9989 4.4.1, 5.3.5"))
    add(Case("align-both", "SPF and DKIM both aligned",
             mailfrom="bounce@both.example", from_="alice@both.example",
             sigs=[Sig("both.example")],
             dns=owner_domain("both.example", "v=DMARC1; p=reject"),
             expect=passing("both.example", "reject", spf_al=True,
                            dkim_al=True)))
    add(Case("align-neither", "SPF and DKIM pass, both for esp.example: "
             "nothing aligned, p=reject", **esp_envelope(),
             from_="alice@neither.example", sigs=[Sig("esp.example")],
             dns=owner_domain("neither.example", "v=DMARC1; p=reject"),
             expect=failing("neither.example", "reject", p="reject",
                            sp="reject"),
             rfc="9989 5.3.5; authmilter(8) ACTIONS"))
    add(Case("dkim-broken-signature", "DKIM d= author but the body was "
             "changed after signing: dkim=fail does not align",
             **esp_envelope(), from_="alice@dkimbad.example",
             sigs=[Sig("dkimbad.example", tamper=True)],
             dns=owner_domain("dkimbad.example", "v=DMARC1; p=reject"),
             expect=failing("dkimbad.example", "reject"),
             rfc="9989 4.4.1"))
    add(Case("dkim-second-signature-aligned", "two valid signatures, the "
             "ESP's and the author's: one aligned pass is enough",
             **esp_envelope(), from_="alice@twosig.example",
             sigs=[Sig("twosig.example"), Sig("esp.example")],
             dns=owner_domain("twosig.example", "v=DMARC1; p=reject"),
             expect=passing("twosig.example", "reject", spf_al=False,
                            dkim_al=True),
             rfc="9989 4.4.1 (any DKIM identifier)"))
    add(Case("spf-softfail-not-aligned-pass", "SPF softfail for the author "
             "domain is not an SPF-Authenticated Identifier",
             ip="198.51.100.9", mailfrom="bounce@softfail.example",
             from_="alice@softfail.example",
             dns=host("softfail.example") +
             spf("softfail.example", all_="~all") +
             dmarc("softfail.example", "v=DMARC1; p=reject"),
             expect=failing("softfail.example", "reject"),
             rfc="9989 4.4.2"))

    # -- strict / relaxed ----------------------------------------------------
    add(Case("strict-dkim-subdomain-fails", "adkim=s, DKIM d=mail.<author>: "
             "not identical", **esp_envelope(),
             from_="alice@strict.example", sigs=[Sig("mail.strict.example")],
             dns=owner_domain("strict.example",
                              "v=DMARC1; p=reject; adkim=s") +
             dkimkey("mail.strict.example"),
             expect=failing("strict.example", "reject"),
             rfc="9989 3.2.10.2, 4.7 adkim"))
    add(Case("relaxed-dkim-subdomain-passes", "adkim default r, DKIM "
             "d=mail.<author>: same Organizational Domain", **esp_envelope(),
             from_="alice@relaxed.example", sigs=[Sig("mail.relaxed.example")],
             dns=owner_domain("relaxed.example", "v=DMARC1; p=reject") +
             dkimkey("mail.relaxed.example"),
             expect=passing("relaxed.example", "reject", spf_al=False,
                            dkim_al=True),
             rfc="9989 3.2.10.1, 4.10.2"))
    add(Case("strict-dkim-identical-passes", "adkim=s, DKIM d= the author "
             "domain itself", **esp_envelope(),
             from_="alice@strict2.example", sigs=[Sig("strict2.example")],
             dns=owner_domain("strict2.example",
                              "v=DMARC1; p=reject; adkim=s"),
             expect=passing("strict2.example", "reject", dkim_al=True)))
    add(Case("strict-spf-subdomain-fails", "aspf=s, SPF pass for "
             "mail.<author>", mailfrom="bounce@mail.aspf.example",
             from_="alice@aspf.example",
             dns=owner_domain("aspf.example", "v=DMARC1; p=reject; aspf=s") +
             spf("mail.aspf.example") + host("mail.aspf.example"),
             expect=failing("aspf.example", "reject"),
             rfc="9989 4.7 aspf"))
    add(Case("relaxed-spf-subdomain-passes", "aspf default r, SPF pass for "
             "mail.<author>", mailfrom="bounce@mail.rspf.example",
             from_="alice@rspf.example",
             dns=owner_domain("rspf.example", "v=DMARC1; p=reject") +
             spf("mail.rspf.example") + host("mail.rspf.example"),
             expect=passing("rspf.example", "reject", spf_al=True)))
    add(Case("relaxed-author-subdomain-spf-parent", "author news.<org>, "
             "record only at the org, SPF pass for the org",
             mailfrom="bounce@rparent.example",
             from_="news@news.rparent.example",
             dns=owner_domain("rparent.example", "v=DMARC1; p=reject") +
             host("news.rparent.example"),
             expect=passing("news.rparent.example", "reject",
                            pdomain="rparent.example", org="rparent.example",
                            spf_al=True),
             rfc="9989 4.10.1, 4.10.2"))

    # -- subdomain policies: sp, np ------------------------------------------
    add(Case("sub-sp-existing", "existing subdomain of a p=reject; "
             "sp=quarantine org, unaligned: sp applies", **esp_envelope(),
             from_="news@news.spx.example",
             dns=owner_domain("spx.example",
                              "v=DMARC1; p=reject; sp=quarantine") +
             host("news.spx.example"),
             expect=failing("news.spx.example", "quarantine",
                            pdomain="spx.example", org="spx.example",
                            p="reject", sp="quarantine", jsp="quarantine"),
             rfc="9989 4.10.1 (sp if the Author Domain exists)"))
    add(Case("sub-np-nonexistent", "author ghost.npx.example is NXDOMAIN: "
             "np=reject applies (not sp=none, not p=quarantine)",
             **esp_envelope(), from_="x@ghost.npx.example",
             dns=owner_domain("npx.example",
                              "v=DMARC1; p=quarantine; sp=none; np=reject"),
             expect=failing("ghost.npx.example", "reject",
                            pdomain="npx.example", org="npx.example",
                            jnp="reject", reply_has="ghost.npx.example"),
             rfc="9989 3.2.13, 4.7 np, 4.10.1"))
    add(Case("sub-np-exists-txt-only", "author txtonly.npx.example has only "
             "a TXT record: it exists (NODATA for A is not NXDOMAIN), so "
             "sp=none applies, not np=reject", **esp_envelope(),
             from_="x@txtonly.npx.example",
             dns=[("txtonly.npx.example", "TXT", "v=spf1 -all")],
             expect=failing("txtonly.npx.example", "none",
                            pdomain="npx.example", org="npx.example"),
             rfc="9989 3.2.13, A.4 (any RR makes a name exist)"))
    add(Case("sub-np-absent-uses-sp", "NXDOMAIN subdomain, no np: sp "
             "applies", **esp_envelope(), from_="x@ghost.npsp.example",
             dns=owner_domain("npsp.example", "v=DMARC1; p=none; sp=reject"),
             expect=failing("ghost.npsp.example", "reject",
                            pdomain="npsp.example", org="npsp.example",
                            p="none", sp="reject"),
             rfc="9989 4.7 np (absent: sp, else p)"))
    add(Case("sub-sp-absent-uses-p", "existing subdomain, no sp, no np: p",
             **esp_envelope(), from_="x@x.nosp.example",
             dns=owner_domain("nosp.example", "v=DMARC1; p=quarantine") +
             host("x.nosp.example"),
             expect=failing("x.nosp.example", "quarantine",
                            pdomain="nosp.example", org="nosp.example",
                            p="quarantine", sp="quarantine"),
             rfc="9989 4.7 sp"))
    add(Case("author-own-record-wins", "author own.spown.example has its own "
             "p=none record; the org's p=reject sp=reject does not apply",
             **esp_envelope(), from_="x@own.spown.example",
             dns=owner_domain("spown.example",
                              "v=DMARC1; p=reject; sp=reject") +
             host("own.spown.example") +
             dmarc("own.spown.example", "v=DMARC1; p=none"),
             expect=failing("own.spown.example", "none",
                            pdomain="own.spown.example", org="spown.example"),
             rfc="9989 4.10.1 (the Author Domain's record first)"))
    add(Case("sp-on-author-record-ignored", "sp=reject in the author "
             "domain's own record does not apply to the author domain",
             **esp_envelope(), from_="x@sponly.example",
             dns=owner_domain("sponly.example", "v=DMARC1; p=none; sp=reject"),
             expect=failing("sponly.example", "none", p="none", sp="reject"),
             rfc="9989 4.10.1 (Author Domain: p tag)"))

    # -- t= ------------------------------------------------------------------
    add(Case("t-y-reject-to-quarantine", "p=reject; t=y: one step down",
             **esp_envelope(), from_="x@testmode.example",
             dns=owner_domain("testmode.example", "v=DMARC1; p=reject; t=y"),
             expect=failing("testmode.example", "quarantine", p="reject",
                            t=True, jp="reject"),
             rfc="9989 4.7 t, 9.1 policy.dmarc"))
    add(Case("t-y-quarantine-to-none", "p=quarantine; t=y: none",
             **esp_envelope(), from_="x@testmode2.example",
             dns=owner_domain("testmode2.example",
                              "v=DMARC1; p=quarantine; t=y"),
             expect=failing("testmode2.example", "none", p="quarantine",
                            t=True),
             rfc="9989 4.7 t"))
    add(Case("t-y-inherited-sp", "t=y on the org record also downgrades "
             "the sp policy of a subdomain", **esp_envelope(),
             from_="x@a.testmode3.example",
             dns=owner_domain("testmode3.example",
                              "v=DMARC1; p=none; sp=reject; t=y") +
             host("a.testmode3.example"),
             expect=failing("a.testmode3.example", "quarantine",
                            pdomain="testmode3.example",
                            org="testmode3.example", t=True),
             rfc="9989 4.7 t (p, sp and/or np)"))
    add(Case("t-n-explicit", "t=n is the default: p=reject enforced",
             **esp_envelope(), from_="x@testmoden.example",
             dns=owner_domain("testmoden.example", "v=DMARC1; p=reject; t=n"),
             expect=failing("testmoden.example", "reject", t=False)))

    # -- records: none, malformed, several -----------------------------------
    add(Case("no-record", "no DMARC record anywhere up the tree",
             mailfrom="bounce@norecord.example", from_="x@norecord.example",
             dns=owner_domain("norecord.example"),
             expect=none_("norecord.example"),
             rfc="9989 4.10.1 (MUST NOT apply DMARC), authmilter(8) DMARC"))
    add(Case("p-none-fail", "p=none, nothing aligned: fail, delivered",
             **esp_envelope(), from_="x@pnone.example",
             dns=owner_domain("pnone.example", "v=DMARC1; p=none"),
             expect=failing("pnone.example", "none", p="none", sp="none")))
    add(Case("p-bogus-no-rua", "v=DMARC1; p=bogus without rua: no DMARC "
             "processing", **esp_envelope(), from_="x@bogus.example",
             dns=owner_domain("bogus.example", "v=DMARC1; p=bogus"),
             expect=unprocessed("bogus.example"),
             rfc="9989 4.10.1 (no valid p, no rua)"))
    add(Case("p-bogus-with-rua", "v=DMARC1; p=bogus with a valid rua: as if "
             "p=none", **esp_envelope(), from_="x@bogusrua.example",
             dns=owner_domain("bogusrua.example", "v=DMARC1; p=bogus; "
                              "rua=mailto:dmarc@bogusrua.example"),
             expect=failing("bogusrua.example", "none", jp="none"),
             rfc="9989 4.10.1 (rua: act as if p=none)"))
    add(Case("p-missing-no-rua", "v=DMARC1; adkim=r (no p, no rua): no "
             "DMARC processing", **esp_envelope(), from_="x@nop.example",
             dns=owner_domain("nop.example", "v=DMARC1; adkim=r"),
             expect=unprocessed("nop.example"), rfc="9989 4.10.1"))
    add(Case("p-missing-with-rua", "v=DMARC1; rua=mailto:..: p=none",
             **esp_envelope(), from_="x@noprua.example",
             dns=owner_domain("noprua.example", "v=DMARC1; "
                              "rua=mailto:dmarc@noprua.example"),
             expect=failing("noprua.example", "none"),
             rfc="9989 4.7 p, 4.10.1"))
    add(Case("sp-bogus-no-rua", "valid p=reject but sp=bogus and no rua: "
             "no DMARC processing at all", **esp_envelope(),
             from_="x@badsp.example",
             dns=owner_domain("badsp.example",
                              "v=DMARC1; p=reject; sp=bogus"),
             expect=unprocessed("badsp.example"),
             rfc="9989 4.10.1 (an sp or np tag that is not valid)"))
    add(Case("np-bogus-with-rua", "p=reject, np=bogus, valid rua: the "
             "record acts as p=none", **esp_envelope(),
             from_="x@badnp.example",
             dns=owner_domain("badnp.example", "v=DMARC1; p=reject; "
                              "np=bogus; rua=mailto:d@badnp.example"),
             expect=failing("badnp.example", "none"),
             rfc="9989 4.10.1"))
    add(Case("v-not-first", "p=reject; v=DMARC1 is not a DMARC record",
             **esp_envelope(), from_="x@vlast.example",
             dns=owner_domain("vlast.example", "p=reject; v=DMARC1"),
             expect=none_("vlast.example"), rfc="9989 4.7 v"))
    add(Case("v-wrong-case", "v=dmarc1 (the value is case sensitive)",
             **esp_envelope(), from_="x@vcase.example",
             dns=owner_domain("vcase.example", "v=dmarc1; p=reject"),
             expect=none_("vcase.example"), rfc="9989 4.7 v, 4.8 %s\"DMARC1\""))
    add(Case("p-uppercase-value", "p=REJECT: ABNF literals are case "
             "insensitive (RFC 5234 2.3)", **esp_envelope(),
             from_="x@pupper.example",
             dns=owner_domain("pupper.example", "v=DMARC1; p=REJECT"),
             expect=failing("pupper.example", "reject"),
             rfc="9989 4.8 dmarc-request; RFC 5234 2.3"))
    add(Case("wsp-around-equals", "\"v = DMARC1 ; p = reject ;\": *WSP "
             "around = and ;", **esp_envelope(), from_="x@wsp.example",
             dns=owner_domain("wsp.example", "v = DMARC1 ; p = reject ;"),
             expect=failing("wsp.example", "reject"),
             rfc="9989 4.8 equals, dmarc-sep"))
    add(Case("unknown-tags-ignored", "unknown tags and pct (rfc9989 mode) "
             "are ignored", **esp_envelope(), from_="x@unk.example",
             dns=owner_domain("unk.example",
                              "v=DMARC1; p=reject; foo=bar; pct=0; ri=3600"),
             expect=failing("unk.example", "reject"),
             rfc="9989 4.7 (unknown tags MUST be ignored), A.6"))
    add(Case("two-records-discarded", "two DMARC records at _dmarc.<author> "
             "are both discarded; nothing above: none", **esp_envelope(),
             from_="x@multi.example",
             dns=owner_domain("multi.example") +
             dmarc("multi.example", "v=DMARC1; p=reject", "v=DMARC1; p=none"),
             expect=none_("multi.example"),
             rfc="9989 4.10 step 2"))
    add(Case("two-records-walk-goes-on", "two records at the author are "
             "discarded, the org's record applies", **esp_envelope(),
             from_="x@sub.multi2.example",
             dns=owner_domain("multi2.example", "v=DMARC1; p=quarantine") +
             host("sub.multi2.example") +
             dmarc("sub.multi2.example", "v=DMARC1; p=none",
                   "v=DMARC1; p=none; adkim=s"),
             expect=failing("sub.multi2.example", "quarantine",
                            pdomain="multi2.example", org="multi2.example"),
             rfc="9989 4.10 steps 2, 6"))
    add(Case("non-dmarc-txt-ignored", "a non-DMARC TXT next to the record "
             "at _dmarc: the record stands alone", **esp_envelope(),
             from_="x@mixedtxt.example",
             dns=owner_domain("mixedtxt.example") +
             dmarc("mixedtxt.example", "google-site-verification=abc",
                   "v=DMARC1; p=reject"),
             expect=failing("mixedtxt.example", "reject"),
             rfc="9989 4.10 step 2"))
    add(Case("split-character-strings", "record published as two "
             "character-strings: concatenated", **esp_envelope(),
             from_="x@split.example",
             dns=owner_domain("split.example") +
             [("_dmarc.split.example", "TXT", ["v=DMARC1; p=rej", "ect"])],
             expect=failing("split.example", "reject"),
             rfc="9989 4.5 (concatenate character-strings)"))

    # -- DNS tree walk -------------------------------------------------------
    add(Case("walk-intermediate-record-not-policy", "records at "
             "_dmarc.mail.orgwalk.example (p=reject) and _dmarc.orgwalk."
             "example (sp=none); author a.mail.orgwalk.example: the policy "
             "is the Organizational Domain's (fewest labels), sp=none",
             **esp_envelope(), from_="x@a.mail.orgwalk.example",
             dns=owner_domain("orgwalk.example",
                              "v=DMARC1; p=reject; sp=none") +
             host("a.mail.orgwalk.example") +
             dmarc("mail.orgwalk.example", "v=DMARC1; p=reject"),
             expect=failing("a.mail.orgwalk.example", "none",
                            pdomain="orgwalk.example", org="orgwalk.example"),
             rfc="9989 4.10.1 (Author, Org, PSD), 4.10.2 step 3"))
    add(Case("walk-intermediate-only", "the only record is at "
             "_dmarc.mail.midonly.example: it is the Organizational Domain "
             "for a.mail.midonly.example", **esp_envelope(),
             from_="x@a.mail.midonly.example",
             dns=host("a.mail.midonly.example") +
             dmarc("mail.midonly.example", "v=DMARC1; p=reject"),
             expect=failing("a.mail.midonly.example", "reject",
                            pdomain="mail.midonly.example",
                            org="mail.midonly.example"),
             rfc="9989 4.10.2 step 3"))
    add(Case("psd-y-sibling-not-aligned", "psd=y at psd.example: the org of "
             "brand.psd.example is brand.psd.example, so SPF for "
             "other.psd.example does not align; the PSD's p=reject applies",
             mailfrom="bounce@other.psd.example",
             from_="x@brand.psd.example",
             dns=dmarc("psd.example", "v=DMARC1; p=reject; psd=y") +
             host("brand.psd.example") + host("other.psd.example") +
             spf("other.psd.example"),
             expect=failing("brand.psd.example", "reject",
                            pdomain="psd.example", org="brand.psd.example",
                            psd="y"),
             rfc="9989 4.7 psd, 4.10.1, 4.10.2 step 2"))
    add(Case("psd-y-own-subdomain-aligned", "psd=y at psd.example: "
             "mail.brand2.psd.example and brand2.psd.example share the org "
             "brand2.psd.example", mailfrom="bounce@mail.brand2.psd.example",
             from_="x@brand2.psd.example",
             dns=host("brand2.psd.example") +
             host("mail.brand2.psd.example") +
             spf("mail.brand2.psd.example"),
             expect=passing("brand2.psd.example", "reject",
                            pdomain="psd.example", org="brand2.psd.example",
                            spf_al=True),
             rfc="9989 4.10.2 step 2"))
    add(Case("psd-y-org-record-preferred", "brand3.psd.example publishes "
             "p=none: the PSD's p=reject is not used for it",
             **esp_envelope(), from_="x@mail.brand3.psd.example",
             dns=host("mail.brand3.psd.example") +
             dmarc("brand3.psd.example", "v=DMARC1; p=none"),
             expect=failing("mail.brand3.psd.example", "none",
                            pdomain="brand3.psd.example",
                            org="brand3.psd.example"),
             rfc="9989 4.10.1 Note (PSD policy not used), 4.10.2"))
    add(Case("psd-n-stops-walk", "psd=n at dept.psdn.example: it is its own "
             "org, so SPF for other.psdn.example (org psdn.example) does "
             "not align", mailfrom="bounce@other.psdn.example",
             from_="x@dept.psdn.example",
             dns=owner_domain("psdn.example", "v=DMARC1; p=none") +
             host("dept.psdn.example") +
             dmarc("dept.psdn.example",
                   "v=DMARC1; p=reject; sp=quarantine; psd=n") +
             host("other.psdn.example") + spf("other.psdn.example"),
             expect=failing("dept.psdn.example", "reject",
                            pdomain="dept.psdn.example",
                            org="dept.psdn.example", psd="n"),
             rfc="9989 4.7 psd, 4.10.2 step 1"))
    add(Case("psd-n-subdomain-aligned", "x.dept.psdn.example with SPF for "
             "dept.psdn.example: same org (psd=n); sp=quarantine evaluated",
             mailfrom="bounce@dept.psdn.example",
             from_="x@x.dept.psdn.example",
             dns=host("x.dept.psdn.example") + spf("dept.psdn.example"),
             expect=passing("x.dept.psdn.example", "quarantine",
                            pdomain="dept.psdn.example",
                            org="dept.psdn.example", spf_al=True),
             rfc="9989 4.10.1, 4.10.2 step 1"))
    add(Case("psd-n-subdomain-fails-sp", "y.dept.psdn.example unaligned: "
             "sp=quarantine of the psd=n org", **esp_envelope(),
             from_="x@y.dept.psdn.example",
             dns=host("y.dept.psdn.example"),
             expect=failing("y.dept.psdn.example", "quarantine",
                            pdomain="dept.psdn.example",
                            org="dept.psdn.example"),
             rfc="9989 4.10.1"))
    add(Case("psd-y-co-uk", "psd=y record at _dmarc.co.uk: shop.co.uk has "
             "no record, the PSD's p=reject applies, org shop.co.uk",
             mailfrom="bounce@other.co.uk", ip=LEGIT_IP,
             from_="x@shop.co.uk",
             dns=dmarc("co.uk", "v=DMARC1; p=reject; psd=y") +
             host("shop.co.uk") + host("other.co.uk") + spf("other.co.uk"),
             expect=failing("shop.co.uk", "reject", pdomain="co.uk",
                            org="shop.co.uk", psd="y"),
             rfc="9989 4.10.1, 4.10.2 step 2"))

    # deep names: testdns shows the queries
    deep = "a.b.c.d.e.f.g.h.i.j.mail.deep.example"
    labels = deep.split(".")
    walk = ["_dmarc." + deep] + ["_dmarc." + ".".join(labels[i:])
                                 for i in range(len(labels) - 7,
                                                len(labels))]
    skipped = ["_dmarc." + ".".join(labels[i:])
               for i in range(1, len(labels) - 7)]
    add(Case("walk-deep-shortcut", "author with 13 labels: the walk queries "
             "the author, then jumps to 7 labels: 8 queries (RFC 9989 4.10 "
             "example), never the 8..12-label names", group="9989-tdns",
             mailfrom="bounce@deep.example", from_="x@" + deep,
             dns=owner_domain("deep.example", "v=DMARC1; p=reject"),
             expect=passing(deep, "reject", pdomain="deep.example",
                            org="deep.example", spf_al=True),
             querycheck=(walk, skipped),
             rfc="9989 4.10 steps 3-4, 4.10.1"))
    add(Case("temperror-author-record", "SERVFAIL for _dmarc.<author>: "
             "temperror, accepted (dns_error_action = accept)",
             group="9989-tdns", mailfrom="bounce@tempfail.example",
             from_="x@tempfail.example",
             dns=owner_domain("tempfail.example"),
             expect=E(result="temperror", from_="tempfail.example",
                      action="accept"),
             rfc="9989 4.10.1 (DNS errors), 5.3.6"))
    add(Case("temperror-walk", "SERVFAIL for _dmarc.tempwalk.example during "
             "the walk for sub.tempwalk.example: temperror",
             group="9989-tdns", mailfrom="bounce@tempwalk.example",
             from_="x@sub.tempwalk.example",
             dns=owner_domain("tempwalk.example") +
             host("sub.tempwalk.example"),
             expect=E(result="temperror", from_="sub.tempwalk.example",
                      action="accept"),
             rfc="9989 4.10.1, 5.3.6"))
    add(Case("temperror-tempfail", "SERVFAIL for _dmarc.<author>, "
             "policy.dns_error_action = tempfail: 451 4.7.0",
             group="9989-tdns-tempfail", mailfrom="bounce@tempfail.example",
             from_="x@tempfail.example",
             dns=owner_domain("tempfail.example"),
             expect=E(result="temperror", action="tempfail",
                      reply="451 4.7.0"),
             rfc="authmilter(8) ACTIONS (dns_error_action)"))
    add(Case("tdns-plain-pass", "a plain aligned pass through the testdns "
             "backend (control for the tempfail group)",
             group="9989-tdns-tempfail", mailfrom="bounce@tdnsok.example",
             from_="x@tdnsok.example",
             dns=owner_domain("tdnsok.example", "v=DMARC1; p=reject"),
             expect=passing("tdnsok.example", "reject", spf_al=True)))

    # -- null reverse-path -----------------------------------------------------
    nulldns = (host("nullsnd.example") + spf("mail.nullsnd.example") +
               host("mail.nullsnd.example") +
               dmarc("nullsnd.example", "v=DMARC1; p=reject"))
    add(Case("null-sender-9989", "MAIL FROM:<> with HELO "
             "mail.nullsnd.example: the MAIL FROM identity is "
             "postmaster@<HELO> (RFC 7208 2.4), SPF passes and aligns "
             "relaxed with nullsnd.example", mailfrom="",
             helo="mail.nullsnd.example",
             from_="MAILER-DAEMON@nullsnd.example", dns=nulldns,
             expect=passing("nullsnd.example", "reject", spf_al=True),
             rfc="9989 3.2.4 (null path: postmaster@HELO is the MAIL FROM "
                 "identity), 4.4.2"))
    add(Case("null-sender-7489", "rfc7489 mode: the HELO domain is used "
             "for the null reverse-path", group="7489", mailfrom="",
             helo="mail.nullsnd.example",
             from_="MAILER-DAEMON@nullsnd.example", dns=nulldns,
             expect=passing("nullsnd.example", "reject", spf_al=True),
             rfc="7489 3.1.2, 4.1"))
    add(Case("null-sender-7489-co-uk", "rfc7489 mode, null reverse-path, "
             "under a suffix the PSL lists (co.uk)", group="7489",
             mailfrom="", helo="mail.nullsnd.co.uk",
             from_="MAILER-DAEMON@nullsnd.co.uk",
             dns=host("nullsnd.co.uk") + spf("mail.nullsnd.co.uk") +
             host("mail.nullsnd.co.uk") +
             dmarc("nullsnd.co.uk", "v=DMARC1; p=reject"),
             expect=passing("nullsnd.co.uk", "reject", spf_al=True),
             rfc="7489 3.1.2, 4.1"))

    # -- From parsing --------------------------------------------------------
    def legit(d, **kw):
        return dict(mailfrom="bounce@" + d, dns=owner_domain(
            d, "v=DMARC1; p=reject"), **kw)

    add(Case("from-idn-utf8", "From: Jörg <joerg@bücher.example>: "
             "header.from is the A-label", from_="Jörg Müller "
             "<joerg@bücher.example>", **legit("xn--bcher-kva.example"),
             expect=passing("xn--bcher-kva.example", "reject", spf_al=True),
             rfc="9989 5.3.1; RFC 8616"))
    add(Case("from-utf8-local-part", "UTF-8 local part (RFC 6532)",
             from_="jörg@utf8lp.example", **legit("utf8lp.example"),
             expect=passing("utf8lp.example", "reject"), rfc="RFC 8616"))
    add(Case("from-mixed-case-domain", "domain in mixed case: lowercased "
             "header.from, case-insensitive alignment",
             from_="Alice <Alice@CaseTest.EXAMPLE>", **legit("casetest.example"),
             expect=passing("casetest.example", "reject", spf_al=True),
             rfc="9989 4.4 (RFC 4343)"))
    add(Case("from-quoted-comma-display", "display name \"Doe, John\": "
             "one mailbox", from_="\"Doe, John\" <john@dquote.example>",
             **legit("dquote.example"),
             expect=passing("dquote.example", "reject")))
    add(Case("from-comment", "trailing comment after the addr-spec",
             from_="john@cmt.example (John Doe)", **legit("cmt.example"),
             expect=passing("cmt.example", "reject")))
    add(Case("from-folded", "From folded over two lines",
             headers=["From: Alice\r\n <alice@folded.example>"],
             **legit("folded.example"),
             expect=passing("folded.example", "reject")))
    add(Case("from-quoted-local-part-with-at", "\"joe@evil.example\"@qlp."
             "example: the domain is qlp.example",
             from_="\"joe@evil.example\"@qlp.example", **legit("qlp.example"),
             expect=passing("qlp.example", "reject", spf_al=True),
             rfc="RFC 5322 3.4.1"))
    add(Case("from-group-one-domain", "group syntax, two mailboxes of one "
             "domain", from_="Team: alice@grp.example, bob@grp.example;",
             **legit("grp.example"),
             expect=passing("grp.example", "reject"),
             rfc="RFC 6854; 9989 5.3.1 (one domain)"))
    add(Case("from-two-mailboxes-one-domain", "two mailboxes, one domain: "
             "one Author Domain",
             headers=["From: alice@samedom.example, bob@samedom.example",
                      "Sender: alice@samedom.example"],
             **legit("samedom.example"),
             expect=passing("samedom.example", "reject"),
             rfc="9989 5.3.1"))
    add(Case("from-encoded-word-display", "=?utf-8?q?ceo=40bank=2Eexample?= "
             "<joe@evil.example>: the display name is not an address",
             attacker=True,
             from_="=?utf-8?q?ceo=40bank=2Eexample?= <joe@evil.example>",
             expect=passing("evil.example", "none", p="none"),
             rfc="RFC 5322 3.4, RFC 2047"))
    add(Case("from-display-name-spoof", "\"ceo@bank.example\" "
             "<ceo@evil.example>: the author domain is evil.example",
             attacker=True, from_="\"ceo@bank.example\" <ceo@evil.example>",
             expect=passing("evil.example", "none")))
    add(Case("from-no-domain", "From: alice (no domain): permerror",
             attacker=True, from_="alice",
             expect=[PERMERROR, E(result="permerror", action="reject",
                                  reply=REJECT)],
             rfc="authmilter(8) DMARC; 9989 5.3.1"))

    # -- From bypass attempts: the attacker has SPF+DKIM for evil.example and
    # wants dmarc=pass while a reader sees bank.example (p=reject).  A parser
    # that takes the wrong address gets dmarc=pass for evil.example.
    bank_fail = failing("bank.example", "reject", p="reject")
    add(Case("bypass-comment-address", "ceo@bank.example (ceo@evil.example):"
             " the address in the comment is not the author",
             attacker=True, from_="ceo@bank.example (ceo@evil.example)",
             expect=bank_fail, rfc="RFC 5322 3.2.2"))
    add(Case("bypass-display-name-address", "\"ceo@evil.example\" "
             "<ceo@bank.example>", attacker=True,
             from_="\"ceo@evil.example\" <ceo@bank.example>",
             expect=bank_fail))
    add(Case("bypass-leading-comment", "(ceo@evil.example) ceo@bank.example",
             attacker=True, from_="(ceo@evil.example) ceo@bank.example",
             expect=bank_fail))
    add(Case("bypass-obs-route", "<@evil.example:ceo@bank.example>: the "
             "route is not the author domain", attacker=True,
             from_="<@evil.example:ceo@bank.example>",
             expect=[bank_fail, PERMERROR],
             rfc="RFC 5322 4.4 obs-angle-addr"))
    add(Case("bypass-unbalanced-angle", "<attacker@evil.example>>legit@bank."
             "example>: not one valid mailbox; never a pass",
             attacker=True,
             from_="<attacker@evil.example>>legit@bank.example>",
             expect=[PERMERROR, REJECTED],
             rfc="CVE-2019-16378 family; 9989 11.5"))
    add(Case("bypass-two-mailboxes", "\"a\" <x@evil.example>, "
             "<y@bank.example>: two author domains", attacker=True,
             from_="\"a\" <x@evil.example>, <y@bank.example>",
             expect=REJECTED, rfc="9989 5.3.1, 11.5; dmarc.multiple_from"))
    add(Case("bypass-two-bare-addresses", "x@evil.example,y@bank.example",
             attacker=True, from_="x@evil.example,y@bank.example",
             expect=REJECTED, rfc="9989 11.5"))
    add(Case("bypass-group-two-domains", "group with evil and bank "
             "mailboxes", attacker=True,
             from_="Team: x@evil.example, ceo@bank.example;",
             expect=REJECTED, rfc="9989 11.5"))
    add(Case("bypass-two-from-fields", "From: x@evil.example and From: "
             "ceo@bank.example", attacker=True,
             headers=["From: x@evil.example", "From: ceo@bank.example"],
             expect=REJECTED, rfc="9989 4.4 (repeated From), 11.5"))
    add(Case("bypass-obs-from-wsp-colon", "From: x@evil.example and "
             "\"From : ceo@bank.example\" (obs-from, WSP before the colon):"
             " two From fields", attacker=True, sigs=[None],
             headers=["From: x@evil.example", "From : ceo@bank.example"],
             expect=REJECTED, rfc="RFC 5322 4.5.6 obs-from; 9989 11.5"))
    add(Case("bypass-two-from-fields-same-domain", "two From fields of one "
             "aligned domain: several From fields are never a pass",
             headers=["From: a@twofields.example", "From: b@twofields.example"],
             **legit("twofields.example"), expect=REJECTED,
             rfc="9989 4.4, 4.2; authmilter(8) DMARC"))
    add(Case("align-suffix-without-dot", "SPF and DKIM pass for "
             "evilbank.example; From bank.example: \"evilbank.example\" ends "
             "with \"bank.example\" but is another domain", attacker=True,
             mailfrom="attacker@evilbank.example",
             sigs=[Sig("evilbank.example")], from_="ceo@bank.example",
             expect=bank_fail, rfc="9989 3.2.10, 4.10.2"))
    add(Case("bypass-two-from-fields-case", "From: x@evil.example and "
             "FROM: ceo@bank.example (field names are case-insensitive)",
             attacker=True,
             headers=["From: x@evil.example", "FROM: ceo@bank.example"],
             expect=REJECTED, rfc="RFC 5322 1.2.2; 9989 11.5"))
    add(Case("from-uppercase-field-name", "FROM: is a From field",
             headers=["FROM: alice@upname.example"], **legit("upname.example"),
             expect=passing("upname.example", "reject"),
             rfc="RFC 5322 1.2.2"))
    add(Case("from-null-and-real", "From: <>, ceo@bank.example (the "
             "CVE-2021-34555 shape): never a pass", attacker=True,
             from_="<>, ceo@bank.example",
             expect=[PERMERROR, REJECTED, bank_fail]))
    add(Case("from-many-domains", "one From with 300 mailboxes of 300 "
             "domains, the last bank.example", attacker=True,
             from_=", ".join(["u%d@d%d.evil.example" % (i, i)
                              for i in range(299)] + ["ceo@bank.example"]),
             expect=REJECTED, rfc="9989 11.5 (limit the domains)"))
    add(Case("from-empty-group", "From: undisclosed-recipients:; (no "
             "mailbox)", attacker=True, from_="undisclosed-recipients:;",
             expect=[PERMERROR, REJECTED]))
    add(Case("from-missing", "no From field at all", attacker=True,
             headers=[], expect=[PERMERROR, REJECTED],
             rfc="9989 4.2, 5.3.1"))
    add(Case("from-empty-value", "From: with an empty value",
             attacker=True, headers=["From:"], expect=[PERMERROR, REJECTED]))
    add(Case("from-null-address", "From: <>", attacker=True,
             from_="<>", expect=[PERMERROR, REJECTED]))

    # -- configuration variants ------------------------------------------------
    add(Case("reject-disabled", "dmarc.reject = false: p=reject fail is "
             "reported, not enforced", group="9989-noreject",
             attacker=True, from_="ceo@bank.example",
             expect=failing("bank.example", "reject", dis="none",
                            action="accept"),
             rfc="authmilter.conf(5) dmarc.reject"))
    quar = owner_domain("quar.example", "v=DMARC1; p=quarantine")
    add(Case("quarantine-default", "p=quarantine fail: smfi_quarantine "
             "with a reason", attacker=True, from_="x@quar.example",
             dns=quar, expect=failing("quar.example", "quarantine"),
             rfc="authmilter(8) ACTIONS"))
    add(Case("quarantine-header-mode", "dmarc.quarantine = header: no "
             "quarantine action, A-R only", group="9989-qheader",
             attacker=True, from_="x@quar.example", dns=quar,
             expect=failing("quar.example", "quarantine",
                            dis=AnyOf("quarantine", "none"),
                            action="accept"),
             rfc="authmilter.conf(5) dmarc.quarantine"))
    add(Case("quarantine-none-mode", "dmarc.quarantine = none: nothing",
             group="9989-qnone", attacker=True, from_="x@quar.example",
             dns=quar, expect=failing("quar.example", "quarantine",
                                      dis="none", action="accept"),
             rfc="authmilter.conf(5) dmarc.quarantine"))
    add(Case("quarantine-header-mode-reject-still", "dmarc.quarantine = "
             "header does not touch p=reject", group="9989-qheader",
             attacker=True, from_="ceo@bank.example", expect=bank_fail))
    add(Case("multiple-from-permerror-mailboxes", "multiple_from = "
             "permerror: two author domains -> dmarc=permerror, accepted",
             group="9989-mfperm", attacker=True,
             from_="\"a\" <x@evil.example>, <y@bank.example>",
             expect=PERMERROR, rfc="authmilter.conf(5) dmarc.multiple_from"))
    add(Case("multiple-from-permerror-fields", "multiple_from = permerror:"
             " two From fields -> permerror", group="9989-mfperm",
             attacker=True,
             headers=["From: x@evil.example", "From: ceo@bank.example"],
             expect=PERMERROR, rfc="authmilter.conf(5) dmarc.multiple_from"))
    add(Case("multiple-from-permerror-single-ok", "multiple_from = "
             "permerror does not change a normal single-From fail",
             group="9989-mfperm", attacker=True, from_="ceo@bank.example",
             expect=bank_fail))

    # -- pct and rfc7489 mode -------------------------------------------------
    add(Case("pct0-ignored-9989", "rfc9989 mode: pct=0 is ignored, p=reject "
             "enforced", attacker=True, from_="x@pct0.example",
             dns=owner_domain("pct0.example", "v=DMARC1; p=reject; pct=0"),
             expect=failing("pct0.example", "reject"),
             rfc="9989 A.6 (pct removed)"))
    add(Case("pct0-reject-7489", "rfc7489 mode, p=reject; pct=0: not "
             "selected, quarantine instead", group="7489", attacker=True,
             from_="x@pct0.example",
             dns=owner_domain("pct0.example", "v=DMARC1; p=reject; pct=0"),
             expect=failing("pct0.example", "quarantine", jp="reject",
                            pct=0),
             rfc="7489 6.6.4 (pct: next less strict policy)"))
    add(Case("pct0-quarantine-7489", "rfc7489 mode, p=quarantine; pct=0: "
             "none", group="7489", attacker=True, from_="x@pct0q.example",
             dns=owner_domain("pct0q.example",
                              "v=DMARC1; p=quarantine; pct=0"),
             expect=failing("pct0q.example", "none", jp="quarantine",
                            pct=0),
             rfc="7489 6.6.4"))
    add(Case("pct100-reject-7489", "rfc7489 mode, pct=100: reject",
             group="7489", attacker=True, from_="x@pct100.example",
             dns=owner_domain("pct100.example",
                              "v=DMARC1; p=reject; pct=100"),
             expect=failing("pct100.example", "reject", pct=100),
             rfc="7489 6.3 pct"))
    add(Case("aligned-7489", "rfc7489 mode: SPF aligned relaxed via the PSL",
             group="7489", mailfrom="bounce@mail.rspf.example",
             from_="alice@rspf.example",
             dns=owner_domain("rspf.example", "v=DMARC1; p=reject") +
             spf("mail.rspf.example") + host("mail.rspf.example"),
             expect=passing("rspf.example", "reject", spf_al=True),
             rfc="7489 3.1.2"))
    add(Case("psl-co-uk-aligned-7489", "rfc7489: news.brand.co.uk and "
             "brand.co.uk share the PSL org brand.co.uk", group="7489",
             mailfrom="bounce@brand.co.uk", from_="x@news.brand.co.uk",
             dns=owner_domain("brand.co.uk", "v=DMARC1; p=reject") +
             host("news.brand.co.uk"),
             expect=passing("news.brand.co.uk", "reject",
                            pdomain="brand.co.uk", org="brand.co.uk",
                            spf_al=True),
             rfc="7489 3.2, 6.6.3"))
    add(Case("psl-co-uk-sibling-7489", "rfc7489: other.co.uk is another "
             "org than brand.co.uk", group="7489",
             mailfrom="bounce@other.co.uk", from_="x@brand.co.uk",
             dns=owner_domain("brand.co.uk", "v=DMARC1; p=reject") +
             host("other.co.uk") + spf("other.co.uk"),
             expect=failing("brand.co.uk", "reject"),
             rfc="7489 3.2"))
    add(Case("psd-record-ignored-7489", "rfc7489: no psd/PSD lookup; "
             "shop.co.uk has no record of its own and none at its PSL org",
             group="7489", mailfrom="bounce@other.co.uk",
             from_="x@shop.co.uk",
             dns=dmarc("co.uk", "v=DMARC1; p=reject; psd=y") +
             host("shop.co.uk") + host("other.co.uk") + spf("other.co.uk"),
             expect=none_("shop.co.uk"),
             rfc="7489 6.6.3 (author, then PSL org domain only)"))
    add(Case("intermediate-only-7489", "rfc7489: a record at "
             "mail.midonly.example is neither the author's nor the PSL "
             "org's: none", group="7489", **esp_envelope(),
             from_="x@a.mail.midonly.example",
             dns=host("a.mail.midonly.example") +
             dmarc("mail.midonly.example", "v=DMARC1; p=reject"),
             expect=none_("a.mail.midonly.example"),
             rfc="7489 6.6.3"))
    add(Case("sp-7489", "rfc7489: existing subdomain uses sp",
             group="7489", **esp_envelope(), from_="news@news.spx.example",
             dns=owner_domain("spx.example",
                              "v=DMARC1; p=reject; sp=quarantine") +
             host("news.spx.example"),
             expect=failing("news.spx.example", "quarantine",
                            pdomain="spx.example", org="spx.example"),
             rfc="7489 6.3 sp"))
    return C


def fix_sigs(cases):
    """Sig list [None] means: no DKIM signature even for attacker cases."""
    for c in cases:
        c.sigs = tuple(s for s in c.sigs if s is not None)
    return cases


def all_cases():
    return fix_sigs(corpus())


def dns_union(cases, keys):
    """All records of SHARED and the given cases, deduplicated, with key
    placeholders resolved: a list of (owner, type, value) where TXT values
    are lists of character-strings.  Raises ValueError when two cases put
    different data at one name and type (a corpus mistake: the cases share
    one DNS tree)."""
    contributors = {}           # (owner, type) -> tag that added new data
    seen = []
    for case in [None] + list(cases):
        recs = SHARED if case is None else case.dns
        tag = "shared" if case is None else case.name
        for owner, rtype, value in recs:
            owner = owner.lower().rstrip(".")
            if rtype == "TXT":
                if isinstance(value, str) and value.startswith("KEY:"):
                    value = key_record(keys[value[4:]][1])
                if isinstance(value, str):
                    b = value.encode()
                    value = [b[i:i + 255].decode()
                             for i in range(0, len(b), 255)] or [""]
                value = list(value)
            rec = (owner, rtype, value)
            if rec in seen:
                continue
            prev = contributors.setdefault((owner, rtype), tag)
            if prev != tag:
                raise ValueError("DNS data conflict at %s %s: %s and %s"
                                 % (owner, rtype, prev, tag))
            seen.append(rec)
    return seen


def txt_quote(strings):
    out = []
    for s in strings:
        out.append('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def local_data_lines(records):
    """unbound local-data lines for the daemon's dns.local_data."""
    lines = []
    for owner, rtype, value in records:
        if rtype == "TXT":
            lines.append("%s. 300 IN TXT %s" % (owner, txt_quote(value)))
        else:
            lines.append("%s. 300 IN %s %s" % (owner, rtype, value))
    return lines


def testdns_zone(records, servfail=SERVFAIL):
    names = {}
    for owner, rtype, value in records:
        names.setdefault(owner, []).append({"type": rtype, "data": value})
    return {"names": names, "servfail": list(servfail)}


def mailauth_cache(records):
    """mailauth's --dns-cache format: name -> {TYPE: [values]}."""
    cache = {}
    for owner, rtype, value in records:
        cache.setdefault(owner, {}).setdefault(rtype, []).append(value)
    return cache


if __name__ == "__main__":
    cs = all_cases()
    for c in cs:
        print("%-40s %-20s %s" % (c.name, c.group, c.doc))
    print("%d cases" % len(cs))
