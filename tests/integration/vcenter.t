#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# drover vcenter check|inventory|trust against a private lab.
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require
[ -x "${DROVER:?}" ] || skip_all "drover is not built"

ok "lab up" lab_up --vms 2 --hosts 2
cfg=$LAB_STATE/xdg
ok "lab env --drover-config" sh -c "LAB_VCSIM='$(lab_vcsim)' bash '$LAB' env --state '$LAB_STATE' --drover-config '$cfg' >/dev/null"
export XDG_CONFIG_HOME=$cfg XDG_STATE_HOME=$LAB_STATE/xdg-state
vcfg=$cfg/drover/vcenters.cfg

out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 0 "vcenter check succeeds with the pin"
ok "check names the product" grep -q 'VMware vCenter Server' <<<"$out"
ok "check shows the pin" grep -qF "$LAB_PIN" <<<"$out"
ok "check shows the TLS policy" grep -q 'public-key pin' <<<"$out"
no_password() { ! grep -qF "$LAB_PASSWORD" <<<"$out"; }
ok "the password is not printed" no_password
json=$("$DROVER" vcenter check lab -o json)
is "$(jq -r .api_type <<<"$json")" VirtualCenter "check -o json: api_type"
is "$(jq -r .tls.pin <<<"$json")" "$LAB_PIN" "check -o json: pin"

inv=$("$DROVER" vcenter inventory lab -o json); rc=$?
is "$rc" 0 "vcenter inventory -o json"
lab_inv=$LAB_STATE/inventory.json
is "$(jq '.hosts | length' <<<"$inv")" "$(jq '.HostSystem | length' "$lab_inv")" "host count"
is "$(jq -r '[.templates[].name] | join(",")' <<<"$inv")" "$LAB_TEMPLATE" "the template"
is "$(jq '(.vms | length) + (.templates | length)' <<<"$inv")" "$(jq '.VirtualMachine | length' "$lab_inv")" "VM count"
is "$(jq -r '[.datastores[] | select(.free_space > 0) | .name] | join(",")' <<<"$inv")" "$LAB_DATASTORE" "datastore with free space"
is "$(jq -r '[.resource_pools[].name] | map(select(. == "kubernetes")) | length' <<<"$inv")" 1 "the kubernetes pool"
table=$("$DROVER" vcenter inventory lab)
ok "table lists the template" grep -qE "^template +$LAB_TEMPLATE " <<<"$table"
ok "table lists datastore free space" grep -qE "^datastore +$LAB_DATASTORE .*GiB free of" <<<"$table"
# Columns line up however long a name or id is (the lab's cluster ids are long).
aligned() {
    awk 'NR == 1 { id = index($0, " ID ") + 1; dc = index($0, " DATACENTER ") + 1; next }
         substr($0, id - 2, 2) != "  " || substr($0, id, 1) == " " ||
         substr($0, dc - 2, 2) != "  " || substr($0, dc, 1) == " " { bad = 1; print "misaligned: " $0 }
         END { exit bad }' <<<"$table"
}
ok "table columns are aligned" aligned

# Without a pin the lab's self-signed certificate is refused ...
sed -i '/pin = /d' "$vcfg"
out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 1 "check without a pin fails"
ok "with a TLS error" grep -q 'TLS' <<<"$out"
# ... trust shows it, and --yes pins it.
out=$("$DROVER" vcenter trust lab 2>&1); rc=$?
is "$rc" 0 "trust shows the certificate"
ok "trust prints the pin" grep -qF "Pin:          $LAB_PIN" <<<"$out"
ok "trust prints the fingerprint" grep -qF "$LAB_CERT_SHA256" <<<"$out"
ok "trust says it is not trusted yet" grep -q 'Trusted:      no' <<<"$out"
ok "trust without --yes changes nothing" sh -c "! grep -q 'pin = ' '$vcfg'"
q() { "$@" >/dev/null 2>&1; }
ok "trust --yes" q "$DROVER" vcenter trust lab --yes
ok "vcenters.cfg now pins the key" grep -qF "\"$LAB_PIN\"" "$vcfg"
is "$(stat -c %a "$vcfg")" 600 "vcenters.cfg stays 0600"
ok "check succeeds again" q "$DROVER" vcenter check lab

