#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""dkimpy's dkimverify program, with its DNS answered from a file.

    dkimverify_local.py RECORDS.json [--index N] < message

Runs dkim.dkimverify.main() -- the code behind Debian's /usr/bin/dkimverify
(python3-dkim) -- unchanged, after pointing dkimpy's TXT lookup
(dkim.dnsplug._get_txt) at RECORDS.json ({"name": "record text"}), so the
test's keys are found without any network.  Prints "signature ok" and exits
0, or "signature verification failed" and exits 1, as dkimverify does.
"""

import json
import sys

try:
    import dkim.dkimverify
    import dkim.dnsplug
except ImportError:
    sys.stderr.write("dkimverify_local: apt-get install python3-dkim\n")
    sys.exit(2)


def main():
    with open(sys.argv[1]) as f:
        records = {k.rstrip(".").lower(): v for k, v in json.load(f).items()}

    def get_txt(name, timeout=5):
        return records.get(name.rstrip(".").lower())
    dkim.dnsplug._get_txt = get_txt
    sys.argv = ["dkimverify"] + sys.argv[2:]
    return dkim.dkimverify.main()


if __name__ == "__main__":
    sys.exit(main())
