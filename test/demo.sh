#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Quick start, part 1: build authmilter, start it on the demo configuration
# (DNS answers from dns.local_data), push demo messages through it over the
# milter protocol, show the verdicts and the daemon's log lines, stop it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/test/setup.sh"

tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 "$top/test/demo/demo.py" conf "$port" "$tmp"
"$top/milter/authmilter" -n -c "$tmp/demo.conf"
"$top/milter/authmilter" -f -c "$tmp/demo.conf" 2> "$tmp/daemon.log" &
pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { cat "$tmp/daemon.log"; exit 1; }
	sleep 0.1
done
echo "authmilter is listening on inet:$port@127.0.0.1 (pid $pid)"
echo
/usr/bin/python3 "$top/test/demo/demo.py" run "$port" "$tmp"
echo
echo "=== the daemon's verdict lines (syslog mail.info):"
sed -n 's/^authmilter: info: //p' "$tmp/daemon.log" | grep -v listening || true
