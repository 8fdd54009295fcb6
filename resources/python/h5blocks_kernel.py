# The row-norm kernel of h5blocks (src/workers/compute/rowNorm.ts) in numpy,
# operation for operation, and the block task a Dask worker runs. Every step
# is the same IEEE float64 operation in the same order as the TypeScript
# kernel, so the values are the same bits, not merely close: squares summed
# column by column from 0, sqrt where the sum is safe, otherwise V8's
# Math.hypot (D = 2: Kahan-summed squares of |x|/max) or the kernel's rescaled
# sum (D != 2); rounded once to the output type.
import os
import time

import h5py
import numpy as np

SAFE_LOW = 2.0 ** -900
SAFE_HIGH = 2.0 ** 900


def output_dtype(kind):
    return np.float32 if kind in ('f2', 'f4', 'i1', 'u1', 'i2', 'u2') else np.float64


def row_norms(block, out_type):
    x = np.asarray(block).astype(np.float64)
    rows, columns = x.shape
    with np.errstate(all='ignore'):
        s = np.zeros(rows)
        for c in range(columns):
            s = s + x[:, c] * x[:, c]
        norms = np.sqrt(s)
        unsafe = ~((s >= SAFE_LOW) & (s <= SAFE_HIGH))
        if unsafe.any():
            norms[unsafe] = (_v8_hypot if columns == 2 else _rescaled)(np.abs(x[unsafe]))
    return norms.astype(out_type)


def _v8_hypot(a):
    """Math.hypot(x, y) as V8 computes it, for rows of |x|, |y|."""
    nan = np.isnan(a)
    any_nan = nan.any(axis=1)
    big = np.where(nan, 0.0, a).max(axis=1)
    total = np.zeros(len(a))
    compensation = np.zeros(len(a))
    scale = np.where((big == 0) | ~np.isfinite(big), 1.0, big)
    for c in range(a.shape[1]):
        n = a[:, c] / scale
        summand = n * n - compensation
        preliminary = total + summand
        compensation = (preliminary - total) - summand
        total = preliminary
    result = np.sqrt(total) * scale
    result = np.where(big == 0, 0.0, result)
    result = np.where(any_nan, np.nan, result)
    return np.where(big == np.inf, np.inf, result)


def _rescaled(a):
    """The kernel's scaledNorm: +Inf beats NaN, NaN propagates, else max * sqrt(sum((x/max)^2))."""
    nan = np.isnan(a)
    big = np.where(nan, 0.0, a).max(axis=1) if a.shape[1] else np.zeros(len(a))
    scale = np.where((big == 0) | ~np.isfinite(big), 1.0, big)
    total = np.zeros(len(a))
    for c in range(a.shape[1]):
        q = a[:, c] / scale
        total = total + q * q
    result = big * np.sqrt(total)
    result = np.where(big == 0, 0.0, result)
    result = np.where(nan.any(axis=1), np.nan, result)
    return np.where(big == np.inf, np.inf, result)


def norm_block(file, dataset, kind, row_start, row_end, shard_path):
    """Reads rows [row_start, row_end) read-only, writes their norms to shard_path; returns the phase stamps (epoch s)."""
    read_start = time.time()
    with _open_unlocked(file) as f:
        block = f[dataset][row_start:row_end]
    read_end = time.time()
    values = row_norms(block, output_dtype(kind)).astype(np.dtype(output_dtype(kind)).newbyteorder('<'))
    compute_end = time.time()
    # Written under a temporary name and renamed, so a shard that exists is whole.
    # The folder is never created here: once the run is over (or cancelled) and its
    # folder removed, a late task fails instead of leaving a stray file.
    partial = shard_path + '.partial'
    with open(partial, 'wb') as out:
        out.write(values.tobytes())
    os.replace(partial, shard_path)
    return {'worker': _worker_address(), 'read': [read_start, read_end], 'compute': [read_end, compute_end], 'shard-write': [compute_end, time.time()]}


def _open_unlocked(file):
    """Opens the input without HDF5's file lock: h5blocks holds it exclusively for
    the whole run (so other writers stay out), and the bytes a task reads are the
    original ones, which its write-ahead log keeps unchanged until the commit."""
    try:
        return h5py.File(file, 'r', locking=False)
    except TypeError:
        # h5py before 3.5 has no locking argument; libhdf5 reads the variable at each open.
        os.environ['HDF5_USE_FILE_LOCKING'] = 'FALSE'
        return h5py.File(file, 'r')


def _worker_address():
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return 'local'
