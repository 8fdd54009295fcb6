// The only bridge between the page and the main process, and deliberately
// tiny: window.h5blocks = { call(method, args), on(event, listener) }. No
// Electron or Node object reaches the page. Runs sandboxed, as CommonJS.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CALL_CHANNEL, DROP_CHANNEL, EVENT_CHANNEL, type CallOutcome, type PreloadBridge } from '@shared/ipcChannels';

const bridge: PreloadBridge = {
  call: (method: string, args: unknown[]) => ipcRenderer.invoke(CALL_CHANNEL, method, args) as Promise<CallOutcome>,
  on(event: string, listener: (payload: unknown) => void) {
    const forward = (_ipc: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('h5blocks', bridge);

// Files dropped anywhere on the window open in the app. Their paths come from
// Electron (webUtils), never from the page, and go straight to the main process;
// a File the page made up itself has no path and is ignored.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => {
  event.preventDefault();
  const paths = [...(event.dataTransfer?.files ?? [])].map((file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
  if (paths.length > 0) ipcRenderer.send(DROP_CHANNEL, paths);
});
