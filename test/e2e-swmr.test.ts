// The served app following a file Debian's h5py is appending to in SWMR mode,
// in Chromium: the explorer marks the file, the inspector's and the Data tab's
// Live switch are on, the shape and the plot follow the writer, and when the
// writer closes the file the mark goes and Live stops by itself.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { canvasSignature, openFileInSidebar, startServedApp, treeNode, type ServedApp } from './support/servedApp';
import { startSwmrWriter, type SwmrWriter } from './support/swmrWriter';

let app: ServedApp;
let page: Page;
let writer: SwmrWriter;
let oldFormat: string;
const VIEWER = '[data-testid="h5web-viewer"]';

beforeAll(async () => {
  const folder = makeTempFolder('e2e-swmr');
  const file = join(folder, 'growing.h5');
  writer = await startSwmrWriter(file, 20, 0.25);
  oldFormat = copyCorpus('coords_1k.h5', folder, 'old.h5');
  app = await startServedApp([file, oldFormat]);
  page = app.page;
  await openFileInSidebar(page, 'growing.h5');
}, 120_000);

afterAll(async () => {
  if (writer?.child.exitCode === null) writer.child.kill('SIGKILL');
  await app?.close();
  removeTempFolders();
});

/** Distinct values a text takes while polled, until `count` are seen. */
async function distinctValues(read: () => Promise<string | null>, count: number): Promise<string[]> {
  const seen: string[] = [];
  await expect.poll(async () => {
    const value = await read();
    if (value !== null && seen.at(-1) !== value) seen.push(value);
    return seen.length;
  }, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(count);
  return seen;
}

describe('a file an h5py SWMR writer is appending to, in the served app', () => {
  it('is marked in the explorer; the inspector\'s Live switch is on and its shape follows the writer', async () => {
    await expect.poll(() => page.getByTestId('swmr-mark').textContent(), { timeout: 20_000 }).toBe('being written (SWMR)');
    await treeNode(page, '/data').click();
    await page.getByRole('tab', { name: 'Inspect', exact: true }).click();
    const inspector = page.getByTestId('inspector');
    expect(await inspector.getByRole('switch').isChecked()).toBe(true);
    const shapes = await distinctValues(() => inspector.getByTestId('inspector-shape').textContent(), 3);
    const rows = shapes.map((shape) => Number(shape.split('×')[0].replace(/[^\d]/g, '')));
    for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
  }, 120_000);

  // Written against the Data tab's h5web viewer and the run flow that selected a run's output; issue 22's
  // first views (a min/max line, a point scatter) and its run flow that stays on the input replaced both
  // in the same merge. To be rewritten against those views (the Live switch itself is covered above).
  it.skip('the Data tab\'s plot follows the writer while Live is on, and Live stops by itself when the writer closes the file', async () => {
    await page.getByRole('tab', { name: 'Data', exact: true }).click();
    await expect.poll(() => page.locator(VIEWER).getAttribute('data-path'), { timeout: 20_000 }).toBe('/data');
    const liveSwitch = page.getByTestId('live-switch').getByRole('switch');
    expect(await liveSwitch.isChecked()).toBe(true);
    const pictures = await distinctValues(async () => (await canvasSignature(page, VIEWER))?.hash ?? null, 3);
    expect(pictures.length).toBeGreaterThanOrEqual(3);

    await writer.stop();
    await expect.poll(() => page.getByTestId('swmr-mark').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 30_000 }).toContain('not being written');
    expect(await liveSwitch.isChecked()).toBe(false);
  }, 180_000);

  it.skip('the Run tab\'s "Readable while running (SWMR)" asks before upgrading an older file, then runs live', async () => {
    await openFileInSidebar(page, 'old.h5');
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Run', exact: true }).click();
    await page.getByTestId('live-run').check();
    await page.getByTestId('run-button').click();
    const ask = page.getByTestId('upgrade-format-ask');
    await expect.poll(() => ask.textContent(), { timeout: 60_000 }).toContain('HDF5 1.8 tools can no longer open the file');
    await ask.getByRole('button', { name: 'Upgrade and run' }).click();
    await expect.poll(() => treeNode(page, '/distances').getAttribute('aria-selected'), { timeout: 60_000 }).toBe('true');
    const found = execFileSync(systemPython, ['-c', `
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    print(f.id.get_create_plist().get_version()[0], f['distances'].shape[0], int(f['distances'].attrs['h5blocks_complete']), f['distances'].maxshape)
`, oldFormat], { encoding: 'utf8' }).trim();
    expect(found).toBe('3 1000 1 (None,)');
  }, 120_000);
});
