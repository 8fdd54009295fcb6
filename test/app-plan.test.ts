// planRuns: the block rows (and workers) a configuration leaves to the run,
// as the engine will choose them, so the Run tab and the run matrix name them
// before a run. Checked against what real runs of the service record.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunRecord } from '../src/shared/api';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { writeSample } from '../src/main/cli/sample';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { makeTempFolder, removeTempFolders } from './support/files';

let service: AppService;
let fileId: string;

beforeAll(async () => {
  const folder = makeTempFolder('app-plan');
  // Large enough that the default differs by strategy (pool on uncompressed data takes smaller blocks).
  await writeSample(join(folder, 'big.h5'), { rows: 2_000_000, chunked: false, gzip: false });
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-plan-userdata') });
  fileId = (await service.openPath(join(folder, 'big.h5'))).id;
}, 120_000);

afterAll(async () => {
  await service?.dispose();
  await closeWorkerPools();
  removeTempFolders();
});

function finished(runId: string): Promise<RunRecord> {
  return new Promise((resolve, reject) => {
    const unsubscribe = service.subscribe((event, payload) => {
      const run = payload as RunEvent;
      if (event !== 'run' || run.type === 'progress') return;
      if (run.type === 'finished' && run.result.id === runId) {
        unsubscribe();
        resolve(run.result);
      } else if (run.type === 'failed' && run.runId === runId) {
        unsubscribe();
        reject(new Error(run.error.message));
      }
    });
  });
}

describe('planRuns', () => {
  it('names the block rows each configuration\'s run then uses', async () => {
    const choices = [{ strategy: 'inline' as const }, { strategy: 'pool' as const, workers: 2 }, { strategy: 'pool' as const, workers: 2, blockRows: 300_000 }];
    const plans = await service.planRuns(fileId, '/coords', choices);
    expect(plans.map((p) => p.strategy)).toEqual(['inline', 'pool', 'pool']);
    expect(plans[2].blockRows).toBe(300_000);
    expect(plans[2].blocks).toBe(7);
    for (const [i, choice] of choices.entries()) {
      const { runId } = await service.startRun({ fileId, dataset: '/coords', strategy: choice.strategy, workers: choice.workers ?? 1, blockRows: choice.blockRows, output: `/out${i}` });
      const record = await finished(runId);
      expect(record.blockRows).toBe(plans[i].blockRows);
      expect(record.blocks).toHaveLength(plans[i].blocks);
    }
    // Not one number for every strategy: the defaults differ, which is why they are named.
    expect(plans[0].blockRows).not.toBe(plans[1].blockRows);
  }, 240_000);

  it('refuses an object that is not a dataset with rows, in one line', async () => {
    await expect(service.planRuns(fileId, '/', [{ strategy: 'inline' }])).rejects.toThrow(/is not a dataset with rows to run on/);
  });
});
