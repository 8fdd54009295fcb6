// A decode that never returns (a damaged bzip2 chunk) and an Emscripten abort must
// not freeze or kill the app: Cancel and SIGTERM stop it at once (long before the
// stall limit would), the file is unchanged, nothing is left behind, and other
// files go on working. The bounds are generous so a busy machine passes: what is
// asserted is that the signal or Cancel ends the run, not how fast the machine is.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/shared/api';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { abortingBzip2File, hangingBzip2File, hangingShardBzip2File } from './support/damagedFiles';
import { lines } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, scratchFoldersIn, sha256File } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { rejection } from './support/rejection';
import { tmpdir } from 'node:os';

let folder: string;
let hanging: string;
let service: AppService;

beforeAll(() => {
  // These cases test the last guards (Cancel, signals, the stall limit) on a decode that never returns:
  // the decode budget, which would end it first (test/hdf5-decode-budget.test.ts), is turned off here.
  process.env.H5BLOCKS_DECODE_BUDGET_MS = '0';
  folder = makeTempFolder('hang');
  hanging = hangingBzip2File(folder);
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('hang-user') });
});

afterAll(async () => {
  delete process.env.H5BLOCKS_DECODE_BUDGET_MS;
  await service.dispose();
  removeTempFolders();
});

function runEnd(runId: string): Promise<RunEvent> {
  return new Promise((resolve) => {
    const unsubscribe = service.subscribe((event, payload) => {
      const run = payload as RunEvent;
      if (event === 'run' && run.type !== 'progress' && (run.type === 'finished' ? run.result.id : run.runId) === runId) {
        unsubscribe();
        resolve(run);
      }
    });
  });
}

/** Far below the default stall limit (60 s), far above what stopping takes on an idle machine (well under a second). */
const PROMPTLY_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a decode that never returns', () => {
  // (A shard run reads the blocks in separate workers; on this file one of them aborts
  // on a damaged chunk first, so the run fails by itself: covered by the fuzz suite.)
  const stops = [['inline', 'SIGTERM'], ['pool', 'SIGTERM'], ['inline', 'SIGINT']] as const;
  for (const [strategy, stopSignal] of stops) {
    it(`${stopSignal} stops a ${strategy} run of the CLI promptly, with one line and nothing left behind`, async () => {
      const before = sha256File(hanging);
      const child = spawn(process.execPath, [cliScript, 'run', hanging, '--dataset', '/DS1', '--strategy', strategy], {
        cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal })));
      // Long enough to be inside the decode (start-up takes well under a second here).
      await sleep(3000);
      const sent = Date.now();
      child.kill(stopSignal);
      const { code, signal } = await closed;
      // The default stall limit is a minute: ending well before it means the signal ended the run.
      expect(Date.now() - sent).toBeLessThan(PROMPTLY_MS);
      expect(signal).toBeNull();
      expect(code).toBe(1);
      expect(lines(stderr)).toHaveLength(1);
      expect(stderr).toMatch(/unchanged/);
      expect(sha256File(hanging)).toBe(before);
      expect(runLeftoversBeside(hanging)).toEqual([]);
    });
  }

  it('Cancel stops the run promptly; the next request to another file succeeds', async () => {
    const before = sha256File(hanging);
    const stuck = await service.openPath(hanging);
    const other = await service.openPath(copyCorpus('coords_1k.h5', folder));
    const { runId } = await service.startRun({ fileId: stuck.id, dataset: '/DS1', strategy: 'inline', workers: 1 });
    const ended = runEnd(runId);
    await sleep(2500);
    const cancelled = Date.now();
    await service.cancelRun(runId);
    const end = await ended;
    expect(Date.now() - cancelled).toBeLessThan(PROMPTLY_MS);
    expect(end.type).toBe('failed');
    if (end.type === 'failed') expect(end.error.code).toBe('aborted');
    expect(sha256File(hanging)).toBe(before);
    expect(runLeftoversBeside(hanging)).toEqual([]);
    expect(scratchFoldersIn(tmpdir(), runId)).toEqual([]);

    const slice = await service.getValue(other.id, '/coords', [[0, 2], [0, 2]]);
    expect(slice.values).toHaveLength(4);
    const next = await service.startRun({ fileId: other.id, dataset: '/coords', strategy: 'pool', workers: 2 });
    expect((await runEnd(next.runId)).type).toBe('finished');
  });

  it('a stuck read is abandoned after the stall limit while other files answer meanwhile', async () => {
    process.env.H5BLOCKS_STALL_LIMIT_MS = '10000';
    try {
      const stuck = await service.openPath(hanging);
      const other = await service.openPath(copyCorpus('coords_1k.h5', folder, 'other.h5'));
      let abandoned = false;
      const read = rejection(service.getValue(stuck.id, '/DS1', [[0, 32], [0, 64]]).finally(() => { abandoned = true; }));
      await sleep(500);
      // Another file's thread is not behind the stuck one: it answers while the stuck read is still waiting.
      expect((await service.getValue(other.id, '/coords', [[0, 1], [0, 2]])).values).toHaveLength(2);
      expect(abandoned).toBe(false);
      const error = await read;
      expect(error.message).toMatch(/hanging_bzip2\.h5: \/DS1: HDF5 made no progress for 10 s/);
      // The file's thread was replaced: its tree still answers.
      expect((await service.getEntity(stuck.id, '/DS1')).kind).toBe('dataset');
    } finally {
      delete process.env.H5BLOCKS_STALL_LIMIT_MS;
    }
  });
});

