import { useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { useApi } from '../app/apiContext';
import { Modal } from '../ui/Modal';
import { FolderBrowser, useFolderListing } from './FolderBrowser';

/** The in-app file chooser for `h5blocks serve`, where the browser cannot show a native dialog. */
export function FileBrowserDialog({ onOpened, onClose }: { onOpened: (file: OpenFile) => void; onClose: () => void }) {
  const { api } = useApi();
  const { listing, error: listError, browse } = useFolderListing(null);
  const [openError, setOpenError] = useState<ErrorInfo | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

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
      <button type="button" onClick={onClose}>Cancel</button>
    }>
      <FolderBrowser listing={listing} browse={(folder) => {
        setOpenError(null);
        void browse(folder);
      }} onFile={(entry) => void open(entry.path)} busyPath={opening} disabled={opening !== null} />
      {error && <p className="inline-error" role="alert" data-testid="dialog-error">{error.message}</p>}
    </Modal>
  );
}
