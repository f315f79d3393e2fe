#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generated DMARC aggregate and TLS reports with known totals.

  genreports.py DIR             the dashboard fixture: reports of November
                                2026 for example.com and example.net from
                                three reporters (plain XML, gzip, zip, RFC
                                9990 namespace), two TLS reports; every
                                total as JSON on stdout
  genreports.py --big N FILE    one report of N records, gzip-compressed,
                                written as it is made (the benchmark)

The sources (PTR names in PTR_DATA, answered by dns.local_data):
  google      209.85.220.41, .42  DKIM and SPF aligned: passes
  own MX      192.0.2.25          SPF aligned (no PTR: named by its IP)
  amazonses   54.240.8.10         SPF and DKIM pass for amazonses.com,
                                  unaligned: DMARC fails (to approve, fix)
  spoofer     203.0.113.66        everything fails; receivers reject
"""
import gzip
import io
import json
import os
import sys
import zipfile

DAY0 = 1793491200          # 2026-11-01T00:00:00Z
UNTIL = 1796083200         # 2026-12-01T00:00:00Z: the window's end
NS9990 = "urn:ietf:params:xml:ns:dmarc-2.0"

PTR_DATA = [
    ("209.85.220.41", "mail-sor-f41.google.com"),
    ("209.85.220.42", "mail-sor-f42.google.com"),
    ("54.240.8.10", "a8-10.smtp-out.amazonses.com"),
]

# (name, ip, dkim_eval, spf_eval, auth dkim, auth spf, disposition, reason)
SOURCES = [
    ("google.com", "209.85.220.41", "pass", "pass",
     "{d}/20230601:pass", "{d}/mfrom:pass", "none", ""),
    ("google.com", "209.85.220.42", "pass", "fail",
     "{d}/20230601:pass", "bounce.google.com/mfrom:pass", "none", ""),
    ("192.0.2.25", "192.0.2.25", "fail", "pass", "", "{d}/mfrom:pass",
     "none", ""),
    ("amazonses.com", "54.240.8.10", "fail", "fail",
     "amazonses.com/ug7nbtf4:pass", "amazonses.com/mfrom:pass", "none", ""),
    ("203.0.113.66", "203.0.113.66", "fail", "fail", "",
     "{d}/mfrom:fail", "reject", ""),
]

DOMAINS = [("example.com", "none"), ("example.net", "quarantine")]
REPORTERS = [("google.com", "noreply-dmarc-support@google.com", "plain"),
             ("Outlook.com", "dmarcreport@microsoft.com", "gzip"),
             ("Yahoo", "dmarc_support@yahoo.com", "zip")]


def count(domain_i, reporter_i, source_i, day):
    """A deterministic message count for one row."""
    return 1 + (domain_i * 7 + reporter_i * 3 + source_i * 11 +
                day * day // 3) % 13


def record_xml(domain, src, n):
    """One <record>."""
    name, ip, dk, sp, adk, asp, disp, reason = src
    out = ["<record><row><source_ip>%s</source_ip><count>%d</count>"
           "<policy_evaluated><disposition>%s</disposition><dkim>%s</dkim>"
           "<spf>%s</spf>" % (ip, n, disp, dk, sp)]
    if reason:
        out.append("<reason><type>%s</type></reason>" % reason)
    out.append("</policy_evaluated></row><identifiers><header_from>%s"
               "</header_from><envelope_from>%s</envelope_from>"
               "</identifiers><auth_results>" % (domain, domain))
    if adk:
        d, rest = adk.format(d=domain).split("/")
        sel, res = rest.split(":")
        out.append("<dkim><domain>%s</domain><selector>%s</selector>"
                   "<result>%s</result></dkim>" % (d, sel, res))
    d, rest = asp.format(d=domain).split("/")
    scope, res = rest.split(":")
    out.append("<spf><domain>%s</domain><scope>%s</scope><result>%s"
               "</result></spf></auth_results></record>" % (d, scope, res))
    return "".join(out)


def report_xml(org, email, rid, domain, p, day, records, ns9990):
    """A whole report."""
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<feedback%s>'
            '<version>1.0</version><report_metadata><org_name>%s</org_name>'
            '<email>%s</email><report_id>%s</report_id><date_range><begin>'
            '%d</begin><end>%d</end></date_range></report_metadata>'
            '<policy_published><domain>%s</domain><adkim>r</adkim><aspf>r'
            '</aspf><p>%s</p><sp>%s</sp><pct>100</pct></policy_published>'
            % (' xmlns="%s"' % NS9990 if ns9990 else "", org, email, rid,
               DAY0 + day * 86400, DAY0 + day * 86400 + 86399, domain, p, p))
    return head + "".join(records) + "</feedback>\n"


def write_report(path, xml, how):
    """As .xml, .xml.gz or .zip."""
    data = xml.encode()
    if how == "gzip":
        with open(path + ".xml.gz", "wb") as f:
            f.write(gzip.compress(data, mtime=0))
    elif how == "zip":
        with zipfile.ZipFile(path + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(os.path.basename(path) + ".xml", data)
    else:
        with open(path + ".xml", "wb") as f:
            f.write(data)


def tls_reports(out_dir, exp):
    """Two TLS reports: MTA-STS with failures, DANE clean."""
    reps = [
        ("Google Inc.", "tls-2026-11-10", 9, [
            ("sts", "example.com", ["version: STSv1", "mode: enforce"],
             ["mx.example.com"], 900, 12,
             [("certificate-expired", "209.85.220.41", "mx.example.com",
               "192.0.2.25", 8),
              ("starttls-not-supported", "209.85.220.42", "mx.example.com",
               "192.0.2.25", 4)])]),
        ("Microsoft Corporation", "tls-2026-11-11", 10, [
            ("tlsa", "example.net", ["3 1 1 abcdef"], ["mx.example.net"],
             400, 0, [])]),
    ]
    for org, rid, day, pols in reps:
        start = DAY0 + day * 86400
        doc = {"organization-name": org, "report-id": rid,
               "contact-info": "tls@" + org.split()[0].lower() + ".example",
               "date-range": {
                   "start-datetime": "2026-11-%02dT00:00:00Z" % (day + 1),
                   "end-datetime": "2026-11-%02dT23:59:59Z" % (day + 1)},
               "policies": []}
        assert start == DAY0 + day * 86400
        for typ, dom, pstr, mx, ok, bad, fails in pols:
            doc["policies"].append({
                "policy": {"policy-type": typ, "policy-string": pstr,
                           "policy-domain": dom, "mx-host": mx},
                "summary": {"total-successful-session-count": ok,
                            "total-failure-session-count": bad},
                "failure-details": [
                    {"result-type": r, "sending-mta-ip": s,
                     "receiving-mx-hostname": m, "receiving-ip": i,
                     "failed-session-count": c} for r, s, m, i, c in fails]})
            e = exp["tls"].setdefault(dom + "/" + typ,
                                      {"success": 0, "failure": 0})
            e["success"] += ok
            e["failure"] += bad
            for r, _, _, _, c in fails:
                exp["tls_failures"][r] = exp["tls_failures"].get(r, 0) + c
        with open(os.path.join(out_dir, rid + ".json.gz"), "wb") as f:
            f.write(gzip.compress(json.dumps(doc).encode(), mtime=0))


def fixture(out_dir):
    """The dashboard's reports and expected.json."""
    os.makedirs(out_dir, exist_ok=True)
    exp = {"until": UNTIL, "days": 30, "domains": {}, "sources": {},
           "tls": {}, "tls_failures": {}, "ptr": dict(PTR_DATA)}
    for di, (domain, p) in enumerate(DOMAINS):
        dom = exp["domains"].setdefault(domain, {"messages": 0,
                                                 "dmarc_pass": 0,
                                                 "reports": 0, "p": p})
        for ri, (org, email, how) in enumerate(REPORTERS):
            for day in range(0, 30, 3):
                recs = []
                for si, src in enumerate(SOURCES):
                    n = count(di, ri, si, day)
                    recs.append(record_xml(domain, src, n))
                    dom["messages"] += n
                    passed = src[2] == "pass" or src[3] == "pass"
                    dom["dmarc_pass"] += n if passed else 0
                    key = domain + "|" + src[0]
                    s = exp["sources"].setdefault(key, {
                        "messages": 0, "dmarc_pass": 0, "reject": 0})
                    s["messages"] += n
                    s["dmarc_pass"] += n if passed else 0
                    s["reject"] += n if src[6] == "reject" else 0
                dom["reports"] += 1
                rid = "%s-%s-%02d" % (org.split(".")[0].lower(), domain, day)
                xml = report_xml(org, email, rid, domain, p, day, recs,
                                 ns9990=(ri == 2))
                write_report(os.path.join(out_dir, rid), xml, how)
    tls_reports(out_dir, exp)
    return exp


def big(n, path, rid=None, domain="example.com", day=0, pool=0):
    """One report of n records, gzip-compressed as it is written; the
    source IPs are all distinct, or POOL of them taken in turn."""
    with gzip.open(path, "wb", compresslevel=6) as f:
        w = io.TextIOWrapper(f, encoding="ascii")
        w.write(report_xml("bench.example", "bench@bench.example",
                           rid or "bench-%d" % n, domain, "none", day, [],
                           False).replace("</feedback>\n", ""))
        total = 0
        for i in range(n):
            src = SOURCES[i % len(SOURCES)]
            k = i % pool if pool else i
            ip = "10.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255, k & 255)
            c = 1 + i % 5
            total += c
            w.write(record_xml(domain, (src[0], ip) + src[2:], c))
        w.write("</feedback>\n")
        w.flush()
    return total


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        print(big(int(sys.argv[2]), sys.argv[3]))
    elif len(sys.argv) == 2:
        json.dump(fixture(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
    else:
        sys.exit(__doc__)
