#!/usr/bin/env bash
# CTest fixture setup: starts the SDK app on a free loopback port and waits until it listens.
# usage: start.sh STATE_DIR [server.js options...]; writes STATE_DIR/{pid,port,url,log}.
set -euo pipefail
state="$1"; shift
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$state"
rm -f "$state/port" "$state/pid" "$state/url"
if [ ! -d "$here/../node_modules/@trigger.dev/sdk" ]; then
  echo "the Trigger.dev SDK is not installed: run 'npm ci --ignore-scripts' in tests/interop (or .ci/install-deps)" >&2
  exit 1
fi
setsid node "$here/server.js" --port 0 --port-file "$state/port" --max-lifetime-ms 1800000 "$@" \
  >"$state/log" 2>&1 < /dev/null &
echo $! > "$state/pid"
for _ in $(seq 1 200); do
  if [ -s "$state/port" ]; then
    echo "http://127.0.0.1:$(cat "$state/port")/api/trigger" > "$state/url"
    echo "SDK app listening on $(cat "$state/url")"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    echo "the SDK app exited:" >&2; cat "$state/log" >&2; exit 1
  fi
  sleep 0.1
done
echo "the SDK app did not start within 20 s:" >&2; cat "$state/log" >&2
exit 1
