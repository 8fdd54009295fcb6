import { useEffect, useRef, useState } from 'react';
import type { H5BlocksApi } from '@shared/api';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import type { Overview, OverviewRequest } from '@shared/overview';

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
 *
 * `version` changes when the data may have changed (a Live refresh of a file
 * being written): the overview is read again for the same request, and the
 * one on screen stays until the new one arrives, so a growing plot updates in
 * place instead of blinking through "Reading…" every second.
 */
export function useOverview<T extends Overview>(api: H5BlocksApi, fileId: string, path: string, request: OverviewRequest | null, version = '') {
  const [state, setState] = useState<OverviewState<T>>({ status: 'loading', slow: false });
  const [attempt, setAttempt] = useState(0);
  const [followUp, setFollowUp] = useState(0);
  const key = JSON.stringify(request);
  const lastRead = useRef({ key, version, followUp });
  // A refresh that finds the previous read still running waits for it (then reads once more) rather than
  // dropping it: with reads slower than the Live pace, every read would otherwise be dropped by the next.
  const running = useRef<{ key: string; again: boolean } | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    if (!request) return undefined;
    const previous = lastRead.current;
    const refresh = previous.key === key && (previous.version !== version || previous.followUp !== followUp);
    lastRead.current = { key, version, followUp };
    if (refresh && running.current?.key === key) {
      running.current.again = true;
      return undefined;
    }
    let live = true;
    const read = { key, again: false };
    running.current = read;
    if (!refresh) setState({ status: 'loading', slow: false });
    const slow = setTimeout(() => live && setState((s) => (s.status === 'loading' ? { status: 'loading', slow: true } : s)), CANCEL_AFTER_MS);
    const current = () => mounted.current && lastRead.current.key === key && (live || refresh || read.again);
    api.getOverview(fileId, path, request).then(
      (value) => current() && setState((s) => (s.status === 'cancelled' ? s : { status: 'done', value: value as T })),
      (error: unknown) => current() && setState((s) => (s.status === 'cancelled' ? s : { status: 'failed', error: toErrorInfo(error) })),
    ).finally(() => {
      clearTimeout(slow);
      if (running.current === read) running.current = null;
      if (read.again && mounted.current && lastRead.current.key === key) setFollowUp((n) => n + 1);
    });
    return () => {
      live = false;
      clearTimeout(slow);
    };
    // `key` stands for the request's contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, fileId, path, key, version, attempt, followUp]);
  return {
    state,
    cancel: () => setState({ status: 'cancelled' }),
    retry: () => setAttempt((n) => n + 1),
  };
}
