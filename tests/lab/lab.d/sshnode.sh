# lab module: SSH nodes (tests/lab/sshnode).
#  - every lab gets its own loopback /16 for its nodes (LAB_SUBNET=127.S,
#    inherited by the simulator and so by `sshnode up`) and an SSH port
#    (LAB_SSH_PORT: 22 unless something listens on *:22, else a free port);
#  - `lab up --sshnode tests/lab/sshnode` makes VMs boot as real sshd nodes;
#  - `lab up --nodes N` also starts N standalone nodes (no VM) that trust a
#    generated client key: $state/standalone/{id_ed25519,known_hosts,nodes}
#    where `nodes` has "name address port" lines (LAB_NODES_FILE,
#    LAB_CLIENT_KEY, LAB_KNOWN_HOSTS, LAB_NODE_USER in the env file).
# shellcheck shell=bash

sshnode_cmd=$labdir/sshnode
standalone_nodes=0
module_opts[--nodes]=standalone_nodes
usage_extra+="  lab up ... [--nodes N]     also start N standalone SSH nodes"

# Ports in use as wildcard listeners clash with every 127.x address.
sshnode_port_free() {
    ! ss -Hltn 2>/dev/null | awk '{print $4}' |
        grep -Eq "^(0\.0\.0\.0|\*|\[::\]):$1\$"
}

if [ -z "${LAB_SUBNET:-}" ]; then
    LAB_SUBNET=127.$((16 + RANDOM % 230))
fi
if [ -z "${LAB_SSH_PORT:-}" ]; then
    LAB_SSH_PORT=22
    while ! sshnode_port_free "$LAB_SSH_PORT"; do
        LAB_SSH_PORT=$((20000 + RANDOM % 20000))
    done
fi
export LAB_SUBNET LAB_SSH_PORT

# A #cloud-config with the host key and the client's authorized key, as
# drover would render it (only the parts sshnode reads).
sshnode_userdata() {
    local hostkey=$1 clientpub=$2 user=$3
    printf '#cloud-config\nssh_keys:\n  ed25519_private: |\n'
    sed 's/^/    /' "$hostkey"
    printf '  ed25519_public: "%s"\n' "$(cat "$hostkey.pub")"
    printf 'users:\n  - name: "%s"\n    ssh_authorized_keys:\n      - "%s"\n' \
        "$user" "$(cat "$clientpub")"
}

sshnode_standalone_up() {
    local dir=$state/standalone i name addr
    {
        printf "LAB_SUBNET='%s'\n" "$LAB_SUBNET"
        printf "LAB_SSH_PORT='%s'\n" "$LAB_SSH_PORT"
    } >>"$state/env"
    [ "${standalone_nodes:-0}" -gt 0 ] 2>/dev/null || return 0
    (umask 077 && mkdir -p "$dir") || return 1
    ssh-keygen -q -t ed25519 -N '' -C "drover-lab@$(hostname)" -f "$dir/id_ed25519" || return 1
    : >"$dir/nodes"
    : >"$dir/known_hosts"
    for i in $(seq 1 "$standalone_nodes"); do
        name=$(printf 'node-%02d' "$i")
        mkdir -p "$dir/$name"
        ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/$name.hostkey" || return 1
        sshnode_userdata "$dir/$name.hostkey" "$dir/id_ed25519.pub" drover >"$dir/$name.userdata"
        addr=$("$sshnode_cmd" up --dir "$dir/$name" --userdata "$dir/$name.userdata" \
            --name "$name" | tail -1) || return 1
        echo "$name $addr $LAB_SSH_PORT" >>"$dir/nodes"
        if [ "$LAB_SSH_PORT" = 22 ]; then
            echo "$addr $(cut -d' ' -f1,2 "$dir/$name.hostkey.pub")" >>"$dir/known_hosts"
        else
            echo "[$addr]:$LAB_SSH_PORT $(cut -d' ' -f1,2 "$dir/$name.hostkey.pub")" \
                >>"$dir/known_hosts"
        fi
    done
    {
        printf "LAB_NODES_FILE='%s'\n" "$dir/nodes"
        printf "LAB_CLIENT_KEY='%s'\n" "$dir/id_ed25519"
        printf "LAB_KNOWN_HOSTS='%s'\n" "$dir/known_hosts"
        printf "LAB_NODE_USER='drover'\n"
    } >>"$state/env"
}

# Also after an interrupted `up`: every node folder is taken down by PID.
sshnode_standalone_down() {
    local d
    [ -d "$state/standalone" ] || return 0
    for d in "$state/standalone"/*/; do
        [ -d "$d" ] && "$sshnode_cmd" down --dir "${d%/}" >/dev/null 2>&1
    done
    rm -rf "$state/standalone"
}

up_hooks+=(sshnode_standalone_up)
down_hooks+=(sshnode_standalone_down)
