# The kernels of h5blocks (src/workers/kernels/, the row norm in src/workers/compute/rowNorm.ts) in numpy,
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


def _rows(x):
    """Entries along the first axis as rows, every other axis flattened (one column for a 1-D series; zero rows allowed)."""
    return x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64)))


def row_norms(block, out_type):
    x = np.asarray(block).astype(np.float64)
    x = _rows(x)
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


# ---- The other per-row kernels (src/workers/kernels/*.ts), the same way. ----
# A block arrives as rows × (every other axis flattened), converted to float64
# as the TypeScript side decodes it; each returns one float64 per row.

def tree_sum(x):
    """Sum along axis 1 in src/workers/kernels/treeSum.ts's tree: pad with -0 to a power of two, halve until one column."""
    rows, length = x.shape
    if length == 0:
        return np.full(rows, -0.0)
    width = 1
    while width < length:
        width *= 2
    if width > length:
        x = np.concatenate([x, np.full((rows, width - length), -0.0)], axis=1)
    with np.errstate(all='ignore'):
        while x.shape[1] > 1:
            half = x.shape[1] // 2
            x = x[:, :half] + x[:, half:]
    return x[:, 0]


def _flat(block):
    return _rows(np.asarray(block).astype(np.float64))


def row_sum(block, out_type=np.float64):
    return tree_sum(_flat(block)).astype(out_type)


def row_mean(block, out_type=np.float64):
    x = _flat(block)
    with np.errstate(all='ignore'):
        return (tree_sum(x) / x.shape[1]).astype(out_type)


def row_l1(block, out_type=np.float64):
    return tree_sum(np.abs(_flat(block))).astype(out_type)


def row_std(block, out_type=np.float64):
    x = _flat(block)
    with np.errstate(all='ignore'):
        m = tree_sum(x) / x.shape[1]
        d = x - m[:, None]
        return np.sqrt(tree_sum(d * d) / x.shape[1]).astype(out_type)


def _extreme(x, pick):
    with np.errstate(all='ignore'):
        r = pick(x, axis=1)
    r = np.where(np.isnan(x).any(axis=1), np.nan, r)
    return np.where(r == 0, 0.0, r)


def row_min(block, out_type=np.float64):
    return _extreme(_flat(block), np.min).astype(out_type)


def row_max(block, out_type=np.float64):
    return _extreme(_flat(block), np.max).astype(out_type)


def row_maxabs(block, out_type=np.float64):
    return _extreme(np.abs(_flat(block)), np.max).astype(out_type)


def row_nan_count(block, out_type=np.float64):
    return np.isnan(_flat(block)).sum(axis=1).astype(out_type)


# kernel name -> (numpy twin, output type for an input kind); the same table as src/workers/kernels/registry.ts.
_NARROW = ('f2', 'f4', 'i1', 'u1', 'i2', 'u2')
KERNELS = {
    'norm': (lambda block, out: row_norms(_flat(block), out), output_dtype),
    'l1': (row_l1, lambda kind: np.float64),
    'maxabs': (row_maxabs, output_dtype),
    'sum': (row_sum, lambda kind: np.float64),
    'mean': (row_mean, lambda kind: np.float64),
    'min': (row_min, output_dtype),
    'max': (row_max, output_dtype),
    'std': (row_std, lambda kind: np.float64),
    'nan-count': (row_nan_count, lambda kind: np.float64),
}


def kernel_output_dtype(kernel, kind):
    if kernel == 'expr':
        return output_dtype(kind)
    return KERNELS[kernel][1](kind)


# ---- The user's expression (src/workers/kernels/expression): its numpy twin comes with the task. ----

_EXPRESSIONS = {}


def expression_function(module):
    """`h5blocks_expression(block, first_row, out_type)` from the module h5blocks generated from the
    expression's checked syntax tree (compileNumpy.ts: numbers and fixed names, never the typed text);
    made once per worker."""
    function = _EXPRESSIONS.get(module)
    if function is None:
        namespace = {}
        exec(compile(module, '<h5blocks expression>', 'exec'), namespace)
        function = _EXPRESSIONS[module] = namespace['h5blocks_expression']
    return function


