#!/usr/bin/env bash
# CTest fixture cleanup: stops the SDK app started by start.sh.
state="$1"
if [ -f "$state/pid" ]; then
  pid="$(cat "$state/pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$state/pid" "$state/port" "$state/url"
fi
exit 0
