"""Fills a kiln server through its API with one model of many versions and alias moves, then times the model page's
first requests on one keep-alive connection (what the browser does). Reads PORT, *_TOKEN, VERSIONS, MOVES, REPS."""
import http.client
import json
import os
import random
import statistics
import sys
import time

PORT = int(os.environ["PORT"])
ADMIN, EDITOR, VIEWER = os.environ["ADMIN_TOKEN"], os.environ["EDITOR_TOKEN"], os.environ["VIEWER_TOKEN"]
VERSIONS, MOVES, REPS = int(os.environ["VERSIONS"]), int(os.environ["MOVES"]), int(os.environ["REPS"])
MODEL = "credit"
conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)


def call(method, path, token, body=None, content_type="application/json"):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = content_type
        if content_type == "application/json":
            body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def must(status, data, *ok):
    if status not in ok:
        sys.exit(f"unexpected {status}: {data[:500]!r}")


zip_bytes = open(sys.argv[1], "rb").read()
t0 = time.time()
for i in range(VERSIONS):
    must(*call("POST", f"/api/models/{MODEL}/versions?reason=nightly+build+{i + 1}", EDITOR, zip_bytes, "application/zip"), 201)
print(f"registered {VERSIONS} versions through the API in {time.time() - t0:.1f} s", file=sys.stderr)

rng = random.Random(1)
t0 = time.time()
gated = removed = 0
for i in range(MOVES):
    version = rng.randint(max(1, VERSIONS - 300), VERSIONS)
    if i % 10 == 0:
        # Production is protected: the gates run (head-to-head against the holder) and the move records its table.
        s, d = call("PUT", f"/api/models/{MODEL}/aliases/production", ADMIN, {"version": version, "reason": f"release {i}"})
        must(s, d, 200, 409)
        gated += 1
    elif i % 25 == 7:
        s, d = call("DELETE", f"/api/models/{MODEL}/aliases/canary?reason=canary+ended", ADMIN)
        must(s, d, 200, 404)
        removed += 1
    else:
        alias = "staging" if i % 2 else "canary"
        must(*call("PUT", f"/api/models/{MODEL}/aliases/{alias}", EDITOR, {"version": version, "reason": f"try build {version}"}), 200)
print(f"{MOVES} alias requests ({gated} gated production moves, {removed} removals) in {time.time() - t0:.1f} s", file=sys.stderr)

s, d = call("GET", f"/api/models/{MODEL}/history", VIEWER)
must(s, d, 200)
print(f"history: {len(json.loads(d))} events", file=sys.stderr)


def measure(path):
    for _ in range(20):
        must(*call("GET", path, VIEWER), 200)
    times = []
    size = 0
    for _ in range(REPS):
        start = time.perf_counter()
        status, data = call("GET", path, VIEWER)
        times.append((time.perf_counter() - start) * 1000)
        must(status, data, 200)
        size = len(data)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    return statistics.median(times), p95, size


summary = json.loads(call("GET", f"/api/models/{MODEL}/summary", VIEWER)[1])
print(f"summary: {summary['version_count']} versions, {summary['timeline']['moves']} alias intervals on "
      f"{len(summary['timeline']['aliases'])} aliases", file=sys.stderr)
print(f"| request | median ms | p95 ms | body bytes |")
print(f"|---|---:|---:|---:|")
for path in (f"/api/models/{MODEL}/summary", f"/api/models/{MODEL}/versions?page_size=50",
             f"/api/models/{MODEL}/versions?page_size=50&page_token=500", f"/api/models/{MODEL}/aliases?at=2026-01-01T00:00:00Z",
             f"/api/models/{MODEL}/versions/{VERSIONS}/card", f"/api/models/{MODEL}/timeline", f"/api/models/{MODEL}/versions"):
    med, p95, size = measure(path)
    print(f"| `GET {path}` | {med:.1f} | {p95:.1f} | {size} |")
