"""Files inside a served folder whose data lies outside it, one per way HDF5 has to get there.

    make_confinement_cases.py SERVED OUTSIDE

OUTSIDE gets secret.h5 (a group with /data, 100 x 2 float32 of 7.0) and raw.bin (800 bytes of 0x41).
SERVED gets one file per case, each with a 2-D dataset reached at the path noted below,
plus inside_link.h5, whose external link stays inside SERVED (it must keep working).
"""
import os
import sys
import numpy as np
import h5py

served, outside = sys.argv[1], sys.argv[2]
secret = os.path.join(outside, "secret.h5")
with h5py.File(secret, "w") as f:
    f["data"] = np.full((100, 2), 7.0, "f4")
raw = os.path.join(outside, "raw.bin")
with open(raw, "wb") as out:
    out.write(b"A" * 800)

# External raw storage (the External Data Files message): the values are the bytes of another file.
with h5py.File(os.path.join(served, "external_passwd.h5"), "w") as f:
    f.create_dataset("data", shape=(16, 2), dtype="u1", external=[("/etc/passwd", 0, 32)])
with h5py.File(os.path.join(served, "external_sibling.h5"), "w") as f:
    f.create_dataset("data", shape=(100, 2), dtype="f4", external=[(raw, 0, 800)])

# External links, absolute and relative to the file's folder; the dataset is reached through them.
with h5py.File(os.path.join(served, "link_absolute.h5"), "w") as f:
    f["ext"] = h5py.ExternalLink(secret, "/")
rel = os.path.relpath(secret, served)
with h5py.File(os.path.join(served, "link_relative.h5"), "w") as f:
    f["ext"] = h5py.ExternalLink(rel, "/")

# A virtual dataset whose source is the outside file.
layout = h5py.VirtualLayout(shape=(100, 2), dtype="f4")
layout[:] = h5py.VirtualSource(secret, "data", shape=(100, 2))
with h5py.File(os.path.join(served, "virtual_source.h5"), "w", libver="latest") as f:
    f.create_virtual_dataset("data", layout, fillvalue=0)

# Control: an external link that stays inside the served folder.
with h5py.File(os.path.join(served, "inside_target.h5"), "w") as f:
    f["data"] = np.full((100, 2), 3.0, "f4")
with h5py.File(os.path.join(served, "inside_link.h5"), "w") as f:
    f["ext"] = h5py.ExternalLink("inside_target.h5", "/")
