#!/usr/bin/env bash
# The model page's requests at scale: a kiln server on a fresh home, one model of VERSIONS versions registered
# THROUGH THE API (zip uploads of one small bundle, each with its own reason), MOVES alias moves through the API
# (staging/canary by an editor, gated production moves by an admin, a few removals), then the time of the page's
# two first requests (GET .../summary and GET .../versions?page_size=50) measured REPS times. See README.md.
#
# Usage: bench/ui/models/run.sh            VERSIONS=1000 MOVES=300 REPS=200 override; KILN overrides the launcher.
# Needs: the distribution jar (./kiln builds it), python3, curl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
KILN="${KILN:-$ROOT/kiln}"
export VERSIONS="${VERSIONS:-1000}" MOVES="${MOVES:-300}" REPS="${REPS:-200}"
WORK="$(mktemp -d /tmp/kiln-models-bench.XXXXXX)"
export KILN_HOME="$WORK/.kiln"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
say() { echo "models-bench: $*" >&2; }

# 1. One small bundle: a logistic regression on 400 generated rows (so production moves run real gates).
python3 - "$WORK/data.csv" <<'PY'
import random, sys
r = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("x1,x2,y\n")
    for _ in range(400):
        x1, x2 = r.gauss(0, 1), r.gauss(0, 1)
        f.write(f"{x1:.4f},{x2:.4f},{'yes' if x1 + 0.5 * r.gauss(0, 1) > 0.3 else 'no'}\n")
PY
say "training the bundle"
"$KILN" train --data "$WORK/data.csv" --target y --algorithms linear --out "$WORK/bundle" >/dev/null
python3 -c 'import sys, zipfile, pathlib
d = pathlib.Path(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    [z.write(p, p.name) for p in sorted(d.iterdir()) if p.is_file()]' "$WORK/bundle" "$WORK/bundle.zip"

# 2. Tokens (who moved what), then the server.
export ADMIN_TOKEN EDITOR_TOKEN VIEWER_TOKEN
ADMIN_TOKEN="$("$KILN" server token add alice --role admin --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
EDITOR_TOKEN="$("$KILN" server token add ed --role editor --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
VIEWER_TOKEN="$("$KILN" server token add vera --role viewer --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
export PORT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KILN" server --port "$PORT" --host 127.0.0.1 > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

# 3. Fill through the API and measure.
python3 "$ROOT/bench/ui/models/bench.py" "$WORK/bundle.zip"
