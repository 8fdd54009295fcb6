// The real desktop app, driven through Playwright, wherever an Electron binary can run.
// This machine class (CI, containers) usually has none: then the test is skipped and says why.
import { _electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { probeElectron } from '../scripts/electronBinary.mjs';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { projectRoot } from './support/paths';

const electron = probeElectron(projectRoot);
const hasElectron = electron.ok;
const title = electron.ok
  ? `Electron ${electron.version} smoke test`
  : `Electron smoke test (skipped: ${electron.reason})`;

afterAll(() => removeTempFolders());

describe(title, () => {
  it.skipIf(!hasElectron)('opens the window on the given file and talks to the main process only through window.h5blocks', async () => {
    if (!electron.ok) return;
    const folder = makeTempFolder('electron-smoke');
    const file = copyCorpus('coords_1k.h5', folder);
    const app = await _electron.launch({
      executablePath: electron.path, args: ['.', file], cwd: projectRoot,
      env: { ...process.env, H5BLOCKS_USER_DATA: makeTempFolder('electron-smoke-userdata') },
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(await page.title()).toBe('h5blocks');
      // No Node in the page; the bridge has exactly two functions.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => Object.keys(window.h5blocks ?? {}).sort())).toEqual(['call', 'on']);
      const info = await page.evaluate(() => window.h5blocks!.call('appInfo', []));
      expect(info).toMatchObject({ ok: true, result: { host: 'electron', electronVersion: expect.any(String), hdf5Version: expect.stringMatching(/^\d/) } });
      await expect.poll(() => page.evaluate(() => window.h5blocks!.call('listFiles', [])))
        .toMatchObject({ ok: true, result: [expect.objectContaining({ path: file })] });
      // A path the user never pointed at is refused, and so is navigation away.
      const refused = await page.evaluate(() => window.h5blocks!.call('openPath', ['/etc/hostname']));
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const before = page.url();
      await page.evaluate(() => {
        location.href = 'https://example.com/';
      }).catch(() => undefined);
      await page.waitForTimeout(300);
      expect(page.url()).toBe(before);
    } finally {
      await app.close();
    }
  });
});
