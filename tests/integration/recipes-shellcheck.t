#!/bin/sh
# The bootstrap recipes run on every node with /bin/sh: they must pass
# shellcheck as POSIX sh, warnings included.
: "${top_srcdir:?}"
command -v shellcheck >/dev/null || { echo "1..0 # SKIP shellcheck is not installed"; exit 0; }
n=0 failed=0
for f in "$top_srcdir"/data/bootstrap/*.sh; do
    n=$((n + 1))
    if out=$(shellcheck -s sh -S info "$f" 2>&1); then
        echo "ok $n - shellcheck $(basename "$f")"
    else
        echo "not ok $n - shellcheck $(basename "$f")"
        printf '%s\n' "$out" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
done
for f in "$top_srcdir"/data/bootstrap/*.sh; do
    n=$((n + 1))
    if sh -n "$f"; then
        echo "ok $n - $(basename "$f") parses with sh -n"
    else
        echo "not ok $n - $(basename "$f") parses with sh -n"
        failed=$((failed + 1))
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
