import { useEffect, useState, type DependencyList } from 'react';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';

export type AsyncState<T> =
  | { status: 'loading' }
  | { status: 'done'; value: T }
  | { status: 'failed'; error: ErrorInfo };

/** Runs `load` whenever `deps` change; a stale load is aborted and its result ignored. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (value) => !controller.signal.aborted && setState({ status: 'done', value }),
      (error: unknown) => !controller.signal.aborted && setState({ status: 'failed', error: toErrorInfo(error) }),
    );
    return () => controller.abort();
    // The caller lists what `load` depends on, like useEffect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
