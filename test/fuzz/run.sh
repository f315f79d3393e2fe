#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Build the libFuzzer targets with clang (ASan + UBSan) and run each one.
#   test/fuzz/run.sh [SECONDS] [TARGET...]     default 10 s, every target
# Seeds: test/fuzz/corpus/<target>/ (new finds stay in a temp copy unless
# FUZZ_KEEP=1). A crash leaves crash-* in the build dir: make it a
# regression case under test/fuzz/regress/<target>/ and a unit test.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
[ $# -gt 0 ] && shift
targets=${*:-"authres rfc5322 from tags spf_syntax spf_macro dmarc_record arc
    pipeline report_dest dkim dkim_pair dkim_key dns spf_term dnstext
    ingest_dmarc ingest_tlsrpt
    ingest_mime bimi_record bimi_svg bimi_cert redact"}
out=${FUZZ_BUILD:-$top/test/fuzz/build}
mkdir -p "$out"

pqflags=$(pkg-config --cflags libpq libxml-2.0)

# fuzz_cc ARG...: clang with ASan, UBSan and the coverage of libFuzzer
fuzz_cc() {
	# shellcheck disable=SC2086  # $pqflags: pkg-config's list of flags
	clang -g -O1 -std=c11 -D_GNU_SOURCE \
	    -fsanitize=fuzzer-no-link,address,undefined \
	    -I"$top/lib" -I"$top" $pqflags "$@"
}

# fuzz_link TARGET ARG...: link fuzz_TARGET with the library objects
fuzz_link() {
	t=$1
	shift
	fuzz_cc -fsanitize=fuzzer "$@" "$top/test/fuzz/fuzz_$t.c" \
	    "$top/test/fuzz/fuzzlib.c" ./*.o -lspf2 -lunbound -lconfig -lidn2 \
	    -lopendkim -lopendmarc -lcrypto -lsqlite3 -lpq -lz -lcurl -lxml2 \
	    -lzip -ljson-c \
	    -lpthread \
	    -o "fuzz_$t"
}

cd "$out" || exit 1
for f in "$top"/lib/*/*.c; do
	fuzz_cc -c "$f" -o "$(basename "$f" .c).o" || exit 1
done

pass=0 fail=0
for t in $targets; do
	# fuzz_dns brings its own resolver_query(): its definition, first
	# on the line, wins over lib/dns/resolver.c's
	if [ "$t" = dns ]; then
		fuzz_link "$t" -Wl,--allow-multiple-definition
	else
		fuzz_link "$t"
	fi || { fail=$((fail + 1)); continue; }
	corpus=$(mktemp -d)
	cp "$top/test/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null
	regress="$top/test/fuzz/regress/$t"
	# known crashers must stay fixed
	if [ -d "$regress" ] && ! "./fuzz_$t" "$regress"/* >/dev/null 2>&1; then
		echo "FAIL fuzz_$t: a regression input crashes again"
		fail=$((fail + 1)); rm -rf "$corpus"; continue
	fi
	if "./fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 "$corpus" > "fuzz_$t.log" 2>&1; then
		echo "PASS fuzz_$t ($secs s, $(grep -o 'cov: [0-9]*' "fuzz_$t.log" | tail -1))"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$t: see $out/fuzz_$t.log"; tail -30 "fuzz_$t.log"
		fail=$((fail + 1))
	fi
	[ "${FUZZ_KEEP:-0}" = 1 ] && cp "$corpus"/* "$top/test/fuzz/corpus/$t/" 2>/dev/null
	rm -rf "$corpus"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
