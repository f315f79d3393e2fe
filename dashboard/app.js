// SPDX-License-Identifier: BSD-2-Clause
/*
 * authmilter dashboard: renders the JSON API (/api/...) as pages, with
 * charts drawn as SVG here; no library, no external resource.
 * Routes: #/ domains, #/domain/D sources and readiness,
 * #/domain/D/ip/IP one source, #/unapproved, #/tls.
 * The page's own query (?days=N&until=EPOCH) is passed to every call.
 */
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = ["#1f6fd1", "#d1701f", "#2c9c48", "#9c2c8c", "#8c6d1f",
  "#1f9c9c", "#c0392b", "#5d6d7e"];

/* el - an element with attributes and children */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

/* svg - an SVG element */
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

/* params - the window of the page: days and until */
function params() {
  const p = new URLSearchParams(location.search);
  const out = new URLSearchParams();
  out.set("days", p.get("days") || "30");
  if (p.get("until")) out.set("until", p.get("until"));
  return out;
}

/* api - GET /api/NAME with the window and extra arguments */
async function api(name, extra) {
  const q = params();
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  const r = await fetch("/api/" + name + "?" + q.toString(),
    { credentials: "same-origin" });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

/* num - a count with thousands separators */
function num(n) {
  return Number(n).toLocaleString("en-US");
}

/* pct - a share as a percentage, one decimal */
function pct(a, b) {
  return b > 0 ? (100 * a / b).toFixed(1) + "%" : "-";
}

/* ths - header cells; names starting with "#" are numeric columns */
function ths(...names) {
  return names.map(h => h.startsWith("#") ?
    el("th", { class: "n", text: h.slice(1) }) : el("th", { text: h }));
}

/* td - a cell; numbers right-aligned, with a data-k for tests */
function td(v, k, cls) {
  const a = { text: String(v) };
  if (k) a["data-k"] = k;
  if (cls) a.class = cls;
  return el("td", a);
}

/* day - an epoch second as YYYY-MM-DD (UTC) */
function day(t) {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/* trendChart - one line per domain: messages per day, dashed: DMARC pass */
function trendChart(trend, from, until) {
  const W = 900, H = 220, L = 60, R = 16, T = 14, B = 28;
  const days = Math.max(1, Math.round((until - from) / 86400));
  const byDomain = new Map();
  let max = 1;
  for (const t of trend) {
    if (!byDomain.has(t.domain)) byDomain.set(t.domain, []);
    byDomain.get(t.domain).push(t);
    max = Math.max(max, t.messages);
  }
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%",
    class: "chart", role: "img", "aria-label": "messages per day" });
  const x = t => L + (W - L - R) * ((t - from) / 86400) / days;
  const y = v => H - B - (H - T - B) * v / max;
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4;
    s.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v),
      stroke: "#e3e6ea" }));
    const lab = svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" });
    lab.textContent = num(Math.round(v));
    s.append(lab);
  }
  for (let i = 0; i <= 4; i++) {
    const t = from + Math.round(days * i / 4) * 86400 - (i === 4 ? 86400 : 0);
    const lab = svg("text", { x: x(t), y: H - 8,
      "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" });
    lab.textContent = day(t);
    s.append(lab);
  }
  let c = 0;
  const legend = el("div", { class: "legend" });
  for (const [d, pts] of byDomain) {
    const color = COLORS[c++ % COLORS.length];
    const line = k => pts.map(p => `${x(p.day + 43200)},${y(p[k])}`)
      .join(" ");
    s.append(svg("polyline", { points: line("messages"), fill: "none",
      stroke: color, "stroke-width": 2 }));
    s.append(svg("polyline", { points: line("dmarc_pass"), fill: "none",
      stroke: color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }));
    for (const p of pts)
      s.append(svg("circle", { cx: x(p.day + 43200), cy: y(p.messages),
        r: 2.5, fill: color }));
    legend.append(el("span", {}, el("i", {}), d));
    legend.lastChild.firstChild.style.background = color;
  }
  legend.append(el("span", { class: "muted",
    text: "solid: messages, dashed: DMARC pass" }));
  return el("div", {}, s, legend);
}

