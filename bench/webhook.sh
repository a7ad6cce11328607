#!/usr/bin/env bash
# Webhook ingress benchmark: larkway against a bare Spring Boot POST server (the issue's baseline)
# and against the webhook's essential work written by hand (verify, decrypt, one H2 INSERT), same
# machine, same load.
#
#   bench/webhook.sh
#
# Builds what is missing, starts larkway (fresh temporary H2 data dir, Open API pointed at a dead
# local port so nothing leaves the machine) with one org and one webhook integration with an
# Encrypt Key, starts the baseline (bench/baseline), drives both with bench/WebhookLoad.java and
# prints events/s, p50/p99 and the ratio. Then checks, without touching the database, that larkway
# counted every event it answered 200 to and processed them all. Everything it started is stopped
# on exit. Settings (environment):
#   BENCH_WARMUP=15 BENCH_DURATION=20   seconds per target and phase
#   BENCH_CONCURRENCY=16                requests in flight
#   BENCH_EVENTS=400000                 unique deliveries pre-generated (larkway never gets one twice)
#   BENCH_JAVA_OPTS="-Xmx1g"            JVM options of both servers
#   BENCH_LARKWAY_JAVA_OPTS=            extra JVM options of larkway only, e.g. to profile it:
#     "-XX:StartFlightRecording=filename=/tmp/larkway.jfr,settings=profile"
#   BENCH_LARKWAY_ARGS=                 extra larkway arguments, e.g. --camel.metrics.enable-exchange-event-notifier=false
#   BENCH_DURABLE_DB_URL= BENCH_DURABLE_DB_USER=   the durable-by-hand baseline's database (default: an H2 file like
#                                       larkway's); on PostgreSQL give it an empty database of its own, and larkway its own
#                                       through BENCH_LARKWAY_ARGS (see bench/README.md)
#   MVN_FLAGS=                          extra Maven flags, e.g. -o
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
MVN="mvn -B -q ${MVN_FLAGS:-}"

log() { printf '[bench] %s\n' "$*" >&2; }

# --- build what is missing or stale -----------------------------------------------------------
. "$(dirname "$0")/build.sh"
JAR=$(larkway_jar target/test-classes/io/larkway/emulator/WebhookSender.class)
BASE_JAR=$(ls bench/baseline/target/bare-post-server-*.jar 2>/dev/null | head -1 || true)
if [[ -z $BASE_JAR || -n $(find bench/baseline/pom.xml bench/baseline/src -newer "$BASE_JAR" -type f -print -quit) ]]; then
  log "building the baseline server (bench/baseline)"
  $MVN -f bench/baseline/pom.xml -DskipTests package
  BASE_JAR=$(ls bench/baseline/target/bare-post-server-*.jar | head -1)
fi
# the driver runs the emulator's WebhookSender, which needs Jackson
DRIVER_CP=$(driver_classpath target/bench-classpath.txt com.fasterxml.jackson.core)

# --- processes, cleaned up on any exit --------------------------------------------------------
WORK=$(mktemp -d -t larkway-bench.XXXXXX)
OUT=bench/out/$(date +%Y%m%d-%H%M%S)
. "$(dirname "$0")/processes.sh"
BASE_PORT=$(free_port)
while [[ $BASE_PORT == "$LARKWAY_PORT" ]]; do BASE_PORT=$(free_port); done
export LARKWAY_ADMIN_KEY="bench-admin-$RANDOM$RANDOM$RANDOM"

log "starting larkway on :$LARKWAY_PORT (data in $WORK/data, log $OUT/larkway.log)"
# from $WORK: the jar's own application.yaml and routes, not the working tree's
(cd "$WORK" && exec java $JAVA_OPTS ${BENCH_LARKWAY_JAVA_OPTS:-} -jar "$JAR" --larkway.data-dir="$WORK/data" --larkway.admin-key="$LARKWAY_ADMIN_KEY" \
  --server.port="$LARKWAY_PORT" --larkway.lark.feishu-base-url=http://127.0.0.1:9 --larkway.lark.lark-base-url=http://127.0.0.1:9 \
  ${BENCH_LARKWAY_ARGS:-}) >"$OUT/larkway.log" 2>&1 &
PIDS+=($!); LARKWAY_PID=$!
APP_ID=cli_bench0000000001
TOKEN=bench-verification-token-$RANDOM
ENCRYPT_KEY=bench-encrypt-key-$RANDOM$RANDOM
log "starting the baselines (bare POST server, durable by hand) on :$BASE_PORT"
java $JAVA_OPTS -jar "$BASE_JAR" --server.port="$BASE_PORT" --bench.encrypt-key="$ENCRYPT_KEY" --bench.verification-token="$TOKEN" \
  --spring.datasource.url="${BENCH_DURABLE_DB_URL:-jdbc:h2:file:$WORK/baseline/bench;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0}" \
  --spring.datasource.username="${BENCH_DURABLE_DB_USER:-sa}" \
  --spring.sql.init.mode=always --spring.sql.init.schema-locations=file:src/main/resources/db/migration/V2__inbound_events.sql,file:src/main/resources/db/migration/V7__inbox_attempts.sql,file:src/main/resources/db/migration/V19__one_dedupe_key.sql,file:bench/baseline/same-indexes-as-larkway.sql \
  >"$OUT/baseline.log" 2>&1 &
