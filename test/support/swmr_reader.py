"""An h5py SWMR reader for the tests: waits for DATASET to appear in FILE, then
refreshes it as fast as it can and records every distinct row count it sees,
until it has ROWS rows (or TIMEOUT seconds pass). Prints the counts as JSON."""
import json
import sys
import time

import h5py

path, name, rows, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + timeout
seen = []
f = None
while time.monotonic() < deadline:
    try:
        if f is None:
            f = h5py.File(path, 'r', libver='latest', swmr=True)
        if name not in f:
            f.close()
            f = None
            time.sleep(0.002)
            continue
        d = f[name]
        while time.monotonic() < deadline:
            d.refresh()
            n = d.shape[0]
            if not seen or seen[-1] != n:
                seen.append(n)
            if n >= rows:
                break
            time.sleep(0.001)
        break
    except Exception:
        # The file is being committed (its first transaction) or not yet SWMR: look again.
        if f is not None:
            try:
                f.close()
            except Exception:
                pass
        f = None
        time.sleep(0.002)
print(json.dumps(seen), flush=True)
