// The Dask tasks' numpy kernel against h5blocks' own (rowNorm.ts, run here by
// the inline strategy): the same bytes on every numeric N×D dataset of the
// corpus and on values that overflow, underflow, or are NaN and ±Inf, so a
// Dask run is bit-identical to pool, not merely within an ulp.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { readOutputs } from './support/reference';

const run = promisify(execFile);
const helper = join(projectRoot, 'test/support/dask_kernel.py');

const CORPUS_DATASETS = [
  '/be_f4', '/be_f8', '/be_i2', '/le_f2', '/le_f4', '/le_f8', '/le_i1', '/le_i2', '/le_i4', '/le_i8', '/le_u1', '/le_u4', '/le_u8',
  '/many_columns', '/one_column', '/one_row', '/special_values', '/three_columns', '/empty_rows',
];

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('dask-kernel');
});
afterAll(() => removeTempFolders());

async function numpyKernel(file: string, datasets: string[], label: string): Promise<Map<string, Buffer>> {
  const { stdout } = await run(systemPython, [helper, 'norms', file, join(folder, label), ...datasets], { maxBuffer: 16 * 2 ** 20 });
  const manifest = JSON.parse(stdout) as Record<string, string>;
  return new Map(Object.entries(manifest).map(([path, target]) => [path, readFileSync(target)]));
}

async function expectSameBytes(file: string, datasets: string[], label: string): Promise<void> {
  const expected = await numpyKernel(file, datasets, `${label}-numpy`);
  const outputs = datasets.map((path) => `/norms${path}`);
  for (const [i, dataset] of datasets.entries()) {
    await runComputation({ file, dataset, strategy: 'inline', workers: 1, output: outputs[i] });
  }
  const written = await readOutputs(file, join(folder, `${label}-read`), outputs);
  for (const [i, dataset] of datasets.entries()) {
    const ours = Buffer.from(written.get(outputs[i])!.bytes);
    const numpy = expected.get(dataset)!;
    expect({ dataset, bytes: ours.byteLength, same: ours.equals(numpy) }).toEqual({ dataset, bytes: numpy.byteLength, same: true });
  }
}

describe('the Dask kernel in numpy and rowNorm.ts write the same bytes', () => {
  it('on every numeric N×D dataset of dtypes.h5 (both byte orders, f2 to u8, D = 1, 2, 3, 64, zero rows)', async () => {
    await expectSameBytes(copyCorpus('dtypes.h5', folder), CORPUS_DATASETS, 'dtypes');
  });

  it('on squares that overflow or underflow float64, NaN, ±Inf, zeros and subnormals (D = 2 and 3)', async () => {
    const file = join(folder, 'extremes.h5');
    const { stdout } = await run(systemPython, [helper, 'extremes', file]);
    await expectSameBytes(file, (JSON.parse(stdout) as { datasets: string[] }).datasets, 'extremes');
  });
});
