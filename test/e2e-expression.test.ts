// The expression box in Chromium over `h5blocks serve`: a refused expression
// is said under the box as it is typed, a good one shows its first 10 results
// (the figures numpy computes from the same file with h5py), and running it
// writes the output into the tree and puts the expression in the runs table.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot, systemPython } from './support/paths';
import { ARTIFACTS, startServedApp, treeNode, type ServedApp } from './support/servedApp';

const EXPRESSION = 'hypot(x[0] - 0.5, x[1] - 0.5)';
let file: string;
let app: ServedApp;
let page: Page;

beforeAll(async () => {
  file = join(makeTempFolder('e2e-expression'), 'points.h5');
  execFileSync(process.execPath, [cliScript, 'sample', file, '--rows', '5000'], { cwd: projectRoot });
  app = await startServedApp([file], { width: 1280, height: 800 });
  page = app.page;
  await treeNode(page, '/coords').waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  removeTempFolders();
});

/** numpy's float32 results of the expression on the first `rows` rows, as the doubles they are. */
function numpyFirstRows(rows: number): number[] {
  const out = execFileSync(systemPython, ['-c', `
import sys, json, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    x = f['coords'][:${rows}].astype('f8')
print(json.dumps([float(v) for v in np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5).astype('f4')]))
`, file], { encoding: 'utf8' });
  return JSON.parse(out) as number[];
}

describe('the expression box in the browser', () => {
  it('refuses a bad expression under the box, previews a good one as numpy computes it, runs it and lists it', async () => {
    await treeNode(page, '/coords').click();
    await page.getByRole('tab', { name: 'Run', exact: true }).click();
    await page.getByTestId('compute-choice').selectOption('expr');
    const box = page.getByTestId('expression-input');

    // Typed key by key: the answer for the whole text is what stays.
    await box.pressSequentially('hypot(x[0], x[5])');
    const message = page.getByTestId('expression-message');
    await expect.poll(async () => (await page.getByTestId('expression-pending').count()) === 0 && await message.textContent(), { timeout: 15_000 })
      .toBe('At character 15: column 5 is out of range for this dataset: it goes from 0 to 1 (or -2 to -1 from the end)');
    expect(await page.getByTestId('expression-at').locator('mark').textContent()).toBe('5');
    expect(await page.getByTestId('run-button').isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-expression-refused.png') });

    await box.fill('');
    await box.pressSequentially(EXPRESSION);
    const values = page.getByTestId('preview-value');
    // Settled: the answer for the whole text (an older answer stays dimmed while a newer one is asked).
    const pending = page.getByTestId('expression-pending');
    await expect.poll(async () => (await pending.count()) === 0 && await values.count(), { timeout: 15_000 }).toBe(10);
    const shown = (await values.allTextContents()).map(Number);
    const expected = numpyFirstRows(10);
    // Each value shown is the shortest decimal of the float32 the run writes: it reads back as numpy's float32.
    expect(shown.map((value) => Math.fround(value))).toEqual(expected);
    expect(await page.getByTestId('expression-preview').textContent()).toContain('The first 10 of 5,000 results (float32)');
    expect(await page.getByTestId('resolved-output').textContent()).toContain('/coords_expr');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-expression-preview.png') });

    await expect.poll(() => page.getByTestId('run-button').isDisabled(), { timeout: 15_000 }).toBe(false);
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('run-output-link').textContent(), { timeout: 120_000 }).toBe('/coords_expr');
    await treeNode(page, '/coords_expr').waitFor({ timeout: 30_000 });

    // The file holds what numpy computes, every row.
    const same = execFileSync(systemPython, ['-c', `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    x = f['coords'][:].astype('f8')
    out = f['coords_expr'][:]
print(bool(np.array_equal(out, np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5).astype('f4'))))
`, file], { encoding: 'utf8' }).trim();
    expect(same).toBe('True');

    // Offered again from the box.
    expect(await page.locator('[data-testid="recent-expressions"] option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual([EXPRESSION]);

    await page.getByRole('tab', { name: 'Compare', exact: true }).click();
    const cell = page.getByTestId('compare-row').first().getByTestId('run-expression');
    await cell.waitFor({ timeout: 30_000 });
    expect(await cell.textContent()).toBe(` · ${EXPRESSION}`);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-expression-compare.png') });
    expect(app.pageErrors).toEqual([]);
  }, 300_000);
});
