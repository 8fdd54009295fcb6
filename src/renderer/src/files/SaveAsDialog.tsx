import { useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { useApi } from '../app/apiContext';
import { Modal } from '../ui/Modal';
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

/**
 * serve only (the desktop app has the native Save dialog): the same folder
 * browser as Open…, a file name, and a confirmation before an existing file is
 * replaced. Every refusal (outside the served folders, read-only, a folder's
 * name) is said inside the dialog, which stays open to choose again.
 */
export function SaveAsDialog({ file, onSaved, onClose }: { file: OpenFile; onSaved: (copy: OpenFile) => void; onClose: () => void }) {
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
      const copy = await api.saveAs(file.id, target, confirming);
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
