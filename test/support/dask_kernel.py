"""Runs the Dask strategy's numpy kernel (resources/python/h5blocks_kernel.py) on whole datasets.

  norms FILE OUTDIR DATASET...   writes each dataset's row norms, as the kernel rounds them, to OUTDIR/<i>.bin
  extremes FILE                  writes N×2 and N×3 float64 and N×2 float32 datasets full of values that
                                 overflow or underflow when squared, NaN, ±Inf, zeros and subnormals
"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'resources', 'python'))
from h5blocks_kernel import output_dtype, row_norms  # noqa: E402

KINDS = {('f', 2): 'f2', ('f', 4): 'f4', ('f', 8): 'f8'}


def kind_of(dtype):
    return KINDS.get((dtype.kind, dtype.itemsize)) or f'{dtype.kind}{dtype.itemsize}'


def cmd_norms(file, outdir, datasets):
    os.makedirs(outdir, exist_ok=True)
    manifest = {}
    with h5py.File(file, 'r') as f:
        for i, path in enumerate(datasets):
            data = f[path][()]
            out_type = np.dtype(output_dtype(kind_of(data.dtype))).newbyteorder('<')
            target = os.path.join(outdir, f'{i}.bin')
            row_norms(data, out_type).astype(out_type).tofile(target)
            manifest[path] = target
    print(json.dumps(manifest))


def cmd_extremes(file):
    rng = np.random.default_rng(20261202)

    def hostile(rows, columns):
        x = np.ldexp(rng.standard_normal((rows, columns)),
                     rng.choice([-1100, -1074, -1000, -600, -400, -10, 0, 10, 400, 600, 1000, 1023], size=(rows, columns)))
        pick = rng.random((rows, columns))
        x[pick < 0.02] = np.nan
        x[(pick >= 0.02) & (pick < 0.04)] = np.inf
        x[(pick >= 0.04) & (pick < 0.05)] = -np.inf
        x[(pick >= 0.05) & (pick < 0.08)] = 0.0
        x[(pick >= 0.08) & (pick < 0.09)] = 5e-324
        return x

    with h5py.File(file, 'w') as f:
        f['f8_2'] = hostile(20000, 2)
        f['f8_3'] = hostile(20000, 3)
        with np.errstate(over='ignore'):
            f['f4_2'] = hostile(20000, 2).astype(np.float32)
    print(json.dumps({'datasets': ['/f8_2', '/f8_3', '/f4_2']}))


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'norms':
        cmd_norms(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == 'extremes':
        cmd_extremes(sys.argv[2])
    else:
        raise SystemExit(f'unknown command {command}')
