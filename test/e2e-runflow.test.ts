// The run flow as a scientist meets it, in Chromium over `h5blocks serve` at
// 1280 × 800 and 1024 × 700: Run is on screen, a run leaves the form on the
// input with a link to its output, the Timeline follows the new run at once,
// and a second run is one click away.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { ARTIFACTS, startServedApp, treeNode, type ServedApp } from './support/servedApp';

let file: string;

beforeAll(() => {
  file = join(makeTempFolder('e2e-runflow'), 'sample.h5');
  execFileSync(process.execPath, [cliScript, 'sample', file, '--rows', '400000', '--chunked', '--gzip'], { cwd: projectRoot });
}, 120_000);

afterAll(() => removeTempFolders());

/** Whether an element lies wholly inside the window. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
  });
}

for (const [width, height] of [[1280, 800], [1024, 700]] as const) {
  describe(`the run flow at ${width} × ${height}`, () => {
    let app: ServedApp;
    let page: Page;

    beforeAll(async () => {
      app = await startServedApp([file], { width, height });
      page = app.page;
      await treeNode(page, '/coords').waitFor({ timeout: 30_000 });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('has a sidebar that can be dragged wider and hidden, giving the main area the room', async () => {
      const sidebar = page.locator('aside.sidebar');
      const before = (await sidebar.boundingBox())!.width;
      const handle = page.getByRole('separator', { name: 'Resize the sidebar' });
      const box = (await handle.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + 200);
      await page.mouse.down();
      await page.mouse.move(box.x + 100, box.y + 200, { steps: 5 });
      await page.mouse.up();
      await expect.poll(async () => (await sidebar.boundingBox())!.width).toBeGreaterThan(before + 60);
      const main = (await page.locator('main').boundingBox())!.width;
      await page.getByRole('button', { name: 'Hide the sidebar' }).click();
      expect(await sidebar.count()).toBe(0);
      expect((await page.locator('main').boundingBox())!.width).toBeGreaterThan(main + 200);
      await page.getByRole('button', { name: 'Show the sidebar' }).click();
      await sidebar.waitFor();
      // Back to where it was for the other tests.
      await handle.focus();
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
      await treeNode(page, '/coords').waitFor();
    });

    it('runs, stays on the input with a link to the output, and runs again with one click', async () => {
      await treeNode(page, '/coords').click();
      await page.getByRole('tab', { name: 'Run', exact: true }).click();
      await page.getByLabel('shard', { exact: true }).check();
      await page.getByLabel('Workers').fill('2');
      await page.getByLabel('Overwrite', { exact: true }).check();
      // Run is on screen once the form is reached (the panel scrolls, the window does not hide it).
      await page.getByTestId('run-button').scrollIntoViewIfNeeded();
      expect(await onScreen(page, '[data-testid="run-button"]')).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-runflow-form-${width}.png`) });
      await page.getByTestId('run-button').click();

      // The Timeline shows the new run with both workers' lanes.
      await page.getByRole('tab', { name: 'Timeline', exact: true }).click();
      await expect.poll(() => page.getByTestId('timeline-chart').getAttribute('data-lanes'), { timeout: 60_000 }).toBe('main,worker 1,worker 2');
      await page.screenshot({ path: join(ARTIFACTS, `e2e-runflow-timeline-${width}.png`) });

      await page.getByRole('tab', { name: 'Run', exact: true }).click();
      const link = page.getByTestId('run-output-link');
      await expect.poll(() => link.textContent(), { timeout: 120_000 }).toBe('/distances');
      await treeNode(page, '/distances').waitFor();
      expect(await treeNode(page, '/coords').getAttribute('aria-selected')).toBe('true');
      expect(await page.getByTestId('run-dataset').textContent()).toContain('/coords');

      // The second run: one click.
      const firstRun = await page.getByRole('tab', { name: 'Run', exact: true }).getAttribute('data-run-id');
      await page.getByTestId('run-button').click();
      await expect.poll(async () => {
        const tab = page.getByRole('tab', { name: 'Run', exact: true });
        return (await tab.getAttribute('data-run-id')) !== firstRun && (await tab.getAttribute('data-run-status')) === 'finished';
      }, { timeout: 120_000 }).toBe(true);

      // The link opens the output in the Data tab.
      await link.click();
      await expect.poll(() => treeNode(page, '/distances').getAttribute('aria-selected')).toBe('true');
      expect(await page.getByRole('tab', { name: 'Data', exact: true }).getAttribute('aria-selected')).toBe('true');
      await page.getByTestId('line-overview').waitFor({ timeout: 30_000 });
      expect(app.pageErrors).toEqual([]);
    }, 300_000);
  });
}
