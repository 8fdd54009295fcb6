// @vitest-environment jsdom
// Save As in the browser (the folder browser Open… uses, a file name, a confirmation before replacing), and external links' targets.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { Entity } from '../src/shared/entities';
import { corpusEntities, FakeApi } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

let coords: Map<string, Entity>;
let structure: Map<string, Entity>;

beforeAll(() => {
  coords = corpusEntities('coords_1k.h5');
  structure = corpusEntities('structure.h5');
});
afterEach(cleanup);
afterAll(removeTempFolders);

async function openSaveAs(fake: FakeApi) {
  render(<App client={fake.client} />);
  await screen.findByRole('tree');
  fireEvent.click(await screen.findByRole('button', { name: 'Save As…' }));
  const dialog = await screen.findByTestId('save-as-dialog');
  await waitFor(() => expect(within(dialog).getByTestId('browser-folder').textContent).toBe('/data'));
  return dialog;
}

const saveCalls = (fake: FakeApi) => fake.calls.filter((c) => c.method === 'saveAs').map((c) => c.args);

describe('Save As in the browser', () => {
  it('starts in the file\'s folder with a copy name, and saves under a typed name without asking', async () => {
    const fake = new FakeApi({ files: [{ name: 'a.h5', entities: coords }, { name: 'b.h5', entities: coords }] });
    const dialog = await openSaveAs(fake);
    expect(fake.calls.find((c) => c.method === 'browse')?.args).toEqual(['/data']);
    const name = within(dialog).getByLabelText('File name') as HTMLInputElement;
    expect(name.value).toBe('a_copy.h5');
    fireEvent.change(name, { target: { value: 'new.h5' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saveCalls(fake)).toEqual([['f1', '/data/new.h5', { replace: false, virtual: 'copy-shards' }]]));
  });

  it('asks before replacing a listed file and replaces only after Replace', async () => {
    const fake = new FakeApi({ files: [{ name: 'a.h5', entities: coords }, { name: 'b.h5', entities: coords }] });
    const dialog = await openSaveAs(fake);
    fireEvent.click(within(dialog).getAllByTestId('browser-entry').find((e) => e.textContent?.includes('b.h5'))!);
    expect((within(dialog).getByLabelText('File name') as HTMLInputElement).value).toBe('b.h5');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByTestId('replace-confirmation').textContent).toContain('/data/b.h5 already exists');
    expect(saveCalls(fake)).toEqual([]);
    // Changing the name takes the consent back.
    fireEvent.change(within(dialog).getByLabelText('File name'), { target: { value: 'b.h5 ' } });
    expect(within(dialog).queryByTestId('replace-confirmation')).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replace' }));
    await waitFor(() => expect(saveCalls(fake)).toEqual([['f1', '/data/b.h5', { replace: true, virtual: 'copy-shards' }]]));
  });
});

describe('external links', () => {
  function treeRow(path: string): HTMLElement {
    const row = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === path);
    if (!row) throw new Error(`no tree row for ${path}`);
    return row;
  }

  it('shows where a link points and opens its target file on the target object, or says why not beside the button', async () => {
    const fake = new FakeApi({ files: [{ name: 'structure.h5', entities: structure }, { name: 'coords_1k.h5', entities: coords }] });
    render(<App client={fake.client} />);
    await screen.findByRole('tree');
    await waitFor(() => expect(treeRow('/experiment')).toBeTruthy());
    fireEvent.click(treeRow('/experiment'));
    await waitFor(() => expect(treeRow('/experiment/external')).toBeTruthy());
    fireEvent.click(treeRow('/experiment/external'));
    await waitFor(() => expect(screen.getByTestId('link-target-file').textContent).toBe('coords_1k.h5'));
    expect(screen.getByTestId('link-target-object').textContent).toBe('/coords');
    expect(within(treeRow('/experiment/external')).getByTestId('tree-link-target').textContent).toBe('→ coords_1k.h5:/coords');

    fireEvent.click(screen.getByRole('button', { name: 'Open target' }));
    await waitFor(() => expect(screen.getByTestId('inspector-path').textContent).toBe('/coords'));
    expect(screen.getByTestId('inspector-shape').textContent).toBe('1,000 × 2');
    expect(fake.calls.filter((c) => c.method === 'openLinkTarget').map((c) => c.args)).toEqual([['f1', '/experiment/external']]);

    fireEvent.click(within(screen.getByTestId('open-files')).getByText('structure.h5'));
    await waitFor(() => expect(treeRow('/experiment/external_missing')).toBeTruthy());
    fireEvent.click(treeRow('/experiment/external_missing'));
    fireEvent.click(await screen.findByRole('button', { name: 'Open target' }));
    expect((await screen.findByTestId('link-target-error')).textContent).toBe('structure.h5: /experiment/external_missing points to missing_file.h5, which does not exist');
  });
});
