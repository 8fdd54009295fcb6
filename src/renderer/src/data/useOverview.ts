import { useEffect, useState } from 'react';
import type { H5BlocksApi } from '../../../shared/api';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import type { Overview, OverviewRequest } from '../../../shared/overview';

/** A read that has taken longer than this offers Cancel. */
export const CANCEL_AFTER_MS = 1000;

export type OverviewState<T extends Overview> =
  | { status: 'loading'; slow: boolean }
  | { status: 'done'; value: T }
  | { status: 'failed'; error: ErrorInfo }
  | { status: 'cancelled' };

/**
 * An overview of a dataset, read again whenever the request changes. After a
 * second of waiting `slow` turns true (the view offers Cancel); `cancel()`
 * stops waiting and `retry()` asks again.
 */
export function useOverview<T extends Overview>(api: H5BlocksApi, fileId: string, path: string, request: OverviewRequest | null) {
  const [state, setState] = useState<OverviewState<T>>({ status: 'loading', slow: false });
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify(request);
  useEffect(() => {
    if (!request) return undefined;
    let live = true;
    setState({ status: 'loading', slow: false });
    const slow = setTimeout(() => live && setState((s) => (s.status === 'loading' ? { status: 'loading', slow: true } : s)), CANCEL_AFTER_MS);
    api.getOverview(fileId, path, request).then(
      (value) => live && setState((s) => (s.status === 'cancelled' ? s : { status: 'done', value: value as T })),
      (error: unknown) => live && setState((s) => (s.status === 'cancelled' ? s : { status: 'failed', error: toErrorInfo(error) })),
    ).finally(() => clearTimeout(slow));
    return () => {
      live = false;
      clearTimeout(slow);
    };
    // `key` stands for the request's contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, fileId, path, key, attempt]);
  return {
    state,
    cancel: () => setState({ status: 'cancelled' }),
    retry: () => setAttempt((n) => n + 1),
  };
}
