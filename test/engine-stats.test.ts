// `h5blocks stats`: whole-dataset statistics by map-reduce. The figures agree
// with numpy, are the same bits for every strategy, worker count and block
// size, are written as a group through the run's transaction, and the CLI
// prints them and says what it refuses in one line.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStatistics } from '../src/main/run/statistics';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import type { H5BlocksError } from '../src/shared/errors';
import type { GroupFigures, StatsRequest, StatsResult } from '../src/shared/stats';
import { runCli } from './support/cli';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { projectRoot, systemPython } from './support/paths';

const execFileAsync = promisify(execFile);
const helper = join(projectRoot, 'test/support/kernels_reference.py');

let folder: string;
let file: string;
let runs = 0;

async function py(code: string): Promise<string> {
  const { stdout } = await execFileAsync(systemPython, ['-c', code], { maxBuffer: 64 * 2 ** 20 });
  return stdout;
}

beforeAll(async () => {
  folder = makeTempFolder('stats');
  file = join(folder, 'stats.h5');
  await py(`
import h5py, numpy as np
rng = np.random.default_rng(7)
with h5py.File(${JSON.stringify(file)}, 'w') as f:
    rows = (rng.standard_normal((20000, 3)) * [1, 10, 1000]).astype(np.float32)
    rows[5, 1] = np.nan; rows[77, 2] = np.nan; rows[78, 2] = np.nan
    f.create_dataset('rows', data=rows, chunks=(1000, 3), compression='gzip', shuffle=True)
    f.create_dataset('stack', data=rng.integers(0, 4096, (30, 40, 20), dtype=np.uint16), chunks=(1, 40, 20), compression='gzip')
    f.create_dataset('cube4', data=rng.standard_normal((6, 5, 4, 3)))
    series = rng.standard_normal(5000); series[10] = np.inf
    f.create_dataset('series', data=series)
    f.create_dataset('constant', data=np.full((100, 2), 3.5, dtype=np.float32))
`);
}, 60_000);

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

async function stats(request: Omit<StatsRequest, 'file'>): Promise<StatsResult> {
  runs += 1;
  return runStatistics({ file, output: `/stats_${runs}`, ...request }, {}, `test-${runs}`);
}

interface NumpyFigures { count: number; nanCount: number; min?: number; max?: number; mean?: number; std?: number; histogram?: { counts: number[]; edges: number[] }; noHistogram?: string }

async function numpyFigures(dataset: string, bins: number, range?: [number, number]): Promise<NumpyFigures[]> {
  const { stdout } = await execFileAsync(systemPython, [helper, 'stats', file, dataset, String(bins), ...(range ?? []).map(String)]);
  return JSON.parse(stdout) as NumpyFigures[];
}

function expectAgrees(groups: GroupFigures[], reference: NumpyFigures[]): void {
  expect(groups).toHaveLength(reference.length);
  groups.forEach((group, g) => {
    const want = reference[g];
    expect(group.count).toBe(want.count);
    expect(group.nanCount).toBe(want.nanCount);
    expect(group.min).toBe(want.min);
    expect(group.max).toBe(want.max);
    expect(Math.abs(group.mean! - want.mean!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want.std!)));
    expect(Math.abs(group.std! - want.std!)).toBeLessThanOrEqual(1e-12 * want.std!);
    if (want.histogram) {
      expect(group.histogram?.counts).toEqual(want.histogram.counts);
      expect(group.histogram?.edges).toEqual(want.histogram.edges);
    }
  });
}

