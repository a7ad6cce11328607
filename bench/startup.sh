#!/usr/bin/env bash
# Start-up benchmark: time from `java -jar` to healthy (/actuator/health answers 200) and the resident
# memory (RSS) once idle, for larkway (embedded H2 default, fresh data dir) and for a bare Spring Boot +
# Camel service (bench/startup-baseline: MVC, actuator health, one timer route) measured in the same run,
# alternating, BENCH_RUNS times each. Prints every run, the medians and the ratios; exits non-zero when a
# service does not come up healthy. Targets (issue 24): larkway < 6 s to healthy, idle RSS < 350 MB.
#
# Two RSS figures: 10 s after healthy in every timed start (what start-up left behind), and idle: after
# the timed starts, one more start of each service, all left idle BENCH_IDLE_RSS seconds (larkway's
# larkway.memory.idle-collect-seconds is 60: an idle instance gives back the heap it does not use, a
# minute or two after its last collection).
#
#   bench/startup.sh                     # about 5 minutes
#
# Settings (environment):
#   BENCH_RUNS=3                         starts per service
#   BENCH_IDLE=10                        seconds idle after healthy before the first RSS (and idle CPU) are read
#   BENCH_IDLE_RSS=150                   seconds the services stay idle before the idle RSS is read
#   BENCH_JAVA_OPTS=                     JVM options of both (none: the JVM's defaults, as `java -jar` in the README)
#   BENCH_LARKWAY_ARGS=                  extra larkway arguments, to try a setting
#   BENCH_BEFORE_JAR=                    another larkway jar (e.g. a copy of an earlier build), measured as "before" in the same run
#   BENCH_EXTRACTED=1                    also the same jar in Spring Boot's extracted layout (`java -Djarmode=tools -jar larkway.jar
#                                        extract`, then `java -jar` of the extracted jar; README, "Faster start"); 0 = not
#   MVN_FLAGS=                           extra Maven flags, e.g. -o
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-3}
IDLE=${BENCH_IDLE:-10}
IDLE_RSS=${BENCH_IDLE_RSS:-150}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
MVN="mvn -B -q ${MVN_FLAGS:-}"

log() { printf '[bench] %s\n' "$*" >&2; }

. "$(dirname "$0")/build.sh"
JAR=$(larkway_jar target/classes/io/larkway/LarkwayApplication.class)
BASE_JAR=$(ls bench/startup-baseline/target/bare-camel-service-*.jar 2>/dev/null | head -1 || true)
if [[ -z $BASE_JAR || -n $(find bench/startup-baseline/pom.xml bench/startup-baseline/src -newer "$BASE_JAR" -type f -print -quit) ]]; then
  log "building the baseline (bench/startup-baseline)"
  $MVN -f bench/startup-baseline/pom.xml -DskipTests package
  BASE_JAR=$(ls bench/startup-baseline/target/bare-camel-service-*.jar | head -1)
fi
BASE_JAR=$(realpath "$BASE_JAR")
[[ -z ${BENCH_BEFORE_JAR:-} ]] || BENCH_BEFORE_JAR=$(realpath "$BENCH_BEFORE_JAR")

WORK=$(mktemp -d -t larkway-bench.XXXXXX)
OUT=bench/out/startup-$(date +%Y%m%d-%H%M%S)
. "$(dirname "$0")/processes.sh"
log "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

now_ms() { date +%s%3N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure NAME RUN JAR ARGS...: prints "seconds-to-healthy rss-MiB idle-cores", nothing on failure (it stops its own
# process on failure, else leaves it running, its pid in $OUT/NAME-RUN.pid)
measure() {
  local name=$1 run=$2 jar=$3; shift 3
  local port; port=$(free_port)
  local logf="$OUT/$name-$run.log"
  local t0; t0=$(now_ms)
  # from $WORK: each jar with its own packaged application.yaml (and larkway's routes), not the working tree's
  (cd "$WORK" && exec java $JAVA_OPTS -jar "$jar" --server.port="$port" "$@") >"$logf" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/actuator/health" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up; see $logf"; exit 1; }
    (( $(now_ms) - t0 > 300000 )) && { log "$name not healthy after 300 s; see $logf"; kill "$pid"; exit 1; }
    sleep 0.1
  done
  local up=$(( $(now_ms) - t0 ))
  sleep 1 # start-up work that runs after the first healthy answer is not idle
  local c0; c0=$(cpu_ticks "$pid")
  sleep "$IDLE"
  local c1; c1=$(cpu_ticks "$pid")
  local rss; rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  echo "$pid" >"$OUT/$name-$run.pid"
  awk -v up="$up" -v rss="$rss" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v idle="$IDLE" \
    'BEGIN { printf "%.2f %d %.3f\n", up / 1000, rss, c / hz / idle }'
}

keep() { PIDS+=("$(cut -d' ' -f1 "$OUT/$1-$2.pid")"); } # the service's process, stopped on any exit
stop() { # stops the service's process and waits until it is gone (killed after 10 s)
  local pid; pid=$(cut -d' ' -f1 "$OUT/$1-$2.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

EXTRACTED_JAR=
if [[ ${BENCH_EXTRACTED:-1} == 1 ]]; then
  java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/extracted" >&2
  EXTRACTED_JAR="$WORK/extracted/$(basename "$JAR")"
fi

: >"$OUT/runs.txt"
larkway_args() { echo --larkway.data-dir="$WORK/data-$1-$2" --larkway.admin-key="bench-admin-$RANDOM$RANDOM" \
  --larkway.lark.feishu-base-url=http://127.0.0.1:9 --larkway.lark.lark-base-url=http://127.0.0.1:9 ${BENCH_LARKWAY_ARGS:-}; }
jar_of() { case $1 in baseline) echo "$BASE_JAR" ;; extracted) echo "$EXTRACTED_JAR" ;; before) echo "$BENCH_BEFORE_JAR" ;; *) echo "$JAR" ;; esac; }
TARGETS="baseline larkway ${EXTRACTED_JAR:+extracted} ${BENCH_BEFORE_JAR:+before}"
# the timed starts, one service at a time, each stopped after its idle window
for run in $(seq 1 "$RUNS"); do
  for target in $TARGETS; do
    # shellcheck disable=SC2046
    read -r s r c < <(measure "$target" "$run" "$(jar_of "$target")" $([[ $target == baseline ]] || larkway_args "$target" "$run")) || exit 1
    keep "$target" "$run"; stop "$target" "$run"
    echo "$target $run $s $r $c" | tee -a "$OUT/runs.txt" >&2
  done
