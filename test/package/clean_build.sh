#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/package/clean_build.sh - the package builds in a clean Debian 12 root
# that has only build-essential and debian/control's Build-Depends, as an
# archive's build daemon would build it (suite package-clean-build).
#
#  1. a minbase bookworm root (debootstrap --variant=minbase); the finished
#     root is cached as a tarball under /var/cache/authmilter-test, so only
#     the first run on a machine pays for debootstrap;
#  2. inside it: apt-get install build-essential, then apt-get build-dep of
#     the copied tree (debian/control's Build-Depends, nothing else);
#  3. dpkg-buildpackage -us -uc -b of a copy of the tree (git's file list),
#     with the unit tests (make check) unless DEB_BUILD_OPTIONS says nocheck;
#  4. lintian on the .changes (the .deb and .buildinfo): no E: and no W:.
#
# Downloaded .debs are kept in /var/cache/authmilter-test/apt-archives for
# the next run. Needs root; mounts /proc and /dev/pts in the temp root only
# and unmounts them on every exit. Ends with
# "package-clean-build: N passed, N failed".
#
#   KEEP=1                  keep the temp root
#   CLEAN_BUILD_REFRESH=1   remake the cached root tarball
#   MIRROR=URL              Debian mirror (default http://deb.debian.org/debian)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SUITE=package-clean-build
SUITE_NAME=bookworm
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CACHE=/var/cache/authmilter-test
TARBALL=$CACHE/$SUITE_NAME-minbase-root.tar.gz
ARCHIVES=$CACHE/apt-archives
PASSED=0 FAILED=0 ROOT='' MOUNTS=()
T0=$(date +%s)

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
finish() {
	echo "time: $(($(date +%s) - T0)) s"
	echo "$SUITE: $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
	exit
}

# cb_cleanup - unmount what we mounted (last first), remove the temp root
# shellcheck disable=SC2317  # called through the EXIT trap
cb_cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"
	done
	MOUNTS=()
	[ -n "$ROOT" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $ROOT and its logs $ROOT.*" >&2
	else
		rm -rf --one-file-system "$ROOT"
		rm -f "$ROOT.log" "$ROOT.build.log" "$ROOT.lintian"
	fi
}
trap cb_cleanup EXIT
trap 'exit 130' INT TERM

# cb_mount ARGS... TARGET: mount and remember TARGET for the cleanup
cb_mount() {
	mount "$@" || return 1
	MOUNTS+=("${!#}")
}

