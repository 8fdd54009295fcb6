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

  it('names each configuration by its real block rows, brings the results into view where the user is, keeps whiskers off the labels, and leaves runs of closed files out until asked', async () => {
    await page.getByTestId('open-files').getByRole('button', { name: /^coords_1k\.h5/ }).click();
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Compare', exact: true }).click();
    const matrix = page.getByTestId('run-matrix');
    await matrix.getByLabel('Worker counts').fill('1, 2');
    await matrix.getByLabel('Block sizes (rows)').fill('default');
    await matrix.getByLabel('Repeats').fill('2');
    // Not "default": what each configuration's runs will use, by the engine's rule.
    const names = page.getByTestId('matrix-config');
    await expect.poll(async () => (await names.allTextContents()).every((name) => /· [\d,]+-row blocks \(its default\)$/.test(name)), { timeout: 30_000 }).toBe(true);
    const planned = await names.allTextContents();
    expect(planned.length).toBeGreaterThanOrEqual(3);

    // The user is at the form, at the bottom; the results come to them.
    await page.getByTestId('matrix-start').scrollIntoViewIfNeeded();
    await page.getByTestId('matrix-start').click();
    const results = page.getByTestId('matrix-results');
    await results.waitFor({ timeout: 240_000 });
    await expect.poll(() => results.evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.top >= 0 && box.top < window.innerHeight;
    }), { timeout: 10_000 }).toBe(true);
    // The runs carry the rows the form named.
    const config = (text: string) => `${/^\s*(?:★ ?\d+|\d+)?\s*([a-z]+)/.exec(text)?.[1]}/${/(\d+) workers?/.exec(text)?.[1] ?? 1}/${/([\d,]+)-row/.exec(text)?.[1]}`;
    const ran = (await page.getByTestId('matrix-row').allTextContents()).map(config);
    expect(ran.sort()).toEqual(planned.map(config).sort());

    // No whisker line crosses a bar's figure.
    const crossings = await page.getByTestId('matrix-chart').evaluate((chart) => {
      const boxes = (selector: string) => [...chart.querySelectorAll(selector)].map((element) => element.getBoundingClientRect());
      // The median figures are drawn in the whiskers' colour (axis labels are grey).
      const labels = [...chart.querySelectorAll('svg text[fill="#1d2330"]')];
      const whiskers = boxes('svg path[stroke="#1d2330"]');
      return {
        labels: labels.length, whiskers: whiskers.length,
        crossed: labels.flatMap((label) => {
          const a = label.getBoundingClientRect();
          return whiskers.filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map(() => label.textContent);
        }),
      };
    });
    // One figure per configuration, and whiskers drawn (two runs each have a spread).
    expect(crossings.labels).toBe(planned.length);
    expect(crossings.whiskers).toBeGreaterThan(0);
    expect(crossings.crossed).toEqual([]);

    // Close the file: its runs are kept but left out, until "Show runs of files not open".
    const shown = await page.getByTestId('compare-row').count();
    expect(shown).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Close coords_1k.h5' }).click();
    await expect.poll(() => page.getByTestId('compare-row').count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('show-all-runs').getByRole('checkbox').check();
    await expect.poll(() => page.getByTestId('compare-row').count(), { timeout: 10_000 }).toBe(shown);
    expect(app.pageErrors).toEqual([]);
  }, 300_000);
});
