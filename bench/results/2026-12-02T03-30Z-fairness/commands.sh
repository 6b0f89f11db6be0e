# base = 91d6d13 (before ExternalQueueWatch), head = the fairness commit; jars from
# ./dev mvn -q -o -pl rusm-bench -am package -DskipTests, alternating, 2-core VM.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for v in base head base head; do
  $J -jar $v-bench.jar 'CallBench|CastBench.oneSender|SpawnBench|RestartBench' -p system=rusm,rusm-client,vt-queue,resident -f 1 -wi 3 -w 1s -i 5 -r 1s
done
for v in head base head base; do $J -Xms1g -Xmx1g -cp $v-bench.jar io.rusm.bench.KvMain neighbour 3 1000; done
