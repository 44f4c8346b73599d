#!/usr/bin/env bash
# Load test for `kiln serve`: single-row predictions for the quickstart model (credit), measured
# with wrk on 127.0.0.1, next to nginx returning a static JSON body of similar size, same wrk
# settings, same run. Passes: nginx, Kiln with --no-log, Kiln with the prediction log (default); ROUNDS (1) times.
# Prints one table (requests/s, p50, p99, Kiln/nginx requests/s ratio); exits non-zero if any
# request failed (socket errors, non-2xx responses) or a server did not come up.
#
# Settings (environment): DURATION (15s), THREADS (2), CONNECTIONS (16), WARMUP (30s, per target,
# not reported), ROUNDS (1; more repeats nginx and both Kiln passes, each ratio against its own round's nginx),
# KILN_PORT (18080), NGINX_PORT (18081), NGINX_WORKERS (auto), KILN_JAVA_OPTS,
# KILN (the command that runs Kiln; default ./kiln, which rebuilds the jar when a source is newer),
# CEILING_CP (a classpath holding Kiln's jar and kiln-serve/target/test-classes: adds four ceiling passes before
# Kiln's, `jetty-core` (a bare blocking Jetty 12 core handler), `jetty-nb` (a bare non-blocking one on Kiln's selector
# count), `javalin-min` (a one-route Javalin app) and `parser-nio` (Jetty's HTTP parser alone on plain NIO selector
# loops, Kiln's count: the most a leaner HTTP layer keeping that parser could reach), all answering
# nginx's body; see kiln-serve/src/test/java/dev/kiln/serve/RawJettyCeiling.java).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
KILN="${KILN:-$ROOT/kiln}"
LUA="$HERE/predict.lua"
HOST=127.0.0.1
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
WARMUP="${WARMUP:-30s}"
ROUNDS="${ROUNDS:-1}"
KILN_PORT="${KILN_PORT:-18080}"
NGINX_PORT="${NGINX_PORT:-18081}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" --latency -s "$LUA")

say() { echo "load: $*" >&2; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# --- tools ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get; needs root)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The Debian package may start a system nginx on port 80; it is not used here.
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# --- temp dir and cleanup ---------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/kiln-load.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
wait_ready() { # url pid what
  local i
  for i in $(seq 1 300); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { say "$3 exited before it was ready"; return 1; }
    sleep 0.2
  done
  say "$3 not ready after 60 s"; return 1
}
for p in "$KILN_PORT" "$NGINX_PORT"; do
  port_free "$p" || { say "port $p on $HOST is in use; set KILN_PORT / NGINX_PORT"; exit 1; }
done

# --- Kiln home with the quickstart model ------------------------------------------------------
say "quickstart into $TMP/home (builds Kiln first if needed)"
"$KILN" quickstart --home "$TMP/home" >"$TMP/quickstart.log" 2>&1 \
  || { cat "$TMP/quickstart.log" >&2; say "quickstart failed"; exit 1; }

# --- nginx: static JSON body of about Kiln's response size ------------------------------------
BODY='{"predictions":[{"prediction":"bad","probability_good":0.10079779534903344,"probability_bad":0.8992022046509666}],"model_name":"credit","model_version":"1","request_id":"00000000-0000-0000-0000-000000000000"}'
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $NGINX_WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen $HOST:$NGINX_PORT;
    default_type application/json;
    location / { return 200 '$BODY'; }
  }
}
CONF

