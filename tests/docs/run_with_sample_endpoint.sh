#!/usr/bin/env bash
# run_with_sample_endpoint.sh SAMPLE_ENDPOINT EXPECTED PROGRAM ARGS...
#
# Starts kongflow-sample-endpoint on 127.0.0.1 (a free port) with a fresh API key, runs PROGRAM
# with ARGS, in which {url}, {id}, {key} and {dir} are replaced by the endpoint's URL, its id, the
# key and a temporary directory, and passes when the program exits 0 and its output has a line
# matching the extended regular expression EXPECTED. Used by the docs.* tests of the examples the
# documentation quotes.
set -euo pipefail
sample="$1" expected="$2" program="$3"
shift 3

work="$(mktemp -d)"
sample_pid=""
cleanup() {
  [ -n "$sample_pid" ] && kill "$sample_pid" 2>/dev/null && wait "$sample_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

key="tr_dev_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
id="sample-endpoint"
"$sample" --listen 127.0.0.1:0 --id "$id" --api-key "$key" >"$work/sample.out" 2>&1 </dev/null &
sample_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$work/sample.out")"
  [ -n "$port" ] && break
  kill -0 "$sample_pid" 2>/dev/null || { echo "the sample endpoint exited:"; cat "$work/sample.out"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the sample endpoint did not start within 10 s"; exit 1; }
url="http://127.0.0.1:$port/api/trigger"

args=()
for a in "$@"; do
  a="${a//\{url\}/$url}"
  a="${a//\{id\}/$id}"
  a="${a//\{key\}/$key}"
  a="${a//\{dir\}/$work}"
  args+=("$a")
done

set +e
timeout 120 "$program" "${args[@]}" >"$work/out" 2>&1
rc=$?
set -e
cat "$work/out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: $(basename "$program") exited with $rc"
  exit 1
fi
if ! grep -Eq "$expected" "$work/out"; then
  echo "FAIL: no line of the output matches: $expected"
  exit 1
fi
echo "PASS"