done

# the idle RSS: one more start of each, all left idle, read IDLE_RSS seconds after the last was healthy (larkway gives its
# unused heap back after larkway.memory.idle-collect-seconds, 60 s by default, without a collection)
log "idle RSS: one more start of each, read ${IDLE_RSS} s after the last is healthy"
: >"$OUT/idle.txt"
for target in $TARGETS; do
  # shellcheck disable=SC2046
  measure "$target" idle "$(jar_of "$target")" $([[ $target == baseline ]] || larkway_args "$target" idle) >/dev/null || exit 1
  keep "$target" idle
done
sleep "$IDLE_RSS"
for target in $TARGETS; do
  read -r pid _ <"$OUT/$target-idle.pid"
  kill -0 "$pid" 2>/dev/null || { log "$target exited while idle; see $OUT/$target-idle.log"; exit 1; }
  echo "$target $(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")" | tee -a "$OUT/idle.txt" >&2
  stop "$target" idle
done

col() { awk -v n="$1" -v k="$2" '$1 == n { print $k }' "${3:-$OUT/runs.txt}" | median; }
BS=$(col baseline 3); BR=$(col baseline 4); BC=$(col baseline 5); BI=$(col baseline 2 "$OUT/idle.txt")
LS=$(col larkway 3); LR=$(col larkway 4); LC=$(col larkway 5); LI=$(col larkway 2 "$OUT/idle.txt")
{
  echo
  printf '%-10s %14s %16s %14s %12s   (median of %d starts, RSS %d s after healthy; idle RSS: one start, %d s idle)\n' target "s to healthy" "RSS at start MiB" "idle RSS MiB" \
    "idle cores" "$RUNS" "$IDLE" "$IDLE_RSS"
  printf '%-10s %14s %16s %14s %12s\n' baseline "$BS" "$BR" "$BI" "$BC"
  printf '%-10s %14s %16s %14s %12s\n' larkway "$LS" "$LR" "$LI" "$LC"
  if [[ -n $EXTRACTED_JAR ]]; then
    ES=$(col extracted 3); EI=$(col extracted 2 "$OUT/idle.txt")
    printf '%-10s %14s %16s %14s %12s   (the same jar, extracted)\n' extracted "$ES" "$(col extracted 4)" "$EI" "$(col extracted 5)"
  fi
  if [[ -n ${BENCH_BEFORE_JAR:-} ]]; then
    printf '%-10s %14s %16s %14s %12s   (%s)\n' before "$(col before 3)" "$(col before 4)" "$(col before 2 "$OUT/idle.txt")" "$(col before 5)" "$BENCH_BEFORE_JAR"
    awk -v ls="$LS" -v bs="$(col before 3)" -v li="$LI" -v bi="$(col before 2 "$OUT/idle.txt")" 'BEGIN { printf "larkway / before: start x%.2f, idle RSS x%.2f\n", ls / bs, li / bi }'
  fi
  awk -v ls="$LS" -v bs="$BS" -v li="$LI" -v bi="$BI" 'BEGIN {
    printf "larkway / baseline: start x%.2f, idle RSS x%.2f\n", ls / bs, li / bi
    printf "larkway start %.2f s (target < 6 s): %s; idle RSS %d MiB = %.0f MB (target < 350 MB): %s\n",
      ls, ls < 6 ? "MET" : "NOT MET", li, li * 1.048576, li * 1.048576 < 350 ? "MET" : "NOT MET" }'
  if [[ -n $EXTRACTED_JAR ]]; then
    awk -v es="$ES" -v bs="$BS" -v ei="$EI" 'BEGIN {
      printf "extracted: start %.2f s (x%.2f the baseline; < 6 s: %s), idle RSS %d MiB = %.0f MB (< 350 MB: %s)\n",
        es, es / bs, es < 6 ? "yes" : "no", ei, ei * 1.048576, ei * 1.048576 < 350 ? "yes" : "no" }'
  fi
} | tee "$OUT/result.txt"
log "results and logs in $OUT"
