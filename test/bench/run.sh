#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/bench/run.sh - the whole benchmark in one command (not part of CI).
#
#   sudo test/bench/run.sh [-n MESSAGES] [-r REPS] [--only LIST] [-o FILE]
#
# -n: messages per run (default 5000, the whole corpus); the corpus has
# $BENCH_CORPUS_SIZE messages (default 5000).
# Installs what it needs (Debian 12: postfix, opendkim, opendmarc, nsd,
# python3-dkim ...), builds authmilter and test/load/milterload, generates
# the corpus once (cached in $BENCH_CORPUS, default
# /var/tmp/authmilter-bench-corpus-SIZE), then runs bench.py in a private
# network and mount namespace: loopback only, NSD on 127.0.0.1:53 of that
# namespace, the stub resolvers of opendkim/opendmarc pointed at it by a
# bind mount of /etc/resolv.conf that only the namespace sees, and every
# spool and socket on a tmpfs. Everything it starts is stopped by pid; the
# namespace vanishes with it. Results: Markdown to -o FILE (default
# test/bench/last-run.md) and stdout; copy them into RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=5000 reps=3 only="" out="$here/last-run.md"
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-r) reps=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	*) echo "usage: $0 [-n MESSAGES] [-r REPS] [--only LIST] [-o FILE]" >&2
	   exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root (Postfix, namespaces)" >&2; exit 2; }

BENCH_DEPS="postfix opendkim opendmarc nsd python3-dkim python3-nacl
 python3-authres python3-cryptography python3-yaml bind9-dnsutils openssl
 util-linux iproute2 publicsuffix"
need=""
for p in $BENCH_DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "bench: installing$need" >&2
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=900 update -qq
	# shellcheck disable=SC2086  # $need: a list of package names
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
	    --no-install-recommends $need >/dev/null
fi
sh "$top/test/setup.sh" >&2
# setup.sh's make builds test/load/milterload too
[ -x "$top/test/load/milterload" ] || echo "bench: no test/load/milterload" >&2

size=${BENCH_CORPUS_SIZE:-5000}
corpus=${BENCH_CORPUS:-/var/tmp/authmilter-bench-corpus-$size}
if [ ! -s "$corpus/corpus.json" ]; then
	echo "bench: generating $size messages in $corpus" >&2
	rm -rf "$corpus"
	/usr/bin/python3 "$here/gencorpus.py" "$corpus" -n "$size" >&2
fi

work=$(mktemp -d /tmp/authmilter-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2016  # the script expands its own $1, $2...
unshare --net --mount --propagation private bash -c '
	set -eu
	ip link set lo up
	mount -t tmpfs -o size=2g,mode=755 tmpfs "$1"
	cp -r "$2" "$1/corpus"
	shift 2
	exec /usr/bin/python3 "$@"
' bench "$work" "$corpus" "$here/bench.py" "$work" --messages "$n" --reps "$reps" \
    ${only:+--only "$only"} --out "$out"
