import { statSync } from 'node:fs';

/**
 * What tells that a file changed on disk without reading it: its inode (another
 * program may write a new file and rename it into place), size and modification
 * time. Used to reopen cached handles and to notice files that changed.
 */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The file's stamp now, or undefined when it cannot be stat'ed (gone, no permission). */
export function stampOf(path: string): FileStamp | undefined {
  try {
    const stat = statSync(path);
    return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined;
  }
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
