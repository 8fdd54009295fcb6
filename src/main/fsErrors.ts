import { unlinkSync } from 'node:fs';
import { H5BlocksError } from '@shared/errors';

/** A file-system failure as one line naming the path and the problem. */
export function fsError(error: unknown, path: string, doing: string): H5BlocksError {
  if (error instanceof H5BlocksError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new H5BlocksError('not-found', `${path}: cannot ${doing}: no such file or folder`, { file: path });
    case 'EACCES':
    case 'EPERM':
      return new H5BlocksError('forbidden', `${path}: cannot ${doing}: permission denied`, { file: path });
    case 'EROFS':
      return new H5BlocksError('forbidden', `${path}: cannot ${doing}: the file system is read-only`, { file: path });
    case 'EEXIST':
      return new H5BlocksError('output-exists', `${path}: cannot ${doing}: it already exists`, { file: path });
    case 'ENOSPC':
    case 'EDQUOT':
      return new H5BlocksError('disk-full', `${path}: cannot ${doing}: the disk is full`, { file: path });
    case 'EISDIR':
      return new H5BlocksError('invalid-argument', `${path}: cannot ${doing}: it is a folder`, { file: path });
    default:
      return new H5BlocksError('internal', `${path}: cannot ${doing}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { file: path });
  }
}

/** Removes what a failed write left (a partial copy or upload); a file that was never made is fine. */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created.
  }
}
