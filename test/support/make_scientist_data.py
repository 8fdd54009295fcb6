"""What a scientist opens first, written by h5py: python3 make_scientist_data.py OUT.h5

/coords     2,000,000 x 2 float32, gzip-chunked: the sample's kind of point set (a spiral)
/distances  2,000,000 float32: a run's kind of output (a slow wave with noise)
/stack      200 x 256 x 256 uint16: an image stack, each slice different
/wide       2 x 40 x 20,000 float32: slices wider than a GPU texture
/table      a compound table: x, y (float64), label (string), nested pos {u, v} (int32)
/nan_line   10 float64 with NaN and infinities
"""
import sys
import numpy as np
import h5py

out = sys.argv[1]
rng = np.random.default_rng(3)
with h5py.File(out, "w") as f:
    t = np.linspace(0, 40 * np.pi, 2_000_000)
    coords = np.stack([t * np.cos(t), t * np.sin(t)], axis=1).astype("f4")
    f.create_dataset("coords", data=coords, chunks=(65536, 2), compression="gzip")
    f.create_dataset("distances", data=(np.sin(t / 7) * 100 + rng.normal(size=t.size)).astype("f4"), chunks=(131072,), compression="gzip")
    z, y, x = np.ogrid[0:200, 0:256, 0:256]
    f.create_dataset("stack", data=((x * (z + 1) + y * 3) % 4096).astype("u2"), chunks=(1, 256, 256))
    w = np.arange(20_000)[None, None, :] * np.ones((2, 40, 1))
    f.create_dataset("wide", data=(np.sin(w / 500.0) * (np.arange(40)[None, :, None] + 1)).astype("f4"))
    pos = np.dtype([("u", "i4"), ("v", "i4")])
    row = np.dtype([("x", "f8"), ("y", "f8"), ("label", h5py.string_dtype()), ("pos", pos)])
    table = np.zeros(500, row)
    table["x"] = np.arange(500) * 0.5
    table["y"] = np.arange(500) * -1.25
    table["label"] = [f"point {i}" for i in range(500)]
    table["pos"]["u"] = np.arange(500)
    table["pos"]["v"] = np.arange(500) * 2
    f.create_dataset("table", data=table)
    f.create_dataset("nan_line", data=np.array([0, 1, np.nan, 3, np.inf, 5, -np.inf, 7, 8, 9], "f8"))
