// The Dask strategy against a real cluster on 127.0.0.1 (a scheduler and two
// single-threaded workers): the seed scenario and a 1 M-row gzip file give the
// pool strategy's bytes, the timing has one lane per Dask worker, no shard is
// left, and a killed worker or a cancel leave the file as it was.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../src/main/cli/sample';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import type { RunProgress, RunRequest, RunResult } from '../src/shared/run';
import { runCli } from './support/cli';
import { startDaskCluster, type DaskCluster } from './support/daskCluster';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256Bytes, sha256File } from './support/files';
import { systemPython } from './support/paths';
import { readOutputs } from './support/reference';

const execFileAsync = promisify(execFile);

let folder: string;
let cluster: DaskCluster;
let bigFile: string;
let seedRuns: Awaited<ReturnType<typeof poolAndDask>> | undefined;
let bigPoolBytes: Uint8Array | undefined;

beforeAll(async () => {
  folder = makeTempFolder('dask');
  // No retry after a lost worker, so that killing one makes its block fail (see the failure test).
  cluster = await startDaskCluster({ DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES: '0' });
  bigFile = join(folder, 'big_gzip.h5');
  await writeSample(bigFile, { rows: 1_000_000, chunked: true, gzip: true });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await closeWorkerPools();
  removeTempFolders();
});

function daskRequest(file: string, blockRows: number): RunRequest {
  // One worker asked for: with a scheduler the cluster's own workers run the blocks, and the result says how many.
  return { file, dataset: '/coords', strategy: 'dask', workers: 1, blockRows, scheduler: cluster.address, python: systemPython };
}

/** What a Dask run leaves beside the file: its shard folder (`.NAME.RUNID.h5blocks-shards`). */
function shardFoldersBeside(file: string): string[] {
  return readdirSync(dirname(file)).filter((entry) => entry.endsWith('.h5blocks-shards'));
}

function lanesOf(result: RunResult): Set<string | number> {
  return new Set(result.blocks.flatMap((block) => block.phases.map((phase) => phase.lane)));
}

async function poolAndDask(source: string, blockRows: number, label: string): Promise<{ pool: RunResult; dask: RunResult; poolFile: string; daskFile: string }> {
  const poolFile = copyFile(source, folder, `${label}_pool.h5`);
  const daskFile = copyFile(source, folder, `${label}_dask.h5`);
  const pool = await runComputation({ file: poolFile, dataset: '/coords', strategy: 'pool', workers: 2, blockRows });
  const dask = await runComputation(daskRequest(daskFile, blockRows));
  return { pool, dask, poolFile, daskFile };
}

describe('coords_1k.h5 in 200-row blocks on a two-worker cluster', () => {
  let runs: Awaited<ReturnType<typeof poolAndDask>>;
  let workers: string[];

  beforeAll(async () => {
    workers = Object.keys(await cluster.workerPids());
    runs = await poolAndDask(copyCorpus('coords_1k.h5', folder), 200, 'seed');
    seedRuns = runs;
  });

  it('writes the same /distances bytes as pool, and says so with the same SHA-256', async () => {
    const { pool, dask, poolFile, daskFile } = runs;
    const poolOut = (await readOutputs(poolFile, join(folder, 'seed-read-pool'), ['/distances'])).get('/distances')!;
    const daskOut = (await readOutputs(daskFile, join(folder, 'seed-read-dask'), ['/distances'])).get('/distances')!;
    expect(daskOut.dtype).toBe('<f4');
    expect(daskOut.shape).toEqual([1000]);
    expect(Buffer.from(daskOut.bytes).equals(Buffer.from(poolOut.bytes))).toBe(true);
    expect(dask.outputSha256).toBe(pool.outputSha256);
    expect(sha256Bytes(daskOut.bytes)).toBe(dask.outputSha256);
    expect(dask).toMatchObject({ strategy: 'dask', rows: 1000, blockRows: 200, scheduler: cluster.address, workers: workers.length });
    expect(daskOut.attributes).toMatchObject({ h5blocks_strategy: 'dask', h5blocks_scheduler: cluster.address, h5blocks_complete: 1 });
  });

  it('times each block on the Dask worker that ran it: read, compute, shard-write there, then merge on main', () => {
    expect(runs.dask.blocks).toHaveLength(5);
    for (const block of runs.dask.blocks) {
      expect(block.phases.map((p) => p.phase)).toEqual(['read', 'compute', 'shard-write', 'merge']);
      const [read, compute, write, merge] = block.phases;
      expect(workers).toContain(read.lane);
      expect(compute.lane).toBe(read.lane);
      expect(write.lane).toBe(read.lane);
      expect(merge.lane).toBe('main');
      // One clock: a block is read after the run started, and merged after its shard was written.
      expect(read.start).toBeGreaterThanOrEqual(0);
      expect(read.start).toBeLessThanOrEqual(read.end);
      expect(compute.end).toBeLessThanOrEqual(write.end);
      expect(merge.start).toBeGreaterThanOrEqual(write.end - 1);
    }
    const lanes = runs.dask.summary.lanes.map((l) => l.lane);
    expect(lanes[0]).toBe('main');
    expect(lanes.slice(1).every((lane) => workers.includes(lane as string))).toBe(true);
  });

  it('leaves no shard folder, staged copy or lock file beside the file', () => {
    expect(shardFoldersBeside(runs.daskFile)).toEqual([]);
    expect(runLeftoversBeside(runs.daskFile)).toEqual([]);
  });
});

