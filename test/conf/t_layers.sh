#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t_layers - the one-way layering of lib/ (doc/architecture.md): a file in
# lib/LAYER may include only headers of its own layer or of the layers
# below it, names every project header by its folder, and nothing under
# lib/ includes libmilter (only the programs in milter/ speak the milter
# protocol). Ends with "t_layers: N passed, N failed".
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
order="util mail dns auth report core"
pass=0 fail=0

rank() {
	i=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99
}

for f in "$top"/lib/*/*.[ch]; do
	layer=$(basename "$(dirname "$f")")
	own=$(rank "$layer")
	rel=${f#"$top"/}
	if [ "$own" = 99 ]; then
		echo "FAIL $rel: lib/$layer is not a layer ($order)"
		fail=$((fail + 1)); continue
	fi
	bad=""
	if grep -q '^#include <libmilter/' "$f"; then
		bad="$bad libmilter"
	fi
	incs=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	while read -r inc; do
		case $inc in
		'' | autoconf.h) continue ;;
		*/*) ;;
		*) bad="$bad $inc(no folder)"; continue ;;
		esac
		r=$(rank "${inc%%/*}")
		if [ "$r" -gt "$own" ]; then
			bad="$bad $inc(higher layer)"
		fi
	done <<EOF
$incs
EOF
	if [ -n "$bad" ]; then
		echo "FAIL $rel:$bad"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "t_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
