import { accessSync, constants, statSync } from 'node:fs';
import { H5BlocksError } from '@shared/errors';
import { fsError } from './fsErrors';

/**
 * Refuses a folder a new file must not be written in: one the process may not
 * write (or on a read-only file system), and one marked read-only for everyone
 * (no write bit at all), which is honoured even by a process running as root.
 */
export function checkWritableFolder(folder: string, doing: string): void {
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw fsError(error, folder, doing);
  }
  if ((statSync(folder).mode & 0o222) === 0) {
    throw new H5BlocksError('forbidden', `${folder}: cannot ${doing}: the folder is read-only`, { file: folder });
  }
}
