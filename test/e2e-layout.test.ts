// The layout and file-handling points of the served app at a laptop's 1280 × 800,
// in Chromium the way a user would check them: the Compare table fits, errors of
// damaged files show where they belong (never over a dialog's buttons), files
// dropped on the page open, Save As browses folders and asks before replacing,
// and an external link opens its target.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { corpusFile, projectRoot, systemPython } from './support/paths';
import { ARTIFACTS, openFileInSidebar, startServedApp, treeNode, type ServedApp } from './support/servedApp';

let app: ServedApp;
let page: Page;
let root: string;
let outside: string;

const LINKS_SCRIPT = `
import sys, h5py
path, outside = sys.argv[1], sys.argv[2]
with h5py.File(path, 'w') as f:
    f['to_coords'] = h5py.ExternalLink('coords_1k.h5', '/coords')
    f['to_missing'] = h5py.ExternalLink('missing.h5', '/coords')
    f['to_outside'] = h5py.ExternalLink(outside, '/coords')
`;

type Box = { x: number; y: number; width: number; height: number };

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The error's box overlaps none of the dialog's buttons, and the error is inside the dialog. */
async function expectBesideButtons(error: Locator, dialog: Locator) {
  const errorBox = (await error.boundingBox())!;
  const dialogBox = (await dialog.boundingBox())!;
  expect(errorBox.y).toBeGreaterThanOrEqual(dialogBox.y);
  expect(errorBox.y + errorBox.height).toBeLessThanOrEqual(dialogBox.y + dialogBox.height);
  for (const button of await dialog.getByRole('button').all()) {
    if (!(await button.isVisible())) continue;
    expect(overlaps(errorBox, (await button.boundingBox())!), `error over "${await button.textContent()}"`).toBe(false);
  }
  // Nothing else (a toast) sits over the dialog's buttons either: each one is what the page finds at its centre.
  for (const button of await dialog.locator('.modal-actions button').all()) {
    const hit = await button.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return top === element || element.contains(top);
    });
    expect(hit).toBe(true);
  }
}

/** Drops files onto the page as a browser does: a DataTransfer holding File objects. */
async function dropFiles(files: { name: string; bytes: Buffer }[]) {
  const transfer = await page.evaluateHandle((list) => {
    const data = new DataTransfer();
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], name, { type: 'application/x-hdf5' }));
    }
    return data;
  }, files.map(({ name, bytes }) => ({ name, base64: bytes.toString('base64') })));
  const target = page.locator('.tab-panel');
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}

async function dismissNotices() {
  while (await page.getByRole('button', { name: 'Dismiss' }).count()) await page.getByRole('button', { name: 'Dismiss' }).first().click();
}

async function run(strategy: string, workers: number) {
  await treeNode(page, '/coords').click();
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByLabel(strategy, { exact: true }).check();
  if (strategy !== 'inline') await page.getByLabel('Workers').fill(String(workers));
  await page.getByLabel('Block rows').fill('250');
  await page.getByLabel('Overwrite', { exact: true }).check();
  const runTab = page.getByRole('tab', { name: 'Run', exact: true });
  const before = await runTab.getAttribute('data-run-id');
  await page.getByTestId('run-button').click();
  // The run names its output in the Run tab; the input stays selected.
  await expect.poll(async () => (await runTab.getAttribute('data-run-id')) !== before && (await runTab.getAttribute('data-run-status')) === 'finished', { timeout: 60_000 }).toBe(true);
  await treeNode(page, '/distances').waitFor();
}

