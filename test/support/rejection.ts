import type { ErrorInfo } from '../../src/shared/errors';

/** What a call rejected with, as the ErrorInfo a user would see; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ErrorInfo> {
  try {
    await promise;
  } catch (error) {
    return error as ErrorInfo;
  }
  throw new Error('expected the call to reject');
}
