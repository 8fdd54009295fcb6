import type { OpenFile } from '@shared/api';
import type { ErrorInfo } from '@shared/errors';
import { ApiError } from './apiError';

/** Where `h5blocks serve` takes a dropped file's bytes (src/main/server/uploads.ts). */
const UPLOAD_PATH = '/upload';

/**
 * serve only: a browser gives a dropped file's bytes, never its path, so they
 * are sent to the server, which stores them in an uploads folder under its
 * roots and opens the copy. Rejects with an ApiError, like every API call.
 */
export async function uploadDroppedFile(file: File): Promise<OpenFile> {
  let response: Response;
  try {
    // The page's cookie carries the access token.
    response = await fetch(`${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' },
    });
  } catch {
    throw new ApiError({ code: 'internal', message: `${file.name}: could not send the dropped file to h5blocks serve (is it still running?)` });
  }
  const body = await response.json().catch(() => null) as { file?: OpenFile; error?: ErrorInfo } | null;
  if (response.ok && body?.file) return body.file;
  throw new ApiError(body?.error ?? { code: 'internal', message: `${file.name}: h5blocks serve answered ${response.status} to the dropped file` });
}
