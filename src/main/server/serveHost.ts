import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { HostAdapter } from '../app/host';
import { checkWritableFolder } from '../writableFolder';
import type { AllowedRoots } from './allowedRoots';

/** The browser host: no native dialogs; the page browses and names paths, all inside the roots. */
export function serveHost(roots: AllowedRoots): HostAdapter {
  return {
    kind: 'serve',
    electronVersion: null,
    confinedTo: roots.roots,
    checkOpenPath: (path) => roots.resolveExisting(path),
    mayList: (path) => roots.isInside(path),
    showOpenDialog: async () => null,
    browse: async (folder) => roots.list(folder),
    chooseSaveTarget: async (file, target, replace = false) => {
      if (target === null) {
        throw new H5BlocksError('invalid-argument', `${file.name}: Save As in the browser needs the new file's path (in a folder Open… lists)`, { file: file.path });
      }
      const path = roots.resolveNew(target);
      checkWritableFolder(dirname(path), 'save a copy there');
      const existing = statIfAny(path);
      if (existing?.isDirectory()) throw new H5BlocksError('invalid-argument', `${path}: is a folder; type a file name`, { file: path });
      if (existing && !replace) {
        throw new H5BlocksError('output-exists', `${path}: already exists; confirm to replace it, or choose another name`, { file: path });
      }
      return { path, replace: existing !== undefined };
    },
  };
}

function statIfAny(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
