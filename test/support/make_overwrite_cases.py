"""Files whose /distances (and /grp/sub/distances) cannot take the new result in place.

One per group format HDF5 writes: old-style symbol tables (libver earliest, h5py's
default), compact link messages (libver latest, v2 object headers with checksums),
and dense link storage (more than 8 links with libver latest), which h5blocks refuses.
"""
import sys
import numpy as np
import h5py

folder = sys.argv[1]
rng = np.random.default_rng(7)
coords = rng.random((1000, 2)).astype("f4")

for name, kwargs in [("symbol_table.h5", {}), ("compact_links.h5", {"libver": "latest"})]:
    with h5py.File(f"{folder}/{name}", "w", **kwargs) as f:
        f["coords"] = coords
        f["distances"] = np.zeros((10, 3), "i1")
        f["distances"].attrs["stale"] = 1
        f.attrs["keep"] = "yes"
        sub = f.create_group("grp/sub")
        sub["coords"] = coords
        sub["distances"] = np.array([b"x", b"y"])
        f["zz_after"] = np.arange(5)

with h5py.File(f"{folder}/dense_links.h5", "w", libver="latest") as f:
    f["coords"] = coords
    for i in range(20):
        f[f"d{i:02d}"] = np.arange(3)
    f["distances"] = np.zeros(3, "i2")
