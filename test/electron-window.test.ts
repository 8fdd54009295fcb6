// The desktop shell's decisions, checked in Node: window options, CSP, IPC sender checks,
// path policy, menu, command line, window placement, first-start sample, and the built preload.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppInfo, OpenFile } from '../src/shared/api';
import { CALL_CHANNEL, DROP_CHANNEL, EVENT_CHANNEL } from '../src/shared/ipcChannels';
import { filesFromArgv } from '../src/main/electron/commandLine';
import { electronHost } from '../src/main/electron/electronHost';
import { aboutText, menuTemplate, type MenuActions } from '../src/main/electron/menu';
import { installSample } from '../src/main/electron/sample';
import { isTrustedSender } from '../src/main/electron/trustedSender';
import {
  CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER, isRemoteUrl, secureWebPreferences, windowOptions,
} from '../src/main/electron/windowOptions';
import { restorableBounds, windowStateStore } from '../src/main/electron/windowState';
import type { MenuItemConstructorOptions } from 'electron';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { projectRoot } from './support/paths';

afterAll(() => removeTempFolders());

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

describe('window options', () => {
  it('keep the renderer an untrusted page: isolated, sandboxed, no Node, same-origin rules', () => {
    const options = windowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(options.show).toBe(false);
    expect(windowOptions('/p', { x: 10, y: 20, width: 900, height: 600 })).toMatchObject({ x: 10, y: 20, width: 900, height: 600 });
    expect(secureWebPreferences('/p')).toEqual(options.webPreferences && { ...options.webPreferences, preload: '/p' });
  });

  it('is importable without Electron: the module only takes types from it', () => {
    const source = readFileSync(join(projectRoot, 'src/main/electron/windowOptions.ts'), 'utf8');
    expect(source).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'electron'/m);
  });

  it('refuses remote content and allows only the app\'s own files', () => {
    expect(isRemoteUrl('https://example.com/script.js')).toBe(true);
    expect(isRemoteUrl('http://127.0.0.1:8080/')).toBe(true);
    expect(isRemoteUrl('ws://127.0.0.1:8080/api')).toBe(true);
    expect(isRemoteUrl('not a url')).toBe(true);
    expect(isRemoteUrl('file:///opt/h5blocks/out/renderer/assets/index.js')).toBe(false);
    expect(isRemoteUrl('data:image/png;base64,AAAA')).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  it('runs only the app\'s own scripts and loads nothing from elsewhere', () => {
    const policy = directives(CONTENT_SECURITY_POLICY_HEADER);
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [name, values] of policy) {
      for (const value of values) {
        expect(value, name).not.toMatch(/unsafe-eval|wasm-unsafe-eval|^\*$|^https?:|^ws:/);
        if (name !== 'style-src') expect(value, name).not.toBe("'unsafe-inline'");
      }
    }
  });

  it('is the same in index.html\'s <meta> (without the header-only frame-ancestors)', () => {
    const html = readFileSync(join(projectRoot, 'src/renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY_HEADER).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
    const built = join(projectRoot, 'out/renderer/index.html');
    if (existsSync(built)) expect(readFileSync(built, 'utf8')).toContain(CONTENT_SECURITY_POLICY);
  });
});

describe('IPC sender check', () => {
  const ours = { contentsId: 3, rendererUrl: 'file:///opt/h5blocks/out/renderer/index.html' };
  it('answers only our window\'s main frame showing our page', () => {
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: ours.rendererUrl }, ours)).toBe(true);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: `${ours.rendererUrl}?x=1#/runs` }, ours)).toBe(true);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: false, frameUrl: ours.rendererUrl }, ours)).toBe(false);
    expect(isTrustedSender({ contentsId: 4, isMainFrame: true, frameUrl: ours.rendererUrl }, ours)).toBe(false);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: 'https://evil.example/' }, ours)).toBe(false);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: 'file:///tmp/other.html' }, ours)).toBe(false);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: null }, ours)).toBe(false);
    expect(isTrustedSender({ contentsId: 3, isMainFrame: true, frameUrl: ours.rendererUrl }, undefined)).toBe(false);
  });
});

