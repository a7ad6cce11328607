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

wait_up() { # name pid: up once Spring Boot logged "Started ..." (larkway's Tomcat answers before its Camel routes run); 5 minutes at most (a busy machine)
  for _ in $(seq 1 600); do
    kill -0 "$2" 2>/dev/null || { log "$1 exited during start-up; see $OUT/$1.log"; exit 1; }
    grep -q ' Started .* in .* seconds' "$OUT/$1.log" && return
    sleep 0.5
  done
  log "$1 did not come up; see $OUT/$1.log"; exit 1
}

# the service's port
LARKWAY_PORT=$(free_port)

# with_emulator_driver DRIVER.java ARGS...: runs a load driver (single-file program, class path
# DRIVER_CP) that owns the Lark emulator: it writes the emulator's URL to $WORK/emulator.url and
# waits for $WORK/larkway.ready. Starts larkway (JAR, JAVA_OPTS) against that emulator once the
# URL is there, writes its pid to $WORK/larkway.pid, creates the ready file, shows the driver's
# output ($OUT/result.txt) as it comes and sets STATUS to the driver's exit code. BENCH_DRIVER_JAVA_OPTS: extra JVM
# options of the driver (e.g. -Xlog:gc:file=/tmp/driver-gc.log, to tell the driver's pauses from larkway's).
with_emulator_driver() {
  # in the background, so that an interrupt stops it at once (bash runs traps only between commands)
  java -Xmx1g ${BENCH_DRIVER_JAVA_OPTS:-} -cp "$DRIVER_CP" "$@" >"$OUT/result.txt" 2>&1 &
  local driver=$!; PIDS+=("$driver")
  for _ in $(seq 1 120); do
    [[ -s $WORK/emulator.url ]] && break
    kill -0 "$driver" 2>/dev/null || { cat "$OUT/result.txt" >&2; log "the driver exited during start-up"; exit 1; }
    sleep 0.5
  done
  local emulator; emulator=$(cat "$WORK/emulator.url")
  log "starting larkway on :$LARKWAY_PORT against the emulator at $emulator (data in $WORK/data, log $OUT/larkway.log)"
  # from $WORK: the jar's own application.yaml and routes, not the working tree's
  (cd "$WORK" && exec java $JAVA_OPTS ${BENCH_LARKWAY_JAVA_OPTS:-} -jar "$JAR" --larkway.data-dir="$WORK/data" --larkway.admin-key="$LARKWAY_ADMIN_KEY" \
    --server.port="$LARKWAY_PORT" --larkway.lark.feishu-base-url="$emulator" --larkway.lark.lark-base-url="$emulator" \
    ${BENCH_LARKWAY_ARGS:-}) >"$OUT/larkway.log" 2>&1 &
  PIDS+=($!); LARKWAY_PID=$!
  wait_up larkway "$LARKWAY_PID"
  echo "$LARKWAY_PID" >"$WORK/larkway.pid"
  touch "$WORK/larkway.ready"
  tail -n +1 -f --pid="$driver" "$OUT/result.txt" &
  local tail=$!; PIDS+=("$tail")
  STATUS=0
  wait "$driver" || STATUS=$?
  wait "$tail"
}
