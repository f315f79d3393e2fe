// SPDX-License-Identifier: BSD-2-Clause
'use strict';
// Driver for test/sign: mailauth's DKIM verifier (the npm package that
// test/dmarc/run_interop.py installs under test/dmarc/.npm) on message
// files, with the keys answered from a JSON file of TXT records.
//
//   node mailauth_dkim.js RECORDS.json MESSAGE...
//
// Prints one JSON array: per message, its signatures with d, s, a and
// mailauth's result and comment.

const fs = require('node:fs');
const path = require('node:path');

const mods = path.join(__dirname, '..', 'dmarc', '.npm', 'node_modules');
const { dkimVerify } = require(path.join(mods, 'mailauth', 'lib', 'dkim', 'verify.js'));

const records = {};
for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(process.argv[2], 'utf-8')))) {
    records[k.toLowerCase().replace(/\.$/, '')] = v;
}

// a TXT answer as dns.resolveTxt gives it: records of strings of <= 255
const resolver = async (name, rr) => {
    const v = records[String(name).toLowerCase().replace(/\.$/, '')];
    if (rr === 'TXT' && v !== undefined) {
        const parts = [];
        for (let i = 0; i < v.length; i += 255) {
            parts.push(v.slice(i, i + 255));
        }
        return [parts];
    }
    const err = new Error(`ENOTFOUND ${rr} ${name}`);
    err.code = 'ENOTFOUND';
    throw err;
};

const main = async () => {
    const out = [];
    for (const file of process.argv.slice(3)) {
        const r = await dkimVerify(fs.readFileSync(file), { resolver });
        out.push({
            file,
            results: (r.results || []).map(x => ({
                d: x.signingDomain,
                s: x.selector,
                a: x.algo,
                result: x.status && x.status.result,
                comment: x.status && x.status.comment
            }))
        });
    }
    process.stdout.write(JSON.stringify(out) + '\n');
};

main().catch(err => {
    process.stderr.write(`mailauth_dkim: ${err.stack || err}\n`);
    process.exit(1);
});