# in_root SECONDS CMD...: run CMD in the root for at most SECONDS,
# non-interactive, with a clean environment, niced (the machine is shared)
in_root() {
	local t=$1
	shift
	timeout "$t" nice -n 10 chroot "$ROOT" /usr/bin/env -i \
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
	    ${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS"} "$@"
}

# ---- setup ---------------------------------------------------------------------

[ "$(id -u)" = 0 ] || { fail setup "must run as root (debootstrap, chroot)"; finish; }
for t in git lintian tar; do
	command -v "$t" >/dev/null || { fail setup "$t missing"; finish; }
done
if ! command -v debootstrap >/dev/null; then
	DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -o DPkg::Lock::Timeout=600 \
	    install -y -q --no-install-recommends debootstrap >/dev/null 2>&1 ||
	    { fail setup "apt-get install debootstrap failed"; finish; }
fi
mkdir -p "$CACHE" "$ARCHIVES/partial" || { fail setup "mkdir $CACHE"; finish; }
ROOT=$(mktemp -d /var/tmp/authmilter-cleanroot.XXXXXX) || { fail setup mktemp; finish; }
chmod 755 "$ROOT"
LOG=$ROOT.log
: >"$LOG"

# ---- 1. the minbase root, from the cache when there is one ------------------------

if [ "${CLEAN_BUILD_REFRESH:-0}" = 1 ] || [ ! -s "$TARBALL" ]; then
	rm -f "$TARBALL"
	if timeout 1200 debootstrap --variant=minbase "$SUITE_NAME" "$ROOT" \
	    "$MIRROR" >>"$LOG" 2>&1; then
		# a tarball of the finished root: the next run only unpacks it
		in_root 60 apt-get clean >>"$LOG" 2>&1
		tar -C "$ROOT" --numeric-owner -czf "$TARBALL.tmp" . &&
		    mv "$TARBALL.tmp" "$TARBALL"
		pass "debootstrap --variant=minbase $SUITE_NAME ($(($(date +%s) - T0)) s, cached)"
	else
		tail -n 20 "$LOG"
		fail debootstrap "failed (log above)"; finish
	fi
else
	if tar -C "$ROOT" --numeric-owner -xzf "$TARBALL" 2>>"$LOG"; then
		pass "minbase $SUITE_NAME root unpacked from $TARBALL"
	else
		fail "unpack root" "tar -xzf $TARBALL failed"; finish
	fi
fi
for f in etc/os-release usr/bin/apt-get; do
	[ -e "$ROOT/$f" ] || { fail "root" "no /$f in it"; finish; }
done
# a minbase root has no compiler: nothing of the host leaks in
if [ -e "$ROOT/usr/bin/gcc" ] || [ -e "$ROOT/usr/bin/dpkg-buildpackage" ]; then
	fail "root is minimal" "gcc or dpkg-dev already there"
fi

cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
# no daemon may start inside the root
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
echo 'APT::Install-Recommends "false";' >"$ROOT/etc/apt/apt.conf.d/99norecommends"
cb_mount -t proc proc "$ROOT/proc" || { fail setup "mount proc"; finish; }
mkdir -p "$ROOT/dev/pts"
cb_mount -t devpts devpts "$ROOT/dev/pts" || { fail setup "mount devpts"; finish; }
cb_mount --bind "$ARCHIVES" "$ROOT/var/cache/apt/archives" ||
    { fail setup "bind mount $ARCHIVES"; finish; }

# ---- 2. build-essential and the Build-Depends, nothing else ----------------------

VERSION=$(sed -n '1s/.*(\([^)]*\)).*/\1/p' "$REPO/debian/changelog")
SRC=/build/authmilter-$VERSION
mkdir -p "$ROOT$SRC"
(cd "$REPO" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
    tar -xf - -C "$ROOT$SRC" || { fail setup "copy of the tree"; finish; }

t=$(date +%s)
if in_root 900 apt-get update -q >>"$LOG" 2>&1 &&
    in_root 1200 apt-get install -y -q build-essential >>"$LOG" 2>&1; then
	pass "apt-get install build-essential ($(($(date +%s) - t)) s)"
else
	tail -n 20 "$LOG"; fail "build-essential" "apt-get failed"; finish
fi
t=$(date +%s)
if in_root 1200 apt-get build-dep -y -q "$SRC" >>"$LOG" 2>&1; then
	pass "apt-get build-dep of debian/control ($(($(date +%s) - t)) s)"
else
	tail -n 20 "$LOG"; fail "build-dep" "apt-get build-dep failed"; finish
fi

# ---- 3. the build ------------------------------------------------------------------

t=$(date +%s)
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2}
if in_root 1800 /bin/sh -c "cd $SRC && dpkg-buildpackage -us -uc -b" \
    >"$ROOT.build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($DEB_BUILD_OPTIONS, $(($(date +%s) - t)) s)"
else
	tail -n 40 "$ROOT.build.log"
	fail "dpkg-buildpackage" "failed in the clean root: $(grep -m 3 -E \
	    'configure: error|^(FAIL|ERROR):|error:' "$ROOT.build.log" | tr '\n' ' ')"
	finish
fi
grep -E '^(PASS|FAIL|# (PASS|FAIL|TOTAL))|: [0-9]+ passed, [0-9]+ failed' \
    "$ROOT.build.log" | tail -n 3
# the first match of each; an unmatched glob stays as written: no such file
found=("$ROOT"/build/authmilter_"$VERSION"_*.changes)
CHANGES=${found[0]}
found=("$ROOT"/build/authmilter_"$VERSION"_*.deb)
DEB=${found[0]}
if [ -f "$CHANGES" ] && [ -f "$DEB" ]; then
	pass "built $(basename "$DEB")"
else
	fail "build result" "no .changes or .deb in /build"; finish
fi

# ---- 4. lintian ---------------------------------------------------------------------

timeout 600 lintian --no-tag-display-limit "$CHANGES" >"$ROOT.lintian" 2>&1
if grep -E '^[EW]: ' "$ROOT.lintian"; then
	fail lintian "errors or warnings (above)"
else
	pass "lintian on the .changes: no errors, no warnings"
fi
finish
