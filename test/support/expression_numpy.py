"""Runs the numpy twins of compiled expressions (src/workers/kernels/expression/
compileNumpy.ts) on raw blocks, for test/expression-numpy.test.ts.

Usage: expression_numpy.py MANIFEST.json. The manifest lists cases, each with
the block's file (raw little-endian), numpy dtype, shape, first row, output type,
the generated source and where to write the output (raw little-endian). Each case
runs in a fresh namespace, as an exported script would run it alone.
"""
import json
import sys

import numpy as np

with open(sys.argv[1]) as f:
    manifest = json.load(f)

for case in manifest['cases']:
    block = np.fromfile(case['input'], dtype=np.dtype(case['dtype']).newbyteorder('<')).reshape(case['shape'])
    namespace = {}
    exec(compile(manifest['prelude'] + '\n\n' + case['source'], case['output'], 'exec'), namespace)
    out_type = np.float32 if case['outputType'] == 'float32' else np.float64
    values = namespace['h5blocks_expression'](block, case['firstRow'], out_type)
    assert values.dtype == out_type and values.shape == (case['shape'][0],), (values.dtype, values.shape)
    values.astype(np.dtype(out_type).newbyteorder('<')).tofile(case['output'])
print('ok')
