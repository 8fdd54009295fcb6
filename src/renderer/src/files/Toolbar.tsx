import { useEffect, useRef, useState } from 'react';
import type { OpenFile } from '@shared/api';
import type { VirtualOutput } from '@shared/virtual';
import { useApi } from '../app/apiContext';
import { useNotifier } from '../app/notifications';
import { useTheme } from '../app/theme';
import { useRuns } from '../run/runsStore';
import { useWorkspace } from '../workspace/workspace';
import { FileBrowserDialog } from './FileBrowserDialog';
import { SaveAsDialog } from './SaveAsDialog';
import { useHostEvents } from './useHostEvents';

export function Toolbar() {
  const { api } = useApi();
  const { notifyError, notify } = useNotifier();
  const { state, actions } = useWorkspace();
  const { appInfo } = useRuns();
  const { theme, toggle } = useTheme();
  const [browsing, setBrowsing] = useState(false);
  // The Save As dialog: open with the file's virtual outputs (it asks what to do with their shards).
  const [savingCopy, setSavingCopy] = useState<VirtualOutput[] | null>(null);
  const activeFile = state.files.find((f) => f.id === state.activeFileId) ?? null;

  async function startSaveAs() {
    if (!activeFile) return;
    let outputs: VirtualOutput[] = [];
    try {
      outputs = await api.listVirtualOutputs(activeFile.id);
    } catch {
      // Listing is a courtesy; Save As still copies the file.
    }
    // The desktop app asks for the path natively; it needs the dialog only for the choice about virtual datasets.
    if (appInfo?.host === 'electron' && outputs.length === 0) void saveCopy(null);
    else setSavingCopy(outputs);
  }
  useHostEvents(() => void startSaveAs());

  async function openFile() {
    try {
      const file = await api.showOpenDialog();
      if (file) actions.fileOpened(file);
      // Electron answers null when the user cancels; serve always does, and then the app browses itself.
      else if (appInfo?.host !== 'electron') setBrowsing(true);
    } catch (error) {
      notifyError(error, 'Opening a file');
    }
  }

  function copySaved(source: OpenFile, copy: OpenFile) {
    actions.fileOpened(copy);
    notify(`Saved a copy of ${source.name} as ${copy.path}`, 'success');
  }

  /** The desktop app, for a file without virtual datasets: the native dialog asks where (null when the user cancels). */
  async function saveCopy(target: null) {
    if (!activeFile) return;
    try {
      const copy = await api.saveAs(activeFile.id, target);
      if (copy) copySaved(activeFile, copy);
    } catch (error) {
      notifyError(error, `Saving a copy of ${activeFile.name}`);
    }
  }

  return (
    <header className="toolbar">
      <span className="brand" aria-label="h5blocks">
        <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
          <rect x="1" y="1" width="8" height="8" rx="1.5" className="brand-a" />
          <rect x="11" y="1" width="8" height="8" rx="1.5" className="brand-b" />
          <rect x="1" y="11" width="8" height="8" rx="1.5" className="brand-b" />
          <rect x="11" y="11" width="8" height="8" rx="1.5" className="brand-a" />
        </svg>
        h5blocks
      </span>
      <button type="button" className="primary" onClick={() => void openFile()}>Open…</button>
      <RecentMenu onOpened={actions.fileOpened} />
      <button
        type="button"
        disabled={!activeFile}
        title={activeFile ? `Save a copy of ${activeFile.name}` : 'Open a file first'}
        onClick={() => void startSaveAs()}
      >
        Save As…
      </button>
      <button
        type="button"
        disabled={!activeFile}
        title={activeFile ? `Read ${activeFile.name} again from disk (another program may have changed it)` : 'Open a file first'}
        data-testid="reload-file"
        onClick={() => activeFile && void actions.reload(activeFile.id, 'asked')}
      >
        Reload
      </button>
      <span className="toolbar-spacer" />
      {appInfo && (
        <span className="muted small app-info" title={`HDF5 ${appInfo.hdf5Version} · h5wasm ${appInfo.h5wasmVersion} · Node ${appInfo.nodeVersion}`}>
          v{appInfo.appVersion} · {appInfo.cores} cores · {appInfo.host === 'serve' ? 'browser' : 'desktop'}
        </span>
      )}
      <button
        type="button"
        className="icon-button theme-toggle"
        onClick={toggle}
        aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      {browsing && <FileBrowserDialog onOpened={actions.fileOpened} onClose={() => setBrowsing(false)} />}
      {savingCopy && activeFile && (
        <SaveAsDialog file={activeFile} virtualOutputs={savingCopy} askPath={appInfo?.host !== 'electron'}
          onSaved={(copy) => copySaved(activeFile, copy)} onClose={() => setSavingCopy(null)} />
      )}
    </header>
  );
}

/** Recently opened files, read when the menu opens so it reflects other windows too. */
function RecentMenu({ onOpened }: { onOpened: (file: OpenFile) => void }) {
  const { api } = useApi();
  const { notifyError } = useNotifier();
  const [open, setOpen] = useState(false);
  const [recent, setRecent] = useState<string[] | null>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    api.recentFiles().then((paths) => live && setRecent(paths), (error: unknown) => {
      notifyError(error, 'Reading recent files');
      setOpen(false);
    });
    const closeOnOutside = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', closeOnOutside);
    return () => {
      live = false;
      document.removeEventListener('mousedown', closeOnOutside);
    };
  }, [open, api, notifyError]);

  async function openRecent(path: string) {
    setOpen(false);
    try {
      onOpened(await api.openPath(path));
    } catch (error) {
      notifyError(error, `Opening ${path.split(/[\\/]/).pop()}`);
    }
  }

  return (
    <div className="menu-anchor" ref={menu} onKeyDown={(event) => event.key === 'Escape' && setOpen(false)}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>Recent ▾</button>
      {open && (
        <div className="menu" role="menu" aria-label="Recent files">
          {recent === null && <div className="menu-note">Loading…</div>}
          {recent?.length === 0 && <div className="menu-note">No recent files yet.</div>}
          {recent?.map((path) => (
            <button key={path} type="button" role="menuitem" className="menu-item" title={path} onClick={() => void openRecent(path)}>
              <span>{path.split(/[\\/]/).pop()}</span>
              <span className="muted small">{path}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
