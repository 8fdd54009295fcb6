// @vitest-environment jsdom
// The Data tab: h5web for numbers and strings, a table that reads only the rows in view for compounds and other text data.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { DatasetEntity, Entity } from '../src/shared/entities';
import { corpusEntities, FakeApi } from './ui-fakeApi';

let layouts: Map<string, Entity>;
const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!;

beforeAll(() => {
  layouts = corpusEntities('layouts.h5');
  // jsdom has no layout: give the table's scroll box the height a browser would, so rows virtualise as on screen.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('vtable') ? Number.parseFloat(this.style.height) : clientHeight.get!.call(this);
    },
  });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});
afterEach(cleanup);

/** layouts.h5 with /chunked grown to `rows` rows, and /records: a compound dataset of that many rows × 2 (shown as text). */
function withRows(rows: number): Map<string, Entity> {
  const entities = new Map(layouts);
  const chunked = layouts.get('/chunked') as DatasetEntity;
  entities.set('/chunked', { ...chunked, shape: [rows, 2], maxShape: [rows, 2], memoryBytes: rows * 8 });
  const root = layouts.get('/') as Entity & { kind: 'group' };
  entities.set('/', { ...root, children: [...root.children, { name: 'records', path: '/records', kind: 'dataset' }] });
  entities.set('/records', {
    ...chunked, path: '/records', name: 'records', shape: [rows, 2], maxShape: [rows, 2], memoryBytes: rows * 16,
    dtype: { class: 'compound', size: 8, description: 'compound {x: 32-bit float; y: 32-bit float}', members: [
      { name: 'x', dtype: { class: 'float', size: 4, endianness: 'little', description: '32-bit float' } },
      { name: 'y', dtype: { class: 'float', size: 4, endianness: 'little', description: '32-bit float' } },
    ] },
  });
  return entities;
}

async function showData(fake: FakeApi, path: string) {
  render(<App client={fake.client} />);
  fireEvent.click(await waitFor(() => {
    const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === path);
    if (!row) throw new Error(`no ${path} yet`);
    return row;
  }));
  fireEvent.click(screen.getByRole('tab', { name: 'Data' }));
}

function valueRequests(fake: FakeApi): [number, number][][] {
  return fake.calls.filter((c) => c.method === 'getValue').map((c) => c.args[2] as [number, number][]);
}

describe('data views', () => {
  it('scrolls five million rows while reading only the pages in view', async () => {
    const fake = new FakeApi({ files: [{ name: 'layouts.h5', entities: withRows(5_000_000) }] });
    await showData(fake, '/records');
    const grid = await screen.findByTestId('data-table', {}, { timeout: 10_000 });
    expect(grid.getAttribute('aria-rowcount')).toBe('1000001');
    expect(screen.getByTestId('table-extent').textContent).toContain('5,000,000 rows × 2 columns');
    await waitFor(() => expect(valueRequests(fake)).toEqual([[[0, 10_000], [0, 2]]]));
    // The fake's values are index / 8: row 3, column 1 is element 7.
    await waitFor(() => {
      const row = [...grid.querySelectorAll('[role="row"]')].find((r) => r.getAttribute('aria-rowindex') === '5');
      expect(row?.textContent).toBe(`3${6 / 8}${7 / 8}`);
    });

    // Far down: only the page under the viewport is read.
    act(() => {
      grid.scrollTop = 26 * 523_456;
      fireEvent.scroll(grid);
    });
    await waitFor(() => expect(valueRequests(fake)).toContainEqual([[520_000, 530_000], [0, 2]]));
    const rowsRead = valueRequests(fake).reduce((sum, [[start, stop]]) => sum + (stop - start), 0);
    expect(rowsRead).toBeLessThanOrEqual(30_000);

    // Past the first million rows the table moves its window.
    fireEvent.change(screen.getByLabelText(/first row/), { target: { value: '4000000' } });
    await waitFor(() => expect(valueRequests(fake).some(([[start]]) => start >= 4_000_000)).toBe(true));
  });

  it('opens each dataset at the view its shape calls for, reading an overview instead of millions of values', async () => {
    const entities = withRows(5_000_000);
    const chunked = entities.get('/chunked') as DatasetEntity;
    entities.set('/line', { ...chunked, path: '/line', name: 'line', shape: [5_000_000], maxShape: [5_000_000] });
    entities.set('/image', { ...chunked, path: '/image', name: 'image', shape: [3, 200, 300], maxShape: [3, 200, 300] });
    const root = entities.get('/') as Entity & { kind: 'group' };
    entities.set('/', { ...root, children: [...root.children, { name: 'line', path: '/line', kind: 'dataset' }, { name: 'image', path: '/image', kind: 'dataset' }] });
    const fake = new FakeApi({ files: [{ name: 'layouts.h5', entities }] });

    // N × 2 rows are points: a sample read in the main process, no whole read here.
    await showData(fake, '/chunked');
    await waitFor(() => expect(screen.getByTestId('dataset-view').dataset.view).toBe('points'));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'getOverview').map((c) => c.args.slice(1))).toEqual([['/chunked', { kind: 'points', maxPoints: 50_000 }]]));
    expect(screen.getByTestId('overview-caption').textContent).toContain('all 5,000,000 points');
    // Without WebGL the plot says so in words where it would be.
    expect(screen.getByTestId('scatter-plot-unavailable').textContent).toMatch(/cannot draw plots/);
    expect(valueRequests(fake).every(([[start, stop]]) => stop - start <= 10_000)).toBe(true);

    // A 1-D dataset is a line of min/max per bin; a small stack goes to h5web at its own first view.
    fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/line')!);
    await waitFor(() => expect(screen.getByTestId('dataset-view').dataset.view).toBe('line'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'getOverview' && c.args[1] === '/line' && (c.args[2] as { kind: string }).kind === 'line')).toBe(true));
    fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/image')!);
    expect((await screen.findByTestId('h5web-viewer', {}, { timeout: 10_000 })).dataset.path).toBe('/image');
  });
});
