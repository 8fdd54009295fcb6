// Errors that cross the API boundary as plain data: a code a program can
// branch on and one line a person can read.

export type ErrorCode =
  | 'not-found' // the file or the object does not exist
  | 'not-hdf5' // the file is not valid HDF5 (wrong signature, truncated, damaged superblock)
  | 'hdf5' // HDF5 refused an operation
  | 'unsupported-dataset' // the dataset cannot be used for the computation
  | 'output-exists' // the output path is taken and overwrite was not asked for
  | 'output-conflict' // the output path is taken by something that cannot be replaced
  | 'busy' // another run is writing to this file
  | 'too-large' // a block does not fit in memory
  | 'cluster' // the Dask strategy's Python, its modules or its cluster failed the run
  | 'invalid-argument'
  | 'aborted'
  | 'forbidden' // the file or its folder cannot be written (read-only, permissions)
  | 'disk-full'
  | 'internal';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  file?: string;
  object?: string;
  /** The raw library text behind the message (HDF5's error stack), for a "details" view; never printed by the CLI. */
  detail?: string;
}

export class H5BlocksError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly object?: string;
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, where: { file?: string; object?: string; detail?: string } = {}) {
    super(message);
    this.name = 'H5BlocksError';
    this.code = code;
    this.file = where.file;
    this.object = where.object;
    this.detail = where.detail;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message, file: this.file, object: this.object };
    if (this.detail !== undefined) info.detail = this.detail;
    return info;
  }
}

export function isH5BlocksError(error: unknown): error is H5BlocksError {
  return error instanceof H5BlocksError;
}

/** Any thrown value as plain data, without stack traces. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof H5BlocksError) return error.toInfo();
  // Plain ErrorInfo-shaped data (from a worker or the wire), not Node's errors, whose codes ('ENOENT') are not ours.
  if (error && typeof error === 'object' && !(error instanceof Error) && 'code' in error && 'message' in error) {
    const { code, message, file, object, detail } = error as ErrorInfo;
    if (typeof message === 'string' && typeof code === 'string') return { code, message, file, object, ...(typeof detail === 'string' ? { detail } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  const first = firstLine(message);
  // A library's multi-line text (HDF5's error stack) stays as the detail, for whoever explains it.
  return first === message.trim() ? { code: 'internal', message: first } : { code: 'internal', message: first, detail: message };
}

export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}
