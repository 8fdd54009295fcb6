// The served app beside a real libhdf5 program (Debian's h5py in a child
// process): browsing holds no lock, a change h5py makes shows in the tree
// within seconds, and a run on a file h5py holds is refused at the Run button
// with a Retry. Needs `npx electron-vite build`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { contentsOf, h5pyScript, holdWithH5py, type H5pyHolder } from './support/h5py';
import { startServedApp, treeNode, type ServedApp } from './support/servedApp';

let app: ServedApp;
let folder: string;
let file: string;
const holders: H5pyHolder[] = [];

beforeAll(async () => {
  folder = makeTempFolder('beside-h5py');
  file = copyCorpus('coords_1k.h5', folder, 'notebook.h5');
  app = await startServedApp([file]);
  await treeNode(app.page, '/coords').waitFor({ timeout: 30_000 });
}, 60_000);

afterEach(() => {
  for (const holder of holders.splice(0)) holder.kill();
});

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

describe('the app with a file open while h5py works on it', () => {
  it('h5py opens it for writing while the app shows it (no lock held), adds a dataset: the tree shows it within seconds, the selection stays, a quiet notice says so', async () => {
    const { page } = app;
    await treeNode(page, '/coords').click();
    await expect.poll(() => treeNode(page, '/coords').getAttribute('aria-selected')).toBe('true');
    for (const name of ['from_notebook', 'second_cell']) {
      const wrote = await h5pyScript(`
with h5py.File(sys.argv[1], 'r+') as f:
    f['${name}'] = np.arange(12, dtype='f8').reshape(4, 3)
`, file);
      expect(wrote.error).toBe('');
      await expect.poll(() => treeNode(page, `/${name}`).count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => page.locator('.notice-stack').textContent(), { timeout: 5_000 }).toContain('notebook.h5 changed on disk; reloaded');
      expect(await treeNode(page, '/coords').getAttribute('aria-selected')).toBe('true');
    }
    expect(app.pageErrors).toEqual([]);
  }, 60_000);

  it('a selected dataset another program removes: the selection moves to the group above', async () => {
    const { page } = app;
    await treeNode(page, '/from_notebook').click();
    await expect.poll(() => treeNode(page, '/from_notebook').getAttribute('aria-selected')).toBe('true');
    // HDF5 1.10's h5py unlinks in place; the file is rewritten, not replaced.
    const removed = await h5pyScript(`
with h5py.File(sys.argv[1], 'r+') as f:
    del f['from_notebook']
`, file);
    expect(removed.error).toBe('');
    await expect.poll(() => treeNode(page, '/from_notebook').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => treeNode(page, '/').getAttribute('aria-selected')).toBe('true');
  }, 60_000);

  it('File > Reload reads the file again on demand', async () => {
    const { page } = app;
    await page.getByTestId('reload-file').click();
    await expect.poll(() => page.locator('.notice-stack').textContent(), { timeout: 5_000 }).toContain('notebook.h5 reloaded');
    expect(await treeNode(page, '/coords').count()).toBe(1);
  }, 30_000);

  it('a run while h5py holds the file: the same sentence at the Run button with a Retry, which runs once h5py closed it', async () => {
    const { page } = app;
    const holder = await holdWithH5py(file, 'r');
    holders.push(holder);
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByLabel('Use a new name', { exact: true }).check();
    await page.getByTestId('run-button').click();
    const blocked = page.getByTestId('run-blocked');
    await expect.poll(() => blocked.textContent(), { timeout: 30_000 }).toContain(`notebook.h5: open in another program (python3, pid ${holder.pid}); close it there and run again`);
    expect(await page.locator('[role="dialog"]').count()).toBe(0);
    await holder.close();
    await page.getByTestId('run-retry').click();
    await expect.poll(() => treeNode(page, '/distances').count(), { timeout: 60_000 }).toBe(1);
    expect(await blocked.count()).toBe(0);
    expect((await contentsOf(file)).distancesCorrect).toBe(true);
  }, 120_000);
});
