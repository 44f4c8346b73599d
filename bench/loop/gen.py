"""Writes a synthetic binary dataset: N rows, 8 numeric columns, 2 categorical, target y (logistic in a few of them).
Usage: gen.py OUT N SEED"""
import sys
import numpy as np

out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
CHUNK = 200_000
with open(out, "w") as f:
    f.write(",".join([f"x{j}" for j in range(8)] + ["region", "channel", "y"]) + "\n")
    left = n
    while left > 0:
        k = min(CHUNK, left)
        x = rng.standard_normal((k, 8))
        region = rng.integers(0, 12, k)
        channel = rng.integers(0, 3, k)
        logit = 1.2 * x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + 0.3 * (region % 4) - 0.4 * channel
        y = np.where(rng.random(k) < 1 / (1 + np.exp(-logit)), "yes", "no")
        for i in range(k):
            f.write(",".join(f"{v:.5f}" for v in x[i]) + f",r{region[i]},c{channel[i]},{y[i]}\n")
        left -= k
