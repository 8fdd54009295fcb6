import type { ApiTransport } from '@shared/api';
import { ipcTransport } from './ipcTransport';
import { wsTransport } from './wsTransport';

/** Electron IPC when the preload put window.h5blocks there, else the WebSocket of `h5blocks serve`. */
export function detectTransport(): ApiTransport {
  const bridge = typeof window === 'undefined' ? undefined : window.h5blocks;
  return bridge ? ipcTransport(bridge) : wsTransport();
}
