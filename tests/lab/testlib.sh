# Helpers for TAP test scripts that run against their own lab instance.
# Source it, then: lab_require; lab_up [lab up options]; use $LAB_* variables;
# the EXIT trap tears every instance down, also when the test fails.
#   ok DESC CMD...      runs CMD, "ok N - DESC" when it succeeds
#   nok DESC CMD...     the same, expecting failure
#   is GOT WANT DESC    string equality
#   done_testing        prints the plan and exits with the right status
LAB=${top_srcdir:?}/tests/lab/lab
tap_n=0
tap_failed=0
lab_states=()

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '# %s\n' "$@"; }
tap_result() {
    tap_n=$((tap_n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
    fi
}
ok() { local d=$1; shift; "$@"; tap_result $? "$d"; }
nok() { local d=$1; shift; ! "$@"; tap_result $? "$d"; }
is() {
    if [ "$1" = "$2" ]; then tap_result 0 "$3"; else
        tap_result 1 "$3"; diag "got:  '$1'" "want: '$2'"; fi
}
done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
    exit $?
}

lab_vcsim() { echo "${top_builddir:?}/tests/lab/vcsim/drover-vcsim"; }
lab_require() {
    [ -x "$(lab_vcsim)" ] || skip_all "the lab's simulator is not built (no Go toolchain)"
}

# A fresh state folder in the build tree: nothing is shared with other runs.
lab_new_state() {
    mkdir -p "$top_builddir/tests/lab/run"
    mktemp -d "$top_builddir/tests/lab/run/t.XXXXXX"
}

lab_cleanup() {
    local s
    for s in "${lab_states[@]}"; do
        LAB_VCSIM=$(lab_vcsim) bash "$LAB" down --state "$s" >/dev/null 2>&1
        rm -rf "$s"
    done
}
trap lab_cleanup EXIT

# lab_up [options]: start an instance and load its LAB_* variables.
lab_up() {
    local s
    s=$(lab_new_state) || return 1
    lab_states+=("$s")
    LAB_VCSIM=$(lab_vcsim) bash "$LAB" up --state "$s" "$@" >/dev/null || return 1
    # shellcheck disable=SC1091
    . "$s/env"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
    local t=$(($1 * 10)); shift
    while [ $t -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        t=$((t - 1))
    done
    return 1
}

# lab_down: stop the instance lab_up started last (the trap would, later).
lab_down() {
    LAB_VCSIM=$(lab_vcsim) bash "$LAB" down --state "$LAB_STATE" >/dev/null 2>&1
}
