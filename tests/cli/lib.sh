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

# The daemon's database: $KONGFLOW_TEST_DB (a postgresql:// URI, with $KONGFLOW_TEST_DB_SCHEMA)
# when set, else a SQLite file in $work.
db_args() {
  if [ -n "${KONGFLOW_TEST_DB:-}" ]; then
    echo --db "$KONGFLOW_TEST_DB" --db-schema "${KONGFLOW_TEST_DB_SCHEMA:-kongflow}"
  else
    echo --db "$work/db.sqlite"
  fi
}

# launch_daemon NAME KEY [serve options...] → starts it in the background; logs in $work/NAME.log
launch_daemon() {
  local name="$1" key="$2"; shift 2
  # shellcheck disable=SC2046
  "$daemon" serve $(db_args) --listen 127.0.0.1:0 --bootstrap-api-key "$key" --log-level info "$@" \
    >"$work/$name.out" 2>"$work/$name.log" </dev/null &
  daemon_pid=$!
  pids+=("$daemon_pid")
  echo "$daemon_pid" > "$work/$name.pid"
}

# await_daemon NAME → sets daemon_port, daemon_url, daemon_pid once it listens
await_daemon() {
  local name="$1"
  daemon_pid="$(cat "$work/$name.pid")"
  for _ in $(seq 1 300); do
    if grep -q "listening on http://" "$work/$name.out" 2>/dev/null; then
      daemon_port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/$name.out")"
      daemon_url="http://localhost:$daemon_port"
      return 0
    fi
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon $name exited:"; cat "$work/$name.out" "$work/$name.log"; return 1; }
    sleep 0.1
  done
  echo "the daemon $name did not start within 30 s"; cat "$work/$name.log"; return 1
}

# start_daemon KEY → sets daemon_port, daemon_url; logs in $work/daemon.log
start_daemon() {
  launch_daemon daemon "$1"
  await_daemon daemon
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
