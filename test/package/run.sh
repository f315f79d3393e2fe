#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/package/run.sh - the Debian package, built, installed, run, purged.
#
#  1. copies the tree (git's file list: no build products) to a temp dir and
#     runs dpkg-buildpackage -us -uc -b there (DEB_BUILD_OPTIONS=nocheck:
#     the unit tests run in their own suite); the repo stays untouched;
#  2. lintian on the .deb: no E: and no W: tags (overrides in debian/);
#  3. dpkg -i: files, conffile (0640 root:authmilter, 0640 in the .deb
#     already), man pages, units, the authmilter system user, postfix in
#     its group; systemd-analyze verify of the units and
#     systemd-analyze security --offline=true of the service (exposure
#     must stay <= 2.0, the value is printed); where systemd runs (a VM),
#     the unit dpkg -i started must be active and survive a reload;
#  4. authmilter -n on the shipped config as the authmilter user (the
#     unit's ExecStartPre), with /run/authmilter made first as systemd's
#     RuntimeDirectory= would (-n checks the socket's directory);
#  4b. postinst enables and starts authmilter-report.timer and never the
#     report service; that service's ExecStart, run as its User= on the
#     shipped config (reports.store = ""), exits 0 with one line saying
#     reports are off;
#  5. starts the daemon as the unit's ExecStart does, without systemd:
#     runtime dir /run/authmilter (authmilter, 0750) and state dir as
#     systemd would make them, UMask 0007, user authmilter, the unit's
#     ExecStart line (-f: it stays in the foreground, Type=notify). The
#     config is the shipped one with only DNS pointed at local data and a
#     dead loopback forwarder (no query leaves the machine) and
#     metrics.listen on a loopback port; socket 0770 authmilter:authmilter,
#     a user outside the group is refused;
#  6. a private Postfix on loopback (test/e2e/lib.sh) with smtpd_milters =
#     unix:/run/authmilter/authmilter.sock, smtpd as user postfix: the
#     message reaches the sink with our Authentication-Results; curl of
#     /metrics shows it; the unit's ExecReload lines run as systemd would
#     (as its user, stopping at the first that fails): a refused file
#     fails at authmilter -n and never reaches the daemon, a good one is
#     applied (SIGUSR1);
#  6b. postinst made /var/spool/postfix/authmilter; the daemon moved to a
#     socket there, a Postfix instance whose spool has that directory
#     bind-mounted reaches it as unix:authmilter/authmilter.sock with
#     smtpd chrooted and not (README.Debian);
#  7. dpkg --purge: files, conffile and state gone, postfix out of the
#     group, the user kept (debian/README.source).
#
# Needs root and a machine where the authmilter package is not installed
# otherwise (it refuses to replace one). Prints PASS/FAIL lines and
# "package: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$REPO/test/e2e/lib.sh"
E2E_SUITE=package
PKG_PID='' INSTALLED=0 MOUNTED=''

# shellcheck disable=SC2317  # called through the EXIT trap
pkg_cleanup() {
	[ -n "$PKG_PID" ] && e2e_stop_pid "$PKG_PID" 15
	PKG_PID=''
	[ -n "$TMP" ] && e2e_postfix_stop "$TMP/pf2"
	[ -n "$MOUNTED" ] && umount "$MOUNTED"
	MOUNTED=''
	if [ "$INSTALLED" = 1 ]; then
		timeout 300 dpkg --purge authmilter >/dev/null 2>&1
		INSTALLED=0
	fi
}
trap 'pkg_cleanup; e2e_cleanup' EXIT
trap 'exit 130' INT TERM
E2E_MILTER_LOG=/dev/null

# ---- setup -------------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (dpkg -i, Postfix)"; finish
fi
if dpkg-query -W -f='${Status}' authmilter 2>/dev/null | grep -q installed; then
	fail setup "an authmilter package is installed already: not touching it"
	finish
fi
for t in dpkg-buildpackage dh lintian fakeroot curl systemd-analyze git; do
	command -v "$t" >/dev/null ||
	    { fail setup "$t missing (test/setup.sh installs it)"; finish; }
done
e2e_install || { fail setup "postfix is not installed and could not be"; finish; }

