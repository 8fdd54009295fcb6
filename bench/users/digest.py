"""SHA-256 of FILE's /distances as float32 (what h5blocks reports), printed alone; not timed."""
import hashlib
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    print(hashlib.sha256(np.ascontiguousarray(f["/distances"][...], dtype="<f4").tobytes()).hexdigest())
