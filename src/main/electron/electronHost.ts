import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { HostAdapter } from '../app/host';

export interface NativeDialogs {
  /** The file the user picked, or null. */
  open(): Promise<string | null>;
  /** The new path the user picked (the dialog confirmed any replacement), or null. */
  save(defaultPath: string): Promise<string | null>;
}

export interface ElectronHost extends HostAdapter {
  /** A path the user gave the app directly (drop, command line): the renderer may open it by path. */
  allow(path: string): void;
}

/**
 * The desktop host. The renderer may name a path only if the user already
 * pointed at it (native dialog, drop, command line, Save As) or it is in the
 * recent list; a compromised page cannot read arbitrary files by path.
 */
export function electronHost(dialogs: NativeDialogs, electronVersion: string): ElectronHost {
  const allowed = new Set<string>();
  const key = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const allow = (path: string) => {
    allowed.add(key(path));
  };
  return {
    kind: 'electron',
    electronVersion,
    allow,
    noteOpened: allow,
    checkOpenPath(path, recent) {
      const wanted = key(path);
      if (allowed.has(wanted) || recent.some((known) => key(known) === wanted)) return path;
      throw new H5BlocksError('forbidden', `${path}: the app opens only files chosen with Open…, dropped on the window, named on the command line, or in the recent list`, { file: path });
    },
    mayList: () => true,
    showOpenDialog: async () => {
      const path = await dialogs.open();
      if (path !== null) allow(path);
      return path;
    },
    browse: async () => {
      throw new H5BlocksError('forbidden', 'the desktop app browses with the native Open… dialog');
    },
    chooseSaveTarget: async (file, target) => {
      if (target !== null) throw new H5BlocksError('forbidden', 'the desktop app asks where to save with the native Save As… dialog');
      const extension = extname(file.name);
      const path = await dialogs.save(join(dirname(file.path), `${basename(file.name, extension)} copy${extension || '.h5'}`));
      if (path === null) return null;
      allow(path);
      return { path, replace: existsSync(path) };
    },
  };
}
