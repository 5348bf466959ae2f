# Helpers shared by the CLI and OpenAPI tests: start the daemon and the SDK app on loopback.
# Sourced; expects $work (a temp dir) and $daemon (the kongflow-endpointsd binary).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for state in "$work"/*/; do [ -f "$state/pid" ] && stop_app "$(basename "$state")"; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_daemon KEY → sets daemon_port, daemon_url; logs in $work/daemon.log
start_daemon() {
  "$daemon" serve --db "$work/db.sqlite" --listen 127.0.0.1:0 --bootstrap-api-key "$1" --log-level info \
    >"$work/daemon.out" 2>"$work/daemon.log" </dev/null &
  daemon_pid=$!
  pids+=("$daemon_pid")
  for _ in $(seq 1 300); do
    if grep -q "listening on http://" "$work/daemon.out" 2>/dev/null; then
      daemon_port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/daemon.out")"
      daemon_url="http://localhost:$daemon_port"
      return 0
    fi
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited:"; cat "$work/daemon.out" "$work/daemon.log"; return 1; }
    sleep 0.1
  done
  echo "the daemon did not start within 30 s"; cat "$work/daemon.log"; return 1
}

# start_app KEY ID [NAME [server.js options...]] → sets app_port and app_url; the SDK app
# (tests/interop/sdk-app/server.js) with its state in $work/NAME (default "app").
start_app() {
  local key="$1" id="$2" name="${3:-app}"
  shift $(($# < 3 ? $# : 3))
  bash "$root/tests/interop/sdk-app/start.sh" "$work/$name" --api-key "$key" --id "$id" "$@" >/dev/null
  app_port="$(cat "$work/$name/port")"
  app_url="$(cat "$work/$name/url")"
}

# stop_app [NAME] stops the app started under that name (default "app"); cleanup stops the rest.
stop_app() { bash "$root/tests/interop/sdk-app/stop.sh" "$work/${1:-app}" >/dev/null 2>&1 || true; }

random_key() { echo "tr_dev_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 24)"; }
