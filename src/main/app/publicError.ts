import { firstLine, toErrorInfo, type ErrorCode, type ErrorInfo } from '../../shared/errors';
import { fsError } from '../fsErrors';

const KNOWN_CODES = new Set<ErrorCode>([
  'not-found', 'not-hdf5', 'hdf5', 'unsupported-dataset', 'output-exists', 'output-conflict', 'busy', 'too-large',
  'invalid-argument', 'aborted', 'forbidden', 'internal', 'cluster',
]);

/**
 * Any failure as the ErrorInfo that crosses to the renderer: a known code and
 * one line, never a stack. Node's own errors (code 'ENOENT' and the like) are
 * put in the user's words first, since their codes mean nothing to the UI.
 */
export function publicError(error: unknown): ErrorInfo {
  const errno = error as NodeJS.ErrnoException | undefined;
  const fromNode = error instanceof Error && typeof errno?.code === 'string' && typeof errno.syscall === 'string';
  const info = toErrorInfo(fromNode ? fsError(error, errno.path ?? 'file', 'complete the request') : error);
  const result: ErrorInfo = {
    code: KNOWN_CODES.has(info.code) ? info.code : 'internal',
    message: firstLine(String(info.message)) || 'something went wrong',
  };
  if (typeof info.file === 'string') result.file = info.file;
  if (typeof info.object === 'string') result.object = info.object;
  return result;
}
