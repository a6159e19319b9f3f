#!/bin/sh
# Starts the built server (dist-server/, made by scripts/build.mjs) the way
# production runs it. The node flags live here only; the benchmarks read them
# from this line so they measure the same process.
#   --max-semi-space-size=8  a smaller young generation (default 16): with
#                            1,000 screens connected the peak while
#                            broadcasting drops from ~155 to ~137 MB, latency
#                            within noise (bench/broadcast-latency.ts,
#                            bench/issue-throughput.ts); an office box is small.
cd "$(dirname "$0")/.."
# `run-server.sh --central` starts the central deployment instead (dist-server/central.mjs:
# GILIRAN_PROCESSES workers on one port, see docs/central.md); the workers get the same flags.
FLAGS="--max-semi-space-size=8 --enable-source-maps"
ENTRY=main
if [ "${1:-}" = "--central" ]; then
  ENTRY=central
  shift
fi
exec node $FLAGS "dist-server/$ENTRY.mjs" "$@"
