// The Timeline of a run while it goes, in Chromium over `h5blocks serve`: a
// 20 M-row pool run lasts a few seconds, and while it is still running the
// Timeline shows every worker's lane, phases under way drawn on them (worker
// start-up, reading, computing), a clock that ticks, and in words what happens.
// Everything is checked on what the page shows while the run's status is
// "running", not on how fast it appears.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { startServedApp, treeNode, type ServedApp } from './support/servedApp';

const ROWS = 20_000_000;
let app: ServedApp;
let page: Page;

beforeAll(async () => {
  const file = join(makeTempFolder('e2e-live-timeline'), 'big.h5');
  // Gzip-compressed chunks of a pattern that compresses well: a small file whose run decompresses 160 MB in the workers.
  execFileSync(systemPython, ['-c', `
import h5py, numpy as np, sys
rows = int(sys.argv[2])
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('coords', shape=(rows, 2), dtype='<f4', chunks=(65536, 2), compression='gzip', compression_opts=1, shuffle=True)
    step = 1 << 21
    for start in range(0, rows, step):
        i = np.arange(start, min(rows, start + step), dtype=np.int64)
        d[start:start + len(i)] = np.stack([(i % 4096) * 0.25, (i % 1000) * 0.5], axis=1).astype('<f4')
`, file, String(ROWS)], { timeout: 300_000 });
  app = await startServedApp([file], { width: 1280, height: 800 });
  page = app.page;
  await treeNode(page, '/coords').waitFor({ timeout: 30_000 });
}, 360_000);

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

interface Sample { status: string | null; lanes: string | null; active: string | null; clock: string | null; stage: string | null }

describe('the live Timeline of a 20 M-row run', () => {
  it('shows every worker\'s lane, phases under way, a ticking clock and what happens, while the run is still running', async () => {
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Run', exact: true }).click();
    await page.getByLabel('pool', { exact: true }).check();
    await page.getByLabel('Workers').fill('2');
    await page.getByTestId('run-button').click();
    await page.getByRole('tab', { name: 'Timeline', exact: true }).click();

    const runTab = page.getByRole('tab', { name: 'Run', exact: true });
    const chart = page.getByTestId('timeline-chart');
    const running: Sample[] = [];
    const sample = async (): Promise<Sample> => ({
      status: await runTab.getAttribute('data-run-status'),
      lanes: await chart.getAttribute('data-lanes').catch(() => null),
      active: await chart.getAttribute('data-active').catch(() => null),
      clock: await page.getByTestId('timeline-clock').locator('.stat-value').textContent().catch(() => null),
      stage: await page.getByTestId('timeline-live-stage').textContent().catch(() => null),
    });
    // Samples taken while the run is still running; the run ends by itself (a generous bound for a busy machine).
    await expect.poll(async () => {
      const now = await sample();
      if (now.status === 'running') running.push(now);
      return now.status;
    }, { timeout: 240_000, interval: 100 }).toBe('finished');

    expect(running.length).toBeGreaterThan(0);
    // Every worker's lane, while running.
    expect(running.some((s) => s.lanes === 'main,worker 1,worker 2')).toBe(true);
    // Phases drawn while under way, on the workers' lanes (start-up, reading stored chunks, computing).
    const workerPhases = new Set(running.flatMap((s) => (s.active ?? '').split(',').filter((a) => a.startsWith('worker')).map((a) => a.split(':')[1])));
    expect([...workerPhases].some((phase) => ['start', 'read', 'compute'].includes(phase))).toBe(true);
    // A clock that ticks: distinct, non-zero readings while running.
    const clocks = new Set(running.map((s) => s.clock).filter((c): c is string => c !== null && c !== '0 µs' && !/^0(\.0+)? /.test(c)));
    expect(clocks.size).toBeGreaterThanOrEqual(2);
    // What happens, in words (which stage a sample catches depends on the machine's speed: any of them says what happens).
    const stageWords = /^(starting \d+ workers?( for [\d,]+ blocks?)?…|reading blocks? [\d, ]+ of [\d,]+…|computing blocks? [\d, ]+ of [\d,]+…|opening the file and preparing the output…|[\d,]+ of [\d,]+ blocks done|all blocks written; committing the file…)/;
    expect(running.filter((s) => stageWords.test(s.stage ?? ''))).not.toEqual([]);

    // The finished run: its record, with every block.
    await expect.poll(() => page.getByTestId('timeline-live-stage').count(), { timeout: 30_000 }).toBe(0);
    expect(app.pageErrors).toEqual([]);
  }, 420_000);
});
