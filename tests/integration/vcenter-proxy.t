#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Field case D "HTTPS_PROXY set in the shell" (issue 10 §6): vCenter traffic
# goes through the proxy the environment or the vCenter's entry names,
# NO_PROXY and proxy = "none" bypass it, and a proxy that refuses the tunnel
# (403 to CONNECT) fails at once, naming the proxy and how to bypass it.
# Two proxies of our own on 127.0.0.1 (tests/lab/proxy): one refuses every
# CONNECT, one forwards to 127.0.0.0/8; each logs the CONNECTs it got.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
PROXY=$top_srcdir/tests/lab/proxy
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 is not installed"
unset https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
eng_setup
vcfg=$XDG_CONFIG_HOME/drover/vcenters.cfg
cp "$vcfg" "$W/vcenters.cfg.orig"

# proxy_up NAME MODE: start a proxy; its port in NAME_port, its log NAME.log.
proxy_up() {
    local i
    /usr/bin/python3 "$PROXY" --mode "$2" --port-file "$W/$1.port" --log "$W/$1.log" &
    bg_pids+=($!)
    for ((i = 0; i < 100; i++)); do
        [ -s "$W/$1.port" ] && break
        kill -0 "${bg_pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    printf -v "$1_port" '%s' "$(cat "$W/$1.port" 2>/dev/null)"
    [ -n "${!1_port:-}" ]
}
connects() { grep -c '^CONNECT ' "$W/$1.log"; }
ok "a refusing proxy is up" proxy_up refuse refuse
ok "a forwarding proxy is up" proxy_up fwd forward
REFUSE=http://127.0.0.1:$refuse_port
FWD=http://127.0.0.1:$fwd_port
host=${LAB_HOST%:*}

