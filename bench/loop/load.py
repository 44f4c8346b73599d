"""Sends scoring requests for rows of a CSV (target column dropped) to a kiln serve until killed.
Usage: load.py PORT MODEL CSV TARGET"""
import csv, http.client, json, sys, itertools

port, model, path, target = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rows = []
with open(path) as f:
    for i, r in enumerate(csv.DictReader(f)):
        r.pop(target, None)
        rows.append({k: (float(v) if v.replace('.', '', 1).replace('-', '', 1).isdigit() else v) for k, v in r.items()})
        if i >= 2000:
            break
conn = http.client.HTTPConnection("127.0.0.1", port)
for r in itertools.cycle(rows):
    try:
        conn.request("POST", f"/v1/models/{model}:predict", json.dumps({"instances": [r]}), {"Content-Type": "application/json"})
        conn.getresponse().read()
    except Exception:
        conn = http.client.HTTPConnection("127.0.0.1", port)
