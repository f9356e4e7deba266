#!/usr/bin/env bash
# The seed demo on a cluster of two silo processes that find each other through a private
# redis-server, all on loopback: run calls count_vowels, and --trace names the silo of every hop.
# Everything it starts is stopped when it ends, whether the demo succeeds or not.
#
#   scripts/run-cluster.sh [POLICY]    (default: scripts/cluster/policy.json)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
policy=${1:-$here/cluster/policy.json}
interplug="$root/interplug"

work=$(mktemp -d -t interplug-cluster-XXXXXX)
silos=()
cleanup() {
  local pid
  # Both silos stop gracefully at the same time; stop_process then waits for each, bounded.
  for pid in "${silos[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${silos[@]}"; do
    stop_process "$pid"
  done
  "$here/redis.sh" stop "$work/redis"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$here/redis.sh" start "$work/redis")
cluster="redis://127.0.0.1:$port"
echo "redis-server on 127.0.0.1:$port"

# start_silo NAME: starts a silo on free ports and waits (at most 120 s) for its `ready` line.
start_silo() {
  local name=$1
  "$interplug" silo --plugins "$root/plugins/dist" --policy "$policy" --cluster "$cluster" \
    --port "$(free_port)" --gateway-port "$(free_port)" >"$work/$name.out" 2>"$work/$name.err" </dev/null &
  silos+=("$!")
  if ! wait_until 120 "grep -qs '^ready ' '$work/$name.out'" "$!"; then
    echo "run-cluster: silo $name did not get ready:" >&2
    cat "$work/$name.err" >&2
    return 1
  fi
  echo "silo $name: $(cat "$work/$name.out")"
}
start_silo a
start_silo b

echo "./interplug run run --cluster $cluster --trace"
"$interplug" run run --cluster "$cluster" --trace
echo
