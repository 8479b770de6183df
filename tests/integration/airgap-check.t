#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The airgap bundle check of preflight (check bundle) runs whenever the
# cluster's recipe is drover's own k3s recipe, known by its marker line
# ("# drover-recipe: k3s"), not by its path: lab-cluster.cfg as `lab env`
# writes it (recipe = the source tree's data/bootstrap/k3s.sh, no
# DROVER_DATA_DIR, nothing installed) and a copy of the recipe elsewhere are
# checked alike. A bundle without k3s, a file that is no tar, a bundle
# without the CPI/CSI charts (cloud_provider = "vsphere") are refused at
# airgap_bundle's file:line, and apply clones nothing. A recipe without the
# marker (the user's own) is not judged. A bundle path that does not exist
# is said once, with its line, with or without DROVER_DATA_DIR.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
unset DROVER_DATA_DIR

eng_setup
recipe=$(sed -n 's/^recipe = "\(.*\)";$/\1/p' "$CFG")
ok "lab env wrote the source tree's k3s recipe into lab-cluster.cfg" \
    test "$recipe" -ef "$top_srcdir/data/bootstrap/k3s.sh"
diag "recipe = $recipe"
bundle=$(sed -n 's/^airgap_bundle = "\(.*\)";$/\1/p' "$CFG")
ok "and the lab's airgap bundle" test -f "$bundle"
mkdir -p "$W/b" && tar xzf "$bundle" -C "$W/b"
ok "that bundle holds k3s, install.sh and the charts" \
    test -f "$W/b/k3s" -a -f "$W/b/install.sh" -a -f "$W/b/charts/rancher-vsphere-cpi.tgz"
ok "preflight passes with the lab's bundle as it is" to "$W/pf-ok.out" "$DROVER" preflight -f "$CFG"
nok "with no finding of check bundle" grep -q "airgap_bundle" "$W/pf-ok.out"

# bad_bundle NAME WHAT PATTERN [extra cluster lines]: lab-cluster.cfg with
# airgap_bundle = NAME is refused by preflight and apply at its line.
bad_bundle() {
    local name=$1 what=$2 pat=$3 spec=$W/spec-$4/lab-cluster.cfg line
    mkdir -p "${spec%/*}"
    sed "s|^airgap_bundle = .*|airgap_bundle = \"$name\";|" "$CFG" >"$spec"
    [ -n "${5:-}" ] && printf '%s\n' "$5" >>"$spec"
    line=$(grep -n '^airgap_bundle' "$spec" | cut -d: -f1)
    nok "$what: preflight refuses it" to "$W/pf-$4.out" "$DROVER" preflight -f "$spec"
    ok "$what: an error of check bundle at airgap_bundle's line ($line)" \
        grep -qE "^ *error +bundle +[^ ]*lab-cluster.cfg:$line: airgap_bundle: $pat" "$W/pf-$4.out"
    grep -q "error *bundle" "$W/pf-$4.out" || diag "$(cat "$W/pf-$4.out")"
    nok "$what: apply refuses it" to "$W/ap-$4.out" "$DROVER" apply -f "$spec"
    is "$(owned_count)" 0 "$what: apply created no VM"
}

(cd "$W/b" && tar czf "$W/nok3s.tar.gz" install.sh charts)
bad_bundle "$W/nok3s.tar.gz" "a bundle without k3s" "the airgap bundle has no k3s: drover's k3s recipe" nok3s
head -c 4096 /dev/urandom >"$W/junk.tar.gz"
bad_bundle "$W/junk.tar.gz" "a file that is no tar archive" "cannot read $W/junk.tar.gz as a tar archive" junk
(cd "$W/b" && tar czf "$W/nocharts.tar.gz" --exclude=charts .)
bad_bundle "$W/nocharts.tar.gz" "cloud_provider = vsphere, a bundle without the charts" \
    "the airgap bundle has no charts/rancher-vsphere-cpi.tgz, charts/rancher-vsphere-csi.tgz" \
    nocharts 'cloud_provider = "vsphere";
vsphere = { vcenter = "lab"; };'

# A copy of drover's recipe elsewhere is drover's recipe all the same.
cp "$top_srcdir/data/bootstrap/k3s.sh" "$W/my-k3s.sh"
spec=$W/spec-copy/lab-cluster.cfg && mkdir -p "${spec%/*}"
sed -e "s|^airgap_bundle = .*|airgap_bundle = \"$W/nok3s.tar.gz\";|" \
    -e "s|^recipe = .*|recipe = \"$W/my-k3s.sh\";|" "$CFG" >"$spec"
nok "a copy of the k3s recipe: preflight refuses the bundle without k3s" to "$W/pf-copy.out" \
    "$DROVER" preflight -f "$spec"
ok "naming airgap_bundle's line" \
    grep -qE "lab-cluster.cfg:[0-9]+: airgap_bundle: the airgap bundle has no k3s" "$W/pf-copy.out"
# A recipe of the user's own (no marker): what it needs is not known.
sed -i "s|^recipe = .*|recipe = \"$top_srcdir/data/bootstrap/test.sh\";|" "$spec"
"$DROVER" preflight -f "$spec" >"$W/pf-own.out" 2>&1
nok "a recipe without the marker: its bundle is not judged" grep -q "airgap_bundle" "$W/pf-own.out"

# A bundle that does not exist: once, with its line.
spec=$W/spec-none/lab-cluster.cfg && mkdir -p "${spec%/*}"
sed "s|^airgap_bundle = .*|airgap_bundle = \"$W/no-such.tar.gz\";|" "$CFG" >"$spec"
line=$(grep -n '^airgap_bundle' "$spec" | cut -d: -f1)
nok "a bundle that does not exist: preflight refuses it" to "$W/pf-none.out" "$DROVER" preflight -f "$spec"
is "$(grep -c "airgap_bundle" "$W/pf-none.out")" 1 "said once"
ok "as lab-cluster.cfg:$line: airgap_bundle: cannot read ..." \
    grep -qF "lab-cluster.cfg:$line: airgap_bundle: cannot read $W/no-such.tar.gz" "$W/pf-none.out"
DROVER_DATA_DIR=$top_srcdir/data "$DROVER" preflight -f "$spec" >"$W/pf-none2.out" 2>&1
is "$(grep -c "airgap_bundle" "$W/pf-none2.out")" 1 "said once with DROVER_DATA_DIR set too"
nok "apply refuses it" to "$W/ap-none.out" "$DROVER" apply -f "$spec"
is "$(owned_count)" 0 "and created no VM"
done_testing
