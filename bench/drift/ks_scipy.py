"""Reads ref.csv and cur.csv into float64 arrays and runs scipy.stats.ks_2samp column by column.

Usage: ks_scipy.py REF CUR OUT_JSON [--read-only]
Reader: pandas.read_csv (C engine) if pandas imports, else numpy.loadtxt (C parser since numpy 1.23),
else numpy.fromstring on the whole text.  --read-only stops after reading (the "read the files alone"
baseline, same reader).  Writes {"reader", "read_s", "ks_s", "columns", "ks": [{"name", "D", "p"}]}.
"""
import json, sys, time
import numpy as np

ref_path, cur_path, out_path = sys.argv[1:4]
read_only = "--read-only" in sys.argv[4:]


def reader():
    try:
        import pandas as pd
        return f"pandas {pd.__version__} read_csv", lambda p: pd.read_csv(p, dtype=np.float64, engine="c").to_numpy()
    except ImportError:
        pass
    major, minor = (int(x) for x in np.__version__.split(".")[:2])
    if (major, minor) >= (1, 23):
        return f"numpy {np.__version__} loadtxt", lambda p: np.loadtxt(p, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)

    def fromstring(p):
        with open(p, "rb") as f:
            cols = f.readline().count(b",") + 1
            data = np.fromstring(f.read().replace(b"\n", b","), sep=",")
        return data.reshape(-1, cols)
    return f"numpy {np.__version__} fromstring", fromstring


with open(ref_path) as f:
    names = f.readline().strip().split(",")
name, read = reader()
t0 = time.perf_counter()
ref = read(ref_path)
cur = read(cur_path)
read_s = time.perf_counter() - t0
result = {"reader": name, "read_s": read_s, "rows_ref": ref.shape[0], "rows_cur": cur.shape[0], "columns": ref.shape[1]}
if not read_only:
    import scipy
    from scipy.stats import ks_2samp
    result["scipy"] = scipy.__version__
    t1 = time.perf_counter()
    ks = []
    for j in range(ref.shape[1]):
        r = ks_2samp(ref[:, j], cur[:, j])
        ks.append({"name": names[j], "D": float(r.statistic), "p": float(r.pvalue)})
    result["ks_s"] = time.perf_counter() - t1
    result["ks"] = ks
with open(out_path, "w") as f:
    json.dump(result, f)
