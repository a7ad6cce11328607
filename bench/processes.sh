# Sourced by the bench scripts: the processes they start, cleaned up on any exit; free ports; start-up waits.
# Needs OUT (the output folder) and a log function.
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_up() { # name pid: up once Spring Boot logged "Started ..." (larkway's Tomcat answers before its Camel routes run)
  for _ in $(seq 1 240); do
    kill -0 "$2" 2>/dev/null || { log "$1 exited during start-up; see $OUT/$1.log"; exit 1; }
    grep -q ' Started .* in .* seconds' "$OUT/$1.log" && return
    sleep 0.5
  done
  log "$1 did not come up; see $OUT/$1.log"; exit 1
}

# the service's port
LARKWAY_PORT=$(free_port)
