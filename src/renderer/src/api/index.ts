// The renderer's one way to the main process. React-free: import `api` and
// `subscribe` anywhere.
//
//   const root = await api.getEntity(fileId, '/');
//   const stop = subscribe('run', (event) => { ... });
//
// Every call rejects with an ApiError (code + one-line message). The transport
// (IPC in Electron, WebSocket in a browser) is chosen on first use.

import type { ApiEvents, ApiTransport, H5BlocksApi } from '@shared/api';
import { createApiClient } from './client';
import { detectTransport } from './detectTransport';

export { ApiError, isApiError } from './apiError';
export { createApiClient } from './client';
export { detectTransport } from './detectTransport';
export { ipcTransport } from './ipcTransport';
export { wsTransport, type WsTransport, type WsTransportOptions } from './wsTransport';

let current: ApiTransport | undefined;

function transport(): ApiTransport {
  current ??= detectTransport();
  return current;
}

/** Replaces the transport `api` and `subscribe` use, e.g. with a fake in component tests. */
export function setTransport(next: ApiTransport): void {
  current = next;
}

export const api: H5BlocksApi = createApiClient({
  call: (method, args) => transport().call(method, args),
  subscribe: (event, listener) => transport().subscribe(event, listener),
});

/** Listens to one kind of event; returns the function that stops listening. */
export function subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return transport().subscribe(event, listener);
}
