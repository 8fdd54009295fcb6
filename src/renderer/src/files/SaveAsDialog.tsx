import { useState } from 'react';
import type { OpenFile } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import type { SaveAsVirtual, VirtualOutput } from '@shared/virtual';
import { useApi } from '../app/apiContext';
import { Modal } from '../ui/Modal';
import { useAction } from '../ui/useAction';
import { FolderBrowser, useFolderListing } from './FolderBrowser';

/** Suggests `<name>_copy.h5` for a copy beside the original. */
export function suggestCopyName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}_copy${name.slice(dot)}` : `${name}_copy`;
}

function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash > 0 ? path.slice(0, slash) : '/';
}

/** Where a typed name goes: an absolute path as typed, anything else inside the folder on screen. */
export function targetPath(folder: string, name: string): string {
  if (name.startsWith('/')) return name;
  return `${folder.replace(/\/+$/, '')}/${name}`;
}

export interface SaveAsDialogProps {
  file: OpenFile;
  /** The file's virtual datasets: with any, the dialog asks what the copy does with their shards. */
  virtualOutputs: VirtualOutput[];
  /** serve: the browser has no save dialog, so the dialog browses folders; the desktop app asks natively after. */
  askPath: boolean;
  onSaved: (copy: OpenFile) => void;
  onClose: () => void;
}

export function SaveAsDialog(props: SaveAsDialogProps) {
  return props.askPath ? <BrowsingSaveAs {...props} /> : <NativeSaveAs {...props} />;
}

/**
 * The desktop app opens this only for a file with virtual datasets: the choice
 * about their shards, then the native Save dialog asks where.
 */
function NativeSaveAs({ file, virtualOutputs, onSaved, onClose }: SaveAsDialogProps) {
  const { api } = useApi();
  const [virtual, setVirtual] = useState<SaveAsVirtual>('copy-shards');
  const saving = useAction();

  const save = () => saving.run(async () => {
    const copy = await api.saveAs(file.id, null, { virtual });
    if (copy) onSaved(copy);
    onClose();
  });

  return (
    <Modal title={`Save a copy of ${file.name}`} onClose={onClose} testId="save-as-dialog" actions={
      <>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="save-as-form" className="primary" disabled={saving.busy}>Choose where…</button>
      </>
    }>
      <form id="save-as-form" onSubmit={(event) => {
        event.preventDefault();
        // React bubbles events through portals: keep this submit from reaching a form the dialog was opened from.
        event.stopPropagation();
        void save();
      }}>
        <VirtualChoice file={file} outputs={virtualOutputs} value={virtual} onChange={setVirtual} />
      </form>
      {saving.error && <p className="inline-error" role="alert" data-testid="dialog-error">{saving.error.message}</p>}
      <p className="muted small">The copy includes every result written so far; the original is not touched.</p>
    </Modal>
  );
}

/**
 * serve (the desktop app has the native Save dialog): the same folder
 * browser as Open…, a file name, and a confirmation before an existing file is
 * replaced. Every refusal (outside the served folders, read-only, a folder's
 * name) is said inside the dialog, which stays open to choose again.
 */
function BrowsingSaveAs({ file, virtualOutputs, onSaved, onClose }: SaveAsDialogProps) {
  const [virtual, setVirtual] = useState<SaveAsVirtual>('copy-shards');
  const { api } = useApi();
  const { listing, error: listError, browse } = useFolderListing(folderOf(file.path));
  const [name, setName] = useState(() => suggestCopyName(file.name));
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null);
  /** The path the user agreed to replace; any change of name or folder takes the agreement back. */
  const [replacing, setReplacing] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const folder = listing?.folder ?? '';
  const trimmed = name.trim();
  const target = folder || trimmed.startsWith('/') ? targetPath(folder, trimmed) : null;
  const existing = listing?.entries.find((entry) => entry.path === target || (!trimmed.includes('/') && entry.name === trimmed));
  const confirming = replacing !== null && replacing === target;

  function changeName(next: string) {
    setName(next);
    setReplacing(null);
    setSaveError(null);
  }

  async function save() {
    if (!target) {
      setSaveError({ code: 'invalid-argument', message: 'Choose a folder for the copy first' });
      return;
    }
    if (existing?.kind === 'folder') {
      setSaveError({ code: 'invalid-argument', message: `${existing.name} is a folder; type a file name` });
      return;
    }
    if (existing && !confirming) {
      setReplacing(target);
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const copy = await api.saveAs(file.id, target, { replace: confirming, virtual });
      if (copy) onSaved(copy);
      onClose();
    } catch (failure) {
      const info = toErrorInfo(failure);
      // The file appeared since the folder was listed: ask, as for one listed.
      if (info.code === 'output-exists' && !confirming) setReplacing(target);
      else setSaveError(info);
      void browse(folder || null);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal title={`Save a copy of ${file.name}`} onClose={onClose} testId="save-as-dialog" wide actions={
      <>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="save-as-form" className={confirming ? 'danger' : 'primary'} disabled={!trimmed || saving}>
          {confirming ? 'Replace' : 'Save'}
        </button>
      </>
    }>
      <FolderBrowser listing={listing} browse={(next) => {
        setReplacing(null);
        setSaveError(null);
        void browse(next);
      }} onFile={(entry) => changeName(entry.name)} disabled={saving} />
      <form id="save-as-form" onSubmit={(event) => {
        event.preventDefault();
        // React bubbles events through portals: keep this submit from reaching a form the dialog was opened from.
        event.stopPropagation();
        void save();
      }}>
        <label className="field">
          <span>File name</span>
          <input data-autofocus value={name} onChange={(event) => changeName(event.target.value)} spellCheck={false} />
        </label>
        <VirtualChoice file={file} outputs={virtualOutputs} value={virtual} onChange={setVirtual} />
      </form>
      {confirming && (
        <p className="callout warning-callout" role="alert" data-testid="replace-confirmation">
          {target} already exists. Replace it with a copy of {file.name}? Its contents will be lost.
        </p>
      )}
      {(saveError ?? listError) && <p className="inline-error" role="alert" data-testid="dialog-error">{(saveError ?? listError)!.message}</p>}
      <p className="muted small">The copy includes every result written so far; the original is not touched.</p>
    </Modal>
  );
}

/** With virtual datasets in the file: copy their shards beside the copy, or store their values in it. */
function VirtualChoice({ file, outputs, value, onChange }: {
  file: OpenFile;
  outputs: VirtualOutput[];
  value: SaveAsVirtual;
  onChange: (value: SaveAsVirtual) => void;
}) {
  if (outputs.length === 0) return null;
  const shards = outputs.reduce((sum, o) => sum + o.sources.length, 0);
  const missing = outputs.flatMap((o) => o.sources.filter((s) => s.missing).map((s) => s.file));
  return (
    <fieldset className="save-as-virtual" data-testid="save-as-virtual">
      <legend>
        Virtual datasets ({outputs.map((o) => o.dataset).join(', ')}) read their values from {shards} shard file(s) beside {file.name}
      </legend>
      <label className="choice-card">
        <input type="radio" name="virtual" value="copy-shards" checked={value === 'copy-shards'} onChange={() => onChange('copy-shards')} />
        <span className="choice-title">Copy the shards</span>
        <span className="choice-help">The shard folder is copied beside the new file (named after it) and the copy reads from there: quick, the copy stays virtual, and its folder must move with it.</span>
      </label>
      <label className="choice-card">
        <input type="radio" name="virtual" value="materialize" checked={value === 'materialize'} onChange={() => onChange('materialize')} />
        <span className="choice-title">Materialize</span>
        <span className="choice-help">The values are stored in the copy itself as regular datasets: one self-contained file, no shard folder, any reader opens it alone.</span>
      </label>
      {missing.length > 0 && (
        <p className="warning-text small" role="alert">Missing shard files: {missing.join(', ')}. Copying leaves those rows unreadable in the copy; materializing is refused until they are back.</p>
      )}
    </fieldset>
  );
}
