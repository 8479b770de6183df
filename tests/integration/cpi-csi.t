#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# cloud_provider = "vsphere" (issue 14) through the real engine and the
# real k3s and rke2 recipes (airgap path) against the lab's Kubernetes
# stand-in: a 1 server + 1 agent cluster reaches Active; the manifests the
# recipe left on the server are read with a YAML parser (python3-yaml) and
# compared value by value with the spec and the lab's vCenter; the stand-in
# applied them; every node's kubelet runs with cloud-provider=external (its
# config and the Node's uninitialized taint); the CPI/CSI log in with their
# own vcenters.cfg entry, not drover's; the files holding the password are
# 0600 and it appears nowhere else: not on the node, not in drover's logs,
# not in any process's arguments during the run.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed (scripts/deps)"

eng_setup
echo "sudo=nopasswd k8s=on" >"$LAB_STATE/node-options"
registered() { kc get node "$1" >/dev/null 2>&1; }

# The CPI/CSI's own least-privilege account: a second entry for the same
# vCenter, with a password drover itself never uses.
CSI_USER="k8s-storage@vsphere.local"
CSI_PW="Csi-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-pw"
VCF=$XDG_CONFIG_HOME/drover/vcenters.cfg
CSI_USER=$CSI_USER CSI_PW=$CSI_PW python3 - "$VCF" <<'EOS'
import os, sys
path, user, pw = sys.argv[1], os.environ["CSI_USER"], os.environ["CSI_PW"]
text = open(path).read().rstrip()
assert text.endswith(");")
entry = '    ,{\n        name = "lab-csi";\n        url = "%s";\n        user = "%s";\n        password = "%s";\n        insecure = true;\n    }\n' % (
    [l.split('"')[1] for l in text.splitlines() if l.strip().startswith("url =")][0], user, pw)
open(path + ".tmp", "w").write(text[:-2].rstrip() + "\n" + entry + ");\n")
EOS
chmod 600 "$VCF.tmp" && mv "$VCF.tmp" "$VCF"
ok "the configuration with the second vCenter entry validates" to "$W/validate0.out" "$DROVER" validate

# The CSI driver needs the disks' UUIDs (VMware: disk.EnableUUID): a
# cluster with cloud_provider = "vsphere" whose template lacks it (or sets
# it otherwise) is refused by validate, preflight and apply, before any VM.
TPL=$XDG_CONFIG_HOME/drover/templates/lab.cfg
CL=$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg
mkdir -p "${CL%/*}"
{ cat "$CFG"; printf 'cloud_provider = "vsphere";\nvsphere = { vcenter = "lab-csi"; };\n'; } >"$CL"
nok "validate refuses a template without disk.EnableUUID" to "$W/uuid-validate.out" "$DROVER" validate
ok "naming the template's file:line, extra_config and the fix" \
    grep -q "templates/lab.cfg:[0-9]*: extra_config: .*disk.EnableUUID.*add { key = \"disk.EnableUUID\"; value = \"TRUE\"; }" "$W/uuid-validate.out"
nok "preflight refuses it" to "$W/uuid-preflight.out" "$DROVER" preflight lab-cluster
ok "preflight names the template's file:line, extra_config and disk.EnableUUID" \
    grep -q "templates/lab.cfg:[0-9]*: extra_config: .*disk.EnableUUID" "$W/uuid-preflight.out"
# One fault, one finding (the vCenter side's check of the clone source
# said it again).
is "$(grep -c 'disk.EnableUUID' "$W/uuid-preflight.out")" 1 "said once"
nok "apply refuses it" to "$W/uuid-apply.out" "$DROVER" apply -f "$CL"
is "$(owned_count)" 0 "before any VM is cloned"
printf 'extra_config = ( { key = "disk.EnableUUID"; value = "FALSE"; } );\n' >>"$TPL"
nok "disk.EnableUUID = \"FALSE\" is refused as well" to "$W/uuid-false.out" "$DROVER" validate
sed -i 's/value = "FALSE"/value = "true"/' "$TPL"
ok "\"true\" in any case is accepted" to "$W/uuid-true.out" "$DROVER" validate
sed -i 's/key = "disk.EnableUUID"/key = "DISK.enableuuid"/' "$TPL"
ok "and so is the key in any case (.vmx keys are case-insensitive)" to "$W/uuid-case.out" "$DROVER" validate
sed -i 's/key = "DISK.enableuuid"/key = "disk.EnableUUID"/' "$TPL"

# The CPI/CSI's privileges, asked as their own account: the lab's vCenter
# knows the user (tests/lab/vcsim/users.go) and what it is denied.
(umask 077 && printf '%s %s\n' "$CSI_USER" "$CSI_PW" >"$LAB_STATE/lab-users")
ok "preflight passes with the CPI/CSI account's privileges" to "$W/priv-ok.out" "$DROVER" preflight lab-cluster
printf 'deny-user %s Cns.Searchable\ndeny-user %s Datastore.FileManagement %s\n' \
    "$CSI_USER" "$CSI_USER" "$LAB_DATASTORE" >"$LAB_STATE/lab-facts"
