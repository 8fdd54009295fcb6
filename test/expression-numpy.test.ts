// Expressions against numpy: each expression is compiled twice from the same tree,
// to the JavaScript block function the workers run and to the numpy function the
// Dask strategy and exported scripts run; both evaluate seeded blocks of every
// numeric element type (NaN, ±Inf, ±0, subnormals, integer extremes). Exact
// operations must give the same values (zeros' signs included); libm's
// transcendental functions are held to a few ulps of the output type.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowNorms, type NumericKind } from '../src/workers/compute/rowNorm';
import { NUMPY_PRELUDE } from '../src/workers/kernels/expression/compileNumpy';
import { compileExpression, type ExpressionKernel } from '../src/workers/kernels/expression';
import { ALL_KINDS, NUMPY_DTYPE, makeBlock, type TestBlock } from './support/expressionData';
import { makeTempFolder, removeTempFolders } from './support/files';
import { mismatches, typedView } from './support/floats';
import { projectRoot, systemPython } from './support/paths';

const run = promisify(execFile);
const ROWS = 600;
const FIRST_ROW = 1_000_000;
/** V8's fdlibm and numpy's libm (or SIMD) versions of the same function, after one rounding to the output type. */
const APPROXIMATE_ULPS = 4;

interface Case {
  expression: string;
  /** Row shape of the block it runs on. */
  rowShape: number[];
  /** Only IEEE-exact operations: the two sides must agree to the bit. */
  exact: boolean;
}

const ROW_CASES: [string, boolean][] = [
  // The examples.
  ['sqrt(x[0]**2 + x[1]**2)', true],
  ['hypot(x[0] - 0.5, x[1] - 0.5)', true],
  ['x[2] / x[0]', true],
  ['count(x > 1000)', true],
  ['max(x) - min(x)', true],
  // Arithmetic, comparisons, logic, where.
  ['x[0] + x[1] * x[2] - x[0] / x[2]', true],
  ['x[0] % x[1] + x[2] % 7', true],
  ['-x[1] + i * 2 - x[-1] ** 2', true],
  ['sqrt(x[0]**2 + x[1]**2 + x[2]**2)', true],
  ['sqrt(sum(x**2))', true],
  ['sum(x)', true],
  ['mean(x) + sum(x * i)', true],
  ['count(x)', true],
  ['count(x != x) + count(x >= 0 and x <= 1000)', true],
  ['where(x[0] > x[1], x[0], -x[1])', true],
  ['(x[0] > 0) and (x[1] < 0) or not (x[2] == 0)', true],
  ['!(x[0] != x[0]) && x[1] <= x[2] || x[0] >= 1000', true],
  ['abs(x[0]) + floor(x[1]) * ceil(x[2])', true],
  ['trunc(x[0] / 7) + round(x[1] / 3) + sign(x[2])', true],
  ['round(x[0] + 0.5) - round(-x[0] - 0.5)', true],
  ['sign(x[0]) * 0 + min(x[0], 0) + max(x[2], -0)', true],
  ['min(x[0], x[1]) * max(x[1], x[2])', true],
  ['min(x * 0) + max(-x * 0)', true],
  ['1e308 * 10 + x[0] - 1 / 0', true],
  ['x[1] ** 2 / (x[0] ** 2 + 1e-300)', true],
  ['hypot(x[0], x[2]) - hypot(1e300, x[1])', true],
  ['1 ** x[2] + (-1) ** (1 / 0) + (-1) ** (-1 / 0) + x[0] ** 0', true],
  // libm's functions, one at a time (a difference would grow in a cancellation): within a few ulps.
  ...[
    'exp(x[0] / 1000)', 'log(x[1])', 'log1p(x[0])', 'log10(x[2])', 'sin(x[0])', 'cos(x[1])', 'tan(x[2])',
    'asin(x[0] / 1000)', 'acos(x[1] / 1000)', 'atan(x[1])', 'atan2(x[0], x[1])', 'sinh(x[0] / 100)', 'cosh(x[1] / 100)',
    'tanh(x[2])', 'x[0] ** 3', 'abs(x[1]) ** 0.5', 'x[0] ** x[1]',
  ].map((expression): [string, boolean] => [expression, false]),
];

