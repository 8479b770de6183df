#!/bin/sh
# Field case B (version tags): after installing, the k3s and rke2 recipes
# compare the installed version (`k3s --version`, `rke2 --version`) with the
# cluster's and fail naming both. The check runs for real against stand-in
# binaries that print what the real ones print.
: "${top_srcdir:?}"
n=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drover-recipe-version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

result() {  # result DESCRIPTION STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi
}
# stand_in DIST VERSION: a bin folder whose DIST prints VERSION like the real one.
stand_in() {
    mkdir -p "$tmp/$1-$2"
    cat >"$tmp/$1-$2/$1" <<EOS
#!/bin/sh
[ "\$1" = --version ] || exit 2
echo "$1 version $2 (4f3e2d1c)"
echo "go version go1.22.5"
EOS
    chmod 755 "$tmp/$1-$2/$1"
    echo "$tmp/$1-$2"
}
# check DIST BIN_DIR WANT: run the recipe's check; output in $tmp/out.
check() {
    PATH="$2:/usr/bin:/bin" sh "$top_srcdir/data/bootstrap/$1.sh" --check-version "$3" \
        >"$tmp/out" 2>&1
}

# each DIST WANT OTHER
each() {
    dist=$1 want=$2 other=$3
    bin=$(stand_in "$dist" "$want")
    check "$dist" "$bin" "$want"
    result "$dist: the wanted version installed passes" $?
    bin=$(stand_in "$dist" "$other")
    check "$dist" "$bin" "$want"; code=$?
    if [ "$code" -eq 2 ]; then st=0; else st=1; fi
    result "$dist: another installed version fails with status 2 (wrong inputs: not retried)" $st
    if grep -qxF "$dist recipe: installed $dist is $other, but the cluster asks for $want" \
        "$tmp/out"; then st=0; else st=1; sed 's/^/# /' "$tmp/out"; fi
    result "$dist: naming both versions" $st
    if [ -e "/usr/local/bin/$dist" ]; then
        echo "ok $((n += 1)) - # SKIP $dist is installed on this machine"
    else
        if ! check "$dist" "$tmp/empty" "$want" &&
            grep -q "cannot tell the installed $dist version" "$tmp/out"; then st=0; else st=1; fi
        result "$dist: no binary at all fails too" $st
    fi
    check "$dist" "$bin" ""
    result "$dist: no version asked: what is installed is fine" $?
}
each k3s v1.30.4+k3s1 v1.30.5+k3s1
each rke2 v1.30.4+rke2r1 v1.31.0+rke2r2

echo "1..$n"
[ "$failed" -eq 0 ]
