// @vitest-environment jsdom
// The Dask strategy in the app: the "Dask cluster" choice with its remembered
// scheduler address, lanes named by Dask worker, the bit-identical note and the
// script export in the comparison.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { RunParams } from '../src/shared/api';
import type { Entity } from '../src/shared/entities';
import type { RunResult } from '../src/shared/run';
import { asRecords, corpusEntities, FakeApi, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

const FILE = '/data/coords_1k.h5';
const WORKERS = ['tcp://127.0.0.1:40001', 'tcp://127.0.0.1:40002'];
let coords: Map<string, Entity>;
let pool: RunResult;

/** A pool run's timings as a Dask run reports them: the same blocks, on two Dask workers' lanes. */
function asDaskRun(run: RunResult, id: string, outputSha256 = run.outputSha256): RunResult {
  return {
    ...run, id, strategy: 'dask', scheduler: 'tcp://127.0.0.1:8786', outputSha256,
    // The pool run's own worker threads (their start-up spans) are not a Dask run's.
    runPhases: run.runPhases.filter((p) => p.lane === 'main'),
    blocks: run.blocks.map((block) => ({
      ...block,
      phases: block.phases.filter((p) => p.lane !== 'main' || p.phase === 'write')
        .map((p) => (p.lane === 'main' ? { ...p, phase: 'merge' as const } : { ...p, lane: WORKERS[block.index % 2] })),
    })),
  };
}

beforeAll(() => {
  coords = corpusEntities('coords_1k.h5');
  pool = realRun('coords_1k.h5', 'pool', 2, 200);
});
let downloads: { name: string; text: Promise<string> }[];
beforeEach(() => {
  window.localStorage.clear();
  downloads = [];
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = () => {};
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, text: blobs.get(this.href)!.text() });
  });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});
afterAll(removeTempFolders);

async function openRunTab(fake: FakeApi) {
  render(<App client={fake.client} />);
  const row = await waitFor(() => {
    const found = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === '/coords');
    if (!found) throw new Error('no /coords yet');
    return found;
  });
  fireEvent.click(row);
  fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
  return screen.findByTestId('run-button');
}

describe('the Dask cluster choice', () => {
  it('sends the scheduler address with the run, refuses one that is not an address, and remembers it', async () => {
    const started: RunParams[] = [];
    const fake = new FakeApi({
      files: [{ name: 'coords_1k.h5', entities: coords }],
      onStartRun: (params, f) => {
        started.push(params);
        return { runId: f.newRunId() };
      },
    });
    const runButton = await openRunTab(fake);
    expect(screen.queryByTestId('dask-scheduler')).toBeNull();
    fireEvent.click(screen.getByLabelText('dask'));
    expect(screen.getByLabelText('dask').closest('label')!.textContent).toContain('Dask cluster');
    const field = screen.getByTestId('dask-scheduler') as HTMLInputElement;
    expect(field.value).toBe('');

    fireEvent.change(field, { target: { value: 'my laptop' } });
    expect(screen.getByText(/A Dask scheduler address, such as tcp:\/\/host:8786/)).toBeTruthy();
    expect((runButton as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(field, { target: { value: 'tcp://10.0.0.5:8786' } });
    expect((screen.getByLabelText('Workers') as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(runButton);
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0]).toMatchObject({ strategy: 'dask', scheduler: 'tcp://10.0.0.5:8786', dataset: '/coords' });

    cleanup();
    await openRunTab(fake);
    fireEvent.click(screen.getByLabelText('dask'));
    expect((screen.getByTestId('dask-scheduler') as HTMLInputElement).value).toBe('tcp://10.0.0.5:8786');
  });

  it('without an address: a local cluster of the chosen workers, no scheduler sent', async () => {
    const started: RunParams[] = [];
    const fake = new FakeApi({
      files: [{ name: 'coords_1k.h5', entities: coords }], cores: 4,
      onStartRun: (params, f) => {
        started.push(params);
        return { runId: f.newRunId() };
      },
    });
    const runButton = await openRunTab(fake);
    fireEvent.click(screen.getByLabelText('dask'));
    expect(screen.getByText(/A local cluster of that many Dask worker processes/)).toBeTruthy();
    fireEvent.click(runButton);
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0].scheduler).toBeUndefined();
    expect(started[0]).toMatchObject({ strategy: 'dask', workers: 4 });
  });
});

describe('a Dask run in the timeline and the comparison', () => {
  async function showCompare(fake: FakeApi) {
    render(<App client={fake.client} />);
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    return screen.findByTestId('compare-view', {}, { timeout: 10_000 });
  }

  it('says whether each Dask run is bit-identical to pool, and saves a run as a script', async () => {
    const same = asDaskRun(pool, 'dask-same');
    const other = asDaskRun(pool, 'dask-other', '0'.repeat(64));
    const records = asRecords([pool, same, other], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    const row = (id: string) => screen.getAllByTestId('compare-row').find((r) => r.dataset.runId === id)!;
    expect(within(row('dask-same')).getByTestId('pool-note').textContent).toContain('bit-identical to pool');
    expect(within(row('dask-other')).getByTestId('pool-note').textContent).toContain('not bit-identical to pool');
    expect(within(row(pool.id)).queryByTestId('pool-note')).toBeNull();

    fireEvent.click(within(row('dask-same')).getByTestId('export-script'));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0].name).toBe('h5blocks-dask-dask-same.py');
    expect(await downloads[0].text).toBe('# script for dask-same\n');
    expect(fake.calls.filter((c) => c.method === 'exportScript').map((c) => c.args)).toEqual([['dask-same']]);
  });

  it('draws one lane per Dask worker, named by its address', async () => {
    const records = asRecords([asDaskRun(pool, 'dask-lanes')], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    const row = screen.getAllByTestId('compare-row').find((r) => r.dataset.runId === 'dask-lanes')!;
    fireEvent.click(within(row).getByText('Timeline'));
    const chart = await screen.findByTestId('timeline-chart', {}, { timeout: 10_000 });
    expect(chart.dataset.lanes).toBe('main,127.0.0.1:40001,127.0.0.1:40002');
  });
});

describe('a Dask run as a Chrome trace', () => {
  it('names one track per Dask worker by its address, after main', async () => {
    const { runToChromeTrace } = await import('../src/renderer/src/export/chromeTrace');
    const trace = runToChromeTrace(asDaskRun(pool, 'dask-trace'));
    const threads = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
    expect(threads.filter((name) => !name.includes('·'))).toEqual(['main', `dask worker ${WORKERS[0]}`, `dask worker ${WORKERS[1]}`]);
  });
});
