"""The reference for `kiln data profile`: pandas.read_csv (C engine) of the same file, timed in process.
Usage: read_pandas.py FILE OUT_JSON"""
import json, sys, time
import pandas as pd

t0 = time.perf_counter()
frame = pd.read_csv(sys.argv[1], engine="c")
read_s = time.perf_counter() - t0
json.dump({"reader": f"pandas {pd.__version__} read_csv", "read_s": read_s, "rows": len(frame)}, open(sys.argv[2], "w"))
