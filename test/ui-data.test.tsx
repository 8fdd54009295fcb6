// @vitest-environment jsdom
// The Data tab: a table that reads only the rows in view, plots chosen by shape, and honest notes on sampling.
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

/** layouts.h5 with /chunked grown to `rows` rows: same dtype, chunks and filters as the real one. */
function withRows(rows: number): Map<string, Entity> {
  const entities = new Map(layouts);
  const chunked = layouts.get('/chunked') as DatasetEntity;
  entities.set('/chunked', { ...chunked, shape: [rows, 2], maxShape: [rows, 2], memoryBytes: rows * 8 });
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
    await showData(fake, '/chunked');
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

  it('offers a heatmap and a scatter plot for an N×2 dataset and says when the scatter is a sample', async () => {
    const fake = new FakeApi({ files: [{ name: 'layouts.h5', entities: layouts }] });
    await showData(fake, '/gzip');
    const views = await screen.findByRole('radiogroup', { name: 'View' }, { timeout: 10_000 });
    expect([...views.querySelectorAll('[role="radio"]')].map((b) => b.textContent)).toEqual(['Table', 'Heatmap', 'Scatter']);
    const before = valueRequests(fake).length;
    fireEvent.click(screen.getByRole('radio', { name: 'Scatter' }));
    const note = await screen.findByTestId('plot-note');
    expect(note.textContent).toContain('Showing a sample of 50,000 of 100,003 points: 100 evenly spaced runs of 500 rows');
    // Each run is read as one window: 100 requests, none longer than the run.
    await waitFor(() => expect(valueRequests(fake).slice(before)).toHaveLength(100));
    const runs = valueRequests(fake).slice(before);
    expect(runs.every(([[start, stop]]) => stop - start === 500)).toBe(true);
    expect(runs[0][0][0]).toBe(0);
    expect(runs[99][0][1]).toBe(100_003);
  });

  it('opens a 1-D dataset as a line plot and a text dataset as a table only', async () => {
    const structure = corpusEntities('structure.h5');
    const dtypes = corpusEntities('dtypes.h5');
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }, { name: 'structure.h5', entities: structure }] });
    await showData(fake, '/vector_1d');
    expect(await screen.findByTestId('line-plot', {}, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByTestId('plot-note').textContent).toContain('All 1,000 values');

    fireEvent.click(screen.getByRole('button', { name: /^structure\.h5/ }));
    fireEvent.click(await waitFor(() => {
      const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/names');
      if (!row) throw new Error('no /names yet');
      return row;
    }));
    expect(await screen.findByTestId('data-table')).toBeTruthy();
    expect(screen.queryByRole('radiogroup', { name: 'View' })).toBeNull();
  });
});
