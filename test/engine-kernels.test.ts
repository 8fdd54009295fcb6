// The kernel seam (src/workers/kernels): every per-row kernel on random data of
// every numeric type and of rank 1 to 4 (NaN, ±Inf and integer extremes
// included) against numpy, the same bits from every strategy and block size,
// and the refusals.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import type { RunResult } from '../src/shared/run';
import { ROW_KERNELS } from '../src/workers/kernels/registry';
import { makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { projectRoot, systemPython } from './support/paths';

const execFileAsync = promisify(execFile);
const helper = join(projectRoot, 'test/support/kernels_reference.py');
const TYPES = ['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];
const RANKS = ['r1', 'r2', 'r3', 'r4'];
const INTEGER = (type: string) => type.startsWith('i') || type.startsWith('u');

interface Comparison { dataset: string; kernel: string; output: string; dtype: string; rows: number; sameNaN: boolean; sameInf: boolean; worstExcess: number }

async function python(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(systemPython, [helper, ...args], { maxBuffer: 64 * 2 ** 20 });
  return stdout;
}

let folder: string;
let file: string;

beforeAll(async () => {
  folder = makeTempFolder('kernels');
  file = join(folder, 'kernels.h5');
  await python(['make', file]);
}, 60_000);

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

function applies(kernel: string, type: string, rank: string): boolean {
  if (kernel === 'nan-count' && INTEGER(type)) return false;
  if (kernel === 'std' && rank === 'r1') return false;
  return true;
}

describe('per-row kernels against numpy', () => {
  it('every kernel on every numeric type, ranks 1 to 4, agrees with numpy (NaN and Inf where numpy has them; sums within their stated bound; extremes exact)', async () => {
    const spec: [string, string, string][] = [];
    for (const type of TYPES) {
      for (const rank of RANKS) {
        for (const { name } of ROW_KERNELS) {
          if (!applies(name, type, rank)) continue;
          const dataset = `/${type}_${rank}`;
          const output = `/numpy/${type}_${rank}_${name.replace('-', '_')}`;
          const result = await runComputation({ file, dataset, compute: name, strategy: 'inline', workers: 1, output });
          expect(result.compute).toBe(name);
          expect(result.rows).toBe({ r1: 700, r2: 300, r3: 40, r4: 12 }[rank]);
          spec.push([dataset, name, output]);
        }
      }
    }
    spec.push(['/big_i8', 'sum', '/numpy/big_i8_sum']);
    await runComputation({ file, dataset: '/big_i8', compute: 'sum', strategy: 'inline', workers: 1, output: '/numpy/big_i8_sum' });
    const report = JSON.parse(await python(['check', file, JSON.stringify(spec)])) as Comparison[];
    expect(report).toHaveLength(spec.length);
    const wrong = report.filter((entry) => !entry.sameNaN || !entry.sameInf || entry.worstExcess > 0);
    expect(wrong).toEqual([]);
    // Output types as the kernels state them.
    const dtypeOf = (dataset: string, kernel: string) => report.find((entry) => entry.dataset === dataset && entry.kernel === kernel)?.dtype;
    expect(dtypeOf('/f4_r3', 'norm')).toBe('float32');
    expect(dtypeOf('/u2_r3', 'max')).toBe('float32');
    expect(dtypeOf('/i4_r3', 'max')).toBe('float64');
    expect(dtypeOf('/u2_r3', 'sum')).toBe('float64');
    expect(dtypeOf('/f2_r2', 'mean')).toBe('float64');
  }, 600_000);
});

describe('the same bits from every strategy, worker count and block size', () => {
  const variants = [
    { strategy: 'inline', workers: 1, blockRows: undefined },
    { strategy: 'inline', workers: 1, blockRows: 3 },
    { strategy: 'pool', workers: 2, blockRows: 5 },
    { strategy: 'pool', workers: 3, blockRows: undefined },
    { strategy: 'shard', workers: 2, blockRows: 7 },
    { strategy: 'vds', workers: 2, blockRows: 11 },
  ] as const;

  it.each([
    { dataset: '/f4_r3', kernels: ROW_KERNELS.map((k) => k.name) },
    { dataset: '/u2_r4', kernels: ['norm', 'sum', 'mean', 'std', 'max'] },
    { dataset: '/f8_r2', kernels: ['l1', 'std', 'min', 'nan-count'] },
    { dataset: '/i8_r1', kernels: ['sum', 'maxabs'] },
  ])('$dataset: $kernels', async ({ dataset, kernels }) => {
    for (const kernel of kernels) {
      const results: RunResult[] = [];
      for (const [i, variant] of variants.entries()) {
        results.push(await runComputation({
          file, dataset, compute: kernel, strategy: variant.strategy, workers: variant.workers, blockRows: variant.blockRows,
          // In the root, which h5py made: a group h5wasm makes stores more than 8 links densely, where vds cannot add its output.
          output: `/strategies_${dataset.slice(1)}_${kernel.replace('-', '_')}_${i}`,
        }));
      }
      const hashes = new Set(results.map((r) => r.outputSha256));
      expect(hashes.size, `${dataset} ${kernel}: ${results.map((r) => `${r.strategy}/${r.blockRows}: ${r.outputSha256.slice(0, 8)}`).join(', ')}`).toBe(1);
    }
    expect(runLeftoversBeside(file)).toEqual([]);
  }, 600_000);
});

describe('refusals', () => {
  async function refusal(promise: Promise<unknown>): Promise<H5BlocksError> {
    try {
      await promise;
    } catch (error) {
      return error as H5BlocksError;
    }
    throw new Error('the run was not refused');
  }

  it('a kernel that does not apply says why in one line, and the file is unchanged', async () => {
    const before = sha256File(file);
    const nanCount = await refusal(runComputation({ file, dataset: '/u1_r3', compute: 'nan-count', strategy: 'pool', workers: 2 }));
    expect(nanCount.code).toBe('unsupported-dataset');
    expect(nanCount.message).toBe('kernels.h5: /u1_r3: holds integers (u1), which cannot be NaN: every count would be 0; `nan-count` does not apply');
    const std = await refusal(runComputation({ file, dataset: '/f4_r1', compute: 'std', strategy: 'inline', workers: 1 }));
    expect(std.message).toMatch(/^kernels\.h5: \/f4_r1: is 1-D: .*`std` does not apply$/);
    const unknown = await refusal(runComputation({ file, dataset: '/f4_r2', compute: 'median', strategy: 'inline', workers: 1 }));
    expect(unknown.code).toBe('invalid-argument');
    expect(unknown.message).toMatch(/unknown computation "median"; choose one of norm, l1, maxabs, sum, mean, min, max, std, nan-count/);
    expect(sha256File(file)).toBe(before);
  });

  it('a frame larger than a block may be is refused with a sentence', async () => {
    const sized = join(folder, 'huge_frames.h5');
    await execFileAsync(systemPython, ['-c', `import h5py; f = h5py.File(${JSON.stringify(sized)}, 'w'); f.create_dataset('frames', shape=(4, 16384, 16384), dtype='<f4', chunks=(1, 1024, 1024))`]);
    const error = await refusal(runComputation({ file: sized, dataset: '/frames', compute: 'sum', strategy: 'pool', workers: 2, blockRows: 1 }));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/^huge_frames\.h5: \/frames: a block of 1024 MiB does not fit/);
  });
});

describe('outputs', () => {
  it('are named after the computation, and carry it in their provenance', async () => {
    const result = await runComputation({ file, dataset: '/u2_r3', compute: 'sum', strategy: 'pool', workers: 2 });
    expect(result.output).toBe('/u2_r3_sum');
    const { stdout } = await execFileAsync(systemPython, ['-c', `import h5py, json; d = h5py.File(${JSON.stringify(file)}, 'r')['/u2_r3_sum']; print(json.dumps({k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in d.attrs.items()}))`]);
    const attributes = JSON.parse(stdout) as Record<string, string>;
    expect(attributes.h5blocks_compute).toBe('sum');
    expect(attributes.h5blocks_computation).toMatch(/^Sum of each row or frame/);
    expect(attributes.h5blocks_complete).toBe('1');
    const norm = await runComputation({ file, dataset: '/f4_r2', strategy: 'inline', workers: 1 });
    expect(norm.output).toBe('/distances');
    expect(norm.compute).toBe('norm');
  });
});
