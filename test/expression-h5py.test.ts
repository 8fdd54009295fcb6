// The exported-script path: h5py reads every numeric dataset of dtypes.h5 (both
// byte orders, float16 to uint64, 1-D, N×1 to N×64, frames, zero rows) in blocks
// and the generated numpy module evaluates the expression; the JavaScript kernel
// evaluates the same expression on the same elements in other blocks. The values
// must be the same, zeros' signs included.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHalves, type NumericKind } from '../src/workers/compute/rowNorm';
import { compileExpression, numpyModule } from '../src/workers/kernels/expression';
import { corpusFile, projectRoot, systemPython } from './support/paths';
import { makeTempFolder, removeTempFolders } from './support/files';
import { typedView } from './support/floats';

const run = promisify(execFile);
const helper = join(projectRoot, 'test/support/expression_h5py.py');

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('expression-h5py');
});
afterAll(() => removeTempFolders());

function expressionsFor(rowShape: number[]): string[] {
  if (rowShape.length === 0) return ['x * x + i', 'sqrt(abs(x)) - max(x)'];
  if (rowShape.length === 2) return ['x[19, 1] - sum(x) / count(x != 0)', 'sqrt(sum(x**2))', 'max(x) - min(x)'];
  if (rowShape[0] === 1) return ['x[0] * 2 - i', 'sqrt(x[0]**2)', 'sum(x)'];
  return ['sqrt(x[0]**2 + x[1]**2)', 'hypot(x[0] - 0.5, x[1] - 0.5)', 'x[-1] / x[0] + i', 'count(x > 0.5) + max(x) - min(x)', 'where(x[0] > x[1], round(x[0] * 10), -x[1] % 3)'];
}

function decoded(raw: Uint8Array, kind: NumericKind): ArrayLike<number> {
  const buffer = raw.slice().buffer;
  switch (kind) {
    case 'f2': return decodeHalves(new Uint16Array(buffer));
    case 'f4': return new Float32Array(buffer);
    case 'f8': return new Float64Array(buffer);
    case 'i1': return new Int8Array(buffer);
    case 'u1': return new Uint8Array(buffer);
    case 'i2': return new Int16Array(buffer);
    case 'u2': return new Uint16Array(buffer);
    case 'i4': return new Int32Array(buffer);
    case 'u4': return new Uint32Array(buffer);
    case 'i8': return Float64Array.from(new BigInt64Array(buffer), Number);
    case 'u8': return Float64Array.from(new BigUint64Array(buffer), Number);
  }
}

describe('expressions through h5py and the generated numpy module', () => {
  it('give the JavaScript kernel\'s values on every numeric dataset of dtypes.h5', async () => {
    const file = corpusFile('dtypes.h5');
    const { stdout } = await run(systemPython, [helper, 'describe', file, folder], { maxBuffer: 16 * 2 ** 20 });
    const datasets = JSON.parse(stdout) as Record<string, { shape: number[]; kind: NumericKind; raw: string }>;
    expect(Object.keys(datasets)).toEqual(expect.arrayContaining(['/be_f4', '/be_i2', '/le_f2', '/le_u8', '/cube_3d', '/vector_1d', '/empty_rows', '/special_values']));
    const cases: { dataset: string; expression: string; output: string; module: string; outputType: string; ours: Float32Array | Float64Array }[] = [];
    for (const [dataset, { shape, kind, raw }] of Object.entries(datasets)) {
      const values = decoded(new Uint8Array(readFileSync(raw)), kind);
      for (const expression of expressionsFor(shape.slice(1))) {
        const kernel = compileExpression(expression, shape, kind);
        const rows = shape[0];
        const perRow = kernel.elementsPerRow;
        const ours = kernel.outputType === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
        // Blocks of 7 rows here, of 300 in Python: neither the block size nor its start changes a value.
        for (let start = 0; start < rows; start += 7) {
          const count = Math.min(7, rows - start);
          const block = Array.prototype.slice.call(values, start * perRow, (start + count) * perRow) as number[];
          kernel.runBlock(block, count, start, ours.subarray(start, start + count));
        }
        cases.push({ dataset, expression, output: join(folder, `out-${cases.length}.bin`), module: numpyModule(kernel), outputType: kernel.outputType, ours });
      }
    }
    const manifest = join(folder, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ file, cases: cases.map((c) => ({ ...c, ours: undefined, blockRows: 300 })) }));
    await run(systemPython, [helper, 'run', manifest], { maxBuffer: 16 * 2 ** 20 });
    const failures: unknown[] = [];
    for (const { dataset, expression, output, ours } of cases) {
      const theirs = typedView(new Uint8Array(readFileSync(output)), ours instanceof Float32Array ? 'float32' : 'float64');
      const differing = [...ours.keys()].filter((r) => !((Number.isNaN(ours[r]) && Number.isNaN(theirs[r])) || Object.is(ours[r], theirs[r])));
      if (theirs.length !== ours.length || differing.length) failures.push({ dataset, expression, rows: ours.length, numpyRows: theirs.length, first: differing.slice(0, 2).map((r) => ({ row: r, js: ours[r], numpy: theirs[r] })) });
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(60);
  });
});
