import { publicError } from '../app/publicError';

export interface Failure {
  /** The one line printed on stderr. */
  line: string;
  /** 1: a problem with the file or the run; 2: with the command line. */
  exitCode: 1 | 2;
}

/** What the CLI prints and exits with for any failure: one line, never a stack. */
export function failure(error: unknown): Failure {
  const info = publicError(error);
  return { line: `h5blocks: ${info.message}`, exitCode: info.code === 'invalid-argument' ? 2 : 1 };
}
