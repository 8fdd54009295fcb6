"""Writes the `h5blocks bench --only big` input: /coords, N x 2 float32, contiguous, in pieces (bounded memory).

Usage: make_big.py PATH --rows N. Refuses to replace a file.
"""
import argparse
import os
import sys

import h5py
import numpy as np

PIECE_ROWS = 1 << 24

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("path")
parser.add_argument("--rows", type=int, required=True)
args = parser.parse_args()
if os.path.exists(args.path):
    sys.exit(f"{args.path}: already exists")
rng = np.random.default_rng(20261207)
with h5py.File(args.path, "w-") as f:
    coords = f.create_dataset("/coords", (args.rows, 2), "<f4")
    for start in range(0, args.rows, PIECE_ROWS):
        end = min(args.rows, start + PIECE_ROWS)
        coords[start:end] = rng.random((end - start, 2), dtype=np.float32)
print(args.rows)
