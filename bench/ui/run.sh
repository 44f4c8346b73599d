#!/usr/bin/env bash
# The /runs page's first page at 10,000 runs x 50 metrics: fills a fresh SQLite store through the API, then times
# GET /api/runs/search (median and p95). Options go to RunsPageBench: --runs N --metrics N --params N --requests N --threads N
# --postgres: the store on an embedded PostgreSQL (zonky) instead of SQLite.
# Needs: JDK 17 and Maven (builds kiln-app's test classes through the reactor; add MVN_OPTS=-o to stay offline).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/kiln-app/target/bench-classpath.txt"
# shellcheck disable=SC2086
mvn -B -q -ntp ${MVN_OPTS:-} -pl kiln-app -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
CP="kiln-app/target/test-classes:kiln-app/target/classes"
for m in kiln-runtime kiln-data kiln-train kiln-store kiln-serve kiln-monitor; do CP="$CP:$m/target/classes"; done
CP="$CP:$(tr ':' '\n' < "$CP_FILE" | grep -v '/kiln-[a-z]*/target/classes' | grep -v '/dev/kiln/' | paste -sd: -)"
exec java -Xmx2g -cp "$CP" dev.kiln.app.server.RunsPageBench "$@"
