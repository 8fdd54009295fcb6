import type { ApiEvents, ApiTransport } from '@shared/api';
import type { PreloadBridge } from '@shared/ipcChannels';
import { ApiError } from './apiError';

declare global {
  interface Window {
    /** Set by the Electron preload (src/preload/index.ts); absent in a browser. */
    h5blocks?: PreloadBridge;
  }
}

/** The desktop app's transport: Electron IPC through the preload's window.h5blocks. */
export function ipcTransport(bridge: PreloadBridge): ApiTransport {
  return {
    async call(method, args) {
      let outcome;
      try {
        outcome = await bridge.call(method, args);
      } catch (error) {
        throw new ApiError({ code: 'internal', message: `${method}: the main process did not answer (${error instanceof Error ? error.message : String(error)})` });
      }
      if (outcome.ok) return outcome.result;
      throw new ApiError(outcome.error);
    },
    subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
      return bridge.on(event, (payload) => listener(payload as ApiEvents[E]));
    },
  };
}
