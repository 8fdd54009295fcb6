"""Pieces shared by the h5py baselines that `h5blocks bench` times.

Every baseline works the same way, so the numbers compare like with like:

* It is given the INPUT file and the path of a COPY to create. The input is
  only ever opened read-only; the copy is made here, with an exclusive create,
  before the clock starts, and only the copy is changed.
* The clock (time.perf_counter) runs from opening the copy to closing it, so
  interpreter start-up and imports are not counted.
* It prints one JSON object on stdout: the recipe, the shape of the work, the
  seconds it took, and the SHA-256 of the float32 values it wrote, read back
  from the closed file (h5blocks reports the same digest for its outputs).
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import sys

import h5py
import numpy as np

COPY_BUFFER_BYTES = 16 * 1024 * 1024


def row_norms(coords):
    """The computation every engine runs: the Euclidean norm of each row, in
    float64 for the sum of squares, stored as float32."""
    return np.sqrt((coords.astype(np.float64) ** 2).sum(axis=1)).astype(np.float32)


def argument_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("input", help="HDF5 file holding the N x D points (opened read-only)")
    parser.add_argument("--copy", help="new file to create as a copy of INPUT; the result goes there")
    parser.add_argument("--in-place", action="store_true",
                        help="write into INPUT itself (a copy the caller made), with no digest: `h5blocks bench` times the whole process")
    parser.add_argument("--dataset", default="/coords", help="input dataset (default /coords)")
    parser.add_argument("--output", default="/distances", help="output dataset (default /distances)")
    return parser


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text}")
    return value


def work_file(args):
    """The file to write into: INPUT itself with --in-place, else a new copy of it (see make_work_copy)."""
    if args.in_place:
        return args.input
    if not args.copy:
        sys.exit("--copy is required unless --in-place is given")
    make_work_copy(args.input, args.copy)
    return args.copy


def digest_unless_in_place(args, path):
    """The output's digest, except for whole-process timing (--in-place), where reading it back would be timed too."""
    return None if args.in_place else output_sha256(path, args.output)


def make_work_copy(source, copy):
    """Copies SOURCE to COPY, refusing to replace an existing file ('xb'), so
    a mistaken path can never overwrite the input or anything else."""
    try:
        with open(source, "rb") as reader, open(copy, "xb") as writer:
            shutil.copyfileobj(reader, writer, COPY_BUFFER_BYTES)
    except FileExistsError:
        sys.exit(f"{copy}: already exists; a baseline only writes into a new copy of its input")


def new_output(file, name, rows):
    """A fresh float32 vector for the result; one already there (from an
    earlier run on the same file) is unlinked first, as h5py users do."""
    if name in file:
        del file[name]
    return file.create_dataset(name, shape=(rows,), dtype="<f4")


def plan_blocks(rows, block_rows):
    """[start, end) row ranges covering the dataset in order."""
    return [(start, min(rows, start + block_rows)) for start in range(0, rows, block_rows)]


def output_sha256(path, name):
    """Digest of the values as stored, read back after the timed run."""
    with h5py.File(path, "r") as file:
        values = np.ascontiguousarray(file[name][...], dtype="<f4")
    return hashlib.sha256(values.tobytes()).hexdigest()


def report(**fields):
    print(json.dumps(fields), flush=True)


def ignore_interrupts():
    """Pool initializer. h5blocks cancels a baseline with SIGINT, and Ctrl-C in
    a terminal reaches every process of the group: only the parent acts on it
    (KeyboardInterrupt unwinds its `with` blocks, which terminate the pool,
    close files and remove shard folders). SIGTERM is left alone, because
    Pool.terminate() relies on it killing workers at once, whatever they do."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def remove_quietly(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
