"""Prints the benchmark table and the KS agreement from the files run.sh wrote.

Usage: report.py WORK_DIR
"""
import json, os, sys

work = sys.argv[1]


def timed(name):
    # /usr/bin/time -f "%e %M %U %S": wall s, peak RSS KB, user s, system s
    with open(os.path.join(work, name + ".time")) as f:
        wall, rss, user, sys_ = f.read().split()[-4:]
    return float(wall), int(rss) / 1024, float(user) + float(sys_)


rows = [
    ("kiln drift, -Xmx512m", "kiln512"),
    ("kiln drift, -Xmx128m", "kiln128"),
    ("JVM start only (kiln --version)", "kilnstart"),
    ("python: read + scipy ks_2samp x20", "scipy"),
    ("python: read both files only", "pyread"),
    ("wc -l both files", "wc"),
]
m = {key: timed(key) for _, key in rows if os.path.exists(os.path.join(work, key + ".time"))}
scipy = json.load(open(os.path.join(work, "scipy.json")))
pyread = json.load(open(os.path.join(work, "pyread.json")))
kiln = json.load(open(os.path.join(work, "kiln512.json")))
kiln128 = json.load(open(os.path.join(work, "kiln128.json")))

print()
print(f"rows: reference {scipy['rows_ref']:,}, current {scipy['rows_cur']:,}, {scipy['columns']} numeric columns")
print(f"python reader: {scipy['reader']}; scipy {scipy['scipy']}")
print()
print(f"| {'tool':<36} | {'wall s':>7} | {'CPU s':>7} | {'peak RSS MB':>11} |")
print(f"|{'-' * 38}|{'-' * 8}:|{'-' * 8}:|{'-' * 12}:|")
for label, key in rows:
    if key in m:
        w, r, c = m[key]
        print(f"| {label:<36} | {w:>7.2f} | {c:>7.2f} | {r:>11.0f} |")
print()
print(f"python inside its run: read {scipy['read_s']:.2f} s, ks_2samp x{scipy['columns']} {scipy['ks_s']:.2f} s"
      f" (read-only run: read {pyread['read_s']:.2f} s)")
print()
sw, sr, _ = m["scipy"]
for label, key in (("kiln -Xmx512m", "kiln512"), ("kiln -Xmx128m", "kiln128")):
    w, r, _ = m[key]
    print(f"{label} / scipy loop: time {w / sw:.2f}x, peak RSS {r / sr:.2f}x;"
          f"  / python read alone: time {w / m['pyread'][0]:.2f}x;  / wc -l: time {w / m['wc'][0]:.1f}x")
print()

ks_k = {f["name"]: f for f in kiln["features"]}
ks_k128 = {f["name"]: f for f in kiln128["features"]}
print(f"| column | D kiln | D scipy | |diff| | p kiln | p scipy | kiln drift |")
print(f"|---|---:|---:|---:|---:|---:|---|")
worst = 0.0
same_heap = True
disagree = 0
alpha = kiln["thresholds"].get("ks_p_value", 0.05) if isinstance(kiln.get("thresholds"), dict) else 0.05
for s in scipy["ks"]:
    k = ks_k[s["name"]]
    d = abs(k["ks_statistic"] - s["D"])
    worst = max(worst, d)
    same_heap &= ks_k128[s["name"]]["ks_statistic"] == k["ks_statistic"]
    print(f"| {s['name']} | {k['ks_statistic']:.5f} | {s['D']:.5f} | {d:.5f} | {k['ks_p_value']:.3g} | {s['p']:.3g}"
          f" | {'yes' if k['drift'] else 'no'} |")
    disagree += (k["ks_p_value"] < alpha) != (s["p"] < alpha)
print()
print(f"max |D_kiln - D_scipy| = {worst:.5f}; kiln at -Xmx128m gives the same statistics as at -Xmx512m: {same_heap}")
print(f"columns where kiln's and scipy's KS p-values fall on different sides of {alpha}: {disagree}")
print(f"kiln: {kiln['drifted_count']} of {len(kiln['features'])} features drifted, dataset_drift={kiln['dataset_drift']}")
