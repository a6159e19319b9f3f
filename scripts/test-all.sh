#!/bin/sh
# The README's test command: installs what the tests need on a fresh Debian
# machine (Chromium for the browser tests, libusb for node-hid, PostgreSQL
# for the central store's tests), then runs
# every test. Its last line is "N passed, N failed".
set -e
cd "$(dirname "$0")/.."
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
[ -e /usr/lib/x86_64-linux-gnu/libusb-1.0.so.0 ] || [ -e /lib/x86_64-linux-gnu/libusb-1.0.so.0 ] || need="$need libusb-1.0-0"
# The PostgreSQL store's tests start a throwaway server from Debian's package (test/helpers/postgres.ts).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
if [ -n "$need" ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "» installing Debian packages:$need"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null
  else
    echo "Please install:$need (sudo apt-get install -y$need)" >&2
    exit 1
  fi
fi
echo "» npm install"
npm ci --no-audit --no-fund --loglevel=error
set +e
node scripts/test.mjs "$@"