beforeAll(async () => {
  root = makeTempFolder('e2e-layout');
  outside = makeTempFolder('e2e-layout-outside');
  copyCorpus('coords_1k.h5', outside);
  const coords = copyCorpus('coords_1k.h5', root, 'coords_of_a_long_named_sample_file.h5');
  copyCorpus('coords_1k.h5', root);
  copyCorpus('not_hdf5.h5', root);
  copyCorpus('truncated.h5', root);
  mkdirSync(join(root, 'copies'));
  mkdirSync(join(root, 'read-only'));
  chmodSync(join(root, 'read-only'), 0o555);
  const links = join(root, 'links.h5');
  execFileSync(systemPython, ['-c', LINKS_SCRIPT, links, join(outside, 'coords_1k.h5')]);
  const damaged = join(root, 'damaged_chunk.h5');
  execFileSync(systemPython, [join(projectRoot, 'test/support/make_corrupt_chunk.py'), damaged, '20000', '1']);
  app = await startServedApp([coords, links, damaged], { width: 1280, height: 800, args: ['--root', root] });
  page = app.page;
  await page.locator('[data-testid="tree-node"][data-path="/coords"][aria-selected="true"]').waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

describe('the served app at 1280 × 800', () => {
  it('fits the Compare table with every column in view at 1280 and 1440 px, and hides columns on request', async () => {
    await openFileInSidebar(page, 'coords_of_a_long_named_sample_file.h5');
    await run('inline', 1);
    await run('pool', 4);
    await run('shard', 4);
    await page.getByRole('tab', { name: 'Compare' }).click();
    await dismissNotices();
    const table = page.getByTestId('runs-table');
    await expect.poll(() => page.getByTestId('compare-row').count()).toBe(3);

    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      const fit = await table.evaluate((element) => {
        const scroller = element.parentElement!;
        const edge = scroller.getBoundingClientRect().right;
        const cells = [...element.querySelectorAll('th, td')].map((cell) => cell.getBoundingClientRect().right);
        return {
          tableWidth: element.scrollWidth, scrollerWidth: scroller.clientWidth,
          pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
          panelOverflow: document.querySelector('.tab-panel')!.scrollWidth - document.querySelector('.tab-panel')!.clientWidth,
          cutOff: cells.filter((right) => right > edge + 0.5).length,
        };
      });
      expect(fit.tableWidth, `table at ${width} px`).toBeLessThanOrEqual(fit.scrollerWidth);
      expect(fit.cutOff).toBe(0);
      expect(fit.pageWidth).toBeLessThanOrEqual(fit.viewport);
      expect(fit.panelOverflow).toBeLessThanOrEqual(0);
      // The columns the issue saw cut off are on screen.
      for (const name of ['Output', 'Wall time', 'Speedup']) await expect.poll(() => table.getByRole('columnheader', { name }).isVisible()).toBe(true);
      await expect.poll(() => table.getByRole('button', { name: 'Timeline' }).first().isVisible()).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-layout-compare-${width}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // Columns can be shown and hidden: MB/s waits in the menu, Efficiency can go.
    await page.getByRole('button', { name: /^Columns/ }).click();
    expect(await table.getByRole('columnheader', { name: 'MB/s' }).count()).toBe(0);
    await page.getByRole('menuitemcheckbox', { name: 'MB/s' }).click();
    await expect.poll(() => table.getByRole('columnheader', { name: 'MB/s' }).count()).toBe(1);
    await page.getByRole('menuitemcheckbox', { name: 'Efficiency' }).click();
    await expect.poll(() => table.getByRole('columnheader', { name: 'Efficiency' }).count()).toBe(0);
    expect(await page.getByRole('menuitemcheckbox', { name: 'Efficiency' }).getAttribute('aria-checked')).toBe('false');
    // The choice lasts across a reload.
    await page.reload();
    await page.getByRole('tab', { name: 'Compare' }).click();
    await expect.poll(() => table.getByRole('columnheader', { name: 'MB/s' }).count()).toBe(1);
    expect(await table.getByRole('columnheader', { name: 'Efficiency' }).count()).toBe(0);
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('menuitemcheckbox', { name: 'MB/s' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Efficiency' }).click();
    await page.keyboard.press('Escape');

    // A row's details show what the columns leave out.
    const row = page.getByTestId('compare-row').first();
    await row.getByRole('button', { name: /Details/ }).click();
    const details = page.getByTestId('run-details');
    await details.waitFor();
    expect(await details.textContent()).toMatch(/SHA-256/);
  });

  it('shows a damaged file\'s error inside the Open dialog, beside the file and clear of its buttons', async () => {
    await page.getByRole('button', { name: 'Open…' }).click();
    const dialog = page.getByTestId('file-browser');
    for (const name of ['not_hdf5.h5', 'truncated.h5']) {
      const entry = dialog.getByTestId('browser-entry').filter({ hasText: name });
      await entry.click();
      await expect.poll(() => entry.getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
      await entry.press('Enter');
      const error = dialog.getByTestId('dialog-error');
      await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain(name);
      expect(await error.textContent()).not.toMatch(/\n\s+at |Error:|\.ts:\d+/);
      expect(await page.getByTestId('notice').filter({ hasText: name }).count()).toBe(0);
      await expectBesideButtons(error, dialog);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-layout-open-error.png') });
    // The dialog still works: a good file opens.
    // Selected with a click, opened with Enter.
    await dialog.getByTestId('browser-entry').filter({ hasText: /^coords_1k\.h5/ }).click();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('open-files').textContent()).toContain('coords_1k.h5');
  });

  it('shows a damaged dataset\'s error in the data pane', async () => {
    await openFileInSidebar(page, 'damaged_chunk.h5');
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Data', exact: true }).click();
    // A point set's view: its error is said in words where the scatter would be.
    const error = page.getByTestId('dataset-view').getByTestId('view-error');
    await expect.poll(() => error.textContent(), { timeout: 30_000 }).toMatch(/damaged_chunk\.h5: \/coords: .*damaged/);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-layout-damaged-dataset.png') });
    expect(await page.getByTestId('notice').filter({ hasText: 'damaged_chunk' }).count()).toBe(0);
  });

  it('opens files dropped on the page: stored in the uploads folder under the root, a damaged one refused and not kept', async () => {
    await page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name: 'Inspect' }).click();
    await dropFiles([{ name: 'dropped.h5', bytes: readFileSync(corpusFile('coords_1k.h5')) }]);
    await expect.poll(() => page.getByTestId('open-files').textContent(), { timeout: 20_000 }).toContain('dropped.h5');
    const stored = join(root, 'h5blocks-uploads', 'dropped.h5');
    expect(sha256File(stored)).toBe(sha256File(corpusFile('coords_1k.h5')));
    await expect.poll(() => treeNode(page, '/coords').getAttribute('aria-selected')).toBe('true');

    await dropFiles([{ name: 'broken.h5', bytes: readFileSync(corpusFile('not_hdf5.h5')) }]);
    const notice = page.getByTestId('notice').filter({ hasText: 'broken.h5' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/Opening broken\.h5 failed/);
    expect(readdirSync(join(root, 'h5blocks-uploads'))).toEqual(['dropped.h5']);
    await dismissNotices();
  });

  it('saves a copy through the same folder browser as Open, and asks before replacing a file', async () => {
    await openFileInSidebar(page, 'coords_1k.h5');
    await page.getByRole('button', { name: 'Save As…' }).click();
    const dialog = page.getByTestId('save-as-dialog');
    await expect.poll(() => dialog.getByTestId('browser-folder').textContent()).toBe(root);
    await dialog.getByTestId('browser-entry').filter({ hasText: 'copies' }).click();
    await expect.poll(() => dialog.getByTestId('browser-folder').textContent()).toBe(join(root, 'copies'));
    await dialog.getByLabel('File name').fill('first copy.h5');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const copy = join(root, 'copies', 'first copy.h5');
    expect(sha256File(copy)).toBe(sha256File(join(root, 'coords_1k.h5')));
    await expect.poll(() => page.getByTestId('open-files').textContent()).toContain('first copy.h5');
    await dismissNotices();

    // Again onto that name, from another file: the dialog asks, and replaces only when told to.
    await openFileInSidebar(page, 'links.h5');
    await page.getByRole('button', { name: 'Save As…' }).click();
    await dialog.getByTestId('browser-entry').filter({ hasText: 'copies' }).click();
    await dialog.getByTestId('browser-entry').filter({ hasText: 'first copy.h5' }).click();
    expect(await dialog.getByLabel('File name').inputValue()).toBe('first copy.h5');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    const confirmation = dialog.getByTestId('replace-confirmation');
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toContain('already exists');
    expect(sha256File(copy)).toBe(sha256File(join(root, 'coords_1k.h5')));
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-layout-save-replace.png') });
    await dialog.getByRole('button', { name: 'Replace', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(sha256File(copy)).toBe(sha256File(join(root, 'links.h5')));
    await dismissNotices();

    // Outside the served folders: said in the dialog, clear of its buttons, and nothing written.
    await page.getByRole('button', { name: 'Save As…' }).click();
    await dialog.getByLabel('File name').fill(join(outside, 'escaped.h5'));
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    const error = dialog.getByTestId('dialog-error');
    await expect.poll(() => error.textContent()).toContain('outside the folders');
    await expectBesideButtons(error, dialog);
    expect(existsSync(join(outside, 'escaped.h5'))).toBe(false);

    // A read-only folder: browsed to, refused in the dialog.
    await dialog.getByRole('button', { name: 'Top' }).click();
    await expect.poll(() => dialog.getByTestId('browser-folder').textContent()).toBe(root);
    await dialog.getByTestId('browser-entry').filter({ hasText: 'read-only' }).click();
    await expect.poll(() => dialog.getByTestId('browser-folder').textContent()).toBe(join(root, 'read-only'));
    await dialog.getByLabel('File name').fill('x.h5');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => error.textContent()).toMatch(/read-only: cannot save a copy there: (the folder is read-only|permission denied)/);
    await expectBesideButtons(error, dialog);
    expect(readdirSync(join(root, 'read-only'))).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows where an external link points and opens its target, or says why it cannot', async () => {
    await openFileInSidebar(page, 'links.h5');
    await treeNode(page, '/to_coords').click();
    await page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name: 'Inspect' }).click();
    expect(await page.getByTestId('link-target-file').textContent()).toBe('coords_1k.h5');
    expect(await page.getByTestId('link-target-object').textContent()).toBe('/coords');
    await expect.poll(() => treeNode(page, '/to_coords').textContent()).toContain('coords_1k.h5:/coords');
    await page.getByTestId('open-link-target').click();
    await expect.poll(() => page.getByTestId('inspector-path').textContent()).toBe('/coords');
    expect(await page.locator('.file-list li.active').textContent()).toContain('coords_1k.h5');
    expect(await page.getByTestId('inspector-shape').textContent()).toBe('1,000 × 2');

    await openFileInSidebar(page, 'links.h5');
    await treeNode(page, '/to_missing').click();
    await page.getByTestId('open-link-target').click();
    await expect.poll(() => page.getByTestId('link-target-error').textContent()).toMatch(/to_missing points to missing\.h5, which does not exist/);

    await treeNode(page, '/to_outside').click();
    await page.getByTestId('open-link-target').click();
    await expect.poll(() => page.getByTestId('link-target-error').textContent()).toMatch(/outside the folders this server may open/);
    expect(app.pageErrors).toEqual([]);
  });
});
