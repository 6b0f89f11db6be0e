J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for round in 1 2; do
for which in base new; do
  JAR=/work/main/rusm-bench/target/rusm-bench.jar; [ $which = base ] && JAR=/tmp/base/rusm-bench/target/rusm-bench.jar
  echo "== $which round $round $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  $J -jar $JAR 'CallBench|CastBench.oneSender|RestartBench' -p system=rusm,rusm-client -f 1 -wi 3 -w 1s -i 5 -r 1s -rf json -rff /tmp/perf/$which-$round-a.json 2>&1 | grep -E "^(Call|Cast|Restart)Bench|crashToServing.*p0.(50|99) " 
  $J -jar $JAR 'SpawnBench' -p system=rusm,rusm-service -f 1 -wi 8 -w 1s -i 5 -r 1s 2>&1 | grep -E "^SpawnBench"
done; done
