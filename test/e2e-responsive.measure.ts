// The page never freezes during a run: a 5 M-row gzip file, 611 blocks, with
// each tab open, while a requestAnimationFrame loop in the page measures the
// longest gap between frames, during the run and in the 3 s after it. And the
// live Timeline costs the run at most a few percent: runs with it open and
// closed alternate, and their median wall times are compared.
//
// Both figures are asserted (the issue's targets plus a stated margin for a
// shared machine), printed, and written to test-artifacts/responsiveness.json,
// with the page's own long tasks beside them: a frame gap without a long task
// is the machine's doing (other processes had the CPU), not the page's.
//
// Second measurement: a view loading never freezes the page. In the Data tab,
// four datasets of the kind a scientist opens first (a 2 M × 2 float32 gzip
// point set, a 2 M-value line, a 200 × 256 × 256 uint16 stack, a compound
// table; written by h5py) are opened in turn, and the same monitor records the
// longest frame gap and the page's longest task from the click on the tree
// until the view shows its data.
// `npm run measure:responsive` runs this file alone.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/shared/api';
import { makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot, systemPython } from './support/paths';
import { ARTIFACTS, startServedApp, treeNode, type ServedApp } from './support/servedApp';

const ROWS = 5_000_000;
const BLOCK_ROWS = 8192; // 611 blocks, as in the report that found the stalls
/**
 * The issue's target is 100 ms. The assertion adds 50 ms for the test machine:
 * 2 cores shared by the run's three threads and the browser's processes, where
 * the scheduler alone can hold a frame back by tens of milliseconds. Measured
 * on an idle 2-core machine in two runs of this file: 17 and 33 ms at most on
 * every tab, no task of the page of 50 ms; in a CDP trace the longest task as a
 * finished Timeline mounts took 10-18 ms (29-44 ms before its histogram left
 * ECharts, 104-125 ms in the earlier runs the README cites).
 */
const FRAME_GAP_BUDGET_MS = 100;
const FRAME_GAP_MARGIN_MS = 50;
/** The target is 5 % slower with the Timeline open; medians of 3 runs each, plus 5 points for run-to-run noise. */
const TIMELINE_SLOWDOWN_BUDGET = 0.05;
const TIMELINE_SLOWDOWN_MARGIN = 0.05;

let app: ServedApp;
let page: Page;

type Tab = 'Inspect' | 'Data' | 'Run' | 'Timeline' | 'Compare';

interface FrameMonitor {
  max: number;
  last: number;
  running: boolean;
  longestTask: number;
  observer: PerformanceObserver;
}

