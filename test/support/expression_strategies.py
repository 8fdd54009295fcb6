"""numpy's view of expression runs, for test/expression-strategies.test.ts.

Usage: expression_strategies.py FILE CASES.json. Each case names the input
dataset, a numpy formula over X (the rows, float64, every axis but the first
kept) and I (the row index, float64), the reference output (inline's) and the
other outputs. Prints JSON, per case: whether each output equals the reference
bit for bit, and the largest distance in units of the output type's last place
between the reference and numpy's float64 evaluation rounded once.
"""
import json
import sys

import h5py
import numpy as np


def ulps(a, b):
    """Per value distance in ulps of their type; 0 where both are NaN or equal, huge where one only is NaN."""
    bits = 'i4' if a.dtype == np.float32 else 'i8'
    ia = a.view(bits).astype(np.int64)
    ib = b.view(bits).astype(np.int64)
    # Order the signed-magnitude bit patterns as integers.
    ia = np.where(ia < 0, np.iinfo(np.int64).min - ia if bits == 'i8' else -(ia & 0x7fffffff), ia)
    ib = np.where(ib < 0, np.iinfo(np.int64).min - ib if bits == 'i8' else -(ib & 0x7fffffff), ib)
    distance = np.abs(ia - ib).astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    one_nan = np.isnan(a) ^ np.isnan(b)
    return np.where(both_nan, 0, np.where(one_nan, np.inf, distance))


def main():
    path, cases_path = sys.argv[1], sys.argv[2]
    with open(cases_path) as f:
        cases = json.load(f)
    report = []
    with h5py.File(path, 'r') as f:
        for case in cases:
            X = f[case['dataset']][:].astype(np.float64)
            I = np.arange(len(X), dtype=np.float64)
            reference = f[case['reference']][:]
            with np.errstate(all='ignore'):
                want = np.broadcast_to(np.asarray(eval(case['numpy'], {'np': np, 'X': X, 'I': I}), dtype=np.float64), (len(X),))
            want = want.astype(reference.dtype)
            same = {}
            for output in case['outputs']:
                got = f[output][:]
                same[output] = bool(got.dtype == reference.dtype and got.tobytes() == reference.tobytes())
            report.append({'same': same, 'maxUlps': float(ulps(reference, want).max()) if len(X) else 0.0,
                           'dtype': str(reference.dtype)})
    print(json.dumps(report))


if __name__ == '__main__':
    main()