describe('a shard worker stuck in a decode', () => {
  // The shard workers open the file themselves: the stuck decode is in a pool
  // worker, whose thread cannot send a heartbeat, so the stall limit watches blocks finishing.
  const STUCK = /^hanging_shard_bzip2\.h5: \/DS1: block 2 of 4 \(rows 8\.\.16\): HDF5 made no progress for 2 s \(.*\); h5blocks stopped it, the file is unchanged$/;

  it('fails the CLI run after the stall limit with one line naming the file and block, nothing left behind', async () => {
    const stuck = hangingShardBzip2File(folder);
    const before = sha256File(stuck);
    const started = Date.now();
    const child = spawn(process.execPath, [cliScript, 'run', stuck, '--dataset', '/DS1', '--strategy', 'shard', '--workers', '2'], {
      cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, H5BLOCKS_STALL_LIMIT_MS: '2000' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal })));
    // The limit, plus start-up and the time the other blocks take: far from the default minute.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(lines(stderr)).toHaveLength(1);
    expect(lines(stderr)[0]).toMatch(new RegExp(`^h5blocks: ${STUCK.source.slice(1)}`));
    expect(sha256File(stuck)).toBe(before);
    expect(runLeftoversBeside(stuck)).toEqual([]);
  });

  it('fails a run of the app after the stall limit with the same line; the next run succeeds', async () => {
    process.env.H5BLOCKS_STALL_LIMIT_MS = '2000';
    try {
      const path = hangingShardBzip2File(folder, 'hanging_shard_bzip2.h5');
      const before = sha256File(path);
      const stuck = await service.openPath(path);
      const { runId } = await service.startRun({ fileId: stuck.id, dataset: '/DS1', strategy: 'shard', workers: 2 });
      const end = await runEnd(runId);
      expect(end.type).toBe('failed');
      if (end.type === 'failed') {
        expect(end.error.message).toMatch(STUCK);
        expect(end.error.message).not.toMatch(/\n/);
      }
      expect(sha256File(path)).toBe(before);
      expect(runLeftoversBeside(path)).toEqual([]);
      expect(scratchFoldersIn(tmpdir(), runId)).toEqual([]);

      const other = await service.openPath(copyCorpus('coords_1k.h5', folder, 'after-shard.h5'));
      const next = await service.startRun({ fileId: other.id, dataset: '/coords', strategy: 'shard', workers: 2 });
      expect((await runEnd(next.runId)).type).toBe('finished');
    } finally {
      delete process.env.H5BLOCKS_STALL_LIMIT_MS;
    }
  });
});

describe('an Emscripten abort', () => {
  it('fails one request in one clear line and takes no other file down', async () => {
    const aborting = await service.openPath(abortingBzip2File(folder));
    const other = await service.openPath(copyCorpus('coords_1k.h5', folder, 'bystander.h5'));
    expect((await service.getValue(other.id, '/coords', [[0, 1], [0, 2]])).values).toHaveLength(2);
    const error = await rejection(service.getValue(aborting.id, '/DS1', [[0, 32], [0, 64]]));
    expect(error.message).toBe('aborting_bzip2.h5: /DS1: cannot read values: a compressed chunk is damaged (bzip2)');
    expect(error.detail).toMatch(/Aborted\(/);
    expect((await service.getValue(other.id, '/coords', [[0, 1], [0, 2]])).values).toHaveLength(2);
    // A fresh thread serves the damaged file again.
    expect((await service.getEntity(aborting.id, '/DS1')).kind).toBe('dataset');
  });
});
