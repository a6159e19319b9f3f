#!/bin/sh
# Starts the built server (dist-server/, made by scripts/build.mjs) the way
# production runs it. The node flags live here only; the benchmarks read them
# from this line so they measure the same process.
#   --max-semi-space-size=8  a smaller young generation (default 16): with
#                            1,000 screens connected the peak while
#                            broadcasting drops from ~155 to ~137 MB, latency
#                            within noise (bench/broadcast-latency.ts,
#                            bench/issue-throughput.ts); an office box is small.
#   --always-sparkplug       compile each function to V8's baseline code on its
#                            first call instead of interpreting it until it is
#                            warm: the code a rare moment runs (a booking day
#                            opening, the first holds after a restart) is not
#                            slow the first hundred times. 1,000 citizens for
#                            200 places on a server started just before: p99
#                            median 20 ms (rounds 16-39) instead of 38.5 ms
#                            (30-171), server CPU 0.51-0.59 ms a request
#                            instead of 0.56-0.73 (bench/booking-rush.ts --cold
#                            --flow page, 2 x 3 rounds each, alternating);
#                            start-up time and RSS within noise (~1.2 s,
#                            125-145 MB either way).
# BOX_FLAGS, the office box only (not --central):
#   --max-old-space-size=1024  V8 sizes its heap limit from the machine's RAM
#                            and lets the old generation grow to up to 4x the
#                            live heap before a full collection when that limit
#                            is large (4 GB on a 24 GB machine): with 2,000
#                            phones + 100 TVs the live heap is ~60 MB but the
#                            RSS peaked at 212-246 MB of garbage; with 1 GB the
#                            growth is smaller and the peak is 196 MB
#                            (bench/phone-load.ts). 1 GB is ~16x that live heap.
cd "$(dirname "$0")/.."
# `run-server.sh --central` starts the central deployment instead (dist-server/central.mjs:
# GILIRAN_PROCESSES workers on one port, see docs/central.md); the workers get the same flags.
FLAGS="--max-semi-space-size=8 --always-sparkplug --enable-source-maps"
BOX_FLAGS="--max-old-space-size=1024"
ENTRY=main
if [ "${1:-}" = "--central" ]; then
  ENTRY=central
  BOX_FLAGS=""
  shift
fi
FLAGS="$FLAGS $BOX_FLAGS"
exec node $FLAGS "dist-server/$ENTRY.mjs" "$@"
