#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The shipped, commented configuration is valid (authmilter -n) and an
# invalid one is refused with FILE:LINE (run by `make check`).
set -u
bin="${top_builddir:-.}/milter/authmilter"
conf="${top_srcdir:-.}/conf/authmilter.conf"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# -n also checks the machine: that milter.user exists and may create the
# socket in its directory. A build machine has neither the authmilter user
# nor /run/authmilter, so the shipped file is checked here with those two
# lines pointed at what every machine has (test/package checks it as is,
# where the package made both); every other test file sets them alike.
env='milter = { user = "nobody"; socket = "inet:8894@127.0.0.1"; };'
sed -e 's|^  socket  = "unix:/run/authmilter/authmilter.sock";|  socket  = "inet:8894@127.0.0.1";|' \
    -e 's|^  user    = "authmilter";|  user    = "nobody";|' "$conf" > "$tmp/shipped.conf"
if ! grep -q '^  user    = "nobody";' "$tmp/shipped.conf" ||
    ! grep -q '^  socket  = "inet:8894@127.0.0.1";' "$tmp/shipped.conf"; then
	no "shipped config: milter.user and milter.socket lines not found"
elif out=$("$bin" -n -c "$tmp/shipped.conf" 2>&1) &&
    echo "$out" | grep -q "configuration OK"
then ok "shipped config valid"; else no "shipped config valid: $out"; fi

printf '%s\ndns = {\n  timeout = 5;\n  timout = 3;\n};\n' "$env" > "$tmp/bad.conf"
out=$("$bin" -n -c "$tmp/bad.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.conf:4: unknown key 'dns.timout'"
then ok "unknown key refused with FILE:LINE"; else no "unknown key: rc=$rc $out"; fi

printf '%s\n' "$env" > "$tmp/empty.conf"
if "$bin" -n -c "$tmp/empty.conf" >/dev/null 2>&1
then ok "config with nothing but the machine's user and socket valid"
else no "empty config valid"; fi

printf '%s\ndns = {\n  local_data = [ "not a record" ]; };\n' "$env" > "$tmp/ld.conf"
out=$("$bin" -n -c "$tmp/ld.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "ld.conf:3: dns.local_data 'not a record'"
then ok "bad local_data refused with its line"; else no "bad local_data: rc=$rc $out"; fi

# a sealing key others may read is refused; the owner-only one is fine
if openssl genpkey -algorithm ED25519 -out "$tmp/seal.pem" 2>/dev/null; then
	printf '%s\narc = { seal = { enabled = true; domain = "a.example"; selector = "s"; key_file = "%s"; algorithm = "ed25519-sha256"; }; };\n' \
	    "$env" "$tmp/seal.pem" > "$tmp/seal.conf"
	chmod 644 "$tmp/seal.pem"
	out=$("$bin" -n -c "$tmp/seal.conf" 2>&1); rc=$?
	if [ $rc -eq 1 ] && echo "$out" | grep -q "readable by others"
	then ok "world-readable sealing key refused"; else no "sealing key 644: rc=$rc $out"; fi
	chmod 600 "$tmp/seal.pem"
	if "$bin" -n -c "$tmp/seal.conf" >/dev/null 2>&1
	then ok "owner-only sealing key accepted"; else no "sealing key 600 refused"; fi
else
	no "openssl genpkey"
fi

echo "t_shipped_conf: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