/* pageDomains - #/: every domain with volume, pass rate, policy, trend */
async function pageDomains(main) {
  const j = await api("domains");
  const pol = new Map(j.policies.map(p => [p.domain, p]));
  main.append(el("h2", { text: `Domains, ${day(j.from)} to ` +
    `${day(j.until - 1)}` }));
  main.append(trendChart(j.trend, j.from, j.until));
  const t = el("table", { id: "domains" }, el("tr", {},
    el("th", { text: "Domain" }), el("th", { class: "n", text: "Messages" }),
    el("th", { class: "n", text: "DMARC pass" }),
    el("th", { class: "n", text: "Pass rate" }),
    el("th", { text: "Policy now" }), el("th", { class: "n",
      text: "Reports" })));
  for (const d of j.domains) {
    const p = pol.get(d.domain) || {};
    const rate = d.messages ? d.dmarc_pass / d.messages : 0;
    t.append(el("tr", { "data-domain": d.domain },
      el("td", {}, el("a", { href: "#/domain/" + encodeURIComponent(d.domain),
        text: d.domain })),
      td(num(d.messages), "messages", "n"),
      td(num(d.dmarc_pass), "dmarc_pass", "n"),
      td(pct(d.dmarc_pass, d.messages), "rate",
        "n " + (rate >= 0.98 ? "good" : rate < 0.9 ? "bad" : "")),
      td(p.p ? `p=${p.p}` + (p.pct ? ` pct=${p.pct}` : "") +
        (p.sp ? ` sp=${p.sp}` : "") : "-", "policy"),
      td(num(d.reports), "reports", "n")));
  }
  if (j.domains.length === 0)
    t.append(el("tr", {}, el("td", { colspan: 6, class: "muted",
      text: "No aggregate report in this window." })));
  main.append(t);
}

/* approveButton - approve (or withdraw) a source of a domain */
function approveButton(domain, s) {
  return el("button", { "data-source": s.source, "data-domain": domain,
    class: "approve", text: s.approved ? "Withdraw" : "Approve",
    onclick: async () => {
      const r = await fetch("/api/approve", { method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ domain: domain, source: s.source,
          approved: !s.approved }) });
      if (!r.ok) alert((await r.json()).error);
      route();
    } });
}

/* sourceRows - the rows of a sources table */
function sourceRows(t, list, domainCol) {
  for (const s of list) {
    const ips = s.ips.map(i => el("div", {}, el("a", {
      href: `#/domain/${encodeURIComponent(s.domain)}/ip/` +
        encodeURIComponent(i.ip), text: i.ip }),
      el("span", { class: "muted", text: i.ptr ? " " + i.ptr : "" })));
    if (s.nips > s.ips.length)
      ips.push(el("div", { class: "muted",
        text: `and ${s.nips - s.ips.length} more` }));
    const reasons = Object.entries(s.reasons).map(([k, v]) => `${k} (${v})`)
      .join(", ");
    t.append(el("tr", { "data-source": s.source },
      domainCol ? td(s.domain, "domain") : null,
      el("td", {}, el("b", { text: s.source }), " ",
        el("span", { class: "badge " + (s.approved ? "approved" :
          s.unapproved ? "unapproved" : ""), text: s.approved ? "approved" :
          s.unapproved ? "unapproved" : "low volume" })),
      el("td", {}, ...ips),
      td(num(s.messages), "messages", "n"),
      td(pct(s.spf_aligned, s.messages), "spf_aligned", "n"),
      td(pct(s.dkim_aligned, s.messages), "dkim_aligned", "n"),
      td(num(s.dmarc_pass), "dmarc_pass", "n"),
      td(`${num(s.none)} / ${num(s.quarantine)} / ${num(s.reject)}`,
        "dispositions", "n"),
      td(reasons || "-", "reasons"),
      el("td", { class: "fix", "data-k": "fix" }, s.fix || ""),
      el("td", {}, approveButton(s.domain, s))));
  }
}

