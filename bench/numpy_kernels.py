"""The h5py + numpy side of `h5blocks bench --only stack-sum stats`, timed as a
whole process by the bench (interpreter start-up included, as h5blocks' own).

  sum   FILE DATASET BLOCK   f[ds][i:i+k].sum(axis=(1, 2)) in blocks of k frames, written beside the input
  norm  FILE DATASET BLOCK   np.sqrt(x[:, 0]**2 + x[:, 1]**2) in float64 over blocks of k rows, rounded to
                             float32 and written beside the input (the expr case's formula)
  stats FILE DATASET BINS    one pass: the whole dataset read once; count, NaN count, min, max, mean, std
                             and a histogram over [min, max] per column, written beside the input
"""
import sys

import h5py
import numpy as np


def frame_sums(path, dataset, block):
    with h5py.File(path, 'r+') as f:
        source = f[dataset]
        out = f.create_dataset(f'{dataset}_sum_numpy', shape=(source.shape[0],), dtype='<f8')
        for i in range(0, source.shape[0], block):
            out[i:i + block] = source[i:i + block].sum(axis=tuple(range(1, source.ndim)), dtype=np.float64)


def row_norms(path, dataset, block):
    with h5py.File(path, 'r+') as f:
        source = f[dataset]
        out = f.create_dataset(f'{dataset}_norm_numpy', shape=(source.shape[0],), dtype='<f4')
        for i in range(0, source.shape[0], block):
            x = source[i:i + block].astype(np.float64)
            out[i:i + block] = np.sqrt(x[:, 0] ** 2 + x[:, 1] ** 2).astype(np.float32)


def statistics(path, dataset, bins):
    with h5py.File(path, 'r+') as f:
        x = f[dataset][...]
        columns = x.reshape(x.shape[0], -1).T if x.ndim == 2 else x.reshape(1, -1)
        group = f.create_group(f'{dataset}_stats_numpy')
        figures = {name: [] for name in ('count', 'nan_count', 'min', 'max', 'mean', 'std')}
        histograms = []
        for values in columns:
            nan = np.isnan(values)
            clean = values[~nan].astype(np.float64)
            figures['count'].append(clean.size)
            figures['nan_count'].append(int(nan.sum()))
            figures['min'].append(clean.min())
            figures['max'].append(clean.max())
            figures['mean'].append(clean.mean())
            figures['std'].append(clean.std())
            histograms.append(np.histogram(clean, bins=bins)[0])
        for name, values in figures.items():
            group[name] = np.array(values)
        group['histogram'] = np.array(histograms)


if __name__ == '__main__':
    command, path, dataset, number = sys.argv[1:5]
    if command == 'sum':
        frame_sums(path, dataset, int(number))
    elif command == 'norm':
        row_norms(path, dataset, int(number))
    else:
        statistics(path, dataset, int(number))
