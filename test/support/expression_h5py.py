"""The exported-script path of an expression, for test/expression-h5py.test.ts:
reads datasets with h5py (libhdf5, either byte order) and runs the generated numpy
function on them.

  expression_h5py.py describe FILE FOLDER      lists every numeric dataset (shape,
      kind) and writes its elements as raw little-endian bytes into FOLDER, for the
      JavaScript kernel; prints JSON.
  expression_h5py.py run MANIFEST.json         for each case, reads the dataset in
      blocks of `blockRows` rows, evaluates the case's module, writes the output raw
      little-endian.
"""
import json
import os
import sys

import h5py
import numpy as np


def describe(path, folder):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind in 'fiu' and obj.ndim >= 1:
            values = obj[()]
            raw = os.path.join(folder, name.replace('/', '_') + '.bin')
            values.astype(values.dtype.newbyteorder('<')).tofile(raw)
            found['/' + name] = {'shape': list(obj.shape), 'kind': obj.dtype.kind + str(obj.dtype.itemsize), 'raw': raw}

    with h5py.File(path, 'r') as f:
        f.visititems(visit)
    print(json.dumps(found))


def run(manifest_path):
    with open(manifest_path) as f:
        manifest = json.load(f)
    with h5py.File(manifest['file'], 'r') as f:
        for case in manifest['cases']:
            namespace = {}
            exec(compile(case['module'], case['output'], 'exec'), namespace)
            expression = namespace['h5blocks_expression']
            dataset = f[case['dataset']]
            out_type = np.float32 if case['outputType'] == 'float32' else np.float64
            parts = [expression(dataset[start:start + case['blockRows']], start, out_type)
                     for start in range(0, len(dataset), case['blockRows'])]
            values = np.concatenate(parts) if parts else np.zeros(0, out_type)
            values.astype(np.dtype(out_type).newbyteorder('<')).tofile(case['output'])
    print('ok')


if sys.argv[1] == 'describe':
    describe(sys.argv[2], sys.argv[3])
else:
    run(sys.argv[2])
