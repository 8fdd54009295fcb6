// The desktop app's main process: one window showing the built renderer, bound
// to the AppService over IPC. Everything here is Electron glue; the API itself
// lives in src/main/app and is shared with `h5blocks serve`.

import {
  app, BrowserWindow, dialog, ipcMain, Menu, screen, session,
  type IpcMainEvent, type IpcMainInvokeEvent, type OpenDialogOptions, type SaveDialogOptions,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CALL_CHANNEL, DROP_CHANNEL, EVENT_CHANNEL, type CallOutcome } from '@shared/ipcChannels';
import { dispatchCall } from './app/dispatch';
import { publicError } from './app/publicError';
import { AppService } from './app/service';
import { filesFromArgv } from './electron/commandLine';
import { electronHost } from './electron/electronHost';
import { aboutText, menuTemplate } from './electron/menu';
import { installSample } from './electron/sample';
import { isTrustedSender, type SenderInfo } from './electron/trustedSender';
import { CONTENT_SECURITY_POLICY_HEADER, isRemoteUrl, windowOptions } from './electron/windowOptions';
import { restorableBounds, windowStateStore } from './electron/windowState';
import { closeWorkerPools } from './strategies/workerPools';

const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const preloadPath = join(here, '../preload/index.cjs');
const resourcesDir = app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');

const droppedPaths = z.array(z.string().min(1).max(4096)).max(100);

function logLine(message: string): void {
  process.stderr.write(`h5blocks: ${message}\n`);
}

process.on('uncaughtException', (error) => logLine(publicError(error).message));
process.on('unhandledRejection', (error) => logLine(publicError(error).message));

// Tests and portable setups keep their state elsewhere; the default is Electron's own folder.
if (process.env.H5BLOCKS_USER_DATA) app.setPath('userData', process.env.H5BLOCKS_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  // Another window is running: it receives our files through 'second-instance'.
  app.quit();
} else {
  void app.whenReady().then(start);
}

let mainWindow: BrowserWindow | undefined;

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const host = electronHost({
    open: async () => {
      const options: OpenDialogOptions = {
        title: 'Open an HDF5 file',
        properties: ['openFile'],
        filters: [{ name: 'HDF5 files', extensions: ['h5', 'hdf5', 'he5', 'hdf', 'nc', 'nxs'] }, { name: 'All files', extensions: ['*'] }],
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : result.filePaths[0] ?? null;
    },
    save: async (defaultPath) => {
      const options: SaveDialogOptions = {
        title: 'Save a copy as', defaultPath, properties: ['showOverwriteConfirmation', 'createDirectory'],
        filters: [{ name: 'HDF5 files', extensions: ['h5', 'hdf5'] }],
      };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  }, process.versions.electron);
  host.recentChanged = (recent) => buildMenu(recent);
  const service = new AppService({ host, userDataDir: userData, warn: logLine });

  lockDownSessions();
  bindIpc(service, host.allow);
  service.subscribe((event, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event, payload);
  });

  // Files from the command line, else the sample, so a first start shows a tree to run on. They
  // open before the page loads, so its first listFiles has them; a failure reaches it as a 'host' event.
  const files = filesFromArgv(process.argv, { packaged: app.isPackaged, cwd: process.cwd() });
  if (files.length === 0) {
    try {
      files.push(installSample(resourcesDir, userData));
    } catch (error) {
      logLine(`could not set up the sample file: ${publicError(error).message}`);
    }
  }
  const failures: unknown[] = [];
  for (const file of files) {
    host.allow(file);
    await service.openTrusted(file).catch((error: unknown) => {
      logLine(publicError(error).message);
      failures.push(error);
    });
  }
  buildMenu(await service.recentFiles());
  mainWindow = createWindow(userData);
  if (failures.length > 0) {
    mainWindow.webContents.once('did-finish-load', () => {
      for (const error of failures) mainWindow?.webContents.send(EVENT_CHANNEL, 'host', { type: 'open-failed', error: publicError(error) });
    });
  }

  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
    for (const file of filesFromArgv(argv, { packaged: app.isPackaged, cwd: workingDirectory })) {
      host.allow(file);
      void service.openForUser(file);
    }
  });

  app.on('window-all-closed', () => app.quit());
  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    // Cancel runs (their staged copies removed) and stop worker threads before leaving.
    event.preventDefault();
    void service.dispose().then(closeWorkerPools).catch(() => undefined).finally(() => {
      cleanedUp = true;
      app.quit();
    });
  });

  function buildMenu(recent: readonly string[]): void {
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({
      open: () => void host.showOpenDialog().then(async (path) => {
        if (path !== null) await service.openForUser(path);
      }),
      openRecent: (path) => void service.openForUser(path),
      saveAs: () => service.sendCommand('save-as'),
      closeFile: () => service.sendCommand('close-file'),
      reloadFile: () => service.sendCommand('reload-file'),
      toggleTheme: () => service.sendCommand('toggle-theme'),
      about: () => void service.appInfo().then((info) => dialog.showMessageBox({
        type: 'info', title: 'About h5blocks', message: 'h5blocks', detail: aboutText(info, process.versions.chrome),
      })),
    }, recent, { platform: process.platform, developer: !app.isPackaged })));
  }
}

function createWindow(userData: string): BrowserWindow {
  const stateStore = windowStateStore(userData);
  const saved = stateStore.read();
  const bounds = restorableBounds(saved, screen.getAllDisplays().map((display) => display.workArea));
  const window = new BrowserWindow(windowOptions(preloadPath, bounds));
  if (bounds && saved?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    try {
      stateStore.write({ bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    } catch (error) {
      logLine(`could not remember the window size: ${publicError(error).message}`);
    }
  });
  window.on('closed', () => {
    mainWindow = undefined;
  });
  void window.loadFile(rendererIndex);
  return window;
}

/** No navigation, no new windows, no permissions, no remote content, and the CSP on every response. */
function lockDownSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: isRemoteUrl(details.url) }));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function senderOf(event: IpcMainEvent | IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    contentsId: event.sender.id,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
    frameUrl: frame?.url ?? null,
  };
}

function trusted(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const ours = mainWindow && !mainWindow.isDestroyed() ? { contentsId: mainWindow.webContents.id, rendererUrl } : undefined;
  return isTrustedSender(senderOf(event), ours);
}

function bindIpc(service: AppService, allow: (path: string) => void): void {
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, args: unknown): Promise<CallOutcome> => {
    if (!trusted(event)) return { ok: false, error: { code: 'forbidden', message: 'calls are accepted only from the h5blocks window' } };
    return dispatchCall(service, method, args);
  });
  // Only the preload sends this, with paths Electron itself resolved from a real drop (webUtils.getPathForFile).
  ipcMain.on(DROP_CHANNEL, (event, paths: unknown) => {
    if (!trusted(event)) return;
    const parsed = droppedPaths.safeParse(paths);
    if (!parsed.success) return;
    for (const path of parsed.data) {
      allow(path);
      void service.openForUser(path);
    }
  });
}
