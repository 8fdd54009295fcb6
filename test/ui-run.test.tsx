// @vitest-environment jsdom
// The Run tab: which datasets it accepts, the output-collision dialog, progress, and what happens when a run ends.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { Entity } from '../src/shared/entities';
import type { RunResult } from '../src/shared/run';
import { asRecords, corpusEntities, FakeApi, outputExistsError, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

let dtypes: Map<string, Entity>;
let coords: Map<string, Entity>;
let withDistances: Map<string, Entity>;
let poolRun: RunResult;

beforeAll(() => {
  dtypes = corpusEntities('dtypes.h5');
  coords = corpusEntities('coords_1k.h5');
  withDistances = corpusEntities('coords_with_distances.h5');
  poolRun = realRun('coords_1k.h5', 'pool', 2, 200);
});
afterEach(cleanup);
afterAll(removeTempFolders);

async function openRunTab(fake: FakeApi, path: string) {
  render(<App client={fake.client} />);
  const row = await waitFor(() => {
    const found = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === path);
    if (!found) throw new Error(`no ${path} yet`);
    return found;
  });
  fireEvent.click(row);
  fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
}

describe('run panel', () => {
  it('refuses a scalar and says why, from its shape', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    await openRunTab(fake, '/scalar');
    const refusal = await screen.findByTestId('run-refusal');
    expect(refusal.textContent).toContain('It is a scalar; computations need a dataset of rank 1 or more');
    expect(screen.queryByTestId('run-button')).toBeNull();
  });

  it('offers the computations a 1-D series takes, with their descriptions, and says why std does not apply', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    await openRunTab(fake, '/vector_1d');
    const choice = await screen.findByTestId('compute-choice') as HTMLSelectElement;
    const options = [...choice.options];
    expect(options.map((o) => o.value)).toEqual(['norm', 'l1', 'maxabs', 'sum', 'mean', 'min', 'max', 'std', 'nan-count', 'expr']);
    expect(options.at(-1)?.textContent).toBe('Expression…');
    expect(options.find((o) => o.value === 'std')?.disabled).toBe(true);
    expect(options.find((o) => o.value === 'sum')?.disabled).toBe(false);
    expect(screen.getAllByTestId('compute-refusal').map((r) => r.textContent)).toEqual([
      'std does not apply: /vector_1d is 1-D: each entry is a single value, whose standard deviation is always 0.',
    ]);
    expect(screen.getByTestId('compute-description').textContent).toMatch(/^Euclidean \(L2\) norm of each row or frame/);
  });

  it('names the output after the computation and sends the kernel with the run; a 3-D stack is runnable', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }], cores: 2 });
    await openRunTab(fake, '/cube_3d');
    const choice = await screen.findByTestId('compute-choice');
    expect(screen.getByTestId('resolved-output').textContent).toContain('/distances');
    fireEvent.change(choice, { target: { value: 'sum' } });
    expect(screen.getByTestId('compute-description').textContent).toMatch(/^Sum of each row or frame/);
    expect(screen.getByTestId('resolved-output').textContent).toContain('/cube_3d_sum');
    // 10 frames of 20 × 2 float32 = 160 bytes each.
    expect(screen.getByTestId('block-plan').textContent).toMatch(/rows = \d+ B per block/);
    fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    expect(fake.startRunCalls()[0]).toMatchObject({ dataset: '/cube_3d', compute: 'sum', output: '/cube_3d_sum' });
  });

  it('computes the statistics of the whole dataset and shows a table and a histogram of each column', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    await openRunTab(fake, '/coords');
    fireEvent.change(await screen.findByLabelText('Bins'), { target: { value: '4' } });
    fireEvent.change(screen.getByLabelText('Range low'), { target: { value: '5' } });
    expect(screen.getByTestId('stats-section').textContent).toContain('Two finite numbers with low < high');
    expect((screen.getByTestId('stats-button') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Range low'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('stats-button'));
    const table = await screen.findByTestId('stats-table');
    expect(fake.calls.filter((c) => c.method === 'computeStats').map((c) => c.args[0])).toMatchObject([{ dataset: '/coords', strategy: 'pool', workers: 2, bins: 4, overwrite: true }]);
    // One row per column of the N×2 dataset.
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByTestId('stats-summary').textContent).toContain('/coords_stats');
    const bars = screen.getByTestId('stats-histogram').querySelectorAll('rect');
    expect([...bars].map((bar) => bar.getAttribute('data-count'))).toEqual(['1', '2', '3', '4']);
  });

  it('an integer dataset: nan-count does not apply, and the form says why', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    await openRunTab(fake, '/le_i4');
    await screen.findByTestId('compute-choice');
    expect(screen.getAllByTestId('compute-refusal').map((r) => r.textContent)).toEqual([
      'nan-count does not apply: /le_i4 holds integers (i4), which cannot be NaN: every count would be 0.',
    ]);
  });

  it('refuses a compound dataset because of its element type', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    await openRunTab(fake, '/compound_xy');
    const refusal = await screen.findByTestId('run-refusal');
    expect(refusal.textContent).toMatch(/Its elements are .*compound.*; computations need integers or floats/);
  });

  it('offers every core by default and shows the default block in rows and bytes', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 4 });
    await openRunTab(fake, '/coords');
    expect((await screen.findByLabelText('Workers') as HTMLInputElement).value).toBe('4');
    // 1,000 rows, 4 workers: the engine's default is ceil(1000 / 8) = 125 rows of 8 bytes.
    expect(screen.getByTestId('block-plan').textContent).toContain('125 rows = 1 kB per block, 8 blocks');
    fireEvent.change(screen.getByLabelText('Block rows'), { target: { value: '200' } });
    expect(screen.getByTestId('block-plan').textContent).toContain('200 rows = 1.6 kB per block, 5 blocks');
    expect(screen.getByTestId('resolved-output').textContent).toContain('/distances');
  });

  it('keeps the form as the user left it, but not one dataset\'s "Overwrite" for another', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }], cores: 4 });
    await openRunTab(fake, '/le_f4');
    fireEvent.click(await screen.findByLabelText('shard'));
    fireEvent.change(screen.getByLabelText('Block rows'), { target: { value: '200' } });
    fireEvent.change(screen.getByLabelText('Workers'), { target: { value: '3' } });
    fireEvent.click(screen.getByLabelText('Overwrite'));
    fireEvent.click(screen.getByRole('tab', { name: 'Inspect' }));
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    expect((await screen.findByLabelText('shard') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Block rows') as HTMLInputElement).value).toBe('200');
    expect((screen.getByLabelText('Workers') as HTMLInputElement).value).toBe('3');
    expect((screen.getByLabelText('Overwrite') as HTMLInputElement).checked).toBe(true);

    // Another dataset keeps the strategy and workers, but starts with its own block size and asks before overwriting.
    fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/le_f8')!);
    await waitFor(() => expect(screen.getByTestId('run-dataset').textContent).toContain('/le_f8'));
    expect((screen.getByLabelText('shard') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Workers') as HTMLInputElement).value).toBe('3');
    expect((screen.getByLabelText('Block rows') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Ask me') as HTMLInputElement).checked).toBe(true);
  });

  it('asks Overwrite / New name / Cancel when the output exists, instead of failing', async () => {
    const fake = new FakeApi({
      files: [{ name: 'coords_with_distances.h5', entities: withDistances }],
      onStartRun: (params, f) => outputExistsError(f, params) ?? { runId: f.newRunId() },
    });
    await openRunTab(fake, '/coords');
    expect((await screen.findByTestId('resolved-output')).textContent).toMatch(/\/distances exists/);
    fireEvent.click(screen.getByTestId('run-button'));

    const dialog = await screen.findByTestId('collision-dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('/distances already exists');
    expect(within(dialog).getByRole('button', { name: 'Overwrite' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'New name' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeTruthy();
    expect((within(dialog).getByLabelText('New output name') as HTMLInputElement).value).toBe('distances_2');
    // Asked before starting anything: nothing was run.
    expect(fake.startRunCalls()).toEqual([]);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('collision-dialog')).toBeNull();
    expect(fake.startRunCalls()).toEqual([]);

    fireEvent.click(screen.getByTestId('run-button'));
    fireEvent.click(within(await screen.findByTestId('collision-dialog')).getByRole('button', { name: 'New name' }));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    expect(fake.startRunCalls()[0]).toMatchObject({ dataset: '/coords', output: '/distances_2', overwrite: false });
    // That run is cancelled, so Run is free again.
    act(() => fake.emit('run', { type: 'failed', runId: 'run-1', error: { code: 'aborted', message: 'coords_with_distances.h5: run cancelled; the file is unchanged' } }));

    fireEvent.click(screen.getByTestId('run-button'));
    fireEvent.click(within(await screen.findByTestId('collision-dialog')).getByRole('button', { name: 'Overwrite' }));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(2));
    expect(fake.startRunCalls()[1]).toMatchObject({ output: '/distances', overwrite: true });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('turns an output-exists failure reported by the run into the same dialog', async () => {
    const fake = new FakeApi({
      files: [{ name: 'coords_1k.h5', entities: coords }],
      onStartRun: (_params, f) => {
        const runId = f.newRunId();
        // Another window created /distances after the form checked: the engine refuses.
        setTimeout(() => f.emit('run', { type: 'failed', runId, error: { code: 'output-exists', message: 'coords_1k.h5: /distances already exists (a dataset)' } }), 5);
        return { runId };
      },
    });
    await openRunTab(fake, '/coords');
    fireEvent.click(await screen.findByTestId('run-button'));
    const dialog = await screen.findByTestId('collision-dialog');
    expect(within(dialog).getByRole('button', { name: 'Overwrite' })).toBeTruthy();
    // The code was handled by the dialog: no error toast on top of it.
    expect(screen.queryAllByTestId('notice')).toEqual([]);
  });

  it('explains why an output-conflict cannot be overwritten and offers only a new name', async () => {
    const conflict = 'coords_1k.h5: cannot overwrite /distances: it is a group, and it is not a dataset. h5wasm cannot delete HDF5 links, so h5blocks can only overwrite a dataset whose storage can take the new values; choose another output name';
    const fake = new FakeApi({
      files: [{ name: 'coords_1k.h5', entities: coords }],
      onStartRun: () => ({ code: 'output-conflict', message: conflict }),
    });
    await openRunTab(fake, '/coords');
    fireEvent.click(await screen.findByLabelText('Overwrite'));
    fireEvent.click(await screen.findByTestId('run-button'));
    const dialog = await screen.findByTestId('collision-dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('/distances cannot be overwritten');
    expect(within(dialog).getByTestId('overwrite-refusal').textContent).toContain('it is a group, and it is not a dataset');
    expect(within(dialog).queryByRole('button', { name: 'Overwrite' })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'New name' })).toBeTruthy();
  });

  it('shows progress from run events, then the output in the tree and a link to it, with the input still selected and its form ready', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    await openRunTab(fake, '/coords');
    fireEvent.change(await screen.findByLabelText('Block rows'), { target: { value: '200' } });
    fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    expect(fake.startRunCalls()[0]).toMatchObject({ strategy: 'pool', workers: 2, blockRows: 200, output: '/distances' });
    const runId = 'run-1';

    const [first, second] = poolRun.blocks;
    act(() => {
      fake.emit('run', { type: 'progress', progress: { runId, blocksDone: 1, blocksTotal: 5, rowsDone: 200, rowsTotal: 1000, elapsedMs: 40, rowsPerSecond: 5000, etaMs: 160, block: first } });
      fake.emit('run', { type: 'progress', progress: { runId, blocksDone: 2, blocksTotal: 5, rowsDone: 400, rowsTotal: 1000, elapsedMs: 80, rowsPerSecond: 5000, etaMs: 120, block: second } });
    });
    const bar = await screen.findByRole('progressbar');
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('2'));
    expect(bar.getAttribute('aria-valuemax')).toBe('5');
    expect(screen.getByTestId('run-stats').textContent).toContain('2 / 5 blocks');
    expect(screen.getByTestId('run-stats').textContent).toContain('5,000 rows/s');
    expect(screen.getByTestId('run-progress').textContent).toContain('about 120 ms left');
    // Cancel stays with the progress even when another object is selected meanwhile.
    fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/')!);
    fireEvent.click(screen.getByTestId('cancel-button'));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'cancelRun').map((c) => c.args[0])).toEqual([runId]));
    fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/coords')!);

    // The run wrote /distances: the file now has it, and the finish event says so.
    const distances: Entity = {
      kind: 'dataset', path: '/distances', name: 'distances', shape: [1000], maxShape: [1000],
      dtype: { class: 'float', size: 4, endianness: 'little', numpy: '<f4', description: '32-bit float, little-endian' },
      layout: 'chunked', chunks: [200], filters: [], attributes: [], memoryBytes: 4000,
    };
    const root = coords.get('/') as Extract<Entity, { kind: 'group' }>;
    fake.files[0].entities.set('/', { ...root, children: [...root.children, { name: 'distances', path: '/distances', kind: 'dataset' }] });
    fake.files[0].entities.set('/distances', distances);
    const [record] = asRecords([{ ...poolRun, id: runId }], '/data/coords_1k.h5');
    fake.runs = [record];
    act(() => fake.emit('run', { type: 'finished', result: record }));

    await waitFor(() => expect(screen.getAllByTestId('tree-node').some((n) => n.dataset.path === '/distances')).toBe(true));
    // The user stays where they were: the Run tab, on the input with its form, and no plot starts on its own.
    const link = await screen.findByTestId('run-output-link');
    expect(link.textContent).toBe('/distances');
    expect(screen.getByRole('tab', { name: 'Run' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/distances')?.getAttribute('aria-selected')).not.toBe('true');
    expect(screen.getByTestId('run-dataset').textContent).toContain('/coords');
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(false);
    expect(fake.calls.some((c) => (c.method === 'getValue' || c.method === 'getOverview') && c.args[1] === '/distances')).toBe(false);
    // The link opens the output in the Data tab.
    fireEvent.click(link);
    await waitFor(() => expect(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/distances')?.getAttribute('aria-selected')).toBe('true'));
    expect(screen.getByRole('tab', { name: 'Data' }).getAttribute('aria-selected')).toBe('true');
  });
});
