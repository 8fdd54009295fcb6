// Files dropped on the served page. A browser gives a dropped file's bytes but
// never its path, so the page sends the bytes here and they are stored in an
// uploads folder inside the first writable root: from then on the file is one
// like any other under the roots (confined, listed by Open…, in the recent list).
import { createWriteStream, existsSync, linkSync, mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { H5BlocksError } from '@shared/errors';
import { fsError, removeQuietly } from '../fsErrors';
import { checkWritableFolder } from '../writableFolder';
import type { AllowedRoots } from './allowedRoots';

export const UPLOAD_PATH = '/upload';
export const UPLOADS_FOLDER = 'h5blocks-uploads';
/** A dropped file larger than this is refused: it would fill the disk before anyone noticed. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

/**
 * Stores one uploaded file (`?name=` gives its name, the body its bytes) and
 * returns its path. A partial file never stays behind: the bytes go to a hidden
 * file that gets its name only once all of them arrived.
 */
export async function storeUpload(request: IncomingMessage, url: URL, roots: AllowedRoots, limit = MAX_UPLOAD_BYTES): Promise<string> {
  const name = uploadName(url.searchParams.get('name'));
  const declared = Number(request.headers['content-length']);
  if (!Number.isFinite(declared)) throw new H5BlocksError('invalid-argument', `${name}: the upload must say its size (Content-Length)`);
  if (declared > limit) throw tooLarge(name, declared, limit);
  const folder = uploadsFolder(roots);
  const staged = join(folder, `.${randomBytes(6).toString('hex')}.h5blocks-upload`);
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > limit ? tooLarge(name, received, limit) : null, chunk);
    },
  });
  try {
    await pipeline(request, counter, createWriteStream(staged, { flags: 'wx' }));
    if (received !== declared) throw new H5BlocksError('invalid-argument', `${name}: the upload ended after ${received} of ${declared} bytes`);
    const target = linkUnderFreeName(staged, folder, name);
    removeQuietly(staged);
    return target;
  } catch (error) {
    removeQuietly(staged);
    throw error instanceof H5BlocksError ? error : fsError(error, join(folder, name), 'store the dropped file');
  }
}

/** The uploads folder in the first root that lets one be made, checked to lie inside the roots. */
function uploadsFolder(roots: AllowedRoots): string {
  let lastError: unknown;
  for (const root of roots.roots) {
    const folder = join(root, UPLOADS_FOLDER);
    try {
      if (!existsSync(folder)) {
        checkWritableFolder(root, 'make a folder for dropped files');
        mkdirSync(folder);
      }
      const real = roots.resolveExisting(folder);
      checkWritableFolder(real, 'store a dropped file there');
      return real;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof H5BlocksError ? lastError
    : fsError(lastError, join(roots.roots[0], UPLOADS_FOLDER), 'make a folder for dropped files');
}

/** The file's own name, without any folder part, or a refusal. */
function uploadName(raw: string | null): string {
  const name = (raw ?? '').trim();
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.startsWith('.') || name.length > 255) {
    throw new H5BlocksError('invalid-argument', `${JSON.stringify(name.slice(0, 80))}: not a file name a dropped file may have`);
  }
  return name;
}

/**
 * Gives the stored bytes the first free name of `name`, `stem (2).ext`,
 * `stem (3).ext`…: a hard link is made only where nothing exists, so an earlier
 * drop is never replaced, even by two drops at once.
 */
function linkUnderFreeName(staged: string, folder: string, name: string): string {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; ; n++) {
    const candidate = join(folder, n === 1 ? name : `${stem} (${n})${extension}`);
    try {
      linkSync(staged, candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function tooLarge(name: string, bytes: number, limit: number): H5BlocksError {
  return new H5BlocksError('too-large', `${name}: ${(bytes / 1024 ** 2).toFixed(0)} MB is more than the ${(limit / 1024 ** 2).toFixed(0)} MB a dropped file may have; put it in a served folder and use Open…`);
}
