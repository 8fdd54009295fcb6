import { useState } from 'react';
import type { OpenFile } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import { useApi } from '../app/apiContext';
import { Modal } from '../ui/Modal';
import { FolderBrowser, useFolderListing } from './FolderBrowser';

/** Names HDF5 files usually have (HDF5 itself, HDF-EOS 5, NeXus); "All files" shows the rest. */
export const HDF5_EXTENSIONS = ['.h5', '.hdf5', '.hdf', '.he5', '.nxs', '.nx5'];

export function isHdf5Name(entry: { name: string }): boolean {
  const name = entry.name.toLowerCase();
  return HDF5_EXTENSIONS.some((extension) => name.endsWith(extension));
}

/** The in-app file chooser for `h5blocks serve`, where the browser cannot show a native dialog. */
export function FileBrowserDialog({ onOpened, onClose }: { onOpened: (file: OpenFile) => void; onClose: () => void }) {
  const { api } = useApi();
  const { listing, error: listError, browse } = useFolderListing(null);
  const [openError, setOpenError] = useState<ErrorInfo | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState<'hdf5' | 'all'>('hdf5');

  async function open(path: string) {
    setOpening(path);
    setOpenError(null);
    try {
      onOpened(await api.openPath(path));
      onClose();
    } catch (failure) {
      // Said here, beside the file chosen, and the dialog stays open so another can be chosen.
      setOpenError(toErrorInfo(failure));
    } finally {
      setOpening(null);
    }
  }

  const error = openError ?? listError;
  return (
    <Modal title="Open an HDF5 file" onClose={onClose} testId="file-browser" wide actions={
      <>
        <label className="inline-field browser-filter">
          Show
          <select value={filter} onChange={(event) => setFilter(event.target.value as 'hdf5' | 'all')} aria-label="File types">
            <option value="hdf5">HDF5 files ({HDF5_EXTENSIONS.map((e) => `*${e}`).join(', ')})</option>
            <option value="all">All files</option>
          </select>
        </label>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="primary" disabled={selected === null || opening !== null} onClick={() => selected && void open(selected)}>Open</button>
      </>
    }>
      <FolderBrowser listing={listing} browse={(folder) => {
        setOpenError(null);
        setSelected(null);
        void browse(folder);
      }} onFile={(entry) => void open(entry.path)} onSelect={(entry) => {
        // The last error stays until the next open: clearing it here would move the list under a double click.
        setSelected(entry.path);
      }} selectedPath={selected} show={filter === 'hdf5' ? isHdf5Name : undefined} busyPath={opening} disabled={opening !== null} />
      {error && <p className="inline-error" role="alert" data-testid="dialog-error">{error.message}</p>}
    </Modal>
  );
}
