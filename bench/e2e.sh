#!/usr/bin/env bash
# End-to-end latency benchmark: message in (webhook) -> reply call received by the Lark emulator,
# echo expert, steady open-loop rate, against a baseline that makes the same HTTP calls without larkway.
#
#   bench/e2e.sh
#
# Builds what is missing, runs bench/EndToEnd.java (it starts the test Lark emulator in its own
# process and writes its URL), starts larkway against that emulator (fresh temporary H2 data dir,
# random admin key, free port), and lets the driver set up an org, a webhook integration with an
# Encrypt Key, an echo expert and a published trigger, then measure. Prints p50/p99/max and the
# larkway overhead against the 50 ms p99 target; exits non-zero unless every message got exactly
# one reply. Everything it started is stopped on exit. Settings (environment):
#   BENCH_RATE=100                      messages per second (open loop)
#   BENCH_WARMUP=30 BENCH_DURATION=20   seconds: larkway warm-up, then baseline and larkway each measured this long
#   BENCH_DRAIN=30                      seconds to wait for the last replies of a phase
#   BENCH_JAVA_OPTS="-Xmx1g"            JVM options of larkway
#   BENCH_LARKWAY_JAVA_OPTS=            extra JVM options of larkway, e.g. "-XX:StartFlightRecording=filename=/tmp/larkway.jfr,settings=profile"
#   BENCH_LARKWAY_ARGS=                 extra larkway arguments, e.g. --larkway.reply.reply-in-p2p=false
#   MVN_FLAGS=                          extra Maven flags, e.g. -o
set -euo pipefail
# One app answers every message here, and Lark lets an app send 50 messages/s (larkway.reply.send-rate-per-app keeps
# to that): at 100 messages/s larkway would queue replies by design, so the bench lifts the per-app limit (the
# per-chat one still holds).
BENCH_LARKWAY_ARGS="--larkway.reply.send-rate-per-app=100000 ${BENCH_LARKWAY_ARGS:-}"
cd "$(dirname "$0")/.."
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
MVN="mvn -B -q ${MVN_FLAGS:-}"

log() { printf '[bench] %s\n' "$*" >&2; }

# --- build what is missing or stale -----------------------------------------------------------
. "$(dirname "$0")/build.sh"
JAR=$(larkway_jar target/test-classes/io/larkway/emulator/LarkEmulator.class)
# the driver runs the emulator (Vert.x) and WebhookSender (Jackson)
DRIVER_CP=$(driver_classpath target/bench-e2e-classpath.txt com.fasterxml.jackson.core,io.vertx,io.netty)

# --- processes, cleaned up on any exit --------------------------------------------------------
WORK=$(mktemp -d -t larkway-bench.XXXXXX)
OUT=bench/out/e2e-$(date +%Y%m%d-%H%M%S)
. "$(dirname "$0")/processes.sh"
export LARKWAY_ADMIN_KEY="bench-admin-$RANDOM$RANDOM$RANDOM"
log "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the driver first: it owns the emulator, whose URL larkway needs; then larkway against it ---
with_emulator_driver bench/EndToEnd.java "http://127.0.0.1:$LARKWAY_PORT" "$LARKWAY_ADMIN_KEY" \
  "$WORK/emulator.url" "$WORK/larkway.ready" "$OUT/messages.csv"
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); results, per-message latencies and larkway's log in $OUT"
exit "$STATUS"
