import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { AppInfo } from '@shared/api';

export interface MenuActions {
  open(): void;
  openRecent(path: string): void;
  saveAs(): void;
  closeFile(): void;
  reloadFile(): void;
  toggleTheme(): void;
  about(): void;
}

/** The native menu. Commands that depend on the file on screen go to the renderer, which knows it. */
export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Developer tools in the View menu: not in a packaged app. */
  developer: boolean;
}

export function menuTemplate(actions: MenuActions, recent: readonly string[], options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length === 0
    ? [{ label: 'No Recent Files', enabled: false }]
    : recent.map((path) => ({ label: `${basename(path)} — ${path}`, click: () => actions.openRecent(path) }));
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      { label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
      { label: 'Reload', accelerator: 'F5', click: () => actions.reloadFile() },
      { label: 'Close', accelerator: 'CmdOrCtrl+W', click: () => actions.closeFile() },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom', accelerator: 'CmdOrCtrl+0' },
      { role: 'zoomIn', accelerator: 'CmdOrCtrl+=' },
      { role: 'zoomOut', accelerator: 'CmdOrCtrl+-' },
      { type: 'separator' },
      { label: 'Toggle Dark/Light', accelerator: 'CmdOrCtrl+Shift+L', click: () => actions.toggleTheme() },
      { role: 'togglefullscreen' },
      ...(options.developer ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: 'About h5blocks', click: () => actions.about() }],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    help,
  ];
}

/** The About box's text: every version a bug report needs. */
export function aboutText(info: AppInfo, chromeVersion: string | undefined): string {
  return [
    `h5blocks ${info.appVersion}`,
    `h5wasm ${info.h5wasmVersion}`,
    `HDF5 ${info.hdf5Version}`,
    `Electron ${info.electronVersion ?? 'not running'}`,
    `Chromium ${chromeVersion ?? 'unknown'}`,
    `Node ${info.nodeVersion}`,
    `${info.cores} CPU cores`,
  ].join('\n');
}
