import { useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import { Modal } from '../ui/Modal';

/** Suggests `<folder>/<name>_copy.h5` beside the original. */
export function suggestCopyPath(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${folder}${name.slice(0, dot)}_copy${name.slice(dot)}` : `${folder}${name}_copy`;
}

/** serve only: the browser has no save dialog, so the target path is typed (it must lie under an allowed folder). */
export function SaveAsDialog({ file, onSave, onClose }: { file: OpenFile; onSave: (target: string) => void; onClose: () => void }) {
  const [target, setTarget] = useState(() => suggestCopyPath(file.path));
  return (
    <Modal title={`Save a copy of ${file.name}`} onClose={onClose} testId="save-as-dialog" actions={
      <>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="save-as-form" className="primary" disabled={!target.trim()}>Save</button>
      </>
    }>
      <form id="save-as-form" onSubmit={(event) => {
        event.preventDefault();
        // React bubbles events through portals: keep this submit from reaching a form the dialog was opened from.
        event.stopPropagation();
        onSave(target.trim());
      }}>
        <label className="field">
          <span>New file path</span>
          <input data-autofocus value={target} onChange={(event) => setTarget(event.target.value)} spellCheck={false} />
        </label>
        <p className="muted small">The copy includes every result written so far. It must be inside a folder the server was started with.</p>
      </form>
    </Modal>
  );
}
