#!/bin/bash
# usage: httpexp.sh <jar> <logfile>
JAR=$1; LOG=$2; DIR=$(mktemp -d); PORT=18181
/usr/lib/jvm/temurin-25-jdk-amd64/bin/java $JOPTS -Xms1g -Xmx1g -jar "$JAR" --server.address=127.0.0.1 --server.port=$PORT \
  --spring.profiles.active=bench --rusm.kv.path="$DIR/kv" --logging.level.root=WARN > "$LOG" 2>&1 &
PID=$!
trap 'kill $PID; wait $PID; rm -rf $DIR' EXIT
for _ in $(seq 1 120); do curl -fs -X POST "http://127.0.0.1:$PORT/bench/atomic-counter/bump" >/dev/null 2>&1 && break; sleep 0.5; done
D="http://127.0.0.1:$PORT${DPATH:-/api/durable-counter/bump}"; P="http://127.0.0.1:$PORT/api/counter/bump"
cd /work/main
wrk -t1 -c4 -d5s -s bench/post.lua "$D" >/dev/null
wrk -t2 -c64 -d5s -s bench/post.lua "$P" >/dev/null
for r in 1 2; do
  echo "--- alone $r"; echo "MARK alone $r" >> $LOG
  wrk -t1 -c${DCONN:-4} -d8s --latency -s bench/post.lua "$D" | grep -E "Requests/sec|99%|Non-2xx"
  echo "--- busy $r"; echo "MARK busy $r" >> $LOG
  wrk -t2 -c64 -d8s -s bench/post.lua "$P" > /tmp/neigh.txt &
  N=$!
  wrk -t1 -c${DCONN:-4} -d8s --latency -s bench/post.lua "$D" | grep -E "Requests/sec|99%|Non-2xx"
  wait $N; grep Requests/sec /tmp/neigh.txt
done
