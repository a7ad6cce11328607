#!/usr/bin/env bash
# Long-connection benchmark: larkway vs the official Lark Java SDK ws client, same emulator, same run.
# Usage: bench/long-connection.sh [N,N,...] (default 10,100; e.g. "10,100,1000")
# Tunables: BENCH_EVENTS (saturated burst, 5000), BENCH_RATE (paced events/s, 1000), BENCH_SECONDS (3),
# BENCH_SDK_MAX (largest N also run with the SDK baseline, 200).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${1:-10,100}"
rm -f target/bench/long-connection.txt
mvn -B -q ${MVN_OFFLINE:--o} test -Dtest=LongConnectionBench -Dbench.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Xmx512m -Dbench.n=${SIZES} -Dbench.events=${BENCH_EVENTS:-5000} -Dbench.rate=${BENCH_RATE:-1000} -Dbench.seconds=${BENCH_SECONDS:-3} -Dbench.sdkMax=${BENCH_SDK_MAX:-200}"
cat target/bench/long-connection.txt
