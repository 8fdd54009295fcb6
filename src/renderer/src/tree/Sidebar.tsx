import { useMemo, useState } from 'react';
import { formatBytes, formatInteger } from '../format/units';
import { EntityIcon } from '../ui/EntityIcon';
import { useWorkspace } from '../workspace/workspace';
import { FileTree } from './FileTree';
import { knownObjects, searchObjects } from './treeSearch';

const SHOWN_MATCHES = 200;

/** Open files on top, the active file's tree below, and a search over what has been read. */
export function Sidebar() {
  const { state, actions } = useWorkspace();
  const [query, setQuery] = useState('');
  const activeFile = state.files.find((f) => f.id === state.activeFileId) ?? null;
  const view = activeFile ? state.views[activeFile.id] : undefined;
  const matches = useMemo(() => (view ? searchObjects(knownObjects(view), query) : []), [view, query]);

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
                onClick={() => {
                  actions.activate(file.id);
                  actions.select(file.id, '/');
                }}
              >
                <span className="file-name">{file.name}</span>
                <span className="muted small">{formatBytes(file.sizeBytes)}</span>
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
            placeholder="Search loaded objects by name or path"
            aria-label="Search objects"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          {query.trim() ? (
            <div className="search-results" data-testid="search-results">
              <p className="muted small">
                {matches.length === 0 ? 'No loaded object matches. Expand groups to search inside them.' : `${formatInteger(matches.length)} match${matches.length === 1 ? '' : 'es'} among loaded objects`}
              </p>
              <ul>
                {matches.slice(0, SHOWN_MATCHES).map((match) => (
                  <li key={match.path}>
                    <button
                      type="button"
                      className="search-result"
                      onClick={() => {
                        actions.select(activeFile.id, match.path);
                        setQuery('');
                      }}
                    >
                      <EntityIcon kind={match.kind} />
                      <span className="tree-name">{match.name}</span>
                      <span className="muted small path">{match.path}</span>
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
