#!/usr/bin/env bash
# Issue 22's figures: kiln data profile, drift and train on N x 20 numeric rows, each next to its reference in the
# same run (pandas read_csv; the 2 s target; the GBDT fit itself and 4x the file's size). See README.md.
set -euo pipefail

N="${N:-1000000}"
STEP_TIMEOUT="${STEP_TIMEOUT:-1200}"       # seconds allowed to each measured step
PYTHON="${PYTHON:-/usr/bin/python3}"       # Debian's python3 with python3-numpy and python3-pandas
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/speed"
WORK="${WORK:-$HERE/work}"
JAR="$ROOT/kiln-app/target/kiln.jar"
BEFORE_JAR="${BEFORE_JAR:-}"               # optional: an older kiln.jar measured in the same run ("before")
TEN_MILLION="${TEN_MILLION:-0}"            # 1: also train on 10,000,000 rows (about 1.9 GB of CSV)
STEPS="${STEPS:-profile drift train validate formats predict}"
# One configuration per algorithm: the default search budget at a million rows is minutes of fits, which would make
# "everything but the fits" look small whatever it costs. TRAIN_ARGS="" measures the default search.
TRAIN_ARGS="${TRAIN_ARGS---configurations 1}"

say() { echo "speed-bench: $*" >&2; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing $* with apt-get"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
"$PYTHON" -c "import numpy, pandas, scipy" 2>/dev/null || { apt_install python3-numpy python3-pandas python3-scipy; PYTHON=/usr/bin/python3; }
[ -x /usr/bin/time ] || apt_install time
command -v java >/dev/null || { say "java (JDK 17) is needed"; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "$ROOT/kiln" --version >/dev/null       # builds the jar if it is missing or older than the sources (not timed)
fi
[ -f "$JAR" ] || { say "$JAR is missing (run ./kiln --version)"; exit 1; }

mkdir -p "$WORK"
data() {  # data FILE N: the training file, written once per N
  local file="$1" n="$2"
  if [ ! -f "$file" ] || [ "$(cat "$file.n" 2>/dev/null)" != "$n" ]; then
    say "generating $file ($n rows)"
    "$PYTHON" "$HERE/gen.py" "$file" "$n" && echo "$n" > "$file.n"
  fi
}
data "$WORK/train.csv" "$N"
if [ ! -f "$WORK/ref.csv" ] || [ "$(cat "$WORK/drift.n" 2>/dev/null)" != "$N" ]; then
  say "generating ref.csv and cur.csv ($N rows each, bench/drift/gen.py)"
  "$PYTHON" "$ROOT/bench/drift/gen.py" "$WORK" "$N" && echo "$N" > "$WORK/drift.n"
fi
ls -l "$WORK"/*.csv >&2

measure() {  # measure KEY OUTFILE CMD...: wall s, peak RSS KB, user s, system s into KEY.time
  local key="$1" out="$2"
  shift 2
  say "running $key: $*"
  timeout "$STEP_TIMEOUT" /usr/bin/time -f "%e %M %U %S" -o "$WORK/$key.time" "$@" > "$out"
  say "  $(awk '{printf "%s s wall, %.0f MB peak RSS\n", $1, $2/1024}' "$WORK/$key.time")"
}
# Every Kiln command runs through the kiln launcher (its JVM options and environment, as users run it), on the jar
# given by KILN_JAR.
jars="after=$JAR"
[ -n "$BEFORE_JAR" ] && jars="$jars before=$BEFORE_JAR"
cat "$WORK"/*.csv > /dev/null              # every tool starts with the files in the page cache

for pair in $jars; do  # each jar's class-data archive (./kiln makes one per jar on first use): not timed
  env KILN_JAR="${pair#*=}" "$ROOT/kiln" --version >/dev/null
done
measure start /dev/null env KILN_JAR="$JAR" "$ROOT/kiln" --version
for step in $STEPS; do
  case "$step" in
    profile)
      measure pandas /dev/null "$PYTHON" "$HERE/read_pandas.py" "$WORK/train.csv" "$WORK/pandas.json"
      for pair in $jars; do
        measure "profile-${pair%%=*}" "$WORK/profile-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" data profile "$WORK/train.csv" --json
      done ;;
    drift)
      for pair in $jars; do
        measure "drift-${pair%%=*}" "$WORK/drift-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" drift --reference "$WORK/ref.csv" --current "$WORK/cur.csv" --json
      done ;;
    train)
      for pair in $jars; do
        rm -rf "$WORK/home-${pair%%=*}"
        measure "train-${pair%%=*}" "$WORK/train-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" train --data "$WORK/train.csv" --target label \
          --algorithms baseline,linear,gbdt $TRAIN_ARGS --home "$WORK/home-${pair%%=*}" --json
      done ;;
    validate)
      # Against the model the train step wrote (kiln data validate needs one): every row of the training file.
      bundle="$(ls -d "$WORK"/home-after/bundles/*/ 2>/dev/null | head -1)"
      if [ -z "$bundle" ]; then
        say "validate: no bundle under $WORK/home-after (run the train step first); skipped"
        continue
      fi
      for pair in $jars; do
        measure "validate-${pair%%=*}" "$WORK/validate-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" data validate \
          --data "$WORK/train.csv" --against "$bundle" --json
      done ;;
    predict)
      # kiln predict with the model the train step wrote: every row of the training file, as CSV, Parquet and JSON lines
      # (the formats step writes those), each next to the before jar; batches keep memory flat in the rows.
      bundle="$(ls -d "$WORK"/home-after/bundles/*/ 2>/dev/null | head -1)"
      if [ -z "$bundle" ]; then
        say "predict: no bundle under $WORK/home-after (run the train step first); skipped"
        continue
      fi
      for ext in csv parquet jsonl; do
        [ -f "$WORK/train.$ext" ] || { say "predict: no $WORK/train.$ext (run the formats step first); skipped"; continue; }
        for pair in $jars; do
          measure "predict-$ext-${pair%%=*}" "$WORK/predict-$ext-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" predict \
            --model "$bundle" --input "$WORK/train.$ext" --output "$WORK/predicted-${pair%%=*}.csv" --json
        done
        if [ -n "$BEFORE_JAR" ] && ! cmp -s "$WORK/predicted-before.csv" "$WORK/predicted-after.csv"; then
          say "predict: the two jars wrote different predictions for train.$ext"
        fi
      done
      rm -f "$WORK"/predicted-*.csv ;;
    formats)
      # Issue 22 point 3: the same files as Parquet and JSON lines (Convert.java, through kiln.jar's DuckDB), profiled and
      # compared for drift; the CSV figures of the same jar (the profile and drift steps) are the reference.
      for f in train ref cur; do
        for ext in parquet jsonl; do
          if [ ! -f "$WORK/$f.$ext" ] || [ "$WORK/$f.$ext" -ot "$WORK/$f.csv" ]; then
            say "writing $f.$ext from $f.csv"
            java -cp "$JAR" "$HERE/Convert.java" "$WORK/$f.csv" "$WORK/$f.$ext"
          fi
        done
      done
      cat "$WORK"/*.parquet "$WORK"/*.jsonl > /dev/null
      for pair in $jars; do
        for ext in parquet jsonl; do
          measure "profile-$ext-${pair%%=*}" "$WORK/profile-$ext-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" data profile "$WORK/train.$ext" --json
          measure "drift-$ext-${pair%%=*}" "$WORK/drift-$ext-${pair%%=*}.json" env KILN_JAR="${pair#*=}" "$ROOT/kiln" drift --reference "$WORK/ref.$ext" --current "$WORK/cur.$ext" --json
        done
      done ;;
  esac
done
if [ "$TEN_MILLION" = 1 ]; then
  data "$WORK/train10m.csv" 10000000
  rm -rf "$WORK/home-10m"
  measure train10m "$WORK/train10m.json" env KILN_JAR="$JAR" "$ROOT/kiln" train --data "$WORK/train10m.csv" --target label \
    --algorithms baseline,linear,gbdt $TRAIN_ARGS --home "$WORK/home-10m" --json
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
"$PYTHON" "$HERE/report.py" "$WORK"
