#!/usr/bin/env bash
# A private redis-server for the cluster demo and tests: on loopback, on a free port, without
# persistence, its files in a directory of the caller's. Needs root to install (apt-get).
#
#   scripts/redis.sh install      installs the Debian package redis-server, only when it is missing
#   scripts/redis.sh start DIR    installs if needed, starts redis-server in DIR (created), waits
#                                 until it answers (at most 15 s) and prints its port
#   scripts/redis.sh stop DIR     stops the server started in DIR, if it runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

install() {
  command -v redis-server >/dev/null && return
  echo "redis.sh: installing redis-server" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
}

start() {
  local dir=$1 port pid tries
  install
  mkdir -p "$dir"
  for tries in 1 2 3 4 5; do
    port=$(free_port)
    # No RDB snapshots, no append-only file: the membership lives as long as the demo.
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
      --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
    pid=$!
    echo "$pid" >"$dir/redis.pid"
    if wait_until 15 "redis-cli -h 127.0.0.1 -p $port ping 2>/dev/null | grep -q PONG" "$pid"; then
      echo "$port"
      return
    fi
    # Another process took the port between the probe and the bind: try another one.
    stop "$dir"
  done
  echo "redis.sh: redis-server did not start; see $dir/redis.log" >&2
  return 1
}

stop() {
  local dir=$1 pid
  [ -f "$dir/redis.pid" ] || return 0
  pid=$(cat "$dir/redis.pid")
  rm -f "$dir/redis.pid"
  stop_process "$pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: redis.sh start DIR}" ;;
  stop) stop "${2:?usage: redis.sh stop DIR}" ;;
  *) echo "usage: redis.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
