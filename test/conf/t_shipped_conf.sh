#!/bin/sh
# The shipped, commented configuration is valid (authmilter -n) and an
# invalid one is refused with FILE:LINE (run by `make check`).
set -u
bin="${top_builddir:-.}/milter/authmilter"
conf="${top_srcdir:-.}/conf/authmilter.conf"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

# the daemon's check needs milter.user only at run time, not for -n
if out=$("$bin" -n -c "$conf" 2>&1) && echo "$out" | grep -q "configuration OK"
then ok "shipped config valid"; else no "shipped config valid: $out"; fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'dns = {\n  timeout = 5;\n  timout = 3;\n};\n' > "$tmp/bad.conf"
out=$("$bin" -n -c "$tmp/bad.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.conf:3: unknown key 'dns.timout'"
then ok "unknown key refused with FILE:LINE"; else no "unknown key: rc=$rc $out"; fi

: > "$tmp/empty.conf"
if "$bin" -n -c "$tmp/empty.conf" >/dev/null 2>&1
then ok "empty config valid"; else no "empty config valid"; fi

printf 'dns = { local_data = [ "not a record" ]; };\n' > "$tmp/ld.conf"
out=$("$bin" -n -c "$tmp/ld.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "ld.conf:0: dns.local_data"
then ok "bad local_data refused"; else no "bad local_data: rc=$rc $out"; fi

# a sealing key others may read is refused; the owner-only one is fine
if openssl genpkey -algorithm ED25519 -out "$tmp/seal.pem" 2>/dev/null; then
	printf 'arc = { seal = { enabled = true; domain = "a.example"; selector = "s"; key_file = "%s"; }; };\n' \
	    "$tmp/seal.pem" > "$tmp/seal.conf"
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
