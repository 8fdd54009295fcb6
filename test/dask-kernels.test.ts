// The kernels' numpy twins (resources/python/h5blocks_kernel.py) on a real
// Dask cluster: every per-row kernel and the statistics partials give the
// same bits as pool's, on frames (3-D) and on rows with NaN and ±Inf.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { runStatistics } from '../src/main/run/statistics';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { ROW_KERNELS } from '../src/workers/kernels/registry';
import { startDaskCluster, type DaskCluster } from './support/daskCluster';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { projectRoot, systemPython } from './support/paths';

const execFileAsync = promisify(execFile);
let cluster: DaskCluster;
let file: string;

beforeAll(async () => {
  const folder = makeTempFolder('dask-kernels');
  file = join(folder, 'kernels.h5');
  await execFileAsync(systemPython, [join(projectRoot, 'test/support/kernels_reference.py'), 'make', file]);
  cluster = await startDaskCluster();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await closeWorkerPools();
  removeTempFolders();
});

describe('dask gives pool\'s bits', () => {
  it.each([
    { dataset: '/f4_r3', kernels: ROW_KERNELS.map((k) => k.name) },
    { dataset: '/i8_r2', kernels: ['sum', 'mean', 'l1', 'std', 'maxabs', 'min'] },
    { dataset: '/f2_r4', kernels: ['norm', 'sum', 'max', 'nan-count'] },
  ])('$dataset: $kernels', async ({ dataset, kernels }) => {
    for (const kernel of kernels) {
      const output = (strategy: string) => `/${strategy}_${dataset.slice(1)}_${kernel.replace('-', '_')}`;
      const pool = await runComputation({ file, dataset, compute: kernel, strategy: 'pool', workers: 2, blockRows: 9, output: output('pool') });
      const dask = await runComputation({
        file, dataset, compute: kernel, strategy: 'dask', workers: 2, blockRows: 13, output: output('dask'), scheduler: cluster.address, python: systemPython,
      });
      expect(dask.outputSha256, `${dataset} ${kernel}`).toBe(pool.outputSha256);
    }
    expect(runLeftoversBeside(file)).toEqual([]);
  }, 600_000);

  it('statistics: the partials computed in Dask tasks merge to the same figures as pool\'s', async () => {
    for (const dataset of ['/f4_r2', '/u2_r3', '/f8_r1']) {
      const pool = await runStatistics({ file, dataset, strategy: 'pool', workers: 2, bins: 7, output: `/pool_stats_${dataset.slice(1)}` }, {}, `pool${dataset.slice(1)}`);
      const dask = await runStatistics({
        file, dataset, strategy: 'dask', workers: 2, blockRows: 11, bins: 7, output: `/dask_stats_${dataset.slice(1)}`, scheduler: cluster.address, python: systemPython,
      }, {}, `dask${dataset.slice(1)}`);
      expect(JSON.stringify(dask.groups), dataset).toBe(JSON.stringify(pool.groups));
    }
  }, 600_000);
});
