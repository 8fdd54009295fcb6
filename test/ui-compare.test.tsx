// @vitest-environment jsdom
// The Compare tab: the runs table with speedups and output agreement, side-by-side timelines, exports, the run matrix.
import { chooseRun } from '../src/main/run/defaults';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { RunRecord } from '../src/shared/api';
import type { Entity } from '../src/shared/entities';
import type { RunResult, Strategy } from '../src/shared/run';
import { asRecords, corpusEntities, FakeApi, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';
import { formatRate } from '../src/renderer/src/format/units';

let coords: Map<string, Entity>;
let inline: RunResult;
let pool: RunResult;
let shard: RunResult;
const FILE = '/data/coords_1k.h5';

beforeAll(() => {
  coords = corpusEntities('coords_1k.h5');
  inline = realRun('coords_1k.h5', 'inline', 1, 200);
  pool = realRun('coords_1k.h5', 'pool', 2, 200);
  shard = realRun('coords_1k.h5', 'shard', 2, 200);
});

/** Downloads made through Blob + anchor: their file names and text. */
let downloads: { name: string; text: Promise<string> }[];
beforeEach(() => {
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

async function showCompare(fake: FakeApi) {
  render(<App client={fake.client} />);
  await screen.findByRole('tree');
  fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
  return screen.findByTestId('compare-view', {}, { timeout: 10_000 });
}

function rowOf(record: RunRecord): HTMLElement {
  return screen.getAllByTestId('compare-row').find((r) => r.dataset.runId === record.id)!;
}

describe('compare view', () => {
  it('lists every run with its speedup over inline, efficiency and whether outputs match', async () => {
    const records = asRecords([inline, pool, shard], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    expect(screen.getAllByTestId('compare-row')).toHaveLength(3);
    const speedup = inline.wallMs / pool.wallMs;
    expect(within(rowOf(records[1])).getByTestId('speedup').textContent).toBe(`${speedup.toFixed(2)}×`);
    expect(within(rowOf(records[0])).getByTestId('speedup').textContent).toBe('1.00×');
    expect(rowOf(records[1]).textContent).toContain(`${Math.round((speedup / 2) * 100)} %`);
    for (const record of records) expect(within(rowOf(record)).getByTestId('match').textContent).toBe('identical');
    expect(screen.queryByTestId('baseline-hint')).toBeNull();
    expect(screen.getByTestId('throughput-chart')).toBeTruthy();
  });

  it('shows — and a hint to run inline when there is no baseline', async () => {
    const records = asRecords([pool, shard], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    expect(within(rowOf(records[0])).getByTestId('speedup').textContent).toBe('—');
    expect(screen.getByTestId('baseline-hint').textContent).toContain('run inline once on coords_1k.h5 /coords');
  });

  it('flags a run whose output differs from the others', async () => {
    const records = asRecords([inline, pool, { ...shard, outputSha256: '0'.repeat(64) }], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    expect(within(rowOf(records[2])).getByTestId('match').textContent).toBe('differs');
    expect(within(rowOf(records[0])).getByTestId('match').textContent).toBe('differs');
  });

  it('shows selected runs\' timelines side by side on one time scale', async () => {
    const records = asRecords([inline, pool, shard], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    expect(screen.queryByTestId('side-by-side')).toBeNull();
    fireEvent.click(within(rowOf(records[1])).getByRole('checkbox'));
    fireEvent.click(within(rowOf(records[2])).getByRole('checkbox'));
    const section = await screen.findByTestId('side-by-side');
    const charts = within(section).getAllByTestId('timeline-chart');
    expect(charts.map((c) => c.dataset.lanes)).toEqual(['main,worker 1,worker 2', 'main,worker 1,worker 2']);
  });

  it('exports the runs as CSV (a header and one line per run) and JSON', async () => {
    const records = asRecords([inline, pool, shard], FILE);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: records });
    await showCompare(fake);
    fireEvent.click(screen.getByTestId('export-csv'));
    fireEvent.click(screen.getByTestId('export-json'));
    expect(downloads.map((d) => d.name)).toEqual(['h5blocks-runs-3.csv', 'h5blocks-runs-3.json']);
    const lines = (await downloads[0].text).trimEnd().split('\r\n');
    expect(lines[0].startsWith('run_id,started_at,file,dataset')).toBe(true);
    expect(lines.slice(1).map((line) => line.split(',')[0]).sort()).toEqual(records.map((r) => r.id).sort());
    expect(JSON.parse(await downloads[1].text).runs).toHaveLength(3);
  });

  it('repeats each configuration, ranks by median and shows the same winner and figure in banner, chart and table', async () => {
    // shard with 2 workers is fastest by median; pool with 2 workers has one lucky run, the fastest of all.
    const fake: FakeApi = new FakeApi({
      files: [{ name: 'coords_1k.h5', entities: coords }, { name: 'coords_with_distances.h5', entities: corpusEntities('coords_with_distances.h5') }],
      cores: 2,
      onStartRun: (params, f) => {
        const runId = f.newRunId();
        const template = ({ inline, pool, shard } as Record<string, RunResult>)[params.strategy];
        const n = f.startRunCalls().length;
        const wallMs = params.strategy === 'shard' && params.workers === 2 ? 100 + n
          : params.strategy === 'pool' && params.workers === 2 && n === 3 ? 50 : 400 + n;
        const summary = { ...template.summary, wallMs, rowsPerSecond: template.rows / (wallMs / 1000) };
        const [record] = asRecords([{ ...template, id: runId, workers: params.workers, wallMs, summary }], FILE);
        setTimeout(() => {
          fake.runs = [...fake.runs, record];
          act(() => fake.emit('run', { type: 'finished', result: record }));
        }, 5);
        return { runId };
      },
    });
    render(<App client={fake.client} />);
    const coordsRow = () => waitFor(() => {
      const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/coords');
      if (!row) throw new Error('no /coords row yet');
      return row;
    });
    fireEvent.click(await coordsRow());
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const start = await screen.findByTestId('matrix-start', {}, { timeout: 10_000 });
    // inline once, pool and shard with 1 and 2 workers, each 3 times by default.
    expect(start.textContent).toBe('Run matrix (5 configurations × 3 = 15 runs)');
    // Each configuration is named by the block rows its runs will use, as the engine's rule plans them (planRuns), not "default".
    await waitFor(() => expect(screen.getAllByTestId('matrix-config').map((li) => li.textContent)).toEqual(expectedConfigNames(fake)));
    expect(screen.getByTestId('matrix-configs').textContent).not.toMatch(/default blocks/);
    fireEvent.change(screen.getByLabelText('Repeats'), { target: { value: '0' } });
    expect(screen.getByText(/Repeats must be a whole number from 1 to 20/)).toBeTruthy();
    expect((start as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Repeats'), { target: { value: '3' } });
    fireEvent.click(start);

    const verdict = await screen.findByTestId('matrix-verdict', {}, { timeout: 10_000 });
    const once = ['inline/1', 'pool/1', 'pool/2', 'shard/1', 'shard/2'];
    expect(fake.startRunCalls().map((p) => `${p.strategy}/${p.workers}`)).toEqual([...once, ...once, ...once]);
    expect(fake.startRunCalls().every((p) => p.overwrite === true && p.output === '/distances')).toBe(true);

    // The banner names the file and dataset, the winner by median with its spread, and a reason about shard.
    const shardMedian = formatRate(inline.rows / ((100 + 10) / 1000), 'rows/s'); // runs 5, 10, 15: the median is run 10
    expect(verdict.textContent).toContain('coords_1k.h5 /coords');
    expect(verdict.textContent).toContain(`fastest is shard · 2 workers · 200-row blocks, median ${shardMedian}`);
    expect(verdict.textContent).toContain('over 3 runs');
    expect(verdict.textContent).toMatch(/Why: each of the 2 workers reads and computes its own share/);
    // The chart and the table rank the same winner, with the same figure.
    expect(screen.getByTestId('matrix-chart').dataset.winner).toBe('shard/2/200');
    expect(within(screen.getByTestId('matrix-chart')).getByRole('img').getAttribute('aria-label')).toContain(shardMedian);
    const rows = screen.getAllByTestId('matrix-row');
    expect(rows).toHaveLength(5);
    expect(rows[0].dataset.config).toBe('shard/2/200');
    expect(within(rows[0]).getByTestId('matrix-median').textContent).toBe(shardMedian);
    expect(rows[0].textContent).toContain('3'); // runs
    // pool/2's lucky run does not make it the winner: ranked by its median, it is not first.
    expect(rows.findIndex((r) => r.dataset.config === 'pool/2/200')).toBeGreaterThan(0);
    // The runs table marks every run of the winning configuration.
    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(15));
    const marked = screen.getAllByTestId('compare-row').filter((r) => r.classList.contains('fastest'));
    expect(marked.map((r) => `${r.dataset.strategy}`)).toEqual(['shard', 'shard', 'shard']);
    // Matrix runs do not pull the user to the Data tab after each run.
    expect(screen.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true');

    // Another dataset selected: the banner says whose verdict it is instead of passing for the new one's.
    fireEvent.click(screen.getByTitle('/data/coords_with_distances.h5'));
    await waitFor(() => expect(screen.getByTestId('matrix-results').dataset.current).toBe('false'));
    expect(screen.getByTestId('matrix-verdict-label').textContent).toBe('Earlier run matrix, on coords_1k.h5 /coords: not the dataset selected now');
  });
});

/** The five default configurations on /coords, named with the block rows the engine's rule gives them (defaults.ts). */
function expectedConfigNames(fake: FakeApi): string[] {
  const entity = coords.get('/coords');
  if (entity?.kind !== 'dataset' || !entity.shape) throw new Error('no /coords');
  const evidence = { rows: entity.shape[0], rowBytes: entity.shape[1] * entity.dtype.size, chunkRows: entity.chunks?.[0], filtered: entity.filters.length > 0, directChunks: false, cores: 2 };
  expect(fake.calls.some((call) => call.method === 'planRuns')).toBe(true);
  return [['inline', 1], ['pool', 1], ['pool', 2], ['shard', 1], ['shard', 2]].map(([strategy, workers]) => {
    const rows = Math.min(chooseRun({ strategy: strategy as Strategy, workers: workers as number }, evidence).blockRows, entity.shape![0]);
    return `${strategy}${strategy === 'inline' ? '' : ` · ${workers} worker${workers === 1 ? '' : 's'}`} · ${rows.toLocaleString('en-US')}-row blocks (its default)`;
  });
}
