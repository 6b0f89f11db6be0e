#!/bin/bash
# usage: http.sh app.jar label outdir
JAR=$1; L=$2; OUT=$3; mkdir -p $OUT
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
P=18090; D=$(mktemp -d)
cd /work/main
$J -Xms1g -Xmx1g -jar $JAR --server.address=127.0.0.1 --server.port=$P --spring.profiles.active=bench --rusm.kv.path=$D/kv --logging.level.root=WARN > $OUT/$L-app.log 2>&1 &
APP=$!
trap "kill $APP; wait $APP; rm -rf $D" EXIT
for i in $(seq 1 60); do curl -fs -X POST http://127.0.0.1:$P/bench/atomic-counter/bump >/dev/null 2>&1 && break; sleep 1; done
R=http://127.0.0.1:$P/api/counter/bump; A=http://127.0.0.1:$P/bench/atomic-counter/bump; DU=http://127.0.0.1:$P/api/durable-counter/bump
wrk -t2 -c64 -d8s -s bench/post.lua $R >/dev/null; wrk -t2 -c64 -d8s -s bench/post.lua $A >/dev/null; wrk -t1 -c4 -d5s -s bench/post.lua $DU > /dev/null
[ -n "$SKIPHTTP" ] || for r in 1 2; do
  echo "$L http rusm $(wrk -t2 -c64 -d8s -s bench/post.lua $R | grep Requests/sec)"
  echo "$L http atomic $(wrk -t2 -c64 -d8s -s bench/post.lua $A | grep Requests/sec)"
done
[ -n "$SKIPNB" ] || for c in "durable4 $DU 4" "durable64 $DU 64" "atomic4 $A 4"; do
  read -r lab u n <<< "$c"
  for r in 1 2; do
    a=$(wrk -t1 -c$n -d8s -s bench/post.lua $u | grep Requests/sec)
    wrk -t2 -c64 -d8s -s bench/post.lua $R > $OUT/$L-nb.txt &
    NB=$!
    b=$(wrk -t1 -c$n -d8s --latency -s bench/post.lua $u | grep -E "Requests/sec| 99%" | tr '\n' ' ')
    wait $NB
    echo "$L neighbour $lab alone: $a | busy: $b | neighbour $(grep Requests/sec $OUT/$L-nb.txt)"
  done
done
