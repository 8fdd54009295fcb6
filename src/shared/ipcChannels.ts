// The Electron IPC channels between the preload and the main process. The
// renderer never sees them: it only has window.h5blocks (see PreloadBridge).

import type { ErrorInfo } from './errors';

/** renderer → main, invoke: (method, args) → CallOutcome. */
export const CALL_CHANNEL = 'h5blocks:call';
/** main → renderer, send: (event name, payload). */
export const EVENT_CHANNEL = 'h5blocks:event';
/** preload → main, send: the paths of files dropped on the window (from webUtils.getPathForFile). */
export const DROP_CHANNEL = 'h5blocks:drop';

/**
 * A call's result as data: Electron's invoke would turn a rejection into an
 * Error whose message carries "Error invoking remote method…", losing the code.
 */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };

/** What the preload exposes as `window.h5blocks`, and nothing more. */
export interface PreloadBridge {
  call(method: string, args: unknown[]): Promise<CallOutcome>;
  /** Returns the function that stops listening. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}