def non_finite(values):
    """NaN, +Inf and -Inf among a block's values as written (after rounding to the output type)."""
    return {'nan': int(np.isnan(values).sum()), 'posInf': int(np.isposinf(values).sum()), 'negInf': int(np.isneginf(values).sum())}


# ---- Statistics partials (src/workers/kernels/stats.ts): per leaf, then histogram counts. ----

def stats_partial(block, stats):
    x = _flat(block)
    rows, columns = x.shape
    leaf_rows = stats['leafRows']
    groups = columns if stats['perColumn'] else 1
    parts = []
    if stats['moments']:
        for leaf_start in range(0, rows, leaf_rows):
            leaf = x[leaf_start:leaf_start + leaf_rows]
            # One row per group: a column's values in row order, or every value of the leaf.
            values = leaf.T if stats['perColumn'] else leaf.reshape(1, -1)
            nan = np.isnan(values)
            n = (~nan).sum(axis=1).astype(np.float64)
            clean = np.where(nan, -0.0, values)
            with np.errstate(all='ignore'):
                m = np.where(n > 0, tree_sum(clean) / np.where(n > 0, n, 1), 0.0)
                d = values - m[:, None]
                m2 = np.where(n > 0, tree_sum(np.where(nan, -0.0, d * d)), 0.0)
                low = np.where(nan, np.inf, values).min(axis=1)
                high = np.where(nan, -np.inf, values).max(axis=1)
            low = np.where(low == 0, 0.0, low)
            high = np.where(high == 0, 0.0, high)
            figures = np.stack([n, values.shape[1] - n, low, high, m, m2], axis=1)
            parts.append(figures.reshape(-1))
    if stats.get('histogram'):
        bins = stats['histogram']['bins']
        for g in range(groups):
            lo, hi = stats['histogram']['ranges'][g]
            values = x[:, g] if stats['perColumn'] else x.reshape(-1)
            counts, _ = np.histogram(values[~np.isnan(values)], bins=bins, range=(lo, hi))
            parts.append(counts.astype(np.float64))
    return np.concatenate(parts) if parts else np.zeros(0)


def compute_block(block, kind, task, first_row=0):
    """The values a block gives for `task` ({'kernel': name[, 'stats': {...}]}, or {'kernel': 'expr', 'numpy': module}), ready for its shard."""
    if task.get('stats'):
        return stats_partial(block, task['stats']).astype('<f8')
    if task['kernel'] == 'expr':
        out = np.dtype(output_dtype(kind)).newbyteorder('<')
        return expression_function(task['numpy'])(block, first_row, out).astype(out)
    twin, out_type = KERNELS[task['kernel']]
    out = np.dtype(out_type(kind)).newbyteorder('<')
    return twin(block, out).astype(out)


def norm_block(file, dataset, kind, row_start, row_end, shard_path):
    """The seed's task, kept for scripts exported before kernels: the row norm."""
    return block_task(file, dataset, kind, {'kernel': 'norm'}, row_start, row_end, shard_path)


def block_task(file, dataset, kind, task, row_start, row_end, shard_path):
    """Reads rows [row_start, row_end) read-only, writes the block's values to shard_path; returns the phase stamps (epoch s)."""
    read_start = time.time()
    with _open_unlocked(file) as f:
        block = f[dataset][row_start:row_end]
    read_end = time.time()
    values = compute_block(block, kind, task, row_start)
    compute_end = time.time()
    # Written under a temporary name and renamed, so a shard that exists is whole.
    # The folder is never created here: once the run is over (or cancelled) and its
    # folder removed, a late task fails instead of leaving a stray file.
    partial = shard_path + '.partial'
    with open(partial, 'wb') as out:
        out.write(values.tobytes())
    os.replace(partial, shard_path)
    stamps = {'worker': _worker_address(), 'read': [read_start, read_end], 'compute': [read_end, compute_end], 'shard-write': [compute_end, time.time()]}
    if task.get('kernel') == 'expr':
        stamps['nonFinite'] = non_finite(values)
    return stamps


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
