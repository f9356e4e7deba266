# Helpers for the scripts that start servers on loopback; sourced, not run.

# Prints a loopback port that nothing listens on now.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# wait_until SECONDS CONDITION PID: evaluates CONDITION every 0.2 s until it holds (0), SECONDS
# pass or process PID exits (1).
wait_until() {
  local deadline=$((SECONDS + $1))
  while [ "$SECONDS" -lt "$deadline" ]; do
    eval "$2" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# stop_process PID: SIGTERM, then SIGKILL if it still runs after 10 s; waits (bounded) until it is gone.
stop_process() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_until 10 false "$pid" || true
  kill -KILL "$pid" 2>/dev/null || true
  wait_until 5 false "$pid" || true
}
