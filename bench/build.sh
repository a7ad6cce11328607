# Sourced by the bench scripts: builds what is missing or older than its sources. Needs MVN and a log function.

# larkway_jar MARKER: prints the larkway jar (an absolute path: the scripts run it from a directory of its own, so it
# reads its packaged application.yaml and routes, not the working tree's), building it (and the test classes, e.g.
# MARKER) when stale; BENCH_LARKWAY_JAR names another jar to measure (e.g. a copy of an earlier build, for a
# before/after in one run, each jar with its own defaults and routes)
larkway_jar() {
  local jar
  if [[ -n ${BENCH_LARKWAY_JAR:-} ]]; then
    [[ -f $1 ]] || $MVN -DskipTests package >&2
    realpath "$BENCH_LARKWAY_JAR"; return
  fi
  jar=$(ls target/larkway-*.jar 2>/dev/null | head -1 || true)
  if [[ -z $jar || ! -f $1 || -n $(find pom.xml application.yaml src -newer "$jar" -type f -print -quit) ]]; then
    log "building larkway (mvn package -DskipTests)"
    $MVN -DskipTests package >&2
    jar=$(ls target/larkway-*.jar | head -1)
  fi
  realpath "$jar"
}

# driver_classpath FILE GROUP_IDS: prints the load driver's class path (larkway's classes and test
# classes, plus the test-scope dependencies of those Maven groups), cached in FILE
driver_classpath() {
  if [[ ! -s $1 || pom.xml -nt $1 ]]; then
    $MVN dependency:build-classpath -Dmdep.outputFile="$1" -Dmdep.includeScope=test -DincludeGroupIds="$2" >&2
  fi
  echo "target/classes:target/test-classes:$(cat "$1")"
}
