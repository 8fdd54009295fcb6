"""Writes the chunked, shuffle+gzip input for `h5blocks bench`.

h5wasm can set only one filter per dataset, so the bench asks libhdf5 itself
(through h5py) for the layout users most often have: chunks of --chunk-rows
rows, byte shuffle, then gzip. The points are copied block by block from SOURCE
(any layout, opened read-only), so both inputs hold the same values and any
size fits in memory. DEST must not exist yet; it is never replaced.
"""

import argparse
import os
import sys

import h5py

from baseline_common import positive_int, remove_quietly, report

CHUNKS_PER_COPY = 16


def main():
    parser = argparse.ArgumentParser(description="copy N x D points into a chunked shuffle+gzip dataset")
    parser.add_argument("source", help="HDF5 file with the points (opened read-only)")
    parser.add_argument("dest", help="new HDF5 file to create")
    parser.add_argument("--dataset", default="/coords")
    parser.add_argument("--chunk-rows", type=positive_int, default=65536)
    parser.add_argument("--level", type=int, choices=range(10), default=4, help="gzip level")
    args = parser.parse_args()

    if os.path.exists(args.dest):
        sys.exit(f"{args.dest}: already exists; make_chunked.py never replaces a file")
    created = False
    try:
        with h5py.File(args.source, "r") as source, h5py.File(args.dest, "x") as dest:
            created = True
            coords = source[args.dataset]
            rows, columns = coords.shape
            chunk_rows = min(args.chunk_rows, max(rows, 1))
            copy = dest.create_dataset(args.dataset, shape=coords.shape, dtype=coords.dtype,
                                       chunks=(chunk_rows, columns), shuffle=True,
                                       compression="gzip", compression_opts=args.level)
            # Whole chunks per copy step, so each chunk is compressed exactly once.
            step = chunk_rows * CHUNKS_PER_COPY
            for start in range(0, rows, step):
                copy[start:start + step] = coords[start:start + step]
    except BaseException:
        # A half-written input would make every later number wrong.
        if created:
            remove_quietly(args.dest)
        raise
    report(rows=rows, columns=columns, chunk_rows=chunk_rows, level=args.level, bytes=os.path.getsize(args.dest))


if __name__ == "__main__":
    main()
