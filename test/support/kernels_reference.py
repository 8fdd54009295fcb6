"""numpy's view of h5blocks' kernels, independent of the engine.

  make FILE            writes random datasets of every numeric type and rank 1-4 (NaN, ±Inf, integer extremes)
  check FILE JSON      JSON: [[dataset, kernel, output], ...]; prints, per output, how it compares with numpy
  stats FILE DATASET BINS [LO HI]   prints numpy's figures (per column of 2-D, over every value otherwise)
"""
import json
import math
import sys

import h5py
import numpy as np

TYPES = ['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']
SHAPES = {'r1': (700,), 'r2': (300, 7), 'r3': (40, 9, 6), 'r4': (12, 3, 4, 5)}


def random_values(kind, shape, rng):
    dtype = np.dtype(kind)
    if dtype.kind == 'f':
        x = (rng.standard_normal(shape) * 100).astype(dtype)
        flat = x.reshape(-1)
        # Non-finite values in a few places (rows), some rows all finite.
        for value, at in ((np.nan, 3), (np.inf, 11), (-np.inf, 17), (np.nan, 29), (-0.0, 31)):
            if at < flat.size:
                flat[at] = value
        return x
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    flat = x.reshape(-1)
    flat[:4] = [info.max, info.max, info.min, info.min][:min(4, flat.size)]
    return x


def make(path):
    rng = np.random.default_rng(19)
    with h5py.File(path, 'w') as f:
        for kind in TYPES:
            for rank, shape in SHAPES.items():
                chunks = (max(1, shape[0] // 7),) + shape[1:]
                f.create_dataset(f'{kind}_{rank}', data=random_values(kind, shape, rng), chunks=chunks,
                                 compression='gzip' if kind in ('f4', 'u2') else None, shuffle=kind == 'f4')
        # Integer sums beyond 2^53 and rows of one frame that would overflow int64 in numpy's own sum.
        f.create_dataset('big_i8', data=np.full((4, 1000), np.iinfo(np.int64).max, dtype=np.int64))


def rows(x):
    x = np.asarray(x)
    return x.reshape(x.shape[0], -1) if x.ndim > 1 else x.reshape(-1, 1)


def exact_sum(row):
    """The exact sum of the float64 values (math.fsum), or of the integers as Python ints; NaN where a value is not finite (numpy's sum is the reference there)."""
    values = row.tolist()
    if not all(math.isfinite(value) for value in values):
        return math.nan
    return math.fsum(values)


def reference(kernel, x, out_type):
    """Returns (expected float64 per row, allowed absolute error per row)."""
    raw = rows(x)
    v = raw.astype(np.float64)
    n = v.shape[1]
    eps = np.finfo(np.float64).eps
    with np.errstate(all='ignore'):
        magnitude = np.abs(v).sum(axis=1)
        sum_bound = (math.log2(max(n, 2)) + 2) * eps * magnitude
        if kernel == 'sum':
            exact = np.array([exact_sum(r) for r in (raw.astype(object) if raw.dtype.kind in 'iu' else v)], dtype=np.float64)
            return np.where(np.isfinite(magnitude), exact, v.sum(axis=1)), sum_bound + np.abs(exact) * eps
        if kernel == 'mean':
            exact = np.array([exact_sum(r) for r in (raw.astype(object) if raw.dtype.kind in 'iu' else v)], dtype=np.float64) / n
            return np.where(np.isfinite(magnitude), exact, v.mean(axis=1)), sum_bound / n + np.abs(exact) * eps
        if kernel == 'l1':
            exact = np.array([exact_sum(np.abs(r)) for r in (raw.astype(object) if raw.dtype.kind in 'iu' else v)], dtype=np.float64)
            return np.where(np.isfinite(magnitude), exact, magnitude), sum_bound + exact * eps
        if kernel == 'std':
            m = v.mean(axis=1, keepdims=True)
            s = np.sqrt(((v - m) ** 2).mean(axis=1))
            return s, 8 * n * eps * (np.abs(v).max(axis=1) + 1e-300)
        if kernel == 'norm':
            exact = np.array([exact_sum(r * r) for r in v], dtype=np.float64)
            s = np.sqrt(np.where(np.isnan(exact), (v * v).sum(axis=1), exact))
            # hypot's rule, which the norm keeps: ±Inf anywhere gives +Inf, even beside NaN.
            s = np.where(np.isinf(v).any(axis=1), np.inf, s)
            # 1 ulp of the output type, plus a float64 loop's summation error over long rows (frames).
            ulp = np.spacing(np.abs(s).astype(out_type)).astype(np.float64)
            return s, ulp + (n if n > 2 else 0) * eps * s
        if kernel == 'min':
            r = v.min(axis=1)
        elif kernel == 'max':
            r = v.max(axis=1)
        elif kernel == 'maxabs':
            r = np.abs(v).max(axis=1)
        elif kernel == 'nan-count':
            r = np.isnan(v).sum(axis=1).astype(np.float64)
        else:
            raise SystemExit(f'unknown kernel {kernel}')
        return r.astype(out_type).astype(np.float64), np.zeros(len(r))


def check(path, spec):
    report = []
    with h5py.File(path, 'r') as f:
        for dataset, kernel, output in spec:
            out = f[output][:]
            expected, allowed = reference(kernel, f[dataset][:], out.dtype)
            got = out.astype(np.float64)
            same_nan = bool(np.array_equal(np.isnan(got), np.isnan(expected)))
            finite = np.isfinite(expected) & np.isfinite(got)
            inf_match = bool(np.array_equal(got[np.isinf(expected)], expected[np.isinf(expected)]))
            with np.errstate(all='ignore'):
                excess = np.abs(got - expected) - allowed
            worst = float(np.max(excess[finite])) if finite.any() else 0.0
            report.append({'dataset': dataset, 'kernel': kernel, 'output': output, 'dtype': str(out.dtype),
                           'rows': int(len(out)), 'sameNaN': same_nan, 'sameInf': inf_match, 'worstExcess': worst})
    print(json.dumps(report))


def stats(path, dataset, bins, given):
    with h5py.File(path, 'r') as f:
        x = f[dataset][:].astype(np.float64)
    groups = [x[:, c] for c in range(x.shape[1])] if x.ndim == 2 else [x.reshape(-1)]
    out = []
    for values in groups:
        clean = values[~np.isnan(values)]
        entry = {'count': int(clean.size), 'nanCount': int(values.size - clean.size)}
        if clean.size:
            # JSON has no Infinity: non-finite figures as strings, as h5blocks' --json writes them.
            figure = lambda v: float(v) if math.isfinite(v) else str(float(v)).replace('inf', 'Infinity').replace('nan', 'NaN')
            with np.errstate(all='ignore'):
                entry.update(min=figure(clean.min()), max=figure(clean.max()), mean=figure(clean.mean()), std=figure(clean.std()))
            try:
                counts, edges = np.histogram(clean, bins=bins, range=given)
                entry['histogram'] = {'counts': counts.tolist(), 'edges': edges.tolist()}
            except ValueError as error:
                entry['noHistogram'] = str(error)
        out.append(entry)
    print(json.dumps(out))


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'make':
        make(sys.argv[2])
    elif command == 'check':
        check(sys.argv[2], json.loads(sys.argv[3]))
    elif command == 'stats':
        given = (float(sys.argv[5]), float(sys.argv[6])) if len(sys.argv) > 6 else None
        stats(sys.argv[2], sys.argv[3], int(sys.argv[4]), given)
