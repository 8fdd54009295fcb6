"""Chunked, filtered variants of numeric types, for the pool strategy's direct chunk reads.

Each dataset is 10,007 rows (not a multiple of any chunk) of values spanning
the type, stored with shuffle+gzip, gzip alone, shuffle alone or no filter,
in both byte orders, with full-width and column-split chunks.
"""
import sys
import numpy as np
import h5py

path = sys.argv[1]
rng = np.random.default_rng(11)
base = rng.normal(0, 100, (10_007, 3))
with h5py.File(path, "w") as f:
    for dt in ["<f2", ">f4", "<f8", ">f8", "<i1", "<u2", ">i2", "<i4", ">u4", "<i8"]:
        data = base if dt[1] == "f" else np.clip(np.abs(base) if dt[1] == "u" else base, -100, 100)
        name = dt.replace("<", "le_").replace(">", "be_")
        f.create_dataset(f"{name}_shuffle_gzip", data=data.astype(dt), chunks=(1000, 3), shuffle=True, compression="gzip")
    f.create_dataset("f4_gzip_only", data=base.astype("<f4"), chunks=(4096, 3), compression="gzip", compression_opts=9)
    f.create_dataset("f4_shuffle_only", data=base.astype("<f4"), chunks=(777, 3), shuffle=True)
    f.create_dataset("f4_column_chunks", data=base.astype("<f4"), chunks=(500, 1), shuffle=True, compression="gzip")
    f.create_dataset("f4_partial_columns", data=base.astype("<f4"), chunks=(300, 2), compression="gzip")
    f.create_dataset("f4_unfiltered", data=base.astype("<f4"), chunks=(2048, 3))

# Contiguous variants, which the pool strategy reads straight from the file
# when they are little-endian; big-endian ones go through h5wasm.
with h5py.File(path, "a") as f:
    for dt in ["<f4", "<f8", "<u2", "<f2", ">f4"]:
        name = dt.replace("<", "le_").replace(">", "be_")
        data = base if dt[1] == "f" else np.clip(np.abs(base), 0, 100)
        f.create_dataset(f"{name}_contiguous", data=data.astype(dt))
    external = f.create_dataset("f4_external", shape=base.shape, dtype="<f4", external=[(path + ".raw", 0, h5py.h5f.UNLIMITED)])
    external[...] = base.astype("<f4")

# A user block moves every address by its size: a contiguous dataset after one.
with h5py.File(path.replace(".h5", "_userblock.h5"), "w", userblock_size=4096) as f:
    f.create_dataset("coords", data=base.astype("<f4"))
