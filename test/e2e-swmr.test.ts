// The served app and real libhdf5 processes (Debian's h5py in child
// processes), in Chromium. Following: an h5py SWMR writer appends to a file;
// the explorer marks it, the inspector's and the Data tab's Live switch are
// on, the shape, the overview line and its counts follow the writer while the
// user's range stays put, and when the writer closes the file the mark goes
// and Live stops by itself. Writing: the Run tab's "Readable while running
// (SWMR)" run, with an h5py SWMR reader polling the output as it fills in.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { copyFile, makeTempFolder, removeTempFolders } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { canvasSignature, openFileInSidebar, startServedApp, treeNode, type ServedApp } from './support/servedApp';
import { startSwmrWriter, type SwmrWriter } from './support/swmrWriter';

/** Rows of the older-format file the live run reads: enough blocks of LIVE_BLOCK_ROWS for a reader to see many flushes. */
const RUN_ROWS = 1_000_000;
const LIVE_BLOCK_ROWS = 5_000;
const readerScript = join(projectRoot, 'test/support/swmr_reader.py');

let app: ServedApp;
let page: Page;
let writer: SwmrWriter;
let growing: string;
let oldFormat: string;
let folder: string;

beforeAll(async () => {
  folder = makeTempFolder('e2e-swmr');
  growing = join(folder, 'growing.h5');
  writer = await startSwmrWriter(growing, 20, 0.25, 0, { signal: true });
  // An N×2 float32 /coords in h5py's default (oldest) format, superblock version 0, as older tools write it.
  oldFormat = join(folder, 'old.h5');
  execFileSync(systemPython, ['-c', `
import h5py, numpy as np, sys
rng = np.random.default_rng(11)
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('coords', data=rng.random((int(sys.argv[2]), 2), dtype=np.float32) * 100, chunks=(65536, 2))
`, oldFormat, String(RUN_ROWS)]);
  app = await startServedApp([growing, oldFormat]);
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

/** The dataset length a line overview's caption names ("all 1,240 values…" or "values 10–99 of 1,240…"). */
function captionLength(caption: string): number {
  const match = /^all ([\d,]+) values|^values [\d,]+–[\d,]+ of ([\d,]+)/.exec(caption);
  if (!match) throw new Error(`no length in caption "${caption}"`);
  return Number((match[1] ?? match[2]).replace(/,/g, ''));
}

function increasing(numbers: number[]): void {
  for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]);
}

