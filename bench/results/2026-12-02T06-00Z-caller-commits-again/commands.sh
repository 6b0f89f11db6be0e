#!/bin/bash
# Caller commits back (issue 13), 2026-12-02 05:55-06:25, 2-core VM, ~20% steal, load 1.2-7.8
# (fsync threads in D state count toward it). base = dfacac4 (writer thread for every commit),
# built in a worktree at /tmp/base; head = this change.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE=/tmp/base/rusm-bench/target/rusm-bench.jar; HEAD=/work/main/rusm-bench/target/rusm-bench.jar
# kv-neighbour.txt: alternating, 3 pairs with the first head, 2 with the final code
for r in 1 2 3; do for JAR in $BASE $HEAD; do $J -Xms1g -Xmx1g -cp $JAR io.rusm.bench.KvMain neighbour 3 1000 | grep RESULT; done; done
# kvbench.txt: base, head, base, head, then head2 (final), base, head2
for JAR in $BASE $HEAD $BASE $HEAD; do $J -jar $JAR KvBench -f 1 -wi 3 -w 1s -i 5 -r 2s -jvmArgsPrepend -Drusm.bench.kvdir=/tmp/cc; done
# http.txt: the demo app (each built with ./dev mvn -pl demo-app -am package), base1 head1 base2 head2;
# http.sh is ../2026-12-02T03-30Z-fairness/http.sh with a durable64 case (64 connections) added:
sed -e 's/for c in "durable4 $DU 4" "atomic4 $A 4"/for c in "durable4 $DU 4" "durable64 $DU 64" "atomic4 $A 4"/' \
  ../2026-12-02T03-30Z-fairness/http.sh > http.sh && chmod +x http.sh
for r in 1 2; do SKIPHTTP=1 ./http.sh /tmp/base/demo-app/target/demo-app-0.1.0-SNAPSHOT.jar base$r out
                 SKIPHTTP=1 ./http.sh /work/main/demo-app/target/demo-app-0.1.0-SNAPSHOT.jar head$r out; done
