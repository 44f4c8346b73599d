"""Prints issue 22's table from the files run.sh wrote: each Kiln figure next to its reference of the same run.

Usage: report.py WORK_DIR
"""
import json, os, sys

work = sys.argv[1]


def timed(key):
    """(wall s, peak RSS MB) from /usr/bin/time -f "%e %M %U %S", or None when the step did not run."""
    path = os.path.join(work, key + ".time")
    if not os.path.exists(path):
        return None
    wall, rss = open(path).read().split()[-4:-2]
    return float(wall), int(rss) / 1024


def load(name):
    path = os.path.join(work, name)
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def find(node, key):
    """The first value under `key` anywhere in a JSON tree."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = find(child, key)
            if found is not None:
                return found
    return None


size_mb = os.path.getsize(os.path.join(work, "train.csv")) / 2**20
start = timed("start")
print(f"\ntraining file {size_mb:.0f} MB; JVM start-up alone (kiln --version): {start[0]:.2f} s")
print(f"\n| step | jar | Kiln s | reference | ref s | ratio Kiln/ref | peak RSS MB | RSS / file |")
print("|---|---|---:|---|---:|---:|---:|---:|")
pandas = load("pandas.json")
for jar in ("before", "after"):
    p = timed(f"profile-{jar}")
    if p and pandas:
        print(f"| data profile | {jar} | {p[0]:.2f} | pandas read_csv (in process) | {pandas['read_s']:.2f} | "
              f"{p[0] / pandas['read_s']:.2f} (target <= 0.5) | {p[1]:.0f} | {p[1] / size_mb:.1f} |")
for jar in ("before", "after"):
    d = timed(f"drift-{jar}")
    if d:
        print(f"| drift 1M vs 1M | {jar} | {d[0]:.2f} | the 2 s target | 2.00 | {d[0] / 2:.2f} (target < 1) | {d[1]:.0f} | |")
for jar in ("before", "after", "10m"):
    key = "train10m" if jar == "10m" else f"train-{jar}"
    t = timed(key)
    if not t:
        continue
    report = load(key + ".json")
    timings = find(report, "timings_ms") if report else None
    file_mb = size_mb * (10 if jar == "10m" else 1)
    if timings and isinstance(timings.get("fit"), dict):
        fits = timings["fit"]
        gbdt = fits.get("gbdt", 0) / 1000
        non_fit = (timings["total"] - sum(fits.values())) / 1000
        print(f"| train, all but the fits | {jar} | {non_fit:.2f} | the gbdt fit | {gbdt:.2f} | "
              f"{non_fit / gbdt:.2f} (target < 1) | {t[1]:.0f} | {t[1] / file_mb:.1f} (target <= 4) |")
        print(f"| train, whole command | {jar} | {t[0]:.2f} | | | | | |")
    else:
        print(f"| train, whole command (no timings in this jar's report) | {jar} | {t[0]:.2f} | | | | {t[1]:.0f} | {t[1] / file_mb:.1f} |")
for jar in ("before", "after"):
    v = timed(f"validate-{jar}")
    if v:
        print(f"| data validate (every row) | {jar} | {v[0]:.2f} | | | | {v[1]:.0f} | {v[1] / size_mb:.1f} |")
formats = [(step, ext, jar) for jar in ("before", "after") for step in ("profile", "drift") for ext in ("parquet", "jsonl")
           if timed(f"{step}-{ext}-{jar}")]
if formats:
    print("\n| step | format | jar | Kiln s | CSV s (same jar, same run) | ratio format/CSV | peak RSS MB |")
    print("|---|---|---|---:|---:|---:|---:|")
    for step, ext, jar in formats:
        t = timed(f"{step}-{ext}-{jar}")
        csv = timed(f"{step}-{jar}")
        if csv:
            print(f"| {step} | {ext} | {jar} | {t[0]:.2f} | {csv[0]:.2f} | {t[0] / csv[0]:.2f} (target <= 1) | {t[1]:.0f} |")
        else:
            print(f"| {step} | {ext} | {jar} | {t[0]:.2f} | | | {t[1]:.0f} |")
if pandas:
    print(f"\npandas reader: {pandas['reader']}, {pandas['rows']:,} rows")
predicts = [(ext, jar) for ext in ("csv", "parquet", "jsonl") for jar in ("before", "after") if timed(f"predict-{ext}-{jar}")]
if predicts:
    print("\n| kiln predict, every row of the training file | format | jar | Kiln s | peak RSS MB | RSS / file |")
    print("|---|---|---|---:|---:|---:|")
    for ext, jar in predicts:
        t = timed(f"predict-{ext}-{jar}")
        file_mb = os.path.getsize(os.path.join(work, "train." + ext)) / 2**20
        print(f"| | {ext} | {jar} | {t[0]:.2f} | {t[1]:.0f} | {t[1] / file_mb:.1f} |")
