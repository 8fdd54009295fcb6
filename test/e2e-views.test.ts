// The Data tab as a scientist meets it, in Chromium over `h5blocks serve`, at
// 1280 × 800 and 1024 × 700: every dataset of a file like the sample's (2 M × 2
// points, a 2 M-value line, a 200-slice stack, slices wider than a GPU texture,
// a compound table) opens into a view that shows its data, chosen from its own
// shape, with what it shows said in words.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { ARTIFACTS, canvasSignature, openFileInSidebar, startServedApp, treeNode, type ServedApp } from './support/servedApp';

const VIEW = '[data-testid="dataset-view"]';
let file: string;

beforeAll(() => {
  file = join(makeTempFolder('e2e-views'), 'scientist.h5');
  execFileSync(systemPython, [join(projectRoot, 'test/support/make_scientist_data.py'), file]);
}, 120_000);

afterAll(() => removeTempFolders());

async function select(page: Page, path: string) {
  await treeNode(page, path).click();
  await page.getByRole('tab', { name: 'Data', exact: true }).click();
}

/** The canvas inside `selector` once it shows more than `minColours` colours and has stopped changing. */
async function drawn(page: Page, selector: string, minColours = 2) {
  let last: string | undefined;
  let picture: { distinct: number; hash: string } | null = null;
  await expect.poll(async () => {
    picture = await canvasSignature(page, selector);
    const settled = picture !== null && picture.distinct > minColours && picture.hash === last;
    last = picture?.hash;
    return settled;
  }, { timeout: 60_000, interval: 400 }).toBe(true);
  return picture!;
}

for (const [width, height] of [[1280, 800], [1024, 700]] as const) {
  describe(`data views at ${width} × ${height}`, () => {
    let app: ServedApp;
    let page: Page;

    beforeAll(async () => {
      app = await startServedApp([file], { width, height });
      page = app.page;
      await openFileInSidebar(page, 'scientist.h5');
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('shows a 2 M × 2 point set as an x–y scatter of a sample it counts, with the first rows beside it', async () => {
      await select(page, '/coords');
      const view = page.locator(VIEW);
      await expect.poll(() => view.getAttribute('data-view'), { timeout: 20_000 }).toBe('points');
      await drawn(page, '[data-testid="scatter-plot"]', 20);
      expect(await page.getByTestId('overview-caption').textContent()).toMatch(/50,000 of 2,000,000 points \(every 40th row\)/);
      // The matrix of the first rows: row 1 is (t cos t, t sin t) at t = 40π/1999999, as h5py wrote it.
      await expect.poll(() => page.getByTestId('data-table').locator('[role="row"][aria-rowindex="3"] [role="gridcell"]').first().textContent(), { timeout: 20_000 }).toMatch(/^6\.28/);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-views-points-${width}.png`) });
      if (width === 1280) await page.screenshot({ path: join(projectRoot, 'resources/screenshot-points.png') });
    }, 90_000);

    it('draws a 2 M-value line whole from min/max per pixel, then the exact values when zoomed in', async () => {
      await select(page, '/distances');
      const line = page.getByTestId('line-overview');
      await line.waitFor({ timeout: 20_000 });
      expect(await page.locator(VIEW).getAttribute('data-view')).toBe('line');
      await expect.poll(() => line.getAttribute('data-exact'), { timeout: 30_000 }).toBe('false');
      await drawn(page, '[data-testid="line-plot"]');
      expect(await page.getByTestId('overview-caption').textContent()).toMatch(/all 2,000,000 values: min and max of each of [\d,]+ runs/);
      // Five zooms of ×4 take the window from 2 M to under 2,000 values: few enough to draw each one.
      for (let i = 0; i < 6; i++) await line.getByRole('button', { name: 'Zoom in' }).click();
      await expect.poll(() => line.getAttribute('data-exact'), { timeout: 30_000 }).toBe('true');
      expect(await page.getByTestId('overview-caption').textContent()).toMatch(/values [\d,]+–[\d,]+ of 2,000,000, exact/);
      await drawn(page, '[data-testid="line-plot"]');
      await page.screenshot({ path: join(ARTIFACTS, `e2e-views-line-${width}.png`) });
    }, 120_000);

    it('opens a 200 × 256 × 256 stack as a heatmap of its first slice, after a line (never the previous view)', async () => {
      await select(page, '/stack');
      const viewer = page.locator('[data-testid="h5web-viewer"][data-path="/stack"]');
      await viewer.waitFor({ timeout: 20_000 });
      expect(await viewer.getByRole('tab', { name: 'Heatmap', exact: true }).getAttribute('aria-selected')).toBe('true');
      expect((await drawn(page, '[data-testid="h5web-viewer"]', 50)).distinct).toBeGreaterThan(50);
    }, 90_000);

    it('averages slices wider than a GPU texture into a heatmap it labels, never a blank canvas', async () => {
      await select(page, '/wide');
      await expect.poll(() => page.locator(VIEW).getAttribute('data-view'), { timeout: 20_000 }).toBe('image');
      expect((await drawn(page, '[data-testid="heatmap-plot"]', 20)).distinct).toBeGreaterThan(20);
      expect(await page.getByTestId('overview-caption').textContent()).toMatch(/40 × 20,000 shown as \d+ × [\d,]+: each pixel the mean of \d+ × \d+ values/);
      await page.getByLabel('Index in dimension 0').fill('1');
      await drawn(page, '[data-testid="heatmap-plot"]', 20);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-views-wide-${width}.png`) });
    }, 90_000);

    it('shows a compound table with one column per field, nested fields dotted, and a column whose edge can be dragged', async () => {
      await select(page, '/table');
      const table = page.getByTestId('data-table');
      await table.waitFor({ timeout: 20_000 });
      expect(await table.getByRole('columnheader').allTextContents()).toEqual(['index', 'x', 'y', 'label', 'pos.u', 'pos.v']);
      const row = table.locator('[role="row"][aria-rowindex="3"] [role="gridcell"]');
      await expect.poll(() => row.allTextContents(), { timeout: 20_000 }).toEqual(['0.5', '-1.25', 'point 1', '1', '2']);
      // Every field is on screen or a scroll inside the table away; the last one's header is within the table's box.
      const header = table.getByRole('columnheader', { name: 'pos.v' });
      await header.scrollIntoViewIfNeeded();
      expect(await header.isVisible()).toBe(true);
      const before = (await header.boundingBox())!.width;
      const handle = table.getByRole('separator', { name: 'Resize column pos.v' });
      const box = (await handle.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 80, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      await expect.poll(async () => (await header.boundingBox())!.width).toBeGreaterThan(before + 40);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-views-compound-${width}.png`) });
    }, 60_000);

    it('says in words where a group has no values to show', async () => {
      await select(page, '/');
      expect(await page.getByTestId('group-hint').textContent({ timeout: 10_000 })).toMatch(/\/ is a group: it holds no values of its own. Select one of its datasets in the tree/);
      expect(app.pageErrors).toEqual([]);
    });
  });
}
