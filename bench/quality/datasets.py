#!/usr/bin/python3
"""Writes the quality benchmark's datasets, each as train.csv / test.csv with the SAME split for Kiln and scikit-learn.

Real data: credit-g and seattle-weather (../shared/datasets), and the five sets Debian's python3-sklearn ships
(breast_cancer, wine, iris, digits, diabetes). Synthetic data covers what those lack: many classes, many categorical
columns with missing values, 20,000 and 100,000 rows. Split: 80/20, stratified for classes, seed 0.

usage: /usr/bin/python3 bench/quality/datasets.py OUT_DIR [--only a,b]
"""
import gzip
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
SK = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def sk_csv(name, target_names=None):
    """scikit-learn's bundled CSVs: the first line holds counts and class names; then features and the target."""
    with open(os.path.join(SK, name)) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    data = np.array(rows, dtype=float)
    return data[:, :-1], data[:, -1].astype(int), header


def real():
    out = {}
    credit = pd.read_csv(os.path.join(SHARED, "credit-g.csv"))
    out["credit-g"] = ("binary", credit, "class")
    weather = pd.read_csv(os.path.join(SHARED, "seattle-weather.csv"))
    out["seattle-weather"] = ("multiclass", weather, "weather")
    x, y, _ = sk_csv("breast_cancer.csv")
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    df["diagnosis"] = np.where(y == 0, "malignant", "benign")
    out["breast-cancer"] = ("binary", df, "diagnosis")
    x, y, _ = sk_csv("wine_data.csv")
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    df["cultivar"] = ["c" + str(v) for v in y]
    out["wine"] = ("multiclass", df, "cultivar")
    x, y, _ = sk_csv("iris.csv")
    df = pd.DataFrame(x, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    df["species"] = np.array(["setosa", "versicolor", "virginica"])[y]
    out["iris"] = ("multiclass", df, "species")
    digits = np.loadtxt(gzip.open(os.path.join(SK, "digits.csv.gz")), delimiter=",")
    df = pd.DataFrame(digits[:, :-1], columns=[f"p{i}" for i in range(64)])
    df["digit"] = ["d" + str(int(v)) for v in digits[:, -1]]
    out["digits"] = ("multiclass", df, "digit")
    x = np.loadtxt(gzip.open(os.path.join(SK, "diabetes_data_raw.csv.gz")))
    y = np.loadtxt(gzip.open(os.path.join(SK, "diabetes_target.csv.gz")))
    df = pd.DataFrame(x, columns=["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"])
    df["progression"] = y
    out["diabetes"] = ("regression", df, "progression")
    return out


def synthetic_categorical(n, task, seed, classes=2):
    """Numeric and categorical columns (low and high cardinality), 10% missing in several, an interaction, noise."""
    r = np.random.default_rng(seed)
    num = r.normal(size=(n, 6))
    city = r.integers(0, 40, n)           # 40 levels
    plan = r.integers(0, 5, n)            # 5 levels
    channel = r.integers(0, 12, n)        # 12 levels
    city_effect = r.normal(scale=1.0, size=40)
    plan_effect = np.array([-1.0, -0.3, 0.0, 0.4, 1.2])
    channel_effect = r.normal(scale=0.6, size=12)
    score = (1.2 * num[:, 0] - 0.8 * num[:, 1] + 0.6 * num[:, 2] * num[:, 3] + np.sin(2 * num[:, 4])
             + city_effect[city] + plan_effect[plan] + channel_effect[channel] * (num[:, 5] > 0))
    df = pd.DataFrame(num, columns=[f"x{i}" for i in range(6)])
    df["city"] = ["city_" + str(v) for v in city]
    df["plan"] = np.array(["basic", "plus", "pro", "team", "enterprise"])[plan]
    df["channel"] = ["ch" + str(v) for v in channel]
    for col, frac in [("x1", 0.1), ("x3", 0.05), ("city", 0.1), ("channel", 0.08)]:
        mask = r.random(n) < frac
        df.loc[mask, col] = np.nan
    if task == "binary":
        p = 1 / (1 + np.exp(-(score - 1.0)))
        df["churned"] = np.where(r.random(n) < p, "churn", "stay")
        return df, "churned"
    if task == "multiclass":
        # many classes: each class has its own linear score of the numbers and its own city and plan effects; the row's
        # class is the highest score after Gumbel noise (a multinomial logit), so every class is learnable but not certain
        w = r.normal(size=(classes, 6))
        city_k = r.normal(scale=1.0, size=(classes, 40))
        plan_k = r.normal(scale=0.8, size=(classes, 5))
        logits = num @ w.T + city_k[:, city].T + plan_k[:, plan].T + 0.5 * (num[:, 2:3] * num[:, 3:4]) * w[:, 0]
        noisy = 1.5 * logits + r.gumbel(size=(n, classes))
        df["segment"] = ["s" + str(v).zfill(2) for v in noisy.argmax(axis=1)]
        return df, "segment"
    df["spend"] = 100 + 20 * score + r.normal(scale=15, size=n)
    return df, "spend"


def synthetic():
    out = {}
    df, t = synthetic_categorical(3000, "multiclass", 11, classes=20)
    out["synth-20class-3k"] = ("multiclass", df, t)
    df, t = synthetic_categorical(20000, "regression", 12)
    out["synth-regression-20k"] = ("regression", df, t)
    df, t = synthetic_categorical(100000, "binary", 13)
    out["synth-binary-100k"] = ("binary", df, t)
    return out


def main():
    out_dir = sys.argv[1]
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    sets = {**real(), **synthetic()}
    meta_file = os.path.join(out_dir, "datasets.json")
    meta = json.load(open(meta_file)) if only and os.path.exists(meta_file) else {}
    for name, (task, df, target) in sets.items():
        if only and name not in only:
            continue
        strat = df[target] if task != "regression" else None
        train, test = train_test_split(df, test_size=0.2, random_state=0, stratify=strat)
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        train.to_csv(os.path.join(d, "train.csv"), index=False)
        test.to_csv(os.path.join(d, "test.csv"), index=False)
        meta[name] = {"task": task, "target": target, "rows": len(df), "columns": df.shape[1] - 1}
    with open(meta_file, "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
