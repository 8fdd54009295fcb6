import { useCallback, useEffect, useState } from 'react';
import type { BrowseEntry, BrowseListing } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import { useApi } from '../app/apiContext';
import { formatBytes } from '../format/units';
import { FsIcon } from '../ui/EntityIcon';

/** One folder under the served roots at a time, and the error of the last attempt to list one. */
export function useFolderListing(start: string | null) {
  const { api } = useApi();
  const [listing, setListing] = useState<BrowseListing | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const browse = useCallback(async (folder: string | null, fallBackToTop = false) => {
    try {
      setListing(await api.browse(folder));
      setError(null);
    } catch (failure) {
      if (fallBackToTop && folder !== null) return browse(null);
      setError(toErrorInfo(failure));
    }
  }, [api]);

  useEffect(() => {
    void browse(start, true);
  }, [browse, start]);

  return { listing, error, browse };
}

/**
 * The folder view both Open… and Save As… use in `h5blocks serve`, where the
 * browser has no native dialog: Up, Top, where one is, and the folder's
 * contents (folders first); choosing a folder goes into it.
 */
export function FolderBrowser({ listing, browse, onFile, onSelect, selectedPath, show, busyPath, disabled = false }: {
  listing: BrowseListing | null;
  browse: (folder: string | null) => void;
  /** A file chosen: clicked, or (with onSelect) double-clicked or Enter. */
  onFile: (entry: BrowseEntry) => void;
  /** When given, a click selects a file and a double click or Enter chooses it, as in a desktop Open dialog. */
  onSelect?: (entry: BrowseEntry) => void;
  selectedPath?: string | null;
  /** Which files to list (folders are always listed). */
  show?: (entry: BrowseEntry) => boolean;
  busyPath?: string | null;
  disabled?: boolean;
}) {
  const entries = listing?.entries.filter((entry) => entry.kind === 'folder' || !show || show(entry));
  const hidden = (listing?.entries.length ?? 0) - (entries?.length ?? 0);
  return (
    <>
      <div className="browser-location">
        <button type="button" disabled={!listing || listing.parent === null} onClick={() => browse(listing?.parent ?? null)}>↑ Up</button>
        <button type="button" onClick={() => browse(null)}>Top</button>
        <code className="browser-folder" data-testid="browser-folder">{listing?.folder || 'Allowed folders'}</code>
      </div>
      <ul className="browser-list" aria-label="Folder contents">
        {entries?.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              className={`browser-entry${selectedPath === entry.path ? ' selected' : ''}`}
              data-testid="browser-entry"
              data-kind={entry.kind}
              aria-pressed={onSelect && entry.kind === 'file' ? selectedPath === entry.path : undefined}
              disabled={disabled}
              onClick={() => (entry.kind === 'folder' ? browse(entry.path) : onSelect ? onSelect(entry) : onFile(entry))}
              onDoubleClick={() => entry.kind === 'file' && onSelect && onFile(entry)}
              onKeyDown={(event) => {
                if (event.key !== 'Enter' || entry.kind !== 'file' || !onSelect) return;
                event.preventDefault();
                onFile(entry);
              }}
            >
              <FsIcon kind={entry.kind} />
              <span className="browser-name">{entry.name}</span>
              <span className="muted small">{entry.kind === 'file' && entry.sizeBytes !== undefined ? formatBytes(entry.sizeBytes) : ''}</span>
              {busyPath === entry.path && <span className="muted small">opening…</span>}
            </button>
          </li>
        ))}
        {listing && listing.entries.length === 0 && <li className="muted">This folder is empty.</li>}
        {hidden > 0 && <li className="muted small" data-testid="browser-hidden">{hidden} other file{hidden === 1 ? '' : 's'} not shown (choose “All files” to see them)</li>}
      </ul>
    </>
  );
}
