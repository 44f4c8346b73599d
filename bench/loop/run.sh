#!/usr/bin/env bash
# Lead time of the loop: from a new data file appearing to the promoted version answering requests on a running
# kiln serve, through kiln pipeline watch (data trigger) and the declared rollout; then the cached re-run's time.
#
# Usage: bench/loop/run.sh DATA ROLLOUT       DATA: credit | synthetic[:ROWS]    ROLLOUT: direct | shadow-canary
# Needs: the distribution jar (./kiln builds it), python3 (numpy for synthetic), curl. KILN overrides the launcher.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN="${KILN:-$ROOT/kiln}"
DATA="${1:-credit}"; ROLLOUT="${2:-direct}"
WORK="$(mktemp -d /tmp/kiln-loop-bench.XXXXXX)"; cd "$WORK"
export KILN_HOME="$WORK/.kiln"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }
mkdir -p data incoming
case "$DATA" in
  credit)
    cp "$ROOT/kiln-app/src/main/resources/dev/kiln/app/quickstart/credit-g.csv" incoming/all.csv
    head -n 701 incoming/all.csv > data/current.csv; cp incoming/all.csv incoming/next.csv
    TARGET=class; ALGOS="[baseline, linear, gbdt]";;
  synthetic*)
    ROWS="${DATA#synthetic}"; ROWS="${ROWS#:}"; ROWS="${ROWS:-1000000}"
    python3 "$ROOT/bench/loop/gen.py" data/current.csv "$ROWS" 1
    python3 "$ROOT/bench/loop/gen.py" incoming/next.csv "$ROWS" 2
    TARGET=y; ALGOS="[baseline, gbdt]";;
  *) echo "DATA is credit or synthetic[:ROWS]" >&2; exit 2;;
esac
openssl rand -hex 24 > admin.token
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
write_yaml() {
  cat > kiln.yaml <<YAML
name: bench
data: data/current.csv
target: $TARGET
train:
  algorithms: $ALGOS
  seed: 0
gates:
  max_regression: 0.5
promote:
  alias: production
  rollout: $1
triggers:
  data: true
  poll: 1s
YAML
  [ "${2:-}" = "first" ] && return 0   # the first version: no server to roll out on yet
  cat >> kiln.yaml <<YAML
rollout:
  serve: http://127.0.0.1:$PORT
  admin_token_file: admin.token
  shadow_requests: 300
  canary_steps: [50, 100]
  canary_interval_seconds: 1
  max_wait: 10m
YAML
}
write_yaml direct first
T0=$(now); "$KILN" pipeline run > first.txt; T1=$(now)
echo "first run (train + register + promote v1): $(python3 -c "print(round($T1-$T0,1))") s"
"$KILN" serve --model bench=bench --port "$PORT" --poll-seconds 1 --admin-token-file admin.token > serve.log 2>&1 & PIDS+=($!)
until curl -sf "http://127.0.0.1:$PORT/v2/models/bench/ready" > /dev/null; do sleep 0.2; done
python3 "$ROOT/bench/loop/load.py" "$PORT" bench incoming/next.csv "$TARGET" & PIDS+=($!)
write_yaml "$ROLLOUT"
"$KILN" pipeline watch --json > watch.log 2>&1 & PIDS+=($!)
until grep -q '"run_finished"' watch.log; do sleep 0.2; done   # the catch-up run at start: every stage skipped
# The new file appears: written beside, moved in (as a producer should).
cp incoming/next.csv data/.next.part
T0=$(now); mv data/.next.part data/current.csv
until curl -sf "http://127.0.0.1:$PORT/v2/models/bench/ready" | grep -q '"version":"2"'; do sleep 0.05; done
T1=$(now)
echo "lead time, new file -> v2 answering ($DATA, $ROLLOUT): $(python3 -c "print(round($T1-$T0,1))") s"
grep -o '"event":"run_finished"[^}]*' watch.log | tail -1 || true
until [ "$(grep -c '"run_finished"' watch.log)" -ge 2 ]; do sleep 0.2; done
kill "${PIDS[2]}" 2>/dev/null || true; wait "${PIDS[2]}" 2>/dev/null || true
T0=$(now); "$KILN" pipeline run > cached.txt; T1=$(now)
echo "cached re-run (nothing changed): $(python3 -c "print(round($T1-$T0,1))") s — $(tail -1 cached.txt)"
echo "work dir: $WORK"
