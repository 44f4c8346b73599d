"""Writes the training file of the speed benchmark: N rows x 20 numeric columns and a yes/no label.

x0..x19 are N(0,1) written with 6 decimals (numpy's "%.6f"), the label is "yes" when a fixed linear score plus
N(0,1) noise is positive, else "no" (about half each). Seed 7: the same N gives the same bytes.
Usage: gen.py OUT_FILE N
"""
import sys
import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
w = rng.standard_normal(20)
CHUNK = 100_000
with open(out, "w") as f:
    f.write(",".join(f"x{j}" for j in range(20)) + ",label\n")
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        x = rng.standard_normal((k, 20))
        y = np.where(x @ w * 0.5 + rng.standard_normal(k) > 0, "yes", "no")
        f.write("\n".join(",".join(f"{v:.6f}" for v in row) + "," + label for row, label in zip(x, y)) + "\n")
