# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# test/e2e/lib.sh - helpers for the end-to-end tests through a private
# Postfix instance on 127.0.0.1.  Source it; nothing runs at load time.
#
# Every loop is bounded and every network wait has a timeout.  Only
# processes started here are stopped here, by their pid.

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
E2E_PY=${E2E_PY:-/usr/bin/python3}

e2e_log() { printf 'e2e: %s\n' "$*" >&2; }

# e2e_install: install Debian's postfix when it is missing, without any
# configuration and without starting the system instance.
e2e_install() {
	if [ -x /usr/sbin/postfix ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		e2e_log "postfix is missing and we are not root: apt-get install postfix"
		return 1
	fi
	e2e_log "installing postfix (Debian package, 'No configuration')"
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections || return 1
	# The package's postinst may try to start the system instance; with
	# "No configuration" there is no /etc/postfix/main.cf, so it does not.
	DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		postfix >/dev/null || {
		DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -q >/dev/null &&
			DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
				postfix >/dev/null
	} || return 1
	[ -x /usr/sbin/postfix ]
}

# e2e_free_port: print a TCP port on 127.0.0.1 that is free right now, from
# the kernel's ephemeral range (never a well-known port).
e2e_free_port() {
	"$E2E_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# e2e_pick_ports: MILTER_PORT, SMTP_PORT and SINK_PORT, three distinct
# free ports.
e2e_pick_ports() {
	MILTER_PORT=$(e2e_free_port) SMTP_PORT=$(e2e_free_port) SINK_PORT=$(e2e_free_port)
	while [ "$SMTP_PORT" = "$MILTER_PORT" ]; do SMTP_PORT=$(e2e_free_port); done
	while [ "$SINK_PORT" = "$MILTER_PORT" ] || [ "$SINK_PORT" = "$SMTP_PORT" ]; do
		SINK_PORT=$(e2e_free_port)
	done
}

# e2e_wait_port PORT TIMEOUT: wait until 127.0.0.1:PORT accepts a connection.
e2e_wait_port() {
	"$E2E_PY" - "$1" "${2:-10}" <<'PY'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.1)
PY
}

# e2e_wait_listen PORT TIMEOUT: wait until something listens on
# 127.0.0.1:PORT (or 0.0.0.0:PORT), read from /proc/net/tcp, without
# connecting to it (a probe connection would show up in the milter's and
# smtpd's logs as a session).
e2e_wait_listen() {
	"$E2E_PY" - "$1" "${2:-10}" <<'PY'
import sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
want = {"0100007F:%04X" % port, "00000000:%04X" % port}
while True:
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] in want and fields[3] == "0A":
                sys.exit(0)
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.1)
PY
}

# e2e_wait_pid_gone PID TIMEOUT: wait until process PID has exited.
e2e_wait_pid_gone() {
	local pid=$1 i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# e2e_stop_pid PID [TIMEOUT]: TERM, wait, then KILL one process we started.
e2e_stop_pid() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	e2e_wait_pid_gone "$pid" "${2:-10}" && return 0
	e2e_log "pid $pid ignored SIGTERM; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null
	e2e_wait_pid_gone "$pid" 5
}

# Client addresses the tests may present with XCLIENT (RFC 5737
# documentation ranges).  They are added to mynetworks so that
# "permit_mynetworks, reject" lets them relay to the sink.
E2E_TEST_NETS=${E2E_TEST_NETS:-"192.0.2.0/24 198.51.100.0/24 203.0.113.0/24"}

