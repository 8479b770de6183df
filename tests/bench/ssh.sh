#!/bin/sh
# SSH fan-out: `uname -a; sleep 1` on 50 lab sshd nodes with drover's client,
# parallel-ssh and ansible (tests/bench/bench_ssh.c). Run from the build tree.
for tool in parallel-ssh ansible; do
    command -v "$tool" >/dev/null || { echo "ssh bench: SKIP ($tool is not installed)"; exit 0; }
done
./tests/bench/bench_ssh "${BENCH_SSH_NODES:-50}" "${BENCH_SSH_ROUNDS:-3}" | tee tests/bench/ssh.txt
rc=$?
[ "$rc" = 77 ] && exit 0
exit "$rc"
