#!/usr/bin/env bash
# kongflow-endpointsd on PostgreSQL while the database goes away and comes back: /healthz keeps
# answering, /readyz says the database does not answer, creates fail with an error; once the server
# is back the same daemon recovers without a restart, and the create answered before is still there.
# usage: postgres_outage_test.sh <kongflow-endpointsd> <cluster script> <cluster state file>
set -euo pipefail
daemon="$1"
cluster="$2"
cluster_state="$3"
export KONGFLOW_TEST_DB="$(bash "$cluster" uri "$cluster_state")"
export KONGFLOW_TEST_DB_SCHEMA="kfo_$$_$RANDOM"
work="$(mktemp -d)"
source "$(dirname "$0")/lib.sh"
resumed=1
trap 'if [ "$resumed" = 0 ]; then bash "$cluster" resume "$cluster_state" || true; fi; cleanup' EXIT
fail() { echo "FAIL: $*"; tail -n 30 "$work"/*.log; exit 1; }

key="$(random_key)"
start_daemon "$key"
start_app "$key" outage-app
auth=(-H "Authorization: Bearer $key")
code() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }

[ "$(code "${auth[@]}" -X POST "$daemon_url/api/v1/endpoints" -d "{\"url\":\"$app_url\",\"id\":\"outage-app\"}")" = 200 ] \
  || fail "create before the outage: $(cat "$work/body")"
[ "$(code "$daemon_url/readyz")" = 200 ] || fail "not ready before the outage"

resumed=0
bash "$cluster" pause "$cluster_state"
[ "$(code "$daemon_url/healthz")" = 200 ] || fail "/healthz during the outage"
r="$(code "$daemon_url/readyz")"
[ "$r" = 503 ] && grep -q "database" "$work/body" || fail "/readyz during the outage: $r $(cat "$work/body")"
echo "ok: during the outage /healthz 200, /readyz $r $(cat "$work/body")"
r="$(code "${auth[@]}" "$daemon_url/api/v1/endpoints/outage-app")"
[ "${r:0:1}" = 5 ] || fail "a read during the outage answered $r"
echo "ok: a read during the outage: $r $(cat "$work/body")"

bash "$cluster" resume "$cluster_state"
resumed=1
ready=""
for _ in $(seq 1 100); do
  [ "$(code "$daemon_url/readyz")" = 200 ] && { ready=1; break; }
  sleep 0.1
done
[ -n "$ready" ] || fail "not ready 10 s after the database came back: $(cat "$work/body")"
[ "$(code "${auth[@]}" "$daemon_url/api/v1/endpoints/outage-app")" = 200 ] || fail "the endpoint created before the outage is gone"
[ "$(code "${auth[@]}" -X POST "$daemon_url/api/v1/endpoints" -d "{\"url\":\"$app_url\",\"id\":\"outage-app\"}")" = 200 ] \
  || fail "create after the outage: $(cat "$work/body")"
kill -0 "$daemon_pid" || fail "the daemon exited"
echo "ok: the same daemon recovered without a restart; nothing answered before was lost"
