#!/usr/bin/env bash
# Long-connection benchmark of the service as deployed: larkway from its jar in a JVM of its own
# (default settings: crash-safe H2 file database, INFO log), the Lark emulator and the load in
# another (bench/LongConnectionLoad.java). Measures the issue's target: ack p99 < 10 ms at
# 1 000 events/s, plus the saturated rate and larkway's CPU per event.
#
#   bench/long-connection-service.sh [N]         # N long-connection integrations (default 100)
#
# Builds what is missing, starts the driver (it owns the emulator and writes its URL), starts
# larkway against it (fresh temporary data dir, random admin key, free port), lets the driver
# create an org and N integrations and push events. Exits non-zero unless every event was acked
# with code 200. Everything it started is stopped on exit. Settings (environment):
#   BENCH_RATE=1000                     paced events/s (open loop)
#   BENCH_WARMUP=20 BENCH_DURATION=10   seconds: warm-up at the paced rate, then the measured paced phase
#   BENCH_EVENTS=20000                  events of the saturated burst
#   BENCH_IDLE=20                       seconds of each idle measurement (all connected, before any event): one right after
#                                       connecting (the JIT still compiles), one BENCH_IDLE_SETTLE=150 s after connecting
#                                       (after the first rounds of pings, every 30 s, and their compilation)
#   BENCH_JAVA_OPTS="-Xmx512m"          JVM options of larkway
#   BENCH_LARKWAY_JAVA_OPTS=            extra JVM options of larkway (e.g. a JFR recording)
#   BENCH_LARKWAY_ARGS=                 extra larkway arguments, to try a setting
#   MVN_FLAGS=                          extra Maven flags, e.g. -o
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx512m}
MVN="mvn -B -q ${MVN_FLAGS:-}"

log() { printf '[bench] %s\n' "$*" >&2; }

. "$(dirname "$0")/build.sh"
JAR=$(larkway_jar target/test-classes/io/larkway/emulator/LarkWebSocketServer.class)
# the driver runs the emulator (Vert.x), its long-connection side (the SDK's Pbbp2 frames) and Jackson
DRIVER_CP=$(driver_classpath target/bench-lc-classpath.txt com.fasterxml.jackson.core,io.vertx,io.netty,com.larksuite.oapi)

WORK=$(mktemp -d -t larkway-bench.XXXXXX)
OUT=bench/out/lc-$(date +%Y%m%d-%H%M%S)
. "$(dirname "$0")/processes.sh"
export LARKWAY_ADMIN_KEY="bench-admin-$RANDOM$RANDOM$RANDOM"
log "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# the driver owns the emulator, whose URL larkway needs; then larkway against it
with_emulator_driver bench/LongConnectionLoad.java "http://127.0.0.1:$LARKWAY_PORT" "$LARKWAY_ADMIN_KEY" \
  "$WORK/emulator.url" "$WORK/larkway.ready" "$WORK/larkway.pid" "$N"
log "larkway's data dir after the run: $(du -sh "$WORK/data" | cut -f1)"
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); results and larkway's log in $OUT"
exit "$STATUS"
