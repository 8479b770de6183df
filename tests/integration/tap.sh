# TAP helpers for the headless command tests (tests/integration/cli*.t and
# template-input.t): each prints one "ok N" or "not ok N" line; the test
# ends with tap_done. Commands' own output is hidden; a failure shows what
# was got and what was wanted as TAP comments.
# shellcheck shell=bash
n=0 failed=0
ok() {   # ok DESCRIPTION COMMAND...
    local desc=$1; shift
    n=$((n + 1))
    if "$@" >/dev/null 2>&1; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"; failed=$((failed + 1))
    fi
}
is() {   # is GOT WANT DESCRIPTION
    n=$((n + 1))
    if [ "$1" = "$2" ]; then
        echo "ok $n - $3"
    else
        echo "not ok $n - $3"; failed=$((failed + 1))
        printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed '2,$s/^/#   /'
    fi
}
has() {  # has TEXT LINE DESCRIPTION: LINE is one whole line of TEXT
    n=$((n + 1))
    if grep -qxF -- "$2" <<<"$1"; then
        echo "ok $n - $3"
    else
        echo "not ok $n - $3"; failed=$((failed + 1))
        printf '#   want the line: %s\n' "$2"
        printf '%s\n' "$1" | sed 's/^/#   got: /'
    fi
}
# tap_done: the plan, and the exit status: 0 when every test passed.
tap_done() {
    echo "1..$n"
    [ "$failed" -eq 0 ]
}
