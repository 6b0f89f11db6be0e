#!/bin/bash
# side by side: base (54d15cc, platform writer + async:) vs new (caller commits + retry:)
OUT=/work/main/bench/results/2026-12-01T21-45Z-caller-commits
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE=/tmp/exp; NEW=/work/main
{ echo "machine: $(nproc) cores, $(uname -r)"; echo "base: 54d15cc (platform writer thread, async: file system)"; echo "new: $(git -C $NEW rev-parse --short HEAD) (caller commits, retry: file system)"; uptime; } > $OUT/env.txt
for round in 1 2; do for v in base new; do
  if [ $v = base ]; then R=$BASE; else R=$NEW; fi
  D=$(mktemp -d); echo "== KvMain neighbour $v round $round" >> $OUT/kv-neighbour.txt
  $J -Xms1g -Xmx1g -Drusm.bench.kvdir=$D -cp $R/rusm-bench/target/rusm-bench.jar io.rusm.bench.KvMain neighbour 3 1000 2>&1 | grep -E "\[kv-neighbour\]|RESULT" >> $OUT/kv-neighbour.txt; rm -rf $D
done; done
for v in base new; do
  if [ $v = base ]; then R=$BASE; else R=$NEW; fi
  D=$(mktemp -d); echo "== KvBench $v" >> $OUT/kvbench.txt
  $J -jar $R/rusm-bench/target/rusm-bench.jar KvBench -f 1 -wi 3 -w 1s -i 5 -r 2s -jvmArgsPrepend "-Drusm.bench.kvdir=$D" 2>&1 | grep -E "^KvBench|^Benchmark" >> $OUT/kvbench.txt; rm -rf $D
done
for v in base new; do
  if [ $v = base ]; then R=$BASE; else R=$NEW; fi
  for c in 4 64; do echo "== HTTP $v durable-counter, $c connections (alone, then next to 64 on /api/counter/bump); 2 rounds of 8 s" >> $OUT/http.txt
    DCONN=$c /tmp/httpexp3.sh $R/demo-app/target/demo-app-0.1.0-SNAPSHOT.jar /tmp/app-$v-$c.log >> $OUT/http.txt 2>&1; done
  echo "== HTTP $v AtomicLong endpoint (no rusm), 4 connections" >> $OUT/http.txt
  DPATH=/bench/atomic-counter/bump DCONN=4 /tmp/httpexp3.sh $R/demo-app/target/demo-app-0.1.0-SNAPSHOT.jar /tmp/app-$v-atomic.log >> $OUT/http.txt 2>&1
done
uptime >> $OUT/env.txt
echo done > /tmp/sbs.done
