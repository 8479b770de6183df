#!/bin/sh
# Console benchmarks (tests/bench/tui_bench.py): startup and peak RSS with
# 1,000 clusters / 10,000 nodes beside the floor (the same files read without
# parsing, tests/bench/bench_readfloor), bytes per incremental update, idle CPU.
top_builddir=${top_builddir:-$PWD}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
DROVER=${DROVER:-$top_builddir/drover}
BENCH_READFLOOR=${BENCH_READFLOOR:-$top_builddir/tests/bench/bench_readfloor}
export top_builddir top_srcdir DROVER BENCH_READFLOOR
# Debian's interpreter, not a version manager's shim that may come first on
# PATH (it costs ~100 ms a start and CPU the benchmark would measure).
exec /usr/bin/python3 "$top_srcdir/tests/bench/tui_bench.py"