TMP=$(mktemp -d /tmp/authmilter-pkg.XXXXXX) || { fail setup mktemp; finish; }
chmod 755 "$TMP"
mkdir -p "$TMP/pf" "$TMP/sink" "$TMP/msg" "$TMP/build"
VERSION=$(sed -n '1s/.*(\([^)]*\)).*/\1/p' "$REPO/debian/changelog")
SRC=$TMP/build/authmilter-$VERSION

# ---- 1. build in a copy --------------------------------------------------------

mkdir -p "$SRC"
(cd "$REPO" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
    tar -xf - -C "$SRC"
before=$(cd "$REPO" && git status --porcelain)
if (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 1200 \
    nice -n 10 dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1; then
	pass build
else
	tail -n 30 "$TMP/build.log"; fail build "dpkg-buildpackage failed"; finish
fi
DEB=''
for f in "$TMP"/build/authmilter_"$VERSION"_*.deb; do
	[ -f "$f" ] && DEB=$f && break
done
if [ -z "$DEB" ]; then
	fail deb "no .deb"; finish
fi
pass "built $(basename "$DEB")"
after=$(cd "$REPO" && git status --porcelain)
if [ "$before" = "$after" ]; then
	pass "repo untouched by the build"
else
	fail "repo untouched by the build" "git status changed: $after"
fi

# ---- 2. lintian ----------------------------------------------------------------

timeout 600 lintian --no-tag-display-limit "$DEB" >"$TMP/lintian.out" 2>&1
if grep -E '^[EW]: ' "$TMP/lintian.out"; then
	fail lintian "errors or warnings (above)"
else
	pass "lintian: no errors, no warnings ($(grep -c -E '^[IPX]: ' \
	    "$TMP/lintian.out") info/pedantic)"
fi

# ---- 3. install ----------------------------------------------------------------

had_group=$(id -nG postfix | tr ' ' '\n' | grep -cx authmilter)
if timeout 300 dpkg -i "$DEB" >"$TMP/dpkg.log" 2>&1; then
	INSTALLED=1; pass "dpkg -i"
else
	cat "$TMP/dpkg.log"; fail "dpkg -i" "failed"; finish
fi
for f in /usr/sbin/authmilter /usr/bin/authmilter-check \
    /etc/authmilter/authmilter.conf /lib/systemd/system/authmilter.service \
    /lib/systemd/system/authmilter-report.service \
    /lib/systemd/system/authmilter-report.timer \
    /lib/systemd/system/authmilter-report-failures.service \
    /lib/systemd/system/authmilter-report-failures.timer \
    /usr/share/man/man8/authmilter.8.gz /usr/share/man/man5/authmilter.conf.5.gz \
    /usr/share/man/man1/authmilter-check.1.gz /usr/sbin/authmilter-report \
    /usr/share/man/man8/authmilter-report.8.gz /etc/mail/m4/authmilter.m4 \
    /usr/share/authmilter/dashboard/index.html \
    /usr/share/authmilter/dashboard/app.js \
    /usr/share/authmilter/dashboard/style.css \
    /usr/sbin/authmilter-keygen /usr/share/man/man8/authmilter-keygen.8.gz; do
	[ -e "$f" ] || fail "installed $f" "missing"
done
pass "binaries, config, units, man pages and dashboard files installed"
if cmp -s /etc/authmilter/authmilter.conf "$REPO/conf/authmilter.conf"; then
	pass "/etc/authmilter/authmilter.conf is conf/authmilter.conf"
else
	fail "shipped config" "differs from conf/authmilter.conf"
fi
if cmp -s /etc/mail/m4/authmilter.m4 "$REPO/conf/authmilter.m4"; then
	pass "/etc/mail/m4/authmilter.m4 (Sendmail) is conf/authmilter.m4"
else
	fail "Sendmail snippet" "/etc/mail/m4/authmilter.m4 differs from conf/authmilter.m4"
fi
if dpkg-query -W -f='${Conffiles}\n' authmilter |
    grep -q ' /etc/authmilter/authmilter.conf '; then
	pass "authmilter.conf is a conffile"
else
	fail conffile "not registered"
fi
# it may hold a database password: the service's group reads it, others not
perm=$(stat -c '%a %U:%G' /etc/authmilter/authmilter.conf)
if [ "$perm" = "640 root:authmilter" ]; then
	pass "authmilter.conf is 0640 root:authmilter"
else
	fail "authmilter.conf mode" "'$perm', want '640 root:authmilter'"
fi
perm=$(dpkg-deb -c "$DEB" | awk '$NF == "./etc/authmilter/authmilter.conf" {print $1}')
if [ "$perm" = "-rw-r-----" ]; then
	pass "the .deb ships authmilter.conf 0640 (never world-readable)"
else
	fail "authmilter.conf in the .deb" "'$perm', want -rw-r-----"
fi
uid=$(id -u authmilter 2>/dev/null)
shell=$(getent passwd authmilter | cut -d: -f7)
if [ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$uid" -gt 0 ] &&
    [ "$shell" = /usr/sbin/nologin ]; then
	pass "system user authmilter (uid $uid, nologin)"
else
	fail "system user" "uid '$uid' shell '$shell'"
fi
if [ "$had_group" = 0 ] && id -nG postfix | tr ' ' '\n' | grep -qx authmilter; then
	pass "postinst put postfix in group authmilter"
else
	fail "postfix in group" "before $had_group, now: $(id -nG postfix)"
fi
units="/lib/systemd/system/authmilter.service /lib/systemd/system/authmilter-report.timer
    /lib/systemd/system/authmilter-report.service
    /lib/systemd/system/authmilter-report-failures.timer
    /lib/systemd/system/authmilter-report-failures.service"
# shellcheck disable=SC2086  # $units: a list of paths
out=$(systemd-analyze verify $units 2>&1)
rc=$?
if [ -z "$out" ] && [ "$rc" = 0 ]; then
	pass "systemd-analyze verify"
else
	fail "systemd-analyze verify" "$out"
fi
score=$(systemd-analyze security --offline=true \
    /lib/systemd/system/authmilter.service 2>&1 |
    sed -n 's/.*Overall exposure level for authmilter.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	pass "systemd-analyze security: exposure $score (<= 2.0)"
else
	fail "systemd-analyze security" "exposure '$score'"
fi

# With systemd running (a VM rather than a container), dpkg -i has started
# the unit itself: the hardened service must come up and reload. Without
# systemd this is said, not counted.
if [ -d /run/systemd/system ]; then
	for ((i = 0; i < 100; i++)); do
		systemctl is-active --quiet authmilter.service && break
		sleep 0.2
	done
	if systemctl is-active --quiet authmilter.service &&
	    [ -S /run/authmilter/authmilter.sock ]; then
		pass "systemd runs the installed authmilter.service"
	else
		fail "authmilter.service under systemd" \
		    "$(journalctl -u authmilter.service -n 20 --no-pager 2>&1)"
	fi
	if systemctl reload authmilter.service && sleep 1 &&
	    systemctl is-active --quiet authmilter.service; then
		pass "systemctl reload keeps it running"
	else
		fail "systemctl reload" "$(systemctl status authmilter.service 2>&1 | tail -n 5)"
	fi
	systemctl stop authmilter.service
else
	echo "NOTE: no systemd running here: the unit is checked statically only"
fi

# ---- 4. ExecStartPre -----------------------------------------------------------
# systemd makes the RuntimeDirectory before ExecStartPre runs: -n checks
# that the authmilter user may create the socket there

install -d -o authmilter -g authmilter -m 0750 /run/authmilter
if out=$(runuser -u authmilter -- /usr/sbin/authmilter -n 2>&1) &&
    [ "$out" = "/etc/authmilter/authmilter.conf: configuration OK" ]; then
	pass "authmilter -n on the shipped config (as authmilter)"
else
	fail "authmilter -n" "$out"
fi

# ---- 4b. the report timer on the shipped config (reports off) --------------------
# postinst enables and starts the timer only: the report service runs when
# the timer fires. dh_installsystemd writes what postinst starts as
# deb-systemd-invoke lines; the installed script is the one checked.
pi=/var/lib/dpkg/info/authmilter.postinst
inv=$(grep -E '^[[:space:]]*deb-systemd-invoke ' "$pi")
en=$(grep -E "deb-systemd-helper enable 'authmilter-report\.timer'" "$pi")
if grep -q 'authmilter-report\.service' <<<"$inv"; then
	fail "postinst starts no report service" "$(grep 'authmilter-report' <<<"$inv")"
elif ! grep -q "'authmilter-report\.timer'" <<<"$inv" || [ -z "$en" ]; then
	fail "postinst enables and starts the timer" "invoke: $inv; enable: $en"
else
	pass "postinst enables and starts authmilter-report.timer, not the service"
fi
# the service's ExecStart as its User= on the pristine config: reports are
# off (reports.store = ""), which must be a success with one line saying so
# (else the timer fails every day)
unit=/lib/systemd/system/authmilter-report.service
exe=$(sed -n 's/^ExecStart=//p' "$unit")
usr=$(sed -n 's/^User=//p' "$unit")
# shellcheck disable=SC2086  # ExecStart is a command line
out=$(cd / && runuser -u "$usr" -- $exe 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ "$(grep -c . <<<"$out")" = 1 ] &&
    grep -q 'reports\.store' <<<"$out" && grep -q -w off <<<"$out"; then
	pass "report service with reports off: exit 0, one line ($out)"
else
	fail "report service with reports off" "exit $rc (want 0 and one line saying reports are off): $out"
fi

# ---- 5. ExecStart, as systemd would run it --------------------------------------

ports=()
for ((i = 0; i < 20 && ${#ports[@]} < 4; i++)); do
	p=$(e2e_free_port)
	[[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
SMTP_PORT=${ports[0]} SINK_PORT=${ports[1]} METRICS_PORT=${ports[2]} DEAD=${ports[3]}
CONF=/etc/authmilter/authmilter.conf
sed -i -e "s|^  nameservers = \[ \];|  nameservers = [ \"127.0.0.1@$DEAD\" ];|" \
    -e 's|^  local_data  = \[ \];|  local_data  = [ "pass.pkg.example. 300 IN TXT \\"v=spf1 ip4:192.0.2.10 -all\\"" ];|' \
    -e 's|^  local_zones = \[ \];|  local_zones = [ "example. static" ];|' \
    -e "/^metrics = {/,/^};/ s|^  listen = \"\";|  listen = \"127.0.0.1:$METRICS_PORT\";|" \
    "$CONF"
if ! grep -q "127.0.0.1@$DEAD" "$CONF" || ! grep -q pass.pkg.example "$CONF" ||
    ! grep -q "127.0.0.1:$METRICS_PORT" "$CONF"; then
	fail setup "could not point the shipped config at local DNS"; finish
fi
SOCK=/run/authmilter/authmilter.sock
install -d -o authmilter -g authmilter -m 0750 /run/authmilter
install -d -o authmilter -g authmilter -m 0750 /var/lib/authmilter
# pkg_start SOCKET: the daemon as ExecStart runs it (in the foreground,
# Type=notify); rc 0 once a process listens on SOCKET, its pid in PKG_PID
pkg_start() {
	exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/authmilter.service)
	# shellcheck disable=SC2086
	(umask 0007 && exec setpriv --reuid authmilter --regid authmilter \
	    --init-groups --no-new-privs $exec_start) >"$TMP/start.out" 2>&1 &
	rc=1
	for ((i = 0; i < 100; i++)); do
		[ -S "$1" ] && break
		sleep 0.1
	done
	PKG_PID=$(ss -xlpnH src "$1" 2>/dev/null |
	    sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$PKG_PID" ] && rc=0
}
pkg_start "$SOCK"
if [ "$rc" = 0 ] && [ -S "$SOCK" ] && [ -n "$PKG_PID" ]; then
	pass "daemon started (ExecStart: $exec_start, pid $PKG_PID) with its socket in /run/authmilter"
else
	fail "daemon start" "rc $rc, socket $(ls -l "$SOCK" 2>&1), $(cat "$TMP/start.out")"
	finish
fi
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PKG_PID/status")
if [ "$uids" = "$uid $uid $uid $uid" ]; then
	pass "runs as authmilter, never root"
else
	fail "daemon user" "Uid: $uids"
fi
st=$(stat -c '%U:%G %a' "$SOCK")
if [ "$st" = "authmilter:authmilter 770" ]; then
	pass "socket authmilter:authmilter 0770"
else
	fail "socket owner and mode" "$st"
fi
# the group is the lock: a user outside it cannot connect
if out=$(runuser -u nobody -- /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except PermissionError:
    sys.exit(0)
sys.exit(1)' "$SOCK" 2>&1); then
	pass "user nobody (not in group authmilter) cannot connect"
else
	fail "socket permissions" "nobody could connect: $out"
fi

# ---- 6. mail through Postfix over the package's socket -------------------------

e2e_sink_start "$TMP/sink" "$SINK_PORT" || { fail setup "sink"; finish; }
e2e_postfix_start "$TMP/pf" "$SMTP_PORT" "$SINK_PORT" "unix:$SOCK" ||
	{ fail setup "postfix did not start"; finish; }
cat >"$TMP/msg/m.eml" <<MSG
From: <user@pass.pkg.example>
To: <rcpt@dest.pkg.example>
Subject: package test
Message-ID: <pkg.$$@pass.pkg.example>
Date: $(LC_ALL=C date -R)

through the packaged daemon
MSG
reply=$(e2e_send "$SMTP_PORT" user@pass.pkg.example rcpt@dest.pkg.example \
    "$TMP/msg/m.eml" 192.0.2.10 mail.pass.pkg.example)
qid=$(e2e_queue_id "$reply")
if [ "${reply%% *}" = 250 ] && f=$(e2e_find_msg "$TMP/sink" "$qid" 30); then
	top=$(e2e_headers "$f" | sed -n 1p)
	if grep -q -E '^Authentication-Results: mx\.e2e\.test;.*spf=pass' <<<"$top"; then
		pass "message delivered with our A-R on top (spf=pass)"
	else
		fail "A-R at the sink" "top header: $top"
	fi
else
	fail "message through Postfix" "reply '$reply'; $(tail -n 5 "$TMP/pf/maillog")"
fi
m=$(curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics")
if grep -q '^authmilter_messages_total{action="accept"} 1$' <<<"$m" &&
    grep -q '^authmilter_results_total{method="spf",result="pass"} 1$' <<<"$m"; then
	pass "curl /metrics: the message is counted"
else
	fail "curl /metrics" "$(grep -E '^authmilter_(messages|results)_total' <<<"$m" | head -n 8)"
fi
# pkg_reload: the unit's ExecReload lines, in order, as its user, with
# $MAINPID; the first that fails ends it, as for "systemctl reload"
pkg_reload() {
	local cmd
	while IFS= read -r cmd; do
		cmd=${cmd//\$MAINPID/$PKG_PID}
		# shellcheck disable=SC2086
		runuser -u authmilter -- $cmd >>"$TMP/reload.out" 2>&1 || return 1
	done < <(sed -n 's/^ExecReload=//p' /lib/systemd/system/authmilter.service)
}
cp "$CONF" "$TMP/good.conf"
echo 'bogus = 1;' >>"$CONF"
if pkg_reload; then
	fail "ExecReload with a refused file" "it did not fail"
elif grep -q "authmilter.conf:[0-9]*: unknown key 'bogus'" "$TMP/reload.out"; then
	pass "ExecReload with a refused file fails at authmilter -n (FILE:LINE)"
else
	fail "ExecReload with a refused file" "$(cat "$TMP/reload.out")"
fi
cat "$TMP/good.conf" >"$CONF"
pkg_reload || fail "ExecReload" "$(cat "$TMP/reload.out")"
for ((i = 0; i < 100; i++)); do
	m=$(curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics")
	grep -q '^authmilter_config_reloads_total{result="applied"} 1$' <<<"$m" && break
	sleep 0.1
done
if grep -q '^authmilter_config_reloads_total{result="applied"} 1$' <<<"$m" &&
    grep -q '^authmilter_config_reloads_total{result="refused"} 0$' <<<"$m"; then
	pass "ExecReload (authmilter -n, then SIGUSR1) reloads; the refused file never reached the daemon"
else
	fail "reload" "$(grep '^authmilter_config_reloads_total' <<<"$m")"
fi
e2e_postfix_stop "$TMP/pf"
if e2e_stop_pid "$PKG_PID" 15; then
	pass "daemon stops on SIGTERM"
else
	fail stop "still there"
fi
PKG_PID=''

# ---- 6b. the socket inside Postfix's spool, for a chrooted smtpd ----------------
# postinst made /var/spool/postfix/authmilter (Postfix was installed first).
# The private instance's spool stands in for /var/spool/postfix: the
# directory is bind-mounted there, and smtpd_milters names it relative to
# the queue directory, as README.Debian says, chrooted and not.

SPOOLSOCK=/var/spool/postfix/authmilter/authmilter.sock
st=$(stat -c '%U:%G %a' /var/spool/postfix/authmilter 2>&1)
if [ "$st" = "authmilter:authmilter 750" ]; then
	pass "postinst made /var/spool/postfix/authmilter (authmilter, 0750)"
else
	fail "spool socket directory" "$st"
fi
sed -i "s|^  socket  = \"unix:/run/authmilter/authmilter.sock\";|  socket  = \"unix:$SPOOLSOCK\";|" "$CONF"
grep -q "unix:$SPOOLSOCK" "$CONF" || fail setup "could not set milter.socket"
pkg_start "$SPOOLSOCK"
if [ "$rc" = 0 ] && [ -n "$PKG_PID" ] &&
    [ "$(stat -c '%U:%G %a' "$SPOOLSOCK")" = "authmilter:authmilter 770" ]; then
	pass "daemon listens on $SPOOLSOCK (0770)"
else
	fail "daemon on the spool socket" "rc $rc, $(ls -l "$SPOOLSOCK" 2>&1), $(cat "$TMP/start.out")"
fi
mkdir -p "$TMP/pf2/spool/authmilter"
if mount --bind /var/spool/postfix/authmilter "$TMP/pf2/spool/authmilter"; then
	MOUNTED=$TMP/pf2/spool/authmilter
	for chroot in 1 0; do
		how=$([ $chroot = 1 ] && echo chrooted || echo "not chrooted")
		if ! E2E_SMTPD_CHROOT=$chroot e2e_postfix_start "$TMP/pf2" \
		    "$SMTP_PORT" "$SINK_PORT" unix:authmilter/authmilter.sock; then
			fail "postfix ($how) with the spool socket" "did not start"
			continue
		fi
		sed -i "s/^Message-ID: .*/Message-ID: <pkg.$chroot.$$@pass.pkg.example>/" "$TMP/msg/m.eml"
		reply=$(e2e_send "$SMTP_PORT" user@pass.pkg.example \
		    rcpt@dest.pkg.example "$TMP/msg/m.eml" 192.0.2.10 \
		    mail.pass.pkg.example)
		qid=$(e2e_queue_id "$reply")
		if [ "${reply%% *}" = 250 ] && f=$(e2e_find_msg "$TMP/sink" "$qid" 30) &&
		    e2e_headers "$f" | sed -n 1p | grep -q -E '^Authentication-Results: mx\.e2e\.test;.*spf=pass'; then
			pass "smtpd $how reaches unix:authmilter/authmilter.sock: A-R on top"
		else
			fail "smtpd $how over the spool socket" "reply '$reply'; $(tail -n 5 "$TMP/pf2/maillog")"
		fi
		e2e_postfix_stop "$TMP/pf2"
	done
	umount "$MOUNTED" && MOUNTED=''
else
	fail "bind mount of the spool socket directory" "mount --bind failed"
fi
e2e_stop_pid "$PKG_PID" 15 || fail stop "daemon on the spool socket still there"
PKG_PID=''

# ---- 7. purge ------------------------------------------------------------------

if timeout 300 dpkg --purge authmilter >"$TMP/purge.log" 2>&1; then
	INSTALLED=0; pass "dpkg --purge"
else
	cat "$TMP/purge.log"; fail "dpkg --purge" "failed"
fi
left=''
for f in /usr/sbin/authmilter /usr/bin/authmilter-check /etc/authmilter \
    /etc/mail/m4/authmilter.m4 \
    /usr/sbin/authmilter-keygen \
    /lib/systemd/system/authmilter.service /var/lib/authmilter /run/authmilter \
    /var/spool/postfix/authmilter \
    /usr/share/doc/authmilter; do
	[ -e "$f" ] && left="$left $f"
done
if [ -z "$left" ]; then
	pass "purge leaves no files"
else
	fail "purge" "left:$left"
fi
if dpkg-query -W authmilter >/dev/null 2>&1; then
	fail purge "still known to dpkg"
else
	pass "package gone from dpkg"
fi
if id -nG postfix | tr ' ' '\n' | grep -qx authmilter; then
	fail "postfix left the group" "$(id -nG postfix)"
else
	pass "postfix left the authmilter group"
fi
finish
