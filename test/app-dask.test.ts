// The Dask strategy through the app's API (as Electron and `h5blocks serve`
// call it): a local-cluster run streams progress and lands in the history
// beside pool as bit-identical, its script can be exported, a cancel stops it,
// and a scheduler that is not an address never reaches the engine.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, OpenFile, RunEvent } from '../src/shared/api';
import { dispatchCall } from '../src/main/app/dispatch';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { writeSample } from '../src/main/cli/sample';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { systemPython } from './support/paths';

let folder: string;
let service: AppService;
let coords: OpenFile;
const events: RunEvent[] = [];
const previousPython = process.env.H5BLOCKS_PYTHON;

function runEnd(runId: string): Promise<RunEvent> {
  return new Promise((resolveEnd) => {
    const check = () => {
      const end = events.find((e) => (e.type === 'finished' && e.result.id === runId) || (e.type === 'failed' && e.runId === runId));
      if (end) resolveEnd(end);
      else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(async () => {
  // The app takes its Python from the environment only: the renderer never names a program.
  process.env.H5BLOCKS_PYTHON = systemPython;
  folder = makeTempFolder('app-dask');
  copyCorpus('coords_1k.h5', folder);
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-dask-userdata') });
  service.subscribe((event: keyof ApiEvents, payload: unknown) => {
    if (event === 'run') events.push(payload as RunEvent);
  });
  coords = await service.openPath(join(folder, 'coords_1k.h5'));
});

afterAll(async () => {
  await service.dispose();
  await closeWorkerPools();
  removeTempFolders();
  if (previousPython === undefined) delete process.env.H5BLOCKS_PYTHON;
  else process.env.H5BLOCKS_PYTHON = previousPython;
});

describe('a Dask run from the app', () => {
  it('on a local cluster: progress streams, the record says bit-identical to pool, lanes are Dask workers', async () => {
    const pool = await service.startRun({ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 200, output: 'pool_norms' });
    expect((await runEnd(pool.runId)).type).toBe('finished');
    const outcome = await dispatchCall(service, 'startRun', [{ fileId: coords.id, dataset: '/coords', strategy: 'dask', workers: 2, blockRows: 200, output: 'dask_norms' }]);
    if (!outcome.ok) throw new Error(outcome.error.message);
    const { runId } = outcome.result as { runId: string };
    const end = await runEnd(runId);
    if (end.type !== 'finished') throw new Error(end.type === 'failed' ? end.error.message : 'no end');
    expect(end.result).toMatchObject({ strategy: 'dask', scheduler: 'local', matchesPool: true, matchesOthers: true });
    const progress = events.filter((e) => e.type === 'progress' && e.progress.runId === runId).map((e) => (e as Extract<RunEvent, { type: 'progress' }>).progress);
    expect(progress.map((p) => p.blocksDone)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.slice(0, -1).every((p) => p.etaMs !== null && p.etaMs >= 0)).toBe(true);
    const lanes = new Set(end.result.blocks.flatMap((b) => b.phases.filter((p) => p.phase === 'read').map((p) => p.lane)));
    for (const lane of lanes) expect(String(lane)).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);

    const script = await dispatchCall(service, 'exportScript', [runId]);
    if (!script.ok) throw new Error(script.error.message);
    const { fileName, text } = script.result as { fileName: string; text: string };
    expect(fileName).toBe(`h5blocks-dask-${runId}.py`);
    expect(text).toMatch(/^#!\/usr\/bin\/env python3/);
    const planLine = /^PLAN = __import__\('json'\)\.loads\((".*")\)$/m.exec(text);
    expect(JSON.parse(JSON.parse(planLine![1]) as string)).toMatchObject({
      runId, file: join(folder, 'coords_1k.h5'), dataset: '/coords', output: '/dask_norms', kind: 'f4', rows: 1000, blockRows: 200, workers: 2,
    });
    expect(text).toContain('from distributed import Client, LocalCluster');
  });

  it('cancelled from the app: a failed event saying cancelled, the file as it was, no shard left', async () => {
    const big = join(folder, 'big.h5');
    await writeSample(big, { rows: 1_000_000, chunked: true, gzip: true });
    const file = await service.openPath(big);
    const before = sha256File(big);
    const { runId } = await service.startRun({ fileId: file.id, dataset: '/coords', strategy: 'dask', workers: 2, blockRows: 8192 });
    await new Promise<void>((resolveFirst) => {
      const check = () => (events.some((e) => e.type === 'progress' && e.progress.runId === runId) ? resolveFirst() : setTimeout(check, 20));
      check();
    });
    await service.cancelRun(runId);
    const end = await runEnd(runId);
    expect(end.type === 'failed' && end.error.code).toBe('aborted');
    expect(sha256File(big)).toBe(before);
    expect(readdirSync(folder).filter((entry) => entry.endsWith('.h5blocks-shards'))).toEqual([]);
    expect(runLeftoversBeside(big)).toEqual([]);
  });

  it('a scheduler that is not an address, or an unknown run to export, is refused in one line', async () => {
    const bad = await dispatchCall(service, 'startRun', [{ fileId: coords.id, dataset: '/coords', strategy: 'dask', workers: 2, scheduler: 'rm -rf /' }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/scheduler must be a Dask scheduler address/) });
    const unknown = await dispatchCall(service, 'exportScript', ['no-such-run']);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error).toMatchObject({ code: 'not-found', message: 'no run has the id "no-such-run"' });
  });
});
