import { useCallback, useEffect, useState } from 'react';
import type { BrowseListing, OpenFile } from '../../../shared/api';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { useApi } from '../app/apiContext';
import { useNotifier } from '../app/notifications';
import { formatBytes } from '../format/units';
import { FsIcon } from '../ui/EntityIcon';
import { Modal } from '../ui/Modal';

/** The in-app file chooser for `h5blocks serve`, where the browser cannot show a native dialog. */
export function FileBrowserDialog({ onOpened, onClose }: { onOpened: (file: OpenFile) => void; onClose: () => void }) {
  const { api } = useApi();
  const { notifyError } = useNotifier();
  const [listing, setListing] = useState<BrowseListing | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

  const browse = useCallback(async (folder: string | null) => {
    try {
      setListing(await api.browse(folder));
      setError(null);
    } catch (failure) {
      setError(toErrorInfo(failure));
    }
  }, [api]);

  useEffect(() => {
    void browse(null);
  }, [browse]);

  async function open(path: string, name: string) {
    setOpening(path);
    try {
      onOpened(await api.openPath(path));
      onClose();
    } catch (failure) {
      // The dialog stays open so another file can be chosen.
      notifyError(failure, `Opening ${name}`);
    } finally {
      setOpening(null);
    }
  }

  const entries = listing
    ? [...listing.entries].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1))
    : [];

  return (
    <Modal title="Open an HDF5 file" onClose={onClose} testId="file-browser" wide actions={
      <button type="button" onClick={onClose}>Cancel</button>
    }>
      <div className="browser-location">
        <button type="button" disabled={!listing || listing.parent === null} onClick={() => void browse(listing?.parent ?? null)}>↑ Up</button>
        <button type="button" onClick={() => void browse(null)}>Top</button>
        <code className="browser-folder">{listing?.folder || 'Allowed folders'}</code>
      </div>
      {error && <p className="inline-error" role="alert">{error.message}</p>}
      <ul className="browser-list" aria-label="Folder contents">
        {entries.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              className="browser-entry"
              data-testid="browser-entry"
              data-kind={entry.kind}
              disabled={opening !== null}
              onClick={() => (entry.kind === 'folder' ? void browse(entry.path) : void open(entry.path, entry.name))}
            >
              <FsIcon kind={entry.kind} />
              <span className="browser-name">{entry.name}</span>
              <span className="muted small">{entry.kind === 'file' && entry.sizeBytes !== undefined ? formatBytes(entry.sizeBytes) : ''}</span>
              {opening === entry.path && <span className="muted small">opening…</span>}
            </button>
          </li>
        ))}
        {listing && entries.length === 0 && <li className="muted">This folder is empty.</li>}
      </ul>
    </Modal>
  );
}
