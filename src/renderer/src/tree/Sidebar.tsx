import { useEffect, useRef, useState } from 'react';
import { formatBytes, formatInteger } from '../format/units';
import { EntityIcon } from '../ui/EntityIcon';
import { useWorkspace } from '../workspace/workspace';
import { FileTree } from './FileTree';
import { useSearch } from './useSearch';

const SHOWN_MATCHES = 200;

/** Open files on top, the active file's tree below, and a search over every object of every open file. */
export function Sidebar() {
  const { state, actions } = useWorkspace();
  const [query, setQuery] = useState('');
  const activeFile = state.files.find((f) => f.id === state.activeFileId) ?? null;
  const view = activeFile ? state.views[activeFile.id] : undefined;
  // A file's size changes when a run adds an output: the search then sees the new object.
  const search = useSearch(query, state.files.map((f) => `${f.id}:${f.sizeBytes}`).join(','));
  const result = search.status === 'done' || search.status === 'searching' ? search.result : undefined;
  const activeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const button = activeButton.current;
    // jsdom (component tests) has no layout and no scrollIntoView.
    if (button && typeof button.scrollIntoView === 'function') button.scrollIntoView({ block: 'nearest' });
  }, [state.activeFileId]);

  return (
    <aside className="sidebar" aria-label="Files and objects">
      <section className="open-files" aria-label="Open files">
        <h2 className="pane-title">Open files</h2>
        {state.files.length === 0 && <p className="muted small">No file open yet. Use <em>Open…</em> above.</p>}
        <ul className="file-list" data-testid="open-files">
          {state.files.map((file) => (
            <li key={file.id} className={file.id === state.activeFileId ? 'active' : ''}>
              <button
                type="button"
                className="file-button"
                title={file.path}
                aria-current={file.id === state.activeFileId ? 'true' : undefined}
                ref={file.id === state.activeFileId ? activeButton : undefined}
                onClick={() => {
                  actions.activate(file.id);
                  actions.select(file.id, '/');
                }}
              >
                <span className="file-name">{file.name}</span>
                <span className="muted small">{formatBytes(file.sizeBytes)}</span>
                {file.beingWritten && (
                  <span className="tree-hint warning-text" data-testid="being-written"
                    title={file.beingWritten === 'swmr' ? 'Another program is appending to this file (SWMR); the views follow it as it grows. Runs on it are refused until it closes the file.' : 'Another HDF5 program has this file open for writing (or crashed with it open). Runs on it are refused.'}>
                    {file.beingWritten === 'swmr' ? 'being written (SWMR)' : 'open for writing elsewhere'}
                  </span>
                )}
              </button>
              <button type="button" className="icon-button" aria-label={`Close ${file.name}`} onClick={() => void actions.close(file.id)}>×</button>
            </li>
          ))}
        </ul>
      </section>
      {activeFile && view && (
        <section className="tree-section" aria-label="Objects">
          <input
            type="search"
            className="tree-search"
            placeholder="Search all open files by name or path"
            aria-label="Search objects"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          {query.trim() ? (
            <div className="search-results" data-testid="search-results">
              <p className="muted small" data-testid="search-summary">
                {search.status === 'failed' ? <span className="inline-error">{search.error.message}</span>
                  : !result ? 'Searching…'
                  : result.total === 0 ? 'No object in the open files matches.'
                  : `${formatInteger(result.total)} match${result.total === 1 ? '' : 'es'} in ${formatInteger(new Set(result.matches.map((m) => m.fileId)).size)} file${new Set(result.matches.map((m) => m.fileId)).size === 1 ? '' : 's'}`}
                {result && result.indexing.length > 0 && ` (still indexing ${result.indexing.join(', ')}…)`}
              </p>
              <ul>
                {(result?.matches ?? []).slice(0, SHOWN_MATCHES).map((match) => (
                  <li key={`${match.fileId}:${match.path}`}>
                    <button
                      type="button"
                      className="search-result"
                      data-testid="search-result"
                      data-file={match.fileName}
                      data-path={match.path}
                      onClick={() => {
                        actions.select(match.fileId, match.path);
                        setQuery('');
                      }}
                    >
                      <EntityIcon kind={match.kind} />
                      <span className="tree-name">{match.name}</span>
                      <span className="muted small path">{match.fileName} · {match.path}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <FileTree file={activeFile} view={view} />
          )}
        </section>
      )}
    </aside>
  );
}
