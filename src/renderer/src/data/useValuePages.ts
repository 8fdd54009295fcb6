import { useCallback, useRef, useState } from 'react';
import type { H5BlocksApi, ValueOptions } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';

type Page = { status: 'loading' } | { status: 'done'; values: (number | string | null)[] } | { status: 'failed'; error: ErrorInfo };

/** Pages kept in memory; scrolling far away evicts the oldest. */
const MAX_PAGES = 60;

/**
 * Reads a table's values a page of rows at a time, as the rows come into
 * view. `rangesFor(start, stop)` turns a row window into the per-dimension
 * ranges the API wants (it fixes leading indices and the column window).
 */
export function useValuePages(
  api: H5BlocksApi, fileId: string, path: string, pageRows: number, rangesFor: (start: number, stop: number) => [number, number][],
  rowCount: number, identity: string, options?: ValueOptions, version = '',
) {
  const pages = useRef(new Map<number, Page>());
  // A new version (a Live refresh) reads the pages again; until each arrives, its previous values stay on screen.
  const previous = useRef(new Map<number, Page>());
  const cacheVersion = useRef(version);
  const [, setVersion] = useState(0);
  // A new dataset or window starts from an empty cache in the same render, before
  // the table's effects ask for rows; an effect here would run after theirs.
  const cacheIdentity = useRef(identity);
  if (cacheIdentity.current !== identity) {
    cacheIdentity.current = identity;
    cacheVersion.current = version;
    pages.current = new Map();
    previous.current = new Map();
  } else if (cacheVersion.current !== version) {
    cacheVersion.current = version;
    previous.current = pages.current;
    pages.current = new Map();
  }

  const ensureRows = useCallback((first: number, last: number) => {
    const firstPage = Math.floor(first / pageRows);
    const lastPage = Math.floor(last / pageRows);
    const cache = pages.current;
    for (let page = firstPage; page <= lastPage; page++) {
      if (cache.has(page)) continue;
      cache.set(page, { status: 'loading' });
      const start = page * pageRows;
      const stop = Math.min(rowCount, start + pageRows);
      (options ? api.getValue(fileId, path, rangesFor(start, stop), options) : api.getValue(fileId, path, rangesFor(start, stop))).then(
        (slice) => {
          if (pages.current !== cache) return;
          cache.set(page, { status: 'done', values: slice.values });
          setVersion((v) => v + 1);
        },
        (failure: unknown) => {
          if (pages.current !== cache) return;
          cache.set(page, { status: 'failed', error: toErrorInfo(failure) });
          setVersion((v) => v + 1);
        },
      );
    }
    // Forget the pages furthest from the view first.
    if (cache.size > MAX_PAGES) {
      const centre = (firstPage + lastPage) / 2;
      const far = [...cache.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
      for (const page of far.slice(0, cache.size - MAX_PAGES)) cache.delete(page);
    }
  }, [api, fileId, path, pageRows, rangesFor, rowCount, identity, options, version]);

  /** The value at a row and a column within the window, or undefined while its page is read. */
  const valueAt = useCallback((row: number, column: number, columns: number): number | string | null | undefined => {
    const index = Math.floor(row / pageRows);
    let page = pages.current.get(index);
    if (page?.status !== 'done') page = previous.current.get(index);
    if (page?.status !== 'done') return undefined;
    return page.values[(row % pageRows) * columns + column];
  }, [pageRows]);

  let error: ErrorInfo | null = null;
  for (const page of pages.current.values()) if (page.status === 'failed') error = page.error;
  return { ensureRows, valueAt, error };
}