async function startFrameMonitor() {
  await page.evaluate(() => {
    const state = { max: 0, last: performance.now(), running: true, longestTask: 0, observer: null as unknown as PerformanceObserver };
    state.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.longestTask = Math.max(state.longestTask, entry.duration);
    });
    state.observer.observe({ type: 'longtask' });
    (window as unknown as { frameGaps: typeof state }).frameGaps = state;
    const tick = (now: number) => {
      state.max = Math.max(state.max, now - state.last);
      state.last = now;
      if (state.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** The longest gap between frames, and the page's own longest task (0 when none took 50 ms). */
async function stopFrameMonitor(): Promise<{ gapMs: number; longestTaskMs: number }> {
  return page.evaluate(() => {
    const state = (window as unknown as { frameGaps: FrameMonitor }).frameGaps;
    state.running = false;
    state.observer.disconnect();
    return { gapMs: Math.max(state.max, performance.now() - state.last), longestTaskMs: state.longestTask };
  });
}

/** Starts a pool run from the Run tab, looks at `tab` while it goes, and returns the longest frame gap. */
async function runWhileLookingAt(tab: Tab): Promise<{ gapMs: number; longestTaskMs: number }> {
  // The input stays selected after a run: the next one starts from the same form.
  await page.getByRole('tab', { name: 'Run', exact: true }).click();
  const runTab = page.getByRole('tab', { name: 'Run', exact: true });
  const before = await runTab.getAttribute('data-run-id');
  await page.getByLabel('pool', { exact: true }).check();
  await page.getByLabel('Workers').fill('2');
  await page.getByLabel('Block rows').fill(String(BLOCK_ROWS));
  await page.getByLabel('Overwrite', { exact: true }).check();
  await page.getByTestId('run-button').click();
  if (tab !== 'Run') await page.getByRole('tab', { name: tab, exact: true }).click();
  // The tab's own first paint is not part of the run; measuring starts once it is on screen.
  await expect.poll(() => page.locator('.suspense-note').count()).toBe(0);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await startFrameMonitor();
  // A finished run names its output (the Run tab's summary changes, whichever tab is open).
  await expect.poll(async () => (await runTab.getAttribute('data-run-id')) !== before && (await runTab.getAttribute('data-run-status')) === 'finished', { timeout: 120_000 }).toBe(true);
  await page.waitForTimeout(3000);
  return stopFrameMonitor();
}

async function exportedRuns(): Promise<RunRecord[]> {
  await page.getByRole('tab', { name: 'Compare', exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const target = join(ARTIFACTS, 'responsive-runs.json');
  await download.saveAs(target);
  return (JSON.parse(readFileSync(target, 'utf8')) as { runs: RunRecord[] }).runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

afterAll(() => removeTempFolders());

describe('a run never freezes the page', () => {
  beforeAll(async () => {
    const folder = makeTempFolder('e2e-responsive');
    const file = join(folder, 'five_million.h5');
    execFileSync(process.execPath, [cliScript, 'sample', file, '--rows', String(ROWS), '--chunked', '--gzip'], { cwd: projectRoot });
    // Chromium composites the page with software GL here (SwiftShader), which redraws every frame in full and took
    // a core's worth of CPU from the 2-core machine, more than the page itself; its own software compositor, which
    // machines without a usable GPU get and which redraws only what changed, models a desktop's GPU better.
    // WebGL (h5web) still runs on SwiftShader.
    app = await startServedApp([file], { chromiumArgs: ['--disable-gpu-compositing'] });
    page = app.page;
    await treeNode(page, '/coords').waitFor();
  });

  afterAll(async () => {
    await app?.close();
  });

  it(`keeps every frame gap under ${FRAME_GAP_BUDGET_MS} ms with any tab open, and the Timeline costs the run under 5 %`, async () => {
    // Timeline closed and open alternate, so drifts in machine load hit both alike.
    const order: Tab[] = ['Run', 'Timeline', 'Run', 'Timeline', 'Run', 'Timeline', 'Inspect', 'Data', 'Compare'];
    const gaps: { tab: Tab; gapMs: number; longestTaskMs: number }[] = [];
    for (const tab of order) gaps.push({ tab, ...(await runWhileLookingAt(tab)) });
    const runs = (await exportedRuns()).slice(-order.length);
    const wall = (tab: Tab) => runs.filter((_, i) => order[i] === tab).map((r) => r.wallMs);
    const closed = median(wall('Run'));
    const open = median(wall('Timeline'));
    const slowdown = open / closed - 1;
    const longest = Math.max(...gaps.map((g) => g.gapMs));
    const report = { rows: ROWS, blocks: runs[0].blocks.length, gaps, wallMsTimelineClosed: wall('Run'), wallMsTimelineOpen: wall('Timeline'), slowdown, longestGapMs: longest };
    writeFileSync(join(ARTIFACTS, 'responsiveness.json'), JSON.stringify(report, null, 2));
    console.log(`longest frame gap ${longest.toFixed(0)} ms (${gaps.map((g) => `${g.tab} ${g.gapMs.toFixed(0)}`).join(', ')}); `
      + `longest task of the page ${Math.max(...gaps.map((g) => g.longestTaskMs)).toFixed(0)} ms (${gaps.map((g) => `${g.tab} ${g.longestTaskMs.toFixed(0)}`).join(', ')}); `
      + `Timeline open ${(slowdown * 100).toFixed(1)} % slower (median ${open.toFixed(0)} ms vs ${closed.toFixed(0)} ms)`);

    expect(runs[0].blocks).toHaveLength(Math.ceil(ROWS / BLOCK_ROWS));
    expect(longest).toBeLessThan(FRAME_GAP_BUDGET_MS + FRAME_GAP_MARGIN_MS);
    expect(slowdown).toBeLessThan(TIMELINE_SLOWDOWN_BUDGET + TIMELINE_SLOWDOWN_MARGIN);
    // The output is in the tree and the input still selected, ready for the next run.
    expect(await treeNode(page, '/distances').count()).toBe(1);
    expect(await treeNode(page, '/coords').getAttribute('aria-selected')).toBe('true');
    expect(app.pageErrors).toEqual([]);
  }, 600_000);
});

/** One dataset to open, and what on the page says its view shows its data (checked every frame, cheaply: no pixel reads). */
interface ViewCase {
  path: string;
  view: string;
  shown: { selector: string; text?: string };
}

const VIEW_CASES: ViewCase[] = [
  // 2,000,000 × 2 float32, gzip: a scatter of a sample, with its first rows beside it.
  { path: '/coords', view: 'points', shown: { selector: '[data-testid="dataset-view"][data-path="/coords"] [data-testid="scatter-plot"] canvas' } },
  { path: '/coords', view: 'points (first rows)', shown: { selector: '[data-testid="dataset-view"][data-path="/coords"] [data-testid="data-table"] [role="row"][aria-rowindex="3"] [role="gridcell"]', text: '.' } },
  // 2,000,000 float32: a line of the min and max of each pixel's run of values.
  { path: '/distances', view: 'line', shown: { selector: '[data-testid="dataset-view"][data-path="/distances"] [data-testid="line-overview"][data-exact="false"] [data-testid="line-plot"] canvas' } },
  // 200 × 256 × 256 uint16: h5web's heatmap of the first slice (its canvas mounts once the slice is read).
  { path: '/stack', view: 'heatmap', shown: { selector: '[data-testid="h5web-viewer"][data-path="/stack"] canvas' } },
  // A compound table: one column per field.
  { path: '/table', view: 'table', shown: { selector: '[data-testid="dataset-view"][data-path="/table"] [data-testid="data-table"] [role="row"][aria-rowindex="3"] [role="gridcell"]', text: '0.5' } },
];

describe('a view loading never freezes the page', () => {
  let viewsApp: ServedApp;

  beforeAll(async () => {
    const file = join(makeTempFolder('e2e-responsive-views'), 'scientist.h5');
    execFileSync(systemPython, [join(projectRoot, 'test/support/make_scientist_data.py'), file]);
    viewsApp = await startServedApp([file], { width: 1280, height: 800, chromiumArgs: ['--disable-gpu-compositing'] });
    page = viewsApp.page;
    await treeNode(page, '/coords').waitFor();
    await page.getByRole('tab', { name: 'Data', exact: true }).click();
    // The app loads its views' code and probes WebGL in idle periods after start; a user's first click comes later.
    await page.waitForTimeout(3000);
  });

  afterAll(async () => {
    await viewsApp?.close();
  });

  it(`keeps every frame gap under ${FRAME_GAP_BUDGET_MS} ms from the click until a 2 M-point scatter, a 2 M-value line, a 200-slice stack and a compound table show their data`, async () => {
    const results: { dataset: string; view: string; shownAfterMs: number; gapMs: number; longestTaskMs: number }[] = [];
    // The scatter's plot and its table of first rows are two parts of one view: one click, measured until both show.
    const byPath = new Map<string, ViewCase[]>();
    for (const entry of VIEW_CASES) byPath.set(entry.path, [...(byPath.get(entry.path) ?? []), entry]);
    for (const [path, cases] of byPath) {
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await startFrameMonitor();
      const clicked = await page.evaluate(() => performance.now());
      await treeNode(page, path).click();
      const shown = cases.map((c) => c.shown);
      const handle = await page.waitForFunction((wanted) => wanted.every(({ selector, text }) => {
        const element = document.querySelector(selector);
        return element !== null && (text === undefined || (element.textContent ?? '').includes(text));
      }) ? performance.now() : false, shown, { polling: 'raf', timeout: 120_000 });
      const shownAt = (await handle.jsonValue()) as number;
      // The frame that draws what just mounted (WebGL canvases draw in the next animation frame).
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const figures = await stopFrameMonitor();
      expect(await page.locator(`[data-testid="dataset-view"][data-path="${path}"], [data-testid="h5web-viewer"][data-path="${path}"]`).count()).toBeGreaterThan(0);
      results.push({ dataset: path, view: cases[0].view, shownAfterMs: Math.round(shownAt - clicked), gapMs: Math.round(figures.gapMs), longestTaskMs: Math.round(figures.longestTaskMs) });
      // The next dataset is clicked once this one's view has settled.
      await page.waitForTimeout(1000);
    }
    const longest = Math.max(...results.map((r) => r.gapMs));
    writeFileSync(join(ARTIFACTS, 'responsiveness-views.json'), JSON.stringify({ results, longestGapMs: longest }, null, 2));
    console.log(`opening views: longest frame gap ${longest} ms, longest task of the page ${Math.max(...results.map((r) => r.longestTaskMs))} ms (0: none of 50 ms)`);
    console.table(results);

    expect(results.map((r) => r.dataset)).toEqual(['/coords', '/distances', '/stack', '/table']);
    expect(await page.locator('[data-testid="dataset-view"][data-path="/table"]').getAttribute('data-view')).toBe('table');
    expect(longest).toBeLessThan(FRAME_GAP_BUDGET_MS + FRAME_GAP_MARGIN_MS);
    expect(viewsApp.pageErrors).toEqual([]);
  }, 600_000);
});
