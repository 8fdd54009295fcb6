import { useEffect, useState } from 'react';
import type { SearchResult } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import { useApi } from '../app/apiContext';

/** Typing pauses this long before a search is sent. */
const DEBOUNCE_MS = 150;
/** While a large file is still being indexed, the search is asked again this often. */
const POLL_MS = 600;

export type SearchState =
  | { status: 'idle' }
  | { status: 'searching'; result?: SearchResult }
  | { status: 'done'; result: SearchResult }
  | { status: 'failed'; error: ErrorInfo };

/** The main process's search over every open file (see src/main/app/searchIndex.ts), asked again until every index is built. */
export function useSearch(query: string, filesKey: string): SearchState {
  const { api } = useApi();
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  useEffect(() => {
    const needle = query.trim();
    if (!needle) {
      setState({ status: 'idle' });
      return undefined;
    }
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const ask = () => {
      api.search(needle).then((result) => {
        if (!live) return;
        if (result.indexing.length > 0) {
          setState({ status: 'searching', result });
          timer = setTimeout(ask, POLL_MS);
        } else {
          setState({ status: 'done', result });
        }
      }, (error: unknown) => live && setState({ status: 'failed', error: toErrorInfo(error) }));
    };
    setState((previous) => ({ status: 'searching', result: 'result' in previous ? previous.result : undefined }));
    timer = setTimeout(ask, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query, filesKey]);
  return state;
}
