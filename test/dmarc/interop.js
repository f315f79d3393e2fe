// SPDX-License-Identifier: BSD-2-Clause
'use strict';
// Driver for run_interop.py: evaluates messages with the npm package
// mailauth (7.x for RFC 9989, 4.x, installed as "mailauth4", for RFC 7489)
// and prints one JSON object per case.
//
//   node interop.js JOB.json
//
// JOB.json: {"cache": <mailauth --dns-cache object>, "servfail": [names],
//            "cases": [{"name", "mode", "ip", "helo", "sender", "file"}]}
//
// The cache is the same object the mailauth CLI takes with --dns-cache.  The
// CLI answers ENOTFOUND (NXDOMAIN) for every name/type it does not list;
// here a name that has records of another type, or names below it, answers
// ENODATA instead, as the daemon's static local zones and testdns do, so
// that the existence test behind "np" (RFC 9989 3.2.13, A.4) sees the same
// DNS.  Names in "servfail" fail with ESERVFAIL (a transient error).

const fs = require('node:fs');
const path = require('node:path');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf-8'));
const cache = job.cache;
const servfail = new Set((job.servfail || []).map(n => n.toLowerCase()));
const mods = path.join(__dirname, '.npm', 'node_modules');
const impl = {
    rfc9989: require(path.join(mods, 'mailauth', 'lib', 'mailauth.js')),
    rfc7489: require(path.join(mods, 'mailauth4', 'lib', 'mailauth.js'))
};

const names = Object.keys(cache).map(n => n.toLowerCase());
const exists = name => names.some(n => n === name || n.endsWith('.' + name));

const queries = [];
const resolver = async (name, rr) => {
    name = String(name).toLowerCase().replace(/\.$/, '');
    queries.push(`${rr} ${name}`);
    const fail = code => {
        const err = new Error(`${code} ${rr} ${name}`);
        err.code = code;
        throw err;
    };
    if (servfail.has(name)) {
        fail('ESERVFAIL');
    }
    const hit = cache[name] && cache[name][rr];
    if (hit) {
        return JSON.parse(JSON.stringify(hit));
    }
    fail(exists(name) ? 'ENODATA' : 'ENOTFOUND');
};

const main = async () => {
    const out = [];
    for (const c of job.cases) {
        queries.length = 0;
        const opts = {
            ip: c.ip,
            helo: c.helo,
            sender: c.sender || '',
            mta: 'mx.test.example',
            resolver,
            trustReceived: false,
            disableArc: true,
            disableBimi: true
        };
        let res;
        try {
            const r = await impl[c.mode].authenticate(fs.readFileSync(c.file), opts);
            res = {
                name: c.name,
                dmarc: r.dmarc === undefined ? null : r.dmarc,
                spf: r.spf ? { result: r.spf.status && r.spf.status.result, domain: r.spf.domain } : null,
                dkim: (r.dkim && r.dkim.results ? r.dkim.results : []).map(d => ({
                    d: d.signingDomain,
                    result: d.status && d.status.result
                })),
                headers: r.headers,
                queries: queries.slice()
            };
        } catch (err) {
            res = { name: c.name, error: String(err && err.stack ? err.stack : err) };
        }
        out.push(res);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
};

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
