#!/bin/sh
# Console benchmarks (tests/bench/tui_bench.py): startup and peak RSS with
# 1,000 clusters / 10,000 nodes, bytes per incremental update, idle CPU.
top_builddir=${top_builddir:-$PWD}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
DROVER=${DROVER:-$top_builddir/drover}
export top_builddir top_srcdir DROVER
exec python3 "$top_srcdir/tests/bench/tui_bench.py"
