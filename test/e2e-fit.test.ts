// An audit of the served app at 1024 × 700 and 1280 × 800 in Chromium, after
// two runs: no tab makes the page scroll sideways (nothing needed lies past
// the window's edge), the Run button and the runs table's columns are
// reachable, the runs table scrolls inside its card with its first column
// pinned, and the Timeline's block table fits its card the same way.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { startServedApp, treeNode, type ServedApp } from './support/servedApp';

let file: string;

beforeAll(() => {
  file = join(makeTempFolder('e2e-fit'), 'sample.h5');
  execFileSync(process.execPath, [cliScript, 'sample', file, '--rows', '200000', '--chunked', '--gzip'], { cwd: projectRoot });
}, 120_000);

afterAll(() => removeTempFolders());

/** How far the page itself scrolls sideways (0: everything fits the window's width). */
function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function runOnce(page: Page, strategy: string): Promise<void> {
  await page.getByRole('tab', { name: 'Run', exact: true }).click();
  await page.getByLabel(strategy, { exact: true }).check();
  await page.getByLabel('Overwrite', { exact: true }).check();
  // 40 blocks: a block table taller than its card, which scrolls under its sticky header.
  await page.getByLabel('Block rows').fill('5000');
  const runTab = page.getByRole('tab', { name: 'Run', exact: true });
  const before = await runTab.getAttribute('data-run-id');
  await page.getByTestId('run-button').scrollIntoViewIfNeeded();
  await page.getByTestId('run-button').click();
  // (In beforeAll, where expect.poll is not available: a plain wait with a generous bound.)
  for (let waited = 0; ; waited += 250) {
    if ((await runTab.getAttribute('data-run-id')) !== before && (await runTab.getAttribute('data-run-status')) === 'finished') return;
    if (waited > 120_000) throw new Error(`the ${strategy} run did not finish in 120 s`);
    await page.waitForTimeout(250);
  }
}

for (const [width, height] of [[1024, 700], [1280, 800]] as const) {
  describe(`the served app at ${width} × ${height}`, () => {
    let app: ServedApp;
    let page: Page;

    beforeAll(async () => {
      app = await startServedApp([file], { width, height });
      page = app.page;
      await treeNode(page, '/coords').waitFor({ timeout: 30_000 });
      await treeNode(page, '/coords').click();
      await runOnce(page, 'inline');
      await runOnce(page, 'pool');
    }, 300_000);

    afterAll(async () => {
      await app?.close();
    });

    it('never makes the page scroll sideways, on any tab', async () => {
      for (const tab of ['Inspect', 'Data', 'Run', 'Timeline', 'Compare']) {
        await page.getByRole('tab', { name: tab, exact: true }).click();
        await page.waitForTimeout(300);
        expect(await pageOverflow(page), `${tab} at ${width} px`).toBeLessThanOrEqual(0);
      }
    });

    it('scrolls the runs table inside its card, with the first column pinned and every column reachable', async () => {
      await page.getByRole('tab', { name: 'Compare', exact: true }).click();
      const table = page.getByTestId('compare-row').first().locator('xpath=ancestor::table[1]');
      await table.waitFor();
      const card = table.locator('xpath=..');
      const geometry = await card.evaluate((box) => {
        const before = box.querySelector('tbody tr > :first-child')!.getBoundingClientRect().left;
        box.scrollLeft = box.scrollWidth;
        const after = box.querySelector('tbody tr > :first-child')!.getBoundingClientRect().left;
        const cardBox = box.getBoundingClientRect();
        const header = [...box.querySelectorAll('thead th')].map((th) => th.getBoundingClientRect());
        const last = header[header.length - 1];
        return { before, after, cardLeft: cardBox.left, cardRight: cardBox.right, lastRight: last.right, headerHeights: header.map((h) => h.height), rowHeight: box.querySelector('tbody tr')!.getBoundingClientRect().height };
      });
      // The first column stays where it was while the rest scrolls under it.
      expect(Math.abs(geometry.after - geometry.before)).toBeLessThanOrEqual(1);
      // Scrolled to the end, the last column lies inside the card.
      expect(geometry.lastRight).toBeLessThanOrEqual(geometry.cardRight + 1);
      // Headers on one line, not wrapped on three (no taller than two rows' height).
      for (const h of geometry.headerHeights) expect(h).toBeLessThan(geometry.rowHeight * 2);
    });

    it('shows the Run button on screen once the form is reached', async () => {
      await page.getByRole('tab', { name: 'Run', exact: true }).click();
      await page.getByTestId('run-button').scrollIntoViewIfNeeded();
      const box = (await page.getByTestId('run-button').boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    });

    it('keeps the Timeline\'s block table inside its card', async () => {
      await page.getByRole('tab', { name: 'Timeline', exact: true }).click();
      const table = page.getByTestId('blocks-table');
      await table.waitFor({ timeout: 30_000 });
      await table.scrollIntoViewIfNeeded();
      const fit = await table.evaluate((element) => {
        const card = element.parentElement!;
        const box = card.getBoundingClientRect();
        const firstBefore = element.querySelector('tbody tr > :first-child')!.getBoundingClientRect().left;
        card.scrollLeft = card.scrollWidth;
        const firstAfter = element.querySelector('tbody tr > :first-child')!.getBoundingClientRect().left;
        const lastHeader = [...element.querySelectorAll('thead th')].at(-1)!.getBoundingClientRect();
        card.scrollLeft = 0;
        return { cardRight: box.right, windowWidth: window.innerWidth, firstMoved: Math.abs(firstAfter - firstBefore), lastRight: lastHeader.right };
      });
      // A row brought into view (a search, a keyboard) stops below the sticky header, never under it.
      const covered = await table.evaluate((element) => {
        const rows = [...element.querySelectorAll('tbody tr[data-testid="block-row"]')];
        if (rows.length < 20) throw new Error(`only ${rows.length} block rows`);
        const row = rows[12];
        row.scrollIntoView({ block: 'start' });
        const header = element.querySelector('thead')!.getBoundingClientRect();
        return row.getBoundingClientRect().top < header.bottom - 1;
      });
      expect(covered).toBe(false);
      // The card fits the window; a wider table scrolls inside it to its last column, its first column pinned.
      expect(fit.cardRight).toBeLessThanOrEqual(fit.windowWidth + 1);
      expect(fit.lastRight).toBeLessThanOrEqual(fit.cardRight + 1);
      expect(fit.firstMoved).toBeLessThanOrEqual(1);
      expect(app.pageErrors).toEqual([]);
    });
  });
}