PIDS+=($!); BASE_PID=$!

wait_up larkway "$LARKWAY_PID"
wait_up baseline "$BASE_PID"

# --- one org, one webhook integration with an Encrypt Key ---------------------------------------
API="http://127.0.0.1:$LARKWAY_PORT/api"
ORG_KEY=$(curl -fsS -X POST "$API/orgs" -H "Authorization: Bearer $LARKWAY_ADMIN_KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}' | jq -r .apiKey)
INTEGRATION=$(curl -fsS -X POST "$API/integrations" -H "Authorization: Bearer $ORG_KEY" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"appId\":\"$APP_ID\",\"appSecret\":\"bench-secret\",\"verificationToken\":\"$TOKEN\",\"encryptKey\":\"$ENCRYPT_KEY\",\"connectionMode\":\"webhook\"}" \
  | jq -r .id)
log "integration $INTEGRATION"

# --- load ----------------------------------------------------------------------------------------
log "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
# in the background, so that an interrupt stops it at once (bash runs traps only between commands); the file exists
# before the driver starts, so that tail never looks for it too early
: >"$OUT/result.txt"
java -Xmx2g -cp "$DRIVER_CP" bench/WebhookLoad.java \
  "http://127.0.0.1:$BASE_PORT/api/lark/webhook/$INTEGRATION" "$BASE_PID" \
  "http://127.0.0.1:$LARKWAY_PORT/api/lark/webhook/$INTEGRATION" "$LARKWAY_PID" \
  "$APP_ID" "$TOKEN" "$ENCRYPT_KEY" \
  "http://127.0.0.1:$BASE_PORT/durable/api/lark/webhook/$INTEGRATION" "http://127.0.0.1:$BASE_PORT/durable/api/lark/webhook/warm-up" \
  >>"$OUT/result.txt" 2>&1 &
DRIVER_PID=$!; PIDS+=("$DRIVER_PID")
tail -n +1 -f --pid="$DRIVER_PID" "$OUT/result.txt" &
TAIL_PID=$!; PIDS+=("$TAIL_PID")
wait "$DRIVER_PID"
wait "$TAIL_PID"

# --- did larkway take every event it answered 200 to? (its metrics, no database) ----------------
ACCEPTED=$(sed -n 's/^LARKWAY_ACCEPTED=//p' "$OUT/result.txt")
NON200=$(sed -n 's/^LARKWAY_NON200=//p' "$OUT/result.txt")
ERRORS=$(sed -n 's/^LARKWAY_ERRORS=//p' "$OUT/result.txt")
DURABLE_NON200=$(sed -n 's/^DURABLE_NON200=//p' "$OUT/result.txt")
metric() { # name [label filter]: sum of a counter over our integration's series
  curl -fsS "http://127.0.0.1:$LARKWAY_PORT/actuator/prometheus" \
    | awk -v m="$1" -v id="integration=\"$INTEGRATION\"" -v f="${2:-}" \
        'index($0, m"{") == 1 && index($0, id) && index($0, f) { s += $NF } END { printf "%d\n", s }'
}
# every accepted event ends in dispatch (no trigger is published, so it is dropped there, counted)
START=$SECONDS
until [[ $(metric larkway_events_dropped_total) -ge $(metric larkway_events_received_total) || $((SECONDS - START)) -ge 120 ]]; do sleep 1; done
RECEIVED=$(metric larkway_events_received_total)
DUPLICATES=$(metric larkway_events_duplicates_total)
STALE=$(metric larkway_events_dropped_total 'reason="stale"')
PROCESSED=$(metric larkway_events_dropped_total)
COMMITS=$(curl -fsS "http://127.0.0.1:$LARKWAY_PORT/actuator/prometheus" | awk '/^larkway_inbox_accept_batch_count/ { printf "%d", $NF }')
{
  echo
  echo "group commit: $RECEIVED events accepted in $COMMITS transactions (warm-up included), $(awk -v e="$RECEIVED" -v c="$COMMITS" 'BEGIN { printf "%.1f", c ? e / c : 0 }') per transaction"
  echo "check: larkway answered 200 to $ACCEPTED deliveries (non-200: $NON200, transport errors: $ERRORS); it counted received=$RECEIVED duplicates=$DUPLICATES stale=$STALE; processed through dispatch=$PROCESSED (backlog drained $((SECONDS - START)) s after the load)"
  # a delivery lost in transport may still have been accepted, so received may exceed the 200s by at most the errors
  if [[ $DURABLE_NON200 -eq 0 && $NON200 -eq 0 && $RECEIVED -ge $ACCEPTED && $RECEIVED -le $((ACCEPTED + ERRORS)) && $DUPLICATES -eq 0 && $STALE -eq 0 \
        && $PROCESSED -eq $RECEIVED ]]; then
    echo "check: OK, every delivery answered 200 was accepted once and processed"
  else
    echo "check: FAILED"
  fi
} | tee -a "$OUT/result.txt"
log "results and server logs in $OUT"
grep -q '^check: OK' "$OUT/result.txt"