describe('desktop path policy', () => {
  const file: OpenFile = { id: 'f1', path: '/data/run.h5', name: 'run.h5', sizeBytes: 1 };

  it('opens by path only what the user pointed at or the recent list holds', async () => {
    const folder = makeTempFolder('electron-host');
    const dropped = copyCorpus('coords_1k.h5', folder);
    const picked = copyCorpus('dtypes.h5', folder);
    const host = electronHost({ open: async () => picked, save: async () => null }, '45.4.1');
    expect(() => host.checkOpenPath(dropped, [])).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => host.checkOpenPath('/etc/passwd', [])).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(host.checkOpenPath(dropped, [dropped])).toBe(dropped);
    host.allow(dropped);
    expect(host.checkOpenPath(join(folder, '.', 'coords_1k.h5'), [])).toBe(join(folder, '.', 'coords_1k.h5'));
    expect(await host.showOpenDialog()).toBe(picked);
    expect(host.checkOpenPath(picked, [])).toBe(picked);
    await expect(host.browse(null)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('saves only where the native dialog says, suggesting a copy beside the file', async () => {
    let suggested = '';
    const host = electronHost({ open: async () => null, save: async (defaultPath) => ((suggested = defaultPath), '/data/kept.h5') }, '45.4.1');
    await expect(host.chooseSaveTarget(file, '/etc/cron.d/x')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await host.chooseSaveTarget(file, null)).toEqual({ path: '/data/kept.h5', replace: false });
    expect(suggested).toBe('/data/run copy.h5');
    const cancelled = electronHost({ open: async () => null, save: async () => null }, '45.4.1');
    expect(await cancelled.chooseSaveTarget(file, null)).toBeNull();
  });
});

describe('native menu', () => {
  function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
    return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
  }

  it('has File, Edit, View and Help with shortcuts, and sends the renderer its commands', () => {
    const calls: string[] = [];
    const actions: MenuActions = {
      open: () => calls.push('open'), openRecent: (path) => calls.push(`recent ${path}`), saveAs: () => calls.push('save-as'),
      closeFile: () => calls.push('close'), reloadFile: () => calls.push('reload'), toggleTheme: () => calls.push('theme'), about: () => calls.push('about'),
    };
    const template = menuTemplate(actions, ['/data/a.h5'], { platform: 'linux', developer: false });
    expect(template.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    const items = flatten(template);
    const byLabel = (label: string) => items.find((item) => item.label === label);
    expect(byLabel('Open…')?.accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel('Save As…')?.accelerator).toBe('CmdOrCtrl+Shift+S');
    expect(byLabel('Close')?.accelerator).toBe('CmdOrCtrl+W');
    expect(byLabel('Toggle Dark/Light')?.accelerator).toBe('CmdOrCtrl+Shift+L');
    expect(items.filter((item) => ['zoomIn', 'zoomOut', 'resetZoom'].includes(String(item.role)))).toHaveLength(3);
    for (const label of ['Open…', 'a.h5 — /data/a.h5', 'Save As…', 'Reload', 'Close', 'Toggle Dark/Light', 'About h5blocks']) {
      (byLabel(label)?.click as () => void)();
    }
    expect(byLabel('Reload')?.accelerator).toBe('F5');
    expect(calls).toEqual(['open', 'recent /data/a.h5', 'save-as', 'reload', 'close', 'theme', 'about']);
    expect(items.some((item) => item.role === 'toggleDevTools')).toBe(false);
    expect(flatten(menuTemplate(actions, [], { platform: 'linux', developer: true })).some((item) => item.role === 'toggleDevTools')).toBe(true);
    expect(flatten(menuTemplate(actions, [], { platform: 'linux', developer: false })).find((item) => item.label === 'No Recent Files')?.enabled).toBe(false);
  });

  it('shows every version in the About box', () => {
    const info: AppInfo = { appVersion: '0.1.0', h5wasmVersion: '0.10.3', hdf5Version: '2.0.0', electronVersion: '45.4.1', nodeVersion: '22.1.0', cores: 8, host: 'electron' };
    const text = aboutText(info, '140.0.1');
    for (const part of ['h5blocks 0.1.0', 'h5wasm 0.10.3', 'HDF5 2.0.0', 'Electron 45.4.1', 'Chromium 140.0.1', 'Node 22.1.0']) expect(text).toContain(part);
  });
});

describe('command line and window placement', () => {
  it('finds the files after `electron .` or a packaged executable, not Chromium switches', () => {
    expect(filesFromArgv(['/usr/bin/electron', '.', 'data/a.h5', '--inspect', '/abs/b.h5'], { packaged: false, cwd: '/home/me' }))
      .toEqual(['/home/me/data/a.h5', '/abs/b.h5']);
    expect(filesFromArgv(['/opt/h5blocks/h5blocks', 'c.h5'], { packaged: true, cwd: '/w' })).toEqual(['/w/c.h5']);
    expect(filesFromArgv(['/usr/bin/electron', '.'], { packaged: false, cwd: '/w' })).toEqual([]);
  });

  it('puts the window back where it was, unless that place is no longer on a screen', () => {
    const screenArea = { x: 0, y: 0, width: 1920, height: 1080 };
    const state = { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: false };
    expect(restorableBounds(state, [screenArea])).toEqual(state.bounds);
    expect(restorableBounds({ ...state, bounds: { ...state.bounds, x: 3000 } }, [screenArea])).toBeUndefined();
    expect(restorableBounds(null, [screenArea])).toBeUndefined();
  });

  it('remembers the window in window.json and survives a damaged file', () => {
    const userData = makeTempFolder('electron-window-state');
    const store = windowStateStore(userData);
    expect(store.read()).toBeNull();
    const state = { bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true };
    store.write(state);
    expect(windowStateStore(userData).read()).toEqual(state);
    writeFileSync(join(userData, 'window.json'), '{ not json');
    expect(windowStateStore(userData).read()).toBeNull();
  });
});

describe('first start', () => {
  it('copies the sample into the user-data folder, writable, and never replaces the user\'s copy', () => {
    const userData = makeTempFolder('electron-first-start');
    const resources = join(projectRoot, 'resources');
    const resource = join(resources, 'sample', 'coords_1k.h5');
    const before = sha256File(resource);
    const copy = installSample(resources, userData);
    expect(copy).toBe(join(userData, 'samples', 'coords_1k.h5'));
    expect(sha256File(copy)).toBe(before);
    expect(statSync(copy).mode & 0o200).toBe(0o200);
    writeFileSync(copy, 'the user\'s results');
    expect(installSample(resources, userData)).toBe(copy);
    expect(readFileSync(copy, 'utf8')).toBe('the user\'s results');
    expect(sha256File(resource)).toBe(before);
  });
});

describe('built preload', () => {
  const preload = join(projectRoot, 'out/preload/index.cjs');

  it('exposes only call and on, forwards calls and events, and sends only Electron-resolved drop paths', async () => {
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const sent: unknown[][] = [];
    const ipcListeners: ((...args: unknown[]) => void)[] = [];
    const windowListeners = new Map<string, (event: unknown) => void>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, result: 'pong' }),
        send: (...args: unknown[]) => sent.push(args),
        on: (_channel: string, listener: (...args: unknown[]) => void) => ipcListeners.push(listener),
        removeListener: (_channel: string, listener: (...args: unknown[]) => void) => ipcListeners.splice(ipcListeners.indexOf(listener), 1),
      },
      webUtils: { getPathForFile: (file: { realPath?: string }) => file.realPath ?? '' },
    };
    const window = { addEventListener: (name: string, listener: (event: unknown) => void) => windowListeners.set(name, listener) };
    runInNewContext(readFileSync(preload, 'utf8'), {
      require: (name: string) => {
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
      window,
    });

    expect([...exposed.keys()]).toEqual(['h5blocks']);
    const bridge = exposed.get('h5blocks') as { call: (m: string, a: unknown[]) => Promise<unknown>; on: (e: string, l: (p: unknown) => void) => () => void };
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
    expect(await bridge.call('appInfo', [])).toEqual({ ok: true, result: 'pong' });
    expect(invoked).toEqual([[CALL_CHANNEL, 'appInfo', []]]);

    const heard: unknown[] = [];
    const stop = bridge.on('run', (payload) => heard.push(payload));
    for (const listener of [...ipcListeners]) listener({}, 'files', { type: 'files' });
    for (const listener of [...ipcListeners]) listener({}, 'run', { type: 'progress' });
    stop();
    for (const listener of [...ipcListeners]) listener({}, 'run', { type: 'late' });
    expect(heard).toEqual([{ type: 'progress' }]);
    expect(EVENT_CHANNEL).toBe('h5blocks:event');

    let prevented = 0;
    const drop = (files: unknown[]) => windowListeners.get('drop')?.({ preventDefault: () => prevented++, dataTransfer: { files } });
    drop([{ realPath: '/data/a.h5' }, { name: 'made-up-by-the-page.h5' }]);
    drop([{ name: 'only-made-up.h5' }]);
    expect(sent).toEqual([[DROP_CHANNEL, ['/data/a.h5']]]);
    expect(prevented).toBe(2);
  });
});
