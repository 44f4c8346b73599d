#!/usr/bin/env bash
# Issue 21's figures: Kiln on Apache Spark (./kiln spark, an embedded local Spark) against Kiln on one machine, on the
# same N synthetic rows x 20 numbers + a yes/no label in Parquet, in the same run. See README.md.
set -euo pipefail

N="${N:-10000000}"                        # rows scored and compared (the issue's figure is 10,000,000)
TRAIN_ROWS="${TRAIN_ROWS:-200000}"        # rows the model is trained on
MASTER="${MASTER:-local[2]}"              # the Spark master of every kiln spark step
STEP_TIMEOUT="${STEP_TIMEOUT:-3600}"      # seconds allowed to each measured step
STEPS="${STEPS:-predict drift train}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/scale"
WORK="${WORK:-$HERE/work}"
KILN="$ROOT/kiln"

say() { echo "scale-bench: $*" >&2; }
[ -x /usr/bin/time ] || { say "/usr/bin/time is needed (Debian package time)"; exit 1; }
"$KILN" --version >/dev/null                 # builds kiln.jar if needed (not timed)
SPARK_COMMANDS="$("$KILN" spark --help)"  # builds kiln-spark and its Spark runtime if needed (not timed)
has_spark() { grep -qE "^  $1 " <<< "$SPARK_COMMANDS"; }

mkdir -p "$WORK"
rm -f "$WORK"/*.time                          # no figure from an earlier run
parquet() {  # parquet FILE N SEED SHIFT: written once per (N, SEED, SHIFT)
  local file="$1" key="$2 $3 $4"
  if [ ! -f "$file" ] || [ "$(cat "$file.key" 2>/dev/null)" != "$key" ]; then
    say "generating $file ($2 rows)"
    java -cp "$ROOT/kiln-app/target/kiln.jar" "$HERE/GenParquet.java" "$file" "$2" "$3" "$4" && echo "$key" > "$file.key"
  fi
}
parquet "$WORK/train.parquet" "$TRAIN_ROWS" 0.1 0
parquet "$WORK/rows.parquet" "$N" 0.2 0
parquet "$WORK/current.parquet" "$N" 0.3 0.1

measure() {  # measure KEY OUTFILE CMD...: wall s, peak RSS KB, user s, system s into KEY.time
  local key="$1" out="$2"
  shift 2
  say "running $key: $*"
  timeout "$STEP_TIMEOUT" /usr/bin/time -f "%e %M %U %S" -o "$WORK/$key.time" "$@" > "$out"
  say "  $(awk '{printf "%s s wall, %.0f MB peak RSS, %.1f s CPU\n", $1, $2/1024, $3+$4}' "$WORK/$key.time")"
}

if [ ! -f "$WORK/model.path" ]; then
  rm -rf "$WORK/home"
  "$KILN" train --data "$WORK/train.parquet" --target label --algorithms gbdt --configurations 1 --home "$WORK/home" \
    --json > "$WORK/train-model.json"
  ls -d "$WORK"/home/bundles/*/ | head -1 > "$WORK/model.path"
fi
MODEL="$(cat "$WORK/model.path")"

for step in $STEPS; do
  case "$step" in
    predict)
      rm -rf "$WORK/predict-kiln.csv" "$WORK/predict-spark.parquet"
      measure predict-kiln "$WORK/predict-kiln.json" "$KILN" predict --model "$MODEL" --input "$WORK/rows.parquet" \
        --output "$WORK/predict-kiln.csv" --json
      measure predict-spark "$WORK/predict-spark.json" "$KILN" spark predict --model "$MODEL" --input "$WORK/rows.parquet" \
        --output "$WORK/predict-spark.parquet" --master "$MASTER" --json ;;
    drift)
      measure drift-kiln "$WORK/drift-kiln.json" "$KILN" drift --reference "$WORK/rows.parquet" --current "$WORK/current.parquet" --json
      if has_spark drift; then
        measure drift-spark "$WORK/drift-spark.json" "$KILN" spark drift --reference "$WORK/rows.parquet" \
          --current "$WORK/current.parquet" --master "$MASTER" --json
      else
        say "kiln spark drift is not there yet: skipped"
      fi ;;
    train)
      if has_spark train; then
        rm -rf "$WORK/home-train-kiln" "$WORK/home-train-spark"
        measure train-kiln "$WORK/train-kiln.json" "$KILN" train --data "$WORK/rows.parquet" --target label --algorithms gbdt \
          --configurations 1 --home "$WORK/home-train-kiln" --json
        measure train-spark "$WORK/train-spark.json" "$KILN" spark train --data "$WORK/rows.parquet" --target label \
          --home "$WORK/home-train-spark" --master "$MASTER" --json
      else
        say "kiln spark train is not there yet: skipped"
      fi ;;
  esac
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
N="$N" /usr/bin/python3 "$HERE/report.py" "$WORK"
