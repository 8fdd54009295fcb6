# The six-line script a scientist writes (h5py + numpy, 1 Mi-row blocks), as `h5blocks bench` times it: a whole process, on FILE in place.
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    x, B = f["/coords"], 1 << 20
    d = f.create_dataset("/distances", (x.shape[0],), "<f4")
    for i in range(0, x.shape[0], B): d[i:i + B] = np.sqrt((x[i:i + B].astype(np.float64) ** 2).sum(axis=1)).astype(np.float32)
