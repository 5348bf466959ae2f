#!/usr/bin/env bash
# Real-SDK test across the 2.3 line: the same app on @trigger.dev/sdk 2.3.19 and on 2.3.3 (the
# oldest 2.3 release on the registry, with its own @trigger.dev/core 2.3.3), registered with
# kongflow-endpointsd through its REST API. For each SDK: a wrong API key fails the create with
# the SDK's own PING message; the full app indexes to SUCCESS with the stats Trigger.dev computes;
# the app restarted with fewer jobs (one disabled) and registered again gives the reduced stats.
# Both SDKs must give the same results. usage: sdk_versions_test.sh <kongflow-endpointsd>
set -euo pipefail
daemon="$1"
work="$(mktemp -d)"
source "$(dirname "$0")/lib.sh"
for m in @trigger.dev/sdk trigger-sdk-2.3.3; do
  [ -d "$root/tests/interop/node_modules/$m" ] \
    || { echo "$m is not installed: run 'npm ci --ignore-scripts' in tests/interop"; exit 1; }
done

key="$(random_key)"
start_daemon "$key"
auth=(-H "Authorization: Bearer $key" -H "Content-Type: application/json")

# create SLUG URL → the daemon's reply (status line first)
create() {
  curl -s -w '\n%{http_code}' "${auth[@]}" -X POST "$daemon_url/api/v1/endpoints" -d "{\"url\":\"$2\",\"id\":\"$1\"}"
}

# wait_index CREATE_REPLY → its index once finished (SUCCESS or FAILURE), or fails after 30 s
wait_index() {
  local id r
  id="$(echo "$1" | head -n 1 | node -p 'JSON.parse(require("fs").readFileSync(0)).endpointIndex.id')"
  for _ in $(seq 1 300); do
    r="$(curl -sf "${auth[@]}" "$daemon_url/api/v1/endpointindex/$id")"
    case "$r" in *'"PENDING"'* | *'"STARTED"'*) sleep 0.1 ;; *) echo "$r"; return 0 ;; esac
  done
  echo "index $id did not finish: $r" >&2
  return 1
}

results="$work/results.jsonl"
for sdk in @trigger.dev/sdk trigger-sdk-2.3.3; do
  slug="app-${sdk//[^a-z0-9]/-}"
  dir="$root/tests/interop/node_modules/$sdk"
  # The SDK and the @trigger.dev/core it loads (2.3.3 keeps its own: an override in package.json).
  version="$(node -p "require('$dir/package.json').version + ' (core ' +
    require(require.resolve('@trigger.dev/core/package.json', { paths: ['$dir'] })).version + ')'")"

  # A wrong API key: the SDK's own PING answer, and the daemon's create error.
  start_app tr_dev_not_the_daemons_key "$slug" bad --sdk "$sdk" --variant full
  ping_bad="$(curl -s -X POST "$app_url" -H "x-trigger-api-key: $key" -H "x-trigger-action: PING" -H "x-trigger-endpoint-id: $slug")"
  bad="$(create "$slug" "$app_url")"
  stop_app bad

  start_app "$key" "$slug" full --sdk "$sdk" --variant full
  version_header="$(curl -s -o /dev/null -D - -X POST "$app_url" -H "x-trigger-api-key: $key" -H "x-trigger-action: PING" \
    -H "x-trigger-endpoint-id: $slug" | tr -d '\r' | sed -n 's/^trigger-version: //Ip')"
  full="$(create "$slug" "$app_url")"
  full_index="$(wait_index "$full")"
  stop_app full

  start_app "$key" "$slug" reduced --sdk "$sdk" --variant reduced
  reduced="$(create "$slug" "$app_url")"
  reduced_index="$(wait_index "$reduced")"
  endpoint="$(curl -sf "${auth[@]}" "$daemon_url/api/v1/endpoints/$slug")"
  stop_app reduced

  node -e 'const [sdk, version, pingBad, bad, header, full, fullIndex, reduced, reducedIndex, endpoint] = process.argv.slice(1);
    const reply = (s) => { const lines = s.split("\n"); return { status: Number(lines.pop()), body: JSON.parse(lines.join("\n")) }; };
    console.log(JSON.stringify({ sdk, version, pingBad: JSON.parse(pingBad), bad: reply(bad), header, full: reply(full),
      fullIndex: JSON.parse(fullIndex), reduced: reply(reduced), reducedIndex: JSON.parse(reducedIndex),
      endpoint: JSON.parse(endpoint) }));' \
    "$sdk" "$version" "$ping_bad" "$bad" "$version_header" "$full" "$full_index" "$reduced" "$reduced_index" "$endpoint" \
    >>"$results"
done

node - "$results" <<'JS'
const runs = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map((l) => JSON.parse(l));
let failed = false;
const check = (ok, what) => { if (!ok) { console.log("FAIL: " + what); failed = true; } };
const expected = {
  full: { jobs: 6, sources: 0, webhooks: 0, dynamicTriggers: 0, dynamicSchedules: 1, disabledJobs: 0, httpEndpoints: 1 },
};
for (const r of runs) {
  const name = `${r.sdk} ${r.version}`;
  check(typeof r.pingBad.message === "string", `${name}: the app's PING with a wrong key: ${JSON.stringify(r.pingBad)}`);
  check(r.bad.status === 400 && r.bad.body.error === r.pingBad.message,
    `${name}: create with a wrong key gave ${JSON.stringify(r.bad)}, the SDK said ${JSON.stringify(r.pingBad.message)}`);
  check(r.full.status === 200 && r.full.body.endpointIndex.status === "PENDING", `${name}: create ${JSON.stringify(r.full)}`);
  check(r.fullIndex.status === "SUCCESS", `${name}: full index ${JSON.stringify(r.fullIndex)}`);
  check(JSON.stringify(r.fullIndex.stats) === JSON.stringify(expected.full),
    `${name}: full stats ${JSON.stringify(r.fullIndex.stats)}, expected ${JSON.stringify(expected.full)}`);
  check(r.reduced.status === 200 && r.reducedIndex.status === "SUCCESS", `${name}: reduced ${JSON.stringify(r.reducedIndex)}`);
  check(r.reducedIndex.stats && r.reducedIndex.stats.disabledJobs > 0, `${name}: reduced stats ${JSON.stringify(r.reducedIndex.stats)}`);
  check(r.header !== "" && r.endpoint.version === r.header, `${name}: endpoint version ${r.endpoint.version}, the SDK sent ${r.header}`);
  console.log(`${name}: wrong key -> 400 ${JSON.stringify(r.bad.body.error)}; full ${JSON.stringify(r.fullIndex.stats)}; ` +
    `reduced ${JSON.stringify(r.reducedIndex.stats)}; version ${r.endpoint.version}`);
}
// The same app on both SDKs: the same answers.
const [a, b] = runs;
for (const k of ["fullIndex", "reducedIndex"])
  check(JSON.stringify(a[k].stats) === JSON.stringify(b[k].stats), `${k}: ${a.version} ${JSON.stringify(a[k].stats)} vs ${b.version} ${JSON.stringify(b[k].stats)}`);
process.exit(failed ? 1 : 0);
JS
