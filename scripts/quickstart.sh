#!/bin/sh
# The README's first command: install, build the pages, start the server with
# the demo office (created on first start in ./data, or GILIRAN_DATA).
set -e
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
node scripts/build.mjs
exec sh scripts/run-server.sh
