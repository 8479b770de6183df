#!/bin/bash
# vSphere client benchmarks on private lab instances (run by `make bench`):
#  1. clone+configure+power on+IP+power off+destroy of 50 VMs, 1 worker vs 8
#     workers (a session each), every SOAP method delayed by 200 ms;
#  2. RetrievePropertiesEx over 1,000 VMs: listings and requests per second,
#     and the client's peak RSS.
set -u
top_builddir=${top_builddir:-$PWD}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_builddir top_srcdir
. "$top_srcdir/tests/lab/testlib.sh"
bench=$top_builddir/tests/bench/bench_vsphere
lab_require
[ -x "$bench" ] || { echo "bench: $bench is not built"; exit 1; }
N=${BENCH_VMS:-50}

lab_up --vms 1 --hosts 3 --delay 200 || { echo "bench: lab up failed"; exit 1; }
one=$("$bench" "$LAB_STATE/env" lifecycle "$N" 1) || { echo "bench: $one"; exit 1; }
eight=$("$bench" "$LAB_STATE/env" lifecycle "$N" 8) || { echo "bench: $eight"; exit 1; }
echo "lifecycle, 200 ms per method, 1 worker:  $one"
echo "lifecycle, 200 ms per method, 8 workers: $eight"
s1=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$one")
s8=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$eight")
echo "speed-up 8 vs 1 workers: $(awk -v a="$s1" -v b="$s8" 'BEGIN { printf "%.2fx", a / b }')"

lab_down
lab_up --vms 500 --hosts 3 || { echo "bench: lab up failed"; exit 1; }
r=$("$bench" "$LAB_STATE/env" retrieve "${BENCH_SECONDS:-10}") || { echo "bench: $r"; exit 1; }
echo "RetrievePropertiesEx over all VMs: $r"
