// The Data tab in a real browser: h5web's viewer over `h5blocks serve`, on a
// file h5py wrote with a 2-D image, a 3-D uint8 stack, an RGB image, complex
// numbers and a NeXus entry. WebGL comes from SwiftShader in headless Chromium,
// so what is checked is what a user sees: pixels on the plot's canvas.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { ARTIFACTS, canvasSignature, openFileInSidebar, startServedApp, treeNode, type ServedApp } from './support/servedApp';

let app: ServedApp;
let page: Page;
const VIEWER = '[data-testid="h5web-viewer"]';

async function showData(path: string) {
  await treeNode(page, path).click();
  await page.getByRole('tab', { name: 'Data', exact: true }).click();
  await expect.poll(() => page.locator(VIEWER).getAttribute('data-path'), { timeout: 20_000 }).toBe(path);
}

/** The plot's picture once it has been drawn and stopped changing. */
async function settledPicture(minColours = 20): Promise<{ distinct: number; hash: string }> {
  let last: string | undefined;
  let picture: { distinct: number; hash: string } | null = null;
  await expect.poll(async () => {
    picture = await canvasSignature(page, VIEWER);
    const same = picture !== null && picture.distinct > minColours && picture.hash === last;
    last = picture?.hash;
    return same;
  }, { timeout: 30_000, interval: 300 }).toBe(true);
  return picture!;
}

function visTab(name: string) {
  return page.locator(VIEWER).getByRole('tab', { name, exact: true });
}

beforeAll(async () => {
  const folder = makeTempFolder('e2e-data');
  const views = join(folder, 'views.h5');
  execFileSync(systemPython, [join(projectRoot, 'test/support/make_views.py'), views]);
  app = await startServedApp([views, copyCorpus('dtypes.h5', folder)]);
  page = app.page;
  await openFileInSidebar(page, 'views.h5');
});

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

describe('data views on h5web', () => {
  it('draws a 2-D dataset as a heatmap, and redraws it on a symlog scale and another colormap', async () => {
    await showData('/image');
    expect(await visTab('Heatmap').getAttribute('aria-selected')).toBe('true');
    const linear = await settledPicture();
    expect(linear.distinct).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-data-heatmap.png') });
    await page.screenshot({ path: join(projectRoot, 'resources/screenshot-data.png') });

    await page.locator(VIEWER).getByRole('combobox').filter({ hasText: 'Linear' }).click();
    await page.getByRole('option', { name: 'SymLog' }).click();
    const symlog = await settledPicture();
    expect(symlog.hash).not.toBe(linear.hash);

    await page.locator(VIEWER).getByRole('combobox').filter({ hasText: 'Viridis' }).click();
    await page.getByRole('option', { name: 'Inferno' }).first().click();
    const inferno = await settledPicture();
    expect(inferno.hash).not.toBe(symlog.hash);
  });

  it('slices a 3-D uint8 stack with the dimension mapper and redraws the slice', async () => {
    await showData('/stack');
    const first = await settledPicture();
    const slider = page.locator(VIEWER).getByRole('slider', { name: 'D0' });
    expect(await slider.getAttribute('aria-valuenow')).toBe('0');
    await slider.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('1');
    const second = await settledPicture();
    expect(second.hash).not.toBe(first.hash);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-data-stack.png') });
  });

  it('shows an RGB image, complex numbers and a NeXus plot', async () => {
    await showData('/rgb');
    await visTab('RGB').click();
    expect((await settledPicture()).distinct).toBeGreaterThan(100);

    await showData('/waves');
    expect(await visTab('Line').getAttribute('aria-selected')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-data-complex.png') });
    await settledPicture(2);
    expect(await page.locator(VIEWER).textContent()).toMatch(/Amplitude/);

    await showData('/entry');
    expect(await visTab('NX Line').getAttribute('aria-selected')).toBe('true');
    await settledPicture(2);
    expect(await page.locator(VIEWER).textContent()).toContain('counts');
  });

  it('shows a compound dataset as a text table and keeps the page free of errors', async () => {
    await openFileInSidebar(page, 'dtypes.h5');
    await treeNode(page, '/compound_xy').click();
    await page.getByTestId('data-table').waitFor();
    expect(await page.getByTestId('table-extent').textContent()).toContain('3,000 rows × 3 fields');
    expect(app.pageErrors).toEqual([]);
  });
});
