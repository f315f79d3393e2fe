# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# test/e2e/lib_sendmail.sh - a private Sendmail for the end-to-end tests.
# Source it after lib.sh; nothing runs at load time.
#
# Debian's sendmail-bin conflicts with postfix (both provide
# mail-transport-agent), and the other e2e suites need Postfix on the same
# machine. So sm_install never installs sendmail-bin: it installs
# sendmail-cf (the m4 files; it conflicts with nothing), fetches the
# sendmail-bin package with "apt-get download" into
# /var/cache/authmilter-test/sendmail and unpacks it there (dpkg-deb -x),
# and installs only the libraries it links with. Where sendmail-bin is
# installed already, that binary is used. Nothing of the system's mail
# setup is configured, started or touched, and nothing listens on port 25.

SM_CACHE=${SM_CACHE:-/var/cache/authmilter-test/sendmail}
SM_CF_DIR=/usr/share/sendmail/cf
SM_BIN=${SM_BIN:-} SM_PID=''

# sm_apt ARGS...: apt-get, non-interactive, once more after an update
sm_apt() {
	DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -q -y \
	    -o DPkg::Lock::Timeout=600 "$@" >/dev/null 2>&1 && return 0
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -q \
	    -o DPkg::Lock::Timeout=600 update >/dev/null 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -q -y \
	    -o DPkg::Lock::Timeout=600 "$@" >/dev/null 2>&1
}

# sm_works BIN: BIN runs (its libraries are there) and is Sendmail 8.
# Run under a host name with a dot (UTS namespace): with a short one
# Sendmail sleeps 60 s trying to qualify it before it does anything.
sm_works() {
	# shellcheck disable=SC2016  # the inner sh expands its own $1
	[ -x "$1" ] && unshare --uts sh -c 'hostname sm-check.e2e.test &&
	    exec "$1" -C /dev/null -d0.1 -bt </dev/null' sh "$1" 2>/dev/null |
	    grep -q '^Version 8\.'
}

# sm_install: m4, sendmail-cf and a sendmail binary; sets SM_BIN
sm_install() {
	local deb deps debs
	if ! command -v m4 >/dev/null || [ ! -f "$SM_CF_DIR/m4/cf.m4" ]; then
		e2e_log "installing m4 and sendmail-cf (Debian packages)"
		sm_apt install --no-install-recommends m4 sendmail-cf || return 1
	fi
	if dpkg-query -W -f='${Status}' sendmail-bin 2>/dev/null |
	    grep -q 'install ok installed' &&
	    sm_works /usr/libexec/sendmail/sendmail; then
		SM_BIN=/usr/libexec/sendmail/sendmail
		return 0
	fi
	SM_BIN=$SM_CACHE/root/usr/libexec/sendmail/sendmail
	sm_works "$SM_BIN" && return 0
	e2e_log "unpacking sendmail-bin into $SM_CACHE (not installed: it would remove postfix)"
	rm -rf "$SM_CACHE" && mkdir -p "$SM_CACHE" || return 1
	# apt's download user needs to write there
	chown _apt "$SM_CACHE" 2>/dev/null
	(cd "$SM_CACHE" && sm_apt download sendmail-bin) || return 1
	debs=("$SM_CACHE"/sendmail-bin_*.deb)
	deb=${debs[0]}
	[ -f "$deb" ] && dpkg-deb -x "$deb" "$SM_CACHE/root" || return 1
	# its libraries (Depends less the sendmail packages and procps)
	deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
	    sed -e 's/([^)]*)//g' -e 's/|.*//' -e 's/[[:space:]]//g' |
	    grep -v -E '^(sendmail-|procps$|$)')
	# shellcheck disable=SC2086  # $deps: a list of package names
	sm_apt install --no-install-recommends $deps || return 1
	sm_works "$SM_BIN"
}

# sm_start DIR PORT SINK_PORT MILTER_M4: a private Sendmail. DIR gets the
# .mc (test settings, then the lines of the file MILTER_M4), the .cf made
# by m4, the queue, aliases and the SMTP traffic log (-X). It listens on
# 127.0.0.1:PORT only (no MSA on 587) and relays everything to the sink on
# [127.0.0.1]:SINK_PORT. DIR and every directory above it must not be
# writable by group or others (Sendmail's safe-path checks; /tmp is not).
# Run inside a UTS namespace whose host name has a dot (else Sendmail
# waits 60 s to qualify the machine's name).
sm_start() {
	local dir=$1 port=$2 sink=$3 milter=$4
	mkdir -p "$dir/queue" && chmod 700 "$dir/queue" || return 1
	: >"$dir/aliases"
	printf 'hosts\tfiles\naliases\tfiles\n' >"$dir/service.switch"
	{
		cat <<MC
divert(-1)
include(\`$SM_CF_DIR/m4/cf.m4')
divert(0)dnl
VERSIONID(\`authmilter e2e: private test instance')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.e2e.test')dnl
define(\`QUEUE_DIR', \`$dir/queue')dnl
define(\`ALIAS_FILE', \`$dir/aliases')dnl
define(\`STATUS_FILE', \`$dir/statistics')dnl
define(\`confPID_FILE', \`$dir/sendmail.pid')dnl
define(\`confHELP_FILE', \`')dnl
define(\`confSERVICE_SWITCH_FILE', \`$dir/service.switch')dnl
define(\`confHOSTS_FILE', \`/etc/hosts')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $sink')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
RELAY_DOMAIN(\`dest.e2e.example')dnl
DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl
dnl ---- the operator's lines (README "Sendmail")
MC
		cat "$milter"
		echo "dnl ----"
		echo "MAILER(\`smtp')dnl"
	} >"$dir/sendmail.mc" || return 1
	if ! m4 "$dir/sendmail.mc" >"$dir/sendmail.cf" 2>"$dir/m4.err" ||
	    [ -s "$dir/m4.err" ]; then
		e2e_log "m4 failed:"; cat "$dir/m4.err" >&2; return 1
	fi
	"$SM_BIN" -C "$dir/sendmail.cf" -bD -X "$dir/traffic.log" \
	    >>"$dir/sendmail.out" 2>&1 &
	SM_PID=$!
	e2e_wait_listen "$port" 20 || {
		e2e_log "sendmail does not listen on 127.0.0.1:$port"
		cat "$dir/sendmail.out" >&2; sm_stop; return 1; }
}

# sm_stop: stop the Sendmail daemon started by sm_start (its children, the
# delivery agents, end with it or finish their one message)
sm_stop() {
	e2e_stop_pid "$SM_PID" 15
	SM_PID=''
}

# sm_queue_id REPLY: the queue id from "250 2.0.0 ID Message accepted ..."
sm_queue_id() {
	sed -n 's/^250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' <<<"$1"
}
