#!/usr/bin/env bash
# Scheduler benchmark: 99 simulated engines x 8 GPUs (+ 34 FPGAs), 10,000 mixed placement requests, one thread.
# Prints decisions/s, decision latency percentiles and packing quality against a first-fit-decreasing bound.
# Takes about 1-2 minutes (build included). Options: WARMUPS=3 ITERATIONS=5 (2 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl scheduler,bench -am package -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -Dwarmups="${WARMUPS:-3}" -Diterations="${ITERATIONS:-5}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.lyre.bench.SchedulerBenchMain
