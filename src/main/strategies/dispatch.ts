import type { BlockPlan } from '@shared/blocks';
import { Window } from '../run/orderedWriter';
import type { StrategyContext } from './context';

/**
 * The loop pool and shard share: hand blocks out in order while at most
 * `limit` are unwritten, stop everything at the first failure, and report that
 * failure rather than the cancellations it causes.
 */
export async function dispatchBlocks(
  context: StrategyContext,
  limit: number,
  start: (plan: BlockPlan, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const failure = new AbortController();
  const onAbort = () => failure.abort(context.signal.reason);
  context.signal.addEventListener('abort', onAbort, { once: true });
  const window = new Window(limit, failure.signal);
  context.onWritten(() => window.release());
  let firstError: unknown;
  const fail = (error: unknown) => {
    firstError ??= error;
    failure.abort(error);
  };
  const running: Promise<void>[] = [];
  try {
    for (const plan of context.blocks) {
      try {
        await window.acquire();
      } catch {
        break;
      }
      try {
        running.push(start(plan, failure.signal).catch(fail));
      } catch (error) {
        fail(error);
        break;
      }
    }
    await Promise.all(running);
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
  if (firstError !== undefined) throw firstError;
  context.signal.throwIfAborted();
}