/* sourceTable - a table of sources */
function sourceTable(id, list, domainCol) {
  const t = el("table", { id: id }, el("tr", {},
    domainCol ? el("th", { text: "Domain" }) : null,
    el("th", { text: "Sender" }), el("th", { text: "IPs (PTR)" }),
    el("th", { class: "n", text: "Messages" }),
    el("th", { class: "n", text: "SPF aligned" }),
    el("th", { class: "n", text: "DKIM aligned" }),
    el("th", { class: "n", text: "DMARC pass" }),
    el("th", { class: "n", text: "none / quar. / reject" }),
    el("th", { text: "Overrides" }), el("th", { text: "What to fix" }),
    el("th", {})));
  sourceRows(t, list.slice().sort((a, b) => b.messages - a.messages),
    domainCol);
  if (list.length === 0)
    t.append(el("tr", {}, el("td", { colspan: 11, class: "muted",
      text: "None." })));
  return t;
}

/* readinessCard - what p=reject would have done */
function readinessCard(r) {
  const ok = r.ready;
  const c = el("div", { class: "card " + (ok ? "ready" : "notready"),
    id: "readiness" });
  c.append(el("h3", { text: `p=reject readiness (now p=${r.p || "?"})` }));
  c.append(el("p", {}, "Over this window p=reject would have refused ",
    el("b", { "data-k": "approved_fail", text: num(r.approved_fail) }),
    " message(s) from approved senders (legitimate mail lost) and ",
    el("b", { "data-k": "unapproved_fail", text: num(r.unapproved_fail) }),
    ` message(s) from senders not approved, of ${num(r.messages)}.`));
  c.append(el("p", { class: ok ? "good" : "bad", "data-k": "verdict",
    text: ok ? "Ready: no approved sender fails DMARC." :
      r.messages === 0 ? "No data in this window." :
      r.approved_sources === 0 ? "Not ready: no sender is approved yet; " +
        "approve the sources below that send for you." :
      "Not ready: fix the approved senders below first." }));
  if (r.approved_failing.length)
    c.append(sourceTable("readiness-sources", r.approved_failing, false));
  return c;
}

/* pageDomain - #/domain/D: sources, approval, readiness */
async function pageDomain(main, domain) {
  const [s, r] = await Promise.all([api("sources", { domain }),
    api("readiness", { domain })]);
  main.append(el("h2", { text: `${domain}: who sends as you, ` +
    `${day(s.from)} to ${day(s.until - 1)}` }));
  main.append(readinessCard(r));
  main.append(el("h3", { text: "Sending sources" }));
  main.append(sourceTable("sources", s.sources, false));
}

/* pageSource - #/domain/D/ip/IP: every row of one source IP */
async function pageSource(main, domain, ip) {
  const j = await api("source", { domain, ip });
  const n = j.names[0] || {};
  main.append(el("h2", { text: `${ip} sending as ${domain}` }));
  main.append(el("p", {}, "PTR: ", el("b", { text: n.ptr || "none" }),
    ", organization: ", el("b", { text: n.org || "unknown" }), " · ",
    el("a", { href: "#/domain/" + encodeURIComponent(domain),
      text: "all sources of " + domain })));
  const t = el("table", { id: "rows" }, el("tr", {},
    ...ths("Day", "Reporter", "From", "MAIL FROM", "To", "#Messages",
      "Disposition", "DKIM", "SPF", "DKIM results", "SPF results",
      "Overrides")));
  for (const r of j.rows)
    t.append(el("tr", {}, td(day(r.day)), td(r.reporter),
      td(r.header_from), td(r.envelope_from), td(r.envelope_to),
      td(num(r.messages), "messages", "n"), td(r.disposition),
      td(r.dkim_eval, "", r.dkim_eval === "pass" ? "good" : "bad"),
      td(r.spf_eval, "", r.spf_eval === "pass" ? "good" : "bad"),
      td(r.dkim), td(r.spf), td(r.reasons)));
  main.append(t);
}

