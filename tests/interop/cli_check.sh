#!/usr/bin/env bash
# Runs the kongflow-endpoints CLI against the SDK app and checks its JSON output and exit status.
# usage: cli_check.sh CLI STATE_DIR
set -uo pipefail
cli="$1"; state="$2"
url="$(cat "$state/url")"
fails=0
check() { # name expected_exit expected_substring -- command...
  local name="$1" want_rc="$2" want="$3"; shift 3
  local out rc
  out="$("$@" 2>/dev/null)"; rc=$?
  if [ "$rc" != "$want_rc" ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL $name: exit $rc (want $want_rc), output: $out"; fails=$((fails+1))
  else
    echo "ok   $name"
  fi
}
check "ping ok" 0 '{"ok":true,"triggerVersion":"2023-09-29","triggerSdkVersion":"2.3.19"}' \
  "$cli" ping "$url" --api-key tr_dev_secret123 --endpoint-id my-app
check "ping wrong id" 1 '"error":"Endpoint ID mismatch error. Expected my-app, got nope"' \
  "$cli" ping "$url" --api-key tr_dev_secret123 --endpoint-id nope
check "ping wrong key" 1 'Forbidden: client apiKey mismatch' \
  "$cli" ping "$url" --api-key wrong --endpoint-id my-app
check "validate" 0 '{"ok":true,"endpointId":"my-app","triggerVersion":"2023-09-29"}' \
  "$cli" validate "$url" --api-key tr_dev_secret123
check "index stats" 0 '"stats":{"jobs":6,"sources":0,"webhooks":0,"dynamicTriggers":0,"dynamicSchedules":1,"httpEndpoints":1}' \
  "$cli" index "$url" --api-key tr_dev_secret123
check "index data" 0 '"data":{"jobs":[{"id":"example-job"' \
  "$cli" index "$url" --api-key tr_dev_secret123
check "index refused" 1 '{"ok":false,"error":{"message":"Could not connect to endpoint http://127.0.0.1:9/"}}' \
  "$cli" index "http://127.0.0.1:9/" --api-key tr_dev_secret123
check "usage" 2 '"ok":false' "$cli" ping
check "bad url" 1 '"ok":false' "$cli" ping "ftp://x" --api-key k --endpoint-id e
echo "$((9 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