const CASES: Case[] = [
  ...ROW_CASES.map(([expression, exact]) => ({ expression, rowShape: [3], exact })),
  // Frames (rows of rank 2) and single-value rows (1-D datasets).
  { expression: 'x[1, 2] - x[0, 0] + x[-1, -3]', rowShape: [2, 3], exact: true },
  { expression: 'sum(x) / count(x > 0)', rowShape: [2, 3], exact: true },
  { expression: 'sqrt(sum(x**2))', rowShape: [2, 3], exact: true },
  { expression: 'max(x) - min(x) + mean(x)', rowShape: [2, 3], exact: true },
  { expression: 'sqrt(sum(x**2))', rowShape: [2], exact: true },
  { expression: 'x * 2 + i', rowShape: [], exact: true },
  { expression: 'sqrt(abs(x)) + sum(x) + max(x)', rowShape: [], exact: true },
];

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('expression-numpy');
});
afterAll(() => removeTempFolders());

interface Prepared {
  label: string;
  kernel: ExpressionKernel;
  ours: Float32Array | Float64Array;
  exact: boolean;
  output: string;
}

function sameValue(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);
}

async function runNumpy(cases: { kernel: ExpressionKernel; block: TestBlock; rowShape: number[]; output: string; input: string }[]): Promise<void> {
  const manifest = {
    prelude: NUMPY_PRELUDE,
    cases: cases.map(({ kernel, block, rowShape, output, input }) => ({
      input, output, dtype: NUMPY_DTYPE[block.kind], shape: [ROWS, ...rowShape], firstRow: FIRST_ROW, outputType: kernel.outputType, source: kernel.numpy.source,
    })),
  };
  const manifestPath = join(folder, `manifest-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  await run(systemPython, [join(projectRoot, 'test/support/expression_numpy.py'), manifestPath], { maxBuffer: 16 * 2 ** 20 });
}

describe('expressions: the JavaScript kernel and its numpy twin give the same figures', () => {
  for (const kind of ALL_KINDS) {
    it(`on random ${kind} blocks with the type's edges, for every expression of the table`, async () => {
      const blocks = new Map<string, { block: TestBlock; input: string }>();
      const prepared: Prepared[] = [];
      const numpyCases: Parameters<typeof runNumpy>[0] = [];
      for (const [n, testCase] of CASES.entries()) {
        const shapeKey = testCase.rowShape.join('x') || 'scalar';
        if (!blocks.has(shapeKey)) {
          const perRow = testCase.rowShape.reduce((a, b) => a * b, 1);
          const block = makeBlock(kind, ROWS * perRow, 20 + ALL_KINDS.indexOf(kind) * 7 + blocks.size);
          const input = join(folder, `${kind}-${shapeKey}.bin`);
          writeFileSync(input, block.bytes);
          blocks.set(shapeKey, { block, input });
        }
        const { block, input } = blocks.get(shapeKey)!;
        const kernel = compileExpression(testCase.expression, [ROWS, ...testCase.rowShape], kind);
        const ours = kernel.outputType === 'float32' ? new Float32Array(ROWS) : new Float64Array(ROWS);
        kernel.runBlock(block.values, ROWS, FIRST_ROW, ours);
        const output = join(folder, `${kind}-case${n}.out`);
        prepared.push({ label: `${testCase.expression} on ${kind} rows of [${testCase.rowShape}]`, kernel, ours, exact: testCase.exact, output });
        numpyCases.push({ kernel, block, rowShape: testCase.rowShape, output, input });
      }
      await runNumpy(numpyCases);
      const failures: unknown[] = [];
      for (const { label, kernel, ours, exact, output } of prepared) {
        const theirs = typedView(new Uint8Array(readFileSync(output)), kernel.outputType);
        if (exact) {
          const differing = [...ours.keys()].filter((r) => !sameValue(ours[r], theirs[r]));
          if (differing.length) failures.push({ label, rows: differing.length, first: differing.slice(0, 3).map((r) => ({ row: r, js: ours[r], numpy: theirs[r] })) });
        } else {
          const far = mismatches(ours, theirs, kernel.outputType, APPROXIMATE_ULPS);
          if (far.length) failures.push({ label, rows: far.length, first: far.slice(0, 3) });
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('sqrt(x[0]**2 + x[1]**2) is the norm kernel, bit for bit', () => {
  const norms = (kind: NumericKind, block: TestBlock, rows: number, columns: number) =>
    rowNorms({ buffer: block.bytes.buffer as ArrayBuffer, byteOffset: block.bytes.byteOffset, kind, rows, columns });

  it('on float32 N×2 rows, including NaN, ±Inf, subnormal and overflowing squares', () => {
    const block = makeBlock('f4', 20_000 * 2, 7);
    const special = new Float32Array([NaN, 1, Infinity, 0, -Infinity, NaN, 0, 0, -3, 4, 3.4e38, 3.4e38, 1e-45, 1e-45]);
    const values = new Float32Array([...special, ...(block.values as Float32Array)]);
    const rows = values.length / 2;
    const kernel = compileExpression('sqrt(x[0]**2 + x[1]**2)', [rows, 2], 'f4');
    const ours = new Float32Array(rows);
    kernel.runBlock(values, rows, 0, ours);
    const reference = rowNorms({ buffer: values.buffer, kind: 'f4', rows, columns: 2 });
    expect(kernel.outputType).toBe('float32');
    expect(Buffer.from(ours.buffer).equals(Buffer.from(reference.buffer))).toBe(true);
    expect(Array.from(ours.subarray(0, 7))).toEqual([NaN, Infinity, Infinity, 0, 5, Math.fround(Math.hypot(3.4e38, 3.4e38)), Math.fround(Math.hypot(1e-45, 1e-45))].map((v) => Math.fround(v)));
  });

  it('hypot(x[0], x[1]) is the norm kernel too (float64 rows with NaN, ±Inf, ±0, subnormals and extremes)', () => {
    const rows = 50_000;
    const block = makeBlock('f8', rows * 2, 11);
    const kernel = compileExpression('hypot(x[0], x[1])', [rows, 2], 'f8');
    const ours = new Float64Array(rows);
    kernel.runBlock(block.values, rows, 0, ours);
    expect(Buffer.from(ours.buffer).equals(Buffer.from(norms('f8', block, rows, 2).buffer))).toBe(true);
  });

  for (const kind of ALL_KINDS) {
    it(`sqrt(sum(x**2)) and the written-out sum equal the norm on ${kind} rows of 1, 2, 3 and 64 columns`, () => {
      for (const columns of [1, 2, 3, 64]) {
        const rows = 300;
        const block = makeBlock(kind, rows * columns, 100 + columns);
        const reference = norms(kind, block, rows, columns);
        const written = `sqrt(${Array.from({ length: Math.min(columns, 3) }, (_, c) => `x[${c}]**2`).join(' + ')})`;
        for (const expression of columns <= 3 ? ['sqrt(sum(x**2))', written] : ['sqrt(sum(x**2))']) {
          const kernel = compileExpression(expression, [rows, columns], kind);
          const ours = kernel.outputType === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
          kernel.runBlock(block.values, rows, 0, ours);
          expect({ expression, columns, same: Buffer.from(ours.buffer).equals(Buffer.from(reference.buffer)) }).toEqual({ expression, columns, same: true });
        }
      }
    });
  }
});
