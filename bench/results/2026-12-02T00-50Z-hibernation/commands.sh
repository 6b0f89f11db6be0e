#!/bin/sh
# Retained heap per idle service, 1,000,000 services per JVM, as bench/run's memory step runs it
# (one JVM per system, -Xms8g -Xmx8g), after issue 18's hibernation; same session, one after another.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for s in rusm-service rusm pekko vt-queue; do
  $J -Xms8g -Xmx8g --sun-misc-unsafe-memory-access=allow -cp rusm-bench/target/rusm-bench.jar io.rusm.bench.MemoryMain $s 1000000
done
# the same rusm service with hibernation off (the figure before this change's shape)
$J -Xms8g -Xmx8g --sun-misc-unsafe-memory-access=allow -Drusm.bench.hibernateAfter=P365D -cp rusm-bench/target/rusm-bench.jar io.rusm.bench.MemoryMain rusm-service 1000000
