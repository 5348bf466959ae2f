#!/usr/bin/env bash
# Several kongflow-endpointsd on one PostgreSQL schema, with the real SDK app: two daemons
# starting at once create one bootstrap environment; a create through one is indexed and read
# through the other; every read route answers the same on both; concurrent creates through both
# leave one endpoint and one index per create; kill -9 of the daemon running an index job: the
# other finishes it.
# usage: postgres_daemons_test.sh <kongflow-endpointsd> <cluster script> <cluster state file>
set -euo pipefail
daemon="$1"
export KONGFLOW_TEST_DB="$(bash "$2" uri "$3")"
export KONGFLOW_TEST_DB_SCHEMA="kfd_$$_$RANDOM"
work="$(mktemp -d)"
source "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "---- $f"; tail -n 30 "$f"; done; exit 1; }

key="$(random_key)"
launch_daemon a "$key"
launch_daemon b "$key"
await_daemon a; a_url="$daemon_url"; a_pid="$daemon_pid"
await_daemon b; b_url="$daemon_url"; b_pid="$daemon_pid"
echo "daemons on $a_url and $b_url, schema $KONGFLOW_TEST_DB_SCHEMA"
# shellcheck disable=SC2046
envs="$("$daemon" environments list $(db_args))"
[ "$(node -p 'JSON.parse(process.argv[1]).length' "$envs")" = 1 ] || fail "not one bootstrap environment: $envs"
echo "ok: two daemons started at once on an empty database, one bootstrap environment"

start_app "$key" pg-app
auth=(-H "Authorization: Bearer $key")
create() { # create BASE_URL ID URL → the response body; fails on a non-200
  curl -sf "${auth[@]}" -X POST "$1/api/v1/endpoints" -d "{\"url\":\"$3\",\"id\":\"$2\"}"
}
wait_index() { # wait_index BASE_URL INDEX_ID SECONDS → SUCCESS or the last status
  local status=""
  for _ in $(seq 1 $(($3 * 10))); do
    status="$(curl -sf "${auth[@]}" "$1/api/v1/endpointindex/$2" | node -p 'JSON.parse(require("fs").readFileSync(0)).status' || true)"
    [ "$status" = SUCCESS ] && break
    sleep 0.1
  done
  echo "$status"
}

created="$(create "$a_url" pg-app "$app_url")" || fail "create through A"
index_id="$(node -p 'JSON.parse(process.argv[1]).endpointIndex.id' "$created")"
[ "$(wait_index "$b_url" "$index_id" 30)" = SUCCESS ] || fail "the index created through A is not SUCCESS through B"
echo "ok: created through A, index $index_id SUCCESS read through B"

for route in /api/v1/whoami /api/v1/endpoints /api/v1/endpoints/pg-app /api/v1/endpoints/pg-app/jobs \
             /api/v1/endpoints/pg-app/indexes "/api/v1/endpointindex/$index_id"; do
  ra="$(curl -s "${auth[@]}" "$a_url$route")"; rb="$(curl -s "${auth[@]}" "$b_url$route")"
  [ "$ra" = "$rb" ] || fail "$route differs: A $ra B $rb"
done
echo "ok: every read route answers the same on A and B"

# Concurrent creates of one endpoint through both daemons (an app of its own: PING checks the id).
start_app "$key" pg-twin twin
twin_url="$app_url"
creators=()
for i in $(seq 1 8); do
  (create "$a_url" pg-twin "$twin_url" > "$work/twin-a$i.json") &
  creators+=($!)
  (create "$b_url" pg-twin "$twin_url" > "$work/twin-b$i.json") &
  creators+=($!)
done
wait_ok=1
for c in "${creators[@]}"; do wait "$c" || wait_ok=0; done
[ "$wait_ok" = 1 ] || fail "a concurrent create failed"
ids="$(for f in "$work"/twin-*.json; do cat "$f"; echo; done | node -e '
  const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
  console.log(JSON.stringify({eps: [...new Set(lines.map((l) => l.id))], ix: lines.map((l) => l.endpointIndex.id)}))')"
[ "$(node -p 'JSON.parse(process.argv[1]).eps.length' "$ids")" = 1 ] || fail "concurrent creates made several endpoints: $ids"
n_ix="$(curl -sf "${auth[@]}" "$a_url/api/v1/endpoints/pg-twin/indexes" | node -p 'JSON.parse(require("fs").readFileSync(0)).indexes.length')"
[ "$n_ix" = 16 ] || fail "16 creates made $n_ix indexes"
n_eps="$(curl -sf "${auth[@]}" "$b_url/api/v1/endpoints" | node -p 'JSON.parse(require("fs").readFileSync(0)).endpoints.filter((e) => e.slug === "pg-twin").length')"
[ "$n_eps" = 1 ] || fail "the list shows $n_eps pg-twin endpoints"
echo "ok: 16 concurrent creates through both daemons: one endpoint, 16 indexes"

# kill -9 of the daemon that runs an index job: the other finishes it. Only A runs while the job
# is claimed (B is stopped), the proxy holds A's INDEX request, A dies, B comes back and rescues.
kill -TERM "$b_pid"; wait "$b_pid" 2>/dev/null || true
start_app "$key" pg-slow slow
node "$here/hold-index-proxy.cjs" "$work/proxy-port" "$app_port" "$work/held" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/proxy-port" ] && break; sleep 0.05; done
proxy_url="http://127.0.0.1:$(cat "$work/proxy-port")/api/trigger"
created="$(create "$a_url" pg-slow "$proxy_url")" || fail "create of pg-slow through A"
slow_index="$(node -p 'JSON.parse(process.argv[1]).endpointIndex.id' "$created")"
for _ in $(seq 1 300); do [ -f "$work/held" ] && break; sleep 0.1; done
[ -f "$work/held" ] || fail "A never sent the INDEX request"
kill -KILL "$a_pid"; wait "$a_pid" 2>/dev/null || true
launch_daemon b2 "$key"
await_daemon b2
# The dead daemon's lease expires (20 s), B's rescuer gives the job back, B runs it.
status="$(wait_index "$daemon_url" "$slow_index" 60)"
[ "$status" = SUCCESS ] || fail "the index of the killed daemon's job is $status, not SUCCESS"
echo "ok: kill -9 of the daemon running an index job: the other daemon finished it"
