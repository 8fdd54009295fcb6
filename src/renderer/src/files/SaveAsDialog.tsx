import { useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import type { SaveAsVirtual, VirtualOutput } from '../../../shared/virtual';
import { Modal } from '../ui/Modal';

/** Suggests `<folder>/<name>_copy.h5` beside the original. */
export function suggestCopyPath(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${folder}${name.slice(0, dot)}_copy${name.slice(dot)}` : `${folder}${name}_copy`;
}

export interface SaveAsDialogProps {
  file: OpenFile;
  /** The file's virtual datasets: with any, the dialog asks what the copy does with their shards. */
  virtualOutputs: VirtualOutput[];
  /** serve: the browser has no save dialog, so the target path is typed (under an allowed folder). Electron asks natively after. */
  askPath: boolean;
  onSave: (target: string | null, virtual: SaveAsVirtual) => void;
  onClose: () => void;
}

export function SaveAsDialog({ file, virtualOutputs, askPath, onSave, onClose }: SaveAsDialogProps) {
  const [target, setTarget] = useState(() => suggestCopyPath(file.path));
  const [virtual, setVirtual] = useState<SaveAsVirtual>('copy-shards');
  const shards = virtualOutputs.reduce((sum, o) => sum + o.sources.length, 0);
  const missing = virtualOutputs.flatMap((o) => o.sources.filter((s) => s.missing).map((s) => s.file));
  return (
    <Modal title={`Save a copy of ${file.name}`} onClose={onClose} testId="save-as-dialog" actions={
      <>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="save-as-form" className="primary" disabled={askPath && !target.trim()}>{askPath ? 'Save' : 'Choose where…'}</button>
      </>
    }>
      <form id="save-as-form" onSubmit={(event) => {
        event.preventDefault();
        // React bubbles events through portals: keep this submit from reaching a form the dialog was opened from.
        event.stopPropagation();
        onSave(askPath ? target.trim() : null, virtual);
      }}>
        {askPath && (
          <label className="field">
            <span>New file path</span>
            <input data-autofocus value={target} onChange={(event) => setTarget(event.target.value)} spellCheck={false} />
          </label>
        )}
        {virtualOutputs.length > 0 && (
          <fieldset className="save-as-virtual" data-testid="save-as-virtual">
            <legend>
              Virtual datasets ({virtualOutputs.map((o) => o.dataset).join(', ')}) read their values from {shards} shard file(s) beside {file.name}
            </legend>
            <label className="choice-card">
              <input type="radio" name="virtual" value="copy-shards" checked={virtual === 'copy-shards'} onChange={() => setVirtual('copy-shards')} />
              <span className="choice-title">Copy the shards</span>
              <span className="choice-help">The shard folder is copied beside the new file (named after it) and the copy reads from there: quick, the copy stays virtual, and its folder must move with it.</span>
            </label>
            <label className="choice-card">
              <input type="radio" name="virtual" value="materialize" checked={virtual === 'materialize'} onChange={() => setVirtual('materialize')} />
              <span className="choice-title">Materialize</span>
              <span className="choice-help">The values are stored in the copy itself as regular datasets: one self-contained file, no shard folder, any reader opens it alone.</span>
            </label>
            {missing.length > 0 && (
              <p className="warning-text small" role="alert">Missing shard files: {missing.join(', ')}. Copying leaves those rows unreadable in the copy; materializing is refused until they are back.</p>
            )}
          </fieldset>
        )}
        {askPath && <p className="muted small">The copy includes every result written so far. It must be inside a folder the server was started with.</p>}
      </form>
    </Modal>
  );
}
