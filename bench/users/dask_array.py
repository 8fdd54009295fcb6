"""dask.array with 2 threads, as `h5blocks bench` times it: a whole process, on FILE in place.

The same computation (float64 sum of squares, sqrt, float32), 1 Mi-row
chunks, read and written through h5py with dask's lock (HDF5 is not
thread-safe), on the threaded scheduler with two workers.
"""
import sys

import dask
import dask.array as da
import h5py
import numpy as np

with h5py.File(sys.argv[1], "r+") as f:
    x = f["/coords"]
    d = f.create_dataset("/distances", (x.shape[0],), "<f4")
    points = da.from_array(x, chunks=(1 << 20, x.shape[1]), lock=True)
    norms = da.sqrt((points.astype(np.float64) ** 2).sum(axis=1)).astype(np.float32)
    with dask.config.set(scheduler="threads", num_workers=2):
        da.store(norms, d, lock=True)
