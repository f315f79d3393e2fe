#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test/package/docs.sh - the documents are right (suite docs). For each
# man page man/*.[158]:
#   - groff -man -Tutf8 -ww (all warnings) prints no warning or error;
#   - man -l prints no warning and the text has no stray quote: in a roff
#     macro line a '"' inside a quoted argument ends it, so a default
#     written "..." inside .BR "..." came out as 'default ")' or with the
#     quotes shifted. Checked on the rendered text: no 'default ")' or
#     'default word")', no 'default "' left open, and an even number of '"' in every
#     paragraph (a '"' that belongs to the text must be written \(dq so
#     that it pairs);
#   - every path of the tree and every authmilter man page that README,
#     debian/README.source and debian/README.Debian name exists (build
#     outputs excepted: BUILT below);
#   - the shipped config's advice for Debian's chrooted Postfix names the
#     socket and smtpd_milters value README gives.
# Ends with "docs: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PASSED=0 FAILED=0
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }

for t in groff man col; do
	command -v "$t" >/dev/null || { fail setup "$t missing (apt-get install groff man-db bsdextrautils)"; }
done
[ "$FAILED" = 0 ] || { echo "docs: $PASSED passed, $FAILED failed"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pages=("$REPO"/man/*.[158])
[ -e "${pages[0]}" ] || { fail pages "no man/*.[158]"; }

for p in "${pages[@]}"; do
	name=$(basename "$p")
	if groff -man -Tutf8 -ww -z "$p" >"$tmp/groff.err" 2>&1 && [ ! -s "$tmp/groff.err" ]; then
		pass "$name: groff -man -ww, no warnings"
	else
		fail "$name: groff -man -ww" "$(head -n 5 "$tmp/groff.err")"
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>"$tmp/man.err" |
	    col -b >"$tmp/page.txt"
	if [ -s "$tmp/man.err" ] || [ ! -s "$tmp/page.txt" ]; then
		fail "$name: man -l" "$(head -n 5 "$tmp/man.err")"
		continue
	fi
	# one paragraph a line (blank lines end one), spaces squeezed
	bad=$(awk '
	    function check(t) {
		if (t == "") return
		n = gsub(/"/, "\"", t)
		if (t ~ /default "\)/ || t ~ /default [^"( ]+"\)/ || t ~ /"\)"/ ||
		    t ~ /default "[^"]*$/ || n % 2)
			print substr(t, 1, 160)
	    }
	    /^[[:space:]]*$/ { check(par); par = ""; next }
	    { sub(/^[[:space:]]+/, ""); par = par (par == "" ? "" : " ") $0 }
	    END { check(par) }' "$tmp/page.txt")
	if [ -z "$bad" ]; then
		pass "$name: man -l, no stray quotes"
	else
		fail "$name: stray quotes" "$bad"
	fi
done

# files named by README and debian/README.* must exist; BUILT are made by
# the build (make; test/fuzz/run.sh), not shipped in the tree
BUILT=" test/load/milterload test/fuzz/build "
# paths of the tree: a known top folder, then a path; man pages as name(N)
TOP='\.ci|conf|debian|doc|man|milter|lib|check|report|keygen|test'
PATH_RE="(^|[ (])($TOP)/[A-Za-z0-9_.*/-]*[A-Za-z0-9_*]"
missing=''
for doc in README debian/README.source debian/README.Debian; do
	# into files, not "< <(...)": that needs /dev/fd, which a build
	# chroot without /proc lacks, and the loop would then check nothing
	grep -o -E "$PATH_RE" "$REPO/$doc" | sed -E 's/^[ (]//' | sort -u >"$tmp/paths"
	grep -o -E '\bauthmilter[a-z.-]*\([158]\)' "$REPO/$doc" | sort -u >"$tmp/pages"
	while read -r f; do
		[[ $BUILT == *" $f "* ]] && continue
		# shellcheck disable=SC2086  # a glob such as test/unit/t_*.c
		set -- "$REPO"/$f
		[ -e "$1" ] || missing+=" $doc:$f"
	done <"$tmp/paths"
	while read -r m; do
		page=${m%(*}.${m: -2:1}
		[ -f "$REPO/man/$page" ] || missing+=" $doc:$m"
	done <"$tmp/pages"
done
if [ -z "$missing" ]; then
	pass "README and debian/README.* name only files that exist"
else
	fail "files named in README and debian/README.*" "missing:$missing"
fi

# conf/authmilter.conf's comment on the chrooted Postfix says what README
# "Install on Debian" says: the socket in the spool, relative smtpd_milters
conf=$REPO/conf/authmilter.conf
sock=$(grep -o -E '^ *#.*"unix:/var/spool/postfix/[^"]*"' "$conf" | sed -E 's/.*"(unix:[^"]*)"/\1/')
sm=$(grep -o -E '^ *#.*smtpd_milters = [^ ]+' "$conf" | sed -E 's/.*(smtpd_milters = [^ ]+)/\1/')
if [ -z "$sock" ] || [ -z "$sm" ]; then
	fail "config comment on chrooted Postfix" "no spool socket or smtpd_milters in $conf"
elif ! grep -q -F "milter.socket =" "$REPO/README" ||
    ! grep -q -F "\"$sock\"" "$REPO/README" || ! grep -q -F "$sm" "$REPO/README"; then
	fail "config comment on chrooted Postfix" "'$sock' / '$sm' not what README says"
else
	pass "config comment on chrooted Postfix matches README ($sock, $sm)"
fi
echo "docs: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