/** What Debian's h5py finds in a file (plain read-only open): superblock version, output rows, completion mark, maxshape, and the output's bytes' SHA-256. */
function h5pyFinds(path: string, dataset: string): string {
  return execFileSync(systemPython, ['-c', `
import h5py, hashlib, sys
with h5py.File(sys.argv[1], 'r') as f:
    d = f[sys.argv[2]]
    print(f.id.get_create_plist().get_version()[0], d.shape[0], int(d.attrs.get('h5blocks_complete', 0)), d.maxshape, hashlib.sha256(d[()].tobytes()).hexdigest())
`, path, dataset], { encoding: 'utf8' }).trim();
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
    increasing(rows);
  }, 120_000);

  it('the Data tab\'s overview line and its counts follow the writer while Live is on, keeping the user\'s range; Live stops by itself when the writer closes the file', async () => {
    await treeNode(page, '/signal').click();
    await page.getByRole('tab', { name: 'Data', exact: true }).click();
    const view = page.locator('[data-testid="dataset-view"][data-path="/signal"]');
    await expect.poll(() => view.getAttribute('data-view'), { timeout: 20_000 }).toBe('line');
    const liveSwitch = view.getByTestId('live-switch').getByRole('switch');
    expect(await liveSwitch.isChecked()).toBe(true);
    const caption = view.getByTestId('overview-caption');

    // The whole line: its count grows, and so does the picture.
    const captions = await distinctValues(async () => {
      const text = await caption.textContent();
      return text && /^all [\d,]+ values/.test(text) ? text : null;
    }, 3);
    increasing(captions.map(captionLength));
    const pictures = await distinctValues(async () => (await canvasSignature(page, '[data-testid="line-plot"]'))?.hash ?? null, 3);
    expect(pictures.length).toBeGreaterThanOrEqual(3);

    // A range the user chose stays while the dataset grows under it.
    await view.getByRole('button', { name: 'Zoom in' }).click();
    const range = await view.getByTestId('line-overview').getAttribute('data-range');
    expect(range).not.toMatch(/^0-/);
    const zoomed = await distinctValues(async () => {
      const text = await caption.textContent();
      return text && text.startsWith(`values ${Number(range!.split('-')[0]).toLocaleString('en-US')}–`) ? text : null;
    }, 3);
    increasing(zoomed.map(captionLength));
    expect(await view.getByTestId('line-overview').getAttribute('data-range')).toBe(range);

    // Back to the whole line, which follows the end again.
    await view.getByRole('button', { name: 'Whole' }).click();
    const stops = await distinctValues(async () => (await view.getByTestId('line-overview').getAttribute('data-range'))?.split('-')[1] ?? null, 2);
    increasing(stops.map(Number));

    await writer.stop();
    await expect.poll(() => page.getByTestId('swmr-mark').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => view.getByTestId('live-state').textContent(), { timeout: 30_000 }).toContain('not being written');
    // Live is off: its switch shows off, or the control has gone with the writer
    // (the view, re-read once the file is no longer being written, has no Live control).
    expect(await liveSwitch.isChecked({ timeout: 2_000 }).catch(() => false)).toBe(false);
    // After the writer closed the file, the line shows every value it wrote, as h5py counts them.
    const written = Number(execFileSync(systemPython, ['-c', 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["signal"].shape[0])', growing], { encoding: 'utf8' }).trim());
    await expect.poll(async () => captionLength((await caption.textContent()) ?? ''), { timeout: 30_000 }).toBe(written);
    expect(await caption.textContent()).toMatch(/^all /);
  }, 180_000);

  it('the Run tab\'s "Readable while running (SWMR)" asks before upgrading an older file, then runs live: an h5py SWMR reader sees the rows fill in, and the values are a normal run\'s bit for bit', async () => {
    const normal = copyFile(oldFormat, folder, 'normal.h5');
    const normalRun = await runCli(['run', normal, '--dataset', '/coords']);
    expect(normalRun.status).toBe(0);
    const reference = h5pyFinds(normal, 'distances').split(' ').at(-1);

    await openFileInSidebar(page, 'old.h5');
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Run', exact: true }).click();
    await page.getByRole('radio', { name: 'inline', exact: true }).check();
    await page.getByLabel('Block rows').fill(String(LIVE_BLOCK_ROWS));
    await page.getByTestId('live-run').check();
    await page.getByTestId('run-button').click();
    const ask = page.getByTestId('upgrade-format-ask');
    await expect.poll(() => ask.textContent(), { timeout: 60_000 }).toContain('HDF5 1.8 tools can no longer open the file');

    const reader = spawn(systemPython, [readerScript, oldFormat, 'distances', String(RUN_ROWS), '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    reader.stdout.setEncoding('utf8').on('data', (text: string) => (seen += text));
    const readerDone = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
    try {
      await ask.getByRole('button', { name: 'Upgrade and run' }).click();
      const finished = page.getByTestId('run-finished');
      await expect.poll(() => finished.textContent(), { timeout: 120_000 }).toContain(`Wrote ${RUN_ROWS.toLocaleString('en-US')} rows to`);
      await readerDone;
    } finally {
      if (reader.exitCode === null) reader.kill('SIGKILL');
    }
    const counts = JSON.parse(seen) as number[];
    // The reader saw the output grow in at least three distinct steps, never shrinking, up to every row.
    expect(new Set(counts.filter((n) => n > 0 && n < RUN_ROWS)).size, `row counts the reader saw: ${seen}`).toBeGreaterThanOrEqual(3);
    increasing(counts);
    expect(counts.at(-1)).toBe(RUN_ROWS);

    // The form stays on the input, ready for the next run; the output is a link away.
    expect(await page.getByTestId('run-dataset').textContent()).toContain('/coords');
    expect(await page.getByTestId('run-output-link').textContent()).toBe('/distances');
    // Upgraded to HDF5 1.10's format, complete, growable, and the values a normal run writes, bit for bit.
    expect(h5pyFinds(oldFormat, 'distances')).toBe(`3 ${RUN_ROWS} 1 (None,) ${reference}`);
  }, 240_000);
});
