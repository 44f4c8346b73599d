"""Writes ref.csv and cur.csv: N rows x 20 numeric columns, fixed seed.

reference: N(0,1) per column.  current: columns x0-x4 shifted by 0.05 sd, x5-x9 by 0.5 sd,
x10-x19 unchanged (each drawn independently of the reference).
Usage: gen.py OUT_DIR N
"""
import sys, os, time
import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
COLS = 20
SHIFT = np.array([0.05] * 5 + [0.5] * 5 + [0.0] * 10)
rng = np.random.default_rng(20261123)
header = ",".join(f"x{j}" for j in range(COLS))
CHUNK = 100_000
t0 = time.perf_counter()
for name, shift in (("ref.csv", np.zeros(COLS)), ("cur.csv", SHIFT)):
    with open(os.path.join(out, name), "w") as f:
        f.write(header + "\n")
        left = n
        while left > 0:
            k = min(CHUNK, left)
            block = rng.standard_normal((k, COLS)) + shift
            np.savetxt(f, block, fmt="%.6f", delimiter=",")
            left -= k
print(f"generated 2 x {n} rows x {COLS} columns in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
