import { basename } from 'node:path';
import { H5BlocksError, type ErrorCode } from '../../shared/errors';

/**
 * h5wasm throws HDF5's whole error stack as text. People need one line: the
 * innermost frame says what went wrong, its `minor:` line names the kind of problem.
 */
export function hdf5Detail(raw: unknown): string {
  const text = raw instanceof Error ? raw.message : String(raw);
  const frames = [...text.matchAll(/#\d+:.*? in [\w.]+\(\): (.*)/g)].map((m) => m[1].trim());
  const minors = [...text.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const detail = frames.at(-1);
  const minor = minors.at(-1);
  if (detail && minor && !detail.toLowerCase().includes(minor.toLowerCase())) return `${detail} (${minor})`;
  if (detail) return detail;
  return text.split('\n').find((line) => line.trim() !== '' && !line.startsWith('HDF5-DIAG'))?.trim() ?? 'unknown HDF5 error';
}

function classify(detail: string): ErrorCode {
  if (/no such file|errno = 44/i.test(detail)) return 'not-found';
  if (/signature|superblock|truncated|not an hdf5|decode/i.test(detail)) return 'not-hdf5';
  return 'hdf5';
}

/** An HDF5 failure as a typed error naming the file and the object. */
export function hdf5Error(raw: unknown, file: string, object?: string, doing?: string): H5BlocksError {
  if (raw instanceof H5BlocksError) return raw;
  const detail = hdf5Detail(raw);
  const where = object ? `${basename(file)}: ${object}` : basename(file);
  const what = doing ? `${doing}: ${detail}` : detail;
  return new H5BlocksError(classify(detail), `${where}: ${what}`, { file, object });
}
