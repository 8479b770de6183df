#!/bin/sh
# SSH fan-out: `uname -a; sleep 1` on 50 lab sshd nodes with drover's client,
# parallel-ssh and ansible (tests/bench/bench_ssh.c), the load average
# before, and drover's speed-up over parallel-ssh beside its 2x target
# (issue 15). Run from the build tree; the figures also go to
# tests/bench/ssh.txt.
for tool in parallel-ssh ansible; do
    command -v "$tool" >/dev/null || { echo "ssh bench: SKIP ($tool is not installed)"; exit 0; }
done
out=tests/bench/ssh.txt
printf 'load average before: %s (PATH=%s)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$PATH" >"$out"
./tests/bench/bench_ssh "${BENCH_SSH_NODES:-50}" "${BENCH_SSH_ROUNDS:-3}" >>"$out"
rc=$?
cat "$out"
[ "$rc" = 77 ] && exit 0
exit "$rc"
