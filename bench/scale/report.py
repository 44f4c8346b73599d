"""Prints issue 21's table from the files run.sh wrote: each kiln spark figure next to the same command on one machine,
measured in the same run.

Usage: N=ROWS report.py WORK_DIR
"""
import json, os, sys

work = sys.argv[1]
rows = int(os.environ.get("N", "0"))


def timed(key):
    """(wall s, peak RSS MB, CPU s) from /usr/bin/time -f "%e %M %U %S", or None when the step did not run."""
    path = os.path.join(work, key + ".time")
    if not os.path.exists(path):
        return None
    wall, rss, user, system = open(path).read().split()[-4:]
    return float(wall), int(rss) / 1024, float(user) + float(system)


def test_auc(key):
    """The test ROC AUC a training step reported (kiln train: the chosen candidate's; kiln spark train: its own)."""
    path = os.path.join(work, key + ".json")
    try:
        report = json.load(open(path))
    except (OSError, ValueError):
        return None
    if "leaderboard" in report:
        chosen = [c for c in report["leaderboard"] if c.get("chosen")]
        return chosen[0]["testMetrics"].get("roc_auc") if chosen else None
    return report.get("test_metrics", {}).get("roc_auc")


print(f"{'step':<10} {'kiln (one machine)':>30} {'kiln spark':>30} {'spark / kiln wall':>18}")
for step in ("predict", "drift", "train"):
    kiln, spark = timed(step + "-kiln"), timed(step + "-spark")
    if kiln is None and spark is None:
        continue

    def cell(t):
        if t is None:
            return "-"
        rate = f", {rows / t[0]:,.0f} rows/s" if rows and step == "predict" else ""
        return f"{t[0]:.1f} s, {t[1]:.0f} MB{rate}"

    def auc(key):
        a = test_auc(key) if step == "train" else None
        return f" (test AUC {a:.4f})" if a is not None else ""

    ratio = f"{spark[0] / kiln[0]:.2f}x" if kiln and spark else "-"
    print(f"{step:<10} {cell(kiln) + auc(step + '-kiln'):>30} {cell(spark) + auc(step + '-spark'):>30} {ratio:>18}")
