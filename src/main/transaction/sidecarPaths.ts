import { basename, dirname, join } from 'node:path';

/**
 * The small files a transaction keeps beside the user's file (given as its real
 * path, so every link to it finds the same ones). They start with a dot and the
 * file's name, so they sort next to it and stay out of plain listings.
 */
export function lockPathOf(realFile: string): string {
  return join(dirname(realFile), `.${basename(realFile)}.h5blocks.lock`);
}

export function logPathOf(realFile: string): string {
  return join(dirname(realFile), `.${basename(realFile)}.h5blocks-log`);
}

/** Every sidecar of this file (lock, log, claims and pending lock files), by name. */
export function isSidecarOf(realFile: string, entry: string): boolean {
  const prefix = `.${basename(realFile)}.h5blocks`;
  return entry.startsWith(prefix) && (entry.length === prefix.length || entry[prefix.length] === '.' || entry[prefix.length] === '-');
}
