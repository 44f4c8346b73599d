#!/usr/bin/env bash
# Serving requests/s with the prediction log sent to Kafka (`kiln serve --log-sink kafka://...`) against the file
# log (`--log-dir`, the default sink), in the same run: single-row predictions for the quickstart model (credit),
# measured with wrk on 127.0.0.1 (bench/load's request script and settings), a real Kafka broker (Apache Kafka
# 4.4.0, KRaft, one node, from the Maven artifacts) on the same machine. Passes, ROUNDS (1) times: file, kafka.
# After each pass the server's /metrics give the log's written, dropped and failed counts, and for the kafka pass
# the records on the topic are counted.
#
# Settings (environment): DURATION (15s), THREADS (2), CONNECTIONS (16), WARMUP (10s, per pass, not reported),
# ROUNDS (1), KILN_PORT (18080), KAFKA_PORT (19092), KILN (default ./kiln, which rebuilds the jar when a source is
# newer), MVN_OFFLINE (-o; empty to let Maven download Kafka's broker artifacts).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
KILN="${KILN:-$ROOT/kiln}"
LUA="$ROOT/bench/load/predict.lua"
HOST=127.0.0.1
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
WARMUP="${WARMUP:-10s}"
ROUNDS="${ROUNDS:-1}"
KILN_PORT="${KILN_PORT:-18080}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT=$((KAFKA_PORT + 1))
MVN_OFFLINE="${MVN_OFFLINE--o}"
KAFKA_VERSION=4.4.0
TOPIC=kiln-predictions
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" --latency -s "$LUA")