# e2e_postfix_start DIR SMTP_PORT SINK_PORT [MILTER]
# A private Postfix instance: config DIR/etc, queue DIR/spool, data DIR/data,
# log DIR/maillog (postlogd), smtpd on 127.0.0.1:SMTP_PORT, everything
# relayed to the sink on [127.0.0.1]:SINK_PORT.  MILTER is an smtpd_milters
# value such as inet:127.0.0.1:PORT; empty means no milter.
# E2E_SMTPD_VERBOSE=1 runs smtpd with -v (milter negotiation, macros and
# header edits appear in DIR/maillog). E2E_SMTPD_CHROOT=1 runs smtpd
# chrooted in DIR/spool as Debian's master.cf does: a unix: milter path is
# then looked up under DIR/spool. E2E_MAIN_EXTRA holds more main.cf lines
# (e.g. non_smtpd_milters = ...).
e2e_postfix_start() {
	local dir=$1 port=$2 sink=$3 milter=${4:-} etc chroot=n
	[ "${E2E_SMTPD_CHROOT:-}" = 1 ] && chroot=y
	if [ -z "$dir" ] || [ -z "$port" ] || [ -z "$sink" ]; then
		e2e_log "usage: e2e_postfix_start DIR SMTP_PORT SINK_PORT [MILTER]"
		return 1
	fi
	dir=$(cd "$dir" && pwd) || return 1
	etc=$dir/etc
	mkdir -p "$etc" "$dir/spool" "$dir/data" || return 1
	# postfix-owned daemons must reach DIR/spool and DIR/data
	chmod 755 "$dir" "$etc"
	chown root:root "$dir/spool" && chmod 755 "$dir/spool"
	chown postfix:postfix "$dir/data" && chmod 700 "$dir/data"
	: >"$dir/maillog"

	cat >"$etc/main.cf" <<MAIN
# generated by test/e2e/lib.sh: private Postfix instance for e2e tests
compatibility_level = 3.6
config_directory = $etc
queue_directory = $dir/spool
data_directory = $dir/data
syslog_name = postfix-e2e-$port
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mx.e2e.test
mydomain = e2e.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled
alias_maps =
alias_database =
relayhost = [127.0.0.1]:$sink
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8 $E2E_TEST_NETS
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
append_dot_mydomain = no
biff = no
smtpd_banner = \$myhostname ESMTP e2e
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_milters = $milter
milter_default_action = tempfail
milter_protocol = 6
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_connect_timeout = 5s
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
${E2E_MAIN_EXTRA:-}
MAIN

	{
		echo "# generated by test/e2e/lib.sh; smtpd on loopback only,"
		echo "# chrooted only with E2E_SMTPD_CHROOT=1"
		echo "127.0.0.1:$port inet n - $chroot - - smtpd ${E2E_SMTPD_VERBOSE:+-v}"
		cat "$E2E_DIR/master.cf.services"
	} >"$etc/master.cf" || return 1

	timeout 60 postfix -c "$etc" check >>"$dir/postfix-ctl.log" 2>&1 || {
		e2e_log "postfix check failed:"; cat "$dir/postfix-ctl.log" >&2; return 1; }
	timeout 60 postfix -c "$etc" start >>"$dir/postfix-ctl.log" 2>&1 || {
		e2e_log "postfix start failed:"; cat "$dir/postfix-ctl.log" "$dir/maillog" >&2; return 1; }
	e2e_wait_listen "$port" 20 || {
		e2e_log "postfix smtpd does not listen on 127.0.0.1:$port"
		cat "$dir/postfix-ctl.log" "$dir/maillog" >&2
		return 1
	}
}

