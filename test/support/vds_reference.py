"""What libhdf5 (through Debian's h5py, HDF5 1.10) says about virtual datasets.

Run with /usr/bin/python3. Every subcommand prints one JSON object on stdout.

  read FILE PATH          is_virtual, the sources (file, dataset), dtype, shape and the values' bytes (hex)
  check FILE PATH         is_virtual, the sources and which are missing, the SHA-256 of the values (or the error)
  make FILE ROWS SPLIT    a virtual dataset /v made by libhdf5 itself: ROWS float64 rows in blocks of SPLIT
                          rows, sources beside FILE in FILE.sources/; prints the mappings' heap object (hex)
"""
import json
import os
import struct
import sys

import h5py
import numpy as np


def read(path, name):
    with h5py.File(path, "r") as f:
        d = f[name]
        out = {"is_virtual": bool(d.is_virtual), "dtype": d.dtype.str, "shape": list(d.shape)}
        out["sources"] = [[s.file_name, s.dset_name] for s in d.virtual_sources()] if d.is_virtual else []
        out["hex"] = np.ascontiguousarray(d[()]).astype(d.dtype.newbyteorder("<")).tobytes().hex()
        out["attributes"] = sorted(d.attrs.keys())
    return out


def check(path, name):
    import hashlib
    try:
        with h5py.File(path, "r") as f:
            if name not in f:
                return {"exists": False}
            d = f[name]
            sources = [s.file_name for s in d.virtual_sources()] if d.is_virtual else []
            folder = os.path.dirname(os.path.abspath(path))
            missing = sorted({s for s in sources if not os.path.exists(os.path.join(folder, s))})
            values = np.ascontiguousarray(d[()]).astype(d.dtype.newbyteorder("<")).tobytes()
            return {"exists": True, "is_virtual": bool(d.is_virtual), "sources": sorted(set(sources)), "missing": missing,
                    "sha256": hashlib.sha256(values).hexdigest(), "complete": int(d.attrs.get("h5blocks_complete", 0))}
    except Exception as error:  # noqa: BLE001 - the test reports what h5py said
        return {"error": str(error).splitlines()[0]}


def make(path, rows, split):
    folder = os.path.basename(path) + ".sources"
    os.makedirs(os.path.join(os.path.dirname(path), folder), exist_ok=True)
    layout = h5py.VirtualLayout(shape=(rows,), dtype="f8")
    for start in range(0, rows, split):
        end = min(rows, start + split)
        name = f"{folder}/s{start}.h5"
        with h5py.File(os.path.join(os.path.dirname(path), name), "w") as s:
            s["values"] = np.arange(start, end, dtype="f8")
        layout[start:end] = h5py.VirtualSource(name, "/values", shape=(end - start,))
    with h5py.File(path, "w") as f:
        f.create_virtual_dataset("v", layout, fillvalue=0)
    data = open(path, "rb").read()
    at = data.find(b"GCOL")
    size = struct.unpack("<Q", data[at + 24:at + 32])[0]
    return {"heapObject": data[at + 32:at + 32 + size].hex()}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "read":
        print(json.dumps(read(sys.argv[2], sys.argv[3])))
    elif command == "check":
        print(json.dumps(check(sys.argv[2], sys.argv[3])))
    elif command == "make":
        print(json.dumps(make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        raise SystemExit(f"unknown command {command}")