describe('figures', () => {
  it('per column of N×D: identical across inline, pool, shard, worker counts and block sizes, and equal to numpy (NaN excluded and counted)', async () => {
    const variants: Omit<StatsRequest, 'file' | 'dataset'>[] = [
      { strategy: 'inline', workers: 1 },
      { strategy: 'inline', workers: 1, blockRows: 1 },
      { strategy: 'pool', workers: 2 },
      { strategy: 'pool', workers: 3, blockRows: 2500 },
      { strategy: 'shard', workers: 2, blockRows: 7000 },
    ];
    const results: StatsResult[] = [];
    for (const variant of variants) results.push(await stats({ dataset: '/rows', bins: 16, ...variant }));
    expect(new Set(results.map((r) => JSON.stringify(r.groups))).size).toBe(1);
    expect(results[0].perColumn).toBe(true);
    expect(results[0].passes).toBe(2);
    expectAgrees(results[0].groups, await numpyFigures('/rows', 16));
    expect(results[0].groups[2].nanCount).toBe(2);
    expect(runLeftoversBeside(file)).toEqual([]);
  }, 300_000);

  it('over every value of 3-D and 4-D inputs, with a given range (one pass)', async () => {
    const stack = [
      await stats({ dataset: '/stack', strategy: 'pool', workers: 2, bins: 8, range: [-100, 5000] }),
      await stats({ dataset: '/stack', strategy: 'shard', workers: 2, blockRows: 4, bins: 8, range: [-100, 5000] }),
    ];
    expect(stack[0].perColumn).toBe(false);
    expect(stack[0].passes).toBe(1);
    expect(JSON.stringify(stack[0].groups)).toBe(JSON.stringify(stack[1].groups));
    expectAgrees(stack[0].groups, await numpyFigures('/stack', 8, [-100, 5000]));
    const cube = await stats({ dataset: '/cube4', strategy: 'inline', workers: 1, bins: 5 });
    expectAgrees(cube.groups, await numpyFigures('/cube4', 5));
  }, 300_000);

  it('an infinite value: figures, but no histogram over [min, max] (numpy refuses it too), until a range is given', async () => {
    const open = await stats({ dataset: '/series', strategy: 'pool', workers: 2 });
    expect(open.groups[0].max).toBe(Infinity);
    expect(open.groups[0].histogram).toBeUndefined();
    expect(open.groups[0].noHistogram).toMatch(/not finite; give one with --range LO HI/);
    const ranged = await stats({ dataset: '/series', strategy: 'pool', workers: 2, bins: 4, range: [-5, 5] });
    expect(ranged.groups[0].histogram?.counts).toEqual((await numpyFigures('/series', 4, [-5, 5]))[0].histogram?.counts);
    // min == max: numpy's range [v - 0.5, v + 0.5].
    const constant = await stats({ dataset: '/constant', strategy: 'inline', workers: 1, bins: 2 });
    expect(constant.groups[0].histogram).toEqual({ edges: [3, 3.5, 4], counts: [0, 100] });
  }, 300_000);
});

