// @vitest-environment jsdom
// Virtual outputs in the app: the vds strategy choice, the inspector's sources
// with missing ones named and its Materialize button, the tree's mark, the
// comparison's trade-off, and the Save As choice between copying shards and materializing.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { DatasetEntity, Entity, GroupEntity } from '../src/shared/entities';
import type { RunResult } from '../src/shared/run';
import { asRecords, corpusEntities, FakeApi, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

const SHARDS = [0, 1, 2, 3, 4].map((i) => `coords_1k.h5blocks/distances/run1-block-00000${i}.h5`);
let pool: RunResult;
let shard: RunResult;
let vds: RunResult;

/** coords_1k.h5 with a vds run's /distances beside /coords; `missing` shards are gone. */
function withVirtualOutput(missing: number[] = []): Map<string, Entity> {
  const entities = corpusEntities('coords_1k.h5');
  const root = entities.get('/') as GroupEntity;
  entities.set('/', { ...root, children: [...root.children, { name: 'distances', path: '/distances', kind: 'dataset' }] });
  const coords = entities.get('/coords') as DatasetEntity;
  const distances: DatasetEntity = {
    ...coords, path: '/distances', name: 'distances', shape: [1000], maxShape: [1000], chunks: null, layout: 'virtual', filters: [],
    dtype: { ...coords.dtype }, attributes: [{ name: 'h5blocks_strategy', shape: [], dtype: coords.dtype, value: 'vds' }],
    externalSources: SHARDS.map((file, i) => ({ kind: 'virtual-source', file, dataset: '/values', missing: missing.includes(i) })),
  };
  entities.set('/distances', distances);
  return entities;
}

beforeAll(() => {
  pool = realRun('coords_1k.h5', 'pool', 4, 200);
  shard = realRun('coords_1k.h5', 'shard', 4, 200);
  vds = realRun('coords_1k.h5', 'vds', 4, 200);
}, 120_000);
afterEach(cleanup);
afterAll(removeTempFolders);

async function selectDistances(fake: FakeApi) {
  render(<App client={fake.client} />);
  const row = await waitFor(() => {
    const found = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === '/distances');
    if (!found) throw new Error('no /distances yet');
    return found;
  });
  fireEvent.click(row);
  return screen.findByTestId('virtual-sources');
}

describe('a virtual dataset in the explorer', () => {
  it('the inspector lists its sources, the tree marks it virtual, and Materialize asks the main process', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: withVirtualOutput() }] });
    const panel = await selectDistances(fake);
    expect(panel.textContent).toMatch(/Virtual dataset: its values are read from 5 source files/);
    for (const name of SHARDS) expect(within(panel).getByText(name)).toBeTruthy();
    expect(screen.queryByTestId('virtual-missing')).toBeNull();
    const mark = await screen.findByTestId('tree-virtual');
    expect(mark.textContent).toBe('virtual');
    fireEvent.click(within(panel).getByRole('button', { name: 'Materialize' }));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'materialize')).toBe(true));
    expect(fake.calls.find((c) => c.method === 'materialize')!.args).toEqual([fake.files[0].file.id, '/distances']);
  });

  it('warns naming the missing sources, and will not materialize until they are back', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: withVirtualOutput([1, 3]) }] });
    const panel = await selectDistances(fake);
    const warning = within(panel).getByTestId('virtual-missing');
    expect(warning.textContent).toContain(`2 source files are missing: ${SHARDS[1]}, ${SHARDS[3]}`);
    expect((within(panel).getByRole('button', { name: 'Materialize' }) as HTMLButtonElement).disabled).toBe(true);
    expect((await screen.findByTestId('tree-virtual')).textContent).toBe('virtual, 2 missing');
  });

  it('Save As asks whether to copy the shards or materialize, explains both, and sends the choice', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: withVirtualOutput() }] });
    await selectDistances(fake);
    fireEvent.click(screen.getByRole('button', { name: 'Save As…' }));
    const dialog = await screen.findByTestId('save-as-dialog');
    const choice = within(dialog).getByTestId('save-as-virtual');
    expect(choice.textContent).toMatch(/Virtual datasets \(\/distances\) read their values from 5 shard file\(s\)/);
    expect(choice.textContent).toMatch(/Copy the shards.*copied beside the new file/);
    expect(choice.textContent).toMatch(/Materialize.*stored in the copy itself/);
    fireEvent.click(within(dialog).getByLabelText(/Materialize/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'saveAs')).toBe(true));
    expect(fake.calls.find((c) => c.method === 'saveAs')!.args).toEqual([fake.files[0].file.id, '/data/coords_1k_copy.h5', { replace: false, virtual: 'materialize' }]);
  });

  it('Save As of a file without virtual datasets asks nothing about shards', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: corpusEntities('coords_1k.h5') }] });
    render(<App client={fake.client} />);
    await screen.findByRole('tree');
    fireEvent.click(await screen.findByRole('button', { name: 'Save As…' }));
    const dialog = await screen.findByTestId('save-as-dialog');
    expect(within(dialog).queryByTestId('save-as-virtual')).toBeNull();
  });
});

describe('vds in the run form and the comparison', () => {
  it('the run form offers vds and says what it does', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: corpusEntities('coords_1k.h5') }] });
    render(<App client={fake.client} />);
    fireEvent.click(await waitFor(() => {
      const found = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === '/coords');
      if (!found) throw new Error('no /coords yet');
      return found;
    }));
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    await screen.findByTestId('run-button');
    const choice = screen.getByLabelText('vds');
    fireEvent.click(choice);
    expect(screen.getByText(/the output is a virtual dataset mapping the shards, so nothing is merged/)).toBeTruthy();
  });

  it('the comparison shows pool, shard and vds, bit-identical, and explains the vds trade-off', async () => {
    const records = asRecords([pool, shard, vds], '/data/coords_1k.h5');
    expect(new Set(records.map((r) => r.outputSha256)).size).toBe(1);
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: corpusEntities('coords_1k.h5') }], runs: records });
    render(<App client={fake.client} />);
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const notes = await screen.findByTestId('strategy-trade-offs', {}, { timeout: 10_000 });
    expect(screen.getAllByTestId('compare-row')).toHaveLength(3);
    expect(notes.textContent).toMatch(/vds: no merge/);
    expect(notes.textContent).toMatch(/one file per block/);
    expect(notes.textContent).toMatch(/every reader pays for opening the sources/);
    const table = screen.getByTestId('compare-view');
    for (const strategy of ['pool', 'shard', 'vds']) expect(within(table).getAllByText(strategy).length).toBeGreaterThan(0);
  });
});
