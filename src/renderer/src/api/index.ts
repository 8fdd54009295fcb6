// TEMPORARY STUB written by the renderer UI helper so the UI compiles before the
// real transports exist. The transport helper replaces this whole folder with
// the Electron IPC and WebSocket transports; nothing else should be added here.
import type { ApiEvents, H5BlocksApi } from '../../../shared/api';

const notReady = (): Promise<never> =>
  Promise.reject({ code: 'internal', message: 'the API transport is not built yet' });

export const api: H5BlocksApi = new Proxy({} as H5BlocksApi, { get: () => notReady });

export function subscribe<E extends keyof ApiEvents>(_event: E, _listener: (payload: ApiEvents[E]) => void): () => void {
  return () => {};
}
