// The whole app in a real browser: `h5blocks serve` on copies of corpus files,
// driven through Chromium the way a scientist would use it. Screenshots land in
// test-artifacts/ (gitignored); one of the timeline becomes resources/screenshot.png.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/shared/api';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot } from './support/paths';

import { CHROMIUM_ARGS, startServe as startServeWith } from './support/servedApp';
const ARTIFACTS = join(projectRoot, 'test-artifacts');
const README_SCREENSHOT = join(projectRoot, 'resources/screenshot.png');
const README_SCREENSHOT_DARK = join(projectRoot, 'resources/screenshot-dark.png');

let server: ChildProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function startServe(files: string[], userData: string): Promise<string> {
  const started = await startServeWith(files, userData);
  server = started.server;
  return started.url;
}

function treeNode(path: string): Locator {
  return page.locator(`[data-testid="tree-node"][data-path="${path}"]`);
}

async function openFile(name: string) {
  await page.getByTestId('open-files').getByRole('button', { name: new RegExp(`^${name.replace('.', '\\.')}`) }).click();
}

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Runs the row norm from the Run tab and waits until it names its output, which the tree then shows; the input stays selected. */
async function runFromPanel(strategy: string, workers: number, blockRows: number, ifExists: 'Ask me' | 'Overwrite', output = '/distances') {
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByLabel(strategy, { exact: true }).check();
  await page.getByLabel('Workers').fill(String(workers));
  await page.getByLabel('Block rows').fill(String(blockRows));
  await page.getByLabel(ifExists, { exact: true }).check();
  const finished = page.getByTestId('run-finished');
  const before = await finished.count() > 0 ? await finished.textContent() : null;
  await page.getByTestId('run-button').click();
  await expect.poll(async () => (await finished.count() > 0 ? await finished.textContent() : null), { timeout: 60_000 }).not.toBe(before);
  await expect.poll(() => page.getByTestId('run-output-link').textContent(), { timeout: 60_000 }).toBe(output);
  await treeNode(output).waitFor();
}

/** A download started by `click`, read as text. */
async function download(click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const target = join(ARTIFACTS, file.suggestedFilename());
  await file.saveAs(target);
  return { name: file.suggestedFilename(), text: readFileSync(target, 'utf8') };
}

beforeAll(async () => {
  if (!existsSync(join(projectRoot, 'out/renderer/index.html'))) throw new Error('the renderer is not built: run `npm run build` first');
  mkdirSync(ARTIFACTS, { recursive: true });
  const folder = makeTempFolder('e2e');
  const files = ['coords_1k.h5', 'coords_with_distances.h5', 'not_hdf5.h5'].map((name) => copyCorpus(name, folder));
  const url = await startServe(files, makeTempFolder('e2e-user-data'));
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  removeTempFolders();
});

