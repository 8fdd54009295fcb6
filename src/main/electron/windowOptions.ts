// The desktop window's options, kept apart from index.ts so a test can check
// every secure default without starting Electron (only types come from it).

import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER } from '../app/contentSecurityPolicy';

export { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER };

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 };
export const MIN_WINDOW_SIZE = { width: 800, height: 500 };

/**
 * The renderer is an untrusted web page: no Node, an isolated world for the
 * preload, Chromium's sandbox, same-origin rules, and nothing that loads or
 * runs code from elsewhere.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    safeDialogs: true,
    spellcheck: false,
  };
}

export function windowOptions(preloadPath: string, bounds?: Partial<Rectangle>): BrowserWindowConstructorOptions {
  return {
    title: 'h5blocks',
    ...DEFAULT_WINDOW_SIZE,
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    // Shown once the page has painted, so the window does not flash white.
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Only the app's own page may load: anything over the network is remote content. */
export function isRemoteUrl(url: string): boolean {
  try {
    return !['file:', 'devtools:', 'data:', 'blob:', 'chrome-extension:'].includes(new URL(url).protocol);
  } catch {
    return true;
  }
}