nok "preflight refuses when that account lacks them" to "$W/priv-deny.out" "$DROVER" preflight lab-cluster
ok "naming the cluster file's vsphere block, the account and Cns.Searchable on the root" \
    grep -q "lab-cluster.cfg:[0-9]*: vsphere.vcenter: .*$CSI_USER lacks the privilege Cns.Searchable on the vcenter" "$W/priv-deny.out"
ok "and Datastore.FileManagement on the template's datastore" \
    grep -q "$CSI_USER lacks the privilege Datastore.FileManagement on the datastore" "$W/priv-deny.out"
nok "drover's own account is not blamed" grep -q "$LAB_USER lacks" "$W/priv-deny.out"
printf 'deny-user %s Cns.Searchable\n' "$LAB_USER" >"$LAB_STATE/lab-facts"
ok "drover's own account lacking them does not matter: the cluster's are separate" \
    to "$W/priv-own.out" "$DROVER" preflight lab-cluster
: >"$LAB_STATE/lab-facts"
# The StorageClass's datastore_url must be a datastore the nodes reach: the
# finding names those there are, with their URLs as vCenter has them; the
# run below uses the template's datastore's URL taken from there.
{ cat "$CFG"; printf 'cloud_provider = "vsphere";\nvsphere = { vcenter = "lab-csi";\n  storage_class = { datastore_url = "ds:///vmfs/volumes/no-such/"; }; };\n'; } >"$CL"
nok "preflight refuses a datastore_url no datastore has" to "$W/url.out" "$DROVER" preflight lab-cluster
ok "naming the field and the URL" \
    grep -q "vsphere.storage_class.datastore_url: .*no datastore the nodes' hosts reach has the URL ds:///vmfs/volumes/no-such/" "$W/url.out"
# A placement (no privilege is missing), at the datastore_url line itself,
# not the vsphere block's.
url_line=$(grep -n 'datastore_url' "$CL" | cut -d: -f1)
ok "classed placement, at the datastore_url line ($url_line)" \
    grep -qE "^ *error +placement +[^ ]*lab-cluster.cfg:$url_line: vsphere.storage_class.datastore_url: " "$W/url.out"
DS_URL=$(sed -n "s/.*use one of: .*$LAB_DATASTORE (\(ds:[^)]*\)).*/\1/p" "$W/url.out" | head -1)
ok "and the template's datastore with its URL" test -n "$DS_URL"
[ -n "$DS_URL" ] || diag "$(cat "$W/url.out")"
sed -i "s|ds:///vmfs/volumes/no-such/|$DS_URL|" "$CL"
ok "preflight passes with that URL" to "$W/url-ok.out" "$DROVER" preflight lab-cluster
(umask 077 && printf '%s %s\n' "$CSI_USER" "another-password" >"$LAB_STATE/lab-users")
nok "a CPI/CSI account that cannot log in is refused" to "$W/priv-login.out" "$DROVER" preflight lab-cluster
ok "saying so" grep -q "vsphere.vcenter: .*account $CSI_USER (vCenter entry lab-csi) cannot log in" "$W/priv-login.out"
(umask 077 && printf '%s %s\n' "$CSI_USER" "$CSI_PW" >"$LAB_STATE/lab-users")
rm -f "$CL"

host_of() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.hostname); print(p.port or 443)' "$1"; }
read -r -d '' VC_HOST VC_PORT < <(host_of "$LAB_URL"; printf '\0')

# y2j FILE [values]: the first YAML document of FILE as JSON, or the YAML
# document in its spec.valuesContent.
y2j() {
    python3 - "$@" <<'EOS'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
d = docs[0]
if len(sys.argv) > 2:
    d = yaml.safe_load(d["spec"]["valuesContent"])
print(json.dumps(d))
EOS
}

# logs_of NODE: the files the stand-in's services and the recipe logged to.
logs_of() { find "$(node_dir_of "$1")" -name '*.log' -size -256k 2>/dev/null; }
show_logs() {
    local f
    for f in $(logs_of "$1"); do diag "$f:"; tail -8 "$f" | sed 's/^/#   /'; done
}

# The password in any process's arguments: sampled while drover runs (the
# sampler reads it from a 0600 file, so that it is not in its own).
printf '%s\n' "$CSI_PW" >"$W/pw" && chmod 600 "$W/pw"
watch_cmdlines() {
    while :; do
        grep -lFf "$W/pw" /proc/[0-9]*/cmdline 2>/dev/null >>"$W/cmdline-hits"
        sleep 0.05
    done
}

