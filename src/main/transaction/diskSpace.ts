import { statfsSync } from 'node:fs';
import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';

/** Bytes an unprivileged writer may still use in `folder`, or undefined where the system cannot say. */
export function freeBytes(folder: string): number | undefined {
  try {
    const stat = statfsSync(folder);
    return stat.bavail * stat.bsize;
  } catch {
    return undefined;
  }
}

export function megabytes(bytes: number): string {
  return bytes < 10 * 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}

export function diskFull(file: string, neededBytes: number, free: number | undefined): H5BlocksError {
  const freeText = free === undefined ? '' : `, ${megabytes(free)} free`;
  const need = neededBytes > 0 ? `: the run needs about ${megabytes(neededBytes)} for its output and metadata${freeText}` : '';
  return new H5BlocksError('disk-full', `${basename(file)}: the disk is full${need}; the file is as it was`, { file });
}

/**
 * The scratch disk (where shard files go, $TMPDIR) filled, not the file's: the
 * same one line, naming the folder, since that is the disk to free or change.
 */
export function scratchDiskFull(file: string, folder: string, neededBytes: number, free: number | undefined): H5BlocksError {
  const freeText = free === undefined ? '' : `, ${megabytes(free)} free`;
  return new H5BlocksError(
    'disk-full',
    `${basename(file)}: the disk is full: the run needs about ${megabytes(neededBytes)} for its shard files in ${folder}${freeText} (set TMPDIR to a folder on a larger disk); the file is as it was`,
    { file },
  );
}
