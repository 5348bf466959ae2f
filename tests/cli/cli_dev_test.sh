#!/usr/bin/env bash
# Real-client test: the unmodified @trigger.dev/cli `dev` command (2.3.19, or the one named) registers a local
# @trigger.dev/sdk 2.3.19 app with kongflow-endpointsd and reports that it refreshed; the daemon
# then holds the app's jobs with a SUCCESS index; the CLI's `whoami` shows the key's environment.
# usage: cli_dev_test.sh <kongflow-endpointsd> [CLI package in tests/cli/node_modules, default
# @trigger.dev/cli; trigger-cli-2.3.16 is the oldest 2.3 CLI the registry lists]
set -euo pipefail
daemon="$1"
cli_package="${2:-@trigger.dev/cli}"
work="$(mktemp -d)"
source "$(dirname "$0")/lib.sh"
cli="$here/node_modules/$cli_package/dist/index.js"
[ -f "$cli" ] || { echo "$cli_package is not installed: run 'npm ci --ignore-scripts' in tests/cli"; exit 1; }
echo "CLI: $cli_package $(node -p "require('$here/node_modules/$cli_package/package.json').version")"

key="$(random_key)"
start_daemon "$key"
start_app "$key" cli-test-app
echo "daemon on $daemon_url, SDK app on port $app_port"

# The project folder the CLI inspects (package.json with the endpoint id and the SDK).
cp -r "$here/app" "$work/project"

# The CLI asks the npm registry whether @trigger.dev/* is outdated: answer from loopback.
node "$here/fake-registry.cjs" "$work/registry-port" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/registry-port" ] && break; sleep 0.05; done
registry="http://127.0.0.1:$(cat "$work/registry-port")/"

# No tunnel: TRIGGER_API_URL's host and the app's host are both "localhost".
# exec: the background pid is the CLI itself, so killing it (below, and on exit) stops it; the
# dev command never exits by itself (it watches the project's files).
(cd "$work/project" && \
  TRIGGER_API_KEY="$key" TRIGGER_API_URL="$daemon_url" NODE_OPTIONS="--require $here/loopback-only.cjs" \
  npm_config_registry="$registry" NO_COLOR=1 FORCE_COLOR=0 \
  exec node "$cli" dev . --port "$app_port" >"$work/cli.log" 2>&1 </dev/null) &
cli_pid=$!
pids+=("$cli_pid")

outcome=""
for _ in $(seq 1 600); do
  if grep -q "Refreshing failed" "$work/cli.log"; then outcome=failed; break; fi
  if grep -q "\[trigger.dev\] Refreshed" "$work/cli.log"; then outcome=refreshed; break; fi
  kill -0 "$cli_pid" 2>/dev/null || { outcome=exited; break; }
  sleep 0.1
done
kill "$cli_pid" 2>/dev/null || true
echo "---- CLI output"; cat "$work/cli.log"; echo "----"
if [ "$outcome" != refreshed ]; then
  echo "FAIL: the CLI did not report a refresh (outcome: ${outcome:-timeout})"
  echo "---- daemon log"; cat "$work/daemon.log"
  exit 1
fi
grep -q "Found your trigger endpoint: http://localhost:$app_port/api/trigger" "$work/cli.log" \
  || { echo "FAIL: the CLI did not find the app"; exit 1; }

# The daemon's state, through its REST API.
auth=(-H "Authorization: Bearer $key")
ep="$(curl -sf "${auth[@]}" "$daemon_url/api/v1/endpoints/cli-test-app")"
jobs="$(curl -sf "${auth[@]}" "$daemon_url/api/v1/endpoints/cli-test-app/jobs")"
indexes="$(curl -sf "${auth[@]}" "$daemon_url/api/v1/endpoints/cli-test-app/indexes")"
node - "$ep" "$jobs" "$indexes" "$app_port" <<'JS'
const [ep, jobs, indexes, port] = process.argv.slice(2).map((s, i) => (i < 3 ? JSON.parse(s) : s));
const fail = (m) => { console.log("FAIL: " + m); process.exit(1); };
if (ep.url !== `http://localhost:${port}/api/trigger`) fail(`endpoint url ${ep.url}`);
if (ep.version !== "2023-09-29") fail(`endpoint version ${ep.version}`);
const slugs = jobs.jobs.map((j) => j.slug);
if (!slugs.includes("example-job")) fail(`jobs ${slugs}`);
const done = indexes.indexes.find((i) => i.status === "SUCCESS");
if (!done) fail(`no SUCCESS index: ${JSON.stringify(indexes.indexes.map((i) => i.status))}`);
const counted = jobs.jobs.filter((j) => j.enabled && !j.internal).length;
if (done.stats.jobs !== counted) fail(`stats ${JSON.stringify(done.stats)} but ${counted} enabled jobs: ${JSON.stringify(jobs.jobs.map((j) => [j.slug, j.enabled, j.internal]))}`);
if (done.source !== "INTERNAL") fail(`source ${done.source}`);
console.log(`ok: endpoint registered, ${slugs.length} jobs (${slugs.join(", ")}), index SUCCESS with stats ${JSON.stringify(done.stats)}`);
JS

# The CLI's `whoami` command reads GET /api/v1/whoami through its own schema: it prints the
# environment, project and organization the key belongs to (undefined fields if the shape is off).
project_id="$(node -p 'JSON.parse(process.argv[1]).project.id' "$(curl -sf "${auth[@]}" "$daemon_url/api/v1/whoami")")"
(cd "$work/project" && \
  TRIGGER_API_KEY="$key" TRIGGER_API_URL="$daemon_url" NODE_OPTIONS="--require $here/loopback-only.cjs" \
  NO_COLOR=1 FORCE_COLOR=0 timeout 60 node "$cli" whoami . >"$work/whoami.log" 2>&1 </dev/null) || true
if ! grep -q "environment: DEVELOPMENT" "$work/whoami.log" || ! grep -q "id: *$project_id" "$work/whoami.log"; then
  echo "FAIL: the CLI's whoami did not show the environment and project $project_id"; cat "$work/whoami.log"; exit 1
fi
echo "ok: the CLI's whoami shows the DEVELOPMENT environment of project $project_id"
