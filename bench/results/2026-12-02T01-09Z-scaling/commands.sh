#!/bin/bash
# The scaling step of bench/run (full settings), by hand from the repository root.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for cores in 1 2; do
  for n in 1 10 1000 100000; do
    $J -Xms2g -Xmx2g -XX:ActiveProcessorCount=$cores -Djdk.virtualThreadScheduler.parallelism=$cores \
      --sun-misc-unsafe-memory-access=allow -cp rusm-bench/target/rusm-bench.jar io.rusm.bench.ScalingMain "$n" 3
    ERL_FLAGS="+S $cores:$cores" escript bench/erlang/scale.escript "$n" 3
  done
done