describe('h5blocks in the browser', () => {
  it('starts on /coords of the first file, inspected, and reads its tree', async () => {
    await expect.poll(() => page.getByTestId('open-files').textContent(), { timeout: 20_000 }).toContain('coords_with_distances.h5');
    // First start: the first file's first usable dataset is selected and open, ready to run.
    await expect.poll(() => treeNode('/coords').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('1,000 × 2');
    await openFile('coords_1k.h5');
    await treeNode('/coords').click();
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('1,000 × 2');
    expect(await page.getByTestId('inspector-dtype').textContent()).toContain('32-bit float');
    await shot('e2e-1-inspector');
  });

  it('runs pool, then shard with 4 workers and 200-row blocks, the second run one click after the first ends', async () => {
    await runFromPanel('pool', 4, 200, 'Ask me');
    // The input stays selected with its form: the next run needs no search for it.
    expect(await treeNode('/coords').getAttribute('aria-selected')).toBe('true');
    expect(await treeNode('/distances').getAttribute('aria-selected')).toBe('false');
    await shot('e2e-2-pool-output');

    await runFromPanel('shard', 4, 200, 'Overwrite');
    await shot('e2e-3-shard-output');
  });

  it('draws every block of the shard run in the lane of the worker that computed it', async () => {
    // The runs as the app exports them, to know which thread computed each block.
    await page.getByRole('tab', { name: 'Compare' }).click();
    const exported = await download(() => page.getByTestId('export-json').click());
    const runs = (JSON.parse(exported.text) as { runs: RunRecord[] }).runs;
    const shard = runs.find((r) => r.strategy === 'shard')!;
    expect(shard.blocks).toHaveLength(5);
    const threads = [...new Set(shard.blocks.flatMap((b) => b.phases).map((s) => s.lane).filter((l): l is number => l !== 'main'))].sort((a, b) => a - b);

    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByTestId('timeline-run-picker').selectOption(shard.id);
    const chart = page.getByTestId('timeline-chart');
    expect(await chart.getAttribute('data-lanes')).toBe('main,worker 1,worker 2,worker 3,worker 4');
    const spans = shard.blocks.reduce((n, b) => n + b.phases.length, 0) + shard.runPhases.length;
    expect(Number(await chart.getAttribute('data-bars'))).toBe(spans);
    // The lanes are labelled on the chart itself.
    const labels = await chart.locator('svg text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['main', 'worker 1', 'worker 2', 'worker 3', 'worker 4']));

    const rows = page.getByTestId('block-row');
    expect(await rows.count()).toBe(5);
    for (const block of shard.blocks) {
      const compute = block.phases.find((s) => s.phase === 'compute')!;
      const lane = await page.locator(`[data-testid="block-row"][data-block="${block.index}"]`).getAttribute('data-lane');
      expect(lane).toBe(`worker ${threads.indexOf(compute.lane as number) + 1}`);
    }

    // Hovering a bar names its block and phases.
    const bar = chart.locator('svg path[fill="#59a14f"]').first();
    await bar.hover({ force: true });
    await expect.poll(() => page.locator('body').textContent()).toMatch(/Block \d+ · [a-z-]+ on worker \d/);

    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.mouse.move(5, 5);
    while (await page.getByRole('button', { name: 'Dismiss' }).count()) await page.getByRole('button', { name: 'Dismiss' }).first().click();
    await page.locator('.tab-panel').evaluate((panel) => panel.scrollTo(0, 0));
    await page.screenshot({ path: README_SCREENSHOT });
    await shot('e2e-4-timeline');

    // The same view in the dark theme, for the README; charts are drawn again in its colours (without animation).
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => chart.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['main', 'worker 4']));
    await page.mouse.move(5, 5);
    await page.screenshot({ path: README_SCREENSHOT_DARK });
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('lists both runs with identical outputs and exports them as CSV', async () => {
    await page.getByRole('tab', { name: 'Compare' }).click();
    const rows = page.getByTestId('compare-row');
    expect(await rows.count()).toBe(2);
    expect((await rows.evaluateAll((all) => all.map((r) => (r as HTMLElement).dataset.strategy))).sort()).toEqual(['pool', 'shard']);
    expect(await page.getByTestId('match').allTextContents()).toEqual(['identical', 'identical']);
    // No inline run yet: speedups say so instead of guessing.
    expect(await page.getByTestId('speedup').allTextContents()).toEqual(['—', '—']);
    await shot('e2e-5-compare');

    const csv = await download(() => page.getByTestId('export-csv').click());
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['run_id', 'started_at', 'file', 'dataset']);
    expect(lines).toHaveLength(3);
  });

  it('asks Overwrite / New name / Cancel when /distances already exists, and writes under the new name', async () => {
    await openFile('coords_with_distances.h5');
    await treeNode('/coords').click();
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByLabel('inline', { exact: true }).check();
    await page.getByTestId('run-button').click();
    const dialog = page.getByTestId('collision-dialog');
    await dialog.waitFor();
    for (const name of ['Overwrite', 'New name', 'Cancel']) expect(await dialog.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    expect(await dialog.getByLabel('New output name').inputValue()).toBe('distances_2');
    await shot('e2e-6-collision');
    // A name with ".." is refused in one sentence, before anything runs.
    await dialog.getByLabel('New output name').fill('bad name/../x');
    await dialog.getByRole('button', { name: 'New name', exact: true }).click();
    expect(await dialog.getByTestId('new-name-problem').textContent()).toContain('contains ".."');
    await dialog.getByLabel('New output name').fill('coords');
    await dialog.getByRole('button', { name: 'New name', exact: true }).click();
    expect(await dialog.getByTestId('new-name-problem').textContent()).toContain('/coords is the input dataset');
    await dialog.getByLabel('New output name').fill('distances_2');
    await dialog.getByRole('button', { name: 'New name', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-output-link').textContent(), { timeout: 60_000 }).toBe('/distances_2');
    await treeNode('/distances_2').waitFor();
    expect(await treeNode('/distances').count()).toBe(1);
    // The output link opens it in the Data tab.
    await page.getByTestId('run-output-link').click();
    await expect.poll(() => treeNode('/distances_2').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tab', { name: 'Data', exact: true }).getAttribute('aria-selected')).toBe('true');
  });

  it('says clearly that a file is not HDF5, inside the Open dialog, and keeps working', async () => {
    await page.getByRole('button', { name: 'Open…' }).click();
    const browserDialog = page.getByTestId('file-browser');
    // A click selects, a double click opens.
    await browserDialog.getByTestId('browser-entry').filter({ hasText: 'not_hdf5.h5' }).click();
    expect(await browserDialog.getByTestId('browser-entry').filter({ hasText: 'not_hdf5.h5' }).getAttribute('aria-pressed')).toBe('true');
    await browserDialog.getByTestId('browser-entry').filter({ hasText: 'not_hdf5.h5' }).dblclick();
    const error = browserDialog.getByTestId('dialog-error');
    await expect.poll(() => error.textContent()).toContain('not_hdf5.h5');
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/^not_hdf5\.h5: /);
    expect(text).not.toMatch(/\n\s+at |Error:|\.ts:\d+/);
    expect(await page.getByTestId('notice').filter({ hasText: 'not_hdf5' }).count()).toBe(0);
    await shot('e2e-7-not-hdf5');
    await browserDialog.getByRole('button', { name: 'Cancel' }).click();

    await openFile('coords_1k.h5');
    await treeNode('/coords').click();
    await page.getByRole('tab', { name: 'Inspect' }).click();
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('1,000 × 2');
    expect(pageErrors).toEqual([]);
  });
});