say() { echo "kafka-bench: $*" >&2; }
command -v wrk >/dev/null || { say "needs wrk (apt-get install wrk)"; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/kiln-kafka-bench.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() { # url pid what
  local i
  for i in $(seq 1 300); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { say "$3 exited before it was ready"; return 1; }
    sleep 0.2
  done
  say "$3 not ready after 60 s"; return 1
}

# --- the broker: Kafka's own artifacts, resolved by Maven into a classpath ----------------------------------
say "resolving Kafka $KAFKA_VERSION's broker (Maven $MVN_OFFLINE)"
mkdir -p "$TMP/cp"
JACKSON="$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' "$ROOT/pom.xml")"
cat >"$TMP/cp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>kafka-broker-classpath</artifactId><version>1</version>
  <!-- Jackson as Kiln pins it (the version kiln-kafka's tests run the broker with). -->
  <dependencyManagement><dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>$JACKSON</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-core</artifactId><version>$JACKSON</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-annotations</artifactId><version>$JACKSON</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.dataformat</groupId><artifactId>jackson-dataformat-yaml</artifactId><version>$JACKSON</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>2.0.16</version></dependency>
  </dependencies>
</project>
POM
# shellcheck disable=SC2086
mvn -B -q -ntp $MVN_OFFLINE -f "$TMP/cp/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$TMP/cp/classpath.txt" >"$TMP/cp/mvn.log" 2>&1 || { cat "$TMP/cp/mvn.log" >&2; exit 1; }
KAFKA_CP="$(cat "$TMP/cp/classpath.txt")"
cat >"$TMP/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$TMP/kafka-data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS
CLUSTER_ID="$(java -cp "$KAFKA_CP" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
java -cp "$KAFKA_CP" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$TMP/server.properties" >"$TMP/format.log" 2>&1 \
  || { cat "$TMP/format.log" >&2; say "formatting the broker's log folder failed"; exit 1; }
java -Xmx1g -cp "$KAFKA_CP" kafka.Kafka "$TMP/server.properties" >"$TMP/kafka.log" 2>&1 &
KAFKA_PID=$!; PIDS+=("$KAFKA_PID")
for i in $(seq 1 300); do
  (exec 3<>"/dev/tcp/$HOST/$KAFKA_PORT") 2>/dev/null && break
  kill -0 "$KAFKA_PID" 2>/dev/null || { cat "$TMP/kafka.log" >&2; say "the broker exited"; exit 1; }
  sleep 0.2
done
say "broker up on $HOST:$KAFKA_PORT"

# --- Kiln home with the quickstart model ------------------------------------------------------------------
say "quickstart into $TMP/home (builds Kiln first if needed)"
"$KILN" quickstart --home "$TMP/home" >"$TMP/quickstart.log" 2>&1 \
  || { cat "$TMP/quickstart.log" >&2; say "quickstart failed"; exit 1; }

metric() { # name url -> value
  curl -sf "$2/metrics" | awk -v n="$1" '$1 == n {print $2}' | head -1
}

RESULTS=()
FAILED=0
run_pass() { # label round serve-args...
  local label="$1" round="$2"; shift 2
  "$KILN" serve --home "$TMP/home" --model credit=credit --host "$HOST" --port "$KILN_PORT" --poll-seconds 0 "$@" \
    >"$TMP/serve-$label.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  local base="http://$HOST:$KILN_PORT"
  wait_ready "$base/v2/health/ready" "$pid" "kiln serve ($label)" || { cat "$TMP/serve-$label.log" >&2; exit 1; }
  wrk "${WRK_ARGS[@]}" -d"$WARMUP" "$base" >/dev/null 2>&1 || true
  say "$label: wrk ${WRK_ARGS[*]} -d$DURATION $base"
  local out line
  out="$(wrk "${WRK_ARGS[@]}" -d"$DURATION" "$base" 2>&1)" || { echo "$out" >&2; FAILED=1; }
  line="$(grep '^LOADRESULT' <<<"$out" || true)"
  [ -n "$line" ] || { echo "$out" >&2; say "no result line from wrk"; FAILED=1; return; }
  local -A r=()
  local kv
  for kv in ${line#LOADRESULT }; do r[${kv%%=*}]="${kv#*=}"; done
  local errs=$(( ${r[connect]} + ${r[read]} + ${r[write]} + ${r[timeout]} + ${r[status]} ))
  [ "$errs" -eq 0 ] || { say "$label: $errs failed requests"; FAILED=1; }
  local i
  for i in $(seq 1 100); do # until the writer has drained its queue
    [ "$(metric kiln_prediction_log_queue_size "$base")" = "0.0" ] && break
    sleep 0.1
  done
  local written dropped failed
  written="$(metric kiln_prediction_log_written_total "$base")"
  dropped="$(metric kiln_prediction_log_dropped_total "$base")"
  failed="$(metric kiln_prediction_log_failed_total "$base")"
  RESULTS+=("$round|$label|${r[rps]}|${r[p50_us]}|${r[p99_us]}|${written:-?}|${dropped:-?}|${failed:-?}")
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  run_pass file "$round" --log-dir "$TMP/predictions-$round"
  run_pass kafka "$round" --log-sink "kafka://$HOST:$KAFKA_PORT/$TOPIC"
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, POST single-row body, $HOST; $(nproc) CPUs shared by wrk, the broker and the JVM; $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-5s  %-6s  %12s  %9s  %9s  %12s  %10s  %10s\n' round sink "requests/s" "p50 ms" "p99 ms" "log written" dropped failed
for row in "${RESULTS[@]}"; do
  IFS='|' read -r round label rps p50 p99 written dropped failed <<<"$row"
  printf '%-5s  %-6s  %12.0f  %9.3f  %9.3f  %12s  %10s  %10s\n' "$round" "$label" "$rps" \
    "$(awk -v u="$p50" 'BEGIN{print u/1000}')" "$(awk -v u="$p99" 'BEGIN{print u/1000}')" "$written" "$dropped" "$failed"
done
echo "file log: $(find "$TMP" -path '*predictions-*' -name '*.jsonl' -exec cat {} + 2>/dev/null | wc -l) lines; topic: $(du -sh "$TMP/kafka-data" 2>/dev/null | cut -f1) of broker data"
if [ "$FAILED" -ne 0 ]; then say "some requests failed or a pass did not complete"; exit 1; fi
