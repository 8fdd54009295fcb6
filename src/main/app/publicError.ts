import { firstLine, toErrorInfo, type ErrorCode, type ErrorInfo } from '@shared/errors';
import { fsError } from '../fsErrors';
import { explainHdf5, isRawLibraryText } from '../hdf5/errors';

const KNOWN_CODES = new Set<ErrorCode>([
  'not-found', 'not-hdf5', 'hdf5', 'unsupported-dataset', 'output-exists', 'output-conflict', 'busy', 'too-large',
  'invalid-argument', 'aborted', 'forbidden', 'disk-full', 'internal', 'cluster',
]);

/**
 * Any failure as the ErrorInfo that crosses to the renderer: a known code and
 * one line, never a stack. Node's own errors (code 'ENOENT' and the like) are
 * put in the user's words first, since their codes mean nothing to the UI.
 */
export function publicError(error: unknown): ErrorInfo {
  const errno = error as NodeJS.ErrnoException | undefined;
  const fromNode = error instanceof Error && typeof errno?.code === 'string' && typeof errno.syscall === 'string';
  const info = plainWords(toErrorInfo(fromNode ? fsError(error, errno.path ?? 'file', 'complete the request') : error));
  const result: ErrorInfo = {
    code: KNOWN_CODES.has(info.code) ? info.code : 'internal',
    // h5blocks' own lines are one line whatever names they hold (a newline in a name is shown escaped); library text keeps its first line.
    message: (info.code !== 'internal' ? escapeControls(String(info.message).trim()) : firstLine(String(info.message))) || 'something went wrong',
  };
  if (typeof info.file === 'string') result.file = info.file;
  if (typeof info.object === 'string') result.object = info.object;
  if (typeof info.detail === 'string') result.detail = info.detail;
  return result;
}

/**
 * Raw HDF5 or Emscripten text that reached here unexplained (thrown where no
 * HDF5 call site could name the object, e.g. inside a worker) in plain words.
 */
function plainWords(info: ErrorInfo): ErrorInfo {
  const message = String(info.message);
  if (!isRawLibraryText(message)) return info;
  // "name.h5: HDF5-DIAG: …": keep the prefix that names the file and object.
  const raw = message.match(/^(.*?): ?(HDF5-DIAG[\s\S]*|Aborted\([\s\S]*|RuntimeError[\s\S]*)$/);
  const prefix = raw ? raw[1] : '';
  const full = info.detail !== undefined && isRawLibraryText(info.detail) ? info.detail : raw ? raw[2] : message;
  const explained = explainHdf5(full, info.file ?? '', info.object);
  return {
    ...info,
    code: info.code === 'internal' ? explained.code : info.code,
    message: prefix ? `${prefix}: ${explained.words}` : explained.words,
    detail: info.detail ?? explained.detail,
  };
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
