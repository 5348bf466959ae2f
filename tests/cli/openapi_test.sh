#!/usr/bin/env bash
# docs/openapi.yaml is valid OpenAPI 3.1 (swagger-parser), and real responses of a running
# kongflow-endpointsd match its schemas (ajv). usage: openapi_test.sh <kongflow-endpointsd>
set -euo pipefail
daemon="$1"
work="$(mktemp -d)"
source "$(dirname "$0")/lib.sh"
node "$here/openapi-lint.mjs" "$root/docs/openapi.yaml"
key="$(random_key)"
start_daemon "$key"
start_app "$key" schema-app
node "$here/check-responses.mjs" "$root/docs/openapi.yaml" "http://127.0.0.1:$daemon_port" "$key" \
  "http://127.0.0.1:$app_port/api/trigger" schema-app