# HTTPS_PROXY that refuses: the error names it and how to bypass it.
# (The proxy URL carries a password: it must never be shown.)
out=$(HTTPS_PROXY=http://ops:s3cr3t@127.0.0.1:$refuse_port "$DROVER" vcenter check lab 2>&1)
is "$?" 1 "vcenter check through a refusing proxy fails"
ok "the error names the proxy and where it came from" \
    grep -qF "the proxy $REFUSE (from HTTPS_PROXY) refused the tunnel to vCenter with HTTP 403" <<<"$out"
ok "the error says how to bypass it" grep -qF 'add its host to NO_PROXY or set proxy = "none"' <<<"$out"
nok "the proxy's password is not shown" grep -q s3cr3t <<<"$out"
nok "nor logged" grep -qs s3cr3t "$STATE/drover.log"
is "$(connects refuse)" 1 "the refusing proxy was asked once"

# NO_PROXY lists the vCenter: reached directly, the proxy never asked.
: >"$W/refuse.log"
out=$(HTTPS_PROXY=$REFUSE NO_PROXY="example.com,$host" "$DROVER" vcenter check lab 2>&1)
is "$?" 0 "a vCenter in NO_PROXY is reached directly"
is "$(connects refuse)" 0 "the proxy saw nothing"
ok "check says NO_PROXY bypassed the proxy" \
    grep -qF "Proxy:        none: NO_PROXY matches ($REFUSE from HTTPS_PROXY not used)" <<<"$out"
out=$(https_proxy=$REFUSE no_proxy="$host" "$DROVER" vcenter check lab 2>&1)
is "$?" 0 "the same with lower-case https_proxy and no_proxy"
# A vCenter in NO_PROXY that does not answer: the error says it was direct.
sed -i "s|url = \"https://$LAB_HOST/|url = \"https://$host:1/|" "$vcfg"
out=$(HTTPS_PROXY=$REFUSE NO_PROXY="$host" "$DROVER" vcenter check lab 2>&1)
is "$?" 1 "an unreachable vCenter in NO_PROXY fails"
ok "the error says it went directly, past the proxy" \
    grep -qF "(directly: NO_PROXY matches, the proxy $REFUSE from HTTPS_PROXY was not used)" <<<"$out"
is "$(connects refuse)" 0 "the proxy saw nothing"
cp "$W/vcenters.cfg.orig" "$vcfg"

# proxy = "none" in the vCenter's entry bypasses HTTPS_PROXY.
sed -i 's/^\(\s*timeout = .*\)$/\1\n        proxy = "none";/' "$vcfg"
ok "vcenters.cfg with proxy = none validates" "$DROVER" validate
out=$(HTTPS_PROXY=$REFUSE "$DROVER" vcenter check lab 2>&1)
is "$?" 0 "proxy = none: reached directly despite HTTPS_PROXY"
is "$(connects refuse)" 0 "the proxy saw nothing"
ok "check says so" grep -qF 'Proxy:        none (proxy = "none")' <<<"$out"

# proxy = URL: that proxy, whatever the environment says.
cp "$W/vcenters.cfg.orig" "$vcfg"
sed -i "s|^\(\s*timeout = .*\)\$|\1\n        proxy = \"$FWD\";|" "$vcfg"
out=$(HTTPS_PROXY=$REFUSE "$DROVER" vcenter check lab 2>&1)
is "$?" 0 "proxy = URL in vcenters.cfg: through the forwarding proxy"
ok "the forwarding proxy carried it" test "$(connects fwd)" -ge 1
is "$(connects refuse)" 0 "HTTPS_PROXY was not used"
ok "the forwarding proxy tunnelled to the lab" grep -qF "CONNECT $LAB_HOST " "$W/fwd.log"
ok "check names the proxy it went through" grep -qF "Proxy:        $FWD (from vcenters.cfg)" <<<"$out"
json=$(HTTPS_PROXY=$REFUSE "$DROVER" vcenter check lab -o json)
is "$(jq -r '.proxy + " " + .proxy_from' <<<"$json")" "$FWD vcenters.cfg" "check -o json: proxy and where from"
# The whole engine through the forwarding proxy.
spec=$(cluster_cfg 1 0)
ok_out "apply through the proxy in vcenters.cfg" "$W/apply.out" "$DROVER" apply -f "$spec"
is "$(cluster_state)" active "the cluster is active"
ok_out "delete through the proxy" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero VMs left"

# A bad proxy value is refused by validate, with file:line and the field.
sed -i "s|proxy = \"$FWD\";|proxy = \"proxy.example.com:3128\";|" "$vcfg"
out=$("$DROVER" validate 2>&1)
is "$?" 1 "validate refuses a proxy that is not a URL"
ok "naming file:line and the field" grep -qE 'vcenters\.cfg:[0-9]+: vcenters\[0\]\.proxy: must be "none" or a proxy URL' <<<"$out"

# The engine: a refusing proxy is permanent. With retries = 3 the node
# goes to error after one attempt, and the proxy was asked once.
cp "$W/vcenters.cfg.orig" "$vcfg"
ENG_RETRIES=3 eng_settings
# apply's preflight meets the refusal first: nothing reaches the engine.
out=$(HTTPS_PROXY=$REFUSE "$DROVER" apply -f "$spec" 2>&1)
is "$?" 1 "apply through a refusing proxy fails at preflight"
ok "preflight could not run, naming the proxy" grep -qF "the proxy $REFUSE (from HTTPS_PROXY) refused" <<<"$out"
# Past preflight, the engine classes the refusal as permanent.
: >"$W/refuse.log"
HTTPS_PROXY=$REFUSE "$DROVER" apply -f "$spec" --skip-preflight >"$W/apply403.out" 2>&1
is "$?" 1 "apply --skip-preflight through a refusing proxy fails"
j=$(status_json)
is "$(jq -r '.nodes[0].state' <<<"$j")" error "the node is in error"
ok "its error names the proxy" grep -qF "the proxy $REFUSE (from HTTPS_PROXY) refused" \
    <<<"$(jq -r '.nodes[0].error' <<<"$j")"
# (The engine may ask vCenter once more after the failure, to look for a
# VM the failed clone may have left: that is not a retry.)
ok "not retried: one attempt (retries = 3)" grep -q 'server-01: error (cloning, 1 attempts)' "$W/apply403.out"
is "$(owned_count)" 0 "no VM was made"

# A proxy that is not there: the connection error names it too.
out=$(HTTPS_PROXY=http://127.0.0.1:1 "$DROVER" vcenter check lab 2>&1)
is "$?" 1 "a closed proxy port fails"
ok "the error names the proxy and the bypass" \
    grep -qF "(through the proxy http://127.0.0.1:1 from HTTPS_PROXY; to reach vCenter directly, add its host to NO_PROXY" <<<"$out"
done_testing
