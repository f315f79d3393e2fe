#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install what authmilter needs to build and test (Debian 12), then build.
# Used by the README quick start (test/demo.sh, test/run-all.sh) and CI.
# Set AUTHMILTER_NO_APT=1 to skip apt-get (packages already there).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

BUILD_DEPS="build-essential autoconf automake pkg-config libmilter-dev
 libspf2-dev libopendkim-dev libopendmarc-dev libssl-dev libconfig-dev
 libunbound-dev libidn2-dev libmicrohttpd-dev publicsuffix dns-root-data
 libsqlite3-dev libpq-dev zlib1g-dev libsystemd-dev libcurl4-openssl-dev
 libxml2-dev libzip-dev libjson-c-dev"
TEST_DEPS="clang miltertest python3 python3-yaml python3-dnslib python3-dkim
 python3-nacl python3-authres bind9-dnsutils python3-prometheus-client
 curl debhelper dpkg-dev fakeroot lintian libxml2-utils postgresql valgrind
 dovecot-sieve shellcheck cppcheck python3-pyflakes ldnsutils nsd openssl
 chromium chromium-driver python3-selenium sqlite3 iproute2
 python3-cryptography"

need=""
for p in $BUILD_DEPS $TEST_DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ] && [ "${AUTHMILTER_NO_APT:-0}" != 1 ]; then
	echo "setup: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=900 update -qq
	# shellcheck disable=SC2086  # $need: a list of package names
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $need >/dev/null
fi

cd "$top"
# configure is older than configure.ac: find prints the name (POSIX sh has
# no -nt)
if [ ! -x configure ] || [ -n "$(find configure.ac -newer configure)" ]; then
	autoreconf -fi >/dev/null 2>&1
fi
if [ ! -f Makefile ]; then
	# shellcheck disable=SC2086  # CONFIGURE_FLAGS: options, split on purpose
	./configure --enable-werror ${CONFIGURE_FLAGS:-} >/dev/null
fi
make -j"$(nproc)" >/dev/null
echo "setup: built $top/milter/authmilter"
