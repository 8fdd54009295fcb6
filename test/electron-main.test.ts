// The Electron main process wiring (src/main/index.ts), run in Node against a stand-in for the
// electron module: what it registers, whom it answers, and what it refuses. The real binary is
// exercised by electron-smoke.test.ts where one can run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_CHANNEL, DROP_CHANNEL, EVENT_CHANNEL, type CallOutcome } from '../src/shared/ipcChannels';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

type Handler = (...args: any[]) => any;

const fake = vi.hoisted(() => {
  const appEvents = new Map<string, Handler>();
  const ipcHandlers = new Map<string, Handler>();
  const ipcListeners = new Map<string, Handler>();
  const windows: any[] = [];
  const sent: unknown[][] = [];
  const state = { userData: '', menu: undefined as any, beforeRequest: undefined as Handler | undefined, headersReceived: undefined as Handler | undefined, quits: 0 };
  class BrowserWindow {
    options: any;
    loaded: string | undefined;
    events = new Map<string, Handler>();
    webContents: any;
    constructor(options: any) {
      this.options = options;
      const mainFrame = { url: '' };
      this.webContents = {
        id: 1, mainFrame,
        send: (...args: unknown[]) => sent.push(args),
        once: (event: string, fn: Handler) => this.events.set(`contents:${event}`, fn),
      };
      windows.push(this);
    }
    loadFile(path: string) {
      this.loaded = path;
      this.webContents.mainFrame.url = `file://${path}`;
      return Promise.resolve();
    }
    once(event: string, fn: Handler) { this.events.set(event, fn); }
    on(event: string, fn: Handler) { this.events.set(event, fn); }
    isDestroyed() { return false; }
    isMinimized() { return false; }
    isMaximized() { return false; }
    maximize() {}
    restore() {}
    focus() {}
    show() {}
    getNormalBounds() { return { x: 10, y: 20, width: 1100, height: 700 }; }
  }
  const electron = {
    app: {
      isPackaged: false,
      getAppPath: () => '',
      setPath: (_name: string, path: string) => { state.userData = path; },
      getPath: () => state.userData,
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on: (event: string, fn: Handler) => appEvents.set(event, fn),
      quit: () => { state.quits += 1; },
    },
    BrowserWindow,
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }), showMessageBox: async () => ({ response: 0 }) },
    ipcMain: { handle: (channel: string, fn: Handler) => ipcHandlers.set(channel, fn), on: (channel: string, fn: Handler) => ipcListeners.set(channel, fn) },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: (menu: unknown) => { state.menu = menu; } },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => undefined,
        webRequest: {
          onBeforeRequest: (fn: Handler) => { state.beforeRequest = fn; },
          onHeadersReceived: (fn: Handler) => { state.headersReceived = fn; },
        },
      },
    },
  };
  return { electron, appEvents, ipcHandlers, ipcListeners, windows, sent, state };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