describe('the output group', () => {
  it('holds the figures and provenance, read back by h5py; the input is unchanged', async () => {
    const before = await py(`import h5py, hashlib; print(hashlib.sha256(h5py.File(${JSON.stringify(file)}, 'r')['rows'][:].tobytes()).hexdigest())`);
    const result = await runStatistics({ file, dataset: '/rows', strategy: 'pool', workers: 2, bins: 4 }, {}, 'group-test');
    expect(result.output).toBe('/rows_stats');
    const read = JSON.parse(await py(`
import h5py, json, hashlib
f = h5py.File(${JSON.stringify(file)}, 'r')
g = f['rows_stats']
print(json.dumps({'count': g['count'][:].tolist(), 'nan': g['nan_count'][:].tolist(), 'mean': g['mean'][:].tolist(),
  'histogram': g['histogram'][:].tolist(), 'edges': list(g['bin_edges'].shape), 'compute': g.attrs['h5blocks_compute'],
  'complete': int(g.attrs['h5blocks_complete']), 'source': g.attrs['h5blocks_source'],
  'rows': hashlib.sha256(f['rows'][:].tobytes()).hexdigest()}))
`)) as Record<string, unknown>;
    expect(read.count).toEqual(result.groups.map((g) => g.count));
    expect(read.nan).toEqual([0, 1, 2]);
    expect(read.mean).toEqual(result.groups.map((g) => g.mean));
    expect(read.histogram).toEqual(result.groups.map((g) => g.histogram?.counts));
    expect(read.edges).toEqual([3, 5]);
    expect(read.compute).toBe('stats');
    expect(read.complete).toBe(1);
    expect(read.source).toBe('/rows');
    expect(`${read.rows}\n`).toBe(before);
  }, 120_000);

  it('is not replaced without --overwrite; --overwrite replaces only a statistics group; vds is refused', async () => {
    const refused = async (promise: Promise<unknown>) => promise.then(() => { throw new Error('not refused'); }, (error: H5BlocksError) => error);
    await runStatistics({ file, dataset: '/stack', strategy: 'inline', workers: 1, output: '/again' }, {}, 'again-1');
    const exists = await refused(runStatistics({ file, dataset: '/stack', strategy: 'inline', workers: 1, output: '/again' }, {}, 'again-2'));
    expect(exists.code).toBe('output-exists');
    const replaced = await runStatistics({ file, dataset: '/stack', strategy: 'inline', workers: 1, output: '/again', overwrite: true, bins: 3 }, {}, 'again-3');
    expect(replaced.groups[0].histogram?.counts).toHaveLength(3);
    const notStats = await refused(runStatistics({ file, dataset: '/stack', strategy: 'inline', workers: 1, output: '/series', overwrite: true }, {}, 'again-4'));
    expect(notStats.message).toMatch(/^stats\.h5: \/series is a dataset .*not a statistics group h5blocks wrote/);
    const vds = await refused(runStatistics({ file, dataset: '/stack', strategy: 'vds', workers: 2 }, {}, 'again-5'));
    expect(vds.code).toBe('invalid-argument');
    expect(vds.message).toMatch(/choose inline, pool, shard or dask/);
  }, 120_000);
});

describe('CLI', () => {
  it('stats prints a table and histograms; --json one object; bad ranges are one line with status 2', async () => {
    const text = await runCli(['stats', file, '--dataset', '/stack', '--bins', '3', '--output', '/cli_stats']);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/stats of \/stack \(shape 30×40×20, u2\) -> \/cli_stats/);
    expect(text.stdout).toMatch(/^all\s+24000\s+0\s+\d+\s+\d+/m);
    expect(text.stdout).toMatch(/histogram: 3 bins over \[\d+, \d+\]: \d+ \d+ \d+/);
    const json = await runCli(['stats', file, '--dataset', '/rows', '--range', '-3', '3', '--bins', '6', '--json', '--output', '/cli_json']);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as StatsResult;
    expect(parsed.groups).toHaveLength(3);
    expect(parsed.groups[0].histogram?.edges).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const bad = await runCli(['stats', file, '--dataset', '/rows', '--range', '5', '1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--range takes two finite numbers LO HI with LO < HI, not "5 1"/);
  }, 120_000);

  it('kernels lists every computation with what it accepts', async () => {
    const result = await runCli(['kernels']);
    expect(result.status).toBe(0);
    for (const name of ['norm', 'l1', 'maxabs', 'sum', 'mean', 'min', 'max', 'std', 'nan-count', 'stats']) {
      expect(result.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(result.stdout).toMatch(/accepts: any float dataset of rank ≥ 1 \(integers hold no NaN\)/);
  });

  it('run --compute sum on a 3-D stack writes one value per frame, equal to numpy', async () => {
    const result = await runCli(['run', file, '--dataset', '/stack', '--compute', 'sum', '--strategy', 'shard', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ compute: 'sum', output: '/stack_sum', rows: 30, outputDtype: 'float64' });
    const same = await py(`import h5py, numpy as np; f = h5py.File(${JSON.stringify(file)}, 'r'); print(np.array_equal(f['stack_sum'][:], f['stack'][:].astype(np.float64).sum(axis=(1, 2))))`);
    expect(same.trim()).toBe('True');
  }, 120_000);
});