# --- measurement ------------------------------------------------------------------------------
RESULTS=()   # "label|rps|p50_us|p99_us"
FAILED=0
measure() { # label base-url
  local label="$1" url="$2" out line
  say "$label: warm-up $WARMUP"
  wrk "${WRK_ARGS[@]}" -d"$WARMUP" "$url" >"$TMP/warmup-$label.txt" 2>&1 || true
  say "$label: wrk ${WRK_ARGS[*]} -d$DURATION $url"
  out="$(wrk "${WRK_ARGS[@]}" -d"$DURATION" "$url" 2>&1)" || { echo "$out" >&2; say "wrk failed"; FAILED=1; return; }
  echo "$out" >"$TMP/wrk-$label.txt"
  line="$(grep '^LOADRESULT' <<<"$out" || true)"
  [ -n "$line" ] || { echo "$out" >&2; say "no result line from wrk"; FAILED=1; return; }
  local -A r=()
  local kv
  for kv in ${line#LOADRESULT }; do r[${kv%%=*}]="${kv#*=}"; done
  local errs=$(( ${r[connect]} + ${r[read]} + ${r[write]} + ${r[timeout]} + ${r[status]} ))
  if [ "$errs" -gt 0 ] || grep -q 'Non-2xx or 3xx responses' <<<"$out" || [ "${r[requests]}" -eq 0 ]; then
    echo "$out" >&2
    say "$label: FAILED requests (connect=${r[connect]} read=${r[read]} write=${r[write]} timeout=${r[timeout]} status>=400=${r[status]})"
    FAILED=1
  fi
  RESULTS+=("$label|${r[rps]}|${r[p50_us]}|${r[p99_us]}|$ROUND")
}

ROUND=1
run_nginx() {
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_ready "http://$HOST:$NGINX_PORT/" "$NGINX_PID" nginx || exit 1
  measure nginx "http://$HOST:$NGINX_PORT"
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
}
run_nginx

run_ceiling() { # label mode
  local label="$1" mode="$2"
  port_free "$KILN_PORT" || { say "port $KILN_PORT still in use"; exit 1; }
  # shellcheck disable=SC2086
  java ${KILN_JAVA_OPTS:-} -cp "$CEILING_CP" dev.kiln.serve.RawJettyCeiling "$mode" "$KILN_PORT" >"$TMP/serve-$label.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_ready "http://$HOST:$KILN_PORT/" "$pid" "$label" || { cat "$TMP/serve-$label.log" >&2; exit 1; }
  measure "$label" "http://$HOST:$KILN_PORT"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
if [ -n "${CEILING_CP:-}" ]; then
  run_ceiling jetty-core jetty
  run_ceiling jetty-nb jetty-nb
  run_ceiling javalin-min javalin
  run_ceiling parser-nio parser-nio
fi

run_kiln() { # label extra-serve-args...
  local label="$1"; shift
  port_free "$KILN_PORT" || { say "port $KILN_PORT still in use"; exit 1; }
  "$KILN" serve --home "$TMP/home" --model credit=credit --host "$HOST" --port "$KILN_PORT" \
    --poll-seconds 0 "$@" >"$TMP/serve-$label.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_ready "http://$HOST:$KILN_PORT/v2/health/ready" "$pid" "kiln serve ($label)" \
    || { cat "$TMP/serve-$label.log" >&2; exit 1; }
  measure "$label" "http://$HOST:$KILN_PORT"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_kiln_passes() {
  run_kiln kiln-no-log --no-log
  run_kiln kiln-log --log-dir "$TMP/predictions"
  say "prediction log written in the kiln-log pass: $(find "$TMP/predictions" -type f -name "*.jsonl*" -exec cat {} + 2>/dev/null | wc -l) lines in $(find "$TMP/predictions" -type f | wc -l) files, $(du -sh "$TMP/predictions" 2>/dev/null | cut -f1)"
  rm -rf "$TMP/predictions"
}
run_kiln_passes
# Further rounds (ROUNDS > 1): nginx and both Kiln passes again, each ratio against its own round's nginx, because
# nginx's figure moves from run to run on a small shared machine (70k-100k here).
while [ "$ROUND" -lt "$ROUNDS" ]; do
  ROUND=$((ROUND + 1))
  say "round $ROUND of $ROUNDS"
  run_nginx
  run_kiln_passes
done

# --- report -----------------------------------------------------------------------------------
declare -A NGINX_RPS=()   # round -> nginx requests/s
for row in "${RESULTS[@]}"; do
  IFS='|' read -r label rps _ _ round <<<"$row"
  [ "$label" = nginx ] && NGINX_RPS[$round]="$rps"
done
declare -A RATIOS=()      # label -> space-separated ratios over the rounds
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, POST single-row body, $HOST; $(nproc) CPUs shared by wrk, nginx ($NGINX_WORKERS workers) and the JVM; load average before: $LOAD_BEFORE; $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-5s  %-12s  %12s  %9s  %9s  %11s\n' round target "requests/s" "p50 ms" "p99 ms" "/nginx rps"
printf '%-5s  %-12s  %12s  %9s  %9s  %11s\n' ----- ------------ ------------ --------- --------- -----------
for row in "${RESULTS[@]}"; do
  IFS='|' read -r label rps p50 p99 round <<<"$row"
  ratio="-"
  if [ -n "${NGINX_RPS[$round]:-}" ] && [ "$label" != nginx ]; then
    ratio="$(awk -v a="$rps" -v b="${NGINX_RPS[$round]}" 'BEGIN{printf "%.2f", a/b}')"
    RATIOS[$label]="${RATIOS[$label]:-} $ratio"
  fi
  printf '%-5s  %-12s  %12.0f  %9.3f  %9.3f  %11s\n' "$round" "$label" "$rps" \
    "$(awk -v u="$p50" 'BEGIN{print u/1000}')" "$(awk -v u="$p99" 'BEGIN{print u/1000}')" "$ratio"
done
if [ "$ROUNDS" -gt 1 ]; then
  for label in kiln-no-log kiln-log; do
    [ -n "${RATIOS[$label]:-}" ] || continue
    # shellcheck disable=SC2086
    echo "$label over $ROUNDS rounds: ratios${RATIOS[$label]}; median $(printf '%s\n' ${RATIOS[$label]} | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
  done
fi
echo "target (issue): Kiln requests/s >= 0.5 x nginx, p99 < 5 ms at that load"
if [ "$FAILED" -ne 0 ]; then say "some requests failed or a pass did not complete"; exit 1; fi
