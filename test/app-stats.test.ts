// The app's service: a kernel chosen in the Run tab reaches the engine, runs
// are compared like with like (same kernel), and computeStats writes the
// statistics group the tree then shows, refusing bad arguments in one line.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenFile, RunEvent, RunRecord } from '../src/shared/api';
import type { StatsResult } from '../src/shared/stats';
import { dispatchCall } from '../src/main/app/dispatch';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

let service: AppService;
let coords: OpenFile;
const finished = new Map<string, RunEvent>();

beforeAll(async () => {
  const folder = makeTempFolder('app-stats');
  copyCorpus('coords_1k.h5', folder);
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-stats-userdata') });
  service.subscribe((event, payload) => {
    const run = payload as RunEvent;
    if (event === 'run' && run.type === 'finished') finished.set(run.result.id, run);
    if (event === 'run' && run.type === 'failed') finished.set(run.runId, run);
  });
  coords = await service.openPath(join(folder, 'coords_1k.h5'));
});

afterAll(async () => {
  await service.dispose();
  await closeWorkerPools();
  removeTempFolders();
});

async function runToEnd(params: Parameters<AppService['startRun']>[0]): Promise<RunRecord> {
  const { runId } = await service.startRun(params);
  for (let waited = 0; !finished.has(runId) && waited < 120_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const end = finished.get(runId);
  if (end?.type !== 'finished') throw new Error(`run ${runId} did not finish: ${JSON.stringify(end)}`);
  return end.result;
}

describe('kernels in the app', () => {
  it('a run with a kernel writes its output and is compared only with runs of the same kernel', async () => {
    const norm = await runToEnd({ fileId: coords.id, dataset: '/coords', strategy: 'inline', workers: 1 });
    expect(norm.compute).toBe('norm');
    const sumInline = await runToEnd({ fileId: coords.id, dataset: '/coords', compute: 'sum', strategy: 'inline', workers: 1, output: '/coords_sum' });
    expect(sumInline.compute).toBe('sum');
    expect(sumInline.output).toBe('/coords_sum');
    // The only sum run so far: nothing of its kind to compare with (the norm run is another computation).
    expect(sumInline.matchesOthers).toBeNull();
    const sumPool = await runToEnd({ fileId: coords.id, dataset: '/coords', compute: 'sum', strategy: 'pool', workers: 2, output: '/coords_sum', overwrite: true });
    expect(sumPool.matchesOthers).toBe(true);
    expect((await service.getEntity(coords.id, '/coords_sum')).kind).toBe('dataset');
  }, 180_000);

  it('computeStats writes the statistics group and returns the figures; bad arguments are refused in one line', async () => {
    const outcome = await dispatchCall(service, 'computeStats', [{ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 2, bins: 5 }]);
    expect(outcome.ok).toBe(true);
    const result = (outcome as { result: StatsResult }).result;
    expect(result.groups.map((g) => g.count)).toEqual([1000, 1000]);
    expect(result.groups[0].histogram?.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect((await service.getEntity(coords.id, '/coords_stats')).kind).toBe('group');
    const again = await dispatchCall(service, 'computeStats', [{ fileId: coords.id, dataset: '/coords', strategy: 'inline', workers: 1, bins: 5, overwrite: true }]);
    expect(again.ok).toBe(true);
    expect(JSON.stringify((again as { result: StatsResult }).result.groups)).toBe(JSON.stringify(result.groups));
    const vds = await dispatchCall(service, 'computeStats', [{ fileId: coords.id, dataset: '/coords', strategy: 'vds', workers: 2 }]);
    expect(vds.ok).toBe(false);
    const range = await dispatchCall(service, 'computeStats', [{ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 2, range: [3, 1] }]);
    expect(range.ok).toBe(false);
    expect(JSON.stringify(range)).toMatch(/two finite numbers LO < HI/);
  }, 180_000);
});
