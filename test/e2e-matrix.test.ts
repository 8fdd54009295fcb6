// The run matrix in the served app, in Chromium: every configuration repeated,
// ranked by median, and the banner, chart and table agreeing on the winner and
// its figure; the banner says whose it is once another file is selected.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { startServedApp, treeNode, type ServedApp } from './support/servedApp';

let app: ServedApp;
let page: Page;

beforeAll(async () => {
  const folder = makeTempFolder('e2e-matrix');
  const coords = copyCorpus('coords_1k.h5', folder);
  const other = copyCorpus('coords_with_distances.h5', folder);
  app = await startServedApp([coords, other]);
  page = app.page;
});

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

describe('run matrix', () => {
  it('repeats each configuration and names one winner, by median, in banner, chart and table', async () => {
    await page.getByTestId('open-files').getByRole('button', { name: /^coords_1k\.h5/ }).click();
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Compare', exact: true }).click();
    const matrix = page.getByTestId('run-matrix');
    await matrix.getByLabel('shard', { exact: true }).uncheck();
    await matrix.getByLabel('Worker counts').fill('2');
    await matrix.getByLabel('Block sizes (rows)').fill('250');
    await expect.poll(() => matrix.getByLabel('Repeats').inputValue()).toBe('3');
    await expect.poll(() => page.getByTestId('matrix-start').textContent()).toBe('Run matrix (2 configurations × 3 = 6 runs)');
    await page.getByTestId('matrix-start').click();

    const verdict = page.getByTestId('matrix-verdict');
    await verdict.waitFor({ timeout: 120_000 });
    const text = (await verdict.textContent())!;
    expect(text).toContain('Run matrix on coords_1k.h5 /coords, 3 runs per configuration, ranked by median');
    const winner = /fastest is (inline · main thread|pool · 2 workers) · 250-row blocks, median ([\d.,]+ [kM]? ?rows\/s) \(.+ over 3 runs\)/.exec(text);
    expect(winner, text).not.toBeNull();
    const [, config, figure] = winner!;
    // The reason speaks of the winner: workers not paying off for inline, overlapping reads and computing for pool.
    expect(text).toMatch(config.startsWith('inline') ? /Why: .*workers do not pay off/ : /Why: 2 workers compute blocks in parallel while the main thread reads/);

    const rows = page.getByTestId('matrix-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain(config);
    expect(await rows.first().getByTestId('matrix-median').textContent()).toBe(figure);
    expect(await page.getByTestId('matrix-chart').locator('div[role=img]').getAttribute('aria-label')).toContain(`fastest ${config} · 250-row blocks at ${figure}`);
    // The chart is drawn (SVG bars), the winner first.
    expect(await page.getByTestId('matrix-chart').locator('svg text').allTextContents()).toEqual(expect.arrayContaining([`${config} · 250-row blocks`]));
    expect(await page.getByTestId('compare-row').count()).toBe(6);
    expect(await page.locator('[data-testid="compare-row"].fastest').count()).toBe(3);

    // Another file selected: the verdict is labelled as that of the earlier dataset.
    await page.getByTestId('open-files').getByRole('button', { name: /^coords_with_distances\.h5/ }).click();
    await expect.poll(() => page.getByTestId('matrix-verdict-label').textContent())
      .toBe('Earlier run matrix, on coords_1k.h5 /coords: not the dataset selected now');
    expect(app.pageErrors).toEqual([]);
  }, 180_000);
});