# e2e_postfix_master_pid DIR: the pid of that instance's master, if running.
e2e_postfix_master_pid() {
	local f=$1/spool/pid/master.pid pid
	[ -r "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

# e2e_postfix_stop DIR: stop that instance and make sure its master is gone.
e2e_postfix_stop() {
	local dir=$1 pid
	[ -f "$dir/etc/main.cf" ] || return 0
	pid=$(e2e_postfix_master_pid "$dir") || return 0
	timeout 60 postfix -c "$dir/etc" stop >>"$dir/postfix-ctl.log" 2>&1
	e2e_wait_pid_gone "$pid" 20 && return 0
	e2e_log "postfix master $pid still there; stopping it by pid"
	e2e_stop_pid "$pid" 10
}

# e2e_sink_start DIR PORT: capture sink on 127.0.0.1:PORT saving messages as
# DIR/mail/NNNNNN.eml (+ .json envelope).  Sets E2E_SINK_PID.
E2E_SINK_PID=
e2e_sink_start() {
	local dir=$1 port=$2 i
	mkdir -p "$dir/mail" || return 1
	rm -f "$dir/sink.ready"
	"$E2E_PY" "$E2E_DIR/sink.py" --port "$port" --dir "$dir" \
		--ready-file "$dir/sink.ready" --max-seconds "${E2E_MAX_SECONDS:-3600}" \
		>>"$dir/sink.log" 2>&1 &
	E2E_SINK_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/sink.ready" ] && break
		kill -0 "$E2E_SINK_PID" 2>/dev/null || break
		sleep 0.1
	done
	e2e_wait_listen "$port" 5 || {
		e2e_log "sink did not start on 127.0.0.1:$port"; cat "$dir/sink.log" >&2
		e2e_sink_stop; return 1; }
}

# e2e_sink_stop: stop the sink started by e2e_sink_start.
e2e_sink_stop() {
	e2e_stop_pid "$E2E_SINK_PID" 5
	E2E_SINK_PID=
}

# e2e_send PORT FROM RCPT FILE [CLIENT_IP HELO]: send FILE to 127.0.0.1:PORT;
# prints the deciding SMTP reply as "CODE TEXT" (see smtpclient.py).
e2e_send() {
	local port=$1 from=$2 rcpt=$3 file=$4
	local -a x=()
	[ $# -ge 6 ] && x=(--client-ip "$5" --helo "$6")
	timeout 120 "$E2E_PY" "$E2E_DIR/smtpclient.py" --port "$port" \
		--from "$from" --rcpt "$rcpt" --file "$file" "${x[@]}" \
		${E2E_SMTP_VERBOSE:+-v}
}

# e2e_count_files DIR: number of messages saved by the sink in DIR/mail.
e2e_count_files() {
	local -a f=("$1"/mail/*.eml)
	[ -e "${f[0]}" ] && echo "${#f[@]}" || echo 0
}

# e2e_wait_file DIR TIMEOUT [N]: wait until DIR/mail holds at least N
# messages (default 1); prints the newest one.
e2e_wait_file() {
	local dir=$1 t=${2:-30} n=${3:-1} i
	for ((i = 0; i < t * 10; i++)); do
		if [ "$(e2e_count_files "$dir")" -ge "$n" ]; then
			printf '%s\n' "$dir"/mail/*.eml | sort | tail -n 1
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# e2e_queue_id REPLY: the queue id from "250 2.0.0 Ok: queued as ID".
e2e_queue_id() {
	sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$1"
}

# e2e_find_msg DIR QUEUE_ID TIMEOUT: wait until the sink holds the message
# that Postfix queued as QUEUE_ID (its Received header says "id QUEUE_ID");
# prints the file name.
e2e_find_msg() {
	local dir=$1 qid=$2 t=${3:-30} i f
	[ -n "$qid" ] || return 1
	for ((i = 0; i < t * 10; i++)); do
		for f in "$dir"/mail/*.eml; do
			[ -e "$f" ] || continue
			if grep -q -E "[[:space:]]id $qid([;[:space:]]|\$)" "$f"; then
				echo "$f"
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}

# e2e_headers FILE: the header section of FILE, one field per line,
# unfolded (continuation lines joined with one space), CRs removed.
e2e_headers() {
	awk '{ sub(/\r$/, "") }
	     /^$/ { exit }
	     /^[ \t]/ { sub(/^[ \t]+/, " "); cur = cur $0; next }
	     { if (have) print cur; cur = $0; have = 1 }
	     END { if (have) print cur }' "$1"
}

# ---- the frame every e2e script shares ---------------------------------
# A script sets E2E_SUITE (its summary name), then TMP and MILTER_PID as it
# starts things; pass/fail count, finish prints "SUITE: N passed, N failed"
# and exits, and the EXIT trap stops what was started and shows the logs
# of a failed run (authmilter's at $E2E_MILTER_LOG, Postfix's maillog).
PASSED=0 FAILED=0 TMP='' MILTER_PID=''
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
finish() {
	echo "${E2E_SUITE:-e2e}: $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
	exit
}
# shellcheck disable=SC2317  # invoked by the EXIT trap
e2e_cleanup() {
	local rc=$?
	[ -n "$TMP" ] && e2e_postfix_stop "$TMP/pf"
	e2e_sink_stop
	[ -n "$MILTER_PID" ] && e2e_stop_pid "$MILTER_PID" 15
	[ -n "$TMP" ] || return 0
	if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
		{
			local mlog=${E2E_MILTER_LOG:-$TMP/milter/authmilter.log}
			echo "---- authmilter log (last 40 lines): $mlog"
			tail -n 40 "$mlog" 2>/dev/null
			echo "---- postfix log (last 40 lines): $TMP/pf/maillog"
			tail -n 40 "$TMP/pf/maillog" 2>/dev/null
		} >&2
	fi
	if [ "${KEEP:-0}" = 1 ]; then e2e_log "kept $TMP"; else rm -rf "$TMP"; fi
}
e2e_frame() {
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}
