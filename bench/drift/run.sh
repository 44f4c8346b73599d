#!/usr/bin/env bash
# Time and peak memory of `kiln drift` on N x 20 numeric rows against N reference rows, next to a
# scipy ks_2samp loop over the same columns and next to reading the files alone. See README.md.
set -euo pipefail

N="${N:-1000000}"
STEP_TIMEOUT="${STEP_TIMEOUT:-900}"        # seconds allowed to each measured step
PYTHON="${PYTHON:-/usr/bin/python3}"       # Debian's python3 with python3-numpy / python3-scipy
HEAPS="${HEAPS:-512m 128m}"                # -Xmx of the two kiln runs (first one gives the ratios)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/drift"
WORK="${WORK:-$HERE/work}"
JAR="$ROOT/kiln-app/target/kiln.jar"

say() { echo "drift-bench: $*" >&2; }

# 1. What it needs, installed only if missing.
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing $* with apt-get"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
if ! "$PYTHON" -c "import numpy, scipy" 2>/dev/null; then
  apt_install python3-numpy python3-scipy
  PYTHON=/usr/bin/python3
fi
[ -x /usr/bin/time ] || apt_install time
command -v java >/dev/null || { say "java (JDK 17) is needed"; exit 1; }

# 2. Kiln: ./kiln builds the jar if it is missing or older than the sources (not timed); the timed
#    runs call the jar directly, so that the launcher's staleness check and git calls are not counted.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "$ROOT/kiln" --version >/dev/null
fi
[ -f "$JAR" ] || { say "$JAR is missing (run ./kiln --version)"; exit 1; }

# 3. Data: reference N(0,1); current shifted by 0.05 sd on x0-x4, 0.5 sd on x5-x9, x10-x19 unchanged.
mkdir -p "$WORK"
STAMP="$WORK/data.n"
if [ ! -f "$WORK/ref.csv" ] || [ ! -f "$WORK/cur.csv" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$N" ]; then
  rm -f "$STAMP"
  say "generating 2 x $N rows x 20 columns into $WORK"
  timeout "$STEP_TIMEOUT" "$PYTHON" "$HERE/gen.py" "$WORK" "$N"
  echo "$N" > "$STAMP"
else
  say "reusing $WORK/ref.csv and cur.csv ($N rows each)"
fi
REF="$WORK/ref.csv"
CUR="$WORK/cur.csv"
ls -l "$REF" "$CUR" >&2

# 4. Measurements: wall s, peak RSS KB, user s, system s.
measure() {  # measure KEY OUTFILE CMD...
  local key="$1" out="$2"
  shift 2
  say "running $key: $*"
  timeout "$STEP_TIMEOUT" /usr/bin/time -f "%e %M %U %S" -o "$WORK/$key.time" "$@" > "$out"
  say "  $(awk '{printf "%s s wall, %.0f MB peak RSS\n", $1, $2/1024}' "$WORK/$key.time")"
}

# The OS page cache: read both files once so that every tool starts from a warm cache.
cat "$REF" "$CUR" > /dev/null

measure kilnstart /dev/null java -jar "$JAR" --version
for heap in $HEAPS; do
  key="kiln${heap%m}"
  measure "$key" "$WORK/$key.json" java "-Xmx$heap" -jar "$JAR" drift --reference "$REF" --current "$CUR" --json
done
measure scipy /dev/null "$PYTHON" "$HERE/ks_scipy.py" "$REF" "$CUR" "$WORK/scipy.json"
measure pyread /dev/null "$PYTHON" "$HERE/ks_scipy.py" "$REF" "$CUR" "$WORK/pyread.json" --read-only
measure wc "$WORK/wc.txt" wc -l "$REF" "$CUR"

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
"$PYTHON" "$HERE/report.py" "$WORK"
