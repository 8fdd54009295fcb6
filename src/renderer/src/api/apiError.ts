import type { ErrorCode, ErrorInfo } from '@shared/errors';

/** How every API call rejects, on either transport: an Error that is also an ErrorInfo (code + one line). */
export class ApiError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly object?: string;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    if (info.file !== undefined) this.file = info.file;
    if (info.object !== undefined) this.object = info.object;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