run_dist() {
    local dist=$1 version=$2 spec bundle sd md srv ag mode v j f plain line
    if [ "$dist" = k3s ]; then
        # A bundle without the CPI/CSI charts (a plain `drover-k8s bundle`,
        # as the lab's own): refused before any clone, at airgap_bundle's
        # line (the recipe found it only on the node, after the clone).
        plain=$W/k3s-nocharts.tar.gz
        ok "k3s: a bundle without the charts built" "$K8S" bundle --dist k3s --version "$version" --out "$plain"
        spec=$(recipe_cfg 1 1 k3s "$version" "$plain")
        printf 'cloud_provider = "vsphere";\nvsphere = { vcenter = "lab-csi"; };\n' >>"$spec"
        line=$(grep -n '^airgap_bundle' "$spec" | cut -d: -f1)
        nok "k3s: preflight refuses a bundle without the CPI/CSI charts" to "$W/nocharts.out" "$DROVER" preflight -f "$spec"
        ok "an error of check bundle at airgap_bundle's line ($line), naming both charts" \
            grep -qE "^ *error +bundle +[^ ]*lab-cluster.cfg:$line: airgap_bundle: .*the airgap bundle has no charts/rancher-vsphere-cpi.tgz, charts/rancher-vsphere-csi.tgz" "$W/nocharts.out"
        grep -q "error *bundle" "$W/nocharts.out" || diag "$(cat "$W/nocharts.out")"
        nok "k3s: apply refuses it" to "$W/nocharts-apply.out" "$DROVER" apply -f "$spec"
        is "$(owned_count)" 0 "k3s: before any VM is cloned"
    fi
    bundle=$W/$dist-airgap.tar.gz
    ok "$dist: airgap bundle built" "$K8S" bundle --dist "$dist" --version "$version" \
        --vsphere-charts --out "$bundle"
    spec=$(recipe_cfg 1 1 "$dist" "$version" "$bundle")
    cat >>"$spec" <<EOS
cloud_provider = "vsphere";
vsphere = {
    vcenter = "lab-csi";
    storage_class = {
        name = "vsphere-gold";
        datastore_url = "$DS_URL";
        storage_policy = "gold policy";
        reclaim_policy = "Retain";
        default = true;
    };
};
EOS
    cp "$spec" "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg"
    ok_out "$dist: validate accepts the cloud provider block" "$W/validate-$dist.out" "$DROVER" validate
    : >"$W/cmdline-hits"
    watch_cmdlines &
    bg_pids+=($!)
    ok_out "$dist: apply of 1 server + 1 agent succeeds" "$W/apply-$dist.out" "$DROVER" apply -f "$spec"
    kill "${bg_pids[-1]}" 2>/dev/null
    wait "${bg_pids[-1]}" 2>/dev/null
    is "$(cluster_state)" active "$dist: the cluster is active"
    is "$("$DROVER" list clusters -o json | jq -r '.[] | select(.name == "lab-cluster") | "\(.cloud_provider) \(.storage_class)"')" \
        "vsphere vsphere-gold" "$dist: drover list names the cloud provider and the StorageClass"
    srv=$(status_json | jq -r '.nodes[] | select(.pool == "server") | .name')
    ag=$(status_json | jq -r '.nodes[] | select(.pool == "agent") | .name')
    [ "$(cluster_state)" = active ] || { show_logs "$srv"; show_logs "$ag"; }
    # A kubelet registers its Node after the install returns.
    ok "$dist: the agent registers" wait_for 300 registered "$ag"
    sd=$(node_dir_of "$srv")
    md=$sd/rootfs/var-lib/up/rancher/$dist/server/manifests

    # What the recipe wrote, read as YAML, value by value.
    for f in rancher-vsphere-cpi rancher-vsphere-csi; do
        ok "$dist: the server has the $f manifest" test -s "$md/drover-$f.yaml"
        is "$(stat -c %a "$md/drover-$f.yaml" 2>/dev/null)" 600 "$dist: $f's manifest is 0600"
        j=$(y2j "$md/drover-$f.yaml")
        if [ "$dist" = rke2 ]; then
            is "$(jq -r '[.apiVersion, .kind, .metadata.name, .metadata.namespace] | join(" ")' <<<"$j")" \
                "helm.cattle.io/v1 HelmChartConfig $f kube-system" "$dist: $f is a HelmChartConfig of the bundled chart"
        else
            is "$(jq -r '[.apiVersion, .kind, .metadata.name, .metadata.namespace, .spec.targetNamespace] | join(" ")' <<<"$j")" \
                "helm.cattle.io/v1 HelmChart $f kube-system kube-system" "$dist: $f is a HelmChart"
            is "$(jq -r .spec.chart <<<"$j")" "https://%{KUBERNETES_API}%/static/charts/$f.tgz" \
                "$dist: $f's chart comes from the airgap bundle, served by the server"
            ok "$dist: and the chart is there" test -s "$sd/rootfs/var-lib/up/rancher/k3s/server/static/charts/$f.tgz"
        fi
        v=$(y2j "$md/drover-$f.yaml" values)
        is "$(jq -r '.vCenter | [.host, (.port | tostring), .datacenters, .username] | join(" ")' <<<"$v")" \
            "$VC_HOST $VC_PORT $LAB_DATACENTER $CSI_USER" "$dist: $f: vCenter host, port, datacenter and the CPI/CSI's own user"
        is "$(jq -r .vCenter.password <<<"$v")" "$CSI_PW" "$dist: $f: the lab-csi entry's password"
        nok "$dist: $f: not drover's own account" grep -qF -- "$LAB_PASSWORD" "$md/drover-$f.yaml"
    done
    v=$(y2j "$md/drover-rancher-vsphere-csi.yaml" values)
    is "$(jq -r '[.vCenter.clusterId, .vCenter.insecureFlag, .vCenter.configSecret.generate] | map(tostring) | join(" ")' <<<"$v")" \
        "lab-cluster 1 true" "$dist: CSI cluster id is the cluster's name; insecure as the entry says"
    is "$(jq -r '.storageClass | [.enabled, .name, .isDefault, .datastoreURL, .storagePolicyName, .reclaimPolicy] | map(tostring) | join("|")' <<<"$v")" \
        "true|vsphere-gold|true|$DS_URL|gold policy|Retain" "$dist: the StorageClass as the spec says"
    is "$(jq -r '.vCenter.insecureFlag | tostring' <<<"$(y2j "$md/drover-rancher-vsphere-cpi.yaml" values)")" true \
        "$dist: CPI insecureFlag is a boolean"

    # The stand-in applied them (the deploy controller's view).
    # The server applied them: the API lists the objects (the stand-in
    # checks each as k3s's deploy controller and helm-controller would).
    f=helmcharts
    [ "$dist" = k3s ] || f=helmchartconfigs
    is "$(kc get --raw "/apis/helm.cattle.io/v1/namespaces/kube-system/$f" | jq -r '[.items[].metadata.name] | join(" ")')" \
        "rancher-vsphere-cpi rancher-vsphere-csi" "$dist: the server applied both ($f in the API)"

    # The kubelet's flag on every node.
    for n in "$srv" "$ag"; do
        j=$(y2j "$(node_dir_of "$n")/rootfs/etc/up/rancher/$dist/config.yaml")
        if [ "$dist" = rke2 ]; then
            is "$(jq -r '."cloud-provider-name"' <<<"$j")" rancher-vsphere "$dist: $n: cloud-provider-name"
        else
            is "$(jq -r '."kubelet-arg" | join(",")' <<<"$j")" cloud-provider=external "$dist: $n: kubelet-arg cloud-provider=external"
        fi
        is "$(kc get node "$n" -o json | jq -r '[.spec.taints[]? | select(.key == "node.cloudprovider.kubernetes.io/uninitialized")] | length')" 1 \
            "$dist: $n registered as a kubelet with cloud-provider=external does (uninitialized taint)"
    done
    if [ "$dist" = k3s ]; then
        is "$(jq -r '."disable-cloud-controller"' <<<"$(y2j "$sd/rootfs/etc/up/rancher/k3s/config.yaml")")" true \
            "k3s: the server's own cloud controller is disabled"
    fi
    ag=$(node_dir_of "$ag")
    nok "$dist: the agent got no manifests (no password on it)" grep -rqF -- "$CSI_PW" "$ag"

    # The password: only in the two 0600 manifests.
    is "$(grep -rlF -- "$CSI_PW" "$sd" 2>/dev/null | sort | tr '\n' ' ')" \
        "$md/drover-rancher-vsphere-cpi.yaml $md/drover-rancher-vsphere-csi.yaml " \
        "$dist: on the server the password is in the two manifests and nowhere else"
    nok "$dist: not in drover's logs" grep -rqF -- "$CSI_PW" "$STATE/drover.log" "$STATE/logs" "$W/apply-$dist.out"
    is "$(sort -u "$W/cmdline-hits" | wc -l)" 0 "$dist: not in any process's arguments during the run"
    ok_out "$dist: delete removes the cluster" "$W/delete-$dist.out" "$DROVER" delete cluster lab-cluster --yes
    is "$(owned_count)" 0 "$dist: no VM left"
}

[ -n "${CPI_ONLY:-}" ] && [ "$CPI_ONLY" != k3s ] || run_dist k3s v1.30.2+k3s1
[ -n "${CPI_ONLY:-}" ] && [ "$CPI_ONLY" != rke2 ] || run_dist rke2 v1.30.2+rke2r1
done_testing
