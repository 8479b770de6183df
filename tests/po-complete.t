#!/bin/sh
# Every source file that marks strings with _() or N_() must be listed in
# po/POTFILES.in, or xgettext never sees its strings and they are never offered
# for translation. Every listed file must exist, or update-po fails.
# Untranslated strings are not checked here: a new string is fine until the
# translator merges it (make -C po update-po).
: "${top_srcdir:?}"
cd "$top_srcdir" || exit 1
listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' po/POTFILES.in | sort -u)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files -- 'src/*.c' 'src/*.h' 'screens/*.c' 'screens/*.h')
else
    files=$(find src screens -name '*.[ch]' | sort)
fi
missing= absent= marked=0
for f in $files; do
    grep -q -E '\b(N)?_\(' "$f" || continue
    marked=$((marked + 1))
    printf '%s\n' "$listed" | grep -qxF "$f" || missing="$missing $f"
done
for f in $listed; do
    [ -f "$f" ] || absent="$absent $f"
done
echo "1..2"
if [ -z "$missing" ]; then
    echo "ok 1 - all $marked files with _() or N_() are in po/POTFILES.in"
else
    echo "not ok 1 - files with _() or N_() missing from po/POTFILES.in"
    for f in $missing; do echo "# add $f to po/POTFILES.in, then make -C po update-po"; done
fi
if [ -z "$absent" ]; then
    echo "ok 2 - every file po/POTFILES.in lists exists"
else
    echo "not ok 2 - po/POTFILES.in lists files that do not exist"
    for f in $absent; do echo "# $f"; done
fi
[ -z "$missing" ] && [ -z "$absent" ]