# insecure = true works, but only when written, and never silently.
cp "$vcfg" "$vcfg.pinned"
sed -i -e '/pin = /d' -e 's/timeout = 60;/timeout = 60; insecure = true;/' "$vcfg"
out=$("$DROVER" vcenter check lab 2>"$LAB_STATE/err"); rc=$?
is "$rc" 0 "check with insecure = true succeeds"
ok "the policy says insecure" grep -q '^TLS policy:   insecure' <<<"$out"
ok "stderr warns that the certificate is not verified" grep -q 'vCenter lab has insecure = true: its certificate is not verified' "$LAB_STATE/err"
out=$("$DROVER" -v vcenter check lab 2>&1 >/dev/null)
ok "the log warns too" grep -q 'warn: vCenter lab: TLS verification is off' <<<"$out"
# Pinning the key replaces insecure = true (the two cannot stand together).
out=$("$DROVER" vcenter trust lab --yes 2>&1); rc=$?
is "$rc" 0 "trust --yes on an insecure vCenter"
ok "says insecure is gone" grep -q 'insecure = true is gone' <<<"$out"
ok "vcenters.cfg pins the key" grep -qF "\"$LAB_PIN\"" "$vcfg"
ok "and has no insecure = true" sh -c "! grep -q 'insecure' '$vcfg'"
out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 0 "check verifies with the new pin"
ok "the policy is the pin" grep -q '^TLS policy:   public-key pin' <<<"$out"
cp "$vcfg.pinned" "$vcfg"

# Wrong password: a clear InvalidLogin.
sed -i "s/password = \".*\";/password = \"wrong\";/" "$vcfg"
out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 1 "check with a wrong password fails"
ok "with InvalidLogin" grep -q 'InvalidLogin' <<<"$out"
out=$("$DROVER" vcenter check nosuch 2>&1); rc=$?
is "$rc" 1 "an unknown vCenter name fails"
ok "naming it" grep -q "nosuch" <<<"$out"
"$DROVER" vcenter frobnicate lab >/dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown subcommand is a usage error"

# A vcenters.cfg that does not load: the reason, not "no vCenter named".
chmod 644 "$vcfg"
out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 1 "check with a group-readable vcenters.cfg fails"
ok "naming the permission problem" grep -q "vcenters.cfg did not load: vcenters.cfg: permissions 0644 are too open" <<<"$out"
chmod 600 "$vcfg"

# A url that is not the SDK endpoint: the hint says where it usually is.
cp "$vcfg" "$vcfg.good"
sed -i 's|/sdk"|/ui"|' "$vcfg"
out=$("$DROVER" vcenter check lab 2>&1); rc=$?
is "$rc" 1 "check against a url without the SDK fails"
ok "saying the url should end in /sdk" grep -q 'HTTP status 404: no vSphere SDK there (the url of a vCenter ends in /sdk)' <<<"$out"
cp "$vcfg.good" "$vcfg"

# Read-only mode never rewrites vcenters.cfg.
sed -i '/pin = /d' "$vcfg"
out=$("$DROVER" --read-only vcenter trust lab --yes 2>&1); rc=$?
is "$rc" 1 "trust --yes in read-only mode fails"
ok "saying so" grep -q 'read-only mode: vcenters.cfg not changed' <<<"$out"
ok "and vcenters.cfg still has no pin" sh -c "! grep -q 'pin = ' '$vcfg'"

# A stopped vCenter: every command exits 1 with the connection error.
lab_down
for sub in check inventory trust; do
    out=$("$DROVER" vcenter $sub lab 2>&1); rc=$?
    is "$rc" 1 "vcenter $sub against a stopped lab fails"
    ok "vcenter $sub names the server and CONNECT" grep -qE "^drover: $LAB_URL: .*\(CONNECT\)$" <<<"$out"
done

done_testing
