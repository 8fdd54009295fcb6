// @vitest-environment jsdom
// The left pane: open files, a tree that reads groups only when they are opened, icons per kind, search.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { Entity } from '../src/shared/entities';
import { corpusEntities, FakeApi } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

let structure: Map<string, Entity>;
let coords: Map<string, Entity>;

beforeAll(() => {
  structure = corpusEntities('structure.h5');
  coords = corpusEntities('coords_1k.h5');
});
afterEach(cleanup);
afterAll(removeTempFolders);

function treeRow(path: string): HTMLElement {
  const row = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === path);
  if (!row) throw new Error(`no tree row for ${path}`);
  return row;
}

async function renderApp(fake: FakeApi) {
  render(<App client={fake.client} />);
  await screen.findByRole('tree');
}

describe('file tree', () => {
  it('lists the open files and reads a group only when it is expanded', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }, { name: 'coords_1k.h5', entities: coords }] });
    await renderApp(fake);

    const files = screen.getByTestId('open-files');
    expect(within(files).getByText('structure.h5')).toBeTruthy();
    expect(within(files).getByText('coords_1k.h5')).toBeTruthy();

    await waitFor(() => expect(treeRow('/experiment')).toBeTruthy());
    // Only the root (and its top-level datasets, to open the file on a usable one) has been read: groups are known by name, not opened.
    expect(fake.entityRequests().filter((p) => p !== '/' && (p.split('/').length > 2 || structure.get(p)?.kind !== 'dataset'))).toEqual([]);
    expect(screen.queryAllByTestId('tree-node').some((n) => n.dataset.path === '/experiment/run_001')).toBe(false);

    fireEvent.click(treeRow('/experiment'));
    await waitFor(() => expect(treeRow('/experiment/run_001')).toBeTruthy());
    expect(fake.entityRequests()).toContain('/experiment');
    // run_001 is visible but still unread; its own children appear only when it opens.
    expect(fake.entityRequests()).not.toContain('/experiment/run_001');
    expect(screen.queryAllByTestId('tree-node').some((n) => n.dataset.path === '/experiment/run_001/detector')).toBe(false);

    fireEvent.click(treeRow('/experiment/run_001'));
    await waitFor(() => expect(treeRow('/experiment/run_001/detector')).toBeTruthy());
    expect(fake.entityRequests()).toContain('/experiment/run_001');
    expect(treeRow('/experiment/run_001').getAttribute('aria-expanded')).toBe('true');
  });

  it('shows each kind of object with its own icon', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }] });
    await renderApp(fake);
    fireEvent.click(await waitFor(() => treeRow('/experiment')));
    await waitFor(() => treeRow('/experiment/latest'));

    const iconOf = (path: string) => within(treeRow(path)).getByRole('img').getAttribute('aria-label');
    expect(iconOf('/experiment')).toBe('Group');
    expect(iconOf('/experiment/latest')).toBe('Soft link');
    expect(iconOf('/experiment/dangling')).toBe('Broken link');
    expect(iconOf('/experiment/external')).toBe('External link');
    expect(iconOf('/point_t')).toBe('Named datatype');
    expect(iconOf('/names')).toBe('Dataset');
  });

  it('says in the inspector where an external link, external storage or a virtual source points', async () => {
    const withSources = new Map(coords);
    withSources.set('/coords', {
      ...(coords.get('/coords') as Extract<Entity, { kind: 'dataset' }>),
      externalSources: [
        { kind: 'external-storage', file: '/elsewhere/raw.bin' },
        { kind: 'virtual-source', file: '../other/source.h5', dataset: '/data' },
      ],
    });
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }, { name: 'coords_1k.h5', entities: withSources }] });
    await renderApp(fake);
    fireEvent.click(await waitFor(() => treeRow('/experiment')));
    fireEvent.click(await waitFor(() => treeRow('/experiment/external')));
    await waitFor(() => expect(document.body.textContent).toMatch(/Target filecoords_1k\.h5/));
    expect(document.body.textContent).toMatch(/Target object\/coords/);

    fireEvent.click(screen.getByRole('button', { name: /^coords_1k\.h5/ }));
    fireEvent.click(await waitFor(() => treeRow('/coords')));
    await waitFor(() => expect(document.body.textContent).toMatch(/Values read from/));
    expect(document.body.textContent).toMatch(/\/elsewhere\/raw\.bin \(external raw storage\)/);
    expect(document.body.textContent).toMatch(/\.\.\/other\/source\.h5 : \/data \(virtual dataset source\)/);
  });

  it('pages a group with thousands of children instead of rendering them all', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }] });
    await renderApp(fake);
    fireEvent.click(await waitFor(() => treeRow('/many')));
    const more = await screen.findByRole('button', { name: /Show 1,000 more of 1,800/ });
    const shown = () => screen.getAllByTestId('tree-node').filter((n) => n.dataset.path?.startsWith('/many/')).length;
    expect(shown()).toBe(200);
    fireEvent.click(more);
    expect(shown()).toBe(1200);
  });

  it('searches every object of every open file, expanded or not, and names the file of each match', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }, { name: 'coords_1k.h5', entities: coords }] });
    await renderApp(fake);
    const search = screen.getByRole('searchbox', { name: 'Search objects' });

    fireEvent.change(search, { target: { value: 'coords' } });
    await waitFor(() => expect(screen.getAllByTestId('search-result').length).toBeGreaterThanOrEqual(2));
    const files = new Set(screen.getAllByTestId('search-result').map((r) => r.dataset.file));
    expect(files).toEqual(new Set(['structure.h5', 'coords_1k.h5']));
    expect(screen.getByTestId('search-summary').textContent).toMatch(/in 2 files/);

    // detector lies two unopened groups down: found all the same, and selecting it opens the groups above it.
    fireEvent.change(search, { target: { value: 'run_001/DET' } });
    const match = await waitFor(() => {
      const found = screen.getAllByTestId('search-result').find((r) => r.dataset.path === '/experiment/run_001/detector');
      if (!found) throw new Error('no match yet');
      return found;
    });
    fireEvent.click(match);
    await waitFor(() => expect(treeRow('/experiment/run_001/detector').getAttribute('aria-selected')).toBe('true'));
    expect(await screen.findByTestId('inspector-path')).toHaveProperty('textContent', '/experiment/run_001/detector');
  });

  it('shows a file that cannot be read as a one-line message in the tree and keeps the other files usable', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }, { name: 'broken.h5', entities: new Map() }] });
    fake.api.getEntity = async (fileId, path) => {
      if (fileId === 'f2') throw { code: 'not-hdf5', message: 'broken.h5: cannot open as HDF5: file signature not found' };
      return coords.get(path)!;
    };
    await renderApp(fake);
    fireEvent.click(screen.getByRole('button', { name: /^broken\.h5/ }));
    const message = await screen.findByTestId('tree-error');
    expect(message.textContent).toBe('broken.h5: cannot open as HDF5: file signature not found');
    expect(document.body.textContent).not.toMatch(/at \w+ \(|Error:/);

    fireEvent.click(screen.getByRole('button', { name: /^coords_1k\.h5/ }));
    fireEvent.click(await waitFor(() => treeRow('/coords')));
    expect((await screen.findByTestId('inspector-shape')).textContent).toBe('1,000 × 2');
  });

  it('moves through the tree with the arrow keys', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }] });
    await renderApp(fake);
    const root = await waitFor(() => treeRow('/'));
    root.focus();
    fireEvent.keyDown(root, { key: 'ArrowDown' });
    const first = document.activeElement as HTMLElement;
    expect(first.dataset.path).toBe('/colors');
    expect(first.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    const group = document.activeElement as HTMLElement;
    expect(group.dataset.path).toBe('/données');
    fireEvent.keyDown(group, { key: 'ArrowRight' });
    await waitFor(() => expect(treeRow('/données/測定')).toBeTruthy());
    fireEvent.keyDown(group, { key: 'ArrowLeft' });
    await waitFor(() => expect(screen.queryAllByTestId('tree-node').some((n) => n.dataset.path === '/données/測定')).toBe(false));
  });

  it('follows the host: a file it opened, a file it could not open, and the theme command from the menu', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }] });
    await renderApp(fake);
    const opened = { id: 'f9', path: '/data/dropped.h5', name: 'dropped.h5', sizeBytes: 10_048 };
    act(() => fake.emit('host', { type: 'opened', file: opened }));
    expect(await within(screen.getByTestId('open-files')).findByText('dropped.h5')).toBeTruthy();

    act(() => fake.emit('host', { type: 'open-failed', error: { code: 'not-hdf5', message: 'notes.txt: cannot open as HDF5: file signature not found' } }));
    expect((await screen.findByTestId('notice')).textContent).toContain('notes.txt: cannot open as HDF5');

    const before = document.documentElement.dataset.theme;
    act(() => fake.emit('host', { type: 'command', command: 'toggle-theme' }));
    expect(document.documentElement.dataset.theme).toBe(before === 'dark' ? 'light' : 'dark');
  });
});