/* pageUnapproved - #/unapproved: senders with volume, not approved */
async function pageUnapproved(main) {
  const j = await api("unapproved");
  main.append(el("h2", { text: `Unapproved senders (at least ${j.min} ` +
    `messages), ${day(j.from)} to ${day(j.until - 1)}` }));
  main.append(el("p", { class: "muted", text: "Approve a sender that is " +
    "yours; the others are what DMARC p=reject is for. " +
    "authmilter_unapproved_sources counts them for alerts." }));
  main.append(sourceTable("unapproved", j.sources, true));
}

/* pageTls - #/tls: sessions by policy, failures by type (RFC 8460) */
async function pageTls(main) {
  const j = await api("tls");
  main.append(el("h2", { text: `SMTP TLS reports, ${day(j.from)} to ` +
    `${day(j.until - 1)}` }));
  const t = el("table", { id: "tls-policies" }, el("tr", {},
    ...ths("Domain", "Policy (MTA-STS: sts, DANE: tlsa)", "#Sessions OK",
      "#Failed", "#Failure rate", "#Reports")));
  for (const p of j.policies)
    t.append(el("tr", { "data-domain": p.domain, "data-type": p.policy_type },
      td(p.domain || "(none)"), td(p.policy_type),
      td(num(p.success), "success", "n"), td(num(p.failure), "failure", "n"),
      td(pct(p.failure, p.success + p.failure), "rate", "n"),
      td(num(p.reports), "reports", "n")));
  main.append(t);
  main.append(el("h3", { text: "Failures by type" }));
  const f = el("table", { id: "tls-failures" }, el("tr", {},
    ...ths("Domain", "Policy", "Result type", "#Sessions")));
  for (const x of j.failures)
    f.append(el("tr", {}, td(x.domain), td(x.policy_type),
      td(x.result_type, "result_type"), td(num(x.sessions), "sessions", "n")));
  main.append(f);
  main.append(el("h3", { text: "Failure details" }));
  const d = el("table", { id: "tls-details" }, el("tr", {},
    ...ths("Domain", "Result type", "Sending MTA", "Receiving MX",
      "Receiving IP", "Reason", "#Sessions")));
  for (const x of j.details)
    d.append(el("tr", {}, td(x.domain), td(x.result_type), td(x.sending_ip),
      td(x.receiving_mx), td(x.receiving_ip), td(x.reason),
      td(num(x.sessions), "sessions", "n")));
  main.append(d);
}

/* route - render the page the hash names */
async function route() {
  const main = document.getElementById("main");
  const h = location.hash.replace(/^#/, "") || "/";
  const parts = h.split("/").filter(x => x !== "").map(decodeURIComponent);
  const days = params().get("days");
  for (const a of document.querySelectorAll("nav a"))
    a.classList.toggle("on", a.getAttribute("href") === "#" + h ||
      a.dataset.days === days);
  main.replaceChildren();
  try {
    if (parts[0] === "domain" && parts.length === 4 && parts[2] === "ip")
      await pageSource(main, parts[1], parts[3]);
    else if (parts[0] === "domain" && parts.length === 2)
      await pageDomain(main, parts[1]);
    else if (parts[0] === "unapproved")
      await pageUnapproved(main);
    else if (parts[0] === "tls")
      await pageTls(main);
    else
      await pageDomains(main);
    main.setAttribute("data-ready", "1");
  } catch (e) {
    main.append(el("p", { class: "err", text: "Cannot load: " + e.message }));
    main.setAttribute("data-ready", "error");
  }
}

/* setDays - the 30/90-day links keep the rest of the query */
function setDays(ev) {
  ev.preventDefault();
  const p = new URLSearchParams(location.search);
  p.set("days", ev.currentTarget.dataset.days);
  location.search = p.toString();
}

window.addEventListener("hashchange", () => {
  document.getElementById("main").removeAttribute("data-ready");
  route();
});
window.addEventListener("DOMContentLoaded", () => {
  for (const a of document.querySelectorAll("[data-days]"))
    a.addEventListener("click", setDays);
  route();
});