describe('Electron main process (with a stand-in electron module)', () => {
  let folder: string;
  let userData: string;
  let commandLineFile: string;
  let window: any;
  const savedArgv = process.argv;
  const savedHandlers = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };

  const trustedEvent = () => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });
  const call = (method: string, args: unknown[], event: unknown = trustedEvent()): Promise<CallOutcome> =>
    fake.ipcHandlers.get(CALL_CHANNEL)!(event, method, args);

  beforeAll(async () => {
    folder = makeTempFolder('electron-main');
    userData = makeTempFolder('electron-main-userdata');
    commandLineFile = copyCorpus('coords_1k.h5', folder);
    copyCorpus('dtypes.h5', folder);
    process.env.H5BLOCKS_USER_DATA = userData;
    process.argv = ['/usr/bin/electron', '.', commandLineFile];
    await import('../src/main/index');
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 20_000 });
    window = fake.windows[0];
  });

  afterAll(async () => {
    process.argv = savedArgv;
    delete process.env.H5BLOCKS_USER_DATA;
    // The main process logs uncaught errors in one line; the test runner must keep its own handling.
    for (const listener of process.listeners('uncaughtException')) if (!savedHandlers.exception.includes(listener)) process.off('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!savedHandlers.rejection.includes(listener)) process.off('unhandledRejection', listener);
    await closeWorkerPools();
    removeTempFolders();
  });

  it('opens one secure window on the built page with the CommonJS preload', () => {
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(window.options.webPreferences.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/);
    expect(window.loaded).toMatch(/[/\\]renderer[/\\]index\.html$/);
    expect(fake.state.userData).toBe(userData);
  });

  it('answers calls from its own page, with the command-line file already open', async () => {
    const outcome = await call('listFiles', []);
    expect(outcome).toEqual({ ok: true, result: [expect.objectContaining({ path: commandLineFile })] });
    const info = await call('appInfo', []);
    expect(info).toMatchObject({ ok: true, result: { host: 'electron' } });
    const invalid = await call('getValue', ['x', '/coords', 'all']);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('refuses calls from frames and pages that are not its own', async () => {
    const iframe = { sender: window.webContents, senderFrame: { url: window.webContents.mainFrame.url } };
    expect(await call('listFiles', [], iframe)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const elsewhere = { sender: { id: 2, mainFrame: window.webContents.mainFrame }, senderFrame: window.webContents.mainFrame };
    expect(await call('listFiles', [], elsewhere)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const navigated = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const url = window.webContents.mainFrame.url;
    window.webContents.mainFrame.url = 'https://evil.example/';
    try {
      expect(await call('listFiles', [], navigated)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      window.webContents.mainFrame.url = url;
    }
    expect(url).toBe(pathToFileURL(window.loaded).href);
  });

  it('opens a path by name only after the user dropped it on the window', async () => {
    const dropped = join(folder, 'dtypes.h5');
    expect(await call('openPath', [dropped])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    fake.ipcListeners.get(DROP_CHANNEL)!({ sender: { id: 9, mainFrame: {} }, senderFrame: {} }, [dropped]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await call('listFiles', [])).ok && ((await call('listFiles', [])) as { result: { path: string }[] }).result.map((f) => f.path)).not.toContain(dropped);
    fake.ipcListeners.get(DROP_CHANNEL)!(trustedEvent(), [dropped]);
    await vi.waitFor(() => expect(fake.sent).toContainEqual([EVENT_CHANNEL, 'host', { type: 'opened', file: expect.objectContaining({ path: dropped }) }]));
    expect(await call('openPath', [dropped])).toMatchObject({ ok: true, result: { path: dropped } });
    fake.ipcListeners.get(DROP_CHANNEL)!(trustedEvent(), 'not a list');
  });

  it('blocks navigation, new windows and remote requests, and sends the CSP header', () => {
    const contentsHandlers = new Map<string, Handler>();
    let openHandler: Handler = () => undefined;
    fake.appEvents.get('web-contents-created')!({}, {
      on: (event: string, fn: Handler) => contentsHandlers.set(event, fn),
      setWindowOpenHandler: (fn: Handler) => { openHandler = fn; },
    });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const prevent = vi.fn();
      contentsHandlers.get(event)!({ preventDefault: prevent });
      expect(prevent, event).toHaveBeenCalled();
    }
    expect(openHandler({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const decisions: unknown[] = [];
    fake.state.beforeRequest!({ url: 'https://example.com/x.js' }, (decision: unknown) => decisions.push(decision));
    fake.state.beforeRequest!({ url: pathToFileURL(window.loaded).href }, (decision: unknown) => decisions.push(decision));
    expect(decisions).toEqual([{ cancel: true }, { cancel: false }]);
    let headers: Record<string, string[]> = {};
    fake.state.headersReceived!({ responseHeaders: {} }, (result: { responseHeaders: Record<string, string[]> }) => { headers = result.responseHeaders; });
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
  });

  it('sets the menu, and its commands reach the page as events', () => {
    const file = fake.state.menu.find((item: any) => item.label === 'File');
    expect(file.submenu.map((item: any) => item.label).filter(Boolean)).toEqual(['Open…', 'Open Recent', 'Save As…', 'Reload', 'Close']);
    const recent = file.submenu.find((item: any) => item.label === 'Open Recent').submenu;
    expect(recent.some((item: any) => String(item.label).includes(commandLineFile))).toBe(true);
    const view = fake.state.menu.find((item: any) => item.label === 'View');
    view.submenu.find((item: any) => item.label === 'Toggle Dark/Light').click();
    file.submenu.find((item: any) => item.label === 'Save As…').click();
    file.submenu.find((item: any) => item.label === 'Reload').click();
    expect(fake.sent).toContainEqual([EVENT_CHANNEL, 'host', { type: 'command', command: 'toggle-theme' }]);
    expect(fake.sent).toContainEqual([EVENT_CHANNEL, 'host', { type: 'command', command: 'save-as' }]);
    expect(fake.sent).toContainEqual([EVENT_CHANNEL, 'host', { type: 'command', command: 'reload-file' }]);
  });

  it('remembers the window on close and cleans up before quitting', async () => {
    window.events.get('close')();
    expect(JSON.parse(readFileSync(join(userData, 'window.json'), 'utf8'))).toEqual({ bounds: { x: 10, y: 20, width: 1100, height: 700 }, maximized: false });
    const prevent = vi.fn();
    fake.appEvents.get('will-quit')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.state.quits).toBe(1));
    expect(existsSync(join(userData, 'recent.json'))).toBe(true);
  });
});
