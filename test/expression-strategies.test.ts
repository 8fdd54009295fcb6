// An expression gives the same values whichever strategy runs it: inline on the
// main thread, pool and shard workers, vds shards and Dask tasks (the numpy twin
// compiled from the same tree), at several worker counts and block sizes, on
// random data of several types and ranks with NaN, ±Inf and integer extremes;
// and those values are numpy's float64 evaluation of the formula, rounded once.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRequest, Strategy } from '../src/shared/run';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { startDaskCluster, type DaskCluster } from './support/daskCluster';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { projectRoot, systemPython } from './support/paths';

const execFileAsync = promisify(execFile);
let cluster: DaskCluster;
let folder: string;
let file: string;

beforeAll(async () => {
  folder = makeTempFolder('expr-strategies');
  file = join(folder, 'kernels.h5');
  await execFileAsync(systemPython, [join(projectRoot, 'test/support/kernels_reference.py'), 'make', file]);
  cluster = await startDaskCluster();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await closeWorkerPools();
  removeTempFolders();
});

interface Case {
  dataset: string;
  expr: string;
  /** The same formula in numpy over X (rows as float64, other axes kept) and I (row index). */
  numpy: string;
  /** Ulps of the output type numpy's evaluation may differ by: 0 for exact operations; libm's functions differ from V8's in float64's last bit. */
  ulps: number;
  /** Dask's maths library is numpy's: for transcendental functions it may differ from the other strategies by that much. */
  exactOnDask: boolean;
}

// kernels.h5 (kernels_reference.py): f4_r2 is 300 × 7 float32 with NaN, ±Inf and -0; i2_r2 300 × 7 int16 with its extremes;
// f8_r3 40 × 9 × 6 float64 frames; u1_r1 700 uint8; i8_r2 300 × 7 int64 with its extremes.
const CASES: Case[] = [
  { dataset: '/f4_r2', expr: 'x[2] / x[0]', numpy: 'X[:, 2] / X[:, 0]', ulps: 0, exactOnDask: true },
  { dataset: '/f4_r2', expr: 'sqrt(x[0]**2 + x[1]**2)', numpy: 'np.sqrt(X[:, 0]**2 + X[:, 1]**2)', ulps: 0, exactOnDask: true },
  { dataset: '/f4_r2', expr: 'hypot(x[0] - 0.5, x[1] - 0.5)', numpy: 'np.hypot(X[:, 0] - 0.5, X[:, 1] - 0.5)', ulps: 1, exactOnDask: true },
  { dataset: '/f4_r2', expr: 'count(x > 10)', numpy: '(X > 10).sum(axis=1)', ulps: 0, exactOnDask: true },
  { dataset: '/f4_r2', expr: 'max(x) - min(x)', numpy: 'X.max(axis=1) - X.min(axis=1)', ulps: 0, exactOnDask: true },
  { dataset: '/f4_r2', expr: 'where(x[1] > 0, log(x[1]), -1) + floor(x[3]) % 3', numpy: 'np.where(X[:, 1] > 0, np.log(X[:, 1]), -1) + np.fmod(np.floor(X[:, 3]), 3)', ulps: 1, exactOnDask: false },
  { dataset: '/i2_r2', expr: 'x[0] % 7 + i * 2 - abs(x[-1])', numpy: 'np.fmod(X[:, 0], 7) + I * 2 - np.abs(X[:, -1])', ulps: 0, exactOnDask: true },
  { dataset: '/f8_r3', expr: 'x[1, 2] - x[0, 0] * 2 + i / 3', numpy: 'X[:, 1, 2] - X[:, 0, 0] * 2 + I / 3', ulps: 0, exactOnDask: true },
  { dataset: '/f8_r3', expr: 'count(abs(x) < 50) + exp(x[0, 0] / 100)', numpy: '(np.abs(X) < 50).sum(axis=(1, 2)) + np.exp(X[:, 0, 0] / 100)', ulps: 2, exactOnDask: false },
  { dataset: '/u1_r1', expr: 'where(x > 128, x - 256, x) * i', numpy: 'np.where(X > 128, X - 256, X) * I', ulps: 0, exactOnDask: true },
  { dataset: '/i8_r2', expr: 'x[0] / 3 + (x[1] < 0)', numpy: 'X[:, 0] / 3 + (X[:, 1] < 0)', ulps: 0, exactOnDask: true },
];

const RUNS: { strategy: Strategy; workers: number; blockRows: number }[] = [
  { strategy: 'inline', workers: 1, blockRows: 1_000_000 },
  { strategy: 'inline', workers: 1, blockRows: 7 },
  { strategy: 'pool', workers: 1, blockRows: 64 },
  { strategy: 'pool', workers: 2, blockRows: 9 },
  { strategy: 'shard', workers: 2, blockRows: 13 },
  { strategy: 'vds', workers: 2, blockRows: 50 },
  { strategy: 'dask', workers: 2, blockRows: 11 },
];

describe('expressions: the same bits with every strategy, worker count and block size, and numpy\'s values', () => {
  it('a table of expressions on random data of several types, NaN, ±Inf and integer extremes included', async () => {
    const report: { dataset: string; reference: string; numpy: string; outputs: string[] }[] = [];
    const hashes: Record<string, Record<string, string>> = {};
    for (const [index, testCase] of CASES.entries()) {
      const outputs: string[] = [];
      hashes[testCase.expr] = {};
      for (const run of RUNS) {
        const output = `/e${index}_${run.strategy}_${run.workers}_${run.blockRows}`;
        const request: RunRequest = {
          file, dataset: testCase.dataset, expr: testCase.expr, output, ...run,
          ...(run.strategy === 'dask' ? { scheduler: cluster.address, python: systemPython } : {}),
        };
        const result = await runComputation(request);
        expect(result.expression).toBe(testCase.expr);
        expect(result.strategy).toBe(run.strategy);
        hashes[testCase.expr][output] = result.outputSha256;
        outputs.push(output);
      }
      report.push({ dataset: testCase.dataset, reference: outputs[0], numpy: testCase.numpy, outputs: outputs.slice(1) });
    }
    const casesFile = join(folder, 'cases.json');
    writeFileSync(casesFile, JSON.stringify(report));
    const { stdout } = await execFileAsync(systemPython, [join(projectRoot, 'test/support/expression_strategies.py'), file, casesFile]);
    const checked = JSON.parse(stdout) as { same: Record<string, boolean>; maxUlps: number; dtype: string }[];
    for (const [index, testCase] of CASES.entries()) {
      const { same, maxUlps } = checked[index];
      for (const [output, equal] of Object.entries(same)) {
        if (output.includes('_dask_') && !testCase.exactOnDask) continue;
        expect(equal, `${testCase.expr}: ${output} against inline's`).toBe(true);
      }
      expect(maxUlps, `${testCase.expr} against numpy`).toBeLessThanOrEqual(testCase.ulps);
    }
    // The reports agree: every output of an exact case has inline's SHA-256.
    for (const testCase of CASES.filter((c) => c.exactOnDask)) expect(new Set(Object.values(hashes[testCase.expr])).size, testCase.expr).toBe(1);
    expect(runLeftoversBeside(file)).toEqual([]);
  }, 900_000);
});