describe('a 1 M-row chunked gzip file', () => {
  it('gives the pool strategy\'s bytes, with blocks on both Dask workers and nothing left over', async () => {
    const workers = Object.keys(await cluster.workerPids()).sort();
    const { pool, dask, poolFile, daskFile } = await poolAndDask(bigFile, 65_536, 'big');
    expect(dask.blocks).toHaveLength(16);
    expect(dask.outputSha256).toBe(pool.outputSha256);
    const daskOut = (await readOutputs(daskFile, join(folder, 'big-read-dask'), ['/distances'])).get('/distances')!;
    const poolOut = (await readOutputs(poolFile, join(folder, 'big-read-pool'), ['/distances'])).get('/distances')!;
    bigPoolBytes = poolOut.bytes;
    expect(Buffer.from(daskOut.bytes).equals(Buffer.from(poolOut.bytes))).toBe(true);
    const daskLanes = [...lanesOf(dask)].filter((lane) => lane !== 'main').sort();
    expect(daskLanes).toEqual(workers);
    expect(shardFoldersBeside(daskFile)).toEqual([]);
    expect(runLeftoversBeside(daskFile)).toEqual([]);
  });
});

describe('the exported script, run with python3, gives the same output', () => {
  async function runScript(script: string, file: string): Promise<Uint8Array> {
    const { stdout } = await execFileAsync(systemPython, [script, '--file', file], { timeout: 120_000 });
    expect(stdout).toMatch(/-> \/distances/);
    const output = (await readOutputs(file, join(folder, `script-read-${basename(file)}`), ['/distances'])).get('/distances')!;
    expect(output.attributes).toMatchObject({ h5blocks_source: '/coords', h5blocks_block_rows: expect.any(Number), h5blocks_complete: 1 });
    expect(shardFoldersBeside(file)).toEqual([]);
    return output.bytes;
  }

  it('export-script of the seed run, on the same cluster, writes the pool strategy\'s bytes', async () => {
    const runs = seedRuns!;
    const runJson = join(folder, 'seed-run.json');
    writeFileSync(runJson, JSON.stringify(runs.dask));
    const script = join(folder, 'seed-script.py');
    const exported = await runCli(['export-script', runJson, '--output', script]);
    expect(exported.stderr).toBe('');
    expect(readFileSync(script, 'utf8')).toContain(cluster.address);
    const fresh = copyCorpus('coords_1k.h5', folder, 'seed_script.h5');
    const bytes = await runScript(script, fresh);
    const pool = (await readOutputs(runs.poolFile, join(folder, 'seed-script-pool'), ['/distances'])).get('/distances')!;
    expect(Buffer.from(bytes).equals(Buffer.from(pool.bytes))).toBe(true);
  });

  it('run --dry-run on the 1 M-row gzip file prints a script that writes the pool strategy\'s bytes', async () => {
    const planned = await runCli(['run', bigFile, '--dataset', '/coords', '--strategy', 'dask', '--scheduler', cluster.address, '--block-rows', '65536', '--dry-run']);
    expect(planned.stderr).toBe('');
    expect(planned.status).toBe(0);
    const script = join(folder, 'big-script.py');
    writeFileSync(script, planned.stdout);
    const fresh = copyFile(bigFile, folder, 'big_script.h5');
    const bytes = await runScript(script, fresh);
    expect(Buffer.from(bytes).equals(Buffer.from(bigPoolBytes!))).toBe(true);
  });
});

describe('when a run stops early', () => {
  async function stoppedRun(label: string, onFirstBlock: (controller: AbortController) => Promise<void>): Promise<{ error: unknown; file: string; before: string; progress: RunProgress[] }> {
    const file = copyFile(bigFile, folder, `${label}.h5`);
    const before = sha256File(file);
    const controller = new AbortController();
    const progress: RunProgress[] = [];
    let reacted: Promise<void> | undefined;
    const error = await runComputation(daskRequest(file, 8192), {
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        reacted ??= onFirstBlock(controller);
      },
    }).then(() => undefined, (e: unknown) => e);
    await reacted;
    return { error, file, before, progress };
  }

  it('cancel: the run says cancelled, the futures are gone from the scheduler, and no shard or partial output remains', async () => {
    const { error, file, before, progress } = await stoppedRun('cancelled', async (controller) => controller.abort());
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(123);
    expect(error).toBeInstanceOf(H5BlocksError);
    expect((error as H5BlocksError).code).toBe('aborted');
    expect(sha256File(file)).toBe(before);
    expect(shardFoldersBeside(file)).toEqual([]);
    expect(runLeftoversBeside(file)).toEqual([]);
    let tasks = await cluster.schedulerTasks();
    for (let i = 0; i < 20 && tasks > 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      tasks = await cluster.schedulerTasks();
    }
    expect(tasks).toBe(0);
  });

  it('a Dask worker killed mid-run: one line naming the file and the lost block, the file unchanged, no shard left', async () => {
    const pids = await cluster.workerPids();
    const victim = Object.values(pids)[0];
    const { error, file, before } = await stoppedRun('killed', async () => {
      process.kill(victim, 'SIGKILL');
    });
    expect(error).toBeInstanceOf(H5BlocksError);
    const { code, message } = error as H5BlocksError;
    expect(code).toBe('cluster');
    expect(message).toMatch(/^killed\.h5: \/coords: dask: block \d+ \(rows \d+-\d+\): the Dask worker running it died/);
    expect(message).not.toMatch(/\n/);
    expect(sha256File(file)).toBe(before);
    expect(existsSync(file)).toBe(true);
    expect(shardFoldersBeside(file)).toEqual([]);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});
