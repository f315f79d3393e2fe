#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Privilege: started as root, authmilter refuses to stay root (milter.user
# root or empty: exit 1 with a clear error), runs as milter.user with only
# that user's groups, creates its unix socket with milter.umask and
# hands it to that user, and refuses a sealing key others may read or its
# group may write (at start and with -n). Needs root; ends with
# "privilege: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${AUTHMILTER:-$top/milter/authmilter}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "privilege: needs root (nothing checked)"
	echo "privilege: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
# the socket's directory: milter.user must be able to create it there
# (authmilter -n checks that; the daemon removes it there at exit)
chown nobody "$tmp"

# conf USER UMASK [SEAL-KEY]: a configuration with a unix socket in $tmp
conf() {
	{
		printf 'milter = { socket = "unix:%s/m.sock"; user = "%s"; umask = %s; };\n' \
		    "$tmp" "$1" "$2"
		printf 'dns = { local_zones = [ ". static" ]; };\n'
		[ $# -ge 3 ] && printf 'arc = { seal = { enabled = true; domain = "a.example"; selector = "s"; key_file = "%s"; algorithm = "ed25519-sha256"; }; };\n' "$3"
	} > "$tmp/c.conf"
}

# start: the daemon in the foreground, in the background; 0 once it listens
start() {
	rm -f "$tmp/m.sock"
	: > "$tmp/log"
	"$bin" -f -c "$tmp/c.conf" > "$tmp/log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q "listening on" "$tmp/log" && return 0
		kill -0 "$pid" 2>/dev/null || { pid=""; return 1; }
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

stop() {
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

# must_refuse NAME PATTERN: the daemon exits 1 within 10 s saying PATTERN
must_refuse() {
	out=$(timeout 10 "$bin" -f -c "$tmp/c.conf" 2>&1); rc=$?
	if [ $rc -eq 1 ] && echo "$out" | grep -q "$2"
	then ok "$1"; else no "$1: rc=$rc $out"; fi
}

conf root 0007
must_refuse "milter.user root: exit 1" "refusing to run as root"
conf "" 0007
must_refuse "milter.user empty while root: exit 1" "refusing to run as root"
conf no-such-user-xyz 0007
must_refuse "milter.user unknown: exit 1" "does not exist"

uid=$(id -u nobody) gid=$(id -g nobody)
for m in 0077 0007 0002; do
	conf nobody "$m"
	if start; then
		want=$(printf '%o' $((0777 & ~m)))
		got=$(stat -c '%a %u' "$tmp/m.sock")
		if [ "$got" = "$want $uid" ]
		then ok "umask $m: socket mode $want, owned by nobody"
		else no "umask $m: socket '$got', want '$want $uid'"; fi
		if [ "$m" = 0077 ]; then
			ids=$(awk '/^Uid:|^Gid:/ {print $2, $3, $4, $5}' \
			    "/proc/$pid/status" | tr '\n' ' ')
			groups=$(awk '/^Groups:/ {$1 = ""; print}' \
			    "/proc/$pid/status" | tr ' ' '\n' | sort -n | xargs)
			if [ "$ids" = "$uid $uid $uid $uid $gid $gid $gid $gid " ] &&
			    [ "$groups" = "$(id -G nobody | tr ' ' '\n' | sort -n | xargs)" ]
			then ok "runs as nobody: real, effective, saved uid and gid, only nobody's groups"
			else no "ids '$ids' groups '$groups'"; fi
		fi
	else
		no "umask $m: daemon did not start: $(cat "$tmp/log")"
	fi
	stop
done

if openssl genpkey -algorithm ED25519 -out "$tmp/k.pem" 2>/dev/null; then
	conf nobody 0007 "$tmp/k.pem"
	chmod 644 "$tmp/k.pem"
	must_refuse "world-readable sealing key: daemon exits 1" \
	    "readable by others"
	chmod 620 "$tmp/k.pem"
	must_refuse "group-writable sealing key: daemon exits 1" \
	    "writable by its group"
	out=$("$bin" -n -c "$tmp/c.conf" 2>&1); rc=$?
	if [ $rc -eq 1 ] && echo "$out" | grep -q "writable by its group"
	then ok "group-writable sealing key: -n refuses"
	else no "-n with key 0620: rc=$rc $out"; fi
	chmod 600 "$tmp/k.pem"
	if "$bin" -n -c "$tmp/c.conf" >/dev/null 2>&1
	then ok "owner-only sealing key: -n accepts"
	else no "-n with key 0600 refused"; fi
	if start; then ok "owner-only sealing key: daemon starts"
	else no "key 0600: daemon did not start: $(cat "$tmp/log")"; fi
	stop
else
	no "openssl genpkey failed"
fi

echo "privilege: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
