"""Writes the input of the file-size case of `h5blocks bench`.

A run must cost what it changes, not the size of the file it writes into. The
bench times the same 1,000-row run in a small file and in a large one; this
script makes either: a copy of SOURCE (the 1,000-row /coords) with an /images
dataset of --bytes bytes beside it, as users keep detector frames beside the
points they compute on.

/images gets its storage allocated at creation and no fill value written, so a
2 GB file is made at once and takes no disk where the file system keeps holes
(sparse): HDF5 and h5py still read it as a 2 GB file with a 2 GB dataset
(reading /images gives zeros). DEST must not exist yet; it is never replaced.
"""

import argparse
import os
import shutil
import sys

import h5py
import numpy as np

from baseline_common import positive_int, remove_quietly, report


def main():
    parser = argparse.ArgumentParser(description="copy a small HDF5 file and add a large /images dataset")
    parser.add_argument("source", help="HDF5 file with /coords (opened read-only)")
    parser.add_argument("dest", help="new HDF5 file to create")
    parser.add_argument("--bytes", type=positive_int, required=True, help="size of /images in bytes")
    args = parser.parse_args()

    if os.path.exists(args.dest):
        sys.exit(f"{args.dest}: already exists; make_large_file.py never replaces a file")
    created = False
    try:
        with open(args.source, "rb") as reader, open(args.dest, "xb") as writer:
            created = True
            shutil.copyfileobj(reader, writer)
        with h5py.File(args.dest, "r+") as file:
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
            dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
            space = h5py.h5s.create_simple((args.bytes,))
            h5py.h5d.create(file.id, b"images", h5py.h5t.NATIVE_UINT8, space, dcpl=dcpl)
            # The last byte written for real: the file's end is where HDF5 says it is.
            file["images"][-1:] = np.array([1], dtype=np.uint8)
    except BaseException:
        if created:
            remove_quietly(args.dest)
        raise
    report(bytes=os.path.getsize(args.dest), images_bytes=args.bytes)


if __name__ == "__main__":
    main()
