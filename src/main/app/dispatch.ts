import type { H5BlocksApi } from '@shared/api';
import { validateCall } from '@shared/apiSchema';
import type { CallOutcome } from '@shared/ipcChannels';
import { publicError } from './publicError';

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * One call from a renderer, whatever the transport: the arguments are checked
 * against apiSchema before anything runs, and the outcome is plain data (a
 * result, or an ErrorInfo without a stack) ready to be sent back.
 */
export async function dispatchCall(api: H5BlocksApi, method: unknown, args: unknown): Promise<CallOutcome> {
  try {
    const call = validateCall(method, args);
    const result = await (api[call.method] as AnyMethod).apply(api, call.args);
    return { ok: true, result: result ?? null };
  } catch (error) {
    return { ok: false, error: publicError(error) };
  }
}
