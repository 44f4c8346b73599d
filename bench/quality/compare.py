#!/usr/bin/python3
"""Kiln's default `kiln train` against scikit-learn's HistGradientBoosting (default settings) on the same split.

Metric: ROC AUC for binary, accuracy for multiclass, 1/RMSE for regression, on the test rows; ratio = Kiln / HGB.
HGB gets the categorical columns as categories (OrdinalEncoder codes with categorical_features set: scikit-learn's own
recommended way, the stronger reference), missing values as NaN (HGB handles them), and a date column as
year / month / day of year / day of week (what Kiln derives from it). Kiln gets the CSVs as they are.

usage: /usr/bin/python3 bench/quality/compare.py DATA_DIR [--kiln CMD] [--only a,b] [--out results.md]
  DATA_DIR is what datasets.py wrote; CMD defaults to "java -jar kiln-app/target/kiln.jar".
"""
import json
import os
import shlex
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score


def prepare(train, test, target):
    """HGB's inputs: numbers as they are, strings as category codes (unknown/missing -> NaN), dates as parts."""
    xtr, xte = train.drop(columns=[target]), test.drop(columns=[target])
    cat_mask = []
    out_tr, out_te = {}, {}
    for col in xtr.columns:
        if xtr[col].dtype == object:
            parsed = pd.to_datetime(xtr[col], errors="coerce")
            if parsed.notna().mean() > 0.95:
                pte = pd.to_datetime(xte[col], errors="coerce")
                for part, f in [("year", lambda d: d.dt.year), ("month", lambda d: d.dt.month),
                                ("doy", lambda d: d.dt.dayofyear), ("dow", lambda d: d.dt.dayofweek)]:
                    out_tr[f"{col}.{part}"], out_te[f"{col}.{part}"] = f(parsed), f(pte)
                    cat_mask.append(False)
                continue
            levels = {v: i for i, v in enumerate(sorted(xtr[col].dropna().unique()))}
            out_tr[col] = xtr[col].map(levels).astype(float)
            out_te[col] = xte[col].map(levels).astype(float)
            cat_mask.append(len(levels) <= 255)
        else:
            out_tr[col], out_te[col] = xtr[col].astype(float), xte[col].astype(float)
            cat_mask.append(False)
    return pd.DataFrame(out_tr), pd.DataFrame(out_te), np.array(cat_mask)


def hgb(task, train, test, target):
    xtr, xte, cats = prepare(train, test, target)
    start = time.time()
    if task == "regression":
        m = HistGradientBoostingRegressor(random_state=0, categorical_features=cats if cats.any() else None)
        m.fit(xtr, train[target])
        value = 1 / mean_squared_error(test[target], m.predict(xte), squared=False)
    else:
        m = HistGradientBoostingClassifier(random_state=0, categorical_features=cats if cats.any() else None)
        m.fit(xtr, train[target].astype(str))
        if task == "binary":
            return None, time.time() - start, m  # AUC needs Kiln's positive class: scored in main()
        value = accuracy_score(test[target].astype(str), m.predict(xte))
    return value, time.time() - start, m


def kiln(cmd, d, target, out):
    start = time.time()
    argv = shlex.split(cmd) + ["train", "--home", os.path.join(out, "home"), "--data", os.path.join(d, "train.csv"),
                               "--test-data", os.path.join(d, "test.csv"), "--target", target,
                               "--out", os.path.join(out, "bundle"), "--force", "--json"]
    p = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.time() - start
    if p.returncode != 0:
        raise RuntimeError(f"kiln train failed ({p.returncode}): {p.stderr[-2000:]}")
    report = json.loads(p.stdout)
    return report, seconds


def main():
    data = sys.argv[1]
    args = sys.argv[2:]
    cmd = args[args.index("--kiln") + 1] if "--kiln" in args else "java -jar kiln-app/target/kiln.jar"
    only = set(args[args.index("--only") + 1].split(",")) if "--only" in args else None
    out_file = args[args.index("--out") + 1] if "--out" in args else None
    meta = json.load(open(os.path.join(data, "datasets.json")))
    rows = []
    for name, m in meta.items():
        if only and name not in only:
            continue
        d = os.path.join(data, name)
        train, test = pd.read_csv(os.path.join(d, "train.csv")), pd.read_csv(os.path.join(d, "test.csv"))
        task, target = m["task"], m["target"]
        ref, ref_seconds, model = hgb(task, train, test, target)
        report, seconds = kiln(cmd, d, target, os.path.join(d, "kiln"))
        chosen = next(c for c in report["leaderboard"] if c["chosen"])
        tm = chosen["testMetrics"]
        if task == "binary":
            positive = report["positiveClass"]
            _, xte, _ = prepare(train, test, target)
            k = list(model.classes_).index(str(positive))
            ref = roc_auc_score(test[target].astype(str) == str(positive), model.predict_proba(xte)[:, k])
            value, metric = tm["roc_auc"], "roc_auc"
        elif task == "multiclass":
            value, metric = tm["accuracy"], "accuracy"
        else:
            value, metric = 1 / tm["rmse"], "1/rmse"
        rows.append({"dataset": name, "task": task, "rows": m["rows"], "metric": metric, "kiln": value, "hgb": ref,
                     "ratio": value / ref, "kiln_seconds": seconds, "hgb_seconds": ref_seconds,
                     "chosen": report["chosen"]})
        r = rows[-1]
        print(f"{name:22s} {metric:8s} kiln {value:.4f}  hgb {ref:.4f}  ratio {r['ratio']:.4f}  "
              f"kiln {seconds:6.1f}s  hgb {ref_seconds:5.1f}s  chosen {r['chosen']}", flush=True)
    ratios = np.array([r["ratio"] for r in rows])
    lines = ["| dataset | task | rows | metric | Kiln | HGB | ratio | Kiln s | HGB s | chosen |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['dataset']} | {r['task']} | {r['rows']} | {r['metric']} | {r['kiln']:.4f} | {r['hgb']:.4f} | "
                     f"{r['ratio']:.4f} | {r['kiln_seconds']:.1f} | {r['hgb_seconds']:.1f} | {r['chosen']} |")
    lines.append(f"\nmean ratio {ratios.mean():.4f}, worst {ratios.min():.4f} ({rows[int(ratios.argmin())]['dataset']})")
    text = "\n".join(lines)
    print(text)
    if out_file:
        with open(out_file, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
